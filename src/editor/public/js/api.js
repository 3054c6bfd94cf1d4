// The API client: every request carries the key from sessionStorage; a 401 forgets the key and
// sends the page back to the login form.
const KEY = 'liquidhook.apiKey';

export const getApiKey = () => sessionStorage.getItem(KEY);
export const setApiKey = (key) => sessionStorage.setItem(KEY, key);
export const clearApiKey = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `request failed with status ${status}`);
    this.status = status;
    /** The stable error code (`LH_NOT_FOUND`, `LH_REPLAY_REFUSED` …), when the API gave one. */
    this.code = typeof body?.code === 'string' ? body.code : undefined;
    /** `[{ path, message }]` from the API's error shape. */
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
  }
}

/** Fired on 401 so the app can show the login form. */
export const UNAUTHORIZED_EVENT = 'liquidhook:unauthorized';

/** `signIn: true` reports a refused key to the caller instead of returning to the login form. */
export async function api(method, path, body, { signal, signIn = false } = {}) {
  const headers = { authorization: `Bearer ${getApiKey() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = { message: text };
  }
  if (response.status === 401 && !signIn) {
    clearApiKey();
    window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** `?a=1&b=2` from the set entries of an object. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
