// A company's own status page (partner) and staff's company view: what is
// missing, each document with the verifier's decision and reason (rejected
// ones can be re-uploaded here), each outlet's score breakdown and tier, and
// the announcement with the company's objection.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call, documentFileUrl } from '../api.js';
import { useAction, useFocusOnShow, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DocumentUpload } from '../components/Upload.js';
import { StatusBadge } from '../components/Badge.js';
import { ScoreCard } from '../components/Score.js';
import { Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { findingWords } from '../codes.js';
import { formatDate, formatDateTime } from '../format.js';
import { requiredDocuments } from './requirements.js';
import { CompanyPanel } from '../components/CompanyPanel.js';
import { useFlash } from '../components/stored.js';
import { useNames } from '../names.js';

const orNull = (p) => p.catch((e) => { if (e.status === 404 || e.code === 'NOT_FOUND') return null; throw e; });

export async function loadCompanyView(companyId, year) {
  const company = await call('registry', 'GetCompany', { companyId });
  const [vcase, reqs, scores, announcement, objections] = await Promise.all([
    orNull(call('verification', 'GetCase', { companyId })),
    requiredDocuments(company, year),
    Promise.all((company.outlets || []).map((o) => orNull(call('scoring', 'GetScore', { outletId: o.id, fiscalYear: year })).catch(() => null))),
    orNull(call('verification', 'GetAnnouncement', { fiscalYear: year })).catch(() => null),
    call('verification', 'ListObjections', { fiscalYear: year }).then((r) => r.objections || []).catch(() => []),
  ]);
  return { year, company, vcase, reqs, scores, announcement, objections: objections.filter((o) => o.companyId === companyId) };
}

// The company's newest documents joined with the case's decisions; the
// verifier's own visit photos are the case's, not documents to judge.
export function documentRows(company, vcase) {
  const decided = new Map((vcase?.documents || []).map((d) => [d.documentId, d]));
  const photos = new Set([...(vcase?.visitPhotos || []).map((p) => p.documentId), ...(vcase?.visit?.photoDocumentIds || [])]);
  return (company.documents || []).filter((d) => !photos.has(d.id)).map((d) => {
    const cd = decided.get(d.id);
    return { ...d, decision: cd?.decision || 'DECISION_PENDING', reason: cd?.reason || '', decidedAt: cd?.decidedAt || '' };
  });
}

export function missingItems(company, vcase, reqs) {
  const have = new Set((company.documents || []).map((d) => d.type));
  const items = reqs.filter((r) => r.required && !have.has(r.type))
    .map((r) => ({ key: `doc-${r.type}`, text: t('status.missingDoc', { doc: tEnum('DocumentType', r.type) }) }));
  const listed = new Set(reqs.filter((r) => r.required && !have.has(r.type)).map((r) => r.type));
  for (const f of vcase?.findings || []) {
    if (f.code === 'missing_document' && f.documentType && listed.has(f.documentType)) continue;
    if (f.blocking) items.push({ key: `f-${f.code}-${f.documentType || ''}`, text: findingWords(f) });
  }
  return items;
}

// A link to a company that is not one: the id is malformed (the service
// names the field) or no company has it.
export const notFound = (e) => !!e && (e.code === 'NOT_FOUND' || (e.code === 'INVALID_ARGUMENT' && (e.violations || []).some((v) => /Id$/.test(v.field || ''))));

// The year a partner first sees: the one its company was submitted for,
// unless it chose one already (the selector then does what it says).
function yearChosen() {
  try { return !!globalThis.localStorage?.getItem('seklik.year') || /[?&]year=/.test(globalThis.location.hash); } catch { return false; }
}

export function CompanyStatus({ companyId, own = false }) {
  const ctx = useContext(AppContext);
  const { year, locale, user } = ctx;
  const d = useLoad(() => loadCompanyView(companyId, year), [companyId, year]);
  const [reupload, setReupload] = useState('');
  const reuploadHead = useFocusOnShow(reupload);
  const flash = useFlash('company');
  const submittedYear = d.data?.company?.fiscalYear;
  useEffect(() => { if (own && submittedYear && submittedYear !== year && !yearChosen()) ctx.setYear(submittedYear); }, [submittedYear]);
  const staff = !user.roles.includes('partner');
  const name = useNames(staff && d.data ? [...(d.data.company.documents || []).map((x) => x.uploadedBy),
    ...(d.data.vcase?.documents || []).map((x) => x.decidedBy)] : [], user);

  const title = own ? t('status.titleOwn') : t('status.title');
  if (d.loading && !d.data) return html`<section><h1>${title}</h1><${Loading} /></section>`;
  if (d.error && notFound(d.error)) return html`<section><h1>${title}</h1><${Notice} kind="error" testid="company-not-found">${t('company.notFound')}<//>
    <p><a href=${own ? '#/my' : '#/companies'}>${t('company.backToList')}</a></p></section>`;
  if (d.error) return html`<section><h1>${title}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { company, vcase, reqs, scores, announcement, objections, year: shownYear } = d.data;
  const rows = documentRows(company, vcase);
  const missing = missingItems(company, vcase, reqs);
  const isPartner = user.roles.includes('partner');
  const editable = ['COMPANY_STATUS_DRAFT', 'COMPANY_STATUS_NEEDS_REVISION', 'COMPANY_STATUS_REJECTED'].includes(company.status || 'COMPANY_STATUS_DRAFT');
  const canEdit = isPartner || user.roles.some((r) => ['admin', 'partnership', 'verifier'].includes(r));
  // "Perbaiki data" opens on the first rejected document, its reason beside it.
  const firstRejected = rows.find((r) => r.decision === 'DECISION_REJECTED');
  const fix = firstRejected ? `?step=3&focus=${firstRejected.id}` : '';
  const editHref = isPartner ? `#/register${fix}` : `#/companies/${company.id}/edit${fix}`;
  const canReview = user.roles.some((r) => ['admin', 'verifier', 'head'].includes(r));

  return html`<section data-testid="company-status-page">
    <div class="page-head">
      <h1>${company.data?.legalName || t('status.title')}</h1>
      <div class="actions">
        ${canEdit && editable ? html`<a class="btn primary" href=${editHref} data-testid="company-edit">${company.status === 'COMPANY_STATUS_DRAFT' || !company.status ? t('status.complete') : t('status.edit')}</a>` : null}
        ${canReview && vcase ? html`<a class="btn" href=${`#/verification/${vcase.id}`} data-testid="company-case-link">${t('status.openCase')}</a>` : null}
        <button type="button" class="btn" onClick=${d.reload} data-testid="company-refresh">${t('common.refresh')}</button>
      </div>
    </div>
    ${flash ? html`<${Notice} kind="ok" testid="company-flash">${t(flash, { year: company.fiscalYear || year })}<//>` : null}
    ${company.fiscalYear && company.fiscalYear !== year ? html`<${Notice} kind="info" testid="company-other-year">${t('status.otherYear', { year, submitted: company.fiscalYear })}<//>` : null}
    <dl class="facts">
      <dt>${t('common.status')}</dt><dd><${StatusBadge} type="CompanyStatus" value=${company.status || 'COMPANY_STATUS_DRAFT'} testid="company-status" /></dd>
      ${vcase ? html`<dt>${t('status.case')}</dt><dd><${StatusBadge} type="CaseState" value=${vcase.state} testid="case-state" /></dd>` : null}
      ${company.statusReason ? html`<dt>${t('status.reason')}</dt><dd data-testid="company-status-reason">${company.statusReason}</dd>` : null}
      ${company.verifiedUntil ? html`<dt>${t('status.verifiedUntil')}</dt><dd>${formatDate(company.verifiedUntil, locale)}</dd>` : null}
      ${company.fiscalYear ? html`<dt>${t('nav.year')}</dt><dd>${company.fiscalYear}</dd>` : null}
    </dl>

    <section aria-labelledby="h-missing">
      <h2 id="h-missing">${t('status.missing')}</h2>
      ${missing.length ? html`<ul class="missing" data-testid="missing-list">${missing.map((m) => html`<li key=${m.key} data-testid="missing-item">${m.text}</li>`)}</ul>`
        : html`<p class="ok-text" data-testid="missing-none">${t('status.nothingMissing')}</p>`}
      ${(vcase?.findings || []).filter((f) => !f.blocking).length ? html`<h3>${t('case.findings')}</h3><ul>
        ${vcase.findings.filter((f) => !f.blocking).map((f) => html`<li data-testid="finding">${findingWords(f)}</li>`)}</ul>` : null}
    </section>

    <section aria-labelledby="h-docs">
      <h2 id="h-docs">${t('status.documents')}</h2>
      ${rows.length === 0 ? html`<p class="empty">${t('status.noDocs')}</p>` : html`<div class="table-wrap"><table data-testid="documents-table">
        <thead><tr><th scope="col">${t('doc.type')}</th><th scope="col">${t('doc.file')}</th><th scope="col">${t('doc.version')}</th>
          <th scope="col">${t('doc.decision')}</th><th scope="col">${t('doc.reason')}</th><th scope="col"><span class="sr-only">${t('common.actions')}</span></th></tr></thead>
        <tbody>${rows.map((r) => html`<tr key=${r.id} data-testid="document-row" data-type=${r.type} data-decision=${r.decision}>
          <th scope="row">${tEnum('DocumentType', r.type)}${r.number ? html`<br /><span class="muted">${r.number}</span>` : null}</th>
          <td data-label=${t('doc.file')}><a href=${documentFileUrl(r.id)} target="_blank" rel="noopener" data-testid="document-view">${r.fileName || t('doc.view')}</a>
            <br /><span class="muted">${formatDateTime(r.uploadedAt, locale)}</span></td>
          <td data-label=${t('doc.version')}>${r.version || 1}</td>
          <td data-label=${t('doc.decision')}><${StatusBadge} type="Decision" value=${r.decision} testid="document-decision" /></td>
          <td data-label=${t('doc.reason')} data-testid="document-reason">${r.reason}</td>
          <td>${r.decision === 'DECISION_REJECTED' && canEdit ? html`<button type="button" class="btn small" data-testid="document-reupload"
            aria-expanded=${reupload === r.id ? 'true' : 'false'} onClick=${() => setReupload(reupload === r.id ? '' : r.id)}>${t('status.reupload')}</button>` : null}</td>
        </tr>`)}</tbody></table></div>`}
      ${reupload ? (() => {
        const r = rows.find((x) => x.id === reupload);
        return r ? html`<div class="sub-card"><h3 tabindex="-1" ref=${reuploadHead}>${t('status.reuploadOf', { doc: tEnum('DocumentType', r.type) })}</h3>
          <${DocumentUpload} company=${company} presetType=${r.type} presetPersonId=${r.personId || ''} presetOutletId=${r.outletId || ''}
            testid="reupload" onUploaded=${() => { setReupload(''); d.reload(); }} /></div>` : null;
      })() : null}
    </section>

    ${staff ? html`<section aria-labelledby="h-panel">
      <h2 id="h-panel">${t('panel.title')}</h2>
      <${CompanyPanel} company=${company} vcase=${vcase} name=${name} />
    </section>` : null}

    <section aria-labelledby="h-outlets">
      <h2 id="h-outlets">${t('status.outlets')}</h2>
      ${(company.outlets || []).map((o, i) => html`<article class="sub-card" data-testid="outlet-score" data-outlet-id=${o.id}>
        <h3><a href=${`#/outlets/${o.id}`}>${o.data?.name}</a> <span class="muted">${tEnum('OutletType', o.data?.type)} · ${tEnum('OutletScale', o.data?.scale)}</span></h3>
        <${ScoreCard} score=${scores[i]} />
      </article>`)}
    </section>

    ${announcement ? html`<${ObjectionBox} year=${shownYear} companyId=${companyId} announcement=${announcement} objections=${objections}
      canObject=${isPartner} reload=${d.reload} />` : null}
  </section>`;
}

function ObjectionBox({ year, companyId, announcement, objections, canObject, reload }) {
  const { locale } = useContext(AppContext);
  const [reason, setReason] = useState('');
  const f = useAction();
  const open = !announcement.finalized && announcement.objectionUntil && new Date(announcement.objectionUntil) > new Date();
  const submit = async (e) => {
    e.preventDefault();
    const out = await f.run((act) => act.run('verification', 'Object', { fiscalYear: year, companyId, reason: reason.trim() }), ['reason']);
    if (out) { setReason(''); reload(); }
  };
  return html`<section aria-labelledby="h-ann" data-testid="company-announcement">
    <h2 id="h-ann">${t('ann.title', { year })}</h2>
    <p>${t('ann.announcedAt', { at: formatDateTime(announcement.announcedAt, locale) })}
      ${announcement.finalized ? html` <span class="badge badge-ok" data-testid="ann-final">${t('ann.final')}</span>`
        : html` ${t('ann.objectionUntil', { at: formatDateTime(announcement.objectionUntil, locale) })}`}</p>
    <p data-testid="ann-listed">${(announcement.verifiedCompanyIds || []).includes(companyId) ? t('ann.listed') : t('ann.notListed')}</p>
    ${objections.map((o) => html`<div class="sub-card" data-testid="objection">
      <p><strong>${t('ann.objection')}</strong> (${formatDateTime(o.raisedAt, locale)}): ${o.reason}</p>
      ${o.answeredAt ? html`<p data-testid="objection-answer"><strong>${t('ann.answer')}</strong>: ${o.answer}
        <span class=${`badge ${o.upheld ? 'badge-ok' : 'badge-bad'}`}>${o.upheld ? t('ann.upheld') : t('ann.dismissed')}</span></p>`
        : html`<p class="muted">${t('ann.awaiting')}</p>`}</div>`)}
    ${canObject && open && objections.length === 0 ? html`<form onSubmit=${submit} novalidate data-testid="objection-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="objection-errors" />
      <${Field} label=${t('ann.objectReason')} name="reason" value=${reason} onInput=${setReason} multiline required errors=${f.byField}
        hint=${t('ann.objectOnce')} testid="objection-reason" />
      <button type="submit" class="btn" disabled=${f.busy || !reason.trim()} data-testid="objection-submit">${t('ann.object')}</button>
    </form>` : null}
  </section>`;
}
