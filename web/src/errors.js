// API errors and the mapping of field violations onto form inputs. Pure
// functions (no DOM): unit-tested with node --test.

export class ApiError extends Error {
  constructor(status, code, message, violations = []) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'UNKNOWN';
    this.violations = violations;
  }
}

const STATUS_CODES = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS', 412: 'FAILED_PRECONDITION', 429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

// An HTTP error reply (status, body text) -> ApiError. Tolerates bodies that
// are not JSON (a proxy's HTML page) and missing fields.
export function parseError(status, text) {
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  const code = (body && typeof body.code === 'string' && body.code) || STATUS_CODES[status] ||
    (status >= 500 ? 'INTERNAL' : 'UNKNOWN');
  const message = body && typeof body.message === 'string' ? body.message : '';
  const violations = body && Array.isArray(body.violations)
    ? body.violations.filter((v) => v && typeof v === 'object')
      .map((v) => ({ field: normalizeField(String(v.field ?? '')), code: String(v.code ?? ''), description: String(v.description ?? '') }))
    : [];
  return new ApiError(status, code, message, violations);
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

// Canonical field path: lowerCamelCase segments, indices in brackets.
// "company.bank_account.account_number" -> "company.bankAccount.accountNumber";
// "outlets.0.url" and "outlets[0].url" -> "outlets[0].url".
export function normalizeField(path) {
  return path.trim()
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '')
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : camel(seg)))
    .join('.')
    .replace(/\.\[/g, '[');
}

// Violations -> { byField: {path: description}, unmatched: [violation] }.
// `known` is the set of field paths the form has inputs for; `strip` is a
// prefix removed from the violation's path before matching (a form whose
// inputs are named "npwp" for a server path "company.npwp"). A violation naming a parent of known
// fields ("company.bankAccount") lands on the first of them; one naming a
// child of a known field ("company.kbli[1]") lands on that field.
export function mapViolations(violations, known, { strip = '' } = {}) {
  const byField = {};
  const unmatched = [];
  const fields = [...known];
  for (const v of violations || []) {
    let f = normalizeField(v.field || '');
    if (strip && f.startsWith(strip)) f = f.slice(strip.length);
    let target = null;
    if (fields.includes(f)) target = f;
    if (!target) {
      // a child of a known field: "company.kbli[0]" -> "company.kbli"
      let p = f;
      while (!target && (p.includes('.') || p.includes('['))) {
        p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
        if (fields.includes(p)) target = p;
      }
    }
    if (!target && f) target = fields.find((k) => k.startsWith(f + '.') || k.startsWith(f + '[')) || null;
    if (target) {
      byField[target] = byField[target] ? `${byField[target]}; ${v.description}` : v.description;
    } else {
      unmatched.push(v);
    }
  }
  return { byField, unmatched };
}

// A DOM id for a field path ("outlets[0].url" -> "f-outlets-0-url").
export function fieldId(path, prefix = '') {
  return 'f-' + prefix + path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '');
}
