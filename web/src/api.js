// The gateway API: auth endpoints, POST /api/v1/{service}.{Method} with the
// CSRF token and an idempotency key, error parsing, and uploads with progress.
import { ApiError, parseError } from './errors.js';

let csrfToken = '';
const listeners = new Set();

// Called with no arguments when the session is gone (401): the app shows login.
export function onUnauthenticated(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export function uuid() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  // Plain-http pages are no secure context: randomUUID is missing there, getRandomValues is not.
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const networkError = () => new ApiError(0, 'UNAVAILABLE', '');

async function request(url, { method = 'POST', body, headers = {} } = {}) {
  let res;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(csrfToken && method !== 'GET' ? { 'X-CSRF-Token': csrfToken } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw networkError();
  }
  const text = await res.text();
  if (!res.ok) {
    const err = parseError(res.status, text);
    if (res.status === 401 && !url.includes('/auth/login')) listeners.forEach((fn) => fn());
    throw err;
  }
  try { return text ? JSON.parse(text) : {}; } catch { throw new ApiError(res.status, 'INTERNAL', ''); }
}

function session(reply) {
  if (reply && reply.csrfToken) csrfToken = reply.csrfToken;
  return reply;
}

export const auth = {
  login: async (username, password) => session(await request('/api/v1/auth/login', { body: { username, password } })),
  signup: async (username, password, displayName, email = '') =>
    session(await request('/api/v1/auth/signup', { body: { username, password, displayName, email } })),
  // The same answer whether the account exists or not.
  resetRequest: (account) => request('/api/v1/auth/reset/request', { body: { account } }),
  resetConfirm: (userId, token, newPassword) =>
    request('/api/v1/auth/reset/confirm', { body: { userId, token, newPassword } }),
  me: async () => session(await request('/api/v1/auth/me', { method: 'GET' })),
  logout: async () => {
    try { await request('/api/v1/auth/logout', { body: {} }); } finally { csrfToken = ''; }
  },
};

// Retry once, with the same idempotency key, when the outcome is unknown
// (network failure, 502/503/504): the server replays a completed action.
const retryable = (e) => e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504;

// call('registry', 'GetCompany', {companyId}) -> the output message.
// `key` is the user action's idempotency key (see action() below); queries
// get a fresh one.
export async function call(service, method, body = {}, { key } = {}) {
  const url = `/api/v1/${service}.${method}`;
  const headers = { 'Idempotency-Key': key || uuid() };
  try {
    return await request(url, { body, headers });
  } catch (e) {
    if (!retryable(e)) throw e;
    await new Promise((r) => setTimeout(r, 400));
    return request(url, { body, headers });
  }
}

// One user action (a button): its idempotency key is kept while the outcome
// is unknown, so clicking again after a network failure cannot act twice; a
// definite answer (success or a 4xx) starts a new action.
export function action() {
  let key = uuid();
  return {
    get key() { return key; },
    // fn(key) does the request (an upload through XMLHttpRequest, say).
    async runWith(fn) {
      try {
        const out = await fn(key);
        key = uuid();
        return out;
      } catch (e) {
        if (!retryable(e)) key = uuid();
        throw e;
      }
    },
    run(service, method, body) {
      return this.runWith((k) => call(service, method, body, { key: k }));
    },
  };
}

// Fetch every page of a list method: pages of `pageSize`, at most `maxPages`.
export async function listAll(service, method, body, field, { pageSize = 100, maxPages = 50 } = {}) {
  const out = [];
  let pageToken = '';
  for (let i = 0; i < maxPages; i++) {
    const r = await call(service, method, { ...body, pageSize, ...(pageToken ? { pageToken } : {}) });
    out.push(...(r[field] || []));
    pageToken = r.nextPageToken || '';
    if (!pageToken) break;
  }
  return out;
}

// A File -> base64 (no "data:...;base64," prefix).
export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

// registry.UploadDocument with the bytes as base64 in JSON, through
// XMLHttpRequest for upload progress: onProgress(fraction 0..1).
export function uploadDocument(companyId, document, content, { key, onProgress } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/registry.UploadDocument');
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.setRequestHeader('Idempotency-Key', key || uuid());
    xhr.upload.onprogress = (ev) => { if (ev.lengthComputable && onProgress) onProgress(ev.loaded / ev.total); };
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(networkError());
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        if (onProgress) onProgress(1);
        try { resolve(xhr.responseText ? JSON.parse(xhr.responseText) : {}); } catch { reject(new ApiError(xhr.status, 'INTERNAL', '')); }
      } else {
        const err = parseError(xhr.status, xhr.responseText);
        if (xhr.status === 401) listeners.forEach((fn) => fn());
        reject(err);
      }
    };
    xhr.send(JSON.stringify({ companyId, document: { ...document, content } }));
  });
}

export const documentFileUrl = (documentId) => `/api/v1/files/registry/documents/${encodeURIComponent(documentId)}`;

export async function publicOutlet(outletId) {
  return request(`/api/v1/public/outlets/${encodeURIComponent(outletId)}`, { method: 'GET' });
}
