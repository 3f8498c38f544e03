// Dashboard: companies by verification status, and outlets by tier and type
// (a Chart.js chart with the same figures as a table).
import { html, AppContext } from '../html.js';
import { useContext } from 'preact/hooks';
import { listAll } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { ChartCanvas } from '../components/ChartCanvas.js';
import { Loading } from '../components/Table.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { StatusBadge, tierLetter } from '../components/Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { COMPANY_STATUSES, OUTLET_TYPES, TIERS } from '../enums.js';

const TIER_COLORS = { TIER_A: '#1a7f37', TIER_B: '#0b5cad', TIER_C: '#9a6700', TIER_NONE: '#6e7781' };

export function countByStatus(companies) {
  const counts = Object.fromEntries(COMPANY_STATUSES.map((s) => [s, 0]));
  for (const c of companies) {
    const s = c.status || 'COMPANY_STATUS_UNSPECIFIED';
    counts[s] = (counts[s] || 0) + 1;
  }
  return counts;
}

export function tierMatrix(scores) {
  const m = Object.fromEntries(TIERS.map((tr) => [tr, Object.fromEntries(OUTLET_TYPES.map((o) => [o, 0]))]));
  for (const s of scores) {
    const tr = s.tier || 'TIER_NONE';
    const ty = s.outletType;
    if (m[tr] && ty in m[tr]) m[tr][ty] += 1;
  }
  return m;
}

export function Dashboard() {
  const { year, locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const [companies, scores] = await Promise.all([
      listAll('registry', 'ListCompanies', {}, 'companies'),
      listAll('scoring', 'ListTiers', { fiscalYear: year }, 'scores').catch(() => []),
    ]);
    return { companies, scores };
  }, [year]);

  let content;
  if (d.loading) content = html`<${Loading} />`;
  else if (d.error) content = html`<${ErrorSummary} error=${d.error} />`;
  else {
    const counts = countByStatus(d.data.companies);
    const m = tierMatrix(d.data.scores);
    const config = {
      type: 'bar',
      data: {
        labels: OUTLET_TYPES.map((o) => tEnum('OutletType', o)),
        datasets: TIERS.map((tr) => ({
          label: tr === 'TIER_NONE' ? t('tier.none') : `${t('tier.label')} ${tierLetter(tr)}`,
          data: OUTLET_TYPES.map((o) => m[tr][o]), backgroundColor: TIER_COLORS[tr],
        })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    content = html`
      <section aria-labelledby="h-status">
        <h2 id="h-status">${t('dash.byStatus')}</h2>
        <ul class="cards" data-testid="status-counts">
          ${COMPANY_STATUSES.map((s) => html`<li class="card" data-testid="status-count" data-status=${s}>
            <a href=${`#/companies?status=${s}`}><span class="big" data-testid="status-count-value">${counts[s] || 0}</span>
            <${StatusBadge} type="CompanyStatus" value=${s} testid="status-count-badge" /></a></li>`)}
        </ul>
        <p class="muted">${t('dash.total', { n: d.data.companies.length })}</p>
      </section>
      <section aria-labelledby="h-tier">
        <h2 id="h-tier">${t('dash.byTier', { year })}</h2>
        <${ChartCanvas} config=${config} label=${t('dash.chartLabel', { year })} testid="tier-chart" key=${locale} />
        <div class="table-wrap"><table data-testid="tier-table">
          <caption>${t('dash.tableCaption', { year })}</caption>
          <thead><tr><th scope="col">${t('outlet.type')}</th>${TIERS.map((tr) => html`<th scope="col">${tr === 'TIER_NONE' ? t('tier.none') : `${t('tier.label')} ${tierLetter(tr)}`}</th>`)}</tr></thead>
          <tbody>${OUTLET_TYPES.map((o) => html`<tr><th scope="row">${tEnum('OutletType', o)}</th>
            ${TIERS.map((tr) => html`<td data-label=${tr === 'TIER_NONE' ? t('tier.none') : `${t('tier.label')} ${tierLetter(tr)}`}
              data-testid=${`tier-cell-${tierLetter(tr)}-${o}`}>${m[tr][o]}</td>`)}</tr>`)}</tbody>
        </table></div>
      </section>`;
  }
  return html`<section><h1>${t('dash.title')}</h1>${content}</section>`;
}
