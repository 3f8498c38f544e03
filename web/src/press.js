// Shared pieces of the press release screens: enums, the service's violation
// codes in words, WIB times, files. The pure functions are unit-tested.
import { t, tEnum } from './i18n/index.js';
import { call } from './api.js';
import { sniffType } from './files.js';

export const CATEGORIES = [
  'CATEGORY_GOVERNMENT', 'CATEGORY_ECONOMY', 'CATEGORY_HEALTH', 'CATEGORY_EDUCATION', 'CATEGORY_INFRASTRUCTURE',
  'CATEGORY_SOCIAL', 'CATEGORY_DISASTER', 'CATEGORY_EVENT', 'CATEGORY_OTHER',
];
export const PRESS_TIERS = ['TIER_A', 'TIER_B', 'TIER_C', 'TIER_NONE'];
export const MODE_ALL = 'RECIPIENT_MODE_ALL_VERIFIED';
export const MODE_FILTER = 'RECIPIENT_MODE_FILTER';
export const MODE_CHOSEN = 'RECIPIENT_MODE_CHOSEN';

export const categoryOptions = () => CATEGORIES.map((v) => ({ value: v, label: tEnum('Category', v) }));

// "required; too_long" (codes, as a form's field errors join them) -> words.
export function violationText(desc) {
  return String(desc ?? '').split('; ').map((code) => {
    const s = t(`v.${code}`);
    return s === `v.${code}` ? code : s;
  }).join('; ');
}

// useAction's byField / unmatched with the codes in words.
export const wordsByField = (byField) =>
  Object.fromEntries(Object.entries(byField || {}).map(([k, v]) => [k, violationText(v)]));
export const wordsUnmatched = (list) => (list || []).map((v) => ({ ...v, description: violationText(v.description) }));

// An RFC 3339 time -> its WIB calendar date and time of day ("2027-01-10", "09:00").
export function splitWIB(v) {
  const d = v ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) return { date: '', time: '' };
  const w = new Date(d.getTime() + 7 * 3600 * 1000).toISOString();
  return { date: w.slice(0, 10), time: w.slice(11, 16) };
}

// The body as the server rendered it (CommonMark, raw HTML left out): the
// Markdown itself is never put into the page as HTML.
export const releaseBody = (r) => ({ __html: (r && r.bodyHtml) || '' });

export const PHOTO_MAX = 5 * 1024 * 1024;
export const ATTACHMENT_MAX = 10 * 1024 * 1024;

// A file's problem before upload (the service checks again): an i18n key or null.
export function checkReleaseFile(kind, size, head) {
  const type = sniffType(head);
  if (!size) return 'v.required';
  if (size > (kind === 'FILE_KIND_PHOTO' ? PHOTO_MAX : ATTACHMENT_MAX)) return 'rel.fileTooBig';
  if (kind === 'FILE_KIND_PHOTO' && type !== 'image/jpeg' && type !== 'image/png') return 'v.not_image';
  if (!type) return 'rel.fileBadType';
  return null;
}

// Fetch a release's file and hand it to the browser as a download.
export async function downloadFile(releaseId, fileId) {
  const r = await call('distribution', 'GetFile', { releaseId, fileId });
  const bin = atob(r.content || '');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: r.file?.contentType || 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = r.file?.fileName || 'berkas';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A delivery/read/pick-up count line for lists.
export function deliverySummary(d = {}) {
  const parts = [t('rel.delivered', { sent: d.sent || 0 })];
  if (d.queued) parts.push(t('rel.queued', { n: d.queued }));
  if (d.failed) parts.push(t('rel.failed', { n: d.failed }));
  if (d.bounced) parts.push(t('rel.bounced', { n: d.bounced }));
  return parts.join(', ');
}
