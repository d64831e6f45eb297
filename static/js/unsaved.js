// Warn before leaving a page whose form holds changes not yet saved (hazard H7 of the
// clinical safety log). A form opts in with data-warn-unsaved; typing marks it, saving
// clears it. The server marks a form shown again unsaved (an error, a conflict, typing
// kept after a session ended) with data-dirty. Works with htmx, which replaces the form.
(function () {
  "use strict";
  function watched(target) {
    return target && target.closest ? target.closest("form[data-warn-unsaved]") : null;
  }
  function mark(event) {
    var form = watched(event.target);
    if (form) {
      form.setAttribute("data-dirty", "1");
    }
  }
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  document.addEventListener("submit", function (event) {
    var form = watched(event.target);
    if (form) {
      form.removeAttribute("data-dirty");
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-warn-unsaved][data-dirty]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
