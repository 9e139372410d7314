// Sorting and filtering for the dashboard table; no network, no libraries.
(function () {
  "use strict";
  var table = document.getElementById("recommendations");
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  var state = { key: null, descending: false };

  function valueOf(row, index) {
    var cell = row.cells[index];
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim().toLowerCase();
  }

  function sortBy(key, descending) {
    var index = -1;
    for (var i = 0; i < headers.length; i++) {
      var button = headers[i].querySelector("button");
      if (button.getAttribute("data-key") === key) { index = i; }
      headers[i].removeAttribute("aria-sort");
    }
    if (index < 0) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = valueOf(a, index), y = valueOf(b, index);
      if (x === "" || y === "") { return (x === "") - (y === ""); }  // empty cells last, either way
      var order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers[index].setAttribute("aria-sort", descending ? "descending" : "ascending");
    state.key = key;
    state.descending = descending;
    document.body.setAttribute("data-sorted", (descending ? "-" : "") + key);
  }

  Array.prototype.forEach.call(headers, function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-key");
      sortBy(key, state.key === key ? !state.descending : false);
    });
  });

  var filter = document.getElementById("filter");
  filter.addEventListener("input", function () {
    var needle = filter.value.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var match = row.textContent.toLowerCase().indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) { shown++; }
    });
    document.getElementById("shown").textContent = String(shown);
  });

  // #sort=due or #sort=-due opens the page sorted (handy for links).
  var match = /(?:^|[#&])sort=(-?)([a-z_]+)/.exec(window.location.hash);
  if (match) { sortBy(match[2], match[1] === "-"); }
  document.body.setAttribute("data-ready", "yes");
})();
