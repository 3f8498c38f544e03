// Budget lines (DPA) of the fiscal year: pagu, committed, realised and
// available per line as numbers and a bar, and a line's page with its pagu
// history and its ledger entries. Finance and admin add lines and revise
// their pagu (accounting.CreateBudgetLine / ReviseBudgetLine); the head and
// partnership staff read.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, formatRupiah, parseRupiah } from '../format.js';
import { budgetShares, formatPercent, paguChange } from '../budget.js';

const mayEdit = (user) => user.roles.some((r) => r === 'finance' || r === 'admin');
const amount = (text) => parseRupiah(text) ?? text.trim();

// The bar: realised, committed and available as shares of the pagu. The
// numbers are beside it in text; the bar says the same to a screen reader.
export function BudgetBar({ balances, testid = 'budget-bar' }) {
  const { locale } = useContext(AppContext);
  const s = budgetShares(balances || {});
  const label = t('budget.barLabel', {
    realised: formatPercent(s.realised, locale), committed: formatPercent(s.committed, locale),
    available: formatPercent(s.available, locale),
  });
  return html`<div class="budget-bar" role="img" aria-label=${label} title=${label} data-testid=${testid}
      data-realised=${s.realised} data-committed=${s.committed} data-available=${s.available}>
    <span class="seg seg-realised" style=${`width: ${s.realised}%`}></span>
    <span class="seg seg-committed" style=${`width: ${s.committed}%`}></span>
    <span class="seg seg-available" style=${`width: ${s.available}%`}></span>
  </div>`;
}

// The four figures with the bar's colours as their key.
function Figures({ balances, testid = 'budget-figures' }) {
  const b = balances || {};
  const row = (k, cls) => html`<div class="fig"><dt><span class=${`swatch ${cls}`} aria-hidden="true"></span>${t(`budget.${k}`)}</dt>
    <dd data-testid=${`budget-${k}`}>${formatRupiah(b[k])}</dd></div>`;
  return html`<div data-testid=${testid}>
    <dl class="budget-figures">
      ${row('pagu', 'seg-none')}${row('realised', 'seg-realised')}${row('committed', 'seg-committed')}${row('available', 'seg-available')}
    </dl>
    <${BudgetBar} balances=${b} />
  </div>`;
}

export function BudgetLines() {
  const { year, user } = useContext(AppContext);
  const d = useLoad(() => call('accounting', 'ListBudgetLines', { fiscalYear: year }), [year]);
  return html`<section data-testid="budget-page">
    <h1>${t('budget.title', { year })}</h1>
    <p class="hint">${t('budget.intro')}</p>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <h2>${t('budget.total')}</h2>
      <${Figures} balances=${d.data.total} testid="budget-total" />
      <h2>${t('budget.lines')}</h2>
      <${DataTable} testid="budget-table" rowTestid="budget-row" rows=${d.data.lines || []} empty=${t('budget.empty')}
        caption=${t('budget.caption', { year })}
        columns=${[
          { label: t('budget.codes'), render: (l) => html`<span class="code">${l.data.subActivityCode}</span><br /><span class="code">${l.data.accountCode}</span>` },
          { label: t('budget.name'), render: (l) => html`<a href=${`#/budget/${l.id}`} data-testid="budget-link">${l.data.name}</a>` },
          { label: t('budget.pagu'), render: (l) => html`<span class="num" data-testid="row-pagu">${formatRupiah(l.balances.pagu)}</span>` },
          { label: t('budget.realised'), render: (l) => html`<span class="num" data-testid="row-realised">${formatRupiah(l.balances.realised)}</span>` },
          { label: t('budget.committed'), render: (l) => html`<span class="num" data-testid="row-committed">${formatRupiah(l.balances.committed)}</span>` },
          { label: t('budget.available'), render: (l) => html`<span class="num" data-testid="row-available">${formatRupiah(l.balances.available)}</span>` },
          { label: t('budget.bar'), render: (l) => html`<${BudgetBar} balances=${l.balances} testid="row-bar" />` },
        ]} />`}
    ${mayEdit(user) ? html`<${CreateLine} year=${year} onDone=${d.reload} />` : null}
  </section>`;
}

function CreateLine({ year, onDone }) {
  const empty = { subActivityCode: '', accountCode: '', name: '', pagu: '', documentNumber: '' };
  const [v, setV] = useState(empty);
  const [msg, setMsg] = useState('');
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const known = ['line.subActivityCode', 'line.accountCode', 'line.name', 'pagu', 'documentNumber', 'line.fiscalYear'];
  const submit = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await f.run((act) => act.run('accounting', 'CreateBudgetLine', {
      line: { fiscalYear: year, subActivityCode: v.subActivityCode, accountCode: v.accountCode, name: v.name },
      pagu: amount(v.pagu || '0'), documentNumber: v.documentNumber,
    }), known);
    if (out) { setV(empty); setMsg(t('budget.created', { name: out.data.name })); onDone(); }
  };
  const labels = {
    'line.subActivityCode': t('budget.subActivityCode'), 'line.accountCode': t('budget.accountCode'),
    'line.name': t('budget.name'), pagu: t('budget.pagu'), documentNumber: t('budget.documentNumber'),
    'line.fiscalYear': t('nav.year'),
  };
  return html`<section aria-labelledby="h-budget-new" class="sub-card">
    <h2 id="h-budget-new">${t('budget.new', { year })}</h2>
    <form onSubmit=${submit} novalidate data-testid="budget-create-form">
      <${ErrorSummary} prefix="new-" error=${f.error} byField=${f.byField} unmatched=${f.unmatched} labels=${labels} testid="budget-create-errors" />
      ${msg ? html`<${Notice} kind="ok" testid="budget-created">${msg}<//>` : null}
      <div class="grid">
        <${Field} prefix="new-" label=${labels['line.subActivityCode']} name="line.subActivityCode" value=${v.subActivityCode} onInput=${set('subActivityCode')}
          errors=${f.byField} required hint=${t('budget.subActivityHint')} inputmode="numeric" testid="budget-new-sub-activity" />
        <${Field} prefix="new-" label=${labels['line.accountCode']} name="line.accountCode" value=${v.accountCode} onInput=${set('accountCode')}
          errors=${f.byField} required hint=${t('budget.accountHint')} inputmode="numeric" testid="budget-new-account" />
        <${Field} prefix="new-" label=${labels['line.name']} name="line.name" value=${v.name} onInput=${set('name')} errors=${f.byField} required testid="budget-new-name" />
        <${Field} prefix="new-" label=${`${labels.pagu} (Rp)`} name="pagu" value=${v.pagu} onInput=${set('pagu')} errors=${f.byField}
          inputmode="numeric" hint=${t('budget.amountHint')} testid="budget-new-pagu" />
        <${Field} prefix="new-" label=${labels.documentNumber} name="documentNumber" value=${v.documentNumber} onInput=${set('documentNumber')} errors=${f.byField}
          hint=${t('budget.documentHint')} testid="budget-new-document" />
      </div>
      <button type="submit" class="btn primary" disabled=${f.busy} data-testid="budget-create-submit">${t('budget.create')}</button>
    </form>
  </section>`;
}

export function BudgetLineDetail({ lineId }) {
  const { user, locale } = useContext(AppContext);
  const d = useLoad(() => call('accounting', 'GetBudgetLine', { budgetLineId: lineId }), [lineId]);
  const [n, setN] = useState(0); // a revision reloads the ledger too
  if (d.loading && !d.data) return html`<section><h1>${t('budget.line')}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('budget.line')}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { line, revisions = [] } = d.data;
  return html`<section data-testid="budget-line-page">
    <p><a href="#/budget" data-testid="budget-back">${t('budget.back')}</a></p>
    <h1>${line.data.name}</h1>
    <dl class="facts">
      <dt>${t('nav.year')}</dt><dd>${line.data.fiscalYear}</dd>
      <dt>${t('budget.subActivityCode')}</dt><dd class="code" data-testid="line-sub-activity">${line.data.subActivityCode}</dd>
      <dt>${t('budget.accountCode')}</dt><dd class="code" data-testid="line-account">${line.data.accountCode}</dd>
      <dt>${t('budget.version')}</dt><dd data-testid="line-version">${line.version}</dd>
      <dt>${t('budget.createdAt')}</dt><dd>${formatDateTime(line.createdAt, locale)}</dd>
    </dl>
    <${Figures} balances=${line.balances} testid="line-figures" />
    ${mayEdit(user) ? html`<${ReviseLine} key=${line.version} line=${line} onDone=${() => { d.reload(); setN(n + 1); }} />` : null}
    <h2>${t('budget.history')}</h2>
    <${DataTable} testid="revision-table" rowTestid="revision-row" rows=${[...revisions].reverse()} caption=${t('budget.historyCaption')}
      columns=${[
        { label: t('budget.when'), render: (r) => formatDateTime(r.revisedAt, locale) },
        { label: t('budget.kind'), render: (r) => html`<span data-testid="revision-kind" data-kind=${r.kind}>${tEnum('RevisionKind', r.kind || 'REVISION_KIND_UNSPECIFIED')}</span>` },
        { label: t('budget.paguChange'), render: (r) => html`<span class="num">${formatRupiah(r.paguBefore)}</span> → <span class="num" data-testid="revision-after">${formatRupiah(r.paguAfter)}</span>
          <br /><span class="num muted">${paguChange(r.paguBefore, r.paguAfter)}</span>` },
        { label: t('budget.reasonAndDocument'), render: (r) => html`${r.reason || '—'}${r.documentNumber ? html`<br /><span class="code">${r.documentNumber}</span>` : null}` },
        { label: t('budget.by'), render: (r) => r.revisedBy },
      ]} />
    <${Ledger} key=${n} lineId=${lineId} />
  </section>`;
}

function ReviseLine({ line, onDone }) {
  const b = line.balances || {};
  const floor = BigInt(b.committed || 0) + BigInt(b.realised || 0);
  const empty = { kind: 'REVISION_KIND_PERGESERAN', newPagu: '', reason: '', documentNumber: '' };
  const [v, setV] = useState(empty);
  const [msg, setMsg] = useState('');
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const known = ['kind', 'newPagu', 'reason', 'documentNumber', 'expectedVersion'];
  const labels = {
    kind: t('budget.reviseKind'), newPagu: t('budget.newPagu'), reason: t('budget.reason'),
    documentNumber: t('budget.revisionDocument'), expectedVersion: t('budget.version'),
  };
  const submit = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await f.run((act) => act.run('accounting', 'ReviseBudgetLine', {
      budgetLineId: line.id, kind: v.kind, newPagu: amount(v.newPagu || ''), reason: v.reason,
      documentNumber: v.documentNumber, expectedVersion: line.version,
    }), known);
    if (out) { setV(empty); setMsg(t('budget.revised', { v: out.line.version })); onDone(); }
  };
  return html`<section aria-labelledby="h-revise" class="sub-card">
    <h2 id="h-revise">${t('budget.revise')}</h2>
    <form onSubmit=${submit} novalidate data-testid="budget-revise-form">
      <${ErrorSummary} prefix="revise-" error=${f.error} byField=${f.byField} unmatched=${f.unmatched} labels=${labels} testid="budget-revise-errors" />
      ${msg ? html`<${Notice} kind="ok" testid="budget-revised">${msg}<//>` : null}
      <div class="grid">
        <${Field} prefix="revise-" label=${labels.kind} name="kind" value=${v.kind} onInput=${set('kind')} errors=${f.byField} testid="budget-revise-kind"
          options=${['REVISION_KIND_PERGESERAN', 'REVISION_KIND_PERUBAHAN'].map((k) => ({ value: k, label: tEnum('RevisionKind', k) }))} />
        <${Field} prefix="revise-" label=${`${labels.newPagu} (Rp)`} name="newPagu" value=${v.newPagu} onInput=${set('newPagu')} errors=${f.byField} required
          inputmode="numeric" hint=${t('budget.floorHint', { floor: formatRupiah(floor) })} testid="budget-revise-pagu" />
        <${Field} prefix="revise-" label=${labels.documentNumber} name="documentNumber" value=${v.documentNumber} onInput=${set('documentNumber')} errors=${f.byField} required
          testid="budget-revise-document" />
      </div>
      <${Field} prefix="revise-" label=${labels.reason} name="reason" value=${v.reason} onInput=${set('reason')} errors=${f.byField} required multiline testid="budget-revise-reason" />
      <button type="submit" class="btn primary" disabled=${f.busy} data-testid="budget-revise-submit">${t('budget.reviseSubmit')}</button>
    </form>
  </section>`;
}

// Why a transfer was made, in words: 'pagu.initial' -> "Pagu awal (DPA)".
const codeLabel = (code) => {
  const s = t(`ledger.code.${code}`);
  return s === `ledger.code.${code}` ? code : s;
};

function Ledger({ lineId }) {
  const { locale } = useContext(AppContext);
  const pages = usePageTokens();
  const { page } = pages;
  const d = useLoad(() => call('accounting', 'ListTransfers', { budgetLineId: lineId, pageSize: 50, ...(page ? { pageToken: page } : {}) }),
    [lineId, page]);
  const kindOf = (id) => {
    const a = (d.data?.accounts || []).find((x) => x.id === id);
    return a ? tEnum('AccountKind', a.kind) : id;
  };
  return html`<section aria-labelledby="h-ledger">
    <h2 id="h-ledger">${t('budget.ledger')}</h2>
    <p class="hint">${t('budget.ledgerHint')}</p>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="ledger-table" rowTestid="ledger-row" rows=${d.data.transfers || []} caption=${t('budget.ledgerCaption')}
        columns=${[
          { label: t('budget.when'), render: (x) => formatDateTime(x.createdAt, locale) },
          { label: t('ledger.entry'), render: (x) => html`<span data-testid="ledger-code" data-code=${x.code}>${codeLabel(x.code)}</span>
            <br /><span class="muted">${tEnum('TransferKind', x.kind || 'TRANSFER_KIND_UNSPECIFIED')}</span>${x.memo ? html`<br /><span class="code">${x.memo}</span>` : null}` },
          { label: t('ledger.accounts'), render: (x) => html`${kindOf(x.debitAccountId)} → ${kindOf(x.creditAccountId)}` },
          { label: t('ledger.amount'), render: (x) => html`<span class="num" data-testid="ledger-amount">${formatRupiah(x.amount)}</span>` },
          { label: t('budget.by'), render: (x) => x.createdBy },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}
