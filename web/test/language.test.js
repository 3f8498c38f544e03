// The catalogues themselves: no English word in an Indonesian text, no raw
// code or field path in either language, and one unit for sizes (MB) and
// lengths (characters) everywhere. The browser tests check the screens
// with the same rule (tests/e2e/language.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCALES } from '../src/i18n/index.js';
import { languageOffences } from '../../tests/e2e/language.mjs';

// A text as a screen shows it: placeholders filled with a neutral word.
const shown = (v) => String(v).replace(/\{\w+\}/g, 'X');

test('the Indonesian catalogue has no English word, neither catalogue a code or field path', () => {
  for (const [lang, dict] of Object.entries(LOCALES)) {
    const bad = Object.entries(dict).filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => [k, languageOffences(shown(v), lang)]).filter(([, o]) => o.length);
    assert.deepEqual(bad, [], `${lang}: ${JSON.stringify(bad)}`);
  }
});

test('sizes in MB, lengths in characters, in both languages', () => {
  for (const [lang, dict] of Object.entries(LOCALES)) {
    const bad = Object.entries(dict).filter(([, v]) => typeof v === 'string' && /\bMiB\b|\bKiB\b|\bbytes?\b/.test(v));
    assert.deepEqual(bad, [], lang);
  }
});

test('the rule catches what it is for', () => {
  assert.deepEqual(languageOffences('Simpan perubahan', 'id'), []);
  assert.deepEqual(languageOffences('Jl. Letnan Mukhtar Saleh No. 1, redaksi@kabar.example.id, kuitansi.pdf, Rp 1.000.000', 'id'), []);
  assert.ok(languageOffences('Save', 'id').length);
  assert.ok(languageOffences('company.not_found', 'en').length);
  assert.ok(languageOffences('Nomor: document.expiresOn', 'en').length);
  assert.ok(languageOffences('items[0]: wajib diisi', 'id').length);
  assert.ok(languageOffences('COMPANY_STATUS_IN_REVIEW', 'en').length);
  assert.ok(languageOffences('in_review', 'id').length);
});

import { setLocale } from '../src/i18n/index.js';
import { oneLanguage, violationWords } from '../src/codes.js';
import { actionLabel, entityLabel } from '../src/pages/Audit.js';
import { ledgerCheckWords } from '../src/pages/Payments.js';
import { fieldLabel } from '../src/components/ErrorSummary.js';

test('a text the service wrote in both languages reads in one, with MB and characters', () => {
  const both = 'nama wajib diisi, paling banyak 250 byte, tanpa karakter kontrol (name is required, at most 250 bytes, no control characters)';
  setLocale('id');
  assert.equal(oneLanguage(both), 'nama wajib diisi, paling banyak 250 karakter, tanpa karakter kontrol');
  assert.equal(violationWords({ field: 'line.name', code: '', description: both }), 'nama wajib diisi, paling banyak 250 karakter, tanpa karakter kontrol');
  assert.equal(oneLanguage('Kode KBLI (58130)'), 'Kode KBLI (58130)');
  assert.equal(oneLanguage('a file of at most 10 MiB'), 'a file of at most 10 MB');
  setLocale('en');
  assert.equal(oneLanguage(both), 'name is required, at most 250 characters, no control characters');
  setLocale('id');
});

test('no code reaches the screen: audit actions, ledger checks, field paths', () => {
  for (const lang of ['id', 'en']) {
    setLocale(lang);
    for (const s of [actionLabel('auth.reset.requested'), actionLabel('company.something_new'), actionLabel('nothing.known_here'),
      entityLabel('no_such_entity'), fieldLabel('document.expiresOn') || 'x', fieldLabel('budgetLine'),
      ...Object.values(ledgerCheckWords({ checkName: 'ledger_debits_equal_credits', ok: true, detail: 'posted Rp 1000000, pending Rp 0 on each side' })),
      ...Object.values(ledgerCheckWords({ checkName: 'ledger_new_check', ok: false, detail: '3 rows: x' }))]) {
      assert.deepEqual(languageOffences(s, lang), [], `${lang}: "${s}"`);
    }
  }
  setLocale('id');
  assert.equal(actionLabel('company.something_new'), 'Tindakan atas perusahaan');
  assert.equal(fieldLabel('company.npwp'), 'NPWP');
  assert.equal(fieldLabel('no.such_path'), '');
  assert.equal(ledgerCheckWords({ checkName: 'ledger_debits_equal_credits', ok: true, detail: 'posted Rp 1000000, pending Rp 0 on each side' }).detail,
    'Tercatat Rp 1.000.000, tertunda Rp 0 di tiap sisi');
});
