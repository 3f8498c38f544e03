// Every violation code the C services can return has words in both
// catalogues. The codes are read from the sources: the code argument of
// sk_call_violation_code and of the helpers that forward one (CODE_ARG), and
// the walk's codes in common/sk_limits.h (SK_LIMITS_CODES). A code argument
// that is neither a literal nor a forwarded parameter fails the test, so no
// code escapes the scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import id from '../src/i18n/id.js';
import en from '../src/i18n/en.js';
import { codeOf, describe as codeWords, limitVars, violationWords } from '../src/codes.js';
import { setLocale } from '../src/i18n/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// function name -> index of its code argument: everywhere, and per file for
// the helpers that take a code and pass it on (their names are local).
export const CODE_ARG = {
  sk_call_violation_code: 2,
  SK_CODE: 0, /* a code kept in a table (common/sk_rpc.h) */
};
export const LOCAL_CODE_ARG = {
  'services/registry/handlers.c': { violation: 3, unique_lost: 3 },
  'services/registry/domain.c': { registry_violation_add: 2, fail: 2, check_number: 4 },
  'services/ordering/handlers.c': { refuse: 2 },
  'services/distribution/handlers.c': { violation: 2, refuse: 2, not_found: 1, dist_violation_add: 2 },
  'services/distribution/domain.c': { dist_violation_add: 2, DIST_CODE: 0 },
  'services/distribution/compose.c': { dist_violation_add: 2 },
  'services/accounting/domain.c': { accounting_violation: 2 },
  'services/accounting/handlers.c': { accounting_violation: 2, acc_fail: 3, acc_not_found: 2 },
  'services/accounting/invoices.c': { accounting_violation: 2, acc_fail: 3, acc_not_found: 2, precondition: 2, fail_named: 3 },
};

// Names a forwarding helper gives its code parameter.
const FORWARDED = new Set(['code', 'v->items[i].code']);

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.[ch]$/.test(name)) out.push(p);
  }
  return out;
}

// C text without comments (string literals kept whole).
function stripComments(src) {
  return src.replace(/("(?:[^"\\\n]|\\.)*")|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m, str) => str || ' ');
}

// The arguments of the call whose "(" is at `open`, split at top-level commas.
function args(src, open) {
  const out = [];
  let depth = 0, cur = '', i = open + 1;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(src.slice(i));
      cur += m[0]; i += m[0].length - 1; continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

// [{code, where}] for every code the sources can return; throws on a code
// argument the scan cannot read.
export function scanCodes(files) {
  const found = [];
  for (const file of files) {
    const table = { ...CODE_ARG, ...(LOCAL_CODE_ARG[relative(ROOT, file)] || {}) };
    const call = new RegExp(`(?<![A-Za-z0-9_>.])(${Object.keys(table).join('|')})\\s*\\(`, 'g');
    const src = stripComments(readFileSync(file, 'utf8'));
    for (const m of src.matchAll(call)) {
      const a = args(src, m.index + m[0].length - 1);
      const arg = a[table[m[1]]];
      if (arg === undefined) continue; /* another function of the same name */
      const where = `${relative(ROOT, file)}: ${m[1]}(${a.join(', ').slice(0, 80)}`;
      if (/\bconst\b|\bchar\b|\*/.test(arg)) continue; /* the declaration or definition */
      // A literal, or a choice between literals (cond ? "x" : "y").
      const lits = [...arg.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]);
      const literal = /^"(?:[^"\\]|\\.)*"$/.test(arg);
      const choice = lits.length === 2 && /^[^"]*\?\s*"(?:[^"\\]|\\.)*"\s*:\s*"(?:[^"\\]|\\.)*"$/.test(arg);
      if (literal || choice) {
        for (const code of lits) if (code !== "") found.push({ code, where }); /* "": sk_call_violation, no code yet */
      } else if (!FORWARDED.has(arg)) {
        throw new Error(`code argument is not a literal: ${where}`);
      }
    }
  }
  return found;
}

export function limitsCodes() {
  const h = readFileSync(join(ROOT, 'common', 'sk_limits.h'), 'utf8');
  const m = /#define SK_LIMITS_CODES[\s\\]*"([^"]*)"/.exec(h);
  assert.ok(m, 'SK_LIMITS_CODES in common/sk_limits.h');
  return m[1].split(/\s+/).filter(Boolean);
}

const files = [...sources(join(ROOT, 'services')), ...sources(join(ROOT, 'common'))];

test('the scan finds the codes the services return', () => {
  const codes = scanCodes(files).map((x) => x.code);
  // a few that must be there, so a broken scan cannot pass as "no codes"
  for (const c of ['idempotency_key.reused', 'required', 'npwp.invalid', 'rule_set.tier_order']) assert.ok(codes.includes(c), c);
  assert.ok(limitsCodes().includes('too_long'));
});

test('every code is dotted lower case', () => {
  for (const { code, where } of scanCodes(files)) assert.match(code, /^[a-z0-9_]+(\.[a-z0-9_]+)*$/, where);
});

test('every code the services return has words in Indonesian and English', () => {
  const all = [...scanCodes(files), ...limitsCodes().map((code) => ({ code, where: 'SK_LIMITS_CODES' }))];
  const missing = new Map();
  for (const { code, where } of all) {
    for (const [name, cat] of [['id', id], ['en', en]]) {
      const k = `${name}: code.${code}`;
      if ((typeof cat[`code.${code}`] !== 'string' || !cat[`code.${code}`].trim()) && !missing.has(k)) missing.set(k, where);
    }
  }
  assert.equal(missing.size, 0, [...missing].map(([k, w]) => `${k}   (${w})`).join('\n'));
});

test('a code argument that is not a literal fails the scan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codes-'));
  const bad = join(dir, 'bad.c'), good = join(dir, 'good.c');
  writeFileSync(bad, 'int f(sk_call *c, const char *w) { return sk_call_violation_code(c, "x", w, "why"); }\n');
  writeFileSync(good, '/* sk_call_violation_code(c, "x", "in.comment", "no") */\n' +
    'int g(sk_call *c, bool a) { return sk_call_violation_code(c, f(1, 2), a ? "one.x" : "two", "why, really"); }\n');
  try {
    assert.throws(() => scanCodes([bad]), /not a literal/);
    assert.deepEqual(scanCodes([good]).map((x) => x.code), ['one.x', 'two']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('limits in the English text fill the catalogue text', () => {
  assert.deepEqual(limitVars('at most 200 characters'), { n: '200' });
  assert.deepEqual(limitVars('must be between -5 and 10'), { n: '-5', m: '10' });
  // one unit on every screen: the service's MiB reads MB
  assert.equal(limitVars('at most 10 MiB').size, '10 MB');
  setLocale('id');
  assert.equal(violationWords({ code: 'too_long', description: 'at most 200 characters' }), 'Paling panjang 200 karakter');
  setLocale('en');
  assert.equal(violationWords({ code: 'too_long', description: 'at most 200 characters' }), 'At most 200 characters');
  // a code without words falls back to the description
  assert.equal(violationWords({ code: 'no.such_code', description: 'as the service said' }), 'as the service said');
  // a text that needs a number the description lacks falls back too
  assert.equal(violationWords({ code: 'too_long', description: 'too long' }), 'too long');
  setLocale('id');
});

test('a throttled login says its wait in minutes, in the chosen language', () => {
  const msg = 'auth.throttled: too many attempts; try again in 47 minutes';
  setLocale('id');
  assert.equal(codeWords(msg), 'Terlalu banyak percobaan. Coba lagi dalam 47 menit.');
  setLocale('en');
  assert.equal(codeWords(msg), 'Too many attempts. Try again in 47 min.');
  setLocale('id');
});

// --- refusals: the leading code of a non-field refusal (issue 11) ---
// A refusal that names no field (not found, permission denied, wrong state,
// conflict) is sent as "<code>: <English>" (web/src/codes.js `describe`).
// Its code is read from every message literal of sk_call_fail and of the
// helpers that take such a literal (LOCAL_MESSAGE_ARG), and from any literal
// that starts with a dotted code (a message built with snprintf, or kept in a
// table). In CODED_SERVICES a refusal without a leading code fails: a literal
// message, or the format snprintf writes into a message buffer earlier in the
// function that sends it.
export const MESSAGE_ARG = { sk_call_fail: 2 };
export const LOCAL_MESSAGE_ARG = {
  'services/registry/handlers.c': { not_found: 1 },
  'services/scoring/handlers.c': { not_found: 1 },
  'services/ordering/handlers.c': { not_found: 1 },
  'services/gateway/handlers.c': { deny: 1 },
};
export const CODED_SERVICES = ['registry', 'verification', 'scoring', 'ordering', 'gateway', 'distribution', 'accounting'];

// {codes: [{code, where}], uncoded: [where]} for `files` (paths under ROOT,
// or anywhere for a test; `coded` says which files must lead with a code).
export function scanRefusals(files, coded = (rel) => CODED_SERVICES.some((s) => rel.startsWith(`services/${s}/`))) {
  const LIT = /"((?:[^"\\\n]|\\.)*)"/g;
  // C text without comments; adjacent literals are one string.
  const strings = (text) => [...text.matchAll(/(?:"(?:[^"\\\n]|\\.)*"\s*)+/g)]
    .map((run) => [...run[0].matchAll(LIT)].map((x) => x[1]).join(''));
  const codes = [], uncoded = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    const src = readFileSync(file, 'utf8')
      .replace(/("(?:[^"\\\n]|\\.)*")|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m, str) => str || ' ');
    for (const s of strings(src)) {
      const code = codeOf(s);
      if (code) codes.push({ code, where: `${rel}: "${s.slice(0, 60)}"` });
    }
    // The `want`th top-level argument after `from` in `text` (from just after
    // a call's "(", or at a "," before it, counting from there).
    const argOf = (text, from, want) => {
      let depth = 0, n = 0, start = from;
      for (let i = from; i < text.length; i++) {
        const c = text[i];
        if (c === '"') { i += /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i))[0].length - 1; continue; }
        if ('([{'.includes(c)) depth++;
        else if (')]}'.includes(c) && depth-- === 0) return n === want ? text.slice(start, i) : null;
        else if (c === ',' && depth === 0) { if (n === want) return text.slice(start, i); n++; start = i + 1; }
      }
      return null;
    };
    const argAt = (from, want) => argOf(src, from, want);
    const check = (text, where) => {
      for (const s of strings(text)) {
        if (codeOf(s)) codes.push({ code: codeOf(s), where: `${where} "${s.slice(0, 60)}"` });
        else if (coded(rel)) uncoded.push(`${where} "${s.slice(0, 60)}"`);
      }
    };
    const table = { ...MESSAGE_ARG, ...(LOCAL_MESSAGE_ARG[rel] || {}) };
    const call = new RegExp(`(?<![A-Za-z0-9_>.])(${Object.keys(table).join('|')})\\s*\\(`, 'g');
    for (const m of src.matchAll(call)) {
      const arg = argAt(m.index + m[0].length, table[m[1]]);
      if (arg === null) continue;
      check(arg, `${rel}: ${m[1]}(…`);
      // A message in a buffer: what snprintf writes into it earlier in the
      // same function, or its initializer; "%s: ..." forwards a code.
      const id = /^\s*(?:[A-Za-z_]\w*(?:\.|->))*([A-Za-z_]\w*)\s*$/.exec(arg);
      if (!id) continue;
      const body = src.slice(src.lastIndexOf('\n}', m.index) + 1, m.index);
      const into = new RegExp(`\\bsnprintf\\s*\\(\\s*(?:[A-Za-z_]\\w*(?:\\.|->))*${id[1]}\\s*,`, 'g');
      for (const w of body.matchAll(into)) {
        const fmt = argOf(body, w.index + w[0].length - 1, 2) || '';
        if (!/^\s*"%s: /.test(fmt)) check(fmt, `${rel}: snprintf(${id[1]}, …`);
      }
      const init = new RegExp(`\\b${id[1]}\\s*\\[\\s*\\]\\s*=\\s*((?:"(?:[^"\\\\]|\\\\.)*"\\s*)+)`, 'g');
      for (const w of body.matchAll(init)) check(w[1], `${rel}: ${id[1]}[] =`);
    }
  }
  return { codes, uncoded };
}

test('refusals: every leading code has words in Indonesian and English', () => {
  const { codes } = scanRefusals(files);
  // a few that must be there, so a broken scan cannot pass as "no codes"
  const seen = new Set(codes.map((x) => x.code));
  for (const c of ['company.not_found', 'access.denied', 'case.wrong_state', 'four_eyes.registrant',
    'rule_set.not_found', 'state.wrong', 'user.not_found', 'auth.wrong_login', 'audit.readers_only']) assert.ok(seen.has(c), c);
  const missing = new Map();
  for (const { code, where } of codes) {
    for (const [name, cat] of [['id', id], ['en', en]]) {
      const k = `${name}: code.${code}`;
      if ((typeof cat[`code.${code}`] !== 'string' || !cat[`code.${code}`].trim()) && !missing.has(k)) missing.set(k, where);
    }
  }
  assert.equal(missing.size, 0, [...missing].map(([k, w]) => `${k}   (${w})`).join('\n'));
});

test('refusals: a converted service sends no refusal without its leading code', () => {
  assert.deepEqual(scanRefusals(files).uncoded, []);
});

test('refusals: the scan reads literals, choices, wrappers and snprintf formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refusals-'));
  const f = join(dir, 'x.c');
  writeFileSync(f, '/* sk_call_fail(c, 1, "in.comment: no") */\n' +
    'int a(sk_call *c, bool b) { return sk_call_fail(c, SK_EPERM, b ? "one.x: why, really" : "two.y: " "joined"); }\n' +
    'int d(sk_call *c)\n{\n    char m[9];\n    snprintf(m, 9, "three.z: %s", "q");\n    return sk_call_fail(c, 1, m);\n}\n' +
    'int e(sk_call *c) { return sk_call_fail(c, SK_ENOTFOUND, "Kasus tidak ditemukan (case not found)"); }\n' +
    'int g(sk_call *c, int v)\n{\n    char m[99];\n    snprintf(m, sizeof(m), "versi %d (version %d)", v, v);\n    return sk_call_fail(c, 1, m);\n}\n' +
    'int h(sk_call *c, const char *code)\n{\n    char m[99];\n    snprintf(m, sizeof(m), "%s: forwarded", code);\n    return sk_call_fail(c, 1, m);\n}\n');
  try {
    const r = scanRefusals([f], () => true);
    assert.deepEqual([...new Set(r.codes.map((x) => x.code))].sort(), ['one.x', 'three.z', 'two.y']);
    assert.equal(r.uncoded.length, 2, r.uncoded.join('\n'));
    assert.match(r.uncoded[0], /Kasus tidak ditemukan/);
    assert.match(r.uncoded[1], /snprintf\(m, … "versi %d/);
    assert.deepEqual(scanRefusals([f], () => false).uncoded, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refusals: the UI speaks a refusal in the chosen language', () => {
  setLocale('id');
  assert.equal(codeWords('case.not_found: no such case'), 'Berkas verifikasi tidak ditemukan');
  assert.equal(codeWords('objection.unanswered: 3 objections are unanswered'), '3 sanggahan belum dijawab');
  setLocale('en');
  assert.equal(codeWords('access.denied: not allowed: listing companies'), 'You are not allowed to do this');
  setLocale('id');
});

test('refusals: the error summary speaks every kind of refusal', async () => {
  const { errorText } = await import('../src/components/ErrorSummary.js');
  setLocale('id');
  assert.equal(errorText({ status: 401, code: 'UNAUTHENTICATED', message: 'auth.wrong_login: wrong username or password' }), 'Nama pengguna atau kata sandi salah');
  assert.equal(errorText({ status: 404, code: 'NOT_FOUND', message: 'company.not_found: no such company' }), 'Perusahaan tidak ditemukan');
  assert.equal(errorText({ status: 412, code: 'FAILED_PRECONDITION', message: 'state.wrong: cannot issue in state ORDER_STATE_DRAFT' }), 'Tidak dapat dilakukan pada status saat ini');
  assert.equal(errorText({ status: 403, code: 'PERMISSION_DENIED', message: 'access.denied: not allowed: listing companies' }), 'Anda tidak berwenang melakukan ini');
  setLocale('en');
  assert.equal(errorText({ status: 409, code: 'ALREADY_EXISTS', message: 'username.taken: the username is already taken' }), 'The username is already taken');
  setLocale('id');
});

// Verification's findings: every code it stores (FINDING_CODES and the code
// argument of the calls that add one) has words in both languages, and the
// UI words a finding by them (src/codes.js findingWords).
const FINDING_ADDERS = ['add_finding', 'verification_store_add_finding', 'verification_store_add_staff_finding'];
export function findingCodes() {
  const src = stripComments(readFileSync(join(ROOT, 'services', 'verification', 'events.c'), 'utf8'));
  const codes = new Set();
  const table = /FINDING_CODES\[\]\s*=\s*\{([\s\S]*?)\};/.exec(src);
  assert.ok(table, 'FINDING_CODES in services/verification/events.c');
  for (const m of table[1].matchAll(/=\s*"([a-z0-9_]+)"/g)) codes.add(m[1]);
  const call = new RegExp(`(?<![A-Za-z0-9_>.])(${FINDING_ADDERS.join('|')})\\s*\\(`, 'g');
  for (const m of src.matchAll(call)) {
    const code = (args(src, m.index + m[0].length - 1)[3] || '').trim();
    const lit = /^"([a-z0-9_]+)"$/.exec(code);
    if (lit) codes.add(lit[1]);
    else if (!/^(const char \*code|code|FINDING_CODES\[code\])$/.test(code)) throw new Error(`finding code not a literal: ${m[1]}(… ${code}`);
  }
  return [...codes];
}

test('every finding code has words in Indonesian and English, with its value', async () => {
  const codes = findingCodes();
  for (const c of ['missing_document', 'expires_before_fiscal_year', 'npwp_format', 'nik_duplicate', 'bank_account_changed']) assert.ok(codes.includes(c), c);
  const missing = codes.flatMap((c) => [['id', id], ['en', en]].filter(([, cat]) => !cat[`finding.${c}`]).map(([n]) => `${n}: finding.${c}`));
  assert.deepEqual(missing, []);
  const { findingWords } = await import('../src/codes.js');
  setLocale('id');
  assert.equal(findingWords({ code: 'npwp_format', detail: '12.345', message: 'NPWP must have 15 or 16 digits: "12.345"' }),
    'NPWP harus 15 atau 16 digit: "12.345"');
  assert.match(findingWords({ code: 'expired', documentType: 'DOCUMENT_TYPE_NPWP', message: 'document expired: NPWP' }), /^Dokumen sudah kedaluwarsa: \S/);
  assert.doesNotMatch(findingWords({ code: 'expired', documentType: 'DOCUMENT_TYPE_NPWP' }), /DOCUMENT_TYPE/);
  setLocale('en');
  assert.equal(findingWords({ code: 'kbli_mismatch', detail: '63122' }), 'KBLI 63122 is required for this outlet type');
  assert.equal(findingWords({ code: 'no_words_yet', message: 'as the service said' }), 'as the service said');
  setLocale('id');
});
