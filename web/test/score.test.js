import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreValue, scoreRule } from '../src/score.js';
import { setLocale } from '../src/i18n/index.js';

test('inputs read as people say them, per criterion and outlet type', () => {
  setLocale('id');
  assert.equal(scoreValue('CRITERION_DEWAN_PERS', '1'), 'Terverifikasi administratif');
  assert.equal(scoreValue('CRITERION_DEWAN_PERS', undefined), 'Belum terverifikasi'); // proto3 JSON omits 0
  assert.equal(scoreValue('CRITERION_CHIEF_EDITOR_UKW', '3'), 'Utama');
  assert.equal(scoreValue('CRITERION_JOURNALIST_UKW_SHARE', '100'), '100%');
  assert.equal(scoreValue('CRITERION_COMPANY_AGE', '11'), '11 tahun');
  assert.equal(scoreValue('CRITERION_REACH', '250000', 'OUTLET_TYPE_SIBER'), '250.000 pengunjung/bulan');
  assert.equal(scoreValue('CRITERION_REACH', '3000', 'OUTLET_TYPE_CETAK'), '3.000 eksemplar');
  assert.equal(scoreValue('CRITERION_PERFORMANCE', '-1'), '—');
});

test('rules name the band reached, or why none was', () => {
  setLocale('id');
  const reach = { criterion: 'CRITERION_REACH', inputValue: '250000', threshold: '250000', points: 15 };
  assert.equal(scoreRule(reach, 'OUTLET_TYPE_SIBER'), '≥ 250.000 pengunjung/bulan → 15 poin');
  assert.equal(scoreRule({ criterion: 'CRITERION_COMPANY_AGE', inputValue: '0', threshold: '-1' }), 'di bawah batas terendah → 0 poin');
  assert.equal(scoreRule({ criterion: 'CRITERION_PERFORMANCE', inputValue: '-1', threshold: '-1', points: 5 }),
    'belum ada riwayat: nilai netral → 5 poin');
  // A band from 0 (threshold left out of the JSON) was reached.
  assert.equal(scoreRule({ criterion: 'CRITERION_JOURNALIST_UKW_SHARE', inputValue: '20', points: 3 }), '≥ 0% → 3 poin');
  setLocale('en');
  assert.equal(scoreRule({ criterion: 'CRITERION_DEWAN_PERS', inputValue: '2', threshold: '1', points: 15 }),
    '≥ Administratively verified → 15 points');
  setLocale('id');
});
