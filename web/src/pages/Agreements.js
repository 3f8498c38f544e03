// Partnership agreements (perjanjian kerja sama, DOMAIN.md step 7): the
// year's list, a new draft (number, value, quota per product, validity,
// budget line), and one agreement with its quota used, the signed scan, and
// signing or cancelling it. A partner sees its own agreements only.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call, fileToBase64 } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { DataTable, Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDate, formatRupiah, parseRupiah } from '../format.js';
import { sniffType } from '../files.js';
import { PRODUCTS } from '../enums.js';
import { navigate } from '../router.js';

const isStaffUser = (user) => !user.roles.includes('partner');
const canWrite = (user) => isStaffUser(user) && user.roles.includes('partnership');

// base64 bytes -> an object URL of `type` (the caller revokes it).
export function base64Url(b64, type) {
  const bin = atob(b64 || '');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type }));
}

// Open a document answered as base64 in a new tab.
export async function openBase64(promise, type) {
  const w = globalThis.open('', '_blank');
  const doc = await promise;
  const url = base64Url(doc.content, type || doc.contentType || 'application/pdf');
  if (w) w.location = url; else globalThis.location.assign(url);
}

const quotaText = (a) => (a.data?.quotas || []).map((q) => `${tEnum('Product', q.product)}: ${t('agreement.quotaLine', { used: q.used || 0, placements: q.placements })}`).join('; ');

export function Agreements() {
  const { year, user } = useContext(AppContext);
  const d = useLoad(() => call('ordering', 'ListAgreements', { fiscalYear: year, pageSize: 200 }), [year]);
  const [creating, setCreating] = useState(false);
  return html`<section data-testid="agreements-page">
    <div class="page-head"><h1>${t('agreements.title', { year })}</h1>
      ${canWrite(user) && !creating ? html`<button type="button" class="btn primary" onClick=${() => setCreating(true)} data-testid="agreement-new">${t('agreements.new')}</button>` : null}</div>
    ${creating ? html`<${AgreementForm} year=${year} onDone=${(a) => navigate(`/agreements/${a.id}`)} />` : null}
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="agreements-table" rowTestid="agreement-row" rows=${d.data.agreements || []} empty=${t('agreements.empty')}
        caption=${t('agreements.caption', { year })} columns=${[
          { label: t('agreement.number'), render: (a) => html`<a href=${`#/agreements/${a.id}`} data-testid="agreement-link">${a.data.number}</a>` },
          { label: t('agreement.company'), render: (a) => a.companyName || a.data.companyId },
          { label: t('agreement.value'), render: (a) => formatRupiah(a.data.value) },
          { label: t('agreement.usedValue'), render: (a) => formatRupiah(a.usedValue) },
          { label: t('agreement.quotas'), render: quotaText },
          { label: t('agreement.state'), render: (a) => html`<${StatusBadge} type="AgreementState" value=${a.state} testid="agreement-state" />` },
        ]} />`}
  </section>`;
}

// Companies a draft may name: verified ones with a tier (the server checks again).
async function loadChoices(year) {
  const [companies, lines] = await Promise.all([
    call('registry', 'ListCompanies', { status: 'COMPANY_STATUS_VERIFIED', pageSize: 100 }).then((r) => r.companies || []),
    call('accounting', 'ListBudgetLines', { fiscalYear: year }).then((r) => r.lines || []).catch(() => []),
  ]);
  return { companies, lines };
}

function AgreementForm({ year, onDone }) {
  const choices = useLoad(() => loadChoices(year), [year]);
  const [v, setV] = useState({
    companyId: '', number: '', value: '', validFrom: `${year}-01-01`, validUntil: `${year}-12-31`, budgetLineId: '',
    quotas: [{ product: 'PRODUCT_ONLINE_ADVERTORIAL', placements: '' }],
  });
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const setQuota = (i, k, x) => setV({ ...v, quotas: v.quotas.map((q, j) => (j === i ? { ...q, [k]: x } : q)) });
  const known = ['agreement.companyId', 'agreement.number', 'agreement.value', 'agreement.validFrom', 'agreement.validUntil',
    'agreement.budgetLineId', 'agreement.quotas', ...v.quotas.flatMap((_, i) => [`agreement.quotas[${i}].product`, `agreement.quotas[${i}].placements`])];
  const save = async () => {
    const body = {
      agreement: {
        companyId: v.companyId, fiscalYear: year, number: v.number.trim(), value: parseRupiah(v.value) ?? v.value,
        validFrom: v.validFrom, validUntil: v.validUntil, budgetLineId: v.budgetLineId,
        quotas: v.quotas.map((q) => ({ product: q.product, placements: Number(q.placements) || 0 })),
      },
    };
    const out = await f.run((act) => act.run('ordering', 'SaveAgreement', body), known);
    if (out) onDone(out);
  };
  const errors = Object.fromEntries(Object.entries(f.byField).map(([k, e]) => [k.replace(/^agreement\./, ''), e]));
  if (choices.loading) return html`<${Loading} />`;
  const { companies = [], lines = [] } = choices.data || {};
  return html`<form class="sub-card" onSubmit=${(e) => { e.preventDefault(); save(); }} novalidate data-testid="agreement-form">
    <h2>${t('agreement.newTitle')}</h2>
    <${ErrorSummary} error=${f.error} byField=${errors} unmatched=${f.unmatched} testid="agreement-errors"
      labels=${{ companyId: t('agreement.company'), number: t('agreement.number'), value: t('agreement.value'),
        validFrom: t('agreement.validFrom'), validUntil: t('agreement.validUntil'), quotas: t('agreement.quotas') }} />
    <div class="grid">
      <${Field} label=${t('agreement.company')} name="companyId" value=${v.companyId} onInput=${set('companyId')} errors=${errors} required
        hint=${t('agreement.companyHint')} testid="agreement-company"
        options=${[{ value: '', label: t('common.choose') }, ...companies.map((c) => ({ value: c.id, label: c.legalName }))]} />
      <${Field} label=${t('agreement.number')} name="number" value=${v.number} onInput=${set('number')} errors=${errors} required testid="agreement-number" />
      <${Field} label=${t('agreement.value')} name="value" value=${v.value} onInput=${set('value')} errors=${errors} required
        inputmode="numeric" hint=${t('agreement.valueHint')} testid="agreement-value" />
      <${Field} label=${t('agreement.validFrom')} name="validFrom" type="date" value=${v.validFrom} onInput=${set('validFrom')} errors=${errors} required testid="agreement-valid-from" />
      <${Field} label=${t('agreement.validUntil')} name="validUntil" type="date" value=${v.validUntil} onInput=${set('validUntil')} errors=${errors} required testid="agreement-valid-until" />
      <${Field} label=${t('agreement.budgetLine')} name="budgetLineId" value=${v.budgetLineId} onInput=${set('budgetLineId')} errors=${errors} testid="agreement-line"
        options=${[{ value: '', label: t('agreement.noLine') }, ...lines.map((l) => ({ value: l.id, label: `${l.data.subActivityCode} ${l.data.accountCode} — ${l.data.name} (${formatRupiah(l.balances?.available)})` }))]} />
    </div>
    <fieldset class="sub-card"><legend>${t('agreement.quotas')}</legend>
      ${v.quotas.map((q, i) => html`<div class="grid" data-testid="quota-row">
        <${Field} label=${t('agreement.product')} name=${`quotas[${i}].product`} value=${q.product} onInput=${(x) => setQuota(i, 'product', x)}
          errors=${errors} testid=${`quota-product-${i}`} options=${PRODUCTS.map((p) => ({ value: p, label: tEnum('Product', p) }))} />
        <${Field} label=${t('agreement.placements')} name=${`quotas[${i}].placements`} value=${q.placements} type="number" min="1"
          onInput=${(x) => setQuota(i, 'placements', x)} errors=${errors} testid=${`quota-placements-${i}`} />
        ${v.quotas.length > 1 ? html`<button type="button" class="btn small" onClick=${() => setV({ ...v, quotas: v.quotas.filter((_, j) => j !== i) })}>
          ${t('agreement.removeQuota', { n: i + 1 })}</button>` : null}
      </div>`)}
      <button type="button" class="btn small" onClick=${() => setV({ ...v, quotas: [...v.quotas, { product: 'PRODUCT_ONLINE_BANNER_MONTH', placements: '' }] })}
        data-testid="quota-add">${t('agreement.addQuota')}</button>
    </fieldset>
    <div class="actions"><button type="submit" class="btn primary" disabled=${f.busy} data-testid="agreement-save">${t('agreement.saveDraft')}</button></div>
  </form>`;
}

export function AgreementDetail({ agreementId }) {
  const { user, locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const agreement = await call('ordering', 'GetAgreement', { agreementId });
    const orders = await call('ordering', 'ListOrders', { fiscalYear: agreement.data.fiscalYear, companyId: agreement.data.companyId, pageSize: 100 })
      .then((r) => (r.orders || []).filter((o) => o.data.agreementId === agreementId)).catch(() => []);
    return { agreement, orders };
  }, [agreementId]);
  const sign = useAction();
  const cancel = useAction();
  const [signedOn, setSignedOn] = useState('');
  const [file, setFile] = useState(null);
  const [fileErr, setFileErr] = useState('');
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState('');
  if (d.loading && !d.data) return html`<section><h1>${t('agreement.title', { number: '' })}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('agreement.title', { number: '' })}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { agreement: a, orders } = d.data;
  const draft = a.state === 'AGREEMENT_STATE_DRAFT';
  const writable = canWrite(user) && (draft || a.state === 'AGREEMENT_STATE_ACTIVE');

  const onFile = async (e) => {
    const fl = e.currentTarget.files[0] || null;
    setFile(fl);
    setFileErr('');
    if (fl && sniffType(new Uint8Array(await fl.slice(0, 8).arrayBuffer())) !== 'application/pdf') setFileErr(t('agreement.notPdf'));
  };
  const doSign = async () => {
    setMsg('');
    if (!file) { setFileErr(t('upload.choose')); return; }
    const content = await fileToBase64(file);
    const out = await sign.run((act) => act.run('ordering', 'SignAgreement', { agreementId, signedOn, fileName: file.name, content }), ['signedOn', 'content']);
    if (out) { setMsg(t('agreement.signed')); d.reload(); }
  };
  const doCancel = async () => {
    setMsg('');
    const out = await cancel.run((act) => act.run('ordering', 'CancelAgreement', { agreementId, reason }), ['reason']);
    if (out) { setMsg(t('agreement.cancelled')); d.reload(); }
  };
  const remaining = BigInt(a.data.value || 0) - BigInt(a.usedValue || 0);
  return html`<section data-testid="agreement-page">
    <h1>${t('agreement.title', { number: a.data.number })}</h1>
    ${msg ? html`<${Notice} kind="ok" testid="agreement-notice">${msg}<//>` : null}
    <dl class="facts">
      <dt>${t('agreement.state')}</dt><dd><${StatusBadge} type="AgreementState" value=${a.state} testid="agreement-state" /></dd>
      <dt>${t('agreement.company')}</dt><dd data-testid="agreement-company-name">${a.companyName || a.data.companyId}</dd>
      <dt>${t('agreement.value')}</dt><dd data-testid="agreement-value-text">${formatRupiah(a.data.value)}</dd>
      <dt>${t('agreement.usedValue')}</dt><dd data-testid="agreement-used">${formatRupiah(a.usedValue)} (${t('agreement.remaining')} ${formatRupiah(remaining.toString())})</dd>
      <dt>${t('agreement.validFrom')}</dt><dd>${formatDate(a.data.validFrom, locale)} – ${formatDate(a.data.validUntil, locale)}</dd>
      ${a.signedOn ? html`<dt>${t('agreement.signedOn')}</dt><dd>${formatDate(a.signedOn, locale)}</dd>` : null}
      ${a.documentSha256 ? html`<dt>${t('agreement.document')}</dt><dd><button type="button" class="linklike" data-testid="agreement-document"
        onClick=${() => openBase64(call('ordering', 'GetAgreementDocument', { agreementId }), 'application/pdf')}>${t('agreement.viewDocument')}</button></dd>` : null}
    </dl>
    <${DataTable} testid="quota-table" rowTestid="quota-line" rowKey=${(q) => q.product} rows=${a.data.quotas || []} caption=${t('agreement.quotas')} columns=${[
      { label: t('agreement.product'), render: (q) => tEnum('Product', q.product) },
      { label: t('agreement.placements'), render: (q) => q.placements },
      { label: t('agreement.used'), render: (q) => html`<span data-testid="quota-used">${q.used || 0}</span>` },
    ]} />
    ${writable && draft ? html`<form class="sub-card" onSubmit=${(e) => { e.preventDefault(); doSign(); }} novalidate data-testid="agreement-sign-form">
      <h2>${t('agreement.sign')}</h2>
      <p class="hint">${t('agreement.signHint')}</p>
      <${ErrorSummary} error=${sign.error} byField=${sign.byField} unmatched=${sign.unmatched} testid="sign-errors"
        labels=${{ signedOn: t('agreement.signedOn'), content: t('agreement.document') }} />
      <div class="grid">
        <${Field} label=${t('agreement.signedOn')} name="signedOn" type="date" value=${signedOn} onInput=${setSignedOn} errors=${sign.byField} required testid="agreement-signed-on" />
        <div class=${`field${fileErr || sign.byField.content ? ' has-error' : ''}`}>
          <label for="f-agreement-file">${t('agreement.document')}</label>
          <input id="f-agreement-file" type="file" accept="application/pdf" onChange=${onFile} data-testid="agreement-file"
            aria-invalid=${fileErr || sign.byField.content ? 'true' : undefined} aria-describedby="f-agreement-file-err" />
          <p class="field-error" id="f-agreement-file-err" role="status">${fileErr || sign.byField.content || ''}</p>
        </div>
      </div>
      <div class="actions"><button type="submit" class="btn primary" disabled=${sign.busy || !!fileErr} data-testid="agreement-sign">${t('agreement.sign')}</button></div>
    </form>` : null}
    ${writable ? html`<form class="sub-card" onSubmit=${(e) => { e.preventDefault(); doCancel(); }} novalidate data-testid="agreement-cancel-form">
      <h2>${t('agreement.cancel')}</h2>
      <${ErrorSummary} error=${cancel.error} byField=${cancel.byField} unmatched=${cancel.unmatched} testid="cancel-errors" labels=${{ reason: t('agreement.cancelReason') }} />
      <${Field} label=${t('agreement.cancelReason')} name="reason" value=${reason} onInput=${setReason} errors=${cancel.byField} multiline prefix="cancel-" testid="agreement-cancel-reason" />
      <div class="actions"><button type="submit" class="btn" disabled=${cancel.busy} data-testid="agreement-cancel">${t('agreement.cancel')}</button></div>
    </form>` : null}
    <h2>${t('agreement.orders')}</h2>
    <${DataTable} testid="agreement-orders" rowTestid="order-row" rows=${orders} empty=${t('orders.empty')} columns=${[
      { label: t('order.heading'), render: (o) => html`<a href=${`#/orders/${o.id}`}>${o.number || o.data.title}</a>` },
      { label: t('order.gross'), render: (o) => formatRupiah(o.gross) },
      { label: t('order.state'), render: (o) => html`<${StatusBadge} type="OrderState" value=${o.state} testid="order-state" />` },
    ]} />
  </section>`;
}
