// The price standard editor: a ceiling per outlet type x product x tier in
// whole rupiah (VAT included). Save as draft, then publish (admin).
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { useAction, useLoad } from '../components/hooks.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, formatRupiah, parseRupiah } from '../format.js';
import { fieldId, normalizeField } from '../errors.js';
import { OUTLET_TYPES, PRODUCTS_BY_TYPE } from '../enums.js';
import { ConfirmButton } from '../components/Confirm.js';
import { loadPublishedAndDraft } from './drafts.js';

const PAID_TIERS = ['TIER_A', 'TIER_B', 'TIER_C'];
const cellKey = (type, product, tier) => `${type}|${product}|${tier}`;

// The grid's cells (strings as typed) -> entries, and which cell each entry came from.
export function gridToEntries(cells) {
  const entries = [];
  const from = [];
  for (const type of OUTLET_TYPES) for (const product of PRODUCTS_BY_TYPE[type]) for (const tier of PAID_TIERS) {
    const k = cellKey(type, product, tier);
    const raw = (cells[k] ?? '').trim();
    if (!raw) continue;
    entries.push({ outletType: type, product, tier, ceiling: parseRupiah(raw) ?? raw });
    from.push(k);
  }
  return { entries, from };
}

export function PriceEditor() {
  const { year, user, locale } = useContext(AppContext);
  const isAdmin = user.roles.includes('admin');
  const d = useLoad(() => loadPublishedAndDraft('GetPriceStandard', year), [year]);
  const [cells, setCells] = useState({});
  const [type, setType] = useState('OUTLET_TYPE_SIBER');
  const [msg, setMsg] = useState('');
  const [cellErr, setCellErr] = useState({});
  const f = useAction();
  const base = d.data ? d.data.draft || d.data.published : null;
  useEffect(() => {
    const c = {};
    for (const e of base?.entries || []) c[cellKey(e.outletType, e.product, e.tier)] = formatRupiah(e.ceiling).replace(/^Rp /, '');
    setCells(c);
  }, [base && base.id, base && base.version, year]);

  if (d.loading && !d.data) return html`<section><h1>${t('prices.title', { year })}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('prices.title', { year })}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { published, draft } = d.data;

  const save = async () => {
    setMsg('');
    const { entries, from } = gridToEntries(cells);
    // entries[i].x -> the cell's field name, so the error sits next to its input.
    const out = await f.run(async (act) => {
      try { return await act.run('scoring', 'SavePriceStandardDraft', { fiscalYear: year, entries }); } catch (e) {
        e.violations = (e.violations || []).map((v) => {
          const m = /^entries\[(\d+)\]/.exec(normalizeField(v.field));
          return m && from[+m[1]] ? { ...v, field: `cell.${from[+m[1]]}` } : v;
        });
        throw e;
      }
    }, Object.keys(cells).map((k) => `cell.${k}`).concat(['entries']));
    if (out) { setMsg(t('rules.draftSaved', { v: out.version })); d.reload(); }
  };
  const publish = async () => {
    setMsg('');
    const out = await f.run((act) => act.run('scoring', 'PublishPriceStandard', { fiscalYear: year }), []);
    if (out) { setMsg(t('rules.published', { v: out.version })); d.reload(); }
  };
  const onCell = (k, v) => {
    setCells({ ...cells, [k]: v });
    setCellErr({ ...cellErr, [k]: v.trim() && parseRupiah(v) === null ? t('prices.badAmount') : '' });
  };
  const errOf = (k) => f.byField[`cell.${k}`] || cellErr[k] || '';

  return html`<section data-testid="prices-page">
    <h1>${t('prices.title', { year })}</h1>
    <dl class="facts">
      <dt>${t('rules.publishedVersion')}</dt><dd data-testid="prices-published-version">${published ? html`v${published.version} <${StatusBadge} type="SetState" value=${published.state} /> ${formatDateTime(published.publishedAt, locale)}` : '—'}</dd>
      <dt>${t('rules.draft')}</dt><dd data-testid="prices-draft">${draft ? html`v${draft.version} <${StatusBadge} type="SetState" value=${draft.state} />` : t('rules.noDraft')}</dd>
    </dl>
    <p class="hint">${t('prices.hint')}</p>
    ${!isAdmin ? html`<${Notice} kind="info">${t('rules.readOnly')}<//>` : null}
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="prices-errors"
      labels=${Object.fromEntries(Object.keys(cells).map((k) => { const [ty, p, tr] = k.split('|'); return [`cell.${k}`, `${tEnum('OutletType', ty)} · ${tEnum('Product', p)} · ${tEnum('Tier', tr)}`]; }))} />
    ${msg ? html`<${Notice} kind="ok" testid="prices-saved">${msg}<//>` : null}
    <div class="tabs" role="tablist" aria-label=${t('outlet.type')}>
      ${OUTLET_TYPES.map((ty) => html`<button type="button" role="tab" aria-selected=${ty === type ? 'true' : 'false'} class=${`tab${ty === type ? ' active' : ''}`}
        onClick=${() => setType(ty)} data-testid=${`prices-tab-${ty}`}>${tEnum('OutletType', ty)}</button>`)}
    </div>
    <form onSubmit=${(e) => { e.preventDefault(); save(); }} novalidate>
      <div class="table-wrap"><table class="price-grid" data-testid="price-grid">
        <caption>${t('prices.caption', { type: tEnum('OutletType', type) })}</caption>
        <thead><tr><th scope="col">${t('price.product')}</th>${PAID_TIERS.map((tr) => html`<th scope="col">${tEnum('Tier', tr)}</th>`)}</tr></thead>
        <tbody>${PRODUCTS_BY_TYPE[type].map((p) => html`<tr data-testid="price-row" data-product=${p}>
          <th scope="row">${tEnum('Product', p)}</th>
          ${PAID_TIERS.map((tr) => {
            const k = cellKey(type, p, tr);
            const id = fieldId(`cell.${k}`);
            const err = errOf(k);
            return html`<td class=${err ? 'has-error' : ''} data-label=${tEnum('Tier', tr)}>
              <label class="sr-only" for=${id}>${tEnum('Product', p)} — ${tEnum('Tier', tr)} (Rp)</label>
              <span class="rp-input"><span aria-hidden="true">Rp</span><input id=${id} inputmode="numeric" value=${cells[k] || ''} disabled=${!isAdmin}
                aria-invalid=${err ? 'true' : undefined} aria-describedby=${err ? `${id}-err` : undefined}
                onInput=${(e) => onCell(k, e.currentTarget.value)} data-testid="price-cell" data-tier=${tr} /></span>
              ${err ? html`<p class="field-error" id=${`${id}-err`} role="status">${err}</p>` : null}
            </td>`;
          })}
        </tr>`)}</tbody>
      </table></div>
      ${isAdmin ? html`<div class="actions">
        <button type="submit" class="btn" disabled=${f.busy} data-testid="prices-save">${t('rules.saveDraft')}</button>
        <${ConfirmButton} label=${t('rules.publish')} question=${t('prices.publishConfirm', { year, v: draft?.version || '' })} onConfirm=${publish}
          busy=${f.busy} disabled=${!draft} testid="prices-publish" />
      </div>` : null}
    </form>
  </section>`;
}
