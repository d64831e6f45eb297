// Marks the page as having JavaScript, as the NHS.UK frontend expects, before it is drawn.
// A file rather than an inline script: the Content-Security-Policy allows no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
