// The record of operator actions, newest first: who did what, to what, when.
import { get, query } from '../api.js';
import { h, time, table, failed } from '../ui.js';

export function render(root, ctx) {
  const list = h('div', { id: 'action-list' }, h('p', { class: 'loading' }, 'Loading…'));
  const before = ctx.params.get('before');
  root.append(h('h1', {}, 'Operator actions'), list);
  const load = async () => {
    try {
      const page = await get(`/v1/admin/actions${query({ limit: 50, before })}`, { signal: ctx.signal });
      list.replaceChildren(table([
        { title: 'When', cell: (a) => time(a.at) },
        { title: 'Who', cell: (a) => h('span', { class: 'mono' }, a.actor) },
        { title: 'Action', cell: (a) => h('strong', {}, a.action) },
        { title: 'On', cell: (a) => (a.target && a.action.startsWith('job.')
          ? h('a', { href: `#/jobs/${encodeURIComponent(a.target)}`, class: 'mono' }, a.target) : h('span', { class: 'mono' }, a.target ?? '—')) },
        { title: 'Detail', cell: (a) => a.detail ?? '', cls: 'opt' },
      ], page.actions, { empty: 'No operator has acted yet.' }),
      page.next ? h('p', {}, h('a', { class: 'button quiet', href: `#/actions?before=${encodeURIComponent(page.next)}` }, 'Older →')) : null);
    } catch (e) {
      if (!ctx.signal.aborted) list.replaceChildren(failed(e));
    }
  };
  if (before) load();
  else ctx.every(5000, load);
}
