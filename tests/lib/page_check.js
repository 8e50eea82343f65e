// page_check.js: appended to a copy of a report's index.html by
// tests/integration/report_browser.sh. It opens every <details>, loads every
// picture, then writes what is wrong into a <pre> of id rl-result: a picture
// that did not load, a page wider than the window, an element whose right
// edge passes the window's.
(function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  document.querySelectorAll('img').forEach(function (i) { i.loading = 'eager'; });
  function report() {
    var out = [], w = window.innerWidth;
    document.querySelectorAll('img').forEach(function (i) {
      if (!i.complete || i.naturalWidth === 0) out.push('missing picture: ' + i.getAttribute('src'));
    });
    var sw = document.documentElement.scrollWidth;
    if (sw > w) out.push('the page is wider than the window: ' + sw + ' > ' + w);
    document.querySelectorAll('body *').forEach(function (e) {
      var r = e.getBoundingClientRect();
      if (r.width > 0 && r.right > w + 1)
        out.push('overflows: <' + e.tagName.toLowerCase() + (e.id ? ' id=' + e.id : '') +
                 (e.className ? ' class=' + e.className : '') + '> right edge at ' + Math.round(r.right));
    });
    var pre = document.createElement('pre');
    pre.id = 'rl-result';
    pre.textContent = 'pictures=' + document.images.length + ' problems=' + out.length + '\n' +
      out.slice(0, 40).join('\n');
    document.body.appendChild(pre);
  }
  var pending = 0;
  function done() { if (--pending === 0) report(); }
  document.querySelectorAll('img').forEach(function (i) {
    if (!i.complete) { pending++; i.addEventListener('load', done); i.addEventListener('error', done); }
  });
  if (pending === 0) report();
})();
