import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseError, normalizeField, mapViolations, fieldId } from '../src/errors.js';
import { sniffType, checkFile, MAX_UPLOAD_BYTES } from '../src/files.js';

test('an error body is parsed, with violations', () => {
  const e = parseError(400, JSON.stringify({ code: 'INVALID_ARGUMENT', message: 'Data tidak sah',
    violations: [{ field: 'company.npwp', description: 'NPWP harus 15 atau 16 digit' }] }));
  assert.equal(e.status, 400);
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.equal(e.message, 'Data tidak sah');
  assert.deepEqual(e.violations, [{ field: 'company.npwp', code: '', description: 'NPWP harus 15 atau 16 digit' }]);
});

test('a violation keeps its code', () => {
  const e = parseError(400, JSON.stringify({ code: 'INVALID_ARGUMENT', message: 'x',
    violations: [{ field: 'company.legal_name', code: 'too_long', description: 'at most 200 characters' }] }));
  assert.deepEqual(e.violations, [{ field: 'company.legalName', code: 'too_long', description: 'at most 200 characters' }]);
});

test('a body that is not JSON still gives a code from the status', () => {
  assert.equal(parseError(429, '<html>').code, 'RESOURCE_EXHAUSTED');
  assert.equal(parseError(502, '').code, 'INTERNAL');
  assert.deepEqual(parseError(401, '{"code":"UNAUTHENTICATED"}').violations, []);
});

test('field paths are normalized', () => {
  assert.equal(normalizeField('company.bank_account.account_number'), 'company.bankAccount.accountNumber');
  assert.equal(normalizeField('outlets.0.url'), 'outlets[0].url');
  assert.equal(normalizeField('outlets[1].monthlyVisitors'), 'outlets[1].monthlyVisitors');
  assert.equal(normalizeField('people[0]'), 'people[0]');
});

test('violations land on the inputs they name', () => {
  const known = ['company.npwp', 'company.kbli', 'company.bankAccount.bankName', 'company.bankAccount.accountNumber',
    'outlets[0].url', 'people[0].nik', 'people[1].nik'];
  const { byField, unmatched } = mapViolations([
    { field: 'company.npwp', description: 'NPWP harus 15 atau 16 digit' },
    { field: 'company.kbli[1]', description: 'KBLI tidak dikenal' },
    { field: 'company.bankAccount', description: 'Rekening wajib' },
    { field: 'outlets.0.url', description: 'URL tidak sah' },
    { field: 'people[1].nik', description: 'NIK sudah terdaftar' },
    { field: 'people[1].nik', description: 'NIK 16 digit' },
    { field: 'fiscalYear', description: 'Tahun tidak sah' },
    { field: '', description: 'umum' },
  ], known);
  assert.equal(byField['company.npwp'], 'NPWP harus 15 atau 16 digit');
  assert.equal(byField['company.kbli'], 'KBLI tidak dikenal');
  assert.equal(byField['company.bankAccount.bankName'], 'Rekening wajib');
  assert.equal(byField['outlets[0].url'], 'URL tidak sah');
  assert.equal(byField['people[1].nik'], 'NIK sudah terdaftar; NIK 16 digit');
  assert.equal(byField['people[0].nik'], undefined);
  assert.deepEqual(unmatched.map((v) => v.field), ['fiscalYear', '']);
});

test('a prefix can be stripped before matching', () => {
  const { byField } = mapViolations([{ field: 'company.npwp', description: 'x' }], ['npwp'], { strip: 'company.' });
  assert.deepEqual(byField, { npwp: 'x' });
});

test('DOM ids of field paths', () => {
  assert.equal(fieldId('outlets[0].url'), 'f-outlets-0-url');
  assert.equal(fieldId('reason', 'doc-1-'), 'f-doc-1-reason');
});

test('files are checked by their first bytes and size', () => {
  const pdf = new TextEncoder().encode('%PDF-1.7');
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const jpg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
  assert.equal(sniffType(pdf), 'application/pdf');
  assert.equal(sniffType(png), 'image/png');
  assert.equal(sniffType(jpg), 'image/jpeg');
  assert.equal(sniffType(new TextEncoder().encode('GIF89a')), null);
  assert.equal(checkFile({ size: 100, head: pdf }), null);
  assert.equal(checkFile({ size: MAX_UPLOAD_BYTES + 1, head: pdf }), 'upload.tooBig');
  assert.equal(checkFile({ size: 0, head: pdf }), 'upload.empty');
  assert.equal(checkFile({ size: 10, head: new Uint8Array([1, 2, 3]) }), 'upload.badType');
});
