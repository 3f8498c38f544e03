// The documents each outlet type must provide for a fiscal year
// (verification's requirement sets): the published set and the draft that
// opening the year copied from last year's; the admin edits and publishes.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { ConfirmBox } from '../components/Confirm.js';
import { Loading } from '../components/Table.js';
import { StatusBadge } from '../components/Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { DOCUMENT_TYPES, OUTLET_TYPES } from '../enums.js';

// A set's requirements -> { type: 'required' | 'optional' | '' , fresh: bool } per document type.
export function toRows(set) {
  const rows = Object.fromEntries(DOCUMENT_TYPES.map((d) => [d, { level: '', fresh: false }]));
  for (const r of set?.requirements || []) if (rows[r.type]) rows[r.type] = { level: r.required ? 'required' : 'optional', fresh: !!r.mustNotBeExpired };
  return rows;
}
export function fromRows(rows) {
  return DOCUMENT_TYPES.filter((d) => rows[d].level).map((d) => ({ type: d, required: rows[d].level === 'required', mustNotBeExpired: !!rows[d].fresh }));
}

export function RequirementSets() {
  const { year, user, locale } = useContext(AppContext);
  const isAdmin = user.roles.includes('admin');
  const [type, setType] = useState('OUTLET_TYPE_SIBER');
  const d = useLoad(() => call('verification', 'ListRequirementSets', { fiscalYear: year }).then((r) => r.sets || []), [year]);
  const sets = (d.data || []).filter((s) => s.outletType === type);
  const published = sets.find((s) => !s.draft);
  const draft = sets.find((s) => s.draft);
  const [rows, setRows] = useState(toRows(null));
  const [asking, setAsking] = useState(false);
  const [msg, setMsg] = useState('');
  const f = useAction();
  useEffect(() => { setRows(toRows(draft || published)); setMsg(''); f.clear(); setAsking(false); },
    [year, type, draft && draft.publishedAt, published && published.version]);

  const publish = async () => {
    setAsking(false);
    const out = await f.run((act) => act.run('verification', 'PublishRequirementSet', { fiscalYear: year, outletType: type, requirements: fromRows(rows) }),
      ['requirements']);
    if (out) { setMsg(t('reqs.published', { v: out.version })); d.reload(); }
  };
  const setRow = (doc, v) => setRows({ ...rows, [doc]: { ...rows[doc], ...v } });

  return html`<section data-testid="requirements-page">
    <h1>${t('reqs.title', { year })}</h1>
    <p class="hint">${t('reqs.intro')}</p>
    <div class="tabs" role="tablist" aria-label=${t('outlet.type')}>
      ${OUTLET_TYPES.map((ty) => html`<button type="button" role="tab" aria-selected=${ty === type ? 'true' : 'false'} class=${`tab${ty === type ? ' active' : ''}`}
        onClick=${() => setType(ty)} data-testid=${`reqs-tab-${ty}`}>${tEnum('OutletType', ty)}</button>`)}
    </div>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
    <dl class="facts">
      <dt>${t('rules.publishedVersion')}</dt><dd data-testid="reqs-published">${published ? html`v${published.version} <${StatusBadge} type="SetState" value="SET_STATE_PUBLISHED" /> ${formatDateTime(published.publishedAt, locale)}` : '—'}</dd>
      <dt>${t('rules.draft')}</dt><dd data-testid="reqs-draft">${draft ? html`<${StatusBadge} type="SetState" value="SET_STATE_DRAFT" /> ${formatDateTime(draft.publishedAt, locale)}` : t('rules.noDraft')}</dd>
    </dl>
    ${!isAdmin ? html`<${Notice} kind="info">${t('rules.readOnly')}<//>` : null}
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="reqs-errors" />
    ${msg ? html`<${Notice} kind="ok" testid="reqs-saved">${msg}<//>` : null}
    <form onSubmit=${(e) => { e.preventDefault(); setAsking(true); }} novalidate>
      <div class="table-wrap"><table class="compact" data-testid="reqs-table">
        <caption>${t('reqs.caption', { type: tEnum('OutletType', type) })}</caption>
        <thead><tr><th scope="col">${t('doc.type')}</th><th scope="col">${t('reqs.level')}</th><th scope="col">${t('reqs.fresh')}</th></tr></thead>
        <tbody>${DOCUMENT_TYPES.map((doc) => html`<tr data-testid="reqs-row" data-type=${doc}>
          <th scope="row"><label for=${`req-${doc}`}>${tEnum('DocumentType', doc)}</label></th>
          <td data-label=${t('reqs.level')}><select id=${`req-${doc}`} value=${rows[doc].level} disabled=${!isAdmin} data-testid="reqs-level"
            onChange=${(e) => setRow(doc, { level: e.currentTarget.value })}>
            <option value="">${t('reqs.notAsked')}</option><option value="required">${t('reqs.required')}</option><option value="optional">${t('reqs.optional')}</option></select></td>
          <td data-label=${t('reqs.fresh')}><label class="check"><input type="checkbox" checked=${rows[doc].fresh} disabled=${!isAdmin || !rows[doc].level}
            onChange=${(e) => setRow(doc, { fresh: e.currentTarget.checked })} data-testid="reqs-fresh" /> <span class="sr-only">${t('reqs.fresh')}: ${tEnum('DocumentType', doc)}</span></label></td>
        </tr>`)}</tbody></table></div>
      ${isAdmin ? (asking ? html`<${ConfirmBox} question=${t('reqs.confirm', { type: tEnum('OutletType', type), year })} onConfirm=${publish}
          onCancel=${() => setAsking(false)} busy=${f.busy} testid="reqs-publish" confirmLabel=${t('rules.publish')} />`
        : html`<div class="actions"><button type="submit" class="btn primary" disabled=${f.busy} data-testid="reqs-publish">${t('rules.publish')}</button></div>`) : null}
    </form>`}
  </section>`;
}
