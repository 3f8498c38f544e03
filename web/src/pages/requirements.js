// The documents a company must provide: the published requirement sets of
// its outlets' types for the year (verification.GetRequirementSet), merged;
// a default list when none is published or readable. The list's `published`
// property says which: a year nobody has opened yet is worth a warning.
import { call } from '../api.js';

export const DEFAULT_REQUIRED = [
  'DOCUMENT_TYPE_AKTA', 'DOCUMENT_TYPE_SK_KEMENKUMHAM', 'DOCUMENT_TYPE_NIB', 'DOCUMENT_TYPE_NPWP',
  'DOCUMENT_TYPE_DOMISILI', 'DOCUMENT_TYPE_PAKTA_INTEGRITAS', 'DOCUMENT_TYPE_BANK_ACCOUNT',
];

export async function requiredDocuments(company, year) {
  const types = [...new Set((company.outlets || []).map((o) => o.data?.type).filter(Boolean))];
  const merged = new Map();
  for (const outletType of types) {
    try {
      const rs = await call('verification', 'GetRequirementSet', { fiscalYear: year, outletType });
      for (const r of rs.requirements || []) {
        const prev = merged.get(r.type);
        merged.set(r.type, { type: r.type, required: !!r.required || !!(prev && prev.required) });
      }
    } catch { /* none published for this type */ }
  }
  const list = merged.size === 0 ? DEFAULT_REQUIRED.map((type) => ({ type, required: true }))
    : [...merged.values()].sort((a, b) => (a.required === b.required ? 0 : a.required ? -1 : 1));
  list.published = merged.size > 0;
  return list;
}
