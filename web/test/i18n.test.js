import { test } from 'node:test';
import assert from 'node:assert/strict';
import id from '../src/i18n/id.js';
import en from '../src/i18n/en.js';

test('both locales have the same keys', () => {
  assert.deepEqual(Object.keys(en).filter((k) => !(k in id)), []);
  assert.deepEqual(Object.keys(id).filter((k) => !(k in en)), []);
});

test('placeholders agree between locales', () => {
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const k of Object.keys(id)) assert.equal(ph(en[k]), ph(id[k]), k);
});
