// The summary of a failed action at the top of a form: the server's message,
// every field error (a button moves focus to its input), and violations
// that name no field of the form.
import { html } from '../html.js';
import { useEffect, useRef } from 'preact/hooks';
import { fieldId } from '../errors.js';
import { t } from '../i18n/index.js';
import { codeOf, describe, oneLanguage } from '../codes.js';

// A rule the service names in its refusal ("four_eyes.own_proposal",
// "bank.partner_only") in the chosen language, when the catalogue has it.
const RULE = /\b((?:four_eyes|bank)\.[a-z_]+)/;

function ruleText(message) {
  const m = RULE.exec(message || '');
  if (!m) return '';
  const s = t(`rule.${m[1]}`);
  return s === `rule.${m[1]}` ? '' : s;
}

// A status code ("NOT_FOUND") in words; one the catalogue lacks as "HTTP".
function statusWords(code) {
  const s = t(`error.status.${code}`);
  return s === `error.status.${code}` ? t('error.status.OTHER') : s;
}

export function errorText(err) {
  if (!err) return '';
  if (typeof err === 'string') return t(err);
  if (err.status === 0) return t('error.network');
  if (err.code === 'UNAUTHENTICATED') return (codeOf(err.message) ? describe(err.message) : err.message) || t('error.unauthenticated');
  if (err.code === 'PERMISSION_DENIED') return ruleText(err.message) || (codeOf(err.message) ? describe(err.message) : '') || err.message || t('error.denied');
  if (err.code === 'RESOURCE_EXHAUSTED') return (codeOf(err.message) ? describe(err.message) : err.message) || t('error.throttled');
  // Field violations are listed below the title, each by its label: the
  // server's message ("company.npwp: ...") would repeat one with its path.
  if (err.code === 'INVALID_ARGUMENT' && (err.violations || []).length) return t('form.fixErrors');
  if (codeOf(err.message)) return describe(err.message);
  return oneLanguage(err.message) || t('error.generic', { code: statusWords(err.code) });
}

// The words for a field path where the form gave no label: the form's own
// label, else the catalogue's label of that path ("company.npwp" is a key
// already), else of its last part ("field.expiresOn", "field.reason"),
// else nothing: a person never reads the path itself.
export function fieldLabel(path, labels = {}) {
  if (!path) return '';
  if (labels[path]) return labels[path];
  const plain = path.replace(/\[\d+\]/g, '');
  const last = plain.split('.').pop();
  for (const k of [plain, `field.${plain}`, `field.${last}`]) {
    const s = t(k);
    if (s !== k) return s;
  }
  return '';
}

export function ErrorSummary({ error, byField = {}, unmatched = [], labels = {}, testid = 'error-summary', prefix = '', onPick }) {
  const ref = useRef(null);
  useEffect(() => { if (error && ref.current) ref.current.focus(); }, [error]);
  if (!error) return html`<div role="alert" class="sr-only" data-testid=${testid + '-empty'}></div>`;
  const fields = Object.keys(byField);
  const focus = (f) => {
    // onPick lets a multi-step form show the step that holds the field first.
    if (onPick) onPick(f);
    setTimeout(() => { const el = document.getElementById(fieldId(f, prefix)); if (el) el.focus(); }, 0);
  };
  return html`<div class="error-summary" role="alert" tabindex="-1" ref=${ref} data-testid=${testid}>
    <p class="error-title">${errorText(error)}</p>
    ${fields.length || unmatched.length ? html`<ul>
      ${fields.map((f) => html`<li><button type="button" class="linklike" onClick=${() => focus(f)}>
        ${fieldLabel(f, labels) || t('form.thisField')}</button>: ${byField[f]}</li>`)}
      ${unmatched.map((v) => { const l = fieldLabel(v.field, labels); return html`<li>${l ? `${l}: ` : null}${v.description}</li>`; })}
    </ul>` : null}
  </div>`;
}

export function Notice({ children, kind = 'info', testid }) {
  return html`<div class=${`notice notice-${kind}`} role=${kind === 'error' ? 'alert' : 'status'} data-testid=${testid}>${children}</div>`;
}
