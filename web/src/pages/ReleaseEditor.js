// One press release for the PR staff: the editor while it is a draft (text
// with a preview the server renders, recipients with their counts, photos and
// attachments, embargo, and a confirmation before it goes out), then a
// read-only view (unschedule while it waits; a correction, never an edit,
// once sent). Head and admin see the same pages without the buttons.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call, fileToBase64 } from '../api.js';
import { navigate } from '../router.js';
import { useAction, useFocusOnShow, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { Loading } from '../components/Table.js';
import { TierBadge } from '../components/Badge.js';
import { fieldId } from '../errors.js';
import { t, tEnum } from '../i18n/index.js';
import { formatBytes, formatDateTime, wibToRFC3339 } from '../format.js';
import { OUTLET_TYPES } from '../enums.js';
import {
  MODE_ALL, MODE_CHOSEN, MODE_FILTER, PRESS_TIERS, categoryOptions, checkReleaseFile, downloadFile, releaseBody,
  splitWIB, wordsByField, wordsUnmatched,
} from '../press.js';
import { ReleaseStateBadge } from './Releases.js';

const EMPTY = {
  title: '', lead: '', bodyMarkdown: '', category: 'CATEGORY_GOVERNMENT',
  contact: { name: '', role: '', phone: '', email: '' },
  agenda: { title: '', date: '', time: '', place: '' },
};

const CONTENT_FIELDS = ['content.title', 'content.lead', 'content.bodyMarkdown', 'content.category', 'content.contact.name',
  'content.contact.role', 'content.contact.phone', 'content.contact.email', 'content.agenda.title',
  'content.agenda.startsAt', 'content.agenda.place'];
const RECIPIENT_FIELDS = ['recipients.mode', 'recipients.tiers', 'recipients.outletTypes', 'recipients.fiscalYear', 'recipients.companyIds', 'recipients'];

function labels() {
  return {
    'content.title': t('rel.titleField'), 'content.lead': t('rel.lead'), 'content.bodyMarkdown': t('rel.body'),
    'content.category': t('rel.category'), 'content.contact.name': t('rel.contactName'), 'content.contact.role': t('rel.contactRole'),
    'content.contact.phone': t('rel.contactPhone'), 'content.contact.email': t('rel.contactEmail'),
    'content.agenda.title': t('rel.agendaTitle'), 'content.agenda.startsAt': t('rel.agendaDate'), 'content.agenda.place': t('rel.agendaPlace'),
    'recipients.mode': t('rel.mode'), 'recipients.tiers': t('rel.tiers', { year: '' }), 'recipients.outletTypes': t('rel.types'),
    'recipients.companyIds': t('rel.modeChosen'), recipients: t('rel.recipients'), embargoUntil: t('rel.embargoDate'),
    note: t('rel.note'), content: t('rel.fileField'), fileName: t('rel.fileField'), caption: t('rel.caption'),
  };
}

export function contentFromRelease(r) {
  const c = r?.content || {};
  const when = splitWIB(c.agenda?.startsAt);
  return {
    title: c.title || '', lead: c.lead || '', bodyMarkdown: c.bodyMarkdown || '', category: c.category || 'CATEGORY_GOVERNMENT',
    contact: { name: c.contact?.name || '', role: c.contact?.role || '', phone: c.contact?.phone || '', email: c.contact?.email || '' },
    agenda: { title: c.agenda?.title || '', date: when.date, time: when.time, place: c.agenda?.place || '' },
  };
}

export function contentInput(v) {
  const startsAt = v.agenda.date ? wibToRFC3339(v.agenda.date, v.agenda.time || '00:00') || v.agenda.date : '';
  return {
    title: v.title.trim(), lead: v.lead.trim(), bodyMarkdown: v.bodyMarkdown, category: v.category,
    contact: { name: v.contact.name.trim(), role: v.contact.role.trim(), phone: v.contact.phone.trim(), email: v.contact.email.trim() },
    agenda: { title: v.agenda.title.trim(), startsAt, place: v.agenda.place.trim() },
  };
}

function selectionFromRelease(r, year) {
  const s = r?.recipients || {};
  return { mode: s.mode || MODE_ALL, tiers: s.tiers || [], outletTypes: s.outletTypes || [], fiscalYear: s.fiscalYear || year, companyIds: s.companyIds || [] };
}

function selectionInput(s, year) {
  if (s.mode === MODE_FILTER) return { mode: s.mode, tiers: s.tiers, outletTypes: s.outletTypes, fiscalYear: year };
  if (s.mode === MODE_CHOSEN) return { mode: s.mode, companyIds: s.companyIds };
  return { mode: MODE_ALL };
}

// ---- the text -------------------------------------------------------------------------------

export function ContentFields({ v, set, errors, prefix = '' }) {
  const preview = useAction();
  const [shown, setShown] = useState(null);
  const up = (k) => (x) => set({ ...v, [k]: x });
  const upContact = (k) => (x) => set({ ...v, contact: { ...v.contact, [k]: x } });
  const upAgenda = (k) => (x) => set({ ...v, agenda: { ...v.agenda, [k]: x } });
  const showPreview = async () => {
    const out = await preview.run(() => call('distribution', 'RenderPreview', { bodyMarkdown: v.bodyMarkdown }), ['bodyMarkdown']);
    if (out) setShown(out);
  };
  const bodyId = fieldId('content.bodyMarkdown', prefix);
  const bodyErr = errors['content.bodyMarkdown'];
  return html`<fieldset>
    <legend>${t('rel.content')}</legend>
    <${Field} prefix=${prefix} label=${t('rel.titleField')} name="content.title" value=${v.title} onInput=${up('title')} errors=${errors} required testid="release-title" />
    <${Field} prefix=${prefix} label=${t('rel.lead')} name="content.lead" value=${v.lead} onInput=${up('lead')} errors=${errors} multiline hint=${t('rel.leadHint')} testid="release-lead" />
    <div class=${`field${bodyErr ? ' has-error' : ''}`}>
      <label for=${bodyId}>${t('rel.body')}<span class="req" aria-hidden="true"> *</span></label>
      <textarea id=${bodyId} name="content.bodyMarkdown" rows="12" required value=${v.bodyMarkdown}
        aria-invalid=${bodyErr ? 'true' : undefined} aria-describedby=${`${bodyId}-hint ${bodyId}-err`}
        onInput=${(e) => up('bodyMarkdown')(e.currentTarget.value)} data-testid="release-body"></textarea>
      <p class="hint" id=${`${bodyId}-hint`}>${t('rel.bodyHint')}</p>
      <p class="field-error" id=${`${bodyId}-err`} role="status" aria-live="polite" data-testid="error-content.bodyMarkdown">${bodyErr || ''}</p>
    </div>
    <div class="actions"><button type="button" class="btn" onClick=${showPreview} disabled=${preview.busy} data-testid="release-preview">${t('rel.preview')}</button></div>
    <${ErrorSummary} error=${preview.error} unmatched=${wordsUnmatched(preview.unmatched)} testid="preview-errors" />
    <section class="sub-card" aria-labelledby=${`${prefix}h-preview`} data-testid="release-preview-box">
      <h3 id=${`${prefix}h-preview`}>${t('rel.previewTitle')}</h3>
      ${shown ? html`<div class="release-body" data-testid="release-preview-html" dangerouslySetInnerHTML=${releaseBody(shown)}></div>`
        : html`<p class="empty">${t('rel.previewEmpty')}</p>`}
    </section>
    <${Field} prefix=${prefix} label=${t('rel.category')} name="content.category" value=${v.category} onInput=${up('category')} errors=${errors}
      options=${categoryOptions()} required testid="release-category" />
    <h3>${t('rel.contact')}</h3>
    <p class="hint">${t('rel.contactHint')}</p>
    <div class="grid">
      <${Field} prefix=${prefix} label=${t('rel.contactName')} name="content.contact.name" value=${v.contact.name} onInput=${upContact('name')} errors=${errors} required testid="release-contact-name" />
      <${Field} prefix=${prefix} label=${t('rel.contactRole')} name="content.contact.role" value=${v.contact.role} onInput=${upContact('role')} errors=${errors} testid="release-contact-role" />
      <${Field} prefix=${prefix} label=${t('rel.contactPhone')} name="content.contact.phone" type="tel" value=${v.contact.phone} onInput=${upContact('phone')} errors=${errors} autocomplete="off" testid="release-contact-phone" />
      <${Field} prefix=${prefix} label=${t('rel.contactEmail')} name="content.contact.email" type="email" value=${v.contact.email} onInput=${upContact('email')} errors=${errors} autocomplete="off" testid="release-contact-email" />
    </div>
    <h3>${t('rel.agenda')}</h3>
    <div class="grid">
      <${Field} prefix=${prefix} label=${t('rel.agendaTitle')} name="content.agenda.title" value=${v.agenda.title} onInput=${upAgenda('title')} errors=${errors} testid="release-agenda-title" />
      <${Field} prefix=${prefix} label=${t('rel.agendaDate')} name="content.agenda.startsAt" type="date" value=${v.agenda.date} onInput=${upAgenda('date')} errors=${errors} testid="release-agenda-date" />
      <${Field} prefix=${prefix} label=${t('rel.agendaTime')} name="content.agenda.time" type="time" value=${v.agenda.time} onInput=${upAgenda('time')} errors=${{}} testid="release-agenda-time" />
      <${Field} prefix=${prefix} label=${t('rel.agendaPlace')} name="content.agenda.place" value=${v.agenda.place} onInput=${upAgenda('place')} errors=${errors} testid="release-agenda-place" />
    </div>
  </fieldset>`;
}

// ---- recipients -------------------------------------------------------------------------------

function toggle(list, x) {
  return list.includes(x) ? list.filter((y) => y !== x) : [...list, x];
}

function RecipientPicker({ sel, setSel, year, errors, counts }) {
  const partners = useLoad(() => (sel.mode === MODE_CHOSEN
    ? call('distribution', 'PreviewRecipients', { recipients: { mode: MODE_ALL } }) : Promise.resolve(null)), [sel.mode]);
  const radio = (mode, label) => html`<label class="check"><input type="radio" name="recipients.mode" value=${mode}
    checked=${sel.mode === mode} onChange=${() => setSel({ ...sel, mode })} data-testid=${`recipients-${mode.slice(15).toLowerCase()}`} /> ${label}</label>`;
  const c = counts.data;
  return html`<fieldset data-testid="recipient-picker">
    <legend>${t('rel.recipients')}</legend>
    <div role="radiogroup" aria-label=${t('rel.mode')} id=${fieldId('recipients.mode')}>
      ${radio(MODE_ALL, t('rel.modeAll'))}${radio(MODE_FILTER, t('rel.modeFilter'))}${radio(MODE_CHOSEN, t('rel.modeChosen'))}
    </div>
    ${errors['recipients.mode'] ? html`<p class="field-error" role="status">${errors['recipients.mode']}</p>` : null}
    ${sel.mode === MODE_FILTER ? html`<div class="grid">
      <fieldset><legend>${t('rel.tiers', { year })}</legend>
        ${PRESS_TIERS.map((tier) => html`<label class="check"><input type="checkbox" checked=${sel.tiers.includes(tier)}
          onChange=${() => setSel({ ...sel, tiers: toggle(sel.tiers, tier) })} data-testid=${`recipients-tier-${tier}`} /> <${TierBadge} tier=${tier} /></label>`)}
        <p class="hint">${t('rel.anyHint')}</p></fieldset>
      <fieldset><legend>${t('rel.types')}</legend>
        ${OUTLET_TYPES.map((type) => html`<label class="check"><input type="checkbox" checked=${sel.outletTypes.includes(type)}
          onChange=${() => setSel({ ...sel, outletTypes: toggle(sel.outletTypes, type) })} data-testid=${`recipients-type-${type}`} /> ${tEnum('OutletType', type)}</label>`)}
        <p class="hint">${t('rel.anyHint')}</p></fieldset>
    </div>` : null}
    ${sel.mode === MODE_CHOSEN ? html`<fieldset id=${fieldId('recipients.companyIds')}><legend>${t('rel.partners')}</legend>
      ${partners.loading ? html`<${Loading} testid="partners-loading" />` : (partners.data?.items || []).length === 0
        ? html`<p class="empty">${t('rel.noPartners')}</p>`
        : (partners.data.items || []).map((p) => html`<label class="check" data-testid="recipients-company"><input type="checkbox"
            checked=${sel.companyIds.includes(p.companyId)} onChange=${() => setSel({ ...sel, companyIds: toggle(sel.companyIds, p.companyId) })} />
            ${p.name} <span class="muted">(${(p.outlets || []).map((o) => o.name).join(', ')})</span></label>`)}
      ${errors['recipients.companyIds'] ? html`<p class="field-error" role="status">${errors['recipients.companyIds']}</p>` : null}
    </fieldset>` : null}
    <div class="notice" role="status" aria-live="polite" data-testid="recipient-counts">
      <strong>${t('rel.countsLabel')}:</strong> ${counts.loading ? t('common.loading') : c
        ? html`<span data-testid="recipient-count-text">${t('rel.counts', { companies: c.companies || 0, addresses: c.addresses || 0 })}</span>
          ${c.withoutAddress ? html`<br />${t('rel.noEmail', { n: c.withoutAddress })}` : null}
          ${(c.excludedCompanyIds || []).length ? html`<br />${t('rel.excluded', { n: c.excludedCompanyIds.length })}` : null}` : '—'}
      <br /><span class="hint">${t('rel.frozenHint')}</span>
    </div>
  </fieldset>`;
}

// ---- files ----------------------------------------------------------------------------------

function FileList({ release, canRemove, onRemoved }) {
  const remove = useAction();
  const files = release.files || [];
  const drop = async (f) => {
    const out = await remove.run((act) => act.run('distribution', 'RemoveFile', { releaseId: release.id, fileId: f.id }), []);
    if (out) onRemoved(out);
  };
  if (!files.length) return html`<p class="empty" data-testid="release-files-empty">${t('rel.noFiles')}</p>`;
  return html`<${ErrorSummary} error=${remove.error} testid="file-remove-errors" />
    <ul class="doc-list" data-testid="release-files">${files.map((f) => html`<li class="doc-item" data-testid="release-file" data-kind=${f.kind}>
      <span><strong>${tEnum('FileKind', f.kind)}</strong>: ${f.fileName} <span class="muted">(${formatBytes(Number(f.size || 0))}${f.width ? `, ${f.width}×${f.height}` : ''})</span>
        ${f.caption ? html` — ${f.caption}` : null}</span>
      <span class="actions">
        <button type="button" class="btn small" onClick=${() => downloadFile(release.id, f.id)} aria-label=${t('inbox.downloadLabel', { name: f.fileName })}>${t('inbox.download')}</button>
        ${canRemove ? html`<button type="button" class="btn small danger" disabled=${remove.busy} onClick=${() => drop(f)}
          aria-label=${t('rel.removeFileLabel', { name: f.fileName })} data-testid="release-file-remove">${t('rel.removeFile')}</button>` : null}
      </span></li>`)}</ul>`;
}

function FileUpload({ release, onAdded }) {
  const [kind, setKind] = useState('FILE_KIND_PHOTO');
  const [caption, setCaption] = useState('');
  const [file, setFile] = useState(null);
  const [fileErr, setFileErr] = useState('');
  const [done, setDone] = useState('');
  const f = useAction();
  const px = 'file-';
  const pick = async (e) => {
    const fl = e.currentTarget.files && e.currentTarget.files[0];
    setDone('');
    setFile(null);
    if (!fl) { setFileErr(''); return; }
    const head = new Uint8Array(await fl.slice(0, 8).arrayBuffer());
    const problem = checkReleaseFile(kind, fl.size, head);
    setFileErr(problem ? t(problem, { size: formatBytes(fl.size) }) : '');
    if (!problem) setFile(fl);
  };
  const submit = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    if (!file) { setFileErr(fileErr || t('v.required')); return; }
    const out = await f.run(async (act) => {
      const content = await fileToBase64(file);
      return act.run('distribution', 'AddFile', { releaseId: release.id, kind, fileName: file.name, caption: caption.trim(), content });
    }, ['content', 'fileName', 'caption', 'kind']);
    if (out) {
      setDone(t('rel.uploaded', { name: out.fileName }));
      setFile(null);
      setCaption('');
      const input = form.querySelector('input[type=file]'); if (input) input.value = '';
      onAdded();
    }
  };
  const errors = { ...wordsByField(f.byField), ...(fileErr ? { content: fileErr } : {}) };
  const id = fieldId('content', px);
  return html`<form onSubmit=${submit} novalidate data-testid="release-file-form">
    <${ErrorSummary} prefix=${px} error=${f.error} byField=${wordsByField(f.byField)} unmatched=${wordsUnmatched(f.unmatched)} labels=${labels()} testid="release-file-errors" />
    <div class="grid">
      <${Field} prefix=${px} label=${t('rel.fileKind')} name="kind" value=${kind} onInput=${setKind} errors=${errors} testid="release-file-kind"
        options=${['FILE_KIND_PHOTO', 'FILE_KIND_ATTACHMENT'].map((k) => ({ value: k, label: tEnum('FileKind', k) }))} />
      <${Field} prefix=${px} label=${t('rel.caption')} name="caption" value=${caption} onInput=${setCaption} errors=${errors} testid="release-file-caption" />
      <div class=${`field${errors.content ? ' has-error' : ''}`}>
        <label for=${id}>${t('rel.fileField')}<span class="req" aria-hidden="true"> *</span></label>
        <input type="file" id=${id} accept="image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf" onChange=${pick}
          aria-describedby=${`${id}-hint ${id}-err`} aria-invalid=${errors.content ? 'true' : undefined} data-testid="release-file-input" />
        <p class="hint" id=${`${id}-hint`}>${t('rel.fileHint')}</p>
        <p class="field-error" id=${`${id}-err`} role="status" aria-live="polite" data-testid="error-content">${errors.content || ''}</p>
      </div>
    </div>
    <div class="actions">
      <button type="submit" class="btn" disabled=${f.busy} data-testid="release-file-submit">${t('rel.addFile')}</button>
      ${done ? html`<span class="ok-text" role="status" data-testid="release-file-done">${done}</span>` : null}
    </div>
  </form>`;
}

// ---- the draft editor -------------------------------------------------------------------------

function DraftEditor({ release, onSaved }) {
  const { year, locale } = useContext(AppContext);
  const [v, setV] = useState(() => contentFromRelease(release));
  const [sel, setSel] = useState(() => selectionFromRelease(release, year));
  const [savedJson, setSavedJson] = useState(() => (release ? JSON.stringify([contentFromRelease(release), selectionFromRelease(release, year)]) : ''));
  const [embargoOn, setEmbargoOn] = useState(false);
  const [embargo, setEmbargo] = useState(() => {
    const w = splitWIB(new Date(Date.now() + 24 * 3600 * 1000).toISOString());
    return { date: w.date, time: '09:00' };
  });
  const [asking, setAsking] = useState(false);
  const [notice, setNotice] = useState('');
  const save = useAction();
  const send = useAction();
  const confirmRef = useFocusOnShow(asking ? 'confirm' : '');
  const selJson = JSON.stringify(selectionInput(sel, year));
  const counts = useLoad(() => call('distribution', 'PreviewRecipients', { recipients: selectionInput(sel, year) }), [selJson]);
  const dirty = JSON.stringify([v, sel]) !== savedJson;

  const doSave = async () => {
    const body = { content: contentInput(v), recipients: selectionInput(sel, year) };
    const out = await save.run((act) => (release
      ? act.run('distribution', 'UpdateRelease', { releaseId: release.id, expectedRevision: release.revision, ...body })
      : act.run('distribution', 'CreateRelease', body)), [...CONTENT_FIELDS, ...RECIPIENT_FIELDS]);
    if (out) {
      setSavedJson(JSON.stringify([contentFromRelease(out), selectionFromRelease(out, year)]));
      setNotice(t('rel.saved'));
      if (!release) navigate(`/releases/${out.id}`);
      else onSaved();
    }
    return out;
  };
  const submitSave = async (e) => { e.preventDefault(); await doSave(); };
  const embargoUntil = embargoOn ? wibToRFC3339(embargo.date, embargo.time) || '' : '';
  const doSend = async () => {
    let current = release;
    if (dirty || !current) current = await doSave();
    if (!current) { setAsking(false); return; }
    const out = await send.run((act) => act.run('distribution', 'Schedule', {
      releaseId: current.id, embargoUntil, expectedRevision: current.revision,
    }), [...CONTENT_FIELDS, ...RECIPIENT_FIELDS, 'embargoUntil']);
    setAsking(false);
    if (out) { if (!release) navigate(`/releases/${out.id}`); else onSaved(); }
  };

  const c = counts.data || {};
  const errors = wordsByField({ ...save.byField, ...send.byField });
  const failed = send.error || save.error;
  return html`<div data-testid="release-editor">
    <form onSubmit=${submitSave} novalidate>
      <${ErrorSummary} error=${failed} byField=${errors} unmatched=${wordsUnmatched([...save.unmatched, ...send.unmatched])} labels=${labels()} testid="release-errors" />
      ${notice && !dirty ? html`<${Notice} kind="ok" testid="release-saved">${notice}</${Notice}>` : null}
      <${ContentFields} v=${v} set=${setV} errors=${errors} />
      <${RecipientPicker} sel=${sel} setSel=${setSel} year=${year} errors=${errors} counts=${counts} />
      <div class="actions">
        <button type="submit" class="btn" disabled=${save.busy} data-testid="release-save">${t('rel.save')}</button>
        ${dirty && release ? html`<span class="warn-text" role="status">${t('rel.unsaved')}</span>` : null}
      </div>
    </form>
    <section aria-labelledby="h-files">
      <h2 id="h-files">${t('rel.files')}</h2>
      ${release ? html`<${FileList} release=${release} canRemove=${true} onRemoved=${onSaved} /><${FileUpload} release=${release} onAdded=${onSaved} />`
        : html`<p class="hint" data-testid="release-save-first">${t('rel.saveFirst')}</p>`}
    </section>
    <section aria-labelledby="h-send">
      <h2 id="h-send">${t('rel.schedule')}</h2>
      <${Field} label=${t('rel.embargo')} name="embargoOn" type="checkbox" value=${embargoOn} onInput=${setEmbargoOn} errors=${{}} hint=${t('rel.embargoHint')} testid="release-embargo-on" />
      ${embargoOn ? html`<div class="grid">
        <${Field} label=${t('rel.embargoDate')} name="embargoUntil" type="date" value=${embargo.date} onInput=${(x) => setEmbargo({ ...embargo, date: x })} errors=${errors} required testid="release-embargo-date" />
        <${Field} label=${t('rel.embargoTime')} name="embargoTime" type="time" value=${embargo.time} onInput=${(x) => setEmbargo({ ...embargo, time: x })} errors=${{}} required testid="release-embargo-time" />
      </div>` : null}
      ${asking ? html`<div class="sub-card" data-testid="release-confirm">
        <h3 tabindex="-1" ref=${confirmRef}>${t('rel.confirmTitle')}</h3>
        <p data-testid="release-confirm-text">${embargoOn
          ? t('rel.confirmEmbargo', { title: v.title, time: formatDateTime(embargoUntil, locale), companies: c.companies || 0, addresses: c.addresses || 0 })
          : t('rel.confirmNow', { title: v.title, companies: c.companies || 0, addresses: c.addresses || 0 })}</p>
        <p class="hint">${t('rel.frozenHint')}</p>
        <div class="actions">
          <button type="button" class="btn primary" onClick=${doSend} disabled=${send.busy || save.busy} data-testid="release-confirm-send">
            ${embargoOn ? t('rel.confirmSchedule') : t('rel.confirmSend')}</button>
          <button type="button" class="btn" onClick=${() => setAsking(false)}>${t('common.cancel')}</button>
        </div></div>`
      : html`<div class="actions"><button type="button" class="btn primary" onClick=${() => setAsking(true)}
          disabled=${!v.title.trim()} data-testid="release-send">${t('rel.send')}</button></div>`}
    </section>
  </div>`;
}

// ---- a scheduled or sent release ---------------------------------------------------------------

function ReleaseFacts({ r }) {
  const { locale } = useContext(AppContext);
  const c = r.content || {};
  return html`<dl class="facts" data-testid="release-facts">
    <dt>${t('rel.state')}</dt><dd><${ReleaseStateBadge} value=${r.state} />
      ${r.state === 'RELEASE_STATE_SCHEDULED' ? html` ${r.embargoUntil ? t('rel.scheduledFor', { time: formatDateTime(r.embargoUntil, locale) }) : t('rel.scheduledNow')}` : null}
      ${r.state === 'RELEASE_STATE_SENT' ? html` ${t('rel.sentAt', { time: formatDateTime(r.sentAt, locale) })}` : null}</dd>
    ${r.embargoUntil ? html`<dt>${t('rel.colEmbargo')}</dt><dd data-testid="release-embargo">${t('rel.embargoShown', { time: formatDateTime(r.embargoUntil, locale) })}</dd>` : null}
    <dt>${t('rel.category')}</dt><dd>${tEnum('Category', c.category)}</dd>
    <dt>${t('rel.contact')}</dt><dd>${[c.contact?.name, c.contact?.role, c.contact?.phone, c.contact?.email].filter(Boolean).join(', ')}</dd>
    ${c.agenda && (c.agenda.title || c.agenda.startsAt || c.agenda.place) ? html`<dt>${t('inbox.agenda')}</dt>
      <dd>${[c.agenda.title, formatDateTime(c.agenda.startsAt, locale), c.agenda.place].filter(Boolean).join(', ')}</dd>` : null}
  </dl>`;
}

export function ReleaseText({ r }) {
  return html`<article class="sub-card release-text" data-testid="release-text">
    <h2>${r.content?.title}</h2>
    ${r.content?.lead ? html`<p><strong>${r.content.lead}</strong></p>` : null}
    <div class="release-body" data-testid="release-body-html" dangerouslySetInnerHTML=${releaseBody(r)}></div>
  </article>`;
}

export function VersionNotes({ r, testid = 'release-versions' }) {
  const { locale } = useContext(AppContext);
  if ((r.versions || []).length < 2) return null;
  return html`<section aria-labelledby="h-versions"><h2 id="h-versions">${t('rel.versions')}</h2>
    <ol data-testid=${testid}>${r.versions.map((n) => html`<li>${t('rel.versionLine', { v: n.version, time: formatDateTime(n.createdAt, locale) })}:
      ${n.note || t('rel.original')}</li>`)}</ol></section>`;
}

function Correction({ release, onDone }) {
  const [v, setV] = useState(() => contentFromRelease(release));
  const [note, setNote] = useState('');
  const f = useAction();
  const head = useFocusOnShow('correct');
  const submit = async (e) => {
    e.preventDefault();
    const out = await f.run((act) => act.run('distribution', 'Correct', {
      releaseId: release.id, content: contentInput(v), note: note.trim(), expectedRevision: release.revision,
    }), [...CONTENT_FIELDS, 'note']);
    if (out) onDone();
  };
  const errors = wordsByField(f.byField);
  return html`<form class="sub-card" onSubmit=${submit} novalidate data-testid="release-correct-form">
    <h2 tabindex="-1" ref=${head}>${t('rel.correctTitle')}</h2>
    <p class="hint">${t('rel.correctHint')}</p>
    <${ErrorSummary} prefix="corr-" error=${f.error} byField=${errors} unmatched=${wordsUnmatched(f.unmatched)} labels=${labels()} testid="release-correct-errors" />
    <${Field} prefix="corr-" label=${t('rel.note')} name="note" value=${note} onInput=${setNote} errors=${errors} multiline required testid="release-correct-note" />
    <${ContentFields} prefix="corr-" v=${v} set=${setV} errors=${errors} />
    <div class="actions"><button type="submit" class="btn primary" disabled=${f.busy} data-testid="release-correct-submit">${t('rel.sendCorrection')}</button></div>
  </form>`;
}

function ReleaseView({ release, reload }) {
  const { user } = useContext(AppContext);
  const canWrite = user.roles.includes('pr');
  const [correcting, setCorrecting] = useState(false);
  const unschedule = useAction();
  const doUnschedule = async () => {
    const out = await unschedule.run((act) => act.run('distribution', 'Unschedule', { releaseId: release.id }), []);
    if (out) reload();
  };
  return html`<div data-testid="release-view">
    <${ReleaseFacts} r=${release} />
    <${ErrorSummary} error=${unschedule.error} testid="release-unschedule-errors" />
    <div class="actions">
      ${release.state === 'RELEASE_STATE_SENT' ? html`<a class="btn" href=${`#/releases/${release.id}/proof`} data-testid="release-proof-link">${t('rel.proof')}</a>` : null}
      ${canWrite && release.state === 'RELEASE_STATE_SCHEDULED' ? html`<button type="button" class="btn" onClick=${doUnschedule}
        disabled=${unschedule.busy} data-testid="release-unschedule">${t('rel.unschedule')}</button>` : null}
      ${canWrite && release.state === 'RELEASE_STATE_SENT' && !correcting ? html`<button type="button" class="btn"
        onClick=${() => setCorrecting(true)} data-testid="release-correct">${t('rel.correct')}</button>` : null}
    </div>
    ${correcting ? html`<${Correction} release=${release} onDone=${() => { setCorrecting(false); reload(); }} />` : null}
    <${ReleaseText} r=${release} />
    <section aria-labelledby="h-files-view"><h2 id="h-files-view">${t('rel.files')}</h2>
      <${FileList} release=${release} canRemove=${false} onRemoved=${reload} /></section>
    <${VersionNotes} r=${release} />
  </div>`;
}

export function ReleaseEditor({ releaseId }) {
  const { user } = useContext(AppContext);
  const d = useLoad(() => (releaseId ? call('distribution', 'GetRelease', { releaseId }) : Promise.resolve(null)), [releaseId]);
  const canWrite = user.roles.includes('pr');
  const heading = !releaseId ? t('rel.newTitle') : d.data?.state === 'RELEASE_STATE_DRAFT' ? t('rel.draftTitle') : (d.data?.content?.title || t('rel.title'));
  if (d.loading && !d.data) return html`<section><h1>${releaseId ? t('rel.title') : t('rel.newTitle')}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('rel.title')}</h1><${ErrorSummary} error=${d.error} /></section>`;
  const r = d.data;
  const editable = canWrite && (!r || r.state === 'RELEASE_STATE_DRAFT');
  return html`<section data-testid="release-page">
    <div class="page-head"><h1>${heading}</h1><a href="#/releases">${t('rel.back')}</a></div>
    ${editable ? html`<${DraftEditor} key=${r?.id || 'new'} release=${r} onSaved=${d.reload} />`
      : r ? html`<${ReleaseView} release=${r} reload=${d.reload} />` : null}
  </section>`;
}
