// One job: what it is, who holds it, and its story — refreshed as it happens.
import { get, post } from '../api.js';
import { h, time, badge, jsonBlock, failed, actionButton, shortId, duration } from '../ui.js';

const REASONS = {
  'lease-expired': 'its lease expired: the bot went silent, so the job was rescued',
  'timed-out': 'the attempt ran past its timeout and was taken back',
  revoked: 'its bot was revoked',
  'bot-restarted': 'its bot restarted and no longer held it (phantom claim released)',
  'bot-reset': 'its bot was reset',
  deregistered: 'its bot deregistered',
  released: 'its bot gave it back',
  error: 'the handler reported an error',
  'not-retryable': 'the error was not retryable',
  'attempts-exhausted': 'every attempt was used',
  'policy-decided': 'the recovery policy decided',
  cancelled: 'cancelled',
  'admin-retry': 'an operator retried it',
};

/** A reason as a person reads it. */
export function reasonText(kind, reason) {
  if (!reason || reason === kind) return '';
  if (reason.startsWith('stale-lease:')) return `a late ${reason.slice(12)} from an earlier holder was refused (fencing)`;
  return REASONS[reason] ?? reason;
}

export function render(root, ctx, id) {
  const head = h('div', { id: 'job-head' }, h('p', { class: 'loading' }, 'Loading the job…'));
  const facts = h('div', { id: 'job-facts' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline', 'aria-live': 'polite' });
  const bodies = h('div', { class: 'columns', id: 'job-bodies' });
  root.append(h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')), head, facts,
    h('section', { class: 'card' }, h('h2', {}, 'Timeline'), timeline), bodies);

  let lastStatus = null;
  let lastEvents = -1;
  let lastBodies = '';
  const refresh = async () => {
    let job;
    let events;
    try {
      [job, events] = await Promise.all([
        get(`/v1/jobs/${encodeURIComponent(id)}`, { signal: ctx.signal }),
        get(`/v1/jobs/${encodeURIComponent(id)}/events`, { signal: ctx.signal }),
      ]);
    } catch (e) {
      if (!ctx.signal.aborted) head.replaceChildren(failed(e));
      return;
    }
    if (job.status !== lastStatus) {
      lastStatus = job.status;
      head.replaceChildren(h('h1', {}, 'Job ', h('span', { class: 'mono', title: job.id }, job.id), ' ', h('span', { id: 'job-status' }, badge(job.status))),
        h('div', { class: 'buttons', id: 'job-actions' },
          ['dead', 'cancelled'].includes(job.status)
            ? actionButton('Retry', `Retry job ${shortId(job.id)}? It gets a fresh attempt budget and is pending again.`,
              () => post(`/v1/jobs/${encodeURIComponent(job.id)}/retry`), { isAdmin: ctx.isAdmin, done: refresh, id: 'retry' })
            : null,
          ['pending', 'claimed'].includes(job.status)
            ? actionButton('Cancel', `Cancel job ${shortId(job.id)}?${job.status === 'claimed' ? ' Its bot is told on its next heartbeat.' : ''}`,
              () => post(`/v1/jobs/${encodeURIComponent(job.id)}/cancel`), { isAdmin: ctx.isAdmin, done: refresh, cls: 'danger', id: 'cancel' })
            : null));
    }
    facts.replaceChildren(h('dl', { class: 'facts card' },
      h('dt', {}, 'Type'), h('dd', {}, h('a', { href: `#/jobs?type=${encodeURIComponent(job.type)}` }, job.type)),
      h('dt', {}, 'Queue'), h('dd', {}, h('a', { href: `#/jobs?queue=${encodeURIComponent(job.queue)}` }, job.queue)),
      h('dt', {}, 'Attempt'), h('dd', {}, `${job.attempt} of ${job.maxAttempts}`),
      h('dt', {}, 'Priority'), h('dd', {}, job.priority),
      h('dt', {}, 'Held by'), h('dd', { id: 'holder' }, job.claimedBy
        ? h('a', { href: `#/jobs?bot=${encodeURIComponent(job.claimedBy)}`, class: 'mono' }, job.claimedBy) : '—'),
      h('dt', {}, 'Lease expires'), h('dd', {}, time(job.leaseExpiresAt)),
      h('dt', {}, 'Times out'), h('dd', {}, job.timeoutAt ? time(job.timeoutAt) : (job.timeoutMs ? duration(job.timeoutMs) : 'never')),
      h('dt', {}, 'Run at'), h('dd', {}, time(job.runAt)),
      h('dt', {}, 'Created'), h('dd', {}, time(job.createdAt)),
      h('dt', {}, 'Updated'), h('dd', {}, time(job.updatedAt)),
      h('dt', {}, 'Correlation id'), h('dd', { class: 'mono' }, job.correlationId ?? '—')));
    if (events.events.length !== lastEvents) {
      lastEvents = events.events.length;
      timeline.replaceChildren(...events.events.map((e) => h('li', { class: `ev k-${e.kind}` },
        h('span', { class: 'kind' }, e.kind),
        ' ', h('span', { class: 'reason' }, reasonText(e.kind, e.reason)),
        e.botId ? [' ', h('span', { class: 'muted' }, 'bot '), h('a', { class: 'mono', href: `#/jobs?bot=${encodeURIComponent(e.botId)}`, title: e.botId }, shortId(e.botId))] : null,
        ' ', h('span', { class: 'muted' }, `attempt ${e.attempt}`),
        ' ', time(e.at))));
    } else {
      timeline.querySelectorAll('time').forEach((t) => { t.replaceWith(time(t.getAttribute('datetime'))); });
    }
    const shown = JSON.stringify([job.payload, job.result, job.lastError, job.progress]);
    if (shown !== lastBodies) {
      lastBodies = shown;
      bodies.replaceChildren(
        h('section', { class: 'card' }, h('h2', {}, 'Payload'), jsonBlock(job.payload)),
        h('section', { class: 'card' }, h('h2', {}, job.status === 'completed' ? 'Result' : 'Last error and progress'),
          job.status === 'completed' ? jsonBlock(job.result)
            : [job.lastError ? h('pre', { class: 'json error-text', id: 'last-error' }, job.lastError) : h('p', { class: 'muted' }, 'No error.'),
              job.progress !== null && job.progress !== undefined ? [h('h3', {}, 'Progress'), jsonBlock(job.progress)] : null]));
    }
  };
  ctx.every(1500, refresh);
}
