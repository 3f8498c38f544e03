import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  nextStep, lastStep, invoicedOrders, requiredDocuments, bpToPercent, percentToBp, priceFactor, effectiveRateBp,
  daysBetween, defaultPurpose,
} from '../src/invoices.js';

test('the next step follows the state, never skipping; SP2D is final', () => {
  assert.equal(nextStep('INVOICE_STATE_SUBMITTED'), null);
  assert.equal(nextStep('INVOICE_STATE_ACCEPTED'), 'PAYMENT_STEP_SPP');
  assert.equal(nextStep('INVOICE_STATE_SPP'), 'PAYMENT_STEP_SPP_VERIFIED');
  assert.equal(nextStep('INVOICE_STATE_SPP_VERIFIED'), 'PAYMENT_STEP_SPM');
  assert.equal(nextStep('INVOICE_STATE_SPM'), 'PAYMENT_STEP_SP2D');
  assert.equal(nextStep('INVOICE_STATE_PAID'), null);
  assert.equal(lastStep('INVOICE_STATE_SPM'), 'PAYMENT_STEP_SPM');
  assert.equal(lastStep('INVOICE_STATE_SPP'), 'PAYMENT_STEP_SPP');
  assert.equal(lastStep('INVOICE_STATE_PAID'), null);
  assert.equal(lastStep('INVOICE_STATE_ACCEPTED'), null);
});

test('orders on a returned invoice may be invoiced again', () => {
  const ids = invoicedOrders([
    { state: 'INVOICE_STATE_RETURNED', data: { orderIds: ['a'] } },
    { state: 'INVOICE_STATE_PAID', data: { orderIds: ['b', 'c'] } },
  ]);
  assert.deepEqual([...ids].sort(), ['b', 'c']);
});

test('the checklist by value, as Perpres 12/2021 reads', () => {
  const rules = [
    { kind: 'DOCUMENT_KIND_PROOF_OF_PURCHASE', required: true, above: '0', upTo: '10000000' },
    { kind: 'DOCUMENT_KIND_KUITANSI', required: true, above: '0', upTo: '0' },
    { kind: 'DOCUMENT_KIND_SPK', required: true, above: '50000000', upTo: '200000000' },
    { kind: 'DOCUMENT_KIND_AGREEMENT', required: false },
  ];
  assert.deepEqual(requiredDocuments(rules, '1000000'), ['DOCUMENT_KIND_PROOF_OF_PURCHASE', 'DOCUMENT_KIND_KUITANSI']);
  assert.deepEqual(requiredDocuments(rules, '10000001'), ['DOCUMENT_KIND_KUITANSI']);
  assert.deepEqual(requiredDocuments(rules, '200000000'), ['DOCUMENT_KIND_KUITANSI', 'DOCUMENT_KIND_SPK']);
  assert.deepEqual(requiredDocuments(rules, '0'), []);
});

test('rates as percent and back', () => {
  assert.equal(bpToPercent(1200), '12');
  assert.equal(bpToPercent(150), '1,5');
  assert.equal(bpToPercent(150, 'en'), '1.5');
  assert.equal(bpToPercent(225), '2,25');
  assert.equal(percentToBp('12'), 1200);
  assert.equal(percentToBp('1,5'), 150);
  assert.equal(percentToBp('2.25 %'), 225);
  assert.equal(percentToBp('1,555'), null);
  assert.equal(percentToBp('-2'), null);
  assert.equal(percentToBp('dua'), null);
});

test('the price before VAT comes from the two fields: 100/111 both ways', () => {
  assert.equal(priceFactor({ ppnRateBp: 1200, dppFactorNumerator: 11, dppFactorDenominator: 12 }), '100/111');
  assert.equal(priceFactor({ ppnRateBp: 1100, dppFactorNumerator: 1, dppFactorDenominator: 1 }), '100/111');
  assert.equal(priceFactor({ ppnRateBp: 1200, dppFactorNumerator: 1, dppFactorDenominator: 1 }), '25/28');
  assert.equal(effectiveRateBp({ ppnRateBp: 1200, dppFactorNumerator: 11, dppFactorDenominator: 12 }), 1100);
});

test('age in days and a purpose to start from', () => {
  assert.equal(daysBetween('2027-03-01', '2027-04-15'), 45);
  assert.equal(daysBetween('2027-04-15', '2027-03-01'), 0);
  assert.equal(defaultPurpose({ companyName: 'PT Kabar Demo', data: { number: 'INV/1' }, orders: [{ number: 'MO/0001/DISKOMINFO/2027' }] }),
    'Pembayaran jasa publikasi PT Kabar Demo sesuai pesanan MO/0001/DISKOMINFO/2027 (tagihan INV/1)');
});
