// Rupiah and WIB formatting. Pure functions (no DOM): unit-tested with node --test.
const WIB = 'Asia/Jakarta';

const rupiahFmt = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });

function toBigInt(v) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return null;
}

// 1500000 or "1500000" (int64 as a proto3 JSON string) -> "Rp 1.500.000".
// Whole rupiah only; amounts beyond 2^53 keep every digit (BigInt).
export function formatRupiah(v) {
  if (v === undefined || v === null || v === '') v = 0;
  const n = toBigInt(v);
  if (n === null) return '';
  const neg = n < 0n;
  const s = rupiahFmt.format(neg ? -n : n);
  return (neg ? '-' : '') + 'Rp ' + s;
}

// "Rp 1.500.000", "1.500.000", "1500000" -> "1500000" (int64 JSON string);
// null when it is not a whole, non-negative amount.
export function parseRupiah(text) {
  if (text === undefined || text === null) return null;
  const s = String(text).replace(/^\s*Rp\.?\s*/i, '').replace(/[.\s]/g, '');
  if (!/^\d+$/.test(s)) return null;
  return s.replace(/^0+(?=\d)/, '');
}

// 1234567 -> "1.234.567" (counts: visitors, circulation).
export function formatNumber(v) {
  const n = toBigInt(v ?? 0);
  return n === null ? '' : rupiahFmt.format(n);
}

const intlLocale = (locale) => (locale === 'en' ? 'en-GB' : 'id-ID');

// An RFC 3339 time (or unix ms, number or int64 string) -> "15 Januari 2027 10.30 WIB".
export function formatDateTime(v, locale = 'id') {
  if (v === undefined || v === null || v === '' || v === '0') return '';
  const d = typeof v === 'number' || /^\d+$/.test(String(v)) ? new Date(Number(v)) : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const parts = new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: WIB, day: 'numeric', month: 'long', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t) => parts.find((p) => p.type === t)?.value ?? '';
  const sep = locale === 'en' ? ':' : '.';
  return `${get('day')} ${get('month')} ${get('year')} ${get('hour')}${sep}${get('minute')} WIB`;
}

// A calendar date "YYYY-MM-DD" (already a WIB date) -> "15 Januari 2027". No zone shift.
export function formatDate(v, locale = 'id') {
  if (!v) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
  if (!m) return formatDateTime(v, locale).replace(/ \d{2}[.:]\d{2} WIB$/, '');
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric',
  }).format(d);
}

// Today's calendar date in WIB, "YYYY-MM-DD".
export function todayWIB(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: WIB, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(now);
}

// The current time of day in WIB, "HH:MM" (seconds dropped, so never ahead of now).
export function nowTimeWIB(now = new Date()) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: WIB, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(now);
}

// The current year in WIB (the default fiscal year).
export function yearWIB(now = new Date()) {
  return Number(todayWIB(now).slice(0, 4));
}

// The fiscal year screens open on: the current one, or from October the next.
// Registration, verification and the announcement for a year run in the
// quarter before it, so that is the year partners and verifiers work on then.
export function defaultFiscalYear(now = new Date()) {
  const [y, m] = todayWIB(now).split('-').map(Number);
  return m >= 10 ? y + 1 : y;
}

// A date and a time of day in WIB ("2027-03-01", "17:00") -> RFC 3339 UTC.
// WIB is UTC+7 all year (no daylight saving).
export function wibToRFC3339(date, time = '00:00') {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  const t = /^(\d{2}):(\d{2})$/.exec(time || '');
  if (!m || !t) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +t[1] - 7, +t[2]);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

// Bytes -> "1,5 MB" style (for upload sizes).
export function formatBytes(n, locale = 'id') {
  const f = new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 1 });
  if (n < 1024) return `${f.format(n)} B`;
  if (n < 1024 * 1024) return `${f.format(n / 1024)} KB`;
  return `${f.format(n / (1024 * 1024))} MB`;
}
