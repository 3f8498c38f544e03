import { test } from 'node:test';
import assert from 'node:assert/strict';
import { id, en } from '../src/i18n/distribution.js';
import baseId from '../src/i18n/id.js';
import { violationText, splitWIB, releaseBody, categoryOptions } from '../src/press.js';
import { setLocale } from '../src/i18n/index.js';

test('press release catalogues: same keys in both locales, none clashing with the main ones', () => {
  assert.deepEqual(Object.keys(en).filter((k) => !(k in id)), []);
  assert.deepEqual(Object.keys(id).filter((k) => !(k in en)), []);
  assert.deepEqual(Object.keys(id).filter((k) => k in baseId), []);
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const k of Object.keys(id)) assert.equal(ph(en[k]), ph(id[k]), k);
});

test('every violation code the service sends has words', () => {
  const codes = ['required', 'too_long', 'invalid_text', 'unknown', 'invalid_email', 'invalid_phone',
    'phone_or_email_required', 'invalid_time', 'too_soon', 'too_far', 'not_image', 'too_large', 'image_too_large',
    'not_allowed_type', 'too_many_files', 'release_files_too_large', 'no_recipients', 'invalid_url', 'in_future',
    'not_company_outlet', 'duplicate', 'invalid_id', 'out_of_range', 'too_many', 'invalid_token'];
  setLocale('id');
  for (const c of codes) assert.notEqual(violationText(c), c, c);
  assert.equal(violationText('required; too_long'), 'wajib diisi; terlalu panjang');
  assert.equal(violationText('kode_baru'), 'kode_baru'); /* an unknown code shows as it is */
});

test('an RFC 3339 time splits into a WIB date and time', () => {
  assert.deepEqual(splitWIB('2027-01-10T02:00:00Z'), { date: '2027-01-10', time: '09:00' });
  assert.deepEqual(splitWIB('2027-01-09T20:30:00.000Z'), { date: '2027-01-10', time: '03:30' });
  assert.deepEqual(splitWIB(''), { date: '', time: '' });
});

test('a release body is the server\'s HTML, never the Markdown', () => {
  assert.deepEqual(releaseBody({ bodyHtml: '<p>x</p>', content: { bodyMarkdown: '<script>' } }), { __html: '<p>x</p>' });
  assert.deepEqual(releaseBody({}), { __html: '' });
  assert.equal(categoryOptions().length, 9);
});
