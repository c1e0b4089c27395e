// Trading-rule editor (admin): show only the fields the chosen kind uses.
// The kind -> fields table comes from the server in the kind select's data-kind-fields attribute.
(function () {
  "use strict";
  const KIND_SPECIFIC = ["quantity", "use_case_quantity", "amount", "below", "fee", "free_from", "tax_rate"];

  function update(select) {
    const table = JSON.parse(select.dataset.kindFields || "{}");
    const used = table[select.value] || [];
    KIND_SPECIFIC.forEach(function (name) {
      const row = document.querySelector(".form-row.field-" + name) || document.querySelector(".field-" + name);
      if (row) {
        row.style.display = used.includes(name) ? "" : "none";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const select = document.getElementById("id_kind");
    if (!select || !select.dataset.kindFields) {
      return;
    }
    update(select);
    select.addEventListener("change", function () { update(select); });
  });
})();
