/* Client-side sorting of tables marked data-sortable.
 *
 * Header cells with data-sort="number" or data-sort="text" become sort buttons; a body
 * cell's data-sort-value (else its text) is what is compared. Empty values always sort
 * last. Rows in <tfoot> (e.g. the city total) stay where they are.
 */
(function () {
  "use strict";

  function value(row, index, type) {
    var cell = row.cells[index];
    if (!cell) {
      return null;
    }
    var raw = cell.hasAttribute("data-sort-value") ? cell.getAttribute("data-sort-value") : cell.textContent.trim();
    if (raw === "") {
      return null;
    }
    if (type === "number") {
      var number = parseFloat(raw);
      return isNaN(number) ? null : number;
    }
    return raw;
  }

  function sort(table, header) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var type = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[data-sort]").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var collator = new Intl.Collator(document.documentElement.lang || "zh-CN", { numeric: true });
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, index, type);
      var y = value(b, index, type);
      if (x === null || y === null) {
        return x === y ? 0 : x === null ? 1 : -1;
      }
      var order = type === "number" ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (header) {
      var button = header.querySelector("button.sort-button") || header;
      button.addEventListener("click", function () {
        sort(table, header);
      });
    });
  });
})();
