// Search of the static site: reads search.json (same origin) and filters it in the browser.
// No framework, no inline script: the pages' Content-Security-Policy allows only the site's own files.
(function () {
  "use strict";
  var FACETS = ["status", "response", "source", "owner", "theme"];
  // Column of each facet in a row of the index: [page, id, title, status, response, source, owners, themes, text].
  var COLUMN = { status: 3, response: 4, source: 5, owner: 6, theme: 7 };
  var form = document.getElementById("search");
  var box = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var facets = document.getElementById("facets");

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) {
    return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  // Every word asked for must begin a word of the row: "un" does not find "community".
  function matches(rowWords, asked) {
    return asked.every(function (w) {
      return rowWords.some(function (r) { return r.indexOf(w) === 0; });
    });
  }
  function has(value, wanted) {
    return Array.isArray(value) ? value.indexOf(wanted) >= 0 : value === wanted;
  }

  function start(index) {
    var params = new URLSearchParams(window.location.search);
    var rows = index.rows.map(function (row) { return { row: row, words: words(row[8]) }; });
    FACETS.forEach(function (name) {
      var label = document.createElement("label");
      label.textContent = index.labels[name] || name;
      var select = document.createElement("select");
      select.name = name;
      select.id = "facet-" + name;
      var all = document.createElement("option");
      all.value = "*";
      all.textContent = index.labels.all || "all";
      select.appendChild(all);
      index.facets[name].forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        select.appendChild(option);
      });
      select.value = params.has(name) ? params.get(name) : "*";
      if (select.selectedIndex < 0) { select.value = "*"; }
      select.addEventListener("change", run);
      label.appendChild(select);
      facets.appendChild(label);
    });
    box.value = params.get("q") || "";
    box.addEventListener("input", run);
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });

    function run() {
      var asked = words(box.value);
      var chosen = FACETS.map(function (name) {
        return [COLUMN[name], document.getElementById("facet-" + name).value];
      }).filter(function (pair) { return pair[1] !== "*"; });
      var found = rows.filter(function (r) {
        return matches(r.words, asked) && chosen.every(function (pair) { return has(r.row[pair[0]], pair[1]); });
      });
      list.textContent = "";
      found.slice(0, 500).forEach(function (r) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = r.row[0];
        link.textContent = r.row[2];
        item.appendChild(link);
        item.appendChild(document.createTextNode(" — " + r.row[3] + " (" + r.row[1] + ")"));
        list.appendChild(item);
      });
      status.textContent = found.length + " " + (index.labels.results || "results");
      var query = new URLSearchParams();
      if (box.value) { query.set("q", box.value); }
      chosen.forEach(function (pair, i) { query.set(FACETS.filter(function (n) {
        return document.getElementById("facet-" + n).value !== "*"; })[i], pair[1]); });
      window.history.replaceState(null, "", "?" + query.toString());
    }
    run();
    document.body.setAttribute("data-ready", "yes");
  }

  fetch("search.json").then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }).then(start).catch(function () {
    document.body.setAttribute("data-ready", "failed");
  });
})();
