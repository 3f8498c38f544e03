// The year's announcement (pengumuman), the objections of the objection
// window (masa sanggah) with their answers, and finalizing the partner list.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call, listAll } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { Loading } from '../components/Table.js';
import { ConfirmBox } from '../components/Confirm.js';
import { t } from '../i18n/index.js';
import { formatDateTime, todayWIB, wibToRFC3339 } from '../format.js';

export function Announcement() {
  const { year, locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const announcement = await call('verification', 'GetAnnouncement', { fiscalYear: year })
      .catch((e) => { if (e.status === 404 || e.code === 'NOT_FOUND') return null; throw e; });
    const objections = announcement ? (await call('verification', 'ListObjections', { fiscalYear: year })).objections || [] : [];
    const companies = await listAll('registry', 'ListCompanies', {}, 'companies').catch(() => []);
    return { announcement, objections, names: new Map(companies.map((c) => [c.id, c.legalName])) };
  }, [year]);

  if (d.loading && !d.data) return html`<section><h1>${t('ann.title', { year })}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('ann.title', { year })}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { announcement: a, objections, names } = d.data;
  return html`<section data-testid="announcement-page">
    <h1>${t('ann.title', { year })}</h1>
    ${a ? html`<dl class="facts" data-testid="announcement">
        <dt>${t('ann.announced')}</dt><dd>${formatDateTime(a.announcedAt, locale)}</dd>
        <dt>${t('ann.window')}</dt><dd data-testid="ann-until">${formatDateTime(a.objectionUntil, locale)}</dd>
        <dt>${t('common.status')}</dt><dd>${a.finalized ? html`<span class="badge badge-ok" data-testid="ann-final">${t('ann.final')} ${formatDateTime(a.finalizedAt, locale)}</span>`
          : html`<span class="badge badge-info" data-testid="ann-open">${t('ann.open')}</span>`}</dd>
      </dl>
      <h2>${t('ann.verifiedList', { n: (a.verifiedCompanyIds || []).length })}</h2>
      <ol data-testid="ann-companies">${(a.verifiedCompanyIds || []).map((id) => html`<li><a href=${`#/companies/${id}`}>${names.get(id) || id}</a></li>`)}</ol>
      <h2>${t('ann.objections')}</h2>
      ${objections.length ? objections.map((o) => html`<${ObjectionAnswer} key=${o.id} o=${o} name=${names.get(o.companyId) || o.companyId} onDone=${d.reload} />`)
        : html`<p class="empty" data-testid="objections-none">${t('ann.noObjections')}</p>`}
      ${a.finalized ? null : html`<${Finalize} onDone=${d.reload} />`}`
    : html`<${Announce} onDone=${d.reload} />`}
  </section>`;
}

function Announce({ onDone }) {
  const { year } = useContext(AppContext);
  const [date, setDate] = useState(todayWIB(new Date(Date.now() + 7 * 86400000)));
  const [time, setTime] = useState('23:59');
  const [asking, setAsking] = useState(false);
  const f = useAction();
  const announce = async () => {
    setAsking(false);
    const objectionUntil = wibToRFC3339(date, time);
    const out = await f.run((act) => act.run('verification', 'Announce', { fiscalYear: year, objectionUntil: objectionUntil || '' }),
      ['objectionUntil', 'fiscalYear']);
    if (out) onDone();
  };
  // Announcing publishes the list to every company: asked first.
  const submit = (e) => { e.preventDefault(); setAsking(true); };
  return html`<form onSubmit=${submit} novalidate data-testid="announce-form">
    <p>${t('ann.none')}</p>
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="announce-errors" />
    <div class="grid">
      <${Field} label=${t('ann.untilDate')} name="objectionUntil" type="date" value=${date} onInput=${setDate} errors=${f.byField} required testid="announce-date" />
      <${Field} label=${t('ann.untilTime')} name="objectionUntilTime" type="time" value=${time} onInput=${setTime} errors=${{}} required testid="announce-time" />
    </div>
    ${asking ? html`<${ConfirmBox} question=${t('ann.announceConfirm', { year })} onConfirm=${announce} onCancel=${() => setAsking(false)}
        busy=${f.busy} testid="announce-submit" confirmLabel=${t('ann.announce')} />`
      : html`<button type="submit" class="btn primary" disabled=${f.busy} data-testid="announce-submit">${t('ann.announce')}</button>`}
  </form>`;
}

function ObjectionAnswer({ o, name, onDone }) {
  const { locale } = useContext(AppContext);
  const [answer, setAnswer] = useState('');
  const [upheld, setUpheld] = useState(false);
  const f = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const out = await f.run((act) => act.run('verification', 'AnswerObjection', { objectionId: o.id, answer: answer.trim(), upheld }), ['answer', 'upheld']);
    if (out) onDone();
  };
  const px = `obj-${o.id}-`;
  return html`<article class="sub-card" data-testid="objection-row" data-id=${o.id}>
    <h3>${name}</h3>
    <p>${o.reason}</p>
    <p class="muted">${formatDateTime(o.raisedAt, locale)}</p>
    ${o.answeredAt ? html`<p data-testid="objection-answer"><strong>${t('ann.answer')}</strong>: ${o.answer}
      <span class=${`badge ${o.upheld ? 'badge-ok' : 'badge-bad'}`}>${o.upheld ? t('ann.upheld') : t('ann.dismissed')}</span></p>`
    : html`<form onSubmit=${submit} novalidate>
      <${ErrorSummary} prefix=${px} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="objection-answer-errors" />
      <${Field} prefix=${px} label=${t('ann.answer')} name="answer" value=${answer} onInput=${setAnswer} errors=${f.byField} multiline required testid="objection-answer-text" />
      <${Field} prefix=${px} label=${t('ann.uphold')} name="upheld" type="checkbox" value=${upheld} onInput=${setUpheld} errors=${f.byField} testid="objection-upheld" />
      <button type="submit" class="btn" disabled=${f.busy || !answer.trim()} data-testid="objection-answer-submit">${t('ann.sendAnswer')}</button>
    </form>`}
  </article>`;
}

function Finalize({ onDone }) {
  const { year } = useContext(AppContext);
  const f = useAction();
  const [asked, setAsked] = useState(false);
  const submit = async () => {
    const out = await f.run((act) => act.run('verification', 'Finalize', { fiscalYear: year }), []);
    setAsked(false);
    if (out) onDone();
  };
  return html`<section aria-labelledby="h-final">
    <h2 id="h-final">${t('ann.finalizeTitle')}</h2>
    <p class="hint">${t('ann.finalizeHint')}</p>
    <${ErrorSummary} error=${f.error} unmatched=${f.unmatched} testid="finalize-errors" />
    ${asked ? html`<p role="alert">${t('ann.finalizeConfirm', { year })}</p>
      <button type="button" class="btn primary" onClick=${submit} disabled=${f.busy} data-testid="finalize-confirm">${t('common.confirm')}</button>
      <button type="button" class="btn" onClick=${() => setAsked(false)}>${t('common.cancel')}</button>`
    : html`<button type="button" class="btn primary" onClick=${() => setAsked(true)} data-testid="finalize-submit">${t('ann.finalize')}</button>`}
  </section>`;
}
