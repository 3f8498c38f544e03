// Invoices (DOMAIN.md step 10): the year's invoices for staff with their
// state and age; the partner's own with their tax lines and a form to
// invoice accepted orders; and one invoice's page - its orders, the tax
// computation line by line with the table version and rounding rule, the
// supporting-document checklist, the payment documents recorded from SIPD
// (SPP, the PPK's check, SPM, SP2D) with who entered each, the SIPD export,
// the PPh 23 withholding slip and the ledger entries it made. Finance
// accepts, returns, records and cancels steps; everyone else reads.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call, fileToBase64 } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDate, formatDateTime, formatRupiah, todayWIB } from '../format.js';
import { checkFile } from '../files.js';
import { navigate } from '../router.js';
import { openBase64 } from './Agreements.js';
import {
  INVOICE_STATES, DOCUMENT_KINDS, nextStep, lastStep, invoicedOrders, requiredDocuments, bpToPercent, priceFactor,
  defaultPurpose,
} from '../invoices.js';

const isPartnerUser = (user) => user.roles.includes('partner');
const isFinance = (user) => !isPartnerUser(user) && user.roles.includes('finance');

export function InvoiceState({ value, testid = 'invoice-state' }) {
  return html`<${StatusBadge} type="InvoiceState" value=${value || 'INVOICE_STATE_UNSPECIFIED'} testid=${testid} />`;
}

// ---- the lists ----------------------------------------------------------------------

export function Invoices() {
  const { year, user } = useContext(AppContext);
  const partner = isPartnerUser(user);
  const [state, setState] = useState('');
  const pages = usePageTokens();
  const d = useLoad(() => call('accounting', 'ListInvoices', {
    fiscalYear: year, ...(state ? { state } : {}), pageSize: 50, ...(pages.page ? { pageToken: pages.page } : {}),
  }), [year, state, pages.page]);
  return html`<section data-testid="invoices-page">
    <div class="page-head"><h1>${t(partner ? 'invoices.partnerTitle' : 'invoices.title', { year })}</h1>
      ${partner ? html`<a class="btn primary" href="#/invoices/new" data-testid="invoice-new">${t('invoices.new')}</a>` : null}
      <button type="button" class="btn small" onClick=${d.reload} data-testid="invoices-refresh">${t('common.refresh')}</button></div>
    <p class="hint">${t(partner ? 'invoices.partnerIntro' : 'invoices.intro')}</p>
    <div class="filters">
      <${Field} label=${t('invoices.filterState')} name="state" value=${state} onInput=${(v) => { setState(v); pages.reset(); }} testid="invoices-state"
        options=${[{ value: '', label: t('common.any') }, ...INVOICE_STATES.map((s) => ({ value: s, label: tEnum('InvoiceState', s) }))]} />
    </div>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="invoices-table" rowTestid="invoice-row" rows=${d.data.invoices || []} empty=${t('invoices.empty')}
        caption=${t('invoices.caption', { year })} columns=${[
          { label: t('invoice.number'), render: (i) => html`<a href=${`#/invoices/${i.id}`} data-testid="invoice-link">${i.data.number}</a>
            <br /><span class="muted">${formatDate(i.data.date)}</span>` },
          ...(partner ? [] : [{ label: t('invoice.company'), render: (i) => i.companyName }]),
          { label: t('invoice.gross'), render: (i) => html`<span class="num" data-testid="invoice-gross">${formatRupiah(i.gross)}</span>` },
          ...(partner ? [
            { label: 'PPh 23', render: (i) => html`<span class="num">${i.tax ? formatRupiah(i.tax.pph23) : '—'}</span>` },
            { label: 'PPN', render: (i) => html`<span class="num">${i.tax ? formatRupiah(i.tax.ppnCollected) : '—'}</span>` },
            { label: t('invoice.net'), render: (i) => html`<span class="num" data-testid="invoice-net">${i.tax ? formatRupiah(i.tax.net) : '—'}</span>` },
          ] : []),
          { label: t('invoice.state'), render: (i) => html`<${InvoiceState} value=${i.state} />` },
          { label: t('invoice.age'), render: (i) => html`<span data-testid="invoice-age">${t('invoice.ageDays', { n: i.ageDays || 0 })}</span>` },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}

// ---- a new invoice (the partner) ----------------------------------------------------

async function invoiceableOrders(year) {
  const [orders, invoices] = await Promise.all([
    call('ordering', 'ListOrders', { fiscalYear: year, state: 'ORDER_STATE_COMPLETED', pageSize: 200 }),
    call('accounting', 'ListInvoices', { fiscalYear: year, pageSize: 200 }),
  ]);
  const taken = invoicedOrders(invoices.invoices || []);
  return (orders.orders || []).filter((o) => !taken.has(o.id));
}

export function InvoiceNew() {
  const { year, user } = useContext(AppContext);
  const orders = useLoad(() => invoiceableOrders(year), [year]);
  const company = useLoad(() => call('registry', 'GetCompany', { companyId: user.companyId }), [user.companyId]);
  const rules = useLoad(() => call('accounting', 'GetDocumentRules', { fiscalYear: year }), [year]);
  const [chosen, setChosen] = useState({});
  const [v, setV] = useState({ number: '', date: todayWIB(), fakturNumber: '', signatoryName: '', bankBranch: '' });
  const [files, setFiles] = useState({});
  const [fileErr, setFileErr] = useState({});
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const pkp = !!company.data?.data?.pkp;
  const picked = (orders.data || []).filter((o) => chosen[o.id]);
  const total = picked.reduce((s, o) => s + BigInt(o.gross || 0), 0n);
  const required = requiredDocuments(rules.data?.rules || [], String(total));
  const onFile = (kind) => async (e) => {
    const fl = e.currentTarget.files[0] || null;
    const err = fl ? checkFile({ size: fl.size, head: new Uint8Array(await fl.slice(0, 8).arrayBuffer()) }) : null;
    setFiles({ ...files, [kind]: err ? null : fl });
    setFileErr({ ...fileErr, [kind]: err ? t(err, { size: '' }) : '' });
  };
  const known = ['invoice.number', 'invoice.date', 'invoice.fakturNumber', 'invoice.signatoryName', 'invoice.bankBranch',
    'invoice.orderIds', 'documents'];
  const labels = {
    'invoice.number': t('invoice.number'), 'invoice.date': t('invoice.date'), 'invoice.fakturNumber': t('invoice.faktur'),
    'invoice.signatoryName': t('invoice.signatory'), 'invoice.bankBranch': t('invoice.bankBranch'),
    'invoice.orderIds': t('newInv.orders'), documents: t('newInv.documents'),
  };
  const submit = async (e) => {
    e.preventDefault();
    const documents = [];
    for (const kind of DOCUMENT_KINDS) {
      if (files[kind]) documents.push({ kind, fileName: files[kind].name, content: await fileToBase64(files[kind]) });
    }
    const out = await f.run((a) => a.run('accounting', 'SubmitInvoice', {
      invoice: { orderIds: picked.map((o) => o.id), number: v.number, date: v.date, fakturNumber: pkp ? v.fakturNumber : '',
        signatoryName: v.signatoryName, bankBranch: v.bankBranch },
      documents,
    }), known, { strip: '' });
    if (out) navigate(`/invoices/${out.id}`);
  };
  const errs = f.byField;
  const orderErr = errs['invoice.orderIds'] || Object.entries(errs).find(([k]) => k.startsWith('invoice.orderIds['))?.[1];
  return html`<section data-testid="invoice-new-page">
    <p><a href="#/invoices" data-testid="invoice-back">${t('invoice.back')}</a></p>
    <h1>${t('newInv.title', { year })}</h1>
    <form onSubmit=${submit} novalidate data-testid="invoice-form">
      <${ErrorSummary} error=${f.error} byField=${errs} unmatched=${f.unmatched} labels=${labels} testid="invoice-errors" />
      <fieldset class="sub-card" aria-describedby="orders-hint">
        <legend>${t('newInv.orders')}</legend>
        <p class="hint" id="orders-hint">${t('newInv.ordersHint')}</p>
        ${orders.loading ? html`<${Loading} />` : orders.error ? html`<${ErrorSummary} error=${orders.error} />`
          : !(orders.data || []).length ? html`<p class="empty" data-testid="invoice-no-orders">${t('newInv.noOrders')}</p>`
          : html`<ul class="checklist">${orders.data.map((o) => html`<li>
              <input type="checkbox" id=${`order-${o.id}`} checked=${!!chosen[o.id]} data-testid="invoice-order"
                onChange=${(e) => setChosen({ ...chosen, [o.id]: e.currentTarget.checked })} />
              <label for=${`order-${o.id}`}><strong>${o.number}</strong> — ${o.data.title} (${o.outletName}),
                <span class="num">${formatRupiah(o.gross)}</span></label></li>`)}</ul>`}
        ${orderErr ? html`<p class="field-error" role="status" data-testid="error-invoice.orderIds">${orderErr}</p>` : null}
        <p data-testid="invoice-total"><strong>${t('newInv.total', { amount: formatRupiah(total) })}</strong></p>
      </fieldset>
      <p class="hint" data-testid="invoice-pkp">${pkp ? t('newInv.pkp') : t('newInv.notPkp')}</p>
      <div class="grid">
        <${Field} label=${labels['invoice.number']} name="invoice.number" value=${v.number} onInput=${set('number')} errors=${errs} required testid="invoice-number" />
        <${Field} label=${labels['invoice.date']} name="invoice.date" type="date" value=${v.date} onInput=${set('date')} errors=${errs} required testid="invoice-date" />
        ${pkp ? html`<${Field} label=${labels['invoice.fakturNumber']} name="invoice.fakturNumber" value=${v.fakturNumber} onInput=${set('fakturNumber')}
          errors=${errs} required hint=${t('invoice.fakturHint')} inputmode="numeric" testid="invoice-faktur" />` : null}
        <${Field} label=${labels['invoice.signatoryName']} name="invoice.signatoryName" value=${v.signatoryName} onInput=${set('signatoryName')}
          errors=${errs} required testid="invoice-signatory" />
        <${Field} label=${labels['invoice.bankBranch']} name="invoice.bankBranch" value=${v.bankBranch} onInput=${set('bankBranch')}
          errors=${errs} hint=${company.data?.data?.bankAccount ? `${company.data.data.bankAccount.bankName} ${company.data.data.bankAccount.accountNumber}` : ''}
          testid="invoice-branch" />
      </div>
      <fieldset class="sub-card">
        <legend>${t('newInv.documents')}</legend>
        ${errs.documents ? html`<p class="field-error" role="status" data-testid="error-documents">${errs.documents}</p>` : null}
        <div class="grid">${DOCUMENT_KINDS.map((kind, i) => {
          const id = `f-invoice-file-${i}`;
          const err = fileErr[kind] || errs[`documents[${i}].content`];
          const need = kind === 'DOCUMENT_KIND_KUITANSI' || required.includes(kind);
          return html`<div class=${`field${err ? ' has-error' : ''}`}>
            <label for=${id}>${tEnum('DocumentKind', kind)}${need ? html`<span class="req" aria-hidden="true"> *</span>` : null}</label>
            <input id=${id} type="file" accept="application/pdf,image/jpeg,image/png" onChange=${onFile(kind)} data-testid=${`invoice-file-${kind}`}
              aria-invalid=${err ? 'true' : undefined} aria-describedby=${`${id}-hint ${id}-err`} />
            <p class="hint" id=${`${id}-hint`}>${need ? t('newInv.required') : t('docs.notRequired')}</p>
            <p class="field-error" id=${`${id}-err`} role="status">${err || ''}</p>
          </div>`;
        })}</div>
      </fieldset>
      <div class="actions"><button type="submit" class="btn primary" disabled=${f.busy || !picked.length} data-testid="invoice-submit">${t('newInv.submit')}</button></div>
    </form>
  </section>`;
}

// ---- one invoice --------------------------------------------------------------------

// The computation, line by line, with its rules named.
export function TaxLines({ tax, year, testid = 'tax-lines' }) {
  const { locale } = useContext(AppContext);
  if (!tax) return html`<p class="empty" data-testid=${`${testid}-none`}>${t('tax.none')}</p>`;
  const tb = tax.table || {};
  const rows = [
    { key: 'gross', label: t('tax.gross'), amount: tax.gross },
    tax.pkp
      ? { key: 'price', label: t('tax.priceBeforeVat', { factor: priceFactor(tb) }), amount: tax.priceBeforeVat }
      : { key: 'price', label: t('tax.priceBeforeVatPlain'), amount: tax.priceBeforeVat },
    ...(tax.pkp ? [
      { key: 'dpp', label: t('tax.dpp', { num: tb.dppFactorNumerator, den: tb.dppFactorDenominator }), amount: tax.dppOther },
      { key: 'ppn', label: t('tax.ppn', { rate: bpToPercent(tb.ppnRateBp, locale) }), amount: tax.ppn },
      { key: 'ppn-collected', label: t(tax.wapu ? 'tax.ppnCollected' : 'tax.ppnSelf', { threshold: formatRupiah(tb.wapuThreshold) }),
        amount: tax.ppnCollected },
    ] : []),
    { key: 'pph23', label: t('tax.pph23', { rate: bpToPercent(tax.pph23RateBp, locale), base: formatRupiah(tax.pph23Base) }), amount: tax.pph23 },
    { key: 'net', label: t('tax.net'), amount: tax.net },
  ];
  return html`<div data-testid=${testid} data-stored=${tax.id ? 'true' : 'false'}>
    <p class="hint">${tax.id
      ? t('tax.stored', { year: tax.fiscalYear || year, v: tax.tableVersion, when: formatDateTime(tax.computedAt, locale), who: tax.computedBy })
      : t('tax.preview', { year: tax.fiscalYear || year, v: tax.tableVersion })}</p>
    ${tax.pkp ? null : html`<p class="hint">${t('tax.ppnNone')}</p>`}
    <${DataTable} testid=${`${testid}-table`} rowTestid="tax-line" rowKey=${(r) => r.key} rows=${rows} caption=${t('tax.caption')}
      columns=${[
        { label: t('tax.line'), render: (r) => r.label },
        { label: t('tax.amount'), render: (r) => html`<span class="num" data-testid=${`tax-${r.key}`}>${formatRupiah(r.amount)}</span>` },
      ]} />
    <p data-testid="tax-rounding">${t('tax.rounding', { rule: tEnum('Rounding', tb.rounding || 'ROUNDING_UNSPECIFIED') })}</p>
  </div>`;
}

function Facts({ inv }) {
  const { locale } = useContext(AppContext);
  return html`<dl class="facts" data-testid="invoice-facts">
    <dt>${t('invoice.company')}</dt><dd data-testid="invoice-company">${inv.companyName}</dd>
    <dt>${t('invoice.date')}</dt><dd>${formatDate(inv.data.date, locale)}</dd>
    <dt>${t('invoice.gross')}</dt><dd class="num" data-testid="invoice-gross">${formatRupiah(inv.gross)}</dd>
    <dt>${t('invoice.age')}</dt><dd data-testid="invoice-age">${t('invoice.ageDays', { n: inv.ageDays || 0 })}</dd>
    <dt>${t('invoice.npwp')}</dt><dd class="code">${inv.npwp || t('invoice.noNpwp')}</dd>
    <dt>${t('invoice.pkp')}</dt><dd>${inv.pkp ? t('invoice.pkpYes') : t('invoice.pkpNo')}</dd>
    ${inv.data.fakturNumber ? html`<dt>${t('invoice.faktur')}</dt><dd class="code" data-testid="invoice-faktur">${inv.data.fakturNumber}</dd>` : null}
    <dt>${t('invoice.signatory')}</dt><dd>${inv.data.signatoryName}</dd>
    <dt>${t('invoice.bank')}</dt><dd>${inv.bankName} ${inv.data.bankBranch ? `(${inv.data.bankBranch})` : ''}<br />
      <span class="code">${inv.accountNumber}</span> a.n. ${inv.accountHolder}</dd>
    <dt>${t('invoice.submittedAt')}</dt><dd>${formatDateTime(inv.submittedAt, locale)}</dd>
    ${inv.decidedBy ? html`<dt>${t('invoice.decided')}</dt><dd>${t('invoice.decidedBy', { who: inv.decidedBy, when: formatDateTime(inv.decidedAt, locale) })}</dd>` : null}
    ${inv.purpose ? html`<dt>${t('invoice.purpose')}</dt><dd data-testid="invoice-purpose">${inv.purpose}</dd>` : null}
  </dl>`;
}

function Orders({ inv }) {
  const { locale } = useContext(AppContext);
  return html`<section aria-labelledby="inv-orders-h"><h2 id="inv-orders-h">${t('invoice.orders')}</h2>
    <${DataTable} testid="invoice-orders" rowTestid="invoice-order-row" rowKey=${(o) => o.orderId} rows=${inv.orders || []}
      caption=${t('invoice.ordersCaption')} columns=${[
        { label: t('invoice.order'), render: (o) => html`<a href=${`#/orders/${o.orderId}`}>${o.number}</a><br /><span class="muted">${o.title}</span>` },
        { label: t('invoice.issuedOn'), render: (o) => formatDate(o.issuedOn, locale) },
        { label: t('invoice.proofAccepted'), render: (o) => formatDate(o.proofAcceptedOn, locale) },
        { label: t('invoice.gross'), render: (o) => html`<span class="num">${formatRupiah(o.gross)}</span>` },
        { label: t('invoice.state'), render: (o) => html`<span class=${`badge badge-${o.paid ? 'ok' : 'neutral'}`} data-testid="order-paid"
          data-paid=${o.paid ? 'true' : 'false'}>${o.paid ? t('invoice.paid') : t('invoice.unpaid')}</span>` },
      ]} />
  </section>`;
}

function Documents({ inv, onDone }) {
  const { user } = useContext(AppContext);
  const may = (isPartnerUser(user) && inv.state === 'INVOICE_STATE_SUBMITTED') ||
    (isFinance(user) && inv.state !== 'INVOICE_STATE_RETURNED' && inv.state !== 'INVOICE_STATE_PAID');
  const [kind, setKind] = useState('DOCUMENT_KIND_PROOF_OF_PURCHASE');
  const [file, setFile] = useState(null);
  const [fileErr, setFileErr] = useState('');
  const [msg, setMsg] = useState('');
  const f = useAction();
  const onFile = async (e) => {
    const fl = e.currentTarget.files[0] || null;
    setFile(fl);
    const err = fl ? checkFile({ size: fl.size, head: new Uint8Array(await fl.slice(0, 8).arrayBuffer()) }) : null;
    setFileErr(err ? t(err, { size: '' }) : '');
  };
  const add = async (e) => {
    e.preventDefault();
    setMsg('');
    if (!file) { setFileErr(t('upload.choose')); return; }
    const content = await fileToBase64(file);
    const out = await f.run((a) => a.run('accounting', 'AddInvoiceDocument', {
      invoiceId: inv.id, document: { kind, fileName: file.name, content } }), ['document.content', 'document.fileName']);
    if (out) { setFile(null); setMsg(t('docs.added')); onDone(); }
  };
  const err = fileErr || f.byField['document.content'];
  return html`<section aria-labelledby="inv-docs-h"><h2 id="inv-docs-h">${t('docs.title')}</h2>
    <${DataTable} testid="invoice-checklist" rowTestid="checklist-item" rowKey=${(c) => c.kind} rows=${inv.checklist || []}
      caption=${t('docs.caption')} columns=${[
        { label: t('docs.kind'), render: (c) => tEnum('DocumentKind', c.kind) },
        { label: t('docs.required'), render: (c) => (c.required ? t('docs.required') : t('docs.notRequired')) },
        { label: t('docs.present'), render: (c) => html`<span class=${`badge badge-${c.present ? 'ok' : c.required ? 'bad' : 'neutral'}`}
          data-testid="checklist-present" data-kind=${c.kind} data-present=${c.present ? 'true' : 'false'} data-required=${c.required ? 'true' : 'false'}>
          ${c.present ? t('docs.present') : t('docs.missing')}</span>` },
      ]} />
    <h3>${t('docs.files')}</h3>
    <ul class="checklist" data-testid="invoice-documents">${(inv.documents || []).map((d) => html`<li data-testid="invoice-document">
      ${tEnum('DocumentKind', d.kind)}: <button type="button" class="linklike"
        onClick=${() => openBase64(call('accounting', 'GetInvoiceDocument', { invoiceId: inv.id, documentId: d.id }).then((x) => ({ ...x, contentType: x.document.contentType })),
          d.contentType)}>${t('docs.view', { name: d.fileName })}</button></li>`)}</ul>
    ${may ? html`<form class="sub-card" onSubmit=${add} novalidate data-testid="invoice-add-document">
      <h3>${t('docs.add')}</h3>
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="add-document-errors" />
      ${msg ? html`<${Notice} kind="ok" testid="document-added">${msg}<//>` : null}
      <div class="grid">
        <${Field} label=${t('docs.kind')} name="kind" value=${kind} onInput=${setKind} prefix="add-" testid="add-document-kind"
          options=${DOCUMENT_KINDS.map((k) => ({ value: k, label: tEnum('DocumentKind', k) }))} />
        <div class=${`field${err ? ' has-error' : ''}`}>
          <label for="f-add-document-file">${t('docs.file')}</label>
          <input id="f-add-document-file" type="file" accept="application/pdf,image/jpeg,image/png" onChange=${onFile} data-testid="add-document-file"
            aria-invalid=${err ? 'true' : undefined} aria-describedby="f-add-document-file-err" />
          <p class="field-error" id="f-add-document-file-err" role="status">${err || ''}</p>
        </div>
      </div>
      <div class="actions"><button type="submit" class="btn" disabled=${f.busy} data-testid="add-document-submit">${t('docs.add')}</button></div>
    </form>` : null}
  </section>`;
}

function Steps({ inv }) {
  const { locale } = useContext(AppContext);
  const steps = inv.steps || [];
  return html`<section aria-labelledby="inv-steps-h"><h2 id="inv-steps-h">${t('steps.title')}</h2>
    ${!steps.length ? html`<p class="empty">${t('steps.none')}</p>` : html`<ol class="checklist" data-testid="invoice-steps">
      ${steps.map((s) => html`<li data-testid="invoice-step" data-step=${s.step} data-cancelled=${s.cancelled ? 'true' : 'false'}>
        <strong>${tEnum('PaymentStep', s.step)}</strong>${s.number ? html` <span class="code" data-testid="step-number">${s.number}</span>` : null}${', '}
        ${formatDate(s.date, locale)}<br />
        <span class="muted">${t('steps.recordedBy', { who: s.recordedBy, when: formatDateTime(s.recordedAt, locale) })}</span>
        ${s.cancelled ? html`<br /><span class="badge badge-bad">${t('steps.cancelled', { reason: s.cancelledReason })}</span>` : null}
      </li>`)}</ol>`}
    ${inv.paidOn ? html`<p data-testid="invoice-paid-on">${t('steps.paidOn', { date: formatDate(inv.paidOn, locale) })}</p>` : null}
  </section>`;
}

function Decide({ inv, onDone }) {
  const [purpose, setPurpose] = useState(() => defaultPurpose(inv));
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState('');
  const accept = useAction();
  const ret = useAction();
  const doAccept = async (e) => {
    e.preventDefault();
    const out = await accept.run((a) => a.run('accounting', 'AcceptInvoice', { invoiceId: inv.id, purpose, expectedVersion: inv.version }),
      ['purpose']);
    if (out) { setMsg(t('decide.accepted')); onDone(); }
  };
  const doReturn = async (e) => {
    e.preventDefault();
    const out = await ret.run((a) => a.run('accounting', 'ReturnInvoice', { invoiceId: inv.id, reason, expectedVersion: inv.version }),
      ['reason']);
    if (out) { setMsg(t('decide.returnedMsg')); onDone(); }
  };
  return html`<div>
    ${msg ? html`<${Notice} kind="ok" testid="decide-done">${msg}<//>` : null}
    ${inv.state === 'INVOICE_STATE_SUBMITTED' ? html`<form class="sub-card" onSubmit=${doAccept} novalidate data-testid="invoice-accept-form">
      <h2>${t('decide.accept')}</h2><p class="hint">${t('decide.acceptHint')}</p>
      <${ErrorSummary} error=${accept.error} byField=${accept.byField} unmatched=${accept.unmatched} testid="accept-errors"
        labels=${{ purpose: t('invoice.purpose') }} prefix="accept-" />
      <${Field} label=${t('invoice.purpose')} name="purpose" value=${purpose} onInput=${setPurpose} errors=${accept.byField} required multiline
        prefix="accept-" testid="invoice-purpose-input" />
      <div class="actions"><button type="submit" class="btn primary" disabled=${accept.busy} data-testid="invoice-accept">${t('decide.accept')}</button></div>
    </form>` : null}
    <form class="sub-card" onSubmit=${doReturn} novalidate data-testid="invoice-return-form">
      <h2>${t('decide.return')}</h2>
      <${ErrorSummary} error=${ret.error} byField=${ret.byField} unmatched=${ret.unmatched} testid="return-errors"
        labels=${{ reason: t('decide.reason') }} prefix="return-" />
      <${Field} label=${t('decide.reason')} name="reason" value=${reason} onInput=${setReason} errors=${ret.byField} required multiline
        prefix="return-" testid="invoice-return-reason" />
      <div class="actions"><button type="submit" class="btn" disabled=${ret.busy} data-testid="invoice-return">${t('decide.return')}</button></div>
    </form>
  </div>`;
}

function StepForms({ inv, onDone }) {
  const next = nextStep(inv.state);
  const last = lastStep(inv.state);
  const [number, setNumber] = useState('');
  const [date, setDate] = useState(todayWIB());
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState('');
  const rec = useAction();
  const can = useAction();
  const record = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await rec.run((a) => a.run('accounting', 'RecordPaymentStep', {
      invoiceId: inv.id, step: next, number, date, expectedVersion: inv.version }), ['number', 'date', 'step']);
    if (out) { setNumber(''); setMsg(t('steps.recorded', { step: tEnum('PaymentStep', next) })); onDone(); }
  };
  const cancel = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await can.run((a) => a.run('accounting', 'CancelPaymentStep', {
      invoiceId: inv.id, step: last, reason, expectedVersion: inv.version }), ['reason', 'step']);
    if (out) { setReason(''); onDone(); }
  };
  return html`<div>
    ${msg ? html`<${Notice} kind="ok" testid="step-recorded">${msg}<//>` : null}
    ${next ? html`<form class="sub-card" onSubmit=${record} novalidate data-testid="step-form" data-step=${next}>
      <h2>${t('steps.next', { step: tEnum('PaymentStep', next) })}</h2>
      <p class="hint">${t(`steps.hint.${next}`)}</p>
      <${ErrorSummary} error=${rec.error} byField=${rec.byField} unmatched=${rec.unmatched} testid="step-errors"
        labels=${{ number: t('steps.number'), date: t('steps.date'), step: t('steps.title') }} prefix="step-" />
      <div class="grid">
        <${Field} label=${next === 'PAYMENT_STEP_SPP_VERIFIED' ? t('steps.numberOptional') : t('steps.number')} name="number" value=${number}
          onInput=${setNumber} errors=${rec.byField} required=${next !== 'PAYMENT_STEP_SPP_VERIFIED'} prefix="step-" testid="step-number-input" />
        <${Field} label=${t('steps.date')} name="date" type="date" value=${date} onInput=${setDate} errors=${rec.byField} required prefix="step-"
          testid="step-date" />
      </div>
      <div class="actions"><button type="submit" class="btn primary" disabled=${rec.busy} data-testid="step-submit">
        ${t('steps.next', { step: tEnum('PaymentStep', next) })}</button></div>
    </form>` : null}
    ${last ? html`<form class="sub-card" onSubmit=${cancel} novalidate data-testid="step-cancel-form">
      <h2>${t('steps.cancel', { step: tEnum('PaymentStep', last) })}</h2>
      <p class="hint">${t('steps.cancelHint')}</p>
      <${ErrorSummary} error=${can.error} byField=${can.byField} unmatched=${can.unmatched} testid="step-cancel-errors"
        labels=${{ reason: t('steps.cancelReason') }} prefix="cancel-" />
      <${Field} label=${t('steps.cancelReason')} name="reason" value=${reason} onInput=${setReason} errors=${can.byField} required prefix="cancel-"
        testid="step-cancel-reason" />
      <div class="actions"><button type="submit" class="btn" disabled=${can.busy} data-testid="step-cancel">${t('steps.cancel', { step: tEnum('PaymentStep', last) })}</button></div>
    </form>` : null}
  </div>`;
}

// The bytes of an export (base64) as a file the browser saves.
function download(out) {
  const bytes = Uint8Array.from(atob(out.content || ''), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: out.contentType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = out.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Export({ inv }) {
  const d = useLoad(() => call('accounting', 'ExportSpp', { invoiceId: inv.id, format: 'json' }), [inv.id, inv.version]);
  const [err, setErr] = useState(null);
  const get = (format) => call('accounting', 'ExportSpp', { invoiceId: inv.id, format }).then(download, setErr);
  return html`<section aria-labelledby="inv-export-h" class="sub-card" data-testid="spp-export"><h2 id="inv-export-h">${t('export.title')}</h2>
    <p class="hint">${t('export.hint')}</p>
    ${err ? html`<${ErrorSummary} error=${err} />` : null}
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="spp-records" rowTestid="spp-record" rowKey=${(r) => r.subActivityCode + r.accountCode} rows=${d.data.records || []}
        caption=${t('export.caption')} columns=${[
          { label: t('export.line'), render: (r) => html`<span class="code">${r.subActivityCode}</span><br /><span class="code">${r.accountCode}</span>` },
          { label: t('export.amount'), render: (r) => html`<span class="num" data-testid="spp-amount">${formatRupiah(r.amount)}</span>` },
          { label: t('export.vendor'), render: (r) => html`${r.vendorName}<br /><span class="muted">${r.headName}; NPWP ${r.npwp || '—'}</span>
            <br /><span class="muted">${r.bankName} ${r.bankBranch} ${r.accountNumber} a.n. ${r.accountHolder}</span>` },
          { label: t('export.agreement'), render: (r) => html`${r.agreementNumber}<br /><span class="muted">${formatDate(r.agreementDate)}</span>` },
        ]} />`}
    <div class="actions">
      <button type="button" class="btn" onClick=${() => get('csv')} data-testid="spp-csv">${t('export.csv')}</button>
      <button type="button" class="btn" onClick=${() => get('json')} data-testid="spp-json">${t('export.json')}</button>
    </div>
  </section>`;
}

function Slip({ inv, onDone }) {
  const { locale, user } = useContext(AppContext);
  const [number, setNumber] = useState('');
  const [date, setDate] = useState(todayWIB());
  const f = useAction();
  const save = async (e) => {
    e.preventDefault();
    const out = await f.run((a) => a.run('accounting', 'RecordWithholdingSlip', { invoiceId: inv.id, number, date }), ['number', 'date']);
    if (out) onDone();
  };
  return html`<section aria-labelledby="inv-slip-h" data-testid="slip"><h2 id="inv-slip-h">${t('slip.title')}</h2>
    <p data-testid="pph23-due">${t('slip.due', { date: formatDate(inv.pph23DueOn, locale) })}</p>
    ${inv.withholdingSlipNumber ? html`<p data-testid="slip-recorded">${t('slip.recorded', { number: inv.withholdingSlipNumber, date: formatDate(inv.withholdingSlipDate, locale) })}</p>`
      : isFinance(user) && inv.tax && BigInt(inv.tax.pph23 || 0) > 0n ? html`<form class="sub-card" onSubmit=${save} novalidate data-testid="slip-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="slip-errors"
        labels=${{ number: t('slip.number'), date: t('slip.date') }} prefix="slip-" />
      <div class="grid">
        <${Field} label=${t('slip.number')} name="number" value=${number} onInput=${setNumber} errors=${f.byField} required prefix="slip-" testid="slip-number" />
        <${Field} label=${t('slip.date')} name="date" type="date" value=${date} onInput=${setDate} errors=${f.byField} required prefix="slip-" testid="slip-date" />
      </div>
      <div class="actions"><button type="submit" class="btn" disabled=${f.busy} data-testid="slip-submit">${t('slip.save')}</button></div>
    </form>` : null}
  </section>`;
}

const codeLabel = (code) => {
  const s = t(`ledger.code.${code}`);
  return s === `ledger.code.${code}` ? code : s;
};

// The transfers of the invoice and of its orders (reservation, realisation).
async function invoiceLedger(inv) {
  const refs = [inv.id, ...(inv.orders || []).map((o) => o.orderId)];
  const pages = await Promise.all(refs.map((reference) => call('accounting', 'ListTransfers', { reference, pageSize: 100 })));
  const accounts = new Map();
  const transfers = [];
  for (const p of pages) {
    for (const a of p.accounts || []) accounts.set(a.id, a);
    transfers.push(...(p.transfers || []));
  }
  transfers.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  return { transfers, accounts };
}

function InvoiceLedger({ inv }) {
  const { locale } = useContext(AppContext);
  const d = useLoad(() => invoiceLedger(inv), [inv.id, inv.version]);
  const kindOf = (id) => {
    const a = d.data?.accounts.get(id);
    return a ? tEnum('AccountKind', a.kind) : id;
  };
  return html`<section aria-labelledby="inv-ledger-h"><h2 id="inv-ledger-h">${t('ledgerInv.title')}</h2>
    <p class="hint">${t('budget.ledgerHint')}</p>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="invoice-ledger" rowTestid="invoice-ledger-row" rows=${d.data.transfers} caption=${t('ledgerInv.caption')}
        columns=${[
          { label: t('budget.when'), render: (x) => formatDateTime(x.createdAt, locale) },
          { label: t('ledger.entry'), render: (x) => html`<span data-testid="ledger-code" data-code=${x.code}>${codeLabel(x.code)}</span>
            <br /><span class="muted">${tEnum('TransferKind', x.kind || 'TRANSFER_KIND_UNSPECIFIED')}</span>` },
          { label: t('ledger.accounts'), render: (x) => html`${kindOf(x.debitAccountId)} → ${kindOf(x.creditAccountId)}` },
          { label: t('ledger.amount'), render: (x) => html`<span class="num" data-testid="ledger-amount">${formatRupiah(x.amount)}</span>` },
        ]} />`}
  </section>`;
}

export function InvoiceDetail({ invoiceId }) {
  const { user, year } = useContext(AppContext);
  const d = useLoad(() => call('accounting', 'GetInvoice', { invoiceId }), [invoiceId]);
  if (d.loading && !d.data) return html`<section><h1>${t('invoice.title', { number: '' })}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('invoice.title', { number: '' })}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const inv = d.data;
  const finance = isFinance(user);
  const staff = !isPartnerUser(user);
  const decided = !['INVOICE_STATE_SUBMITTED', 'INVOICE_STATE_RETURNED'].includes(inv.state);
  const decidable = ['INVOICE_STATE_SUBMITTED', 'INVOICE_STATE_ACCEPTED'].includes(inv.state);
  return html`<section data-testid="invoice-page">
    <p><a href="#/invoices" data-testid="invoice-back">${t('invoice.back')}</a></p>
    <div class="page-head"><h1>${t('invoice.title', { number: inv.data.number })}</h1>
      <${InvoiceState} value=${inv.state} />
      <button type="button" class="btn small" onClick=${d.reload} data-testid="invoice-refresh">${t('invoice.refresh')}</button></div>
    ${inv.state === 'INVOICE_STATE_RETURNED' ? html`<${Notice} kind="warn" testid="invoice-returned">${t('invoice.returned', { reason: inv.returnedReason })}<//>` : null}
    <${Facts} inv=${inv} />
    <${Orders} inv=${inv} />
    <section aria-labelledby="inv-tax-h"><h2 id="inv-tax-h">${t('tax.title')}</h2><${TaxLines} tax=${inv.tax} year=${inv.fiscalYear || year} /></section>
    <${Documents} inv=${inv} onDone=${d.reload} />
    <${Steps} inv=${inv} />
    ${finance && decidable ? html`<${Decide} key=${inv.version} inv=${inv} onDone=${d.reload} />` : null}
    ${finance && decided ? html`<${StepForms} key=${inv.version} inv=${inv} onDone=${d.reload} />` : null}
    ${staff && decided ? html`<${Export} inv=${inv} />` : null}
    ${inv.state === 'INVOICE_STATE_PAID' ? html`<${Slip} key=${inv.version} inv=${inv} onDone=${d.reload} />` : null}
    ${staff ? html`<${InvoiceLedger} inv=${inv} />` : null}
  </section>`;
}
