import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRupiah, parseRupiah, formatDateTime, formatDate, todayWIB, nowTimeWIB, wibToRFC3339, formatNumber, defaultFiscalYear } from '../src/format.js';

test('Rupiah: dots between thousands, "Rp " prefix, int64 strings', () => {
  assert.equal(formatRupiah(1500000), 'Rp 1.500.000');
  assert.equal(formatRupiah('1000000'), 'Rp 1.000.000');
  assert.equal(formatRupiah('1900000000'), 'Rp 1.900.000.000');
  assert.equal(formatRupiah(0), 'Rp 0');
  assert.equal(formatRupiah(undefined), 'Rp 0'); // proto3 JSON omits zero
  assert.equal(formatRupiah(-20000), '-Rp 20.000');
  assert.equal(formatRupiah('9223372036854775807'), 'Rp 9.223.372.036.854.775.807');
  assert.equal(formatRupiah('abc'), '');
});

test('Rupiah input parsing', () => {
  assert.equal(parseRupiah('Rp 1.500.000'), '1500000');
  assert.equal(parseRupiah('1.000.000'), '1000000');
  assert.equal(parseRupiah('900000'), '900000');
  assert.equal(parseRupiah('007'), '7');
  assert.equal(parseRupiah('1,5'), null);
  assert.equal(parseRupiah('-5'), null);
  assert.equal(parseRupiah(''), null);
});

test('numbers', () => {
  assert.equal(formatNumber('500000'), '500.000');
});

test('date-times are shown in WIB with the suffix', () => {
  // 03:30 UTC is 10:30 WIB (UTC+7), and 20:00 UTC is the next day in WIB.
  assert.equal(formatDateTime('2027-01-15T03:30:00Z'), '15 Januari 2027 10.30 WIB');
  assert.equal(formatDateTime('2027-01-15T20:00:00Z'), '16 Januari 2027 03.00 WIB');
  assert.equal(formatDateTime('2027-01-15T20:00:00Z', 'en'), '16 January 2027 03:00 WIB');
  assert.equal(formatDateTime(Date.UTC(2027, 2, 1, 17, 0)), '2 Maret 2027 00.00 WIB');
  assert.equal(formatDateTime(String(Date.UTC(2027, 2, 1, 17, 0))), '2 Maret 2027 00.00 WIB');
  assert.equal(formatDateTime(''), '');
  assert.equal(formatDateTime('0'), '');
});

test('calendar dates are not shifted', () => {
  assert.equal(formatDate('2027-12-31'), '31 Desember 2027');
  assert.equal(formatDate('2027-12-31', 'en'), '31 December 2027');
});

test('today in WIB and WIB -> RFC 3339', () => {
  assert.equal(todayWIB(new Date('2027-01-15T18:00:00Z')), '2027-01-16');
  assert.equal(todayWIB(new Date('2027-01-15T16:59:00Z')), '2027-01-15');
  // the time of day a proof form starts with: WIB, minutes, never ahead
  assert.equal(nowTimeWIB(new Date('2027-01-15T17:17:59Z')), '00:17');
  assert.equal(nowTimeWIB(new Date('2027-01-15T05:00:00Z')), '12:00');
  assert.equal(wibToRFC3339('2027-03-01', '17:00'), '2027-03-01T10:00:00Z');
  assert.equal(wibToRFC3339('2027-03-01', '03:00'), '2027-02-28T20:00:00Z');
  assert.equal(wibToRFC3339('bad', '03:00'), null);
});

test('screens open on next fiscal year from October (WIB), when it is being prepared', () => {
  assert.equal(defaultFiscalYear(new Date('2026-09-30T16:59:59Z')), 2026); // 23:59 WIB, 30 September
  assert.equal(defaultFiscalYear(new Date('2026-09-30T17:00:00Z')), 2027); // 00:00 WIB, 1 October
  assert.equal(defaultFiscalYear(new Date('2026-12-31T16:59:59Z')), 2027); // 23:59 WIB, 31 December
  assert.equal(defaultFiscalYear(new Date('2026-12-31T18:00:00Z')), 2027); // 1 January 2027 in WIB: that year
  assert.equal(defaultFiscalYear(new Date('2027-03-15T00:00:00Z')), 2027);
});
