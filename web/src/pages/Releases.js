// The press releases (staff: pr writes, head and admin read): newest first,
// with their state, embargo, and how far delivery, reading and pick-up went.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { deliverySummary } from '../press.js';

const STATES = ['RELEASE_STATE_DRAFT', 'RELEASE_STATE_SCHEDULED', 'RELEASE_STATE_SENT'];
const TONE = { RELEASE_STATE_DRAFT: 'neutral', RELEASE_STATE_SCHEDULED: 'warn', RELEASE_STATE_SENT: 'ok' };

export function ReleaseStateBadge({ value }) {
  const v = value || 'RELEASE_STATE_DRAFT';
  return html`<span class=${`badge badge-${TONE[v] || 'neutral'}`} data-testid="release-state" data-status=${v}>${tEnum('ReleaseState', v)}</span>`;
}

export function Releases() {
  const { user, locale } = useContext(AppContext);
  const [state, setState] = useState('');
  const pages = usePageTokens();
  const d = useLoad(() => call('distribution', 'ListReleases', {
    pageSize: 20, ...(state ? { state } : {}), ...(pages.page ? { pageToken: pages.page } : {}),
  }), [state, pages.page]);
  const canWrite = user.roles.includes('pr');
  return html`<section data-testid="releases-page">
    <div class="page-head"><h1>${t('rel.title')}</h1>
      ${canWrite ? html`<a class="btn primary" href="#/releases/new" data-testid="release-new">${t('rel.new')}</a>` : null}</div>
    <div class="filters">
      <${Field} label=${t('rel.state')} name="state" value=${state} testid="releases-state"
        onInput=${(v) => { setState(v); pages.reset(); }}
        options=${[{ value: '', label: t('common.any') }, ...STATES.map((s) => ({ value: s, label: tEnum('ReleaseState', s) }))]} />
    </div>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="releases-table" rowTestid="release-row" rows=${d.data.releases || []} empty=${t('rel.empty')}
        columns=${[
          { label: t('rel.colTitle'), render: (r) => html`<a href=${`#/releases/${r.id}`} data-testid="release-link">${r.title}</a>
            ${r.version > 1 ? html` <span class="badge badge-info">${t('rel.version', { v: r.version })}</span>` : null}` },
          { label: t('rel.state'), render: (r) => html`<${ReleaseStateBadge} value=${r.state} />` },
          { label: t('rel.colEmbargo'), render: (r) => formatDateTime(r.embargoUntil, locale) || '—' },
          { label: t('rel.colSent'), render: (r) => formatDateTime(r.sentAt, locale) || '—' },
          { label: t('rel.colRecipients'), render: (r) => String(r.recipients || 0) },
          { label: t('rel.colDelivered'), render: (r) => html`<span data-testid="release-deliveries">${deliverySummary(r.deliveries)}</span>` },
          { label: t('rel.colRead'), render: (r) => html`<span data-testid="release-read">${r.read || 0}</span>` },
          { label: t('rel.colPickup'), render: (r) => html`<span data-testid="release-pickups">${t('rel.pickups', { companies: r.pickedUp || 0, n: r.pickups || 0 })}</span>` },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}
