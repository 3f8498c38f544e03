// A consequential action asks first: the first click shows what will happen
// and two buttons, the action itself and cancel. Keyboard users land on the
// question (it takes the focus), screen readers hear it (role="alert").
import { html } from '../html.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';

// <ConfirmButton label question onConfirm busy testid kind /> : the button
// is `testid`, the confirmation `${testid}-confirm`, cancel `${testid}-cancel`.
export function ConfirmButton({ label, question, onConfirm, busy = false, disabled = false, testid, kind = 'primary', confirmLabel }) {
  const [asked, setAsked] = useState(false);
  return asked
    ? html`<${ConfirmBox} question=${question} busy=${busy} testid=${testid} confirmLabel=${confirmLabel || label} kind=${kind}
        onConfirm=${async () => { await onConfirm(); setAsked(false); }} onCancel=${() => setAsked(false)} />`
    : html`<button type="button" class=${`btn ${kind}`} disabled=${busy || disabled} onClick=${() => setAsked(true)} data-testid=${testid}>${label}</button>`;
}

// The question with its two buttons, for a form that asks on submit.
export function ConfirmBox({ question, onConfirm, onCancel, busy = false, testid, confirmLabel, kind = 'primary' }) {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, []);
  return html`<div class="confirm" role="alert" tabindex="-1" ref=${ref} data-testid=${`${testid}-question`}>
    <p>${question}</p>
    <div class="actions">
      <button type="button" class=${`btn ${kind}`} disabled=${busy} onClick=${onConfirm} data-testid=${`${testid}-confirm`}>${confirmLabel || t('common.confirm')}</button>
      <button type="button" class="btn" disabled=${busy} onClick=${onCancel} data-testid=${`${testid}-cancel`}>${t('common.cancel')}</button>
    </div>
  </div>`;
}
