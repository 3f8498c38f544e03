// Outlets with their tier (scoring.ListTiers), and one outlet's score
// breakdown with the price ceilings of its tier.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { TierBadge } from '../components/Badge.js';
import { ScoreCard } from '../components/Score.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, formatRupiah } from '../format.js';
import { OUTLET_TYPES, TIERS } from '../enums.js';

export function Outlets() {
  const { year, locale } = useContext(AppContext);
  const [tier, setTier] = useState('');
  const [outletType, setOutletType] = useState('');
  const pages = usePageTokens();
  const { page } = pages;
  const d = useLoad(() => call('scoring', 'ListTiers', {
    fiscalYear: year, ...(tier ? { tier } : {}), ...(outletType ? { outletType } : {}), pageSize: 50, ...(page ? { pageToken: page } : {}),
  }), [year, tier, outletType, page]);
  return html`<section>
    <h1>${t('outlets.title', { year })}</h1>
    <div class="filters">
      <${Field} label=${t('tier.label')} name="tier" value=${tier} onInput=${(v) => { setTier(v); pages.reset(); }} testid="outlets-tier"
        options=${[{ value: '', label: t('common.any') }, ...TIERS.filter((x) => x !== 'TIER_NONE').map((x) => ({ value: x, label: tEnum('Tier', x) }))]} />
      <${Field} label=${t('outlet.type')} name="outletType" value=${outletType} onInput=${(v) => { setOutletType(v); pages.reset(); }} testid="outlets-type"
        options=${[{ value: '', label: t('common.any') }, ...OUTLET_TYPES.map((x) => ({ value: x, label: tEnum('OutletType', x) }))]} />
    </div>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="outlets-table" rowTestid="outlet-row" rowKey=${(s) => s.outletId} rows=${d.data.scores || []} empty=${t('outlets.empty')}
        columns=${[
          { label: t('outlet.name'), render: (s) => html`<a href=${`#/outlets/${s.outletId}`} data-testid="outlet-link">${s.outletName || s.outletId}</a>` },
          { label: t('outlet.type'), render: (s) => tEnum('OutletType', s.outletType) },
          { label: t('score.total'), render: (s) => html`<span data-testid="outlet-total">${s.total || 0}</span>` },
          { label: t('tier.label'), render: (s) => html`<${TierBadge} tier=${s.tier} />` },
          { label: t('outlets.company'), render: (s) => html`<a href=${`#/companies/${s.companyId}`}>${t('outlets.companyLink')}</a>` },
          { label: t('outlets.computedAt'), render: (s) => formatDateTime(s.computedAt, locale) },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}

export function OutletDetail({ outletId }) {
  const { year, locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const score = await call('scoring', 'GetScore', { outletId, fiscalYear: year })
      .catch((e) => { if (e.status === 404 || e.code === 'NOT_FOUND') return null; throw e; });
    const prices = await call('scoring', 'GetPriceStandard', { fiscalYear: year, version: 0 }).catch(() => null);
    return { score, prices };
  }, [outletId, year]);
  if (d.loading && !d.data) return html`<section><h1>${t('outlet.title')}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('outlet.title')}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { score, prices } = d.data;
  const entries = score && prices ? (prices.entries || []).filter((e) => e.outletType === score.outletType && (e.tier || 'TIER_NONE') === (score.tier || 'TIER_NONE')) : [];
  return html`<section data-testid="outlet-page">
    <h1>${score?.outletName || t('outlet.title')}</h1>
    ${score ? html`<dl class="facts">
      <dt>${t('outlet.type')}</dt><dd>${tEnum('OutletType', score.outletType)}</dd>
      <dt>${t('nav.year')}</dt><dd>${score.fiscalYear}</dd>
      <dt>${t('outlets.company')}</dt><dd><a href=${`#/companies/${score.companyId}`} data-testid="outlet-company-link">${t('outlets.companyLink')}</a></dd>
      <dt>${t('outlets.computedAt')}</dt><dd>${formatDateTime(score.computedAt, locale)}</dd>
    </dl>` : null}
    <h2>${t('score.title')}</h2>
    <${ScoreCard} score=${score} />
    ${entries.length ? html`<h2>${t('outlet.ceilings', { v: prices.version })}</h2>
      <${DataTable} testid="ceilings-table" rowTestid="ceiling-row" rowKey=${(e) => e.product} rows=${entries} columns=${[
        { label: t('price.product'), render: (e) => tEnum('Product', e.product) },
        { label: t('price.ceiling'), render: (e) => html`<span data-testid="ceiling-value">${formatRupiah(e.ceiling)}</span>` },
      ]} />` : null}
    <p><a href=${`/api/v1/public/outlets/${encodeURIComponent(outletId)}`} target="_blank" rel="noopener" data-testid="outlet-public-link">${t('outlet.publicProfile')}</a></p>
  </section>`;
}
