// The scoring rule set editor: criteria with their bands, reach bands per
// outlet type, tier thresholds. Save as draft, then publish (admin); the
// published version re-scores every verified outlet of the year.
import { html, AppContext } from '../html.js';
import { useContext, useEffect, useState } from 'preact/hooks';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { loadPublishedAndDraft } from './drafts.js';
import { ConfirmButton } from '../components/Confirm.js';
import { DEWAN_PERS, UKW_LEVELS } from '../enums.js';

// Criteria whose threshold is a level, not a number: the editor offers the
// levels in words ("Terverifikasi administratif"), never their codes.
const LEVELS = {
  CRITERION_DEWAN_PERS: ['DewanPersStatus', DEWAN_PERS],
  CRITERION_CHIEF_EDITOR_UKW: ['UkwLevel', UKW_LEVELS],
};
// The unit of a numeric threshold, for its label.
const UNIT = { CRITERION_JOURNALIST_UKW_SHARE: 'rules.unit.percent', CRITERION_PERFORMANCE: 'rules.unit.percent', CRITERION_COMPANY_AGE: 'rules.unit.years' };
export const thresholdLabel = (criterion) => (UNIT[criterion] ? `${t('rules.threshold')}, ${t(UNIT[criterion])}` : t('rules.threshold'));

// A rule set from the API -> the editable form (every number a string).
function toForm(rs) {
  return {
    criteria: (rs.criteria || []).map((c) => ({ criterion: c.criterion, maxPoints: String(c.maxPoints ?? 0),
      bands: (c.bands || []).map((b) => ({ threshold: String(b.threshold ?? 0), points: String(b.points ?? 0) })) })),
    reach: (rs.reach || []).map((r) => ({ outletType: r.outletType,
      bands: (r.bands || []).map((b) => ({ threshold: String(b.threshold ?? 0), points: String(b.points ?? 0) })) })),
    performanceNeutralPoints: String(rs.performanceNeutralPoints ?? 0),
    tiers: { a: String(rs.tiers?.a ?? 80), b: String(rs.tiers?.b ?? 60), c: String(rs.tiers?.c ?? 40) },
  };
}
const int = (s) => { const n = Number(String(s).trim()); return Number.isInteger(n) ? n : s; };
const i64 = (s) => String(s).replace(/[.\s]/g, '');
function fromForm(f, fiscalYear) {
  return {
    fiscalYear,
    criteria: f.criteria.map((c) => ({ criterion: c.criterion, maxPoints: int(c.maxPoints),
      bands: c.bands.map((b) => ({ threshold: i64(b.threshold), points: int(b.points) })) })),
    reach: f.reach.map((r) => ({ outletType: r.outletType, bands: r.bands.map((b) => ({ threshold: i64(b.threshold), points: int(b.points) })) })),
    performanceNeutralPoints: int(f.performanceNeutralPoints),
    tiers: { a: int(f.tiers.a), b: int(f.tiers.b), c: int(f.tiers.c) },
  };
}
function knownFields(f) {
  const k = ['performanceNeutralPoints', 'tiers.a', 'tiers.b', 'tiers.c', 'criteria', 'reach'];
  f.criteria.forEach((c, i) => { k.push(`criteria[${i}].maxPoints`); c.bands.forEach((_, j) => k.push(`criteria[${i}].bands[${j}].threshold`, `criteria[${i}].bands[${j}].points`)); });
  f.reach.forEach((r, i) => r.bands.forEach((_, j) => k.push(`reach[${i}].bands[${j}].threshold`, `reach[${i}].bands[${j}].points`)));
  return k;
}

function Bands({ bands, base, errors, disabled, onChange, criterion }) {
  const set = (j, k, v) => onChange(bands.map((b, x) => (x === j ? { ...b, [k]: v } : b)));
  const levels = LEVELS[criterion];
  const label = levels ? t('rules.level') : thresholdLabel(criterion);
  return html`<div class="bands">
    ${bands.map((b, j) => html`<div class="band-row" data-testid="band-row">
      ${levels ? html`<${Field} label=${label} name=${`${base}.bands[${j}].threshold`} value=${b.threshold} onInput=${(v) => set(j, 'threshold', v)}
        errors=${errors} disabled=${disabled} testid="band-threshold"
        options=${levels[1].map((v, i) => ({ value: String(i), label: tEnum(levels[0], v) }))} />`
      : html`<${Field} label=${label} name=${`${base}.bands[${j}].threshold`} value=${b.threshold} onInput=${(v) => set(j, 'threshold', v)}
        errors=${errors} disabled=${disabled} inputmode="numeric" testid="band-threshold" />`}
      <${Field} label=${t('rules.points')} name=${`${base}.bands[${j}].points`} value=${b.points} onInput=${(v) => set(j, 'points', v)}
        errors=${errors} disabled=${disabled} inputmode="numeric" testid="band-points" />
      ${disabled ? null : html`<button type="button" class="btn small danger" onClick=${() => onChange(bands.filter((_, x) => x !== j))}
        aria-label=${t('rules.removeBand', { n: j + 1 })}>${t('common.remove')}</button>`}
    </div>`)}
    ${disabled ? null : html`<button type="button" class="btn small" onClick=${() => onChange([...bands, { threshold: '0', points: '0' }])} data-testid="band-add">${t('rules.addBand')}</button>`}
  </div>`;
}

export function RuleSetEditor() {
  const { year, user, locale } = useContext(AppContext);
  const isAdmin = user.roles.includes('admin');
  const d = useLoad(() => loadPublishedAndDraft('GetRuleSet', year), [year]);
  const [form, setForm] = useState(null);
  const [msg, setMsg] = useState('');
  const f = useAction();
  const base = d.data ? d.data.draft || d.data.published : null;
  useEffect(() => { setForm(base ? toForm(base) : null); }, [base && base.id, base && base.version, year]);

  if (d.loading && !d.data) return html`<section><h1>${t('rules.title', { year })}</h1><${Loading} /></section>`;
  if (d.error) return html`<section><h1>${t('rules.title', { year })}</h1><${ErrorSummary} error=${d.error} /></section>`;
  if (!form) return html`<section><h1>${t('rules.title', { year })}</h1><p>${t('rules.none')}</p></section>`;
  const { published, draft } = d.data;
  const errs = f.byField;
  const save = async () => {
    setMsg('');
    const out = await f.run((act) => act.run('scoring', 'SaveRuleSetDraft', fromForm(form, year)), knownFields(form));
    if (out) { setMsg(t('rules.draftSaved', { v: out.version })); d.reload(); }
  };
  const publish = async () => {
    setMsg('');
    const out = await f.run((act) => act.run('scoring', 'PublishRuleSet', { fiscalYear: year }), []);
    if (out) { setMsg(t('rules.published', { v: out.version })); d.reload(); }
  };
  const setCrit = (i, c) => setForm({ ...form, criteria: form.criteria.map((x, j) => (j === i ? c : x)) });
  const setReach = (i, r) => setForm({ ...form, reach: form.reach.map((x, j) => (j === i ? r : x)) });
  const maxTotal = form.criteria.reduce((s, c) => s + (Number(c.maxPoints) || 0), 0);

  return html`<section data-testid="rules-page">
    <h1>${t('rules.title', { year })}</h1>
    <dl class="facts">
      <dt>${t('rules.publishedVersion')}</dt><dd data-testid="rules-published-version">${published ? html`v${published.version} <${StatusBadge} type="SetState" value=${published.state} testid="rules-published-state" /> ${formatDateTime(published.publishedAt, locale)}` : '—'}</dd>
      <dt>${t('rules.draft')}</dt><dd data-testid="rules-draft">${draft ? html`v${draft.version} <${StatusBadge} type="SetState" value=${draft.state} testid="rules-draft-state" />` : t('rules.noDraft')}</dd>
    </dl>
    ${!isAdmin ? html`<${Notice} kind="info">${t('rules.readOnly')}<//>` : null}
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="rules-errors" />
    ${msg ? html`<${Notice} kind="ok" testid="rules-saved">${msg}<//>` : null}
    <form onSubmit=${(e) => { e.preventDefault(); save(); }} novalidate>
      <h2>${t('rules.criteria')} <span class="muted">(${t('rules.maxTotal', { n: maxTotal })})</span></h2>
      ${form.criteria.map((c, i) => html`<fieldset class="sub-card" data-testid="criterion" data-criterion=${c.criterion}>
        <legend>${tEnum('Criterion', c.criterion)}</legend>
        <${Field} label=${t('rules.maxPoints')} name=${`criteria[${i}].maxPoints`} value=${c.maxPoints} onInput=${(v) => setCrit(i, { ...c, maxPoints: v })}
          errors=${errs} disabled=${!isAdmin} inputmode="numeric" testid="criterion-max" />
        ${c.criterion === 'CRITERION_REACH' ? html`<p class="hint">${t('rules.reachHint')}</p>`
          : html`<${Bands} bands=${c.bands} base=${`criteria[${i}]`} errors=${errs} disabled=${!isAdmin} criterion=${c.criterion}
            onChange=${(b) => setCrit(i, { ...c, bands: b })} />`}
      </fieldset>`)}
      <h2>${t('rules.reach')}</h2>
      ${form.reach.map((r, i) => html`<fieldset class="sub-card" data-testid="reach" data-outlet-type=${r.outletType}>
        <legend>${tEnum('OutletType', r.outletType)} — ${t(`rules.reachUnit.${r.outletType}`)}</legend>
        <${Bands} bands=${r.bands} base=${`reach[${i}]`} errors=${errs} disabled=${!isAdmin}
          onChange=${(b) => setReach(i, { ...r, bands: b })} />
      </fieldset>`)}
      <h2>${t('rules.tiers')}</h2>
      <div class="grid">
        ${['a', 'b', 'c'].map((k) => html`<${Field} label=${t('rules.tierMin', { tier: k.toUpperCase() })} name=${`tiers.${k}`} value=${form.tiers[k]}
          onInput=${(v) => setForm({ ...form, tiers: { ...form.tiers, [k]: v } })} errors=${errs} disabled=${!isAdmin} inputmode="numeric" testid=${`tier-threshold-${k}`} />`)}
        <${Field} label=${t('rules.neutral')} name="performanceNeutralPoints" value=${form.performanceNeutralPoints} hint=${t('rules.neutralHint')}
          onInput=${(v) => setForm({ ...form, performanceNeutralPoints: v })} errors=${errs} disabled=${!isAdmin} inputmode="numeric" testid="rules-neutral" />
      </div>
      ${isAdmin ? html`<div class="actions">
        <button type="submit" class="btn" disabled=${f.busy} data-testid="rules-save">${t('rules.saveDraft')}</button>
        <${ConfirmButton} label=${t('rules.publish')} question=${t('rules.publishConfirm', { year, v: draft?.version || '' })} onConfirm=${publish}
          busy=${f.busy} disabled=${!draft} testid="rules-publish" />
      </div>` : null}
    </form>
  </section>`;
}

