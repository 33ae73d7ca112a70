// Talking to the runtime's API with the token the person signed in with. The token lives in this
// tab's sessionStorage only (gone when the tab closes, never in a URL or a cookie) and travels as a
// bearer header, so no other site can make the browser act with it.
const KEY = 'shepherd.token';
const ROLE = 'shepherd.role';

/** Where the API is: the console's own path without its /console/ part (a proxy's prefix is kept). */
export const base = location.pathname.replace(/\/console(\/.*)?$/, '');

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export const session = {
  token: () => sessionStorage.getItem(KEY),
  role: () => sessionStorage.getItem(ROLE),
  isAdmin: () => sessionStorage.getItem(ROLE) === 'admin',
  set(token, role) {
    sessionStorage.setItem(KEY, token);
    sessionStorage.setItem(ROLE, role);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ROLE);
  },
};

let onUnauthorized = () => {};
/** Called when the runtime stops accepting the token (revoked, rotated): the console signs out. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * One API call. Resolves to the parsed JSON (null for 204); rejects with an ApiError carrying the
 * problem+json the runtime answered. {@code token} overrides the session's (for signing in).
 */
export async function call(method, path, { body, signal, token } = {}) {
  const headers = { Accept: 'application/json' };
  const bearer = token ?? session.token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await res.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = { detail: text.slice(0, 200) };
    }
  }
  if (res.status === 401 && token === undefined) onUnauthorized();
  // /healthz answers 503 with the checks when one is down: that is an answer, not a failure
  if (!res.ok && !(res.status === 503 && path.startsWith('/healthz'))) throw new ApiError(res.status, json);
  return json;
}

export const get = (path, opts) => call('GET', path, opts);
export const post = (path, body, opts) => call('POST', path, { ...opts, body });
export const put = (path, body, opts) => call('PUT', path, { ...opts, body });

/** A query string of the fields that have a value. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
