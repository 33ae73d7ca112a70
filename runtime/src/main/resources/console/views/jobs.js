// Jobs: filters, cursor paging (newest first, cheap however many millions), bulk actions.
import { get, post, query, ApiError } from '../api.js';
import { h, time, table, badge, jobLink, shortId, failed, actionButton, toast } from '../ui.js';

const STATUSES = ['pending', 'claimed', 'completed', 'dead', 'cancelled'];
const FIELDS = ['status', 'type', 'queue', 'bot', 'since', 'until'];
const PAGE = 50;

/** Cursor stacks by filter, so "Newer" goes back without asking again how to get there. */
const trails = new Map();

export function render(root, ctx) {
  const p = ctx.params;
  const filter = Object.fromEntries(FIELDS.map((f) => [f, p.get(f) || '']));
  const key = JSON.stringify(filter);
  const trail = trails.get(key) ?? [null];
  trails.set(key, trail);
  const after = p.get('after') || null;
  if (trail.at(-1) !== after) {
    const at = trail.indexOf(after);
    if (at >= 0) trail.length = at + 1;
    else trail.push(after);
  }

  const input = (name, label, attrs = {}) => h('label', {}, label,
    h('input', { name, id: `f-${name}`, value: attrs.value ?? filter[name], ...attrs }));
  const localTime = (iso) => (iso ? toLocalInput(iso) : '');
  const form = h('form', { class: 'filters', id: 'job-filters', role: 'search' },
    h('label', {}, 'Status', h('select', { name: 'status', id: 'f-status' },
      h('option', { value: '' }, 'any'),
      STATUSES.map((s) => h('option', { value: s, selected: s === filter.status }, s)))),
    input('type', 'Type'),
    input('queue', 'Queue'),
    input('bot', 'Held by bot', { placeholder: 'bot id' }),
    input('since', 'Created from', { type: 'datetime-local', value: localTime(filter.since), step: 1 }),
    input('until', 'until', { type: 'datetime-local', value: localTime(filter.until), step: 1 }),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit' }, 'Filter'),
      h('a', { href: '#/jobs', class: 'button quiet' }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const f of FIELDS) {
      const v = String(data.get(f) ?? '').trim();
      if (v) next[f] = f === 'since' || f === 'until' ? new Date(v).toISOString() : v;
    }
    location.hash = `#/jobs${query(next)}`;
  });

  const search = h('input', { id: 'find', name: 'find', type: 'search', placeholder: 'Job id or idempotency key',
    'aria-label': 'Find a job by id or idempotency key', autocomplete: 'off' });
  const found = h('p', { class: 'error', role: 'alert', hidden: true });
  const finder = h('form', { class: 'finder', id: 'job-find', role: 'search' }, search,
    h('button', { type: 'submit' }, 'Find'), found);
  finder.addEventListener('submit', async (e) => {
    e.preventDefault();
    const wanted = search.value.trim();
    if (!wanted) return;
    found.hidden = true;
    try {
      await get(`/v1/jobs/${encodeURIComponent(wanted)}`);
      location.hash = `#/jobs/${encodeURIComponent(wanted)}`;
      return;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) {
        found.textContent = err.message;
        found.hidden = false;
        return;
      }
    }
    try {
      const byKey = await get(`/v1/jobs${query({ key: wanted, limit: 1 })}`);
      if (byKey.jobs.length) {
        location.hash = `#/jobs/${encodeURIComponent(byKey.jobs[0].id)}`;
        return;
      }
      found.textContent = `No job has the id or idempotency key "${wanted}".`;
    } catch (err) {
      found.textContent = err.message;
    }
    found.hidden = false;
  });

  const list = h('div', { id: 'job-list', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading jobs…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  root.append(h('h1', {}, 'Jobs'), finder, form, bulk(filter, ctx), list, pager);

  let first = true;
  const load = async () => {
    let page;
    try {
      page = await get(`/v1/jobs${query({ ...filter, order: 'desc', limit: PAGE, after })}`, { signal: ctx.signal });
    } catch (e) {
      if (!ctx.signal.aborted) list.replaceChildren(failed(e));
      return;
    }
    list.setAttribute('aria-busy', 'false');
    list.replaceChildren(table([
      { title: 'Job', cell: (j) => jobLink(j.id) },
      { title: 'Type', cell: (j) => j.type },
      { title: 'Queue', cell: (j) => j.queue, cls: 'opt' },
      { title: 'Status', cell: (j) => badge(j.status) },
      { title: 'Attempt', cell: (j) => `${j.attempt}/${j.maxAttempts}`, cls: 'opt num' },
      { title: 'Created', cell: (j) => time(j.createdAt) },
      { title: 'Updated', cell: (j) => time(j.updatedAt), cls: 'opt' },
      { title: 'Held by', cell: (j) => (j.claimedBy ? h('a', { href: `#/jobs?bot=${encodeURIComponent(j.claimedBy)}`, class: 'mono', title: j.claimedBy }, shortId(j.claimedBy)) : '—'), cls: 'opt' },
      { title: 'Last error', cell: (j) => (j.lastError ? h('span', { class: 'clip', title: j.lastError }, j.lastError) : ''), cls: 'opt' },
    ], page.jobs, { empty: 'No job matches.', caption: `Newest first, ${PAGE} a page` }));
    const here = location.hash.split('?')[1] ?? '';
    const withAfter = (cursor) => {
      const q = new URLSearchParams(here);
      if (cursor) q.set('after', cursor); else q.delete('after');
      const s = q.toString();
      return `#/jobs${s ? `?${s}` : ''}`;
    };
    const newer = trail.length > 1 ? withAfter(trail.at(-2)) : null;
    pager.replaceChildren(
      newer !== null ? h('a', { href: newer, class: 'button quiet', id: 'newer' }, '← Newer') : h('span', { class: 'muted' }, 'Newest page'),
      page.next ? h('a', { href: withAfter(page.next), class: 'button quiet', id: 'older' }, 'Older →') : h('span', { class: 'muted' }, 'Oldest page'));
    if (first) {
      first = false;
      performance.mark('shepherd:jobs-rendered');
    }
  };
  // the newest page stays live; an older page is a fixed view of the past
  if (after === null) ctx.every(5000, load);
  else load();
}

function bulk(filter, ctx) {
  if (!ctx.isAdmin) return null;
  const picked = { status: filter.status, type: filter.type, queue: filter.queue };
  const body = Object.fromEntries(Object.entries(picked).filter(([, v]) => v));
  if (Object.keys(body).length === 0) {
    return h('p', { class: 'muted bulk' }, 'Filter by status, type or queue to retry or cancel every matching job at once.');
  }
  if (filter.bot || filter.since || filter.until) {
    return h('p', { class: 'muted bulk' }, 'Bulk actions take the status, type and queue filters only: clear the others to use them.');
  }
  const said = Object.entries(body).map(([k, v]) => `${k} ${v}`).join(', ');
  const done = () => ctx.reload();
  return h('div', { class: 'bulk buttons' },
    actionButton('Retry all matching', `Retry every dead or cancelled job with ${said}? Each gets a fresh attempt budget.`,
      () => post('/v1/jobs/bulk', { action: 'retry', filter: body }), { isAdmin: true, done, id: 'bulk-retry' }),
    actionButton('Cancel all matching', `Cancel every pending or claimed job with ${said}? Bots holding them are told on their next heartbeat.`,
      () => post('/v1/jobs/bulk', { action: 'cancel', filter: body }), { isAdmin: true, done, cls: 'danger', id: 'bulk-cancel' }));
}

/** An RFC 3339 time as a datetime-local input shows it (local time). */
function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    toast(`Not a time: ${iso}`, 'error');
    return '';
  }
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
