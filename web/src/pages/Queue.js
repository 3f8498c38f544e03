// The verification queue: cases by state and fiscal year.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { CASE_STATES } from '../enums.js';

export function Queue() {
  const { year, locale } = useContext(AppContext);
  const [state, setState] = useState('');
  const [allYears, setAllYears] = useState(false);
  const [awaiting, setAwaiting] = useState(false);
  const pages = usePageTokens();
  const { page } = pages;
  const d = useLoad(() => call('verification', 'ListCases', {
    ...(state ? { state } : {}), ...(allYears ? {} : { fiscalYear: year }), pageSize: 50, ...(page ? { pageToken: page } : {}),
    ...(awaiting ? { awaitingApproval: true } : {}),
  }), [state, allYears, awaiting, year, page]);
  return html`<section>
    <h1>${t('queue.title')}</h1>
    <div class="filters">
      <${Field} label=${t('common.status')} name="state" value=${state} onInput=${(v) => { setState(v); pages.reset(); }} testid="queue-state"
        options=${[{ value: '', label: t('common.any') }, ...CASE_STATES.map((s) => ({ value: s, label: tEnum('CaseState', s) }))]} />
      <${Field} label=${t('queue.allYears')} name="allYears" type="checkbox" value=${allYears} onInput=${(v) => { setAllYears(v); pages.reset(); }} testid="queue-all-years" />
      <${Field} label=${t('queue.awaiting')} name="awaiting" type="checkbox" value=${awaiting} onInput=${(v) => { setAwaiting(v); pages.reset(); }} testid="queue-awaiting" />
      <div class="actions"><button type="button" class="btn" onClick=${d.reload} data-testid="queue-refresh">${t('common.refresh')}</button></div>
    </div>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="queue-table" rowTestid="case-row" rows=${d.data.cases || []} empty=${t('queue.empty')}
        columns=${[
          { label: t('company.legalName'), render: (c) => html`<a href=${`#/verification/${c.id}`} data-testid="case-link">${c.companyName || c.companyId}</a>` },
          { label: t('common.status'), render: (c) => html`<${StatusBadge} type="CaseState" value=${c.state} testid="case-state" />${c.pendingProposal
            ? html` <span class="badge badge-warn" data-testid="case-awaiting">${t('queue.awaitingBadge')}: ${tEnum('Outcome', c.pendingProposal.outcome)}</span>` : null}` },
          { label: t('nav.year'), render: (c) => c.fiscalYear },
          { label: t('queue.openedAt'), render: (c) => formatDateTime(c.openedAt, locale) },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}
