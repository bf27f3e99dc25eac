// mailtls dashboard: draws the charts (uPlot) from the tables beside them. The tables are the data: without
// JavaScript the page shows them alone, and the chart can never disagree with the numbers printed next to it.
(function () {
  'use strict';
  if (typeof uPlot === 'undefined') { return; }

  var css = getComputedStyle(document.documentElement);
  var OK = css.getPropertyValue('--chart-ok').trim() || '#2e9a66';
  var FAIL = css.getPropertyValue('--chart-fail').trim() || '#d92d20';
  var MUTED = css.getPropertyValue('--muted').trim() || '#59636e';
  var GRID = css.getPropertyValue('--line').trim() || '#e8ecf0';
  var DAY = 86400;

  function read(table) {
    var xs = [], ok = [], failed = [];
    var rows = table.tBodies.length ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var t = Date.parse(r.getAttribute('data-day') + 'T00:00:00Z') / 1000;
      if (isNaN(t)) { continue; }
      xs.push(t + DAY / 2); // a bar in the middle of its UTC day
      ok.push(Number(r.getAttribute('data-ok')));
      failed.push(Number(r.getAttribute('data-failed')));
    }
    return { xs: xs, ok: ok, failed: failed };
  }

  function sum(a) { var t = 0; for (var i = 0; i < a.length; i++) { t += a[i]; } return t; }

  function fmt(n) { return n == null ? '–' : Math.round(n).toLocaleString('en-US'); }

  // Stacked bars: the total (red) first, then the successful part (green) over it, so red shows the failures on top.
  function options(el, d, spark) {
    var from = Number(el.getAttribute('data-from'));
    var to = Number(el.getAttribute('data-to'));
    var total = d.ok.map(function (v, i) { return v + d.failed[i]; });
    var width = Math.max(spark ? 160 : 240, Math.floor(el.clientWidth));
    var days = Math.max(1, (to - from) / DAY);
    var bars = uPlot.paths.bars({ size: [0.8, spark ? 24 : 48], align: 0 });
    return {
      data: [d.xs, total, d.ok],
      opts: {
        width: width,
        height: spark ? 64 : 280,
        padding: spark ? [4, 2, 0, 2] : [12, 12, 0, 4],
        legend: { show: !spark, live: true },
        cursor: spark ? { show: false } : { points: { show: false }, drag: { x: false, y: false } },
        select: { show: false },
        scales: {
          x: { time: true, range: function () { return [from, to]; } },
          y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.08]; } }
        },
        axes: spark ? [{ show: false }, { show: false }] : [
          { stroke: MUTED, grid: { show: false }, ticks: { stroke: GRID }, space: days > 60 ? 80 : 60 },
          { stroke: MUTED, grid: { stroke: GRID, width: 1 }, ticks: { show: false }, size: 60,
            values: function (u, vals) { return vals.map(fmt); } }
        ],
        // Away from the bars the legend shows the window's totals; over a bar, that day's numbers.
        series: [
          { label: 'Day (UTC)', value: function (u, v) { return v == null ? d.xs.length + ' days with reports' : new Date((v - DAY / 2) * 1000).toISOString().slice(0, 10); } },
          { label: 'Failed', fill: FAIL, stroke: FAIL, width: 0, paths: bars, points: { show: false },
            value: function (u, v, si, i) { return i == null ? fmt(sum(d.failed)) : fmt(d.failed[i]); } },
          { label: 'Successful', fill: OK, stroke: OK, width: 0, paths: bars, points: { show: false },
            value: function (u, v, si, i) { return i == null ? fmt(sum(d.ok)) : fmt(v); } }
        ]
      }
    };
  }

  function draw(el) {
    var table = document.getElementById(el.getAttribute('data-table'));
    if (!table) { return; }
    var d = read(table);
    if (d.xs.length === 0) { return; }
    var spark = el.getAttribute('data-chart') === 'spark';
    el.textContent = '';
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', el.getAttribute('data-label') || 'Chart');
    var o = options(el, d, spark);
    var plot = new uPlot(o.opts, o.data, el);

    // Without JavaScript the numbers are open; with the chart drawn they fold away under "Daily numbers".
    var details = el.parentNode.querySelector('details[data-close-with-chart]');
    if (details) { details.open = false; }
    if (typeof ResizeObserver !== 'undefined') {
      var last = el.clientWidth;
      new ResizeObserver(function () {
        var w = el.clientWidth;
        if (w > 0 && Math.abs(w - last) > 4) { last = w; plot.setSize({ width: Math.max(spark ? 160 : 240, w), height: o.opts.height }); }
      }).observe(el);
    }
  }

  var charts = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
})();
