// Upload one document of a company: metadata, the file (PDF/JPEG/PNG up to
// 10 MB, checked here before upload), a progress bar, field-level errors.
import { html } from '../html.js';
import { useState } from 'preact/hooks';
import { useStored } from './stored.js';
import { Field } from './Field.js';
import { ErrorSummary } from './ErrorSummary.js';
import { useAction } from './hooks.js';
import { uploadDocument, fileToBase64 } from '../api.js';
import { checkFile } from '../files.js';
import { fieldId } from '../errors.js';
import { t, tEnum } from '../i18n/index.js';
import { formatBytes } from '../format.js';
import { DOCUMENT_TYPES, PERSON_DOCS } from '../enums.js';

const KNOWN = ['document.type', 'document.number', 'document.issuedOn', 'document.expiresOn',
  'document.personId', 'document.outletId', 'document.content', 'document.fileName'];

// `draftKey` keeps what is typed (not the file) through a refresh; `initial`
// preselects type, person and outlet (a document to upload again).
export function DocumentUpload({ company, presetType, presetPersonId = '', presetOutletId = '', onUploaded, testid = 'upload', compact = false, draftKey, initial }) {
  const start = {
    type: presetType || initial?.type || 'DOCUMENT_TYPE_AKTA', number: '', issuedOn: '', expiresOn: '',
    personId: presetPersonId || initial?.personId || '', outletId: presetOutletId || initial?.outletId || '',
  };
  const [doc, setDoc, forgetDoc] = useStored(draftKey, start);
  const [file, setFile] = useState(null);
  const [fileErr, setFileErr] = useState('');
  const [progress, setProgress] = useState(null);
  const [done, setDone] = useState('');
  const f = useAction();
  const set = (k) => (v) => setDoc({ ...doc, [k]: v });
  const people = company.people || [];
  const outlets = company.outlets || [];
  const needsPerson = PERSON_DOCS.includes(doc.type);

  const pick = async (e) => {
    const fl = e.currentTarget.files && e.currentTarget.files[0];
    setDone('');
    setFile(null);
    if (!fl) { setFileErr(''); return; }
    const head = new Uint8Array(await fl.slice(0, 8).arrayBuffer());
    const problem = checkFile({ size: fl.size, head });
    setFileErr(problem ? t(problem, { size: formatBytes(fl.size) }) : '');
    if (!problem) setFile(fl);
  };

  const submit = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    setDone('');
    if (!file) { setFileErr(fileErr || t('upload.choose')); return; }
    setProgress(0);
    const body = { type: doc.type, number: doc.number.trim(), issuedOn: doc.issuedOn, expiresOn: doc.expiresOn,
      fileName: file.name };
    if (needsPerson && doc.personId) body.personId = doc.personId;
    if (doc.outletId) body.outletId = doc.outletId;
    const out = await f.run(async (act) => {
      const content = await fileToBase64(file);
      return act.runWith((key) => uploadDocument(company.id, body, content, { key, onProgress: setProgress }));
    }, KNOWN);
    if (out) {
      forgetDoc();
      setDoc({ ...start, type: doc.type });
      setDone(t('upload.done', { name: file.name }));
      setFile(null);
      const input = form.querySelector('input[type=file]'); if (input) input.value = '';
      if (onUploaded) onUploaded(out);
    } else {
      setProgress(null);
    }
  };

  const px = `${testid}-`;
  const errors = { ...f.byField, ...(fileErr ? { 'document.content': fileErr } : {}) };
  const pct = progress === null ? null : Math.round(progress * 100);
  return html`<form class=${`upload${compact ? ' compact' : ''}`} onSubmit=${submit} data-testid=${testid} novalidate>
    <${ErrorSummary} prefix=${px} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid=${`${testid}-errors`} />
    <div class="grid">
      ${presetType ? null : html`<${Field} label=${t('doc.type')} name="document.type" value=${doc.type} onInput=${set('type')} required
        errors=${errors} prefix=${px} options=${DOCUMENT_TYPES.map((v) => ({ value: v, label: tEnum('DocumentType', v) }))} testid="upload-type" />`}
      <${Field} label=${t('doc.number')} name="document.number" value=${doc.number} onInput=${set('number')} errors=${errors} prefix=${px} testid="upload-number" />
      <${Field} label=${t('doc.issuedOn')} name="document.issuedOn" type="date" value=${doc.issuedOn} onInput=${set('issuedOn')} errors=${errors} prefix=${px} testid="upload-issued" />
      <${Field} label=${t('doc.expiresOn')} name="document.expiresOn" type="date" value=${doc.expiresOn} onInput=${set('expiresOn')} errors=${errors} prefix=${px}
        hint=${t('doc.expiresHint')} testid="upload-expires" />
      ${needsPerson && !presetPersonId ? html`<${Field} label=${t('doc.person')} name="document.personId" value=${doc.personId} onInput=${set('personId')} errors=${errors} prefix=${px} required
        options=${[{ value: '', label: t('common.choose') }, ...people.map((p) => ({ value: p.id, label: p.data?.name || p.id }))]} testid="upload-person" />` : null}
      ${outlets.length > 1 && !presetOutletId ? html`<${Field} label=${t('doc.outlet')} name="document.outletId" value=${doc.outletId} onInput=${set('outletId')} errors=${errors} prefix=${px}
        options=${[{ value: '', label: t('doc.wholeCompany') }, ...outlets.map((o) => ({ value: o.id, label: o.data?.name || o.id }))]} testid="upload-outlet" />` : null}
      <div class=${`field${errors['document.content'] ? ' has-error' : ''}`}>
        <label for=${fieldId('document.content', px)}>${t('doc.file')}<span class="req" aria-hidden="true"> *</span></label>
        <input type="file" id=${fieldId('document.content', px)} accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
          aria-describedby=${`${fieldId('document.content', px)}-hint ${fieldId('document.content', px)}-err`}
          aria-invalid=${errors['document.content'] ? 'true' : undefined} onChange=${pick} data-testid="upload-file" />
        <p class="hint" id=${`${fieldId('document.content', px)}-hint`}>${t('upload.hint')}</p>
        <p class="field-error" id=${`${fieldId('document.content', px)}-err`} role="status" aria-live="polite" data-testid="error-document.content">${errors['document.content'] || ''}</p>
      </div>
    </div>
    ${pct !== null ? html`<div class="progress-row">
      <progress max="100" value=${pct} aria-label=${t('upload.progress')} data-testid="upload-progress"></progress>
      <span aria-live="polite">${pct}%</span></div>` : null}
    <div class="actions">
      <button type="submit" class="btn primary" disabled=${f.busy} data-testid="upload-submit">${f.busy ? t('upload.uploading') : t('upload.submit')}</button>
      ${done ? html`<span class="ok-text" role="status" data-testid="upload-done">${done}</span>` : null}
    </div>
  </form>`;
}
