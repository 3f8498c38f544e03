// The registration wizard: company, outlets, people, documents, submit.
// A new company is registered in one call (registry.RegisterCompany) after
// the people step; an existing one (draft or needing revision) is changed
// with Update / AddOutlet / AddPerson. Field violations are shown next to
// their inputs and the wizard jumps to the first step that has one.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call, documentFileUrl } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DocumentUpload } from '../components/Upload.js';
import { StatusBadge } from '../components/Badge.js';
import { DataTable, Loading } from '../components/Table.js';
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
function companyFromApi(d = {}) {
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

function CompanyForm({ c, setC, errors, bankLocked = false }) {
  const f = (k, extra = {}) => {
    const path = 'company.' + Object.keys(COMPANY_PATHS).find((p) => COMPANY_PATHS[p] === k);
    return html`<${Field} label=${t('company.' + k)} name=${path} value=${c[k]} onInput=${(v) => setC({ ...c, [k]: v })} errors=${errors} testid=${`company-${k}`} ...${extra} />`;
  };
  return html`<fieldset><legend>${t('wizard.stepCompany')}</legend>
    <div class="grid">
      ${f('legalName', { required: true })}
      ${f('legalForm', { options: opts('LegalForm', LEGAL_FORMS), required: true })}
      ${f('deedNumber', { required: true })}
      ${f('deedDate', { type: 'date' })}
      ${f('skKemenkumham')}
      ${f('establishedOn', { type: 'date', hint: t('company.establishedHint') })}
      ${f('nib', { inputmode: 'numeric', hint: t('company.nibHint'), required: true })}
      ${f('kbli', { hint: t('company.kbliHint') })}
      ${f('npwp', { hint: t('company.npwpHint'), required: true })}
      ${f('pkp', { type: 'checkbox' })}
      ${f('address', { multiline: true, required: true })}
      ${f('domicileLetterNumber')}
    </div>
    <h3>${t('company.bank')}</h3>
    ${bankLocked ? html`<p class="hint" data-testid="bank-partner-only">${t('company.bankPartnerOnly')}</p>` : null}
    <div class="grid">${f('bankName', { disabled: bankLocked })}${f('accountNumber', { inputmode: 'numeric', disabled: bankLocked })}${f('holderName', { disabled: bankLocked })}</div>
    <h3>${t('company.contact')}</h3>
    <div class="grid">${f('contactName')}${f('contactPhone', { type: 'tel' })}${f('contactEmail', { type: 'email' })}</div>
    <h3>${t('company.dewanPers')}</h3>
    <div class="grid">${f('dewanPersStatus', { options: opts('DewanPersStatus', DEWAN_PERS) })}${f('dewanPersCertificate')}</div>
  </fieldset>`;
}

function OutletForm({ o, setO, errors, base, idx }) {
  const f = (k, extra = {}) => html`<${Field} label=${t('outlet.' + k)} name=${`${base}.${k}`} value=${o[k]}
    onInput=${(v) => setO({ ...o, [k]: v })} errors=${errors} testid=${`outlet-${k}${idx !== undefined ? '-' + idx : ''}`} ...${extra} />`;
  const num = { inputmode: 'numeric' };
  return html`<div class="grid">
    ${f('name', { required: true })}
    ${f('type', { options: opts('OutletType', OUTLET_TYPES), hint: t('outlet.kbliHint', { kbli: KBLI_BY_TYPE[o.type] || '-' }) })}
    ${f('scale', { options: opts('OutletScale', OUTLET_SCALES) })}
    ${o.type === 'OUTLET_TYPE_SIBER' ? f('url', { type: 'url', placeholder: 'https://' }) : null}
    ${o.type === 'OUTLET_TYPE_SIBER' ? f('monthlyVisitors', num) : null}
    ${o.type === 'OUTLET_TYPE_CETAK' ? f('circulation', num) : null}
    ${o.type === 'OUTLET_TYPE_RADIO' || o.type === 'OUTLET_TYPE_TV' ? f('frequency') : null}
    ${o.type === 'OUTLET_TYPE_RADIO' || o.type === 'OUTLET_TYPE_TV' ? f('audience', num) : null}
  </div>`;
}

function PersonForm({ p, setP, errors, base, idx }) {
  const f = (k, extra = {}) => html`<${Field} label=${t('person.' + k)} name=${`${base}.${k}`} value=${p[k]}
    onInput=${(v) => setP({ ...p, [k]: v })} errors=${errors} testid=${`person-${k}${idx !== undefined ? '-' + idx : ''}`} ...${extra} />`;
  return html`<div class="grid">
    ${f('role', { options: opts('PersonRole', PERSON_ROLES) })}
    ${f('name', { required: true })}
    ${f('nik', { inputmode: 'numeric', hint: t('person.nikHint'), required: true })}
    ${f('ukwLevel', { options: opts('UkwLevel', UKW_LEVELS) })}
    ${p.ukwLevel !== 'UKW_LEVEL_NONE' ? f('ukwCertificateNumber') : null}
    ${p.ukwLevel !== 'UKW_LEVEL_NONE' ? f('ukwCertificateExpiry', { type: 'date' }) : null}
    ${f('pressCardNumber')}
  </div>`;
}

// "outlets[0].url" -> "Media 1: Alamat situs (URL)", for the error summary.
function fieldLabels(byField) {
  const out = {};
  for (const f of Object.keys(byField)) {
    let m;
    if (f.startsWith('company.')) out[f] = t('company.' + (COMPANY_PATHS[f.slice(8)] || f.slice(8)));
    else if ((m = /^outlets\[(\d+)\]\.(\w+)$/.exec(f))) out[f] = `${t('wizard.outletN', { n: +m[1] + 1 })}: ${t('outlet.' + m[2])}`;
    else if ((m = /^people\[(\d+)\]\.(\w+)$/.exec(f))) out[f] = `${t('wizard.personN', { n: +m[1] + 1 })}: ${t('person.' + m[2])}`;
    else if ((m = /^outlet\.(\w+)$/.exec(f))) out[f] = t('outlet.' + m[1]);
    else if ((m = /^person\.(\w+)$/.exec(f))) out[f] = t('person.' + m[1]);
  }
  return out;
}

const STEPS = ['wizard.stepCompany', 'wizard.stepOutlets', 'wizard.stepPeople', 'wizard.stepDocuments', 'wizard.stepSubmit'];

export function Wizard({ companyId: initialId }) {
  const ctx = useContext(AppContext);
  const [companyId, setCompanyId] = useState(initialId || '');
  const [step, setStep] = useState(initialId ? 3 : 0);
  const [c, setC] = useState(EMPTY_COMPANY);
  const [outlets, setOutlets] = useState([{ ...EMPTY_OUTLET }]);
  const [people, setPeople] = useState([{ ...EMPTY_PERSON }]);
  const [newOutlet, setNewOutlet] = useState({ ...EMPTY_OUTLET });
  const [newPerson, setNewPerson] = useState({ ...EMPTY_PERSON, role: 'PERSON_ROLE_JOURNALIST' });
  const [saved, setSaved] = useState('');
  const f = useAction();

  const loaded = useLoad(async () => {
    if (!companyId) return null;
    const company = await call('registry', 'GetCompany', { companyId });
    const reqs = await requiredDocuments(company, ctx.year);
    return { company, reqs };
  }, [companyId, ctx.year]);
  const company = loaded.data && loaded.data.company;
  useEffect(() => { if (company) setC(companyFromApi(company.data)); }, [company && company.version]);

  const editable = !company || ['COMPANY_STATUS_DRAFT', 'COMPANY_STATUS_NEEDS_REVISION', 'COMPANY_STATUS_REJECTED', undefined].includes(company.status);
  // Payments follow the bank account: only the partner changes it (the
  // registering staff member only while entering the first draft).
  const bankLocked = !!company && !ctx.user.roles.includes('partner') &&
    !(company.registeredBy === ctx.user.id && (company.status || 'COMPANY_STATUS_DRAFT') === 'COMPANY_STATUS_DRAFT' && !company.fiscalYear);
  const go = (s) => { f.clear(); setSaved(''); setStep(s); };

  // Violations name company.*, outlets[i].*, people[i].*: mapped onto the
  // inputs, and the wizard moves to the first step that has one.
  const knownNew = () => [
    ...Object.keys(COMPANY_PATHS).map((p) => 'company.' + p),
    ...outlets.flatMap((_, i) => OUTLET_KEYS.map((k) => `outlets[${i}].${k}`)),
    ...people.flatMap((_, i) => PERSON_KEYS.map((k) => `people[${i}].${k}`)),
  ];
  const stepOf = (fields) => {
    const ks = Object.keys(fields);
    if (ks.some((k) => k.startsWith('company.'))) return 0;
    if (ks.some((k) => k.startsWith('outlets'))) return 1;
    if (ks.some((k) => k.startsWith('people'))) return 2;
    return null;
  };
  useEffect(() => { const s = stepOf(f.byField); if (s !== null && !companyId) setStep(s); }, [f.byField]);

  const register = async () => {
    const out = await f.run((act) => act.run('registry', 'RegisterCompany', {
      company: companyToApi(c), outlets: outlets.map(outletToApi), people: people.map(personToApi),
    }), knownNew());
    if (out) {
      setCompanyId(out.id);
      setStep(3);
      // The gateway binds the new company to the partner's account: stay in
      // the wizard (#/register) and fetch the session again.
      if (ctx.user.roles.includes('partner')) { location.hash = '#/register'; await ctx.refreshMe(); }
      setSaved(t('wizard.registered'));
    }
  };
  const updateCompany = async () => {
    const out = await f.run((act) => act.run('registry', 'Update', {
      companyId, company: companyToApi(c), expectedVersion: company.version || '0',
    }), Object.keys(COMPANY_PATHS).map((p) => 'company.' + p));
    if (out) { setSaved(t('wizard.saved')); loaded.reload(); }
  };
  const addOutlet = async () => {
    const out = await f.run((act) => act.run('registry', 'AddOutlet', { companyId, outlet: outletToApi(newOutlet) }),
      OUTLET_KEYS.map((k) => 'outlet.' + k));
    if (out) { setNewOutlet({ ...EMPTY_OUTLET }); setSaved(t('wizard.outletAdded')); loaded.reload(); }
  };
  const addPerson = async () => {
    const out = await f.run((act) => act.run('registry', 'AddPerson', { companyId, person: personToApi(newPerson) }),
      PERSON_KEYS.map((k) => 'person.' + k));
    if (out) { setNewPerson({ ...EMPTY_PERSON, role: 'PERSON_ROLE_JOURNALIST' }); setSaved(t('wizard.personAdded')); loaded.reload(); }
  };
  const submit = async () => {
    const out = await f.run((act) => act.run('registry', 'Submit', { companyId, fiscalYear: ctx.year }), ['fiscalYear']);
    if (out) location.hash = ctx.user.roles.includes('partner') ? '#/my' : `#/companies/${companyId}`;
  };

  if (companyId && loaded.error) return html`<section><h1>${t('wizard.title')}</h1><${ErrorSummary} error=${loaded.error} /></section>`;
  if (companyId && (!company || company.id !== companyId)) return html`<section><h1>${t('wizard.title')}</h1><${Loading} /></section>`;

  const errs = f.byField;
  let body;
  if (step === 0) {
    body = html`<${CompanyForm} c=${c} setC=${setC} errors=${errs} bankLocked=${bankLocked} />
      <div class="actions">${companyId
        ? html`<button type="button" class="btn primary" onClick=${updateCompany} disabled=${f.busy || !editable} data-testid="wizard-save-company">${t('common.save')}</button>`
        : null}
        <button type="button" class="btn" onClick=${() => go(1)} data-testid="wizard-next">${t('common.next')}</button></div>`;
  } else if (step === 1) {
    body = companyId ? html`<fieldset><legend>${t('wizard.stepOutlets')}</legend>
        <${DataTable} rows=${company.outlets || []} rowTestid="outlet-row" columns=${[
          { label: t('outlet.name'), render: (o) => o.data?.name },
          { label: t('outlet.type'), render: (o) => tEnum('OutletType', o.data?.type) },
          { label: t('outlet.scale'), render: (o) => tEnum('OutletScale', o.data?.scale) },
          { label: t('outlet.url'), render: (o) => o.data?.url || o.data?.frequency || '' },
        ]} />
        ${editable ? html`<h3>${t('wizard.addOutlet')}</h3>
          <${OutletForm} o=${newOutlet} setO=${setNewOutlet} errors=${errs} base="outlet" />
          <button type="button" class="btn" onClick=${addOutlet} disabled=${f.busy} data-testid="wizard-add-outlet">${t('wizard.addOutlet')}</button>` : null}
      </fieldset>`
      : html`<fieldset><legend>${t('wizard.stepOutlets')}</legend>
        ${outlets.map((o, i) => html`<div class="sub-card" data-testid="outlet-form">
          <h3>${t('wizard.outletN', { n: i + 1 })}</h3>
          <${OutletForm} o=${o} idx=${i} base=${`outlets[${i}]`} errors=${errs} setO=${(x) => setOutlets(outlets.map((y, j) => (j === i ? x : y)))} />
          ${outlets.length > 1 ? html`<button type="button" class="btn small danger" onClick=${() => setOutlets(outlets.filter((_, j) => j !== i))}>${t('common.remove')}</button>` : null}
        </div>`)}
        <button type="button" class="btn" onClick=${() => setOutlets([...outlets, { ...EMPTY_OUTLET }])} data-testid="wizard-more-outlet">${t('wizard.anotherOutlet')}</button>
      </fieldset>`;
    body = html`${body}<div class="actions"><button type="button" class="btn" onClick=${() => go(0)} data-testid="wizard-back">${t('common.back')}</button>
      <button type="button" class="btn primary" onClick=${() => go(2)} data-testid="wizard-next">${t('common.next')}</button></div>`;
  } else if (step === 2) {
    body = companyId ? html`<fieldset><legend>${t('wizard.stepPeople')}</legend>
        <${DataTable} rows=${company.people || []} rowTestid="person-row" columns=${[
          { label: t('person.name'), render: (p) => p.data?.name },
          { label: t('person.role'), render: (p) => tEnum('PersonRole', p.data?.role) },
          { label: t('person.ukwLevel'), render: (p) => tEnum('UkwLevel', p.data?.ukwLevel || 'UKW_LEVEL_NONE') },
        ]} />
        ${editable ? html`<h3>${t('wizard.addPerson')}</h3>
          <${PersonForm} p=${newPerson} setP=${setNewPerson} errors=${errs} base="person" />
          <button type="button" class="btn" onClick=${addPerson} disabled=${f.busy} data-testid="wizard-add-person">${t('wizard.addPerson')}</button>` : null}
      </fieldset>
      <div class="actions"><button type="button" class="btn" onClick=${() => go(1)} data-testid="wizard-back">${t('common.back')}</button>
        <button type="button" class="btn primary" onClick=${() => go(3)} data-testid="wizard-next">${t('common.next')}</button></div>`
      : html`<fieldset><legend>${t('wizard.stepPeople')}</legend>
        <p class="hint">${t('wizard.peopleHint')}</p>
        ${people.map((p, i) => html`<div class="sub-card" data-testid="person-form">
          <h3>${t('wizard.personN', { n: i + 1 })}</h3>
          <${PersonForm} p=${p} idx=${i} base=${`people[${i}]`} errors=${errs} setP=${(x) => setPeople(people.map((y, j) => (j === i ? x : y)))} />
          ${people.length > 1 ? html`<button type="button" class="btn small danger" onClick=${() => setPeople(people.filter((_, j) => j !== i))}>${t('common.remove')}</button>` : null}
        </div>`)}
        <button type="button" class="btn" onClick=${() => setPeople([...people, { ...EMPTY_PERSON, role: 'PERSON_ROLE_JOURNALIST' }])} data-testid="wizard-more-person">${t('wizard.anotherPerson')}</button>
      </fieldset>
      <div class="actions"><button type="button" class="btn" onClick=${() => go(1)} data-testid="wizard-back">${t('common.back')}</button>
        <button type="button" class="btn primary" onClick=${register} disabled=${f.busy} data-testid="wizard-register">${t('wizard.register')}</button></div>`;
  } else if (step === 3) {
    body = html`<${DocumentsStep} company=${company} reqs=${loaded.data.reqs} reload=${loaded.reload} />
      <div class="actions"><button type="button" class="btn" onClick=${() => go(2)} data-testid="wizard-back">${t('common.back')}</button>
        <button type="button" class="btn primary" onClick=${() => go(4)} data-testid="wizard-next">${t('common.next')}</button></div>`;
  } else {
    const missing = loaded.data.reqs.filter((r) => r.required && !(company.documents || []).some((d) => d.type === r.type));
    body = html`<section aria-labelledby="h-submit"><h2 id="h-submit">${t('wizard.stepSubmit')}</h2>
      <p>${t('wizard.submitIntro', { year: ctx.year })}</p>
      ${loaded.data.reqs.published ? null : html`<${Notice} kind="warn" testid="wizard-year-not-open">${t('wizard.yearNotOpen', { year: ctx.year })}<//>`}
      <p>${t('common.status')}: <${StatusBadge} type="CompanyStatus" value=${company.status} /></p>
      ${missing.length ? html`<${Notice} kind="warn" testid="wizard-missing">${t('wizard.missingDocs')}
        <ul>${missing.map((r) => html`<li>${tEnum('DocumentType', r.type)}</li>`)}</ul><//>` : null}
      <div class="actions"><button type="button" class="btn" onClick=${() => go(3)} data-testid="wizard-back">${t('common.back')}</button>
        <button type="button" class="btn primary" onClick=${submit} disabled=${f.busy || !editable} data-testid="wizard-submit">${t('wizard.submit')}</button></div>
    </section>`;
  }

  return html`<section>
    <h1>${companyId && company ? t('wizard.titleOf', { name: company.data?.legalName || '' }) : t('wizard.title')}</h1>
    <ol class="steps" aria-label=${t('wizard.steps')}>
      ${STEPS.map((k, i) => {
        const reachable = companyId ? true : i <= 2;
        return html`<li class=${i === step ? 'current' : ''} aria-current=${i === step ? 'step' : undefined}>
          ${reachable ? html`<button type="button" class="linklike" onClick=${() => go(i)} data-testid=${`wizard-step-${i}`}>${i + 1}. ${t(k)}</button>` : html`<span>${i + 1}. ${t(k)}</span>`}</li>`;
      })}
    </ol>
    ${!editable ? html`<${Notice} kind="info">${t('wizard.notEditable')}<//>` : null}
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="wizard-errors"
      labels=${fieldLabels(f.byField)} onPick=${(fld) => { const s = stepOf({ [fld]: 1 }); if (s !== null && s !== step) setStep(s); }} />
    ${saved ? html`<${Notice} kind="ok" testid="wizard-saved">${saved}<//>` : null}
    <form onSubmit=${(e) => e.preventDefault()} novalidate data-testid=${`wizard-step-body-${step}`}>${body}</form>
  </section>`;
}

function DocumentsStep({ company, reqs, reload }) {
  const { locale, year } = useContext(AppContext);
  const docs = company.documents || [];
  return html`<fieldset><legend>${t('wizard.stepDocuments')}</legend>
    <p class="hint">${t('upload.hint')}</p>
    <h3>${t('wizard.requiredDocs')}</h3>
    ${reqs.published ? null : html`<${Notice} kind="warn" testid="doc-requirements-default">${t('wizard.defaultRequirements', { year })}<//>`}
    <ul class="checklist" data-testid="doc-requirements">
      ${reqs.map((r) => {
        const d = docs.find((x) => x.type === r.type);
        return html`<li data-testid="doc-requirement" data-type=${r.type} data-present=${d ? 'true' : 'false'}>
          <span class=${d ? 'ok-text' : 'warn-text'}>${d ? '✓' : '•'}</span> ${tEnum('DocumentType', r.type)}
          ${r.required ? '' : html` <span class="muted">(${t('wizard.optional')})</span>`}
          ${d ? html` <span class="muted">— ${d.fileName} (v${d.version || 1})</span>` : null}</li>`;
      })}
    </ul>
    <h3>${t('wizard.uploadDoc')}</h3>
    <${DocumentUpload} company=${company} onUploaded=${reload} testid="wizard-upload" />
    <h3>${t('wizard.uploadedDocs')}</h3>
    <${DataTable} rows=${docs} rowTestid="document-row" testid="documents-table" columns=${[
      { label: t('doc.type'), render: (d) => tEnum('DocumentType', d.type) },
      { label: t('doc.number'), render: (d) => d.number },
      { label: t('doc.expiresOn'), render: (d) => formatDate(d.expiresOn, locale) || '—' },
      { label: t('doc.version'), render: (d) => d.version || 1 },
      { label: t('doc.uploadedAt'), render: (d) => formatDateTime(d.uploadedAt, locale) },
      { label: t('doc.file'), render: (d) => html`<a href=${documentFileUrl(d.id)} target="_blank" rel="noopener" data-testid="document-view">${d.fileName || t('doc.view')}</a>` },
    ]} />
  </fieldset>`;
}
