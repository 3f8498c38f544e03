// A service's stable code in the chosen language. Services start a
// description or message with a code ("document.expired: the document has
// expired already"); the catalogues hold its words under "code.<code>".
// Anything else is returned as it came.
import { t } from './i18n/index.js';

const LEADING = /^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+):\s/;

export function codeOf(text) {
  const m = LEADING.exec(text || '');
  return m ? m[1] : '';
}

export function describe(text) {
  const code = codeOf(text);
  if (!code) return text;
  const s = t(`code.${code}`);
  return s === `code.${code}` ? text : s;
}
