// Dashboard: companies by verification status, and outlets by tier and type
// (a Chart.js chart with the same figures as a table).
import { html, AppContext } from '../html.js';
import { useContext } from 'preact/hooks';
import { call, listAll } from '../api.js';
import { formatRupiah } from '../format.js';
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

// Each role's work first: the verifier's queue, finance's money, the PR
// office's releases; the head and the admin see all of them.
const has = (user, roles) => user.roles.some((r) => roles.includes(r));
const QUEUE_ROLES = ['verifier', 'head', 'admin'];
const MONEY_ROLES = ['finance', 'head', 'admin', 'partnership'];
const RELEASE_ROLES = ['pr', 'head', 'admin', 'partnership'];
const RELEASE_STATES = ['RELEASE_STATE_DRAFT', 'RELEASE_STATE_SCHEDULED', 'RELEASE_STATE_SENT'];

// "100+" when a page of `max` came back with more behind it.
const countOf = (list, next, max) => (next && list.length >= max ? `${max}+` : String(list.length));

async function loadWork(user, year) {
  const cases = (extra) => call('verification', 'ListCases', { fiscalYear: year, pageSize: 100, ...extra })
    .then((r) => countOf(r.cases || [], r.nextPageToken, 100));
  const [queue, money, releases] = await Promise.all([
    has(user, QUEUE_ROLES) ? Promise.all([cases({ state: 'CASE_STATE_IN_REVIEW' }), cases({ state: 'CASE_STATE_VISIT_PENDING' }),
      cases({ awaitingApproval: true })]).then(([review, visit, approval]) => ({ review, visit, approval })) : null,
    has(user, MONEY_ROLES) ? call('accounting', 'ListBudgetLines', { fiscalYear: year }).then((r) => r.total || {}).catch(() => null) : null,
    has(user, RELEASE_ROLES) ? Promise.all(RELEASE_STATES.map((state) => call('distribution', 'ListReleases', { state, pageSize: 100 })
      .then((r) => [state, countOf(r.releases || [], r.nextPageToken, 100)]))).then(Object.fromEntries).catch(() => null) : null,
  ]);
  return { queue, money, releases };
}

function Work() {
  const { year, user } = useContext(AppContext);
  const d = useLoad(() => loadWork(user, year), [year, user.id]);
  if (d.loading && !d.data) return html`<${Loading} />`;
  if (d.error) return html`<${ErrorSummary} error=${d.error} />`;
  const { queue, money, releases } = d.data;
  const card = (testid, n, label, href) => html`<li class="card" data-testid=${testid}>
    <a href=${href}><span class="big" data-testid=${`${testid}-value`}>${n}</span> <span>${label}</span></a></li>`;
  return html`
    ${queue ? html`<section aria-labelledby="h-work-queue" data-testid="work-queue">
      <h2 id="h-work-queue">${t('dash.queue', { year })}</h2>
      <ul class="cards">
        ${card('work-review', queue.review, tEnum('CaseState', 'CASE_STATE_IN_REVIEW'), '#/verification')}
        ${card('work-visit', queue.visit, tEnum('CaseState', 'CASE_STATE_VISIT_PENDING'), '#/verification')}
        ${card('work-approval', queue.approval, t('queue.awaitingBadge'), '#/verification')}
      </ul></section>` : null}
    ${money ? html`<section aria-labelledby="h-work-money" data-testid="work-money">
      <h2 id="h-work-money">${t('dash.money', { year })}</h2>
      <dl class="budget-figures">${['pagu', 'committed', 'realised', 'available'].map((k) => html`<div class="fig">
        <dt>${t(`budget.${k}`)}</dt><dd data-testid=${`work-money-${k}`}>${formatRupiah(money[k])}</dd></div>`)}</dl>
      <p><a href="#/budget">${t('nav.budget')}</a></p></section>` : null}
    ${releases ? html`<section aria-labelledby="h-work-releases" data-testid="work-releases">
      <h2 id="h-work-releases">${t('dash.releases')}</h2>
      <ul class="cards">${RELEASE_STATES.map((s) => card(`work-release-${s.slice(14).toLowerCase()}`, releases[s], tEnum('ReleaseState', s), '#/releases'))}</ul>
    </section>` : null}`;
}

export function Dashboard() {
  const { year, locale, user } = useContext(AppContext);
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
  return html`<section><h1>${t('dash.title')}</h1><${Work} />${content}</section>`;
}
