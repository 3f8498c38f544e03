// An outlet's score: total, tier and the breakdown line by line.
import { html } from '../html.js';
import { TierBadge } from './Badge.js';
import { t, tEnum } from '../i18n/index.js';
import { scoreValue, scoreRule } from '../score.js';

export function ScoreCard({ score, testid = 'score' }) {
  if (!score) return html`<p class="muted" data-testid=${`${testid}-none`}>${t('score.none')}</p>`;
  const lines = score.breakdown || [];
  return html`<div class="score" data-testid=${testid}>
    <p class="score-head"><span class="big" data-testid="score-total">${score.total || 0}</span><span class="muted"> / 100</span>
      <${TierBadge} tier=${score.tier} />
      ${score.suspended ? html`<span class="badge badge-bad">${t('score.suspended')}</span>` : null}</p>
    ${lines.length ? html`<div class="table-wrap"><table data-testid="score-breakdown">
      <caption>${t('score.breakdown')}${score.ruleSetVersion ? ` — ${t('score.ruleSetVersion', { v: score.ruleSetVersion })}` : ''}</caption>
      <thead><tr><th scope="col">${t('score.criterion')}</th><th scope="col">${t('score.input')}</th><th scope="col">${t('score.rule')}</th><th scope="col">${t('score.points')}</th></tr></thead>
      <tbody>${lines.map((l) => html`<tr data-testid="score-row" data-criterion=${l.criterion}>
        <th scope="row">${tEnum('Criterion', l.criterion)}</th>
        <td data-label=${t('score.input')}>${scoreValue(l.criterion, l.inputValue, score.outletType)}</td>
        <td data-label=${t('score.rule')} title=${l.rule || undefined}>${scoreRule(l, score.outletType)}</td>
        <td data-label=${t('score.points')} data-testid="score-row-points">${l.points || 0} / ${l.maxPoints || 0}</td></tr>`)}</tbody>
    </table></div>` : null}
  </div>`;
}
