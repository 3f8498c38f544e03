// A small message lookup: Bahasa Indonesia by default, English second.
import id from './id.js';
import en from './en.js';
import * as press from './distribution.js';
import * as notices from './notices.js';

export const LOCALES = {
  id: { ...id, ...press.id, ...notices.id },
  en: { ...en, ...press.en, ...notices.en },
};
let current = 'id';

export function initialLocale() {
  try {
    const saved = globalThis.localStorage?.getItem('seklik.locale');
    if (saved && LOCALES[saved]) return saved;
  } catch { /* storage blocked */ }
  return 'id';
}

export function setLocale(l) {
  current = LOCALES[l] ? l : 'id';
  try { globalThis.localStorage?.setItem('seklik.locale', current); } catch { /* ignore */ }
  if (globalThis.document) globalThis.document.documentElement.lang = current;
}

export const locale = () => current;

// t('login.title'), t('x.count', {n: 3}) with "{n}" placeholders.
export function t(key, vars) {
  let s = LOCALES[current][key] ?? LOCALES.id[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

// An enum value's label: tEnum('CompanyStatus', 'COMPANY_STATUS_DRAFT').
export function tEnum(type, value) {
  const k = `enum.${type}.${value}`;
  const s = LOCALES[current][k] ?? LOCALES.id[k];
  return s ?? String(value ?? '');
}
