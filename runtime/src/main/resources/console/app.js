// The console's shell: sign-in, the sections, and a refresh loop per page. Pages live in views/.
import { get, session, whenUnauthorized, ApiError } from './api.js';
import { h } from './ui.js';
import * as overview from './views/overview.js';
import * as jobs from './views/jobs.js';
import * as job from './views/job.js';
import * as bots from './views/bots.js';
import * as queues from './views/queues.js';
import * as system from './views/system.js';
import * as actions from './views/actions.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let current = null; // the page showing: {stop()}

const routes = [
  [/^\/$/, overview, 'Overview'],
  [/^\/jobs$/, jobs, 'Jobs'],
  [/^\/jobs\/(.+)$/, job, 'Job'],
  [/^\/bots$/, bots, 'Bots'],
  [/^\/queues$/, queues, 'Queues & schedules'],
  [/^\/system$/, system, 'Plugins & recovery'],
  [/^\/actions$/, actions, 'Actions'],
];

/** The hash route: its path and its query (#/jobs?status=dead). */
function location_() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, q = ''] = raw.split('?');
  return { path, params: new URLSearchParams(q) };
}

/**
 * What a page gets: where to draw, its parameters, whether actions are offered, and {@code every}
 * — a refresh that runs while the page shows and the tab is visible, never two at once.
 */
function context(params) {
  const timers = [];
  const aborts = new AbortController();
  return {
    params,
    isAdmin: session.isAdmin(),
    signal: aborts.signal,
    /** Draws the page again from scratch (after a bulk action, say). */
    reload: () => show(),
    every(ms, fn) {
      let running = false;
      const tick = async () => {
        if (running || document.hidden || aborts.signal.aborted) return;
        running = true;
        try {
          await fn();
        } finally {
          running = false;
        }
      };
      tick();
      timers.push(setInterval(tick, ms));
    },
    stop() {
      timers.forEach(clearInterval);
      aborts.abort();
    },
  };
}

function show() {
  current?.stop();
  current = null;
  if (!session.token()) {
    signIn();
    return;
  }
  const { path, params } = location_();
  const route = routes.find(([re]) => re.test(path));
  for (const a of nav.querySelectorAll('a')) {
    const target = a.getAttribute('href').slice(1);
    const here = target === '/' ? path === '/' : path === target || path.startsWith(`${target}/`);
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!route) {
    main.replaceChildren(h('p', { class: 'error' }, `No such page: ${path}`));
    return;
  }
  const [re, view, title] = route;
  document.title = `${title} · Shepherd`;
  const ctx = context(params);
  current = ctx;
  const root = h('div', { class: 'page' });
  main.replaceChildren(root);
  view.render(root, ctx, ...path.match(re).slice(1).map(decodeURIComponent));
}

function signedIn(role) {
  nav.hidden = false;
  document.getElementById('signout').hidden = false;
  const badge = document.getElementById('role');
  badge.hidden = false;
  badge.textContent = role === 'admin' ? 'admin' : `${role} · read-only`;
  badge.className = `role r-${role}`;
}

function signIn(message) {
  nav.hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('role').hidden = true;
  document.title = 'Sign in · Shepherd';
  const input = h('input', { id: 'token', type: 'password', name: 'token', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'signin-help' });
  const error = h('p', { class: 'error', id: 'signin-error', role: 'alert', hidden: !message }, message || '');
  const form = h('form', { class: 'card signin', id: 'signin' },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'token' }, 'Token'),
    input,
    h('p', { id: 'signin-help', class: 'muted' },
      'An admin token can act; a viewer token (auth.viewer-tokens) or a client token only looks. ',
      'The token stays in this tab only and is forgotten when the tab closes.'),
    error,
    h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    error.hidden = true;
    try {
      const me = await get('/v1/whoami', { token });
      if (!['admin', 'viewer', 'client'].includes(me.role)) {
        throw new Error(`a ${me.role} token cannot use the console; use an admin, viewer or client token`);
      }
      session.set(token, me.role);
      input.value = '';
      signedIn(me.role);
      show();
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? 'That token is not accepted.' : `Cannot sign in: ${err.message}`;
      error.hidden = false;
    }
  });
  main.replaceChildren(form);
  input.focus();
}

const themes = ['auto', 'light', 'dark'];
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  document.getElementById('theme').textContent = `Theme: ${theme}`;
}
document.getElementById('theme').addEventListener('click', () => {
  const next = themes[(themes.indexOf(document.documentElement.dataset.theme || 'auto') + 1) % themes.length];
  localStorage.setItem('shepherd.theme', next); // a look, not a secret
  applyTheme(next);
});
applyTheme(localStorage.getItem('shepherd.theme') || 'auto');

document.getElementById('signout').addEventListener('click', () => {
  session.clear();
  current?.stop();
  signIn();
});
whenUnauthorized(() => {
  session.clear();
  current?.stop();
  signIn('The runtime no longer accepts this token; sign in again.');
});
window.addEventListener('hashchange', show);
if (session.token()) signedIn(session.role());
show();
