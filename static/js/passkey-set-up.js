// Once a passkey is registered (django-otp-webauthn's event), this session is verified by
// it: carry on to the recovery codes, and then where the person was going.
document.addEventListener("otp_webauthn.register_complete", function () {
  // The library replaces its placeholder, so where to go next is kept on the wrapper.
  var wrapper = document.getElementById("passkey-set-up");
  var next = wrapper ? wrapper.getAttribute("data-next") || "/" : "/";
  window.location.href = "/two-factor/recovery-codes/?next=" + encodeURIComponent(next);
});
