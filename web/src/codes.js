// A service's stable code in the chosen language. A field violation carries
// its code ("required", "npwp.invalid") next to an English description; the
// catalogues hold the words under "code.<code>". Older refusals start their
// description or message with the code ("document.expired: the document has
// expired already"). Anything without words is returned as it came.
import { t, tEnum, locale } from './i18n/index.js';

const LEADING = /^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+):\s/;

export function codeOf(text) {
  const m = LEADING.exec(text || '');
  return m ? m[1] : '';
}

// A service text written in both languages, "<Indonesian> (<English>)"
// (accounting's older refusals), in the chosen one; sizes in MB and lengths
// in characters, as the rest of the UI says them. Any other text as it came.
const BILINGUAL = /^(.*\S) \(([A-Za-z][^()]*)\)\.?$/;
export function oneLanguage(text) {
  let s = String(text ?? '');
  const m = BILINGUAL.exec(s);
  if (m && /\s/.test(m[2])) s = locale() === 'en' ? m[2] : m[1];
  return s.replace(/(\d+) bytes?\b/g, (_, n) => `${n} ${t('unit.characters')}`)
    .replace(/(\d+) MiB\b/g, '$1 MB').replace(/(\d+) KiB\b/g, '$1 KB');
}

export function describe(text) {
  const code = codeOf(text);
  if (!code) return oneLanguage(text);
  const s = t(`code.${code}`, limitVars(text));
  return s === `code.${code}` || /\{(n|m|size)\}/.test(s) ? text : s;
}

// The numbers a description carries ("at most 200 characters", "must be
// between 1 and 5", "at most 10 MiB"), for the catalogue's {n}, {m} and
// {size}: a limit is stated once, by the service, in either language.
export function limitVars(text) {
  const s = String(text ?? '');
  const nums = s.match(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi) || [];
  const size = /(\d+(?:\.\d+)? (?:MiB|KiB|byte))/.exec(s);
  const vars = {};
  if (nums[0] !== undefined) vars.n = nums[0];
  if (nums[1] !== undefined) vars.m = nums[1];
  // The UI says sizes in MB and KB (1024-based, as format.js does), whatever
  // unit the service's text used.
  if (size) vars.size = size[1].replace(/MiB$/, 'MB').replace(/KiB$/, 'KB');
  return vars;
}

// A violation {field, code, description} in the chosen language: the
// catalogue's text for its code (with the limits of its description filled
// in), else the words of a code leading its description, else the
// description as the service wrote it.
export function violationWords(v) {
  const code = v && typeof v.code === 'string' ? v.code : '';
  if (code) {
    const key = `code.${code}`;
    const s = t(key, limitVars(v.description));
    if (s !== key && !/\{(n|m|size)\}/.test(s)) return s;
  }
  return describe(v ? v.description : '');
}

// A verification finding in the chosen language: its code's words with the
// document type and the value it is about (detail); the service's English
// message only for a code without words.
export function findingWords(f) {
  if (!f) return '';
  const key = `finding.${f.code}`;
  const detail = f.code === 'requirement_set_missing' && f.detail ? tEnum('OutletType', f.detail) : (f.detail || '');
  const s = t(key, { doc: f.documentType ? tEnum('DocumentType', f.documentType) : '', detail });
  return s === key ? (f.message || f.code || '') : s;
}
