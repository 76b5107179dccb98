// qualify site: the only script. Pages read completely without it; it adds sorting of tables, filters and
// the search. It makes no request (the search index is a script loaded by search.html) and never writes
// HTML: results are built with DOM nodes and textContent.
(function () {
  'use strict';
  var collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return '';
    return cell.getAttribute('data-sort') !== null ? cell.getAttribute('data-sort') : cell.textContent.trim();
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute('aria-sort', 'none');
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (other) { other.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var c = collator.compare(cellValue(a, index), cellValue(b, index));
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function rowMatches(row, controls) {
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      var value = control.value.trim();
      if (!value) continue;
      if (control.hasAttribute('data-filter-text')) {
        var hay = (row.textContent + ' ' + (row.getAttribute('data-text') || '')).toLowerCase();
        var tokens = value.toLowerCase().split(/\s+/);
        for (var t = 0; t < tokens.length; t++) if (hay.indexOf(tokens[t]) === -1) return false;
        continue;
      }
      var key = control.getAttribute('data-filter-key');
      var mode = control.getAttribute('data-filter-mode');
      var field = row.getAttribute('data-' + key) || '';
      if (mode === 'contains') {
        if (field.toLowerCase().indexOf(value.toLowerCase()) === -1) return false;
      } else if (mode === 'from') {
        if (field.slice(0, 10) < value) return false;
      } else if (mode === 'to') {
        if (field.slice(0, 10) > value) return false;
      } else if (field.split('|').indexOf(value) === -1) {
        return false;
      }
    }
    return true;
  }

  function makeFilter(box) {
    var table = document.getElementById(box.getAttribute('data-filter-for'));
    if (!table) return;
    box.hidden = false;
    var controls = box.querySelectorAll('[data-filter-key], [data-filter-text]');
    var count = document.querySelector('[data-count-for="' + table.id + '"]');
    function apply() {
      var rows = table.tBodies[0].rows;
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var ok = rowMatches(rows[i], controls);
        rows[i].hidden = !ok;
        if (ok) shown++;
      }
      if (count) count.textContent = shown === rows.length ? 'Showing all ' + rows.length : 'Showing ' + shown + ' of ' + rows.length;
    }
    Array.prototype.forEach.call(controls, function (c) {
      c.addEventListener('input', apply);
      c.addEventListener('change', apply);
    });
    if (box.tagName === 'FORM') {
      box.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
      box.addEventListener('reset', function () { setTimeout(apply, 0); });
    }
    apply();
  }

  function search() {
    var index = window.QUALIFY_SEARCH;
    var input = document.getElementById('q');
    var list = document.getElementById('search-results');
    var status = document.getElementById('search-status');
    if (!index || !input || !list) return;
    function run(query) {
      while (list.firstChild) list.removeChild(list.firstChild);
      var tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
      if (!tokens.length) {
        status.textContent = 'Type to search ' + index.length + ' documents and reports.';
        return;
      }
      var hits = [];
      index.forEach(function (entry) {
        var title = entry.title.toLowerCase();
        var score = 0;
        for (var i = 0; i < tokens.length; i++) {
          if (title.indexOf(tokens[i]) !== -1) score += 10;
          else if (entry.text.indexOf(tokens[i]) !== -1) score += 1;
          else return;
        }
        hits.push({ entry: entry, score: score });
      });
      hits.sort(function (a, b) { return b.score - a.score || collator.compare(a.entry.title, b.entry.title); });
      hits.slice(0, 200).forEach(function (hit) {
        var li = document.createElement('li');
        var kind = document.createElement('span');
        kind.className = 'kind';
        kind.textContent = hit.entry.kind;
        var a = document.createElement('a');
        a.href = hit.entry.url;
        a.textContent = hit.entry.title;
        var summary = document.createElement('span');
        summary.className = 'summary';
        summary.textContent = hit.entry.summary;
        li.appendChild(kind);
        li.appendChild(a);
        li.appendChild(summary);
        list.appendChild(li);
      });
      status.textContent = hits.length === 0 ? 'No result for "' + query + '".' : hits.length + ' result(s) for "' + query + '"' + (hits.length > 200 ? ', the first 200 shown.' : '.');
    }
    var params = new URLSearchParams(window.location.search);
    input.value = params.get('q') || '';
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 120);
    });
    input.form.addEventListener('submit', function (e) {
      e.preventDefault();
      run(input.value);
    });
    run(input.value);
  }

  // A link to an evidence file opens its content.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    var details = target && target.querySelector('details.evidence-content');
    if (details) details.open = true;
  }

  document.addEventListener('DOMContentLoaded', function () {
    openTarget();
    window.addEventListener('hashchange', openTarget);
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll('[data-filter-for]'), makeFilter);
    search();
  });
})();
