// Small DOM helpers. Everything the API says is put in the page as text, never as markup.

/** An element: h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'polyline', 'line', 'text', 'g', 'rect', 'title', 'path'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const units = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]];

/** "3 min ago", "in 12 s": the two largest units. */
export function relative(iso, now = Date.now()) {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  let left = Math.abs(diff);
  if (left < 1000) return 'now';
  const parts = [];
  for (const [name, ms] of units) {
    if (left >= ms && parts.length < 2) {
      parts.push(`${Math.floor(left / ms)} ${name}`);
      left %= ms;
    } else if (parts.length) break;
  }
  return diff < 0 ? `${parts.join(' ')} ago` : `in ${parts.join(' ')}`;
}

/** A time shown relative, with the exact local and UTC time on hover. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  return h('time', { datetime: iso, title: `${d.toLocaleString()} (${iso})` }, relative(iso));
}

/** A duration in milliseconds as people say it. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export function badge(status) {
  return h('span', { class: `badge s-${status}` }, status);
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '—';
}

export function jobLink(id) {
  return h('a', { href: `#/jobs/${encodeURIComponent(id)}`, class: 'mono', title: id }, shortId(id));
}

export function number(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

/** A table: columns [{title, cell(row), cls}], with a message when there are no rows. */
export function table(columns, rows, { empty = 'Nothing here.', caption, rowClass } = {}) {
  return h('div', { class: 'scroll' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.cls }, c.title)))),
      h('tbody', {}, rows.length === 0
        ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, empty))
        : rows.map((r) => h('tr', { class: rowClass ? rowClass(r) : null },
          columns.map((c) => h('td', { class: c.cls }, c.cell(r))))))));
}

/** A section with a heading. */
export function section(title, ...body) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}

/** Pretty JSON in a pre, or a dash. */
export function jsonBlock(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  return h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(value, null, 2));
}

let toastTimer;
export function toast(message, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = 'toast'; }, 5000);
}

/** Asks the person to confirm; resolves true when they do. */
export function confirmAction(text, okLabel = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

/**
 * An action button for admins: confirms, runs, says how it went, then calls done (to refresh).
 * Viewers and clients get no button at all.
 */
export function actionButton(label, question, run, { done, isAdmin, cls = '', id } = {}) {
  if (!isAdmin) return null;
  const button = h('button', { type: 'button', class: `act ${cls}`, id }, label);
  button.addEventListener('click', async () => {
    if (!(await confirmAction(question, label))) return;
    button.disabled = true;
    try {
      const answer = await run();
      toast(`${label}: done${answer && answer.touched !== undefined ? ` (${answer.touched} jobs)` : ''}`);
      done?.(answer);
    } catch (e) {
      toast(`${label} failed: ${e.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** A failure to load, said where the data would be. */
export function failed(e) {
  const text = e?.status === 403 ? `This token's role cannot see this: ${e.message}` : `Could not load: ${e?.message ?? e}`;
  return h('p', { class: 'error', role: 'alert' }, text);
}
