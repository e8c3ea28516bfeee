/* proxstate's static site: search over the index the build wrote, sorting and filtering of
   tables. No request leaves the site; the index is loaded by a <script src> (search-index.js). */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  function setupSearch() {
    var input = document.getElementById("search");
    var results = document.getElementById("search-results");
    var index = window.PROXSTATE_SEARCH_INDEX || [];
    if (!input || !results) { return; }
    var lowered = index.map(function (entry) {
      return entry.t.map(function (text) { return String(text).toLowerCase(); });
    });
    function show() {
      var query = input.value.trim().toLowerCase();
      results.textContent = "";
      if (!query) { return; }
      var shown = 0;
      for (var i = 0; i < index.length && shown < 50; i++) {
        var texts = lowered[i];
        var hit = false;
        for (var j = 0; j < texts.length; j++) {
          if (texts[j].indexOf(query) !== -1) { hit = true; break; }
        }
        if (!hit) { continue; }
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + index[i].h;
        link.textContent = index[i].l;
        item.appendChild(link);
        results.appendChild(item);
        shown++;
      }
      if (!shown) {
        var none = document.createElement("li");
        none.textContent = "Nothing found";
        results.appendChild(none);
      }
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { input.value = ""; show(); }
      if (event.key === "Enter") {
        var first = results.querySelector("a");
        if (first) { window.location.href = first.href; }
      }
    });
  }

  function cellValue(row, column, numeric) {
    var cell = row.cells[column];
    // A cell may carry the value it sorts by (bytes behind "62.8 GiB").
    var text = cell ? (cell.getAttribute("data-value") || cell.textContent).trim() : "";
    if (!numeric) { return text.toLowerCase(); }
    var number = parseFloat(text);
    return isNaN(number) ? -Infinity : number;
  }

  function setupSorting(table) {
    var headers = table.querySelectorAll("th[data-sort]");
    Array.prototype.forEach.call(headers, function (header) {
      header.setAttribute("tabindex", "0");
      function sort() {
        var column = header.cellIndex;
        var numeric = header.getAttribute("data-sort") === "number";
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, column, numeric), y = cellValue(b, column, numeric);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }

  function setupFilter() {
    var input = document.getElementById("guest-filter");
    var table = document.getElementById("guests");
    if (!input || !table) { return; }
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var match = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
        if (match) { row.removeAttribute("hidden"); } else { row.setAttribute("hidden", ""); }
      });
    });
  }

  setupSearch();
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setupSorting);
  setupFilter();
})();
