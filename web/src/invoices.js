// Invoices, taxes and payment steps for the screens. Pure functions (no DOM):
// unit-tested with node --test. The server decides; these only say what to
// offer (the next step) and how to write a rate.

const big = (v) => {
  try { return BigInt(v ?? 0); } catch { return 0n; }
};

// The regional payment documents, in order, and the invoice state each moves to.
export const STEPS = [
  ['PAYMENT_STEP_SPP', 'INVOICE_STATE_ACCEPTED', 'INVOICE_STATE_SPP'],
  ['PAYMENT_STEP_SPP_VERIFIED', 'INVOICE_STATE_SPP', 'INVOICE_STATE_SPP_VERIFIED'],
  ['PAYMENT_STEP_SPM', 'INVOICE_STATE_SPP_VERIFIED', 'INVOICE_STATE_SPM'],
  ['PAYMENT_STEP_SP2D', 'INVOICE_STATE_SPM', 'INVOICE_STATE_PAID'],
];

export const INVOICE_STATES = [
  'INVOICE_STATE_SUBMITTED', 'INVOICE_STATE_RETURNED', 'INVOICE_STATE_ACCEPTED', 'INVOICE_STATE_SPP',
  'INVOICE_STATE_SPP_VERIFIED', 'INVOICE_STATE_SPM', 'INVOICE_STATE_PAID',
];

export const DOCUMENT_KINDS = [
  'DOCUMENT_KIND_KUITANSI', 'DOCUMENT_KIND_PROOF_OF_PURCHASE', 'DOCUMENT_KIND_SPK', 'DOCUMENT_KIND_AGREEMENT',
];

// The one step finance may record next, or null (before acceptance, once paid).
export function nextStep(state) {
  const s = STEPS.find(([, from]) => from === state);
  return s ? s[0] : null;
}

// The step a cancellation would undo, or null: only the last one, never the SP2D.
export function lastStep(state) {
  const s = STEPS.find(([, , to]) => to === state);
  return s && s[0] !== 'PAYMENT_STEP_SP2D' ? s[0] : null;
}

// The orders a partner may not invoice again: those on invoices that are
// not returned.
export function invoicedOrders(invoices = []) {
  const ids = new Set();
  for (const inv of invoices) {
    if (inv.state === 'INVOICE_STATE_RETURNED') continue;
    for (const id of inv.data?.orderIds || []) ids.add(id);
  }
  return ids;
}

// The kinds the year's rules require for a gross (int64 string), as the
// server judges them: above `above` and, with an upper bound, at most `upTo`.
export function requiredDocuments(rules = [], gross = '0') {
  const g = big(gross);
  return rules.filter((r) => r.required && g > big(r.above) && (big(r.upTo) === 0n || g <= big(r.upTo)))
    .map((r) => r.kind);
}

// Basis points -> a percent as the locale writes it: 1200 -> "12", 150 -> "1,5".
export function bpToPercent(bp, locale = 'id') {
  const n = Number(bp ?? 0);
  if (!Number.isFinite(n)) return '';
  const s = (n / 100).toFixed(2).replace(/\.?0+$/, '');
  return locale === 'en' ? s : s.replace('.', ',');
}

// "12", "1,5", "1.5", "2,25 %" -> basis points; null for anything else
// (more than two decimals, a sign, letters).
export function percentToBp(text) {
  const m = /^\s*(\d{1,5})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(String(text ?? ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

const gcd = (a, b) => (b === 0n ? a : gcd(b, a % b));
const reduced = (n, d) => {
  const g = gcd(n < 0n ? -n : n, d) || 1n;
  return `${n / g}/${d / g}`;
};

// What a VAT-inclusive price is divided by, from the two fields: 12% of 11/12
// (and 11% of 1/1) -> "100/111", the share of the price before VAT.
export function priceFactor({ ppnRateBp, dppFactorNumerator, dppFactorDenominator } = {}) {
  const rate = big(ppnRateBp), num = big(dppFactorNumerator || 1), den = big(dppFactorDenominator || 1);
  if (den <= 0n) return '';
  return reduced(10000n * den, 10000n * den + rate * num);
}

// The effective PPN rate on the price before VAT, in basis points (may be a
// fraction of one): 1200 x 11/12 -> 1100.
export function effectiveRateBp({ ppnRateBp, dppFactorNumerator, dppFactorDenominator } = {}) {
  const den = Number(dppFactorDenominator || 1);
  return den ? Number(ppnRateBp || 0) * Number(dppFactorNumerator || 1) / den : 0;
}

// Days since `from` ("YYYY-MM-DD") on `today` ("YYYY-MM-DD"), never negative.
export function daysBetween(from, today) {
  const d = (s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  };
  const n = Math.round((d(today) - d(from)) / 86400000);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

// A purpose (uraian) for the SPP to start from: what was bought, from whom.
export function defaultPurpose(inv) {
  const numbers = (inv.orders || []).map((o) => o.number).filter(Boolean).join(', ');
  return `Pembayaran jasa publikasi ${inv.companyName || ''} sesuai pesanan ${numbers} (tagihan ${inv.data?.number || ''})`
    .replace(/\s+/g, ' ').trim();
}
