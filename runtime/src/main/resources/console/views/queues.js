// Queues and schedules: state and limits, next and last runs; pause and resume.
import { get, post, put } from '../api.js';
import { h, time, table, number, failed, actionButton, jobLink, badge, duration, toast } from '../ui.js';

const STATUSES = ['pending', 'claimed', 'completed', 'dead', 'cancelled'];

export function render(root, ctx) {
  const queues = h('div', { id: 'queue-list' }, h('p', { class: 'loading' }, 'Loading queues…'));
  const schedules = h('div', { id: 'schedule-list' }, h('p', { class: 'loading' }, 'Loading schedules…'));
  root.append(h('h1', {}, 'Queues & schedules'),
    h('section', { class: 'card' }, h('h2', {}, 'Queues'), queues),
    h('section', { class: 'card' }, h('h2', {}, 'Schedules'), schedules));
  let shownQueues = '';
  const loadQueues = async () => {
    try {
      const q = await get('/v1/queues', { signal: ctx.signal });
      const key = JSON.stringify(q);
      if (key === shownQueues) return;
      shownQueues = key;
      queues.replaceChildren(table([
        { title: 'Queue', cell: (r) => h('a', { href: `#/jobs?queue=${encodeURIComponent(r.name)}` }, r.name) },
        { title: 'State', cell: (r) => (r.paused ? h('span', { class: 'badge s-dead' }, 'paused') : h('span', { class: 'badge s-completed' }, 'running')) },
        { title: 'Limit', cell: (r) => (r.maxClaimed === null ? 'none' : `${number(r.maxClaimed)} claimed at once`) },
        ...STATUSES.map((s) => ({ title: s, cell: (r) => number(r.jobs[s]), cls: `num ${s === 'completed' || s === 'cancelled' ? 'opt' : ''}` })),
        { title: 'Actions', cell: (r) => queueActions(r, ctx, loadQueues), cls: ctx.isAdmin ? '' : 'hidden' },
      ], q.queues, { empty: 'No queue yet.', rowClass: (r) => (r.paused ? 'paused' : '') }));
    } catch (e) {
      if (!ctx.signal.aborted) queues.replaceChildren(failed(e));
    }
  };
  const loadSchedules = async () => {
    try {
      const s = await get('/v1/schedules', { signal: ctx.signal });
      schedules.replaceChildren(table([
        { title: 'Schedule', cell: (r) => h('strong', {}, r.name) },
        { title: 'Makes', cell: (r) => `${r.type} on ${r.queue}` },
        { title: 'When', cell: (r) => (r.cron ? h('code', {}, `${r.cron} (${r.zone})`) : `every ${duration(r.everyMs)}`) },
        { title: 'Next run', cell: (r) => time(r.nextRunAt) },
        { title: 'Last run', cell: (r) => time(r.lastRunAt) },
        { title: 'Last job', cell: (r) => (r.lastJobId ? [jobLink(r.lastJobId), ' ', r.lastJobStatus ? badge(r.lastJobStatus) : null] : '—') },
        { title: 'From', cell: (r) => r.source, cls: 'opt' },
      ], s.schedules, { empty: 'No schedule is declared.' }));
    } catch (e) {
      if (!ctx.signal.aborted) schedules.replaceChildren(failed(e));
    }
  };
  ctx.every(3000, loadQueues);
  ctx.every(10000, loadSchedules);
}

function queueActions(r, ctx, done) {
  if (!ctx.isAdmin) return null;
  const name = encodeURIComponent(r.name);
  const limit = h('button', { type: 'button', class: 'act quiet' }, 'Limit…');
  limit.addEventListener('click', async () => {
    const answer = prompt(`Most jobs of ${r.name} claimed at once (empty for no limit):`, r.maxClaimed ?? '');
    if (answer === null) return;
    const value = answer.trim() === '' ? null : Number(answer);
    if (value !== null && (!Number.isInteger(value) || value < 0)) {
      toast('A limit is a whole number, 0 or more', 'error');
      return;
    }
    try {
      await put(`/v1/queues/${name}/limit`, { maxClaimed: value });
      toast(`Limit of ${r.name}: ${value === null ? 'none' : value}`);
      done();
    } catch (e) {
      toast(`Limit failed: ${e.message}`, 'error');
    }
  });
  return h('div', { class: 'buttons tight' },
    r.paused
      ? actionButton('Resume', `Resume queue ${r.name}? Bots claim its jobs again at once.`, () => post(`/v1/queues/${name}/resume`), { isAdmin: true, done, id: `resume-${r.name}` })
      : actionButton('Pause', `Pause queue ${r.name}? Claims skip it on every replica within a second; jobs already claimed run on.`, () => post(`/v1/queues/${name}/pause`), { isAdmin: true, done, cls: 'danger', id: `pause-${r.name}` }),
    limit);
}
