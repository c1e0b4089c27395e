/* b2bshop storefront behaviour. No inline scripts anywhere (strict CSP): every page loads this file.
 * Each feature is opt-in through data attributes, and every page works without JavaScript. */
(function () {
  "use strict";

  /* The language switch submits itself when a language is picked. */
  function languageSwitch(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  /* Quantity steppers on add-to-cart forms: − and + move to the neighbouring valid quantity
   * (minimum, multiple and maximum come from the trading-rules engine via data attributes). */
  function steppers(root) {
    root.querySelectorAll("[data-stepper]").forEach(function (box) {
      if (box.dataset.ready) { return; }
      box.dataset.ready = "1";
      var input = box.querySelector("input");
      var min = parseInt(box.dataset.min, 10) || 1;
      var step = parseInt(box.dataset.step, 10) || 1;
      var max = box.dataset.max ? parseInt(box.dataset.max, 10) : null;
      function current() {
        var value = parseInt(String(input.value).replace(/[０-９]/g, function (c) {
          return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
        }), 10);
        return isNaN(value) ? min : value;
      }
      function valid(value) { return value >= min && value % step === 0 && (max === null || value <= max); }
      box.querySelectorAll("button[data-delta]").forEach(function (button) {
        button.addEventListener("click", function () {
          var value = current();
          var next = value;
          if (button.dataset.delta === "up") {
            next = Math.max(value + 1, min);
            next = Math.ceil(next / step) * step;
          } else {
            next = Math.floor((value - 1) / step) * step;
          }
          if (valid(next)) { input.value = next; }
          input.dispatchEvent(new Event("change", { bubbles: true }));
        });
      });
    });
  }

  /* Postal code → prefecture and address (catalog:postal_code, Japan Post data bundled server-side). */
  function postalLookup(root) {
    root.querySelectorAll("input[data-postal-lookup]").forEach(function (input) {
      var form = input.form;
      var url = form && form.dataset.postalUrl;
      if (!url || input.dataset.ready) { return; }
      input.dataset.ready = "1";
      var status = document.getElementById(input.getAttribute("aria-describedby"));
      var lastFilled = "";
      input.addEventListener("input", function () {
        var digits = input.value.replace(/[０-９]/g, function (c) {
          return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
        }).replace(/\D/g, "");
        if (digits.length !== 7 || digits === lastFilled) { return; }
        lastFilled = digits;
        fetch(url + "?postal_code=" + digits, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
          .then(function (result) {
            var ok = result[0], body = result[1];
            if (!ok) { if (status) { status.textContent = body.error || ""; } return; }
            var prefecture = form.querySelector("[name=prefecture]");
            var address = form.querySelector("[name=address]");
            if (prefecture) { prefecture.value = body.prefecture; }
            if (address && (!address.value || address.dataset.autofilled === address.value)) {
              address.value = body.city + body.town;
              address.dataset.autofilled = address.value;
            }
            if (status) { status.textContent = body.prefecture + body.city + body.town; }
            if (address) { address.focus(); }
          })
          .catch(function () { lastFilled = ""; });
      });
    });
  }

  function init(root) {
    languageSwitch(root);
    steppers(root);
    postalLookup(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
