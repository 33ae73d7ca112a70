// Bots: who is working, on what, how well; quarantined and lost bots stand out.
import { get, post, query } from '../api.js';
import { h, time, table, badge, jobLink, failed, actionButton, relative, shortId } from '../ui.js';

const STATUSES = ['idle', 'busy', 'draining', 'lost', 'quarantined', 'offline', 'revoked'];

export function render(root, ctx) {
  const status = ctx.params.get('status') || '';
  const select = h('select', { id: 'bot-status', 'aria-label': 'Show bots of status' },
    h('option', { value: '' }, 'every status'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  select.addEventListener('change', () => { location.hash = `#/bots${query({ status: select.value })}`; });
  const list = h('div', { id: 'bot-list' }, h('p', { class: 'loading' }, 'Loading bots…'));
  root.append(h('h1', {}, 'Bots'), h('div', { class: 'filters' }, select), list);

  let shown = '';
  const load = async () => {
    let bots;
    let recent;
    try {
      [bots, recent] = await Promise.all([
        get(`/v1/bots${query({ status })}`, { signal: ctx.signal }),
        get('/v1/stats/recent', { signal: ctx.signal }).catch(() => ({ bots: {} })),
      ]);
    } catch (e) {
      if (!ctx.signal.aborted) list.replaceChildren(failed(e));
      return;
    }
    // redraw only when something changed, so a button being pressed keeps its place
    const key = JSON.stringify([bots, recent.bots]);
    if (key === shown && list.querySelector('table')) {
      list.querySelectorAll('time').forEach((t) => { t.textContent = relative(t.getAttribute('datetime')); });
      return;
    }
    shown = key;
    const order = { quarantined: 0, lost: 1, draining: 2, busy: 3, idle: 4, offline: 5, revoked: 6 };
    const rows = [...bots.bots].sort((a, b) => (order[a.status] - order[b.status]) || a.name.localeCompare(b.name));
    list.replaceChildren(table([
      { title: 'Bot', cell: (b) => [h('strong', {}, b.name), h('br'), h('span', { class: 'mono muted', title: b.id }, shortId(b.id))] },
      { title: 'Status', cell: (b) => [badge(b.status), b.drain && b.status !== 'draining' ? [' ', badge('draining')] : null] },
      { title: 'Labels', cell: (b) => labels(b.labels), cls: 'opt' },
      { title: 'Types', cell: (b) => b.types.join(', '), cls: 'opt' },
      { title: 'Session', cell: (b) => (b.sessionStartedAt ? h('span', { title: `since ${b.sessionStartedAt}` }, relative(b.sessionStartedAt).replace(' ago', '')) : '—'), cls: 'opt' },
      { title: 'Last seen', cell: (b) => time(b.lastHeartbeatAt) },
      { title: 'Holds', cell: (b) => (b.jobs.length ? h('span', { class: 'held' }, b.jobs.slice(0, 5).map((j) => [jobLink(j), ' ']), b.jobs.length > 5 ? h('a', { href: `#/jobs?bot=${encodeURIComponent(b.id)}` }, `+${b.jobs.length - 5} more`) : null) : '—') },
      { title: 'Failed, last hour', cell: (b) => failureRate(recent.bots[b.id]), cls: 'num' },
      { title: 'Actions', cell: (b) => actions(b, ctx, load), cls: ctx.isAdmin ? '' : 'hidden' },
    ], rows, { empty: 'No bot has registered yet.', rowClass: (b) => `bot b-${b.status}` }));
  };
  ctx.every(3000, load);
}

function labels(l) {
  const entries = Object.entries(l ?? {});
  return entries.length ? h('span', { class: 'chips' }, entries.map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`))) : '—';
}

function failureRate(t) {
  if (!t || t.completed + t.failed === 0) return h('span', { class: 'muted' }, 'no outcomes');
  const all = t.completed + t.failed;
  const pct = (100 * t.failed) / all;
  return h('span', { class: pct >= 50 ? 'bad' : pct >= 10 ? 'warn-text' : '', title: `${t.failed} failed, ${t.completed} completed` },
    `${pct.toFixed(pct < 10 && pct > 0 ? 1 : 0)} % of ${all}`);
}

function actions(b, ctx, done) {
  if (!ctx.isAdmin || b.status === 'revoked') return null;
  const id = encodeURIComponent(b.id);
  return h('div', { class: 'buttons tight' },
    b.drain
      ? actionButton('Undrain', `Let ${b.name} take work again?`, () => post(`/v1/bots/${id}/undrain`), { isAdmin: true, done, id: `undrain-${b.name}` })
      : actionButton('Drain', `Drain ${b.name}? It finishes what it holds and takes nothing new, until undrained.`, () => post(`/v1/bots/${id}/drain`), { isAdmin: true, done, id: `drain-${b.name}` }),
    actionButton('Reset', `Reset ${b.name}? Every job it holds is released to be claimed again${b.status === 'quarantined' ? ', and its quarantine is lifted' : ''}.`, () => post(`/v1/bots/${id}/reset`), { isAdmin: true, done, id: `reset-${b.name}` }),
    actionButton('Revoke', `Revoke ${b.name}? Its token stops working at once and its jobs are released. This cannot be undone.`, () => post(`/v1/bots/${id}/revoke`), { isAdmin: true, done, cls: 'danger', id: `revoke-${b.name}` }));
}
