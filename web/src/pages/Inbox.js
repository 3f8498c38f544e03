// The partner's inbox of press releases: what the office sent to its company,
// newest first, unread ones marked, the embargo stated plainly (a release
// shows here only once its embargo has passed: the service holds it until
// then); reading one records it, and the partner reports where it published.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { Loading, Pager, usePageTokens } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, todayWIB, wibToRFC3339 } from '../format.js';
import { downloadFile, wordsByField, wordsUnmatched } from '../press.js';
import { ReleaseText, VersionNotes } from './ReleaseEditor.js';

// The unread count beside the menu link (partners only).
export function UnreadBadge({ refresh }) {
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    call('distribution', 'ListInbox', { pageSize: 1 }).then((r) => { if (live) setN(r.unread || 0); }, () => {});
    return () => { live = false; };
  }, [refresh]);
  if (!n) return null;
  return html` <span class="badge badge-info" data-testid="inbox-unread-badge" aria-label=${t('inbox.badge', { n })}>${n}</span>`;
}

function EmbargoLine({ item }) {
  const { locale } = useContext(AppContext);
  return html`<span data-testid="inbox-embargo">${item.embargoUntil
    ? t('inbox.embargoPassed', { time: formatDateTime(item.embargoUntil, locale) }) : t('inbox.noEmbargo')}</span>`;
}

export function Inbox() {
  const { locale } = useContext(AppContext);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const pages = usePageTokens();
  const d = useLoad(() => call('distribution', 'ListInbox', {
    pageSize: 20, unreadOnly, ...(pages.page ? { pageToken: pages.page } : {}),
  }), [unreadOnly, pages.page]);
  return html`<section data-testid="inbox-page">
    <div class="page-head"><h1>${t('inbox.title')}</h1>
      ${d.data ? html`<span class="badge badge-info" data-testid="inbox-unread">${t('inbox.unread', { n: d.data.unread || 0 })}</span>` : null}</div>
    <${Field} label=${t('inbox.unreadOnly')} name="unreadOnly" type="checkbox" value=${unreadOnly}
      onInput=${(x) => { setUnreadOnly(x); pages.reset(); }} errors=${{}} testid="inbox-unread-only" />
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />`
      : (d.data.items || []).length === 0 ? html`<p class="empty" data-testid="inbox-empty">${t('inbox.empty')}</p>`
      : html`<ul class="inbox" data-testid="inbox-list">${d.data.items.map((it) => html`<li class=${`sub-card${it.read ? '' : ' unread'}`}
          data-testid="inbox-item" data-id=${it.releaseId} data-read=${it.read ? 'true' : 'false'}>
          <h2 class="inbox-title"><a href=${`#/inbox/${it.releaseId}`} data-testid="inbox-link">${it.title}</a>
            ${it.read ? null : html` <span class="badge badge-info" data-testid="inbox-new">${t('inbox.new')}</span>`}
            ${it.corrected ? html` <span class="badge badge-warn" data-testid="inbox-corrected">${t('inbox.corrected')}</span>` : null}</h2>
          <p class="muted">${tEnum('Category', it.category)} · ${t('inbox.received', { time: formatDateTime(it.sentAt, locale) })}
            ${it.myPickups ? html` · ${t('inbox.picked', { n: it.myPickups })}` : null}</p>
          <p><${EmbargoLine} item=${it} /></p>
          ${it.lead ? html`<p>${it.lead}</p>` : null}
        </li>`)}</ul>
        <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}

function ReportPickup({ data, onDone }) {
  const outlets = data.outlets || [];
  const [outletId, setOutletId] = useState(outlets[0]?.outletId || '');
  const [url, setUrl] = useState('');
  const [date, setDate] = useState(todayWIB());
  const [time, setTime] = useState('');
  const [done, setDone] = useState(false);
  const f = useAction();
  const submit = async (e) => {
    e.preventDefault();
    setDone(false);
    const out = await f.run((act) => act.run('distribution', 'ReportPickup', {
      releaseId: data.item.releaseId, outletId, url: url.trim(),
      publishedAt: date ? wibToRFC3339(date, time || '00:00') || '' : '',
    }), ['outletId', 'url', 'publishedAt']);
    if (out) { setDone(true); setUrl(''); onDone(); }
  };
  const errors = wordsByField(f.byField);
  const px = 'pickup-';
  return html`<form class="sub-card" onSubmit=${submit} novalidate data-testid="pickup-form">
    <h2>${t('inbox.pickupTitle')}</h2>
    <p class="hint">${t('inbox.pickupHint')}</p>
    <${ErrorSummary} prefix=${px} error=${f.error} byField=${errors} unmatched=${wordsUnmatched(f.unmatched)}
      labels=${{ url: t('inbox.url'), outletId: t('inbox.outlet'), publishedAt: t('inbox.publishedDate') }} testid="pickup-errors" />
    ${done ? html`<${Notice} kind="ok" testid="pickup-done">${t('inbox.reported')}</${Notice}>` : null}
    <div class="grid">
      ${outlets.length ? html`<${Field} prefix=${px} label=${t('inbox.outlet')} name="outletId" value=${outletId} onInput=${setOutletId} errors=${errors}
        options=${outlets.map((o) => ({ value: o.outletId, label: o.name }))} testid="pickup-outlet" />` : null}
      <${Field} prefix=${px} label=${t('inbox.url')} name="url" type="url" value=${url} onInput=${setUrl} errors=${errors} required testid="pickup-url" />
      <${Field} prefix=${px} label=${t('inbox.publishedDate')} name="publishedAt" type="date" value=${date} onInput=${setDate} errors=${errors} testid="pickup-date" />
      <${Field} prefix=${px} label=${t('inbox.publishedTime')} name="publishedTime" type="time" value=${time} onInput=${setTime} errors=${{}} testid="pickup-time" />
    </div>
    <button type="submit" class="btn primary" disabled=${f.busy} data-testid="pickup-submit">${t('inbox.report')}</button>
  </form>`;
}

export function InboxRelease({ releaseId }) {
  const { locale } = useContext(AppContext);
  const d = useLoad(async () => {
    const r = await call('distribution', 'GetInboxRelease', { releaseId });
    // Opening it is reading it: the read receipt (once per version).
    if (!r.item?.read) r.item = await call('distribution', 'MarkRead', { releaseId });
    return r;
  }, [releaseId]);
  if (d.loading && !d.data) return html`<section><h1>${t('inbox.title')}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('inbox.title')}</h1><${ErrorSummary} error=${d.error} />
    <p><a href="#/inbox">${t('inbox.back')}</a></p></section>`;
  const { item, release: r } = d.data;
  const c = r.content || {};
  return html`<section data-testid="inbox-release">
    <div class="page-head"><h1>${c.title}</h1><a href="#/inbox">${t('inbox.back')}</a></div>
    <div class=${`notice${item.embargoUntil ? ' notice-warn' : ''}`}><strong><${EmbargoLine} item=${item} /></strong></div>
    <dl class="facts">
      <dt>${t('rel.category')}</dt><dd>${tEnum('Category', c.category)}</dd>
      <dt>${t('inbox.received', { time: '' }).trim()}</dt><dd>${formatDateTime(item.sentAt, locale)}</dd>
      ${item.corrected ? html`<dt>${t('inbox.corrections')}</dt><dd><span class="badge badge-warn">${t('rel.version', { v: item.version })}</span>
        ${' '}${(r.versions || []).slice(-1)[0]?.note || ''}</dd>` : null}
      <dt>${t('inbox.contact')}</dt><dd>${[c.contact?.name, c.contact?.role, c.contact?.phone, c.contact?.email].filter(Boolean).join(', ')}</dd>
      ${c.agenda && (c.agenda.title || c.agenda.startsAt || c.agenda.place) ? html`<dt>${t('inbox.agenda')}</dt>
        <dd>${[c.agenda.title, formatDateTime(c.agenda.startsAt, locale), c.agenda.place].filter(Boolean).join(', ')}</dd>` : null}
    </dl>
    <${ReleaseText} r=${r} />
    ${(r.files || []).length ? html`<section aria-labelledby="h-inbox-files"><h2 id="h-inbox-files">${t('inbox.files')}</h2>
      <ul class="doc-list">${r.files.map((f) => html`<li class="doc-item" data-testid="inbox-file">
        <span><strong>${tEnum('FileKind', f.kind)}</strong>: ${f.fileName}${f.caption ? ` — ${f.caption}` : ''}</span>
        <button type="button" class="btn small" onClick=${() => downloadFile(r.id, f.id)} aria-label=${t('inbox.downloadLabel', { name: f.fileName })}
          data-testid="inbox-file-download">${t('inbox.download')}</button></li>`)}</ul></section>` : null}
    <${VersionNotes} r=${r} testid="inbox-versions" />
    ${(d.data.pickups || []).length ? html`<section aria-labelledby="h-mine"><h2 id="h-mine">${t('inbox.myPickups')}</h2>
      <ul data-testid="inbox-pickups">${d.data.pickups.map((p) => html`<li><a href=${p.url} rel="noopener noreferrer" target="_blank">${p.url}</a>
        ${p.outletName ? html` <span class="muted">${p.outletName}</span>` : null}</li>`)}</ul></section>` : null}
    <${ReportPickup} data=${d.data} onDone=${d.reload} />
  </section>`;
}
