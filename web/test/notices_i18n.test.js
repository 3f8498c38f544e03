import { test } from 'node:test';
import assert from 'node:assert/strict';
import { id, en } from '../src/i18n/notices.js';
import baseId from '../src/i18n/id.js';
import * as press from '../src/i18n/distribution.js';
import { setLocale } from '../src/i18n/index.js';
import { noticeText } from '../src/pages/Notices.js';

test('notice catalogues: same keys in both locales, none clashing with the others', () => {
  assert.deepEqual(Object.keys(en).filter((k) => !(k in id)), []);
  assert.deepEqual(Object.keys(id).filter((k) => !(k in en)), []);
  assert.deepEqual(Object.keys(id).filter((k) => k in baseId || k in press.id), []);
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const k of Object.keys(id)) assert.equal(ph(en[k]), ph(id[k]), k);
});

test('every notice kind and every refused reset token has words', () => {
  const kinds = ['DOCUMENT_REJECTED', 'DECISION_AWAITING', 'OFFER_WAITING', 'PROOF_REJECTED',
    'INVOICE_RETURNED', 'INVOICE_PAID'].map((k) => `NOTICE_KIND_${k}`);
  for (const k of kinds) {
    assert.ok(id[`notice.${k}`] && en[`notice.${k}`], k);
    assert.ok(id[`noticeKind.${k}`] && en[`noticeKind.${k}`], k);
  }
  for (const c of ['invalid', 'used', 'expired']) assert.ok(id[`reset.token.${c}`] && en[`reset.token.${c}`], c);
});

test('a notice reads as a sentence from its kind and parameters', () => {
  setLocale('id');
  const n = { kind: 'NOTICE_KIND_DOCUMENT_REJECTED', companyName: 'PT Kabar Alfa',
    params: [{ key: 'documentType', value: 'DOCUMENT_TYPE_NPWP' }, { key: 'reason', value: 'buram' }] };
  assert.equal(noticeText(n), 'Dokumen NPWP milik PT Kabar Alfa ditolak verifikator.');
  setLocale('en');
  assert.equal(noticeText({ kind: 'NOTICE_KIND_DECISION_AWAITING', companyName: '',
    params: [{ key: 'outcome', value: 'OUTCOME_VERIFIED' }] }),
  'A proposed decision "Verified" on your company awaits a second person\'s approval.');
  setLocale('id');
});
