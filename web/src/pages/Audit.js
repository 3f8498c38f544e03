// The audit trail of every service, for the admin and the head: filter by
// who, which company, what (an action or its prefix), which service and
// which days; each row opens to show the data before and after the change.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { Loading, usePageTokens, Pager } from '../components/Table.js';
import { t } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { useNames } from '../names.js';
import { Picker } from '../components/Picker.js';

export const AUDIT_SERVICES = ['registry', 'verification', 'scoring', 'ordering', 'distribution', 'accounting', 'gateway'];
// Actions people look for; any other prefix can be typed.
export const AUDIT_ACTIONS = [
  'company.', 'company.register', 'company.update', 'company.submit', 'document.upload', 'document.delete',
  'case.', 'case.decide_document', 'case.record_visit', 'case.propose_verified', 'case.verify', 'case.reject',
  'case.return_decision', 'objection.', 'announcement.', 'fiscal_year.open', 'requirement_set.publish',
  'rule_set.published', 'price_standard.published', 'user.', 'auth.login', 'release.', 'budget_line.',
];

// An action in words when the catalogue has it, else the words of what it
// acted on ("an action on a company"), else "another action": never the
// action's code (the row keeps it in data-action, its change in the record).
export function actionLabel(action) {
  const k = `audit.action.${action}`;
  const s = t(k);
  if (s !== k) return s;
  const parts = String(action || '').split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const p = `audit.action.${parts.slice(0, i).join('.')}.`;
    const w = t(p);
    if (w !== p) return t('audit.actionOn', { what: w });
  }
  return t('audit.actionOther');
}

// What kind of thing a row changed, in words (else the service's own word).
export function entityLabel(type) {
  const k = `audit.entity.${type}`;
  const s = t(k);
  return s === k ? t('audit.entityOther') : s;
}

const pretty = (s) => { try { return s ? JSON.stringify(JSON.parse(s), null, 2) : ''; } catch { return s; } };

export function AuditTrail() {
  const { user, locale } = useContext(AppContext);
  const blank = { who: null, company: null, action: '', service: '', fromDate: '', toDate: '' };
  const [form, setForm] = useState(blank);
  const [applied, setApplied] = useState(blank);
  const pages = usePageTokens();
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const d = useLoad(() => call('gateway', 'ListAudit', {
    userId: applied.who?.id || '', companyId: applied.company?.id || '', action: applied.action.trim(),
    service: applied.service, fromDate: applied.fromDate, toDate: applied.toDate, pageSize: 50,
    ...(pages.page ? { pageToken: pages.page } : {}),
  }), [applied, pages.page]);
  const entries = d.data?.entries || [];
  const name = useNames(entries.map((e) => e.userId), user);
  const companyNames = useLoad(async () => {
    const ids = [...new Set(entries.map((e) => e.companyId).filter(Boolean))];
    const pairs = await Promise.all(ids.map((id) => call('registry', 'GetCompany', { companyId: id })
      .then((c) => [id, c.data?.legalName || id], () => [id, id])));
    return new Map(pairs);
  }, [entries.map((e) => e.companyId).join(',')]);
  const cname = (id) => companyNames.data?.get(id) || id;
  const searchUsers = async (q) => ((await call('gateway', 'LookupUsers', { query: q })).users || [])
    .map((u) => ({ id: u.id, label: `${u.displayName} (${u.username})` }));
  const searchCompanies = async (q) => ((await call('registry', 'ListCompanies', { query: q, pageSize: 20 })).companies || [])
    .map((c) => ({ id: c.id, label: c.legalName }));
  const apply = (e) => { e.preventDefault(); pages.reset(); setApplied({ ...form }); };

  return html`<section data-testid="audit-page">
    <h1>${t('audit.title')}</h1>
    <p class="hint">${t('audit.intro')}</p>
    <form class="filters audit-filters" role="search" onSubmit=${apply} novalidate data-testid="audit-filters">
      <${Picker} label=${t('audit.who')} name="who" testid="audit-user" search=${searchUsers} value=${form.who} onPick=${set('who')} />
      <${Picker} label=${t('audit.company')} name="company" testid="audit-company" search=${searchCompanies} value=${form.company} onPick=${set('company')} />
      <${Field} label=${t('audit.action')} name="action" value=${form.action} onInput=${set('action')} testid="audit-action"
        hint=${t('audit.actionHint')} options=${[{ value: '', label: t('common.any') }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: a.endsWith('.') ? t('audit.prefix', { what: actionLabel(a) }) : actionLabel(a) }))]} />
      <${Field} label=${t('audit.service')} name="service" value=${form.service} onInput=${set('service')} testid="audit-service"
        options=${[{ value: '', label: t('common.any') }, ...AUDIT_SERVICES.map((s) => ({ value: s, label: t(`audit.service.${s}`) }))]} />
      <${Field} label=${t('audit.from')} name="fromDate" type="date" value=${form.fromDate} onInput=${set('fromDate')} errors=${{}} testid="audit-from" />
      <${Field} label=${t('audit.to')} name="toDate" type="date" value=${form.toDate} onInput=${set('toDate')} errors=${{}} testid="audit-to" />
      <div class="actions"><button type="submit" class="btn primary" data-testid="audit-apply">${t('audit.apply')}</button></div>
    </form>
    ${(d.data?.unavailable || []).length ? html`<${Notice} kind="warn" testid="audit-unavailable">${t('audit.unavailable', { services: d.data.unavailable.map((s) => t(`audit.service.${s}`)).join(', ') })}<//>` : null}
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} testid="audit-errors" />` : entries.length === 0
      ? html`<p class="empty" data-testid="audit-empty">${t('audit.empty')}</p>` : html`
      <div class="table-wrap"><table class="compact" data-testid="audit-table">
        <caption class="sr-only">${t('audit.title')}</caption>
        <thead><tr><th scope="col">${t('audit.when')}</th><th scope="col">${t('audit.who')}</th><th scope="col">${t('audit.what')}</th>
          <th scope="col">${t('audit.company')}</th><th scope="col">${t('audit.change')}</th></tr></thead>
        <tbody>${entries.map((e) => html`<tr key=${e.service + e.id} data-testid="audit-row" data-action=${e.action} data-service=${e.service}>
          <td data-label=${t('audit.when')}>${formatDateTime(Number(e.atUnixUs) / 1000, locale)}</td>
          <td data-label=${t('audit.who')} data-testid="audit-who">${name(e.userId)}${e.remoteAddr ? html`<br /><span class="muted">${e.remoteAddr}</span>` : null}</td>
          <td data-label=${t('audit.what')}><span data-testid="audit-what">${actionLabel(e.action)}</span><br /><span class="muted">${t(`audit.service.${e.service}`)} · ${entityLabel(e.entityType)} <span class="code" data-raw="id">${e.entityId}</span></span></td>
          <td data-label=${t('audit.company')}>${e.companyId ? html`<a href=${`#/companies/${e.companyId}`}>${cname(e.companyId)}</a>` : html`<span class="muted">—</span>`}</td>
          <td data-label=${t('audit.change')}>${e.before || e.after ? html`<details data-testid="audit-change"><summary>${t('audit.show')}</summary>
            <div class="before-after">
              <div><h4>${t('audit.before')}</h4><pre data-raw="record" data-testid="audit-before">${pretty(e.before) || t('audit.none')}</pre></div>
              <div><h4>${t('audit.after')}</h4><pre data-raw="record" data-testid="audit-after">${pretty(e.after) || t('audit.none')}</pre></div>
            </div></details>` : html`<span class="muted">—</span>`}</td>
        </tr>`)}</tbody></table></div>
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}
