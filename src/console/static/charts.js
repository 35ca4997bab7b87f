// Hand-drawn SVG for the console: sparklines and small line charts. No dependencies.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  /** An inline sparkline of numbers as an SVG string. */
  function sparkline(values, opts = {}) {
    const w = opts.width || 120;
    const h = opts.height || 24;
    const vs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
    if (vs.length === 0) return `<svg class="spark" width="${w}" height="${h}"></svg>`;
    const max = Math.max(...vs, 1);
    const step = vs.length > 1 ? (w - 2) / (vs.length - 1) : 0;
    const pts = vs.map((v, i) => `${(1 + i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(' ');
    return `<svg class="spark" xmlns="${NS}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><polyline fill="none" stroke="${opts.color || '#2463eb'}" stroke-width="1.5" points="${pts}"/></svg>`;
  }

  /** A line chart: series = [{ name, color, points: [[time, value|null]] }], with y axis labels from fmt. */
  function lineChart(series, fmt) {
    const w = 600;
    const h = 180;
    const left = 64;
    const bottom = 20;
    const all = series.flatMap((s) => s.points.filter((p) => p[1] !== null));
    if (all.length === 0) return `<svg viewBox="0 0 ${w} ${h}"><text x="${w / 2}" y="${h / 2}" text-anchor="middle" fill="#6b7385">waiting for data</text></svg>`;
    const t0 = Math.min(...all.map((p) => p[0]));
    const t1 = Math.max(...all.map((p) => p[0]), t0 + 1);
    const max = Math.max(...all.map((p) => p[1]), 1e-9) * 1.1;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * (w - left - 8);
    const y = (v) => 6 + (1 - v / max) * (h - bottom - 6);
    let out = `<svg viewBox="0 0 ${w} ${h}" xmlns="${NS}">`;
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      out += `<line x1="${left}" x2="${w - 8}" y1="${y(v)}" y2="${y(v)}" stroke="#eef0f4"/><text x="${left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end" fill="#6b7385">${esc(fmt(v))}</text>`;
    }
    out += `<text x="${left}" y="${h - 4}" font-size="10" fill="#6b7385">${esc(new Date(t0).toLocaleTimeString())}</text>`;
    out += `<text x="${w - 8}" y="${h - 4}" font-size="10" text-anchor="end" fill="#6b7385">${esc(new Date(t1).toLocaleTimeString())}</text>`;
    for (const s of series) {
      let d = '';
      let pen = false;
      for (const [t, v] of s.points) {
        if (v === null) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      }
      out += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`;
    }
    return out + '</svg>';
  }

  window.BrookCharts = { sparkline, lineChart };
})();
