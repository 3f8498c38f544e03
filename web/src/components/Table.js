// A plain data table with a caption; rows carry a data-testid.
import { html } from '../html.js';
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
