// A verification case: documents side by side with the file viewer (accept,
// or reject with a reason), the automatic findings, the factual visit with
// its GPS point, and the decision. Four-eyes: a decision or a suspension is
// a proposal until a second person approves it here; nobody judges a
// document they uploaded. The rules are the service's; the page only hides
// what it would refuse.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call, documentFileUrl } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DocumentUpload } from '../components/Upload.js';
import { StatusBadge } from '../components/Badge.js';
import { Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { findingWords } from '../codes.js';
import { formatDate, formatDateTime, todayWIB } from '../format.js';
import { CompanyPanel } from '../components/CompanyPanel.js';
import { CaseHistory } from '../components/CaseHistory.js';
import { ConfirmBox, ConfirmButton } from '../components/Confirm.js';
import { nameOf, useNames } from '../names.js';
import { notFound } from './CompanyStatus.js';

export function CaseReview({ caseId }) {
  const { user, locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const vcase = await call('verification', 'GetCase', { caseId });
    const company = await call('registry', 'GetCompany', { companyId: vcase.companyId }).catch(() => null);
    return { vcase, company };
  }, [caseId]);
  const [selected, setSelected] = useState('');
  const vc = d.data?.vcase;
  useNames(vc ? [vc.decidedBy, vc.approvedBy, vc.registeredBy, vc.visit?.verifierId, vc.pendingProposal?.proposedBy,
    ...(vc.proposals || []).flatMap((p) => [p.proposedBy, p.approvedBy, p.returnedBy]),
    ...(vc.documents || []).flatMap((x) => [x.decidedBy, x.uploadedBy]),
    ...(d.data?.company?.documents || []).map((x) => x.uploadedBy)].filter(Boolean) : [], user);

  if (d.loading && !d.data) return html`<section><h1>${t('case.title')}</h1><${Loading} /></section>`;
  if (d.error && notFound(d.error)) return html`<section><h1>${t('case.title')}</h1><${Notice} kind="error" testid="case-not-found">${t('case.notFound')}<//>
    <p><a href="#/verification">${t('queue.title')}</a></p></section>`;
  if (d.error) return html`<section><h1>${t('case.title')}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const { vcase, company } = d.data;
  const docs = vcase.documents || [];
  const meta = new Map((company?.documents || []).map((x) => [x.id, x]));
  const current = docs.find((x) => x.documentId === selected) || docs[0];
  const ownCompany = vcase.registeredBy && vcase.registeredBy === user.id;
  // Uploaded a document of the case: may neither propose nor approve its decision.
  const supplier = docs.some((x) => x.uploadedBy && x.uploadedBy === user.id);
  const reviewing = ['CASE_STATE_OPENED', 'CASE_STATE_IN_REVIEW', 'CASE_STATE_NEEDS_REVISION', 'CASE_STATE_VISIT_PENDING', 'CASE_STATE_VISITED'].includes(vcase.state);
  const pending = vcase.pendingProposal;

  return html`<section data-testid="case-page">
    <div class="page-head">
      <h1>${t('case.titleOf', { name: vcase.companyName || vcase.companyId })}</h1>
      <div class="actions">
        <a class="btn" href=${`#/companies/${vcase.companyId}`} data-testid="case-company-link">${t('case.companyPage')}</a>
        <button type="button" class="btn" onClick=${d.reload} data-testid="case-refresh">${t('common.refresh')}</button>
      </div>
    </div>
    <dl class="facts">
      <dt>${t('common.status')}</dt><dd><${StatusBadge} type="CaseState" value=${vcase.state} testid="case-state" /></dd>
      <dt>${t('nav.year')}</dt><dd>${vcase.fiscalYear}</dd>
      <dt>${t('queue.openedAt')}</dt><dd>${formatDateTime(vcase.openedAt, locale)}</dd>
      ${vcase.validUntil ? html`<dt>${t('status.verifiedUntil')}</dt><dd data-testid="case-valid-until">${formatDate(vcase.validUntil, locale)}</dd>` : null}
      ${vcase.reason ? html`<dt>${t('status.reason')}</dt><dd>${vcase.reason}</dd>` : null}
      ${vcase.decidedBy ? html`<dt>${t('decide.proposedBy')}</dt><dd data-testid="case-decided-by">${who(vcase.decidedBy, user)}</dd>` : null}
      ${vcase.approvedBy ? html`<dt>${t('decide.approvedBy')}</dt><dd data-testid="case-approved-by">${who(vcase.approvedBy, user)}</dd>` : null}
    </dl>
    ${ownCompany ? html`<${Notice} kind="warn" testid="four-eyes">${t('case.fourEyes')}<//>` : null}
    ${!ownCompany && supplier ? html`<${Notice} kind="warn" testid="four-eyes-supplier">${t('case.fourEyesSupplier')}<//>` : null}

    <section aria-labelledby="h-findings">
      <h2 id="h-findings">${t('case.findings')}</h2>
      ${(vcase.findings || []).length ? html`<ul class="findings" data-testid="findings">
        ${vcase.findings.map((f) => html`<li data-testid="finding-row" data-code=${f.code}>
          <span class=${`badge ${f.blocking ? 'badge-bad' : 'badge-warn'}`}>${f.blocking ? t('case.blocking') : t('case.note')}</span>
          ${f.staffOnly ? html` <span class="badge badge-neutral" data-testid="finding-staff-only">${t('case.staffOnly')}</span>` : null}
          ${' '}${findingWords(f)}</li>`)}
      </ul>` : html`<p class="ok-text" data-testid="findings-none">${t('case.noFindings')}</p>`}
    </section>

    <div class="case-layout">
    ${company ? html`<section aria-labelledby="h-panel" class="case-panel">
      <h2 id="h-panel">${t('panel.title')}</h2>
      <${CompanyPanel} company=${company} vcase=${vcase} name=${(id) => nameOf(id, user)} />
    </section>` : null}
    <section aria-labelledby="h-docs" class="case-docs">
      <h2 id="h-docs">${t('status.documents')}</h2>
      <div class="stacked">
        <ul class="doc-list" data-testid="case-documents">
          ${docs.map((x) => html`<${DocDecision} key=${x.documentId + (x.decision || '')} caseId=${vcase.id} doc=${x} meta=${meta.get(x.documentId)}
            selected=${current && current.documentId === x.documentId} onSelect=${() => setSelected(x.documentId)}
            canDecide=${reviewing && !ownCompany} ownUpload=${!!x.uploadedBy && x.uploadedBy === user.id} onDone=${d.reload} />`)}
        </ul>
        <div class="viewer" data-testid="doc-viewer">
          ${current ? html`<${Viewer} doc=${current} meta=${meta.get(current.documentId)} />` : html`<p class="empty">${t('status.noDocs')}</p>`}
        </div>
      </div>
    </section>
    </div>

    <${VisitSection} vcase=${vcase} company=${company} canRecord=${reviewing && !ownCompany} onDone=${d.reload} />
    ${pending ? html`<${PendingSection} vcase=${vcase} barred=${ownCompany || supplier} onDone=${d.reload} />` : html`
      <${DecideSection} vcase=${vcase} canDecide=${reviewing && !ownCompany && !supplier} onDone=${d.reload} />
      <${SuspendSection} vcase=${vcase} canPropose=${!ownCompany && !supplier} onDone=${d.reload} />`}
    <${ProposalHistory} vcase=${vcase} />
    <${CaseHistory} caseId=${vcase.id} refresh=${[vcase.state, (vcase.proposals || []).length, (vcase.documents || []).map((x) => x.decision).join()].join('|')} />
  </section>`;
}

// A user as the page names them: "you" for the signed-in user, else the
// display name (names.js caches what useNames fetched).
function who(id, user) {
  return id === user.id ? t('decide.you', { id: user.displayName || user.username }) : nameOf(id, user);
}

const APPROVER_ROLES = ['verifier', 'head', 'admin'];

// The decision waiting for its second person: approve it, or send it back
// with a reason. Its proposer may only withdraw it; the registrant and the
// uploaders of the case's documents may do neither.
function PendingSection({ vcase, barred, onDone }) {
  const { user, locale } = useContext(AppContext);
  const p = vcase.pendingProposal;
  const [reason, setReason] = useState('');
  const f = useAction(p.id);
  const mayAct = user.roles.some((r) => APPROVER_ROLES.includes(r)) && !barred;
  const own = p.proposedBy === user.id;
  const approve = async () => {
    const out = await f.run((act) => act.run('verification', 'ApproveDecision', { caseId: vcase.id, proposalId: p.id }));
    if (out) onDone();
  };
  const sendBack = async (e) => {
    e.preventDefault();
    if (!reason.trim()) {
      await f.run(() => Promise.reject({ code: 'INVALID_ARGUMENT', message: t('form.fixErrors'), violations: [{ field: 'reason', description: t('decide.returnReasonRequired') }] }), ['reason']);
      return;
    }
    const out = await f.run((act) => act.run('verification', 'ReturnDecision', { caseId: vcase.id, proposalId: p.id, reason: reason.trim() }), ['reason']);
    if (out) onDone();
  };
  return html`<section aria-labelledby="h-pending" data-testid="pending-decision" data-outcome=${p.outcome}>
    <h2 id="h-pending">${t('decide.pendingTitle')}</h2>
    <dl class="facts">
      <dt>${t('decide.outcome')}</dt><dd data-testid="pending-outcome">${tEnum('Outcome', p.outcome)}</dd>
      <dt>${t('decide.proposedBy')}</dt><dd data-testid="pending-proposed-by">${who(p.proposedBy, user)}</dd>
      <dt>${t('decide.proposedAt')}</dt><dd>${formatDateTime(p.proposedAt, locale)}</dd>
      ${p.reason ? html`<dt>${t('status.reason')}</dt><dd data-testid="pending-reason">${p.reason}</dd>` : null}
    </dl>
    <${Notice} kind="info" testid="pending-notice">${own ? t('decide.waitingOwn') : barred ? t('decide.waitingBarred') : t('decide.waiting')}<//>
    ${mayAct ? html`<div>
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="pending-errors" />
      ${!own ? html`<div class="actions"><${ConfirmButton} label=${t('decide.approve')} question=${t('decide.approveConfirm', { outcome: tEnum('Outcome', p.outcome), name: vcase.companyName })}
        onConfirm=${approve} busy=${f.busy} testid="approve-submit" /></div>` : null}
      <form onSubmit=${sendBack} novalidate data-testid="return-form">
        <${Field} label=${own ? t('decide.withdrawReason') : t('decide.returnReason')} name="reason" prefix="return-" value=${reason} onInput=${setReason}
          errors=${f.byField} multiline required testid="return-reason" />
        <button type="submit" class="btn" disabled=${f.busy} data-testid="return-submit">${own ? t('decide.withdraw') : t('decide.return')}</button>
      </form>
    </div>` : null}
  </section>`;
}

// Every proposal of the case: who proposed what, who approved or sent it back.
function ProposalHistory({ vcase }) {
  const { user, locale } = useContext(AppContext);
  const list = vcase.proposals || [];
  if (!list.length) return null;
  return html`<section aria-labelledby="h-proposals">
    <h2 id="h-proposals">${t('decide.history')}</h2>
    <ul class="findings" data-testid="proposals">
      ${list.map((p) => html`<li data-testid="proposal-row" data-status=${p.status || 'PROPOSAL_STATUS_PENDING'} data-outcome=${p.outcome}>
        <${StatusBadge} type="ProposalStatus" value=${p.status || 'PROPOSAL_STATUS_PENDING'} />
        ${' '}<strong>${tEnum('Outcome', p.outcome)}</strong>${' — '}
        ${t('decide.proposedLine', { who: who(p.proposedBy, user), at: formatDateTime(p.proposedAt, locale) })}
        ${p.status === 'PROPOSAL_STATUS_APPROVED' ? html`; <span data-testid="proposal-approved-by">${t('decide.approvedLine', { who: who(p.approvedBy, user), at: formatDateTime(p.approvedAt, locale) })}</span>` : null}
        ${p.status === 'PROPOSAL_STATUS_RETURNED' ? html`; ${t('decide.returnedLine', { who: who(p.returnedBy, user), at: formatDateTime(p.returnedAt, locale), reason: p.returnReason || '' })}` : null}
        ${p.reason ? html`<br /><span class="muted">${t('status.reason')}: ${p.reason}</span>` : null}
      </li>`)}
    </ul>
  </section>`;
}

function Viewer({ doc, meta }) {
  const url = documentFileUrl(doc.documentId);
  const ct = meta?.contentType || '';
  return html`<div>
    <p><strong>${tEnum('DocumentType', doc.type)}</strong> ${doc.number ? `— ${doc.number} ` : ''}
      <a href=${url} target="_blank" rel="noopener" data-testid="doc-open">${t('case.openFile')}</a></p>
    ${ct.startsWith('image/') ? html`<img src=${url} alt=${t('case.fileAlt', { doc: tEnum('DocumentType', doc.type) })} data-testid="doc-image" />`
      : html`<iframe src=${url} title=${t('case.fileAlt', { doc: tEnum('DocumentType', doc.type) })} data-testid="doc-frame"></iframe>`}
  </div>`;
}

function DocDecision({ caseId, doc, meta, selected, onSelect, canDecide: mayWork, ownUpload, onDone }) {
  const canDecide = mayWork && !ownUpload;
  const { locale } = useContext(AppContext);
  const [reason, setReason] = useState('');
  const [changing, setChanging] = useState(false);
  const f = useAction();
  const pending = !doc.decision || doc.decision === 'DECISION_PENDING';
  const decide = async (decision) => {
    if (decision === 'DECISION_REJECTED' && !reason.trim()) {
      await f.run(() => Promise.reject({ violations: [{ field: 'reason', description: t('case.reasonRequired') }], code: 'INVALID_ARGUMENT', message: t('case.reasonRequired') }), ['reason']);
      return;
    }
    const out = await f.run((act) => act.run('verification', 'DecideDocument',
      { caseId, documentId: doc.documentId, decision, reason: reason.trim() }), ['reason']);
    if (out) onDone();
  };
  const px = `doc-${doc.documentId}-`;
  return html`<li class=${`doc-item${selected ? ' selected' : ''}`} data-testid="case-document" data-type=${doc.type} data-decision=${doc.decision || 'DECISION_PENDING'}>
    <div class="doc-item-head">
      <button type="button" class="linklike" onClick=${onSelect} aria-pressed=${selected ? 'true' : 'false'} data-testid="case-doc-view">
        ${tEnum('DocumentType', doc.type)} (v${doc.version || 1})</button>
      <${StatusBadge} type="Decision" value=${doc.decision || 'DECISION_PENDING'} testid="case-doc-decision" />
    </div>
    <p class="muted">${doc.number || ''}${doc.expiresOn ? ` · ${t('doc.expiresOn')}: ${formatDate(doc.expiresOn, locale)}` : ''}${meta?.fileName ? ` · ${meta.fileName}` : ''}</p>
    ${doc.reason ? html`<p data-testid="case-doc-reason">${t('doc.reason')}: ${doc.reason}</p>` : null}
    ${mayWork && ownUpload ? html`<p class="hint" data-testid="doc-own-upload">${t('case.ownUpload')}</p>` : null}
    ${canDecide && !pending && !changing ? html`<button type="button" class="btn small" onClick=${() => setChanging(true)} data-testid="doc-change">${t('case.change')}</button>` : null}
    ${canDecide && (pending || changing) ? html`<div class="decide">
      <${ErrorSummary} error=${f.error} byField=${{}} unmatched=${f.unmatched} testid="doc-decide-errors" />
      <${Field} label=${t('case.rejectReason')} name="reason" prefix=${px} value=${reason} onInput=${setReason} errors=${f.byField} testid="doc-reason" />
      <div class="actions">
        <button type="button" class="btn ok" disabled=${f.busy} onClick=${() => decide('DECISION_ACCEPTED')} data-testid="doc-accept">${t('case.accept')}</button>
        <button type="button" class="btn danger" disabled=${f.busy} onClick=${() => decide('DECISION_REJECTED')} data-testid="doc-reject">${t('case.reject')}</button>
      </div></div>` : null}
  </li>`;
}

function VisitSection({ vcase, company, canRecord, onDone }) {
  const { locale, user } = useContext(AppContext);
  const v = vcase.visit;
  const [form, setForm] = useState({ visitedOn: todayWIB(), latitude: '', longitude: '', findings: '', photos: [] });
  const [geoMsg, setGeoMsg] = useState('');
  const f = useAction();
  const set = (k) => (x) => setForm({ ...form, [k]: x });
  // Only images staff uploaded for this case's visit may be cited; the case
  // lists them once verification has seen the upload (an event away).
  const photos = (vcase.visitPhotos || []).map((p) => ({ id: p.documentId, fileName: p.fileName, contentType: p.contentType }));
  const [awaiting, setAwaiting] = useState({ id: '', tries: 0 });
  useEffect(() => {
    if (!awaiting.id || photos.some((p) => p.id === awaiting.id) || awaiting.tries >= 40) return undefined;
    const timer = setTimeout(() => { setAwaiting((a) => ({ ...a, tries: a.tries + 1 })); onDone(); }, 300);
    return () => clearTimeout(timer);
  }, [awaiting, vcase]);
  const locate = () => {
    if (!navigator.geolocation) { setGeoMsg(t('visit.noGeo')); return; }
    setGeoMsg(t('visit.locating'));
    navigator.geolocation.getCurrentPosition(
      (p) => { setForm((s) => ({ ...s, latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6) })); setGeoMsg(t('visit.located')); },
      () => setGeoMsg(t('visit.geoFailed')), { enableHighAccuracy: true, timeout: 15000 });
  };
  const submit = async (e) => {
    e.preventDefault();
    const local = {};
    const lat = Number(form.latitude.replace(',', '.'));
    const lng = Number(form.longitude.replace(',', '.'));
    if (form.latitude === '' || !(lat >= -90 && lat <= 90)) local['visit.latitude'] = t('visit.badLat');
    if (form.longitude === '' || !(lng >= -180 && lng <= 180)) local['visit.longitude'] = t('visit.badLng');
    const known = ['visit.visitedOn', 'visit.latitude', 'visit.longitude', 'visit.findings', 'visit.photoDocumentIds'];
    if (Object.keys(local).length) {
      await f.run(() => Promise.reject({ code: 'INVALID_ARGUMENT', message: t('form.fixErrors'), violations: Object.entries(local).map(([field, description]) => ({ field, description })) }), known);
      return;
    }
    const out = await f.run((act) => act.run('verification', 'RecordVisit', { caseId: vcase.id, visit: {
      visitedOn: form.visitedOn, latitude: lat, longitude: lng, findings: form.findings.trim(), photoDocumentIds: form.photos,
    } }), known);
    if (out) onDone();
  };
  return html`<section aria-labelledby="h-visit">
    <h2 id="h-visit">${t('visit.title')}</h2>
    ${v && v.visitedOn ? html`<dl class="facts" data-testid="visit-record">
      <dt>${t('visit.date')}</dt><dd>${formatDate(v.visitedOn, locale)}</dd>
      <dt>${t('visit.verifier')}</dt><dd data-testid="visit-verifier">${v.verifierId ? who(v.verifierId, user) : '—'}</dd>
      <dt>${t('visit.gps')}</dt><dd data-testid="visit-gps">${v.latitude ?? 0}, ${v.longitude ?? 0}${' '}
        <a href=${`https://www.openstreetmap.org/?mlat=${v.latitude}&mlon=${v.longitude}#map=17/${v.latitude}/${v.longitude}`} target="_blank" rel="noopener noreferrer">${t('visit.map')}</a></dd>
      <dt>${t('visit.findings')}</dt><dd>${v.findings || '—'}</dd>
      <dt>${t('visit.photos')}</dt><dd class="visit-photos">${(v.photoDocumentIds || []).map((id, i) => {
        const isImage = (photos.find((p) => p.id === id)?.contentType || '').startsWith('image/');
        return html`<a href=${documentFileUrl(id)} target="_blank" rel="noopener">${isImage
          ? html`<img src=${documentFileUrl(id)} alt=${`${t('visit.photo')} ${i + 1}`} class="thumb" />`
          : `${t('visit.photo')} ${i + 1}`}</a> `;
      })}</dd>
    </dl>` : html`<p class="muted" data-testid="visit-none">${t('visit.none')}</p>`}
    ${canRecord && !(v && v.visitedOn) && vcase.state !== 'CASE_STATE_VISIT_PENDING' ? html`<p class="hint" data-testid="visit-not-yet">${t('visit.notYet')}</p>` : null}
    ${canRecord && !(v && v.visitedOn) && vcase.state === 'CASE_STATE_VISIT_PENDING' ? html`<form onSubmit=${submit} novalidate data-testid="visit-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="visit-errors" />
      <div class="grid">
        <${Field} label=${t('visit.date')} name="visit.visitedOn" type="date" value=${form.visitedOn} onInput=${set('visitedOn')} errors=${f.byField} required testid="visit-date" />
        <${Field} label=${t('visit.latitude')} name="visit.latitude" value=${form.latitude} onInput=${set('latitude')} errors=${f.byField} required inputmode="decimal" placeholder="-3.3948" testid="visit-lat" />
        <${Field} label=${t('visit.longitude')} name="visit.longitude" value=${form.longitude} onInput=${set('longitude')} errors=${f.byField} required inputmode="decimal" placeholder="104.8277" testid="visit-lng" />
      </div>
      <p><button type="button" class="btn small" onClick=${locate} data-testid="visit-geolocate">${t('visit.useLocation')}</button>
        <span role="status" aria-live="polite">${geoMsg}</span></p>
      <${Field} label=${t('visit.findings')} name="visit.findings" value=${form.findings} onInput=${set('findings')} errors=${f.byField} multiline testid="visit-findings" />
      <fieldset><legend>${t('visit.photos')}</legend>
        ${photos.map((p) => html`<label class="check">
          <input type="checkbox" checked=${form.photos.includes(p.id)} data-testid="visit-photo"
            onChange=${(e) => set('photos')(e.currentTarget.checked ? [...form.photos, p.id] : form.photos.filter((x) => x !== p.id))} /> ${p.fileName || p.id}</label>`)}
        <p class="hint">${t('visit.photoHint')}</p>
      </fieldset>
      <button type="submit" class="btn primary" disabled=${f.busy} data-testid="visit-submit">${t('visit.record')}</button>
    </form>` : null}
    ${canRecord && !(v && v.visitedOn) && vcase.state === 'CASE_STATE_VISIT_PENDING' && company ? html`<div class="sub-card">
      <h3>${t('visit.addPhoto')}</h3>
      <${DocumentUpload} company=${company} presetType="DOCUMENT_TYPE_OFFICE_PHOTO" compact=${true} testid="visit-photo-upload"
        onUploaded=${(doc) => { setForm((s) => ({ ...s, photos: [...s.photos, doc.id] })); setAwaiting({ id: doc.id, tries: 0 }); onDone(); }} />
    </div>` : null}
  </section>`;
}

function DecideSection({ vcase, canDecide, onDone }) {
  const [outcome, setOutcome] = useState('OUTCOME_VERIFIED');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const f = useAction(vcase.state);
  if (!canDecide) return null;
  const decide = async () => {
    setAsking(false);
    const out = await f.run((act) => act.run('verification', 'Decide', { caseId: vcase.id, outcome, reason: reason.trim() }), ['outcome', 'reason']);
    if (out) onDone();
  };
  const submit = (e) => { e.preventDefault(); f.clear(); setAsking(true); };
  return html`<section aria-labelledby="h-decide">
    <h2 id="h-decide">${t('decide.title')}</h2>
    <p class="hint">${t('decide.hint')} ${t('decide.fourEyesHint')}</p>
    <form onSubmit=${submit} novalidate data-testid="decide-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="decide-errors" />
      <div class="grid">
        <${Field} label=${t('decide.outcome')} name="outcome" value=${outcome} onInput=${setOutcome} errors=${f.byField} testid="decide-outcome"
          options=${[{ value: 'OUTCOME_VERIFIED', label: tEnum('Outcome', 'OUTCOME_VERIFIED') }, { value: 'OUTCOME_REJECTED', label: tEnum('Outcome', 'OUTCOME_REJECTED') }]} />
        <${Field} label=${t('decide.reason')} name="reason" value=${reason} onInput=${setReason} errors=${f.byField} multiline
          required=${outcome === 'OUTCOME_REJECTED'} testid="decide-reason" />
      </div>
      ${asking ? html`<${ConfirmBox} question=${t('decide.confirm', { outcome: tEnum('Outcome', outcome), name: vcase.companyName })} onConfirm=${decide}
        onCancel=${() => setAsking(false)} busy=${f.busy} testid="decide-submit" confirmLabel=${t('decide.submit')} />`
      : html`<button type="submit" class="btn primary" disabled=${f.busy} data-testid="decide-submit">${t('decide.submit')}</button>`}
    </form>
  </section>`;
}

function SuspendSection({ vcase, canPropose, onDone }) {
  const { user } = useContext(AppContext);
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const f = useAction(vcase.state);
  if (!canPropose || vcase.state !== 'CASE_STATE_VERIFIED' || !user.roles.some((r) => ['verifier', 'head', 'admin'].includes(r))) return null;
  const suspend = async () => {
    setAsking(false);
    const out = await f.run((act) => act.run('verification', 'Suspend', { companyId: vcase.companyId, reason: reason.trim() }), ['reason']);
    if (out) onDone();
  };
  const submit = (e) => { e.preventDefault(); setAsking(true); };
  return html`<section aria-labelledby="h-suspend">
    <h2 id="h-suspend">${t('suspend.title')}</h2>
    <p class="hint">${t('decide.fourEyesHint')}</p>
    <form onSubmit=${submit} novalidate data-testid="suspend-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="suspend-errors" />
      <${Field} label=${t('suspend.reason')} name="reason" prefix="suspend-" value=${reason} onInput=${setReason} errors=${f.byField} multiline required testid="suspend-reason" />
      ${asking ? html`<${ConfirmBox} question=${t('suspend.confirm', { name: vcase.companyName })} onConfirm=${suspend} onCancel=${() => setAsking(false)}
        busy=${f.busy} testid="suspend-submit" confirmLabel=${t('suspend.submit')} kind="danger" />`
      : html`<button type="submit" class="btn danger" disabled=${f.busy || !reason.trim()} data-testid="suspend-submit">${t('suspend.submit')}</button>`}
    </form>
  </section>`;
}
