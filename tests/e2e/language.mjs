// What a person must not read on a screen: English words in the Indonesian
// UI, raw codes, catalogue keys, field paths and internal names in either
// language. Pure (no browser): lib.mjs checks pages with it, and
// web/test/language.test.js the catalogues themselves.

// English words a person must never read in the Indonesian UI: the words of
// buttons and messages a missing translation or a service's English text
// leaves behind. Chosen so that no Indonesian word, domain term (Dewan
// Pers, PPh, SP2D) or name in the test data is one of them.
export const ENGLISH_WORDS = [
  'the', 'and', 'must', 'should', 'cannot', 'please', 'required', 'invalid', 'error', 'errors', 'not found',
  'denied', 'forbidden', 'characters', 'bytes', 'loading', 'unknown', 'failed', 'missing', 'already', 'allowed',
  'save', 'cancel', 'submit', 'delete', 'remove', 'edit', 'choose', 'select', 'search', 'refresh', 'upload',
  'download', 'close', 'confirm', 'next', 'previous', 'back', 'yes', 'is', 'are', 'was', 'at most', 'at least',
  'too long', 'too large', 'expected', 'field', 'empty', 'none', 'none yet', 'with', 'without', 'from', 'this',
  'that', 'which', 'your', 'you', 'only', 'been', 'has', 'have', 'not', 'no longer', 'page', 'file', 'files',
];

// One pattern for the whole list, a word standing on its own (not inside
// another word, a name with a hyphen or a code with an underscore).
const ENGLISH_RE = new RegExp(`(?<![\\p{L}\\p{N}_-])(?:${[...ENGLISH_WORDS].sort((a, b) => b.length - a.length)
  .map((w) => w.replace(/ /g, '\\s+')).join('|')})(?![\\p{L}\\p{N}_-])`, 'giu');

// The offences in one text: English words (when `locale` is "id"), raw
// codes and catalogue keys ("company.not_found", "code.required",
// "nav.users"), field paths ("company.npwp", "document.expiresOn",
// "items[0]") and internal names (UPPER_SNAKE enum values, in_review).
// Addresses, e-mail addresses, file names and numbers are not codes.
const NOT_CODES = /^(pdf|png|jpe?g|csv|json|html?|txt|id|com|org|net|go|co|ac|or|example|localhost)$/i;
export function languageOffences(text, locale) {
  const found = [];
  const s = String(text);
  if (locale === 'id') {
    const words = new Set([...s.matchAll(ENGLISH_RE)].map((m) => m[0].toLowerCase().replace(/\s+/g, ' ')));
    for (const w of words) found.push(`English "${w}"`);
  }
  for (const raw of s.split(/\s+/)) {
    if (!raw || /[@/]|:\/\//.test(raw)) continue; // e-mail addresses, URLs, dates with slashes
    const tok = raw.replace(/^[("'“‘[]+/, '').replace(/[)"'”’.,;:!?…]+$/, '');
    if (/^[a-z][A-Za-z0-9_]*(?:\[\d+\])/.test(tok)) found.push(`field path "${tok}"`);
    else if (/^[a-z][A-Za-z0-9_]+(?:\.[A-Za-z_][A-Za-z0-9_]+)+$/.test(tok) && !NOT_CODES.test(tok.split('.').pop())) found.push(`code or field path "${tok}"`);
    else if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(tok)) found.push(`internal name "${tok}"`);
    else if (/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(tok)) found.push(`internal name "${tok}"`);
  }
  return found;
}

