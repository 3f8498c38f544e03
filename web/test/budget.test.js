import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetShares, paguChange, formatPercent } from '../src/budget.js';

test('shares of the golden line: Rp 1.000.000 of Rp 1.900.000.000 reserved', () => {
  assert.deepEqual(budgetShares({ pagu: '1900000000', committed: '1000000', realised: '0', available: '1899000000' }),
    { realised: 0, committed: 0.1, available: 99.9 });
});

test('shares add up to 100 and round half up', () => {
  const s = budgetShares({ pagu: '3', committed: '1', realised: '1' });
  assert.deepEqual(s, { realised: 33.3, committed: 33.3, available: 33.4 });
  assert.deepEqual(budgetShares({ pagu: '2000', realised: '1', committed: '0' }), { realised: 0.1, committed: 0, available: 99.9 });
  assert.deepEqual(budgetShares({ pagu: '100', realised: '40', committed: '60' }), { realised: 40, committed: 60, available: 0 });
});

test('no pagu, missing and huge figures', () => {
  assert.deepEqual(budgetShares({ pagu: '0', committed: '0', realised: '0' }), { realised: 0, committed: 0, available: 0 });
  assert.deepEqual(budgetShares({}), { realised: 0, committed: 0, available: 0 });
  assert.deepEqual(budgetShares({ pagu: '9007199254740993', realised: '9007199254740993' }), { realised: 100, committed: 0, available: 0 });
  assert.deepEqual(budgetShares({ pagu: 'x', realised: '1' }), { realised: 0, committed: 0, available: 0 });
});

test('a revision\'s change carries its sign', () => {
  assert.equal(paguChange('1900000000', '2000000000'), '+Rp 100.000.000');
  assert.equal(paguChange('2000000000', '1600000000'), '-Rp 400.000.000');
  assert.equal(paguChange('0', '1900000000'), '+Rp 1.900.000.000');
});

test('percent in both locales', () => {
  assert.equal(formatPercent(12.5, 'id'), '12,5%');
  assert.equal(formatPercent(12.5, 'en'), '12.5%');
  assert.equal(formatPercent(100, 'id'), '100%');
});
