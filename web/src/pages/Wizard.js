// The registration wizard: company, outlets, people, documents, submit.
//
// Nothing typed is lost. The company exists on the server from the first
// step (registry.RegisterCompany with the company alone); every later step
// saves as the partner goes (Update, AddOutlet, AddPerson, UploadDocument).
// What is typed but not yet saved is kept in the tab's sessionStorage
// (components/stored.js), so a refresh keeps it; the step is in the address
// (#/register?step=2), so the browser's Back goes to the previous step.
// Arriving without a step opens the first one that still needs work; a
// company sent back opens on the rejected document, with the reason beside it.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { call, documentFileUrl } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DocumentUpload } from '../components/Upload.js';
import { StatusBadge } from '../components/Badge.js';
import { ConfirmButton } from '../components/Confirm.js';
import { DataTable, Loading } from '../components/Table.js';
import { useStored, forget, setFlash } from '../components/stored.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, formatDate } from '../format.js';
import {
  LEGAL_FORMS, OUTLET_TYPES, OUTLET_SCALES, UKW_LEVELS, DEWAN_PERS, PERSON_ROLES, KBLI_BY_TYPE,
} from '../enums.js';
import { requiredDocuments } from './requirements.js';

const opts = (type, values) => values.map((v) => ({ value: v, label: tEnum(type, v) }));

const EMPTY_COMPANY = {
  legalName: '', legalForm: 'LEGAL_FORM_PT', deedNumber: '', deedDate: '', skKemenkumham: '', nib: '', kbli: '',
  npwp: '', pkp: false, address: '', domicileLetterNumber: '', bankName: '', accountNumber: '', holderName: '',
  contactName: '', contactPhone: '', contactEmail: '', dewanPersStatus: 'DEWAN_PERS_NONE', dewanPersCertificate: '',
  establishedOn: '',
};
const EMPTY_OUTLET = { type: 'OUTLET_TYPE_SIBER', scale: 'OUTLET_SCALE_LOKAL', name: '', url: '', frequency: '', circulation: '', monthlyVisitors: '', audience: '' };
const EMPTY_PERSON = { role: 'PERSON_ROLE_CHIEF_EDITOR', nik: '', name: '', ukwLevel: 'UKW_LEVEL_NONE', ukwCertificateNumber: '', ukwCertificateExpiry: '', pressCardNumber: '' };

// The form's flat company values <-> CompanyInput (proto3 JSON).
export function companyToApi(c) {
  return {
    legalName: c.legalName.trim(), legalForm: c.legalForm, deedNumber: c.deedNumber.trim(), deedDate: c.deedDate,
    skKemenkumham: c.skKemenkumham.trim(), nib: c.nib.trim(),
    kbli: c.kbli.split(/[\s,;]+/).filter(Boolean), npwp: c.npwp.trim(), pkp: !!c.pkp, address: c.address.trim(),
    domicileLetterNumber: c.domicileLetterNumber.trim(),
    bankAccount: { bankName: c.bankName.trim(), accountNumber: c.accountNumber.trim(), holderName: c.holderName.trim() },
    contacts: c.contactName || c.contactPhone || c.contactEmail
      ? [{ name: c.contactName.trim(), phone: c.contactPhone.trim(), email: c.contactEmail.trim() }] : [],
    dewanPersStatus: c.dewanPersStatus, dewanPersCertificate: c.dewanPersCertificate.trim(), establishedOn: c.establishedOn,
  };
}
export function companyFromApi(d = {}) {
  const ct = (d.contacts || [])[0] || {};
  const b = d.bankAccount || {};
  return {
    ...EMPTY_COMPANY, ...Object.fromEntries(Object.entries(d).filter(([, v]) => typeof v === 'string' || typeof v === 'boolean')),
    kbli: (d.kbli || []).join(', '), bankName: b.bankName || '', accountNumber: b.accountNumber || '', holderName: b.holderName || '',
    contactName: ct.name || '', contactPhone: ct.phone || '', contactEmail: ct.email || '',
    legalForm: d.legalForm || 'LEGAL_FORM_UNSPECIFIED', dewanPersStatus: d.dewanPersStatus || 'DEWAN_PERS_NONE',
  };
}
const int64 = (s) => { const x = String(s ?? '').replace(/[.\s]/g, ''); return /^\d+$/.test(x) ? x : undefined; };
export function outletToApi(o) {
  const r = { type: o.type, scale: o.scale, name: o.name.trim(), url: o.url.trim(), frequency: o.frequency.trim() };
  for (const k of ['circulation', 'monthlyVisitors', 'audience']) { const v = int64(o[k]); if (v) r[k] = v; }
  return r;
}
const personToApi = (p) => ({ ...p, nik: p.nik.replace(/\s/g, ''), name: p.name.trim() });

// Something was typed into an add form (beyond what it starts with).
export function typedInto(form, empty) {
  return Object.keys(empty).some((k) => k !== 'type' && k !== 'scale' && k !== 'role' && String(form[k] ?? '').trim() !== String(empty[k] ?? '').trim());
}

// Field paths (as the server names them) to the flat form keys.
const COMPANY_PATHS = {
  legalName: 'legalName', legalForm: 'legalForm', deedNumber: 'deedNumber', deedDate: 'deedDate', skKemenkumham: 'skKemenkumham',
  nib: 'nib', kbli: 'kbli', npwp: 'npwp', pkp: 'pkp', address: 'address', domicileLetterNumber: 'domicileLetterNumber',
  'bankAccount.bankName': 'bankName', 'bankAccount.accountNumber': 'accountNumber', 'bankAccount.holderName': 'holderName',
  'contacts[0].name': 'contactName', 'contacts[0].phone': 'contactPhone', 'contacts[0].email': 'contactEmail',
  dewanPersStatus: 'dewanPersStatus', dewanPersCertificate: 'dewanPersCertificate', establishedOn: 'establishedOn',
};
const OUTLET_KEYS = Object.keys(EMPTY_OUTLET);
const PERSON_KEYS = Object.keys(EMPTY_PERSON);

// What the registry requires (services/registry/domain.c), so the markers
// promise nothing more and nothing less: a PT also names its decree and
// domicile letter.
export function companyRequired(c) {
  const pt = c.legalForm === 'LEGAL_FORM_PT';
  return new Set(['legalName', 'legalForm', 'deedNumber', 'deedDate', 'nib', 'kbli', 'npwp', 'address', 'accountNumber', 'holderName',
    ...(pt ? ['skKemenkumham', 'domicileLetterNumber'] : [])]);
}

function CompanyForm({ c, setC, errors, bankLocked = false, disabled = false }) {
  const required = companyRequired(c);
  const f = (k, extra = {}) => {
    const path = 'company.' + Object.keys(COMPANY_PATHS).find((p) => COMPANY_PATHS[p] === k);
    return html`<${Field} label=${t('company.' + k)} name=${path} value=${c[k]} onInput=${(v) => setC({ ...c, [k]: v })} errors=${errors}
      testid=${`company-${k}`} required=${required.has(k)} disabled=${disabled} ...${extra} />`;
  };
  return html`<fieldset><legend>${t('wizard.stepCompany')}</legend>
    <p class="hint">${t('wizard.requiredHint')}</p>
    <div class="grid">
      ${f('legalName')}
      ${f('legalForm', { options: opts('LegalForm', LEGAL_FORMS) })}
      ${f('deedNumber')}
      ${f('deedDate', { type: 'date' })}
      ${f('skKemenkumham')}
      ${f('establishedOn', { type: 'date', hint: t('company.establishedHint') })}
      ${f('nib', { inputmode: 'numeric', hint: t('company.nibHint') })}
      ${f('kbli', { hint: t('company.kbliHint') })}
      ${f('npwp', { hint: t('company.npwpHint') })}
      ${f('pkp', { type: 'checkbox' })}
      ${f('address', { multiline: true })}
      ${f('domicileLetterNumber')}
    </div>
    <h3>${t('company.bank')}</h3>
    ${bankLocked ? html`<p class="hint" data-testid="bank-partner-only">${t('company.bankPartnerOnly')}</p>` : null}
    <div class="grid">${f('bankName', { disabled: bankLocked || disabled })}${f('accountNumber', { inputmode: 'numeric', disabled: bankLocked || disabled })}${f('holderName', { disabled: bankLocked || disabled })}</div>
    <h3>${t('company.contact')}</h3>
    <div class="grid">${f('contactName')}${f('contactPhone', { type: 'tel' })}${f('contactEmail', { type: 'email' })}</div>
    <h3>${t('company.dewanPers')}</h3>
    <div class="grid">${f('dewanPersStatus', { options: opts('DewanPersStatus', DEWAN_PERS) })}${f('dewanPersCertificate')}</div>
  </fieldset>`;
}

function OutletForm({ o, setO, errors, base }) {
  const f = (k, extra = {}) => html`<${Field} label=${t('outlet.' + k)} name=${`${base}.${k}`} value=${o[k]}
    onInput=${(v) => setO({ ...o, [k]: v })} errors=${errors} testid=${`outlet-${k}`} ...${extra} />`;
  const num = { inputmode: 'numeric' };
  return html`<div class="grid">
    ${f('name', { required: true })}
    ${f('type', { options: opts('OutletType', OUTLET_TYPES), required: true, hint: t('outlet.kbliHint', { kbli: KBLI_BY_TYPE[o.type] || '-' }) })}
    ${f('scale', { options: opts('OutletScale', OUTLET_SCALES), required: true })}
    ${o.type === 'OUTLET_TYPE_SIBER' ? f('url', { type: 'url', placeholder: 'https://', required: true }) : null}
    ${o.type === 'OUTLET_TYPE_SIBER' ? f('monthlyVisitors', num) : null}
    ${o.type === 'OUTLET_TYPE_CETAK' ? f('circulation', num) : null}
    ${o.type === 'OUTLET_TYPE_RADIO' || o.type === 'OUTLET_TYPE_TV' ? f('frequency') : null}
    ${o.type === 'OUTLET_TYPE_RADIO' || o.type === 'OUTLET_TYPE_TV' ? f('audience', num) : null}
  </div>`;
}

function PersonForm({ p, setP, errors, base }) {
  const f = (k, extra = {}) => html`<${Field} label=${t('person.' + k)} name=${`${base}.${k}`} value=${p[k]}
    onInput=${(v) => setP({ ...p, [k]: v })} errors=${errors} testid=${`person-${k}`} ...${extra} />`;
  const certified = p.ukwLevel !== 'UKW_LEVEL_NONE';
  return html`<div class="grid">
    ${f('role', { options: opts('PersonRole', PERSON_ROLES), required: true })}
    ${f('name', { required: true })}
    ${f('nik', { inputmode: 'numeric', hint: t('person.nikHint'), required: true })}
    ${f('ukwLevel', { options: opts('UkwLevel', UKW_LEVELS) })}
    ${certified ? f('ukwCertificateNumber', { required: true }) : null}
    ${certified ? f('ukwCertificateExpiry', { type: 'date', required: true }) : null}
    ${f('pressCardNumber')}
  </div>`;
}

// "outlet.url" -> "Alamat situs (URL)", for the error summary.
function fieldLabels(byField) {
  const out = {};
  for (const f of Object.keys(byField)) {
    let m;
    if (f.startsWith('company.')) out[f] = t('company.' + (COMPANY_PATHS[f.slice(8)] || f.slice(8)));
    else if ((m = /^outlet\.(\w+)$/.exec(f))) out[f] = t('outlet.' + m[1]);
    else if ((m = /^person\.(\w+)$/.exec(f))) out[f] = t('person.' + m[1]);
    else if (f === 'fiscalYear') out[f] = t('nav.year');
  }
  return out;
}

const STEPS = ['wizard.stepCompany', 'wizard.stepOutlets', 'wizard.stepPeople', 'wizard.stepDocuments', 'wizard.stepSubmit'];
const EDITABLE = ['COMPANY_STATUS_DRAFT', 'COMPANY_STATUS_NEEDS_REVISION', 'COMPANY_STATUS_REJECTED'];

// The step and the document to open, from the address ("?step=3&focus=ID").
export function stepFromHash(hash) {
  const q = (hash || '').split('?')[1] || '';
  const p = new URLSearchParams(q);
  const s = Number(p.get('step'));
  return { step: Number.isInteger(s) && s >= 0 && s <= 4 && p.has('step') ? s : null, focus: p.get('focus') || '' };
}

// Where a company's registration continues: the first step still missing
// something; the documents when one was sent back.
export function nextStep(company, vcase) {
  if (!company) return 0;
  if ((vcase?.documents || []).some((d) => d.decision === 'DECISION_REJECTED')) return 3;
  if (!(company.outlets || []).length) return 1;
  if (!(company.people || []).some((p) => p.data?.role === 'PERSON_ROLE_CHIEF_EDITOR')) return 2;
  return 3;
}

const orNull = (p) => p.catch((e) => { if (e.status === 404 || e.code === 'NOT_FOUND') return null; throw e; });

export function Wizard({ companyId: givenId, basePath }) {
  const ctx = useContext(AppContext);
  const { user } = ctx;
  const isPartner = user.roles.includes('partner');
  const companyId = givenId || '';
  const here = stepFromHash(globalThis.location.hash);
  const path = isPartner ? '/register' : companyId ? `/companies/${companyId}/edit` : (basePath || '/companies/new');
  const f = useAction();
  const key = `wizard.${user.id}.${companyId || 'new'}`;
  const [cDraft, setCDraft] = useStored(`${key}.company`, null);
  const [newOutlet, setNewOutlet, forgetOutlet] = useStored(`${key}.outlet`, { ...EMPTY_OUTLET });
  const [newPerson, setNewPerson, forgetPerson] = useStored(`${key}.person`, null);
  const [saved, setSaved] = useState('');

  const loaded = useLoad(async () => {
    if (!companyId) return null;
    const company = await call('registry', 'GetCompany', { companyId });
    const [reqs, vcase] = await Promise.all([
      requiredDocuments(company, company.fiscalYear || ctx.year),
      orNull(call('verification', 'GetCase', { companyId })).catch(() => null),
    ]);
    return { company, reqs, vcase };
  }, [companyId, ctx.year]);
  const company = loaded.data && loaded.data.company;
  const vcase = loaded.data && loaded.data.vcase;
  const version = company ? String(company.version || '0') : 'new';
  // What was typed on top of this version of the company, else the server's.
  const c = cDraft && cDraft.base === version ? cDraft.c : company ? companyFromApi(company.data) : EMPTY_COMPANY;
  const setC = (x) => setCDraft({ base: version, c: x });
  const hasChief = (company?.people || []).some((p) => p.data?.role === 'PERSON_ROLE_CHIEF_EDITOR');
  const person = newPerson || { ...EMPTY_PERSON, role: hasChief ? 'PERSON_ROLE_JOURNALIST' : 'PERSON_ROLE_CHIEF_EDITOR' };
  const step = here.step ?? (companyId ? (loaded.data ? nextStep(company, vcase) : null) : 0);

  const editable = !company || EDITABLE.includes(company.status || 'COMPANY_STATUS_DRAFT');
  // Payments follow the bank account: only the partner changes it (the
  // registering staff member only while entering the first draft).
  const bankLocked = !!company && !isPartner &&
    !(company.registeredBy === user.id && (company.status || 'COMPANY_STATUS_DRAFT') === 'COMPANY_STATUS_DRAFT' && !company.fiscalYear);

  // An error belongs to the step and the data it was about: it goes when either moves on.
  useEffect(() => { f.clear(); }, [step, version, ctx.year]);
  const head = useRef(null);
  const shown = useRef(step);
  useEffect(() => {
    if (shown.current !== step && head.current) head.current.focus();
    shown.current = step;
  }, [step]);

  const go = (s) => {
    setSaved('');
    globalThis.location.hash = `#${path}?step=${s}`;
  };

  const saveCompany = async () => {
    if (!companyId) {
      const out = await f.run((act) => act.run('registry', 'RegisterCompany', { company: companyToApi(c) }),
        Object.keys(COMPANY_PATHS).map((p) => 'company.' + p));
      if (!out) return;
      forget(`${key}.company`);
      if (isPartner) {
        // The gateway binds the new company to the account: the session says so now.
        globalThis.location.replace('#/register?step=0');
        await ctx.refreshMe();
        globalThis.location.hash = '#/register?step=1';
      } else {
        globalThis.location.replace(`#/companies/${out.id}/edit?step=0`);
        globalThis.location.hash = `#/companies/${out.id}/edit?step=1`;
      }
      setSaved(t('wizard.registered'));
      return;
    }
    const changed = JSON.stringify(companyToApi(c)) !== JSON.stringify(companyToApi(companyFromApi(company.data)));
    if (editable && changed) {
      const out = await f.run((act) => act.run('registry', 'Update', { companyId, company: companyToApi(c), expectedVersion: company.version || '0' }),
        Object.keys(COMPANY_PATHS).map((p) => 'company.' + p));
      if (!out) return;
      forget(`${key}.company`);
      loaded.reload();
    }
    go(1);
  };
  const addOutlet = async ({ thenNext = false } = {}) => {
    const out = await f.run((act) => act.run('registry', 'AddOutlet', { companyId, outlet: outletToApi(newOutlet) }),
      OUTLET_KEYS.map((k) => 'outlet.' + k));
    if (!out) return false;
    forgetOutlet();
    setNewOutlet({ ...EMPTY_OUTLET });
    loaded.reload();
    if (thenNext) go(2); else setSaved(t('wizard.outletAdded'));
    return true;
  };
  const addPerson = async ({ thenNext = false } = {}) => {
    const out = await f.run((act) => act.run('registry', 'AddPerson', { companyId, person: personToApi(person) }),
      PERSON_KEYS.map((k) => 'person.' + k));
    if (!out) return false;
    forgetPerson();
    setNewPerson(null);
    loaded.reload();
    if (thenNext) go(3); else setSaved(t('wizard.personAdded'));
    return true;
  };
  // Next saves what the step's form holds; with nothing saved yet, an empty
  // form is sent too, so the server names every missing field at once.
  const nextFromOutlets = async () => {
    if (editable && (typedInto(newOutlet, EMPTY_OUTLET) || !(company.outlets || []).length)) await addOutlet({ thenNext: true });
    else go(2);
  };
  const nextFromPeople = async () => {
    if (editable && (typedInto(person, EMPTY_PERSON) || !hasChief)) await addPerson({ thenNext: true });
    else go(3);
  };
  const submit = async () => {
    const out = await f.run((act) => act.run('registry', 'Submit', { companyId, fiscalYear: ctx.year }), ['fiscalYear']);
    if (out) {
      setFlash('company', 'wizard.submitted');
      globalThis.location.hash = isPartner ? '#/my' : `#/companies/${companyId}`;
    }
  };

  if (companyId && loaded.error) {
    const missing = loaded.error.code === 'NOT_FOUND' || (loaded.error.violations || []).some((v) => v.field === 'companyId');
    return html`<section><h1>${t('wizard.title')}</h1>${missing
      ? html`<${Notice} kind="error" testid="company-not-found">${t('company.notFound')}<//>` : html`<${ErrorSummary} error=${loaded.error} />`}</section>`;
  }
  if (companyId && (!company || company.id !== companyId || step === null)) return html`<section><h1>${t('wizard.title')}</h1><${Loading} /></section>`;

  const errs = f.byField;
  const back = (s) => html`<button type="button" class="btn" onClick=${() => go(s)} data-testid="wizard-back">${t('common.back')}</button>`;
  let body;
  if (step === 0 || !companyId) {
    body = html`<${CompanyForm} c=${c} setC=${setC} errors=${errs} bankLocked=${bankLocked} disabled=${!editable} />
      <div class="actions">
        <button type="button" class="btn primary" onClick=${saveCompany} disabled=${f.busy} data-testid="wizard-next">${companyId ? t('wizard.saveNext') : t('wizard.register')}</button></div>`;
  } else if (step === 1) {
    body = html`<fieldset><legend>${t('wizard.stepOutlets')}</legend>
        <${DataTable} rows=${company.outlets || []} rowTestid="outlet-row" empty=${t('wizard.noOutlets')} columns=${[
          { label: t('outlet.name'), render: (o) => o.data?.name },
          { label: t('outlet.type'), render: (o) => tEnum('OutletType', o.data?.type) },
          { label: t('outlet.scale'), render: (o) => tEnum('OutletScale', o.data?.scale) },
          { label: t('outlet.url'), render: (o) => o.data?.url || o.data?.frequency || '' },
        ]} />
        ${editable ? html`<h3>${(company.outlets || []).length ? t('wizard.addOutlet') : t('wizard.firstOutlet')}</h3>
          <${OutletForm} o=${newOutlet} setO=${setNewOutlet} errors=${errs} base="outlet" />
          <button type="button" class="btn" onClick=${() => addOutlet()} disabled=${f.busy} data-testid="wizard-add-outlet">${t('wizard.addOutlet')}</button>` : null}
      </fieldset>
      <div class="actions">${back(0)}
        <button type="button" class="btn primary" onClick=${nextFromOutlets} disabled=${f.busy} data-testid="wizard-next">${t('common.next')}</button></div>`;
  } else if (step === 2) {
    body = html`<fieldset><legend>${t('wizard.stepPeople')}</legend>
        <p class="hint">${t('wizard.peopleHint')}</p>
        <${DataTable} rows=${company.people || []} rowTestid="person-row" empty=${t('wizard.noPeople')} columns=${[
          { label: t('person.name'), render: (p) => p.data?.name },
          { label: t('person.role'), render: (p) => tEnum('PersonRole', p.data?.role) },
          { label: t('person.ukwLevel'), render: (p) => tEnum('UkwLevel', p.data?.ukwLevel || 'UKW_LEVEL_NONE') },
        ]} />
        ${editable ? html`<h3>${t('wizard.addPerson')}</h3>
          <${PersonForm} p=${person} setP=${setNewPerson} errors=${errs} base="person" />
          <button type="button" class="btn" onClick=${() => addPerson()} disabled=${f.busy} data-testid="wizard-add-person">${t('wizard.addPerson')}</button>` : null}
      </fieldset>
      <div class="actions">${back(1)}
        <button type="button" class="btn primary" onClick=${nextFromPeople} disabled=${f.busy} data-testid="wizard-next">${t('common.next')}</button></div>`;
  } else if (step === 3) {
    body = html`<${DocumentsStep} company=${company} vcase=${vcase} reqs=${loaded.data.reqs} reload=${loaded.reload} editable=${editable}
        focus=${here.focus} draftKey=${`${key}.upload`} />
      <div class="actions">${back(2)}
        <button type="button" class="btn primary" onClick=${() => go(4)} data-testid="wizard-next">${t('common.next')}</button></div>`;
  } else {
    const missing = loaded.data.reqs.filter((r) => r.required && !(company.documents || []).some((d) => d.type === r.type));
    body = html`<section aria-labelledby="h-submit"><h2 id="h-submit">${t('wizard.stepSubmit')}</h2>
      <p>${t('wizard.submitIntro', { year: ctx.year })}</p>
      ${loaded.data.reqs.published ? null : html`<${Notice} kind="warn" testid="wizard-year-not-open">${t('wizard.yearNotOpen', { year: ctx.year })}<//>`}
      <p>${t('common.status')}: <${StatusBadge} type="CompanyStatus" value=${company.status} /></p>
      ${missing.length ? html`<${Notice} kind="warn" testid="wizard-missing">${t('wizard.missingDocs')}
        <ul>${missing.map((r) => html`<li>${tEnum('DocumentType', r.type)}</li>`)}</ul><//>` : null}
      <div class="actions">${back(3)}
        <button type="button" class="btn primary" onClick=${submit} disabled=${f.busy || !editable} data-testid="wizard-submit">${t('wizard.submit')}</button></div>
    </section>`;
  }

  const current = companyId ? step : 0;
  return html`<section>
    <h1>${companyId && company ? t('wizard.titleOf', { name: company.data?.legalName || '' }) : t('wizard.title')}</h1>
    <ol class="steps" aria-label=${t('wizard.steps')}>
      ${STEPS.map((k, i) => {
        const reachable = companyId ? true : i === 0;
        return html`<li class=${i === current ? 'current' : ''} aria-current=${i === current ? 'step' : undefined}>
          ${reachable ? html`<button type="button" class="linklike" onClick=${() => go(i)} data-testid=${`wizard-step-${i}`}>${i + 1}. ${t(k)}</button>` : html`<span>${i + 1}. ${t(k)}</span>`}</li>`;
      })}
    </ol>
    <h2 class="sr-only" tabindex="-1" ref=${head}>${t(STEPS[current])}</h2>
    ${!editable ? html`<${Notice} kind="info">${t('wizard.notEditable')}<//>` : null}
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="wizard-errors" labels=${fieldLabels(f.byField)} />
    ${saved ? html`<${Notice} kind="ok" testid="wizard-saved">${saved}<//>` : null}
    <form onSubmit=${(e) => e.preventDefault()} novalidate data-testid=${`wizard-step-body-${current}`}>${body}</form>
  </section>`;
}

// The documents step: the year's checklist with each document's state (a
// rejected one with the verifier's reason and its re-upload), the upload
// form, and the documents uploaded so far (one's own uploads can be deleted
// while the company is editable).
function DocumentsStep({ company, vcase, reqs, reload, editable, focus, draftKey }) {
  const { locale, year, user } = useContext(AppContext);
  const decided = new Map((vcase?.documents || []).map((d) => [d.documentId, d]));
  const photos = new Set((vcase?.visitPhotos || []).map((p) => p.documentId));
  const docs = (company.documents || []).filter((d) => !photos.has(d.id));
  const f = useAction();
  const rejected = docs.filter((d) => decided.get(d.id)?.decision === 'DECISION_REJECTED');
  const target = focus || (rejected[0] && rejected[0].id) || '';
  useEffect(() => {
    const el = target && globalThis.document.getElementById(`doc-item-${target}`);
    if (el) { el.focus(); el.scrollIntoView({ block: 'center' }); }
  }, [target]);
  const remove = async (d) => {
    const out = await f.run((act) => act.run('registry', 'DeleteDocument', { companyId: company.id, documentId: d.id }), []);
    if (out) reload();
  };
  const state = (d) => (d ? decided.get(d.id)?.decision || 'DECISION_PENDING' : '');
  return html`<fieldset><legend>${t('wizard.stepDocuments')}</legend>
    <p class="hint">${t('upload.hint')}</p>
    <h3>${t('wizard.requiredDocs')}</h3>
    ${reqs.published ? null : html`<${Notice} kind="warn" testid="doc-requirements-default">${t('wizard.defaultRequirements', { year })}<//>`}
    <ul class="checklist" data-testid="doc-requirements">
      ${reqs.map((r) => {
        const d = docs.find((x) => x.type === r.type);
        const s = state(d);
        const dec = d && decided.get(d.id);
        const mark = !d ? '•' : s === 'DECISION_ACCEPTED' ? '✓' : s === 'DECISION_REJECTED' ? '✗' : '…';
        const cls = !d ? 'warn-text' : s === 'DECISION_ACCEPTED' ? 'ok-text' : s === 'DECISION_REJECTED' ? 'bad-text' : 'muted';
        return html`<li data-testid="doc-requirement" data-type=${r.type} data-present=${d ? 'true' : 'false'} data-decision=${s}
            id=${d ? `doc-item-${d.id}` : undefined} tabindex=${d ? '-1' : undefined} class=${d && d.id === target ? 'focus-target' : ''}>
          <span class=${cls} aria-hidden="true">${mark}</span> ${tEnum('DocumentType', r.type)}
          ${r.required ? '' : html` <span class="muted">(${t('wizard.optional')})</span>`}
          ${d ? html` <span class="muted">— ${d.fileName} (v${d.version || 1})</span> <${StatusBadge} type="Decision" value=${s} testid="doc-requirement-decision" />` : html` <span class="muted">— ${t('wizard.notUploaded')}</span>`}
          ${dec?.reason && s === 'DECISION_REJECTED' ? html`<p class="reason" data-testid="doc-requirement-reason">${t('doc.reason')}: ${dec.reason}</p>` : null}
          ${s === 'DECISION_REJECTED' && editable ? html`<p class="hint">${t('wizard.reuploadHint')}</p>` : null}</li>`;
      })}
    </ul>
    <h3>${t('wizard.uploadDoc')}</h3>
    <${DocumentUpload} company=${company} onUploaded=${reload} testid="wizard-upload" draftKey=${draftKey}
      initial=${rejected[0] ? { type: rejected[0].type, personId: rejected[0].personId || '', outletId: rejected[0].outletId || '' } : null} />
    <h3>${t('wizard.uploadedDocs')}</h3>
    <${ErrorSummary} error=${f.error} unmatched=${f.unmatched} testid="document-delete-errors" />
    <${DataTable} rows=${docs} rowTestid="document-row" testid="documents-table" columns=${[
      { label: t('doc.type'), render: (d) => tEnum('DocumentType', d.type) },
      { label: t('doc.number'), render: (d) => d.number },
      { label: t('doc.expiresOn'), render: (d) => formatDate(d.expiresOn, locale) || '—' },
      { label: t('doc.version'), render: (d) => d.version || 1 },
      { label: t('doc.decision'), render: (d) => html`<${StatusBadge} type="Decision" value=${state(d)} testid="document-decision" />${decided.get(d.id)?.reason
        ? html`<br /><span class="muted">${decided.get(d.id).reason}</span>` : null}` },
      { label: t('doc.uploadedAt'), render: (d) => formatDateTime(d.uploadedAt, locale) },
      { label: t('doc.file'), render: (d) => html`<a href=${documentFileUrl(d.id)} target="_blank" rel="noopener" data-testid="document-view">${d.fileName || t('doc.view')}</a>` },
      { label: t('common.actions'), render: (d) => (editable && d.uploadedBy === user.id && state(d) !== 'DECISION_ACCEPTED'
        ? html`<${ConfirmButton} label=${t('doc.delete')} question=${t('doc.deleteConfirm', { doc: tEnum('DocumentType', d.type), name: d.fileName || '' })}
            onConfirm=${() => remove(d)} busy=${f.busy} kind="danger small" testid="document-delete" />` : '') },
    ]} />
  </fieldset>`;
}
