// Storefront behaviour that used to live in inline handlers: the Content-Security-Policy allows
// scripts from this origin only (no inline script, no on* attributes).
"use strict";
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLElement && target.matches("[data-submit-on-change]") && target.form) {
    target.form.submit();
  }
});
