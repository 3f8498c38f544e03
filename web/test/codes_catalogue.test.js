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
import { describe as codeWords, limitVars, violationWords } from '../src/codes.js';
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
