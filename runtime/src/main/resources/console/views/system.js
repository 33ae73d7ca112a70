// Plugins and recovery: what checks and policies are loaded (and why not), the policies in force,
// the recovery scheduler, and a sweep on demand.
import { get, post } from '../api.js';
import { h, time, table, number, failed, actionButton, duration, badge } from '../ui.js';

export function render(root, ctx) {
  const recovery = h('div', { id: 'recovery-state' }, h('p', { class: 'loading' }, 'Loading…'));
  const policies = h('div', { id: 'policies' }, h('p', { class: 'loading' }, 'Loading…'));
  const plugins = h('div', { id: 'plugins' }, h('p', { class: 'loading' }, 'Loading…'));
  root.append(h('h1', {}, 'Plugins & recovery'),
    h('section', { class: 'card' }, h('h2', {}, 'Recovery scheduler'), recovery),
    h('section', { class: 'card' }, h('h2', {}, 'Recovery policies in force'), policies),
    h('section', { class: 'card' }, h('h2', {}, 'Health checks and policies loaded'), plugins));

  const sweep = actionButton('Sweep now', 'Run one recovery sweep now on this replica? It rescues expired leases, takes back timed-out attempts and marks silent bots lost.',
    () => post('/v1/admin/recovery/run'), { isAdmin: ctx.isAdmin, id: 'sweep-now', done: (r) => { lastSweep.replaceChildren(`Swept: ${r.requeued} requeued, ${r.deadLettered} dead-lettered, ${r.timedOut} timed out, ${r.botsMarkedLost} bots lost, ${r.botsQuarantined} quarantined.`); loadRecovery(); } });
  const lastSweep = h('p', { class: 'muted', 'aria-live': 'polite' });
  const loadRecovery = async () => {
    try {
      const v = await get('/v1/admin/recovery', { signal: ctx.signal });
      recovery.replaceChildren(h('dl', { class: 'facts' },
        h('dt', {}, 'Leader'), h('dd', {}, v.lastSweep.by ?? 'none yet'),
        h('dt', {}, 'Last sweep'), h('dd', {}, time(v.lastSweep.at)),
        h('dt', {}, 'This replica'), h('dd', {}, `${v.replica}${v.leader ? ' (leads)' : ''}, ${number(v.sweeps)} sweeps, its last `, time(v.lastSweepAt)),
        h('dt', {}, 'Outage grace'), h('dd', {}, v.graceUntil ? ['until ', time(v.graceUntil)] : 'none')),
      h('div', { class: 'buttons' }, sweep), lastSweep);
    } catch (e) {
      if (!ctx.signal.aborted) recovery.replaceChildren(failed(e));
    }
  };
  const loadPolicies = async () => {
    try {
      const p = await get('/v1/admin/recovery/policies', { signal: ctx.signal });
      const rows = [['(default)', p.default], ...Object.entries(p.types)];
      policies.replaceChildren(table([
        { title: 'Job type', cell: ([t]) => h('strong', {}, t) },
        { title: 'Policy', cell: ([, v]) => v.policy },
        { title: 'Attempts', cell: ([, v]) => v.maxAttempts, cls: 'num' },
        { title: 'Backoff', cell: ([, v]) => `${duration(v.backoff.initialMs)} ×${v.backoff.multiplier} up to ${duration(v.backoff.maxMs)}, ±${Math.round(v.backoff.jitter * 100)} %`, cls: 'opt' },
        { title: 'When exhausted', cell: ([, v]) => v.onExhausted },
        { title: 'Timeout', cell: ([, v]) => (v.timeoutMs === null ? 'none' : duration(v.timeoutMs)) },
        { title: 'Kept', cell: ([, v]) => Object.entries(v.retentionMs).map(([s, ms]) => `${s} ${duration(ms)}`).join(', ') || 'runtime default', cls: 'opt' },
      ], rows), h('p', { class: 'muted' }, p.quarantineAfter > 0
        ? `A bot whose last ${p.quarantineAfter} attempts all failed is quarantined.` : 'Bots are never quarantined.'));
    } catch (e) {
      if (!ctx.signal.aborted) policies.replaceChildren(failed(e));
    }
  };
  const loadPlugins = async () => {
    try {
      const p = await get('/v1/admin/plugins', { signal: ctx.signal });
      plugins.replaceChildren(table([
        { title: 'Name', cell: (r) => h('strong', {}, r.name) },
        { title: 'Kind', cell: (r) => r.kind },
        { title: 'Source', cell: (r) => h('span', { class: 'mono clip', title: r.source }, r.source), cls: 'opt' },
        { title: 'Status', cell: (r) => badge(r.status === 'loaded' ? 'loaded' : r.status) },
        { title: 'Error', cell: (r) => (r.error ? h('span', { class: 'error-text' }, r.error) : '') },
      ], p.plugins, { rowClass: (r) => (r.status === 'loaded' ? '' : 'trouble') }));
    } catch (e) {
      if (!ctx.signal.aborted) plugins.replaceChildren(failed(e));
    }
  };
  ctx.every(3000, loadRecovery);
  ctx.every(15000, loadPolicies);
  ctx.every(5000, loadPlugins);
}
