// The companies list (staff): search and filters, one page at a time.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { StatusBadge, TierBadge } from '../components/Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { COMPANY_STATUSES, OUTLET_TYPES } from '../enums.js';

function statusFromHash() {
  const m = /[?&]status=([A-Z_]+)/.exec(location.hash);
  return m ? m[1] : '';
}

export function Companies() {
  const { user, locale } = useContext(AppContext);
  const [filter, setFilter] = useState({ query: '', status: statusFromHash(), outletType: '', tier: '' });
  const [applied, setApplied] = useState(filter);
  const pages = usePageTokens();
  const { page } = pages;
  const d = useLoad(() => call('registry', 'ListCompanies', {
    query: applied.query, pageSize: 20,
    ...(applied.status ? { status: applied.status } : {}),
    ...(applied.outletType ? { outletType: applied.outletType } : {}),
    ...(applied.tier ? { tier: applied.tier } : {}),
    ...(page ? { pageToken: page } : {}),
  }), [JSON.stringify(applied), page]);
  const set = (k) => (v) => setFilter({ ...filter, [k]: v });
  const canCreate = user.roles.some((r) => ['admin', 'partnership', 'verifier'].includes(r));
  const search = (e) => { e.preventDefault(); setApplied(filter); pages.reset(); };

  return html`<section>
    <div class="page-head"><h1>${t('companies.title')}</h1>
      ${canCreate ? html`<a class="btn primary" href="#/companies/new" data-testid="company-new">${t('companies.new')}</a>` : null}</div>
    <form class="filters" onSubmit=${search} role="search">
      <${Field} label=${t('companies.search')} name="query" value=${filter.query} onInput=${set('query')} testid="companies-query" />
      <${Field} label=${t('common.status')} name="status" value=${filter.status} onInput=${set('status')} testid="companies-status"
        options=${[{ value: '', label: t('common.any') }, ...COMPANY_STATUSES.map((s) => ({ value: s, label: tEnum('CompanyStatus', s) }))]} />
      <${Field} label=${t('outlet.type')} name="outletType" value=${filter.outletType} onInput=${set('outletType')} testid="companies-type"
        options=${[{ value: '', label: t('common.any') }, ...OUTLET_TYPES.map((s) => ({ value: s, label: tEnum('OutletType', s) }))]} />
      <${Field} label=${t('tier.label')} name="tier" value=${filter.tier} onInput=${set('tier')} testid="companies-tier"
        options=${[{ value: '', label: t('common.any') }, { value: 'A', label: 'A' }, { value: 'B', label: 'B' }, { value: 'C', label: 'C' }, { value: '-', label: t('tier.none') }]} />
      <div class="actions"><button class="btn" type="submit" data-testid="companies-search">${t('common.search')}</button></div>
    </form>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="companies-table" rowTestid="company-row" rows=${d.data.companies || []} empty=${t('companies.empty')}
        columns=${[
          { label: t('company.legalName'), render: (c) => html`<a href=${`#/companies/${c.id}`} data-testid="company-link">${c.legalName}</a>` },
          { label: t('common.status'), render: (c) => html`<${StatusBadge} type="CompanyStatus" value=${c.status} />` },
          { label: t('companies.outlets'), render: (c) => html`${c.outletCount || 0} ${(c.outletTypes || []).map((o) => tEnum('OutletType', o)).join(', ')}` },
          { label: t('tier.label'), render: (c) => (c.tiers || []).map((x) => html`<${TierBadge} tier=${x} /> `) },
          { label: t('companies.registeredAt'), render: (c) => formatDateTime(c.registeredAt, locale) },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}
