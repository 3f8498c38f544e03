// Opening a fiscal year (admin): its registration window and whether a CV
// may register, in one action (verification.OpenYear). Opening drafts the
// year's requirement sets, rule set and price standard from last year's;
// each is then reviewed and published on its own screen, linked from here.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { ConfirmBox } from '../components/Confirm.js';
import { Loading } from '../components/Table.js';
import { StatusBadge } from '../components/Badge.js';
import { t } from '../i18n/index.js';
import { formatDate, formatDateTime } from '../format.js';
import { loadPublishedAndDraft } from './drafts.js';
import { useNames } from '../names.js';

const orNull = (p) => p.catch((e) => { if (e.status === 404 || e.code === 'NOT_FOUND') return null; throw e; });

// What the year's drafts and published versions are: the checklist after opening.
async function loadYear(year) {
  const [fy, sets, rules, prices] = await Promise.all([
    orNull(call('verification', 'GetYear', { fiscalYear: year })),
    call('verification', 'ListRequirementSets', { fiscalYear: year }).then((r) => r.sets || []),
    loadPublishedAndDraft('GetRuleSet', year),
    loadPublishedAndDraft('GetPriceStandard', year),
  ]);
  return { fy, sets, rules, prices };
}

export function Years() {
  const { year, user, locale } = useContext(AppContext);
  const isAdmin = user.roles.includes('admin');
  const d = useLoad(() => loadYear(year), [year]);
  const [form, setForm] = useState({ opens: '', closes: '', cv: false });
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState('');
  const f = useAction();
  const fy = d.data?.fy;
  useEffect(() => {
    setForm(fy ? { opens: fy.registrationOpensOn || '', closes: fy.registrationClosesOn || '', cv: !!fy.cvAllowed }
      : { opens: `${year - 1}-10-01`, closes: `${year}-03-31`, cv: false });
    setDone('');
    f.clear();
  }, [year, fy && fy.openedAt]);
  const name = useNames(fy ? [fy.openedBy] : [], user);
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const known = ['fiscalYear', 'registrationOpensOn', 'registrationClosesOn', 'cvAllowed'];
  const open = async () => {
    setAsking(false);
    const out = await f.run((act) => act.run('verification', 'OpenYear', {
      fiscalYear: year, registrationOpensOn: form.opens, registrationClosesOn: form.closes, cvAllowed: form.cv,
    }), known);
    if (out) { setDone(t('years.opened', { year })); d.reload(); }
  };
  const submit = (e) => { e.preventDefault(); setDone(''); setAsking(true); };

  if (d.loading && !d.data) return html`<section><h1>${t('years.title', { year })}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('years.title', { year })}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { sets, rules, prices } = d.data;
  const state = (p) => (p.published ? html`<${StatusBadge} type="SetState" value="SET_STATE_PUBLISHED" testid="year-item-state" />`
    : p.draft ? html`<${StatusBadge} type="SetState" value="SET_STATE_DRAFT" testid="year-item-state" />` : html`<span class="muted">${t('years.none')}</span>`);
  const setsState = { published: sets.some((s) => !s.draft), draft: sets.some((s) => s.draft) };
  return html`<section data-testid="years-page">
    <h1>${t('years.title', { year })}</h1>
    <p class="hint">${t('years.intro')}</p>
    ${fy ? html`<dl class="facts" data-testid="year-opened">
      <dt>${t('years.window')}</dt><dd data-testid="year-window">${t('years.windowText', { from: formatDate(fy.registrationOpensOn, locale), to: formatDate(fy.registrationClosesOn, locale) })}</dd>
      <dt>${t('years.cv')}</dt><dd>${fy.cvAllowed ? t('common.yes') : t('common.no')}</dd>
      <dt>${t('years.openedAt')}</dt><dd>${t('panel.by', { who: name(fy.openedBy), at: formatDateTime(fy.openedAt, locale) })}</dd>
    </dl>` : html`<${Notice} kind="warn" testid="year-not-open">${t('years.notOpen', { year })}<//>`}
    ${isAdmin ? html`<form onSubmit=${submit} novalidate data-testid="year-form" class="sub-card">
      <h2>${fy ? t('years.change') : t('years.open', { year })}</h2>
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="year-errors"
        labels=${{ registrationOpensOn: t('years.opens'), registrationClosesOn: t('years.closes'), fiscalYear: t('nav.year') }} />
      ${done ? html`<${Notice} kind="ok" testid="year-done">${done}<//>` : null}
      <div class="grid">
        <${Field} label=${t('years.opens')} name="registrationOpensOn" type="date" value=${form.opens} onInput=${set('opens')} errors=${f.byField} required testid="year-opens" />
        <${Field} label=${t('years.closes')} name="registrationClosesOn" type="date" value=${form.closes} onInput=${set('closes')} errors=${f.byField} required
          hint=${t('years.closesHint', { year })} testid="year-closes" />
        <${Field} label=${t('years.cvAllowed')} name="cvAllowed" type="checkbox" value=${form.cv} onInput=${set('cv')} errors=${f.byField} testid="year-cv" />
      </div>
      ${asking ? html`<${ConfirmBox} question=${fy ? t('years.confirmChange', { year }) : t('years.confirmOpen', { year })} onConfirm=${open}
        onCancel=${() => setAsking(false)} busy=${f.busy} testid="year-submit" confirmLabel=${fy ? t('years.change') : t('years.open', { year })} />`
        : html`<button type="submit" class="btn primary" disabled=${f.busy} data-testid="year-submit">${fy ? t('years.change') : t('years.open', { year })}</button>`}
    </form>` : html`<${Notice} kind="info">${t('rules.readOnly')}<//>`}
    <section aria-labelledby="h-checklist">
      <h2 id="h-checklist">${t('years.checklist')}</h2>
      <ul class="checklist" data-testid="year-checklist">
        <li data-testid="year-item" data-item="requirements">${state(setsState)} <a href="#/requirements">${t('nav.requirements')}</a></li>
        <li data-testid="year-item" data-item="rules">${state(rules)} <a href="#/rules">${t('nav.rules')}</a></li>
        <li data-testid="year-item" data-item="prices">${state(prices)} <a href="#/prices">${t('nav.prices')}</a></li>
      </ul>
    </section>
  </section>`;
}
