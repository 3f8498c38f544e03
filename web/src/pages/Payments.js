// Where the money is (DOMAIN.md step 10, "payment aging to staff"): whether
// the ledger balances (every invariant of accounting.ledger_check), unpaid
// invoices by age since submission and by the step they wait for, and the
// PPh 23 and PPN withheld per SP2D month with the 15th of the next month as
// their due date and the slips still missing.
import { html, AppContext } from '../html.js';
import { useContext } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DataTable, Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDate, formatRupiah } from '../format.js';

// A ledger check in words: its name and what it found, from the numbers of
// the database's English detail (accounting.ledger_check()); a check the
// catalogue does not know yet is named generically, never by its code.
export function ledgerCheckWords(x) {
  const name = t(`payments.checkName.${x.checkName}`);
  const nums = String(x.detail || '').match(/\d+/g) || [];
  const rp = (i) => formatRupiah(nums[i] || '0');
  const vars = { n: nums[0] || '0', m: nums[1] || '0', o: nums[2] || '0', p: nums[3] || '0', rpN: rp(0), rpM: rp(1), rpO: rp(2) };
  const key = `payments.check${x.ok ? 'Ok' : 'Bad'}.${x.checkName}`;
  const detail = t(key, vars);
  return {
    name: name === `payments.checkName.${x.checkName}` ? t('payments.checkOther') : name,
    detail: detail === key ? t(x.ok ? 'payments.checkOkOther' : 'payments.checkBadOther') : detail,
  };
}

function LedgerCheck() {
  const d = useLoad(() => call('accounting', 'CheckLedger', {}), []);
  if (d.loading && !d.data) return html`<${Loading} />`;
  if (d.error) return html`<${ErrorSummary} error=${d.error} />`;
  const failing = (d.data.findings || []).filter((x) => !x.ok);
  return html`<section aria-labelledby="h-ledger-check"><h2 id="h-ledger-check">${t('payments.ledger')}</h2>
    ${d.data.ok ? html`<${Notice} kind="ok" testid="ledger-ok">${t('payments.ledgerOk')}<//>`
      : html`<${Notice} kind="error" testid="ledger-bad">${t('payments.ledgerBad')}<//>`}
    <${DataTable} testid="ledger-checks" rowTestid="ledger-check" rowKey=${(x) => x.checkName}
      rows=${d.data.ok ? d.data.findings || [] : failing} caption=${t('payments.ledgerCaption')} columns=${[
        { label: t('payments.check'), render: (x) => html`<span class=${`badge badge-${x.ok ? 'ok' : 'bad'}`} data-ok=${x.ok ? 'true' : 'false'}>
          ${x.ok ? '✓' : '✗'}</span> ${ledgerCheckWords(x).name}` },
        { label: t('payments.detail'), render: (x) => ledgerCheckWords(x).detail },
      ]} />
  </section>`;
}

export function Payments() {
  const { year, locale } = useContext(AppContext);
  const aging = useLoad(() => call('accounting', 'PaymentAging', { fiscalYear: year }), [year]);
  const due = useLoad(() => call('accounting', 'ListTaxDue', { fiscalYear: year }), [year]);
  return html`<section data-testid="payments-page">
    <h1>${t('payments.title', { year })}</h1>
    <${LedgerCheck} />
    <section aria-labelledby="h-aging"><h2 id="h-aging">${t('payments.aging')}</h2>
      ${aging.loading && !aging.data ? html`<${Loading} />` : aging.error ? html`<${ErrorSummary} error=${aging.error} />` : html`
        <${DataTable} testid="aging-buckets" rowTestid="aging-bucket" rowKey=${(b) => b.label} rows=${aging.data.buckets || []}
          caption=${t('payments.agingCaption')} columns=${[
            { label: t('payments.bucket'), render: (b) => b.label },
            { label: t('payments.count'), render: (b) => html`<span class="num" data-testid="bucket-count">${b.invoices || 0}</span>` },
            { label: t('payments.amount'), render: (b) => html`<span class="num">${formatRupiah(b.amount)}</span>` },
          ]} />
        <h3>${t('payments.stuck')}</h3>
        <${DataTable} testid="stuck-steps" rowTestid="stuck-step" rowKey=${(s) => s.state} rows=${aging.data.steps || []}
          caption=${t('payments.stuckCaption')} columns=${[
            { label: t('payments.waitingAt'), render: (s) => tEnum('InvoiceState', s.state) },
            { label: t('payments.count'), render: (s) => html`<span class="num" data-testid="stuck-count">${s.invoices || 0}</span>` },
            { label: t('payments.amount'), render: (s) => html`<span class="num">${formatRupiah(s.amount)}</span>` },
            { label: t('payments.oldest'), render: (s) => (s.invoices ? t('invoice.ageDays', { n: s.oldestDays || 0 }) : '—') },
            { label: t('payments.oldestLinks'), render: (s) => html`${(s.invoiceIds || []).slice(0, 3).map((id, i) => html`${i ? ', ' : ''}<a
              href=${`#/invoices/${id}`}>${t('invoice.title', { number: i + 1 })}</a>`)}` },
          ]} />`}
    </section>
    <section aria-labelledby="h-tax-due"><h2 id="h-tax-due">${t('payments.taxDue')}</h2>
      ${due.loading && !due.data ? html`<${Loading} />` : due.error ? html`<${ErrorSummary} error=${due.error} />` : html`
        <${DataTable} testid="tax-due" rowTestid="tax-due-month" rowKey=${(m) => m.month} rows=${due.data.months || []}
          empty=${t('payments.noTaxDue')} caption=${t('payments.taxDueCaption')} columns=${[
            { label: t('payments.month'), render: (m) => m.month },
            { label: t('payments.dueOn'), render: (m) => html`<span data-testid="tax-due-on">${formatDate(m.dueOn, locale)}</span>` },
            { label: t('payments.pph23'), render: (m) => html`<span class="num" data-testid="tax-due-pph23">${formatRupiah(m.pph23)}</span>` },
            { label: t('payments.ppn'), render: (m) => html`<span class="num">${formatRupiah(m.ppnCollected)}</span>` },
            { label: t('payments.withoutSlip'), render: (m) => html`<span class="num" data-testid="tax-due-without-slip">${m.withoutSlip || 0}</span>` },
          ]} />`}
    </section>
  </section>`;
}
