// A company as staff judge it, read-only: legal, tax, bank, contacts,
// outlets, people with NIK and UKW, documents with their validity and the
// verifier's decision. Each automatic finding of the case sits next to the
// field it concerns (findingsByField), the rest at the top.
import { html, AppContext } from '../html.js';
import { useContext } from 'preact/hooks';
import { documentFileUrl } from '../api.js';
import { StatusBadge } from './Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { findingWords } from '../codes.js';
import { formatDate, formatDateTime, formatNumber, todayWIB } from '../format.js';

// A finding's code -> the panel field it concerns; document findings go to
// the document of their type, the rest to the top of the panel.
const FIELD_OF = {
  npwp_format: 'npwp', npwp_duplicate: 'npwp', nib_format: 'nib', kbli_mismatch: 'kbli',
  bank_account_changed: 'bank', nik_format: 'people', nik_duplicate: 'people',
};

// findings -> { field: [finding] } with documents under "doc:<type>" and
// anything else under "general".
export function findingsByField(findings = []) {
  const out = {};
  for (const f of findings) {
    const k = FIELD_OF[f.code] || (f.documentType && f.documentType !== 'DOCUMENT_TYPE_UNSPECIFIED' ? `doc:${f.documentType}` : 'general');
    (out[k] = out[k] || []).push(f);
  }
  return out;
}

function Findings({ list, testid = 'panel-finding' }) {
  if (!list || !list.length) return null;
  return html`<ul class="inline-findings">${list.map((f) => html`<li data-testid=${testid} data-code=${f.code}>
    <span class=${`badge ${f.blocking ? 'badge-bad' : 'badge-warn'}`}>${f.blocking ? t('case.blocking') : t('case.note')}</span>
    ${f.staffOnly ? html` <span class="badge badge-neutral">${t('case.staffOnly')}</span>` : null}
    ${' '}${findingWords(f)}</li>`)}</ul>`;
}

// One fact: label, value (— when empty) and the findings about it.
function Fact({ k, label, value, found }) {
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length);
  return html`<dt>${label}</dt><dd data-testid=${`panel-${k}`}>${empty ? html`<span class="muted">—</span>` : value}
    <${Findings} list=${found[k]} /></dd>`;
}

const expired = (d) => !!d && d < todayWIB();

export function CompanyPanel({ company, vcase, name = (id) => id, testid = 'company-panel' }) {
  const { locale } = useContext(AppContext);
  const d = company.data || {};
  const bank = d.bankAccount || {};
  const found = findingsByField(vcase?.findings);
  const decisions = new Map((vcase?.documents || []).map((x) => [x.documentId, x]));
  const people = new Map((company.people || []).map((p) => [p.id, p.data?.name || '']));
  const outletNames = new Map((company.outlets || []).map((o) => [o.id, o.data?.name || '']));
  const photos = new Set((vcase?.visitPhotos || []).map((p) => p.documentId));
  const docs = (company.documents || []).filter((x) => !photos.has(x.id));
  const fact = (k, label, value) => html`<${Fact} k=${k} label=${label} value=${value} found=${found} />`;
  return html`<div class="panel" data-testid=${testid}>
    <${Findings} list=${found.general} />
    <section aria-labelledby="p-legal"><h3 id="p-legal">${t('panel.legal')}</h3>
      <dl class="facts compact">
        ${fact('legalName', t('company.legalName'), d.legalName)}
        ${fact('legalForm', t('company.legalForm'), d.legalForm ? tEnum('LegalForm', d.legalForm) : '')}
        ${fact('deedNumber', t('company.deedNumber'), d.deedNumber)}
        ${fact('deedDate', t('company.deedDate'), formatDate(d.deedDate, locale))}
        ${fact('skKemenkumham', t('company.skKemenkumham'), d.skKemenkumham)}
        ${fact('establishedOn', t('company.establishedOn'), formatDate(d.establishedOn, locale))}
        ${fact('nib', t('company.nib'), d.nib)}
        ${fact('kbli', t('company.kbli'), (d.kbli || []).join(', '))}
        ${fact('address', t('company.address'), d.address)}
        ${fact('domicileLetterNumber', t('company.domicileLetterNumber'), d.domicileLetterNumber)}
      </dl></section>
    <section aria-labelledby="p-tax"><h3 id="p-tax">${t('panel.tax')}</h3>
      <dl class="facts compact">
        ${fact('npwp', t('company.npwp'), d.npwp)}
        ${fact('pkp', t('company.pkp'), d.pkp ? t('common.yes') : t('common.no'))}
      </dl></section>
    <section aria-labelledby="p-bank"><h3 id="p-bank">${t('company.bank')}</h3>
      <dl class="facts compact">
        ${fact('bankName', t('company.bankName'), bank.bankName)}
        ${fact('accountNumber', t('company.accountNumber'), bank.accountNumber)}
        ${fact('holderName', t('company.holderName'), bank.holderName)}
      </dl><${Findings} list=${found.bank} /></section>
    <section aria-labelledby="p-contact"><h3 id="p-contact">${t('company.contact')}</h3>
      ${(d.contacts || []).length ? html`<ul class="plain" data-testid="panel-contacts">${d.contacts.map((c) => html`<li data-testid="panel-contact">
        ${c.name || '—'}${c.phone ? html` · <a href=${`tel:${c.phone}`}>${c.phone}</a>` : null}${c.email ? html` · <a href=${`mailto:${c.email}`}>${c.email}</a>` : null}</li>`)}</ul>`
        : html`<p class="muted" data-testid="panel-contacts-none">—</p>`}</section>
    <section aria-labelledby="p-dp"><h3 id="p-dp">${t('company.dewanPers')}</h3>
      <dl class="facts compact">
        ${fact('dewanPersStatus', t('company.dewanPersStatus'), tEnum('DewanPersStatus', d.dewanPersStatus || 'DEWAN_PERS_NONE'))}
        ${fact('dewanPersCertificate', t('company.dewanPersCertificate'), d.dewanPersCertificate)}
      </dl></section>
    <section aria-labelledby="p-outlets"><h3 id="p-outlets">${t('status.outlets')}</h3>
      <div class="table-wrap"><table class="compact" data-testid="panel-outlets">
        <caption class="sr-only">${t('status.outlets')}</caption>
        <thead><tr><th scope="col">${t('outlet.name')}</th><th scope="col">${t('outlet.type')}</th><th scope="col">${t('outlet.scale')}</th>
          <th scope="col">${t('panel.reach')}</th><th scope="col">${t('common.status')}</th></tr></thead>
        <tbody>${(company.outlets || []).map((o) => {
          const x = o.data || {};
          const reach = x.url || x.frequency ? [x.url, x.frequency].filter(Boolean).join(' · ') : '';
          const n = x.monthlyVisitors || x.circulation || x.audience;
          return html`<tr data-testid="panel-outlet" data-id=${o.id}>
            <th scope="row">${x.name}</th>
            <td data-label=${t('outlet.type')}>${tEnum('OutletType', x.type)}</td>
            <td data-label=${t('outlet.scale')}>${tEnum('OutletScale', x.scale)}</td>
            <td data-label=${t('panel.reach')}>${reach}${reach && n ? ' · ' : ''}${n ? formatNumber(n) : ''}</td>
            <td data-label=${t('common.status')}>${o.status && o.status !== 'COMPANY_STATUS_UNSPECIFIED'
              ? html`<${StatusBadge} type="CompanyStatus" value=${o.status} testid="panel-outlet-status" />` : html`<span class="muted">—</span>`}</td></tr>`;
        })}</tbody></table></div></section>
    <section aria-labelledby="p-people"><h3 id="p-people">${t('wizard.stepPeople')}</h3>
      <${Findings} list=${found.people} />
      <div class="table-wrap"><table class="compact" data-testid="panel-people">
        <caption class="sr-only">${t('wizard.stepPeople')}</caption>
        <thead><tr><th scope="col">${t('person.name')}</th><th scope="col">${t('person.role')}</th><th scope="col">${t('person.nik')}</th>
          <th scope="col">${t('person.ukwLevel')}</th><th scope="col">${t('panel.ukwCertificate')}</th><th scope="col">${t('person.pressCardNumber')}</th></tr></thead>
        <tbody>${(company.people || []).map((p) => {
          const x = p.data || {};
          return html`<tr data-testid="panel-person" data-id=${p.id}>
            <th scope="row">${x.name}</th>
            <td data-label=${t('person.role')}>${tEnum('PersonRole', x.role)}</td>
            <td data-label=${t('person.nik')} data-testid="panel-person-nik">${x.nik}</td>
            <td data-label=${t('person.ukwLevel')}>${tEnum('UkwLevel', x.ukwLevel || 'UKW_LEVEL_NONE')}</td>
            <td data-label=${t('panel.ukwCertificate')}>${x.ukwCertificateNumber || '—'}${x.ukwCertificateExpiry
              ? html` <span class=${expired(x.ukwCertificateExpiry) ? 'bad-text' : 'muted'}>(${t('panel.until', { date: formatDate(x.ukwCertificateExpiry, locale) })})</span>` : null}</td>
            <td data-label=${t('person.pressCardNumber')}>${x.pressCardNumber || '—'}</td></tr>`;
        })}</tbody></table></div></section>
    <section aria-labelledby="p-docs"><h3 id="p-docs">${t('status.documents')}</h3>
      <${Findings} list=${found['doc:DOCUMENT_TYPE_UNSPECIFIED']} />
      ${docs.length ? html`<div class="table-wrap"><table class="compact" data-testid="panel-documents">
        <caption class="sr-only">${t('status.documents')}</caption>
        <thead><tr><th scope="col">${t('doc.type')}</th><th scope="col">${t('doc.number')}</th><th scope="col">${t('panel.validity')}</th>
          <th scope="col">${t('doc.decision')}</th><th scope="col">${t('doc.file')}</th></tr></thead>
        <tbody>${docs.map((x) => {
          const dec = decisions.get(x.id);
          const owner = x.personId ? people.get(x.personId) : x.outletId ? outletNames.get(x.outletId) : '';
          return html`<tr data-testid="panel-document" data-type=${x.type}>
            <th scope="row">${tEnum('DocumentType', x.type)}${owner ? html`<br /><span class="muted">${owner}</span>` : null}
              <${Findings} list=${found[`doc:${x.type}`]} /></th>
            <td data-label=${t('doc.number')}>${x.number || '—'} <span class="muted">v${x.version || 1}</span></td>
            <td data-label=${t('panel.validity')} data-testid="panel-document-validity">${x.issuedOn ? html`${t('panel.issued', { date: formatDate(x.issuedOn, locale) })}<br />` : ''}
              ${x.expiresOn ? html`<span class=${expired(x.expiresOn) ? 'bad-text' : ''}>${t('panel.until', { date: formatDate(x.expiresOn, locale) })}</span>` : html`<span class="muted">${t('panel.noExpiry')}</span>`}</td>
            <td data-label=${t('doc.decision')}><${StatusBadge} type="Decision" value=${dec?.decision || 'DECISION_PENDING'} testid="panel-document-decision" />
              ${dec?.reason ? html`<br /><span class="muted">${dec.reason}</span>` : null}
              ${dec?.decidedBy ? html`<br /><span class="muted">${t('panel.by', { who: name(dec.decidedBy), at: formatDateTime(dec.decidedAt, locale) })}</span>` : null}</td>
            <td data-label=${t('doc.file')}><a href=${documentFileUrl(x.id)} target="_blank" rel="noopener">${x.fileName || t('doc.view')}</a>
              <br /><span class="muted">${t('panel.uploadedBy', { who: name(x.uploadedBy), at: formatDateTime(x.uploadedAt, locale) })}</span></td></tr>`;
        })}</tbody></table></div>` : html`<p class="empty">${t('status.noDocs')}</p>`}
      ${Object.keys(found).filter((k) => k.startsWith('doc:') && !docs.some((x) => `doc:${x.type}` === k) && k !== 'doc:DOCUMENT_TYPE_UNSPECIFIED')
        .map((k) => html`<${Findings} key=${k} list=${found[k]} />`)}
    </section>
  </div>`;
}
