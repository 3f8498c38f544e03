// Notices of what the user must act on (a rejected document, a decision
// waiting for a second person, ...), each with a link to the screen where it
// is done; the unread count beside the menu link, for every role.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { Loading, Pager, usePageTokens } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime } from '../format.js';

export function NoticeBadge({ refresh }) {
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    call('distribution', 'ListNotices', { pageSize: 1, unreadOnly: true })
      .then((r) => { if (live) setN(r.unread || 0); }, () => {});
    return () => { live = false; };
  }, [refresh]);
  if (!n) return null;
  return html` <span class="badge badge-info" data-testid="notice-unread-badge" aria-label=${t('notices.badge', { n })}>${n}</span>`;
}

const paramsOf = (n) => Object.fromEntries((n.params || []).map((p) => [p.key, p.value]));

// The sentence a notice says, in the chosen language.
export function noticeText(n) {
  const p = paramsOf(n);
  return t(`notice.${n.kind}`, {
    company: n.companyName || t('notices.someCompany'),
    document: p.documentType ? tEnum('DocumentType', p.documentType) : '',
    outcome: p.outcome ? tEnum('Outcome', p.outcome) : '',
    number: p.number || '—',
  });
}

export function Notices() {
  const { locale } = useContext(AppContext);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const pages = usePageTokens();
  const d = useLoad(() => call('distribution', 'ListNotices', {
    pageSize: 20, unreadOnly, ...(pages.page ? { pageToken: pages.page } : {}),
  }), [unreadOnly, pages.page]);
  const f = useAction();
  const mark = async (body) => {
    const out = await f.run((act) => act.run('distribution', 'MarkNoticesRead', body));
    if (out) d.reload();
  };
  return html`<section data-testid="notices-page">
    <div class="page-head"><h1>${t('notices.title')}</h1>
      ${d.data ? html`<span class="badge badge-info" data-testid="notices-unread">${t('notices.unread', { n: d.data.unread || 0 })}</span>` : null}</div>
    <${ErrorSummary} error=${f.error} testid="notices-error" />
    <div class="actions">
      <${Field} label=${t('notices.unreadOnly')} name="unreadOnly" type="checkbox" value=${unreadOnly}
        onInput=${(x) => { setUnreadOnly(x); pages.reset(); }} errors=${{}} testid="notices-unread-only" />
      <button type="button" class="btn small" onClick=${d.reload} disabled=${d.loading} data-testid="notices-refresh">${t('common.refresh')}</button>
      ${d.data && d.data.unread ? html`<button type="button" class="btn small" disabled=${f.busy}
        onClick=${() => mark({ all: true })} data-testid="notices-mark-all">${t('notices.markAll')}</button>` : null}
    </div>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />`
      : (d.data.notices || []).length === 0 ? html`<p class="empty" data-testid="notices-empty">${t('notices.empty')}</p>`
      : html`<ul class="inbox" data-testid="notices-list">${d.data.notices.map((n) => {
        const p = paramsOf(n);
        return html`<li class=${`sub-card${n.readAt ? '' : ' unread'}`} data-testid="notice-item" data-id=${n.id}
          data-kind=${n.kind} data-read=${n.readAt ? 'true' : 'false'}>
          <p class="inbox-title"><strong>${noticeText(n)}</strong>
            ${n.readAt ? null : html` <span class="badge badge-info" data-testid="notice-new">${t('notices.new')}</span>`}
            ${n.resolvedAt ? html` <span class="badge badge-ok" data-testid="notice-resolved">${t('notices.resolved')}</span>` : null}</p>
          ${p.reason ? html`<p>${t('notices.reason', { reason: p.reason })}</p>` : null}
          <p class="muted">${formatDateTime(n.createdAt, locale)}${n.emailed ? ` · ${t('notices.emailed')}` : ''}</p>
          <p class="actions">
            ${n.link ? html`<a class="btn small" href=${'#' + n.link} data-testid="notice-open"
              onClick=${() => { if (!n.readAt) call('distribution', 'MarkNoticesRead', { noticeIds: [n.id] }).catch(() => {}); }}>${t('notices.open')}</a>` : null}
            ${n.readAt ? null : html`<button type="button" class="btn small" disabled=${f.busy}
              onClick=${() => mark({ noticeIds: [n.id] })} data-testid="notice-mark-read">${t('notices.markRead')}</button>`}
          </p>
        </li>`;
      })}</ul>
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}
