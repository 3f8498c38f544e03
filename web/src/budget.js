// Budget figures for the screens. Pure functions (no DOM): unit-tested with
// node --test. int64 amounts arrive as strings (proto3 JSON); BigInt keeps
// every digit.
import { formatRupiah } from './format.js';

const big = (v) => {
  try { return BigInt(v ?? 0); } catch { return 0n; }
};

// A line's figures -> the share of its pagu that is realised, committed and
// still available, in percent with one decimal; the three add up to exactly
// 100 when there is a pagu (available takes the rounding), all 0 without one.
export function budgetShares({ pagu, committed, realised } = {}) {
  const p = big(pagu);
  if (p <= 0n) return { realised: 0, committed: 0, available: 0 };
  const tenths = (v) => {
    const n = big(v) * 1000n;
    return Number((n + p / 2n) / p); // half up
  };
  const r = Math.min(tenths(realised), 1000);
  const c = Math.min(tenths(committed), 1000 - r);
  return { realised: r / 10, committed: c / 10, available: (1000 - r - c) / 10 };
}

// The change a revision made: "+Rp 100.000.000" or "-Rp 300.000.000".
export function paguChange(before, after) {
  const d = big(after) - big(before);
  return d > 0n ? `+${formatRupiah(d)}` : formatRupiah(d);
}

// A percentage as the locale writes it: 12.5 -> "12,5%" (id) or "12.5%" (en).
export function formatPercent(x, locale = 'id') {
  return `${new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'id-ID', { maximumFractionDigits: 1 }).format(x)}%`;
}
