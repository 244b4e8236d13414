// The JSON API client shared by the console and the portal.
// The session lives in an HttpOnly cookie the server sets; this module only remembers the CSRF
// token that every cookie-authenticated write must send back in X-CSRF-Token.

let csrfToken = null;

/** An answer the API refused: status, Zendesk-style code, message safe to show, field or null. */
export class ApiError extends Error {
  constructor(status, code, message, field, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details || null;
  }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'the server could not be reached; try again', null);
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    // The session ended (expired, or signed out elsewhere): let the page ask to sign in again.
    if (res.status === 401 && !path.startsWith('/api/v2/auth/')) {
      csrfToken = null;
      window.dispatchEvent(new CustomEvent('fd:signed-out'));
    }
    throw new ApiError(res.status, err.code || 'http_' + res.status,
      err.message || `the server answered ${res.status}`, err.field || null, err.details || null);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);
export const put = (path, body) => call('PUT', path, body);
export const del = (path) => call('DELETE', path);

/** The signed-in user, or null when anonymous. Remembers the CSRF token. */
export async function me() {
  const data = await get('/api/v2/users/me');
  if (!data || !data.user || data.user.id === null) return null;
  if (data.csrf_token) csrfToken = data.csrf_token;
  return data.user;
}

export async function signIn(email, password) {
  const data = await post('/api/v2/auth/sign_in', { email, password });
  csrfToken = data.csrf_token;
  return data.user;
}

export async function signOut() {
  try {
    await post('/api/v2/auth/sign_out');
  } finally {
    csrfToken = null;
  }
}

/**
 * Every item of a cursor-paged list, following links.next (at most maxPages pages).
 * `key` names the array in each page ("tickets", "users", ...).
 */
export async function all(path, key, maxPages = 50) {
  const items = [];
  let next = path + (path.includes('?') ? '&' : '?') + 'page[size]=100';
  for (let i = 0; next && i < maxPages; i++) {
    const page = await get(next);
    items.push(...(page[key] || []));
    next = page.meta && page.meta.has_more && page.links && page.links.next
      ? sameOriginPath(page.links.next) : null;
  }
  return items;
}

// links.next may be absolute; fetch only its path and query from our own origin.
function sameOriginPath(link) {
  const u = new URL(link, location.origin);
  return u.pathname + u.search;
}

/** The policy's names for Zendesk's priority values. */
export const PRIORITY_NAMES = {
  urgent: 'Critical',
  high: 'High Priority Non-critical',
  normal: 'Normal',
  low: 'Low',
};

/** The support policy's decisions (ticket.policy.decision). */
export const DECISION_NAMES = {
  in_scope: 'In scope',
  in_scope_by_package: 'In scope by package',
  out_of_scope: 'Out of scope',
  policy_answer: 'Policy answer',
};

export const STATUS_NAMES = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  hold: 'On hold',
  solved: 'Solved',
  closed: 'Closed',
};
