// Sorting and filtering for the dashboard table; no network, no libraries.
(function () {
  "use strict";
  var table = document.getElementById("recommendations");
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  var select = document.getElementById("sort");
  var state = { key: null, descending: false };
  // Numbers inside text sort as numbers: "session 2" before "session 10".
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function valueOf(row, index) {
    var cell = row.cells[index];
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim();
  }

  function sortBy(key, descending) {
    var index = -1;
    for (var i = 0; i < headers.length; i++) {
      var button = headers[i].querySelector("button");
      if (button.getAttribute("data-key") === key) { index = i; }
      headers[i].setAttribute("aria-sort", "none");
    }
    if (index < 0) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = valueOf(a, index), y = valueOf(b, index);
      if (x === "" || y === "") { return (x === "") - (y === ""); }  // empty cells last, either way
      var order = collator.compare(x, y);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers[index].setAttribute("aria-sort", descending ? "descending" : "ascending");
    state.key = key;
    state.descending = descending;
    select.value = key;
    document.body.setAttribute("data-sorted", (descending ? "-" : "") + key);
  }

  Array.prototype.forEach.call(headers, function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-key");
      sortBy(key, state.key === key ? !state.descending : false);
    });
  });
  select.addEventListener("change", function () { sortBy(select.value, false); });

  // Words for matching: no accents, no case; split on anything that is not a letter or digit.
  function words(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
  }
  // Text node by text node: textContent would glue one cell's last word to the next cell's first.
  function textOf(node) {
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT), parts = [];
    while (walker.nextNode()) { parts.push(walker.currentNode.nodeValue); }
    return parts.join(" ");
  }
  var rowWords = Array.prototype.map.call(body.rows, function (row) {
    return { row: row, words: words(textOf(row)) };
  });

  // Every word of the filter must begin some word of the row: "UN" finds "UN" and "UNHCR", not "community".
  var filter = document.getElementById("filter");
  filter.addEventListener("input", function () {
    var wanted = words(filter.value);
    var shown = 0;
    rowWords.forEach(function (item) {
      var match = wanted.every(function (w) {
        return item.words.some(function (have) { return have.lastIndexOf(w, 0) === 0; });
      });
      item.row.hidden = !match;
      if (match) { shown++; }
    });
    document.getElementById("shown").textContent = String(shown);
  });

  // #sort=due or #sort=-due opens the page sorted (handy for links).
  var match = /(?:^|[#&])sort=(-?)([a-z_]+)/.exec(window.location.hash);
  if (match) { sortBy(match[2], match[1] === "-"); }
  document.body.setAttribute("data-ready", "yes");
})();
