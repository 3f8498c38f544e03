// A score line in words: the input as a person reads it and the band it
// reached ("≥ 250.000 pengunjung/bulan → 15 poin"), built from the line's
// structured fields so it follows the chosen language. The service's own
// `rule` text (English, for logs and auditors) stays available as a tooltip.
import { t, tEnum } from './i18n/index.js';
import { formatNumber } from './format.js';
import { UKW_LEVELS, DEWAN_PERS } from './enums.js';

const REACH_UNIT = {
  OUTLET_TYPE_CETAK: 'score.unit.copies', OUTLET_TYPE_SIBER: 'score.unit.visitors',
  OUTLET_TYPE_RADIO: 'score.unit.listeners', OUTLET_TYPE_TV: 'score.unit.viewers',
};

// proto3 JSON leaves out zeros; -1 means "none" (no history, no band reached).
const num = (v) => (v === undefined || v === null || v === '' ? 0 : Number(v));

export function scoreValue(criterion, v, outletType) {
  const n = num(v);
  if (n === -1) return '—';
  switch (criterion) {
    case 'CRITERION_DEWAN_PERS': return DEWAN_PERS[n] ? tEnum('DewanPersStatus', DEWAN_PERS[n]) : String(n);
    case 'CRITERION_CHIEF_EDITOR_UKW': return UKW_LEVELS[n] ? tEnum('UkwLevel', UKW_LEVELS[n]) : String(n);
    case 'CRITERION_JOURNALIST_UKW_SHARE':
    case 'CRITERION_PERFORMANCE': return `${formatNumber(n)}%`;
    case 'CRITERION_COMPANY_AGE': return t('score.years', { n: formatNumber(n) });
    case 'CRITERION_REACH': return REACH_UNIT[outletType] ? `${formatNumber(n)} ${t(REACH_UNIT[outletType])}` : formatNumber(n);
    default: return formatNumber(n);
  }
}

export function scoreRule(line, outletType) {
  const points = line.points || 0;
  if (line.criterion === 'CRITERION_PERFORMANCE' && num(line.inputValue) === -1) return t('score.rule.neutral', { points });
  if (num(line.threshold) === -1) return t('score.rule.below');
  return t('score.rule.band', { min: scoreValue(line.criterion, line.threshold, outletType), points });
}
