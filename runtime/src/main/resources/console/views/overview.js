// Overview: the whole system at a glance, refreshed every few seconds.
import { get } from '../api.js';
import { h, time, duration, number, section, failed, badge } from '../ui.js';
import { minuteChart } from '../chart.js';

const JOB_ORDER = ['pending', 'claimed', 'completed', 'dead', 'cancelled'];
const FINISHED = ['completed', 'dead', 'cancelled'];
const BOT_ORDER = ['idle', 'busy', 'draining', 'lost', 'quarantined', 'offline', 'revoked'];

export function render(root, ctx) {
  const tiles = h('div', { class: 'tiles', id: 'overview-tiles' }, h('p', { class: 'loading' }, 'Loading…'));
  const chart = h('div', { id: 'throughput' }, h('p', { class: 'loading' }, 'Loading…'));
  const bots = h('div', { id: 'bot-counts' });
  const recovery = h('div', { id: 'recovery' });
  const health = h('div', { id: 'health' });
  root.append(
    h('h1', {}, 'Overview'),
    tiles,
    section('Last hour, jobs per minute', chart),
    h('div', { class: 'columns' },
      section('Bots', bots),
      section('Recovery', recovery)),
    section('Health checks', health));

  // each part is drawn as soon as its own answer comes: a slow count never holds up the rest
  let first = true;
  let recentFigures = null;
  let counts = null;
  const drawTiles = () => {
    if (!counts) return;
    const r = recentFigures;
    tiles.replaceChildren(
      ...JOB_ORDER.map((st) => tile(st, counts.jobs[st], `#/jobs?status=${st}`, `s-${st}`,
        // finished jobs are most of the table: the runtime counts them once a minute
        FINISHED.includes(st) ? `Jobs ${st}, counted at ${new Date(counts.finishedCountedAt).toLocaleTimeString()}` : '')),
      tile('orphans', r ? r.orphans : '…', '#/jobs?status=claimed', r && r.orphans > 0 ? 'warn' : ''),
      tile('wait p95', r ? duration(r.waitP95Ms) : '…', null, '', r ? `over the latest ${number(r.waitsSeen)} claims of the last 5 min` : ''));
  };
  ctx.every(5000, () => Promise.allSettled([
    // the counts the runtime's metrics keep (read every 5 s, finished jobs every minute): an open overview costs the database no count
    get('/v1/stats?maxAgeMs=10000', { signal: ctx.signal }).then((s) => {
      counts = s;
      drawTiles();
      bots.replaceChildren(h('ul', { class: 'counts' }, BOT_ORDER.map((st) => h('li', {},
        badge(st), ' ', h('strong', {}, number(s.bots[st] ?? 0))))),
      h('p', {}, h('a', { href: '#/bots' }, 'Every bot →')));
      if (first) {
        first = false;
        performance.mark('shepherd:overview-rendered');
      }
    }, (e) => { if (!ctx.signal.aborted) tiles.replaceChildren(failed(e)); }),
    get('/v1/stats/recent', { signal: ctx.signal }).then((recent) => {
      recentFigures = recent;
      drawTiles();
      const m = recent.minutes;
      chart.replaceChildren(minuteChart(m, [
        { key: 'submitted', label: 'submitted', cls: 'c-submitted' },
        { key: 'completed', label: 'completed', cls: 'c-completed' },
        { key: 'failed', label: 'failed', cls: 'c-failed' },
      ]), h('p', { class: 'muted' },
        `This minute: ${m.at(-1).submitted} submitted, ${m.at(-1).completed} completed, ${m.at(-1).failed} failed `
        + `(${m.at(-1).deadLettered} for good), ${m.at(-1).requeued} rescued.`));
    }, (e) => { if (!ctx.signal.aborted) chart.replaceChildren(failed(e)); }),
    get('/v1/admin/recovery', { signal: ctx.signal }).then((v) => {
      recovery.replaceChildren(h('dl', { class: 'facts' },
        h('dt', {}, 'Leader'), h('dd', { id: 'leader' }, v.lastSweep.by ?? 'none yet',
          v.leader ? h('span', { class: 'muted' }, ' (this replica)') : null),
        h('dt', {}, 'Last sweep'), h('dd', { id: 'last-sweep' }, time(v.lastSweep.at)),
        h('dt', {}, 'This replica'), h('dd', {}, v.replica, ' · ', `${number(v.sweeps)} sweeps`),
        v.graceUntil ? [h('dt', {}, 'Outage grace until'), h('dd', {}, time(v.graceUntil))] : null),
      h('p', {}, h('a', { href: '#/system' }, 'Policies, plugins and sweep now →')));
    }, (e) => { if (!ctx.signal.aborted) recovery.replaceChildren(failed(e)); }),
    get('/healthz', { signal: ctx.signal }).then((checks) => {
      const entries = Object.entries(checks?.checks ?? {});
      health.replaceChildren(h('ul', { class: 'checks' }, entries.map(([name, c]) => h('li', { class: c.status === 'UP' ? 'up' : 'down' },
        h('strong', {}, name), ' ', h('span', { class: `badge ${c.status === 'UP' ? 's-completed' : 's-dead'}` }, c.status),
        ' ', h('span', { class: 'muted' }, 'checked ', time(c.checkedAt)),
        c.status !== 'UP' && c.details ? h('div', { class: 'detail' }, Object.entries(c.details).map(([k, val]) => `${k}: ${typeof val === 'object' ? JSON.stringify(val) : val}`).join(' · ')) : null))));
    }, (e) => { if (!ctx.signal.aborted) health.replaceChildren(failed(e)); }),
  ]));
}

function tile(label, value, href, cls = '', hint = '') {
  const body = [h('span', { class: 'value' }, typeof value === 'number' ? number(value) : value ?? 0), h('span', { class: 'label' }, label)];
  return href
    ? h('a', { class: `tile ${cls}`, href, title: hint || `Jobs ${label}` }, ...body)
    : h('div', { class: `tile ${cls}`, title: hint }, ...body);
}
