// Status and tier badges: colour plus text (never colour alone).
import { html } from '../html.js';
import { t, tEnum } from '../i18n/index.js';

const TONE = {
  COMPANY_STATUS_DRAFT: 'neutral', COMPANY_STATUS_SUBMITTED: 'info', COMPANY_STATUS_IN_REVIEW: 'info',
  COMPANY_STATUS_NEEDS_REVISION: 'warn', COMPANY_STATUS_VERIFIED: 'ok', COMPANY_STATUS_REJECTED: 'bad',
  COMPANY_STATUS_SUSPENDED: 'bad',
  CASE_STATE_OPENED: 'info', CASE_STATE_IN_REVIEW: 'info', CASE_STATE_NEEDS_REVISION: 'warn',
  CASE_STATE_VISIT_PENDING: 'info', CASE_STATE_VISITED: 'info', CASE_STATE_VERIFIED: 'ok',
  CASE_STATE_REJECTED: 'bad', CASE_STATE_SUSPENDED: 'bad',
  DECISION_PENDING: 'neutral', DECISION_ACCEPTED: 'ok', DECISION_REJECTED: 'bad',
  SET_STATE_DRAFT: 'warn', SET_STATE_PUBLISHED: 'ok', SET_STATE_SUPERSEDED: 'neutral',
  PROPOSAL_STATUS_PENDING: 'warn', PROPOSAL_STATUS_APPROVED: 'ok', PROPOSAL_STATUS_RETURNED: 'neutral',
  AGREEMENT_STATE_DRAFT: 'warn', AGREEMENT_STATE_ACTIVE: 'ok', AGREEMENT_STATE_ENDED: 'neutral', AGREEMENT_STATE_CANCELLED: 'bad',
  ORDER_STATE_DRAFT: 'neutral', ORDER_STATE_OFFERED: 'info', ORDER_STATE_COUNTERED: 'warn', ORDER_STATE_ACCEPTED: 'info',
  ORDER_STATE_AWAITING_APPROVAL: 'warn', ORDER_STATE_APPROVED: 'info', ORDER_STATE_ISSUING: 'info', ORDER_STATE_ISSUED: 'ok',
  ORDER_STATE_PROOF_SUBMITTED: 'info', ORDER_STATE_PROOF_REJECTED: 'warn', ORDER_STATE_COMPLETED: 'ok',
  ORDER_STATE_REJECTED: 'bad', ORDER_STATE_CANCELLED: 'bad',
  INVOICE_STATE_SUBMITTED: 'info', INVOICE_STATE_RETURNED: 'warn', INVOICE_STATE_ACCEPTED: 'info', INVOICE_STATE_SPP: 'info',
  INVOICE_STATE_SPP_VERIFIED: 'info', INVOICE_STATE_SPM: 'info', INVOICE_STATE_PAID: 'ok',
  TAX_TABLE_STATE_DRAFT: 'warn', TAX_TABLE_STATE_PUBLISHED: 'ok', TAX_TABLE_STATE_SUPERSEDED: 'neutral',
};

// <StatusBadge type="CompanyStatus" value="COMPANY_STATUS_VERIFIED" />
export function StatusBadge({ type, value, testid = 'status-badge' }) {
  const v = value || defaultOf(type);
  return html`<span class=${`badge badge-${TONE[v] || 'neutral'}`} data-testid=${testid} data-status=${v}>
    ${tEnum(type, v)}</span>`;
}

function defaultOf(type) {
  return { CompanyStatus: 'COMPANY_STATUS_UNSPECIFIED', CaseState: 'CASE_STATE_UNSPECIFIED',
    Decision: 'DECISION_PENDING', SetState: 'SET_STATE_UNSPECIFIED', OrderState: 'ORDER_STATE_UNSPECIFIED',
    AgreementState: 'AGREEMENT_STATE_UNSPECIFIED', InvoiceState: 'INVOICE_STATE_UNSPECIFIED',
    TaxTableState: 'TAX_TABLE_STATE_UNSPECIFIED' }[type] || '';
}

// Tier from the Tier enum ("TIER_B") or a letter ("B", "-").
export const tierLetter = (v) => ({ TIER_A: 'A', TIER_B: 'B', TIER_C: 'C', TIER_NONE: '-' }[v || 'TIER_NONE'] ?? v);

export function TierBadge({ tier, testid = 'tier-badge' }) {
  const l = tierLetter(tier);
  return html`<span class=${`badge tier tier-${l === '-' ? 'none' : l}`} data-testid=${testid} data-tier=${l}
    title=${t('tier.title')}>${l === '-' ? t('tier.none') : `${t('tier.label')} ${l}`}</span>`;
}
