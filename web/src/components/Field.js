// A labelled form field with its error: aria-invalid and aria-describedby
// tie the message to the input; the message itself is in a live region.
import { html } from '../html.js';
import { fieldId } from '../errors.js';

export function Field({
  label, name, value, onInput, type = 'text', errors = {}, required = false, hint, options,
  testid, prefix = '', multiline = false, autocomplete, disabled = false, min, max, step, inputmode, placeholder,
}) {
  const id = fieldId(name, prefix);
  const err = errors[name];
  const described = [hint ? `${id}-hint` : null, err ? `${id}-err` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name, disabled, required,
    'aria-invalid': err ? 'true' : undefined,
    'aria-describedby': described,
    'data-testid': testid || `field-${name}`,
  };
  let input;
  if (options) {
    input = html`<select ...${common} value=${value ?? ''}
        onChange=${(e) => onInput(e.currentTarget.value)}>
      ${options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>`;
  } else if (type === 'checkbox') {
    input = html`<input type="checkbox" ...${common} checked=${!!value}
        onChange=${(e) => onInput(e.currentTarget.checked)} />`;
  } else if (multiline) {
    input = html`<textarea ...${common} rows="3" value=${value ?? ''} placeholder=${placeholder}
        onInput=${(e) => onInput(e.currentTarget.value)}></textarea>`;
  } else {
    input = html`<input type=${type} ...${common} value=${value ?? ''} autocomplete=${autocomplete}
        min=${min} max=${max} step=${step} inputmode=${inputmode} placeholder=${placeholder}
        onInput=${(e) => onInput(e.currentTarget.value)} />`;
  }
  return html`<div class=${`field${type === 'checkbox' ? ' field-check' : ''}${err ? ' has-error' : ''}`}>
    <label for=${id}>${label}${required ? html`<span class="req" aria-hidden="true"> *</span>` : null}</label>
    ${input}
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
    <p class="field-error" id=${`${id}-err`} role="status" aria-live="polite"
       data-testid=${`error-${name}`}>${err || ''}</p>
  </div>`;
}
