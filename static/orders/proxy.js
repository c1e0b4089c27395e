// Proxy order screen: a click on one of the customer's usual products adds "SKU quantity" to the lines,
// then the lines are evaluated again (htmx listens for the input event on the textarea).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-line]");
    if (!button) {
      return;
    }
    event.preventDefault();
    const lines = document.getElementById("id_lines");
    if (!lines) {
      return;
    }
    const text = lines.value.replace(/\s+$/, "");
    lines.value = (text ? text + "\n" : "") + button.dataset.addLine;
    lines.dispatchEvent(new Event("input", { bubbles: true }));
    lines.focus();
  });
})();
