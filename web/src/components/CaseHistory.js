// A case's history, oldest first: who did what, when, with which reason
// (Verification.GetCaseHistory, staff only).
import { html, AppContext } from '../html.js';
import { useContext } from 'preact/hooks';
import { call } from '../api.js';
import { useLoad } from './hooks.js';
import { Loading } from './Table.js';
import { ErrorSummary } from './ErrorSummary.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDate, formatDateTime } from '../format.js';
import { summarize, namedUsers } from '../history.js';
import { useNames } from '../names.js';

// The sentence for one row: the catalogue's, else a neutral one (an action
// this screen does not know yet is still shown, never hidden).
export function historyText(entry, name, locale = 'id') {
  const s = summarize(entry);
  const v = { ...s.vars };
  if (v.doc) v.doc = tEnum('DocumentType', v.doc);
  if (v.outcome) v.outcome = tEnum('Outcome', v.outcome);
  if (v.verifier) v.verifier = name(v.verifier);
  if (v.date) v.date = formatDate(v.date, locale);
  const text = t(s.key, v);
  return { text: text === s.key ? t('history.other') : text, reason: v.reason, state: s.state };
}

export function CaseHistory({ caseId, refresh }) {
  const { user, locale } = useContext(AppContext);
  const d = useLoad(() => call('verification', 'GetCaseHistory', { caseId }), [caseId, refresh]);
  const entries = d.data?.entries || [];
  const name = useNames(namedUsers(entries), user);
  return html`<section aria-labelledby="h-history" data-testid="case-history">
    <h2 id="h-history">${t('history.title')}</h2>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} testid="history-errors" />` : html`
      <ol class="timeline">${entries.map((e) => {
        const h = historyText(e, name, locale);
        return html`<li data-testid="history-entry" data-action=${e.action}>
          <span class="when">${formatDateTime(Number(e.atUnixUs) / 1000, locale)}</span>
          <span class="who" data-testid="history-who">${name(e.userId)}</span>
          <span data-testid="history-text">${h.text}</span>
          ${h.reason ? html`<span class="muted" data-testid="history-reason">${t('status.reason')}: ${h.reason}</span>` : null}
          ${h.state ? html` <span class="muted">→ ${tEnum('CaseState', h.state)}</span>` : null}
        </li>`;
      })}</ol>`}
  </section>`;
}
