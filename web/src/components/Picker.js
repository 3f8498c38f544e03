// Choose one of many by searching its name (a company, a user): a text
// field, a search button, the matches as buttons; the choice is shown in
// the field's hint and can be cleared.
import { html } from '../html.js';
import { useState } from 'preact/hooks';
import { Field } from './Field.js';
import { t } from '../i18n/index.js';

// search(q) -> Promise<[{ id, label }]>; value: the chosen { id, label } or null.
export function Picker({ label, name, testid, search, value, onPick, errors = {}, required = false, prefix = '' }) {
  const [q, setQ] = useState('');
  const [options, setOptions] = useState([]);
  const [searched, setSearched] = useState(false);
  const find = async () => { setOptions(q.trim() ? await search(q.trim()).catch(() => []) : []); setSearched(true); };
  return html`<div class="picker">
    <${Field} label=${label} name=${name} value=${q} onInput=${setQ} testid=${`${testid}-query`} errors=${errors} required=${required} prefix=${prefix}
      hint=${t('picker.hint')} />
    ${value ? html`<p class="picked" role="status" data-testid=${`${testid}-picked`}>${t('picker.picked', { name: value.label })}</p>` : null}
    <div class="actions">
      <button type="button" class="btn small" onClick=${find} data-testid=${`${testid}-find`}>${t('common.search')}</button>
      ${value ? html`<button type="button" class="btn small" onClick=${() => onPick(null)} data-testid=${`${testid}-clear`}>${t('picker.clear')}</button>` : null}
    </div>
    ${searched && !options.length ? html`<p class="muted" role="status" data-testid=${`${testid}-none`}>${t('picker.none')}</p>` : null}
    ${options.length ? html`<ul class="plain options" data-testid=${`${testid}-options`}>${options.map((o) => html`<li>
      <button type="button" class="linklike" onClick=${() => { onPick(o); setOptions([]); setQ(''); }} data-testid=${`${testid}-option`}>${o.label}</button></li>`)}</ul>` : null}
  </div>`;
}

