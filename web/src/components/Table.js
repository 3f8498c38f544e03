// A plain data table with a caption; rows carry a data-testid.
import { html } from '../html.js';
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';

// columns: [{ label, render(row) }]
export function DataTable({ caption, columns, rows, rowTestid, rowKey = (r) => r.id, empty, testid }) {
  if (!rows || rows.length === 0) return html`<p class="empty" data-testid=${testid ? `${testid}-empty` : undefined}>${empty || t('common.empty')}</p>`;
  return html`<div class="table-wrap"><table data-testid=${testid}>
    ${caption ? html`<caption>${caption}</caption>` : null}
    <thead><tr>${columns.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr key=${rowKey(r)} data-testid=${rowTestid} data-id=${rowKey(r)}>
      ${columns.map((c) => html`<td data-label=${c.label}>${c.render(r)}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

export function Loading({ testid = 'loading' }) {
  return html`<p class="loading" role="status" data-testid=${testid}>${t('common.loading')}</p>`;
}

// Token paging: the APIs hand out only the next page's token, so the tokens
// seen so far are kept as a stack for "previous". reset() on a new filter.
export function usePageTokens() {
  const [tokens, setTokens] = useState(['']);
  return {
    page: tokens[tokens.length - 1],
    first: tokens.length < 2,
    next: (token) => setTokens([...tokens, token]),
    prev: () => setTokens(tokens.slice(0, -1)),
    reset: () => setTokens(['']),
  };
}

export function Pager({ pages, nextToken }) {
  return html`<div class="pager">
    <button class="btn" type="button" disabled=${pages.first} onClick=${pages.prev} data-testid="page-prev">${t('common.prev')}</button>
    <button class="btn" type="button" disabled=${!nextToken} onClick=${() => pages.next(nextToken)} data-testid="page-next">${t('common.next')}</button>
  </div>`;
}
