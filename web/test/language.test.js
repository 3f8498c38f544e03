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
