import { h } from './ui.js';

/**
 * A small line chart of the last hour: one line per series over the minutes, the largest value
 * marked, each point's figures in its tooltip. SVG attributes only (the CSP allows no inline style).
 */
export function minuteChart(minutes, series) {
  const width = 600;
  const height = 140;
  const pad = 24;
  const max = Math.max(1, ...minutes.flatMap((m) => series.map((s) => m[s.key])));
  const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(1, minutes.length - 1);
  const y = (v) => height - pad - (v * (height - 2 * pad)) / max;
  const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': `Jobs per minute over the last hour: ${series.map((s) => `${s.label} ${minutes.at(-1)?.[s.key] ?? 0} this minute`).join(', ')}` });
  svg.append(h('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: 'axis' }));
  svg.append(h('line', { x1: pad, y1: pad, x2: width - pad, y2: pad, class: 'grid' }));
  svg.append(h('text', { x: pad, y: pad - 6, class: 'tick' }, `${max.toLocaleString()}/min`));
  svg.append(h('text', { x: pad, y: height - 6, class: 'tick' }, '60 min ago'));
  svg.append(h('text', { x: width - pad, y: height - 6, class: 'tick end' }, 'now'));
  for (const s of series) {
    const points = minutes.map((m, i) => `${x(i).toFixed(1)},${y(m[s.key]).toFixed(1)}`).join(' ');
    svg.append(h('polyline', { points, class: `line ${s.cls}` }));
  }
  minutes.forEach((m, i) => {
    const figures = series.map((s) => `${s.label} ${m[s.key]}`).join(', ');
    svg.append(h('rect', { x: x(i) - 4, y: pad, width: 8, height: height - 2 * pad, class: 'hover' },
      h('title', {}, `${new Date(m.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}: ${figures}`)));
  });
  const legend = h('ul', { class: 'legend' }, series.map((s) => h('li', { class: s.cls }, s.label)));
  return h('figure', { class: 'chartbox' }, svg, legend);
}
