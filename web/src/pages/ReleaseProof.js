// The proof of distribution of one sent release (staff): every frozen
// recipient with its outlets, each e-mail's state (and the relay's answer),
// when it was read in the portal and by whom, and where it was published.
// PR staff can send failed e-mails again and record pick-ups partners did
// not report themselves.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { Loading } from '../components/Table.js';
import { TierBadge } from '../components/Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, wibToRFC3339, todayWIB } from '../format.js';
import { wordsByField, wordsUnmatched } from '../press.js';

const DELIVERY_TONE = {
  DELIVERY_STATE_QUEUED: 'info', DELIVERY_STATE_ATTEMPTING: 'info', DELIVERY_STATE_SENT: 'ok',
  DELIVERY_STATE_FAILED: 'bad', DELIVERY_STATE_BOUNCED: 'bad',
};

function DeliveryLine({ d }) {
  const { locale } = useContext(AppContext);
  return html`<li data-testid="proof-delivery" data-state=${d.state}>
    <span class=${`badge badge-${DELIVERY_TONE[d.state] || 'neutral'}`}>${tEnum('DeliveryState', d.state)}</span>
    ${' '}${d.address}${d.correction ? html` <span class="muted">(${t('proof.correction', { v: d.version })})</span>` : null}
    ${d.sentAt ? html` <span class="muted">${formatDateTime(d.sentAt, locale)}</span>` : null}
    ${d.state === 'DELIVERY_STATE_SENT' && !d.confirmed ? html` <span class="warn-text">${t('proof.unconfirmed')}</span>` : null}
    ${(d.attempts || 0) > 1 || d.state !== 'DELIVERY_STATE_SENT' ? html` <span class="muted">${t('proof.attempts', { n: d.attempts || 0 })}${d.lastReply ? `: ${d.lastReply}` : ''}</span>` : null}
  </li>`;
}

function RecipientRow({ r }) {
  const { locale } = useContext(AppContext);
  const c = r.company || {};
  return html`<tr data-testid="proof-recipient" data-id=${c.companyId}>
    <th scope="row" data-label=${t('proof.company')}>${c.name}</th>
    <td data-label=${t('proof.outlets')}>${(c.outlets || []).map((o) => html`<div>${o.name} <span class="muted">${tEnum('OutletType', o.type)}</span>
      ${o.tierKnown ? html`<${TierBadge} tier=${o.tier || 'TIER_NONE'} />` : null}</div>`)}</td>
    <td data-label=${t('proof.delivery')}>${(r.deliveries || []).length
      ? html`<ul class="plain">${r.deliveries.map((d) => html`<${DeliveryLine} d=${d} />`)}</ul>`
      : html`<span class="muted">${t('proof.portalOnly')}</span>`}</td>
    <td data-label=${t('proof.read')}>${(r.reads || []).length
      ? (r.reads || []).map((x) => html`<div data-testid="proof-read">${t('proof.readLine', { v: x.version, time: formatDateTime(x.readAt, locale) })}${' '}
          <span class="muted">${x.readBy}</span></div>`)
      : html`<span class="muted">${t('proof.notRead')}</span>`}</td>
    <td data-label=${t('proof.pickups')}>${(r.pickups || []).length
      ? (r.pickups || []).map((p) => html`<div data-testid="proof-pickup"><a href=${p.url} rel="noopener noreferrer" target="_blank">${p.url}</a>
          ${p.outletName ? html` <span class="muted">${p.outletName}</span>` : null}
          ${p.publishedAt ? html` <span class="muted">${formatDateTime(p.publishedAt, locale)}</span>` : null}
          ${p.byStaff ? html` <span class="muted">(${t('proof.byStaff')})</span>` : null}</div>`)
      : html`<span class="muted">${t('proof.noPickup')}</span>`}</td>
  </tr>`;
}

function StaffPickup({ proof, onDone }) {
  const recipients = proof.recipients || [];
  const [companyId, setCompanyId] = useState(recipients[0]?.company?.companyId || '');
  const [outletId, setOutletId] = useState('');
  const [url, setUrl] = useState('');
  const [date, setDate] = useState(todayWIB());
  const [time, setTime] = useState('');
  const [done, setDone] = useState(false);
  const f = useAction();
  const outlets = recipients.find((r) => r.company?.companyId === companyId)?.company?.outlets || [];
  const submit = async (e) => {
    e.preventDefault();
    setDone(false);
    const out = await f.run((act) => act.run('distribution', 'ReportPickup', {
      releaseId: proof.release.id, companyId, outletId, url: url.trim(),
      publishedAt: date ? wibToRFC3339(date, time || '00:00') || '' : '',
    }), ['companyId', 'outletId', 'url', 'publishedAt']);
    if (out) { setDone(true); setUrl(''); onDone(); }
  };
  const errors = wordsByField(f.byField);
  const px = 'staff-pickup-';
  return html`<form class="sub-card" onSubmit=${submit} novalidate data-testid="proof-pickup-form">
    <h2>${t('proof.addPickup')}</h2>
    <p class="hint">${t('proof.addPickupHint')}</p>
    <${ErrorSummary} prefix=${px} error=${f.error} byField=${errors} unmatched=${wordsUnmatched(f.unmatched)} testid="proof-pickup-errors" />
    ${done ? html`<${Notice} kind="ok" testid="proof-pickup-done">${t('proof.pickupAdded')}</${Notice}>` : null}
    <div class="grid">
      <${Field} prefix=${px} label=${t('proof.pickupCompany')} name="companyId" value=${companyId} onInput=${(x) => { setCompanyId(x); setOutletId(''); }}
        errors=${errors} options=${recipients.map((r) => ({ value: r.company.companyId, label: r.company.name }))} testid="proof-pickup-company" />
      <${Field} prefix=${px} label=${t('inbox.outlet')} name="outletId" value=${outletId} onInput=${setOutletId} errors=${errors}
        options=${[{ value: '', label: t('common.choose') }, ...outlets.map((o) => ({ value: o.outletId, label: o.name }))]} testid="proof-pickup-outlet" />
      <${Field} prefix=${px} label=${t('inbox.url')} name="url" type="url" value=${url} onInput=${setUrl} errors=${errors} required testid="proof-pickup-url" />
      <${Field} prefix=${px} label=${t('inbox.publishedDate')} name="publishedAt" type="date" value=${date} onInput=${setDate} errors=${errors} testid="proof-pickup-date" />
      <${Field} prefix=${px} label=${t('inbox.publishedTime')} name="publishedTime" type="time" value=${time} onInput=${setTime} errors=${{}} testid="proof-pickup-time" />
    </div>
    <button type="submit" class="btn" disabled=${f.busy || !companyId} data-testid="proof-pickup-submit">${t('inbox.report')}</button>
  </form>`;
}

export function ReleaseProof({ releaseId }) {
  const { user, locale } = useContext(AppContext);
  const d = useLoad(() => call('distribution', 'GetProof', { releaseId }), [releaseId]);
  const requeue = useAction();
  const [requeued, setRequeued] = useState(null);
  const canWrite = user.roles.includes('pr');
  if (d.loading && !d.data) return html`<section><h1>${t('proof.title')}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('proof.title')}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const p = d.data;
  const s = p.release || {};
  const dc = s.deliveries || {};
  const again = async () => {
    const out = await requeue.run((act) => act.run('distribution', 'RequeueFailed', { releaseId }), []);
    if (out) { setRequeued(out.requeued || 0); d.reload(); }
  };
  return html`<section data-testid="proof-page">
    <div class="page-head"><h1>${t('proof.title')}: ${s.title}</h1>
      <div class="actions">
        <a href=${`#/releases/${releaseId}`}>${t('rel.back')}</a>
        <button type="button" class="btn" onClick=${() => globalThis.print()}>${t('proof.print')}</button>
        <button type="button" class="btn" onClick=${d.reload} data-testid="proof-refresh">${t('common.refresh')}</button>
      </div></div>
    <p class="muted">${t('proof.generated', { time: formatDateTime(p.generatedAt, locale), by: p.scheduledBy || '—' })}
      ${s.embargoUntil ? html` ${t('rel.embargoShown', { time: formatDateTime(s.embargoUntil, locale) })}` : null}
      ${s.sentAt ? html` ${t('rel.sentAt', { time: formatDateTime(s.sentAt, locale) })}` : null}</p>
    <h2>${t('proof.summary')}</h2>
    <dl class="facts" data-testid="proof-totals">
      <dt>${t('proof.totalRecipients')}</dt><dd data-testid="proof-total-recipients">${s.recipients || 0}</dd>
      <dt>${t('proof.totalSent')}</dt><dd data-testid="proof-total-sent">${dc.sent || 0}</dd>
      <dt>${t('proof.totalQueued')}</dt><dd>${dc.queued || 0}</dd>
      <dt>${t('proof.totalFailed')}</dt><dd>${(dc.failed || 0) + (dc.bounced || 0)}</dd>
      <dt>${t('proof.totalRead')}</dt><dd data-testid="proof-total-read">${s.read || 0}</dd>
      <dt>${t('proof.totalPicked')}</dt><dd data-testid="proof-total-picked">${t('rel.pickups', { companies: s.pickedUp || 0, n: s.pickups || 0 })}</dd>
    </dl>
    ${canWrite && dc.failed ? html`<div class="actions"><button type="button" class="btn" onClick=${again} disabled=${requeue.busy} data-testid="proof-requeue">${t('proof.requeue')}</button></div>` : null}
    <${ErrorSummary} error=${requeue.error} testid="proof-requeue-errors" />
    ${requeued !== null ? html`<${Notice} kind="ok">${t('proof.requeued', { n: requeued })}</${Notice}>` : null}
    <h2>${t('proof.recipients')}</h2>
    <div class="table-wrap"><table data-testid="proof-table">
      <caption class="sr-only">${t('proof.recipients')}</caption>
      <thead><tr><th scope="col">${t('proof.company')}</th><th scope="col">${t('proof.outlets')}</th><th scope="col">${t('proof.delivery')}</th>
        <th scope="col">${t('proof.read')}</th><th scope="col">${t('proof.pickups')}</th></tr></thead>
      <tbody>${(p.recipients || []).map((r) => html`<${RecipientRow} key=${r.company?.companyId} r=${r} />`)}</tbody>
    </table></div>
    ${canWrite && (p.recipients || []).length ? html`<${StaffPickup} proof=${p} onDone=${d.reload} />` : null}
  </section>`;
}
