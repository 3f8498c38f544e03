// One media order: what, where, when and for how much; the offer timeline
// (every offer with who and when); and what the person looking at it may do
// now - answer an offer (accept, counter up to the ceiling, decline),
// approve (the head, never the order's creator), issue, cancel, submit a
// proof of publication, or review one (never one's own).
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call, fileToBase64 } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { describe } from '../codes.js';
import { StatusBadge } from '../components/Badge.js';
import { Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDate, formatDateTime, formatRupiah, parseRupiah, wibToRFC3339, todayWIB, nowTimeWIB } from '../format.js';
import { checkFile } from '../files.js';
import { PROOF_KINDS } from '../enums.js';
import { openBase64 } from './Agreements.js';

// "YYYY-MM-DD" plus `days` calendar days.
const addDays = (date, days) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + days)).toISOString().slice(0, 10) : date;
};

const partnerOf = (user) => user.roles.includes('partner');
const staffRole = (user, role) => !partnerOf(user) && user.roles.includes(role);

// Accept / counter / decline, for whoever the order waits for.
export function OfferActions({ order, onDone, prefix = '' }) {
  const { user } = useContext(AppContext);
  const partner = partnerOf(user);
  const office = staffRole(user, 'partnership');
  const [price, setPrice] = useState('');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const f = useAction();
  const s = order.state;
  const answers = (partner && s === 'ORDER_STATE_OFFERED') || (office && s === 'ORDER_STATE_COUNTERED');
  const draft = office && s === 'ORDER_STATE_DRAFT';
  if (!answers && !draft) {
    if (s === 'ORDER_STATE_OFFERED') return html`<p class="muted" data-testid="order-wait">${t('order.waitPartner')}</p>`;
    if (s === 'ORDER_STATE_COUNTERED') return html`<p class="muted" data-testid="order-wait">${t('order.waitOffice')}</p>`;
    return null;
  }
  const act = async (method, body, known = []) => {
    const out = await f.run((a) => a.run('ordering', method, { orderId: order.id, expectedVersion: order.version, ...body }), known);
    if (out) { setPrice(''); setNote(''); setReason(''); onDone(out); }
  };
  const errors = f.byField;
  if (draft) {
    return html`<div class="actions" data-testid="offer-actions">
      <${ErrorSummary} error=${f.error} byField=${errors} unmatched=${f.unmatched} testid=${`${prefix}offer-errors`} />
      <button type="button" class="btn primary" disabled=${f.busy} onClick=${() => act('OfferOrder', {})} data-testid="order-offer">${t('order.offer')}</button>
    </div>`;
  }
  return html`<div class="sub-card" data-testid="offer-actions">
    <${ErrorSummary} error=${f.error} byField=${errors} unmatched=${f.unmatched} testid=${`${prefix}offer-errors`} prefix=${prefix}
      labels=${{ unitPrice: t('order.counterPrice'), reason: t('order.rejectReason') }} />
    <div class="actions">
      <button type="button" class="btn primary" disabled=${f.busy} onClick=${() => act('AcceptOffer', {})} data-testid="order-accept">
        ${t('order.accept')} (${formatRupiah(order.unitPrice)})</button>
    </div>
    <form onSubmit=${(e) => { e.preventDefault(); act('CounterOffer', { unitPrice: parseRupiah(price) ?? '0', note }, ['unitPrice']); }} novalidate>
      <div class="grid">
        <${Field} label=${t('order.counterPrice')} name="unitPrice" value=${price} onInput=${setPrice} errors=${errors} prefix=${prefix}
          inputmode="numeric" hint=${t('order.unitPriceHint', { ceiling: formatRupiah(order.ceiling) })} testid="counter-price" />
        <${Field} label=${t('order.note')} name="note" value=${note} onInput=${setNote} prefix=${prefix} testid="counter-note" />
      </div>
      <div class="actions"><button type="submit" class="btn" disabled=${f.busy} data-testid="order-counter">${t('order.counter')}</button></div>
    </form>
    ${partner ? html`<form onSubmit=${(e) => { e.preventDefault(); act('RejectOffer', { reason }, ['reason']); }} novalidate>
      <${Field} label=${t('order.rejectReason')} name="reason" value=${reason} onInput=${setReason} errors=${errors} prefix=${prefix} testid="reject-reason" />
      <div class="actions"><button type="submit" class="btn" disabled=${f.busy} data-testid="order-reject">${t('order.reject')}</button></div>
    </form>` : null}
  </div>`;
}

function Timeline({ order }) {
  const { locale } = useContext(AppContext);
  const offers = order.offers || [];
  if (!offers.length) return null;
  return html`<section aria-labelledby="timeline-h"><h2 id="timeline-h">${t('order.timeline')}</h2>
    <ol class="checklist" data-testid="offer-timeline">${offers.map((o) => html`<li data-testid="offer-item" data-party=${o.party} data-round=${o.round}>
      <strong>${t('order.offerRound', { round: o.round })}: <span data-testid="offer-item-price">${formatRupiah(o.unitPrice)}</span></strong>
      ${' '}(${t('order.gross')} ${formatRupiah(o.gross)})<br />
      <span class="muted">${t('order.offerBy', { party: tEnum('Party', o.party), who: o.offeredBy, when: formatDateTime(o.offeredAt, locale) })}</span>
      ${o.note ? html`<br />${o.note}` : null}
    </li>`)}</ol></section>`;
}

function Proofs({ order }) {
  const { locale } = useContext(AppContext);
  const proofs = order.proofs || [];
  return html`<section aria-labelledby="proofs-h"><h2 id="proofs-h">${t('orderProof.title')}</h2>
    ${!proofs.length ? html`<p class="empty">${t('orderProof.none')}</p>` : html`<ol class="checklist" data-testid="proof-list">
      ${proofs.map((p) => html`<li data-testid="proof-item" data-version=${p.version}
          data-decision=${p.accepted ? 'accepted' : p.rejected ? 'rejected' : 'pending'}>
        <strong>${t('orderProof.version', { v: p.version })}: ${tEnum('ProofKind', p.kind)}</strong>
        ${' '}<span class=${`badge badge-${p.late ? 'warn' : 'ok'}`} data-testid="proof-late">${p.late ? t('orderProof.late') : t('orderProof.onTime')}</span>
        ${' '}<span class=${`badge badge-${p.accepted ? 'ok' : p.rejected ? 'bad' : 'neutral'}`}>${p.accepted ? t('orderProof.accepted') : p.rejected ? t('orderProof.rejected', { reason: p.reason }) : t('orderProof.pending')}</span><br />
        ${p.url ? html`<a href=${p.url} target="_blank" rel="noopener noreferrer">${t('orderProof.openLink')}</a><br />` : null}
        ${p.sha256 ? html`<button type="button" class="linklike" data-testid="proof-file"
          onClick=${() => openBase64(call('ordering', 'GetProofFile', { orderId: order.id, proofVersion: p.version }), p.contentType)}>${t('orderProof.viewFile')}</button><br />` : null}
        <span class="muted">${t('orderProof.publishedAt', { when: formatDateTime(p.publishedAt, locale) })};
          ${t('orderProof.submittedBy', { who: p.submittedBy, when: formatDateTime(p.submittedAt, locale) })}</span>
        ${p.rejected ? html`<p data-testid="proof-reason">${p.reason}</p>` : null}
      </li>`)}</ol>`}</section>`;
}

function ProofForm({ order, onDone, again }) {
  const [kind, setKind] = useState('PROOF_KIND_URL');
  const [url, setUrl] = useState('');
  // Now, not a fixed hour: today at 09:00 is still ahead before 9 in the morning
  // (the server refuses a publication time in the future).
  const [date, setDate] = useState(todayWIB());
  const [time, setTime] = useState(nowTimeWIB());
  const [file, setFile] = useState(null);
  const [fileErr, setFileErr] = useState('');
  const f = useAction();
  const needsFile = kind !== 'PROOF_KIND_URL';
  const onFile = async (e) => {
    const fl = e.currentTarget.files[0] || null;
    setFile(fl);
    const err = fl ? checkFile({ size: fl.size, head: new Uint8Array(await fl.slice(0, 8).arrayBuffer()) }) : null;
    setFileErr(err ? t(err, { size: '' }) : '');
  };
  const submit = async () => {
    if (needsFile && !file) { setFileErr(t('upload.choose')); return; }
    const body = { orderId: order.id, kind, publishedAt: wibToRFC3339(date, time) || '' };
    if (kind === 'PROOF_KIND_URL') body.url = url.trim();
    else { body.fileName = file.name; body.content = await fileToBase64(file); }
    const out = await f.run((a) => a.run('ordering', 'SubmitProof', body), ['url', 'publishedAt', 'content', 'kind']);
    if (out) onDone(out);
  };
  return html`<form class="sub-card" onSubmit=${(e) => { e.preventDefault(); submit(); }} novalidate data-testid="proof-form">
    <h2>${again ? t('orderProof.resubmit') : t('orderProof.submit')}</h2>
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="proof-errors"
      labels=${{ url: t('orderProof.url'), publishedAt: t('orderProof.publishedDate'), content: t('orderProof.file') }} />
    <div class="grid">
      <${Field} label=${t('orderProof.kind')} name="kind" value=${kind} onInput=${setKind} testid="proof-kind"
        options=${PROOF_KINDS.map((k) => ({ value: k, label: tEnum('ProofKind', k) }))} />
      ${needsFile ? html`<div class=${`field${fileErr || f.byField.content ? ' has-error' : ''}`}>
          <label for="f-proof-file">${t('orderProof.file')}</label>
          <input id="f-proof-file" type="file" accept="application/pdf,image/jpeg,image/png" onChange=${onFile} data-testid="proof-upload"
            aria-invalid=${fileErr || f.byField.content ? 'true' : undefined} aria-describedby="f-proof-file-err" />
          <p class="field-error" id="f-proof-file-err" role="status">${fileErr || f.byField.content || ''}</p>
        </div>`
        : html`<${Field} label=${t('orderProof.url')} name="url" type="url" value=${url} onInput=${setUrl} errors=${f.byField} required testid="proof-url" />`}
      <${Field} label=${t('orderProof.publishedDate')} name="publishedAt" type="date" value=${date} onInput=${setDate} errors=${f.byField} required testid="proof-date" />
      <${Field} label=${t('orderProof.publishedTime')} name="publishedTime" type="time" value=${time} onInput=${setTime} testid="proof-time" />
    </div>
    <div class="actions"><button type="submit" class="btn primary" disabled=${f.busy} data-testid="proof-submit">${t('orderProof.submit')}</button></div>
  </form>`;
}

function ProofReview({ order, onDone }) {
  const { user } = useContext(AppContext);
  const proof = (order.proofs || []).filter((p) => !p.accepted && !p.rejected).slice(-1)[0];
  const [reason, setReason] = useState('');
  const f = useAction();
  if (!proof) return null;
  if (proof.submittedBy === user.id) return html`<${Notice} kind="info">${t('orderProof.ownProof')}<//>`;
  const decide = async (accept) => {
    const out = await f.run((a) => a.run('ordering', 'DecideProof', { orderId: order.id, proofVersion: proof.version, accept, reason }), ['reason']);
    if (out) { setReason(''); onDone(out); }
  };
  return html`<form class="sub-card" onSubmit=${(e) => { e.preventDefault(); decide(false); }} novalidate data-testid="proof-review">
    <h2>${t('orderProof.review')} (${t('orderProof.version', { v: proof.version })})</h2>
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="review-errors" labels=${{ reason: t('orderProof.reason') }} />
    <${Field} label=${t('orderProof.reason')} name="reason" value=${reason} onInput=${setReason} errors=${f.byField} multiline prefix="review-" testid="proof-reason-input" />
    <div class="actions">
      <button type="button" class="btn primary" disabled=${f.busy} onClick=${() => decide(true)} data-testid="proof-accept">${t('orderProof.acceptBtn')}</button>
      <button type="submit" class="btn" disabled=${f.busy} data-testid="proof-reject">${t('orderProof.rejectBtn')}</button>
    </div>
  </form>`;
}

// A single button that moves the order on (approve, issue), with its errors.
function StepButton({ order, method, label, testid, onDone, primary = true }) {
  const f = useAction();
  const go = async () => {
    const out = await f.run((a) => a.run('ordering', method, { orderId: order.id, expectedVersion: order.version }), []);
    if (out) onDone(out);
  };
  return html`<div class="sub-card">
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid=${`${testid}-errors`} />
    <div class="actions"><button type="button" class=${`btn${primary ? ' primary' : ''}`} disabled=${f.busy} onClick=${go} data-testid=${testid}>${label}</button></div>
  </div>`;
}

function CancelForm({ order, onDone }) {
  const [reason, setReason] = useState('');
  const f = useAction();
  const go = async () => {
    const out = await f.run((a) => a.run('ordering', 'CancelOrder', { orderId: order.id, reason, expectedVersion: order.version }), ['reason']);
    if (out) onDone(out);
  };
  return html`<form class="sub-card" onSubmit=${(e) => { e.preventDefault(); go(); }} novalidate data-testid="order-cancel-form">
    <h2>${t('order.cancel')}</h2>
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="order-cancel-errors" labels=${{ reason: t('order.cancelReason') }} />
    <${Field} label=${t('order.cancelReason')} name="reason" value=${reason} onInput=${setReason} errors=${f.byField} prefix="cancel-" testid="order-cancel-reason" />
    <div class="actions"><button type="submit" class="btn" disabled=${f.busy} data-testid="order-cancel">${t('order.cancel')}</button></div>
  </form>`;
}

const ISSUED = ['ORDER_STATE_ISSUED', 'ORDER_STATE_PROOF_SUBMITTED', 'ORDER_STATE_PROOF_REJECTED', 'ORDER_STATE_COMPLETED'];
const FINAL = ['ORDER_STATE_COMPLETED', 'ORDER_STATE_REJECTED', 'ORDER_STATE_CANCELLED', 'ORDER_STATE_ISSUING'];

export function OrderDetail({ orderId }) {
  const { user, locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const order = await call('ordering', 'GetOrder', { orderId });
    const settings = await call('ordering', 'GetYearSettings', { fiscalYear: order.fiscalYear }).catch(() => null);
    return { order, settings };
  }, [orderId]);
  const [msg, setMsg] = useState('');
  if (d.loading && !d.data) return html`<section><h1>${t('order.title')}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('order.title')}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { order: o, settings } = d.data;
  const s = o.state;
  const partner = partnerOf(user);
  const office = staffRole(user, 'partnership');
  const head = staffRole(user, 'head');
  const done = (key) => (out) => { setMsg(key === 'issued' ? t('order.issuedNotice', { number: out.number }) : t('order.done')); d.reload(); };
  const issuable = office && ((s === 'ORDER_STATE_ACCEPTED' && !o.needsApproval) || s === 'ORDER_STATE_APPROVED');
  const canCancel = !FINAL.includes(s) && (ISSUED.includes(s) ? head : office || head);
  const dueDays = settings?.proofGraceDays ?? 0;
  return html`<section data-testid="order-page">
    <div class="page-head"><h1>${o.data.title}</h1>
      <button type="button" class="btn small" onClick=${d.reload} data-testid="order-refresh">${t('common.refresh')}</button></div>
    ${msg ? html`<${Notice} kind="ok" testid="order-notice">${msg}<//>` : null}
    <dl class="facts">
      <dt>${t('order.state')}</dt><dd><${StatusBadge} type="OrderState" value=${s} testid="order-state" /></dd>
      <dt>${t('order.number')}</dt><dd data-testid="order-number">${o.number || t('order.noNumber')}</dd>
      <dt>${t('order.company')}</dt><dd>${o.companyName}</dd>
      <dt>${t('order.outlet')}</dt><dd>${o.outletName}</dd>
      <dt>${t('order.product')}</dt><dd>${tEnum('Product', o.data.product)} × ${o.data.quantity}</dd>
      <dt>${t('order.schedule')}</dt><dd>${formatDate(o.data.scheduleFrom, locale)} – ${formatDate(o.data.scheduleTo, locale)}</dd>
      <dt>${t('order.ceiling')}</dt><dd>${formatRupiah(o.ceiling)}</dd>
      <dt>${t('order.unitPrice')}</dt><dd data-testid="order-unit-price">${formatRupiah(o.unitPrice)}</dd>
      <dt>${t('order.gross')}</dt><dd data-testid="order-gross">${formatRupiah(o.gross)}</dd>
      ${o.needsApproval ? html`<dt>${t('order.needsApproval')}</dt><dd>${o.approvedBy ? t('order.approvedBy') + ' ' + o.approvedBy : '—'}</dd>` : null}
      ${o.issuedAt ? html`<dt>${t('order.issuedAt')}</dt><dd>${formatDateTime(o.issuedAt, locale)} (${o.issuedBy})</dd>` : null}
      ${o.cancelledReason ? html`<dt>${t('order.cancelledReason')}</dt><dd>${o.cancelledReason}</dd>` : null}
      <dt>${t('order.createdBy')}</dt><dd>${o.createdBy}, ${formatDateTime(o.createdAt, locale)}</dd>
    </dl>
    ${o.data.brief ? html`<h2>${t('order.brief')}</h2><p class="brief">${o.data.brief}</p>` : null}
    ${ISSUED.includes(s) ? html`<${Notice} kind="ok" testid="order-reserved">${t('order.reserved', { amount: formatRupiah(o.gross) })}<//>` : null}
    ${s === 'ORDER_STATE_ISSUING' ? html`<${Notice} kind="info" testid="order-issuing">${t('order.issuing')}<//>` : null}
    ${o.refusalField && !ISSUED.includes(s) ? html`<${Notice} kind="warn" testid="order-refusal">${t('order.refusal', { reason: describe(o.refusalReason) })}<//>` : null}
    ${ISSUED.includes(s) && settings ? html`<p class="hint">${t('orderProof.due', { date: formatDate(addDays(o.data.scheduleTo, dueDays), locale), days: dueDays })}</p>` : null}
    <${Timeline} order=${o} />
    <h2>${t('order.actions')}</h2>
    <${OfferActions} order=${o} onDone=${done('offer')} />
    ${s === 'ORDER_STATE_AWAITING_APPROVAL' && !head ? html`<p class="muted">${t('order.waitHead')}</p>` : null}
    ${s === 'ORDER_STATE_AWAITING_APPROVAL' && head ? (o.createdBy === user.id
      ? html`<${Notice} kind="info" testid="order-own-approval">${t('order.ownApproval')}<//>`
      : html`<${StepButton} order=${o} method="ApproveOrder" label=${t('order.approve')} testid="order-approve" onDone=${done('approved')} />`) : null}
    ${issuable ? html`<${StepButton} order=${o} method="IssueOrder" label=${t('order.issue')} testid="order-issue" onDone=${done('issued')} />` : null}
    ${(partner || office) && (s === 'ORDER_STATE_ISSUED' || s === 'ORDER_STATE_PROOF_REJECTED')
      ? html`<${ProofForm} order=${o} onDone=${done('proof')} again=${s === 'ORDER_STATE_PROOF_REJECTED'} />` : null}
    ${(office || head) && s === 'ORDER_STATE_PROOF_SUBMITTED' ? html`<${ProofReview} order=${o} onDone=${done('review')} />` : null}
    <${Proofs} order=${o} />
    ${canCancel ? html`<${CancelForm} order=${o} onDone=${done('cancel')} />` : null}
  </section>`;
}
