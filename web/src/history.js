// A case's history and the audit trail in words. Each audit row carries the
// JSON its service wrote before and after the change; these pure functions
// (unit-tested with node --test) read what a person needs from them: which
// document was judged and how, the proposal and its reason, the visit.
import { DOCUMENT_TYPES } from './enums.js';

const parse = (s) => { try { return s ? JSON.parse(s) : {}; } catch { return {}; } };
// proto enum number -> name ("DOCUMENT_TYPE_NPWP"); the JSON keeps numbers.
const docType = (n) => DOCUMENT_TYPES[Number(n) - 1] || '';
// "in_review" -> "CASE_STATE_IN_REVIEW"
const caseState = (s) => (s ? `CASE_STATE_${String(s).toUpperCase()}` : '');
const OUTCOME = { verified: 'OUTCOME_VERIFIED', rejected: 'OUTCOME_REJECTED', suspended: 'OUTCOME_SUSPENDED' };
const outcomeOf = (s) => OUTCOME[s] || '';

// The document whose decision (or version) the change touched.
function changedDocument(before, after) {
  const was = new Map((before.documents || []).map((d) => [d.document_id, d]));
  for (const d of after.documents || []) {
    const b = was.get(d.document_id);
    if (!b || b.decision !== d.decision || (b.reason || '') !== (d.reason || '')) return d;
  }
  return null;
}

// entry (an AuditEntry as JSON) -> { key, vars, state }: the catalogue key of
// the sentence, its values, and the case state it left behind when it moved.
export function summarize(entry) {
  const before = parse(entry.before);
  const after = parse(entry.after);
  const vars = {};
  let key = `history.${entry.action}`;
  switch (entry.action) {
    case 'case.decide_document': {
      const d = changedDocument(before, after) || {};
      vars.doc = docType(d.type);
      vars.reason = d.reason || '';
      key = d.decision === 'rejected' ? 'history.document_rejected' : 'history.document_accepted';
      break;
    }
    case 'case.document_replaced': {
      const d = changedDocument(before, after) || {};
      vars.doc = docType(d.type);
      vars.version = d.version || '';
      break;
    }
    case 'case.record_visit':
      vars.date = after.visit?.visited_on || '';
      vars.verifier = after.visit?.verifier_id || entry.userId || '';
      break;
    case 'case.propose_verified': case 'case.propose_rejected': case 'case.propose_suspended':
      vars.outcome = outcomeOf(after.pending_proposal?.outcome || entry.action.replace('case.propose_', ''));
      vars.reason = after.pending_proposal?.reason || '';
      key = 'history.propose';
      break;
    case 'case.verify': case 'case.reject': case 'case.suspend':
      vars.outcome = outcomeOf(before.pending_proposal?.outcome || { 'case.verify': 'verified', 'case.reject': 'rejected', 'case.suspend': 'suspended' }[entry.action]);
      vars.reason = before.pending_proposal?.reason || after.reason || '';
      key = 'history.approve';
      break;
    case 'case.return_decision':
      vars.outcome = outcomeOf(before.pending_proposal?.outcome);
      vars.reason = after.last_proposal?.return_reason || '';
      break;
    case 'objection.raise':
      vars.reason = after.reason || '';
      break;
    case 'objection.answer':
      vars.reason = after.answer || '';
      key = after.upheld ? 'history.objection.upheld' : 'history.objection.dismissed';
      break;
    default:
      break;
  }
  const state = before.state !== after.state ? caseState(after.state) : '';
  return { key, vars, state };
}

// The user ids a list of entries names (authors and visitors), for one lookup.
export function namedUsers(entries) {
  const ids = new Set();
  for (const e of entries) {
    if (e.userId) ids.add(e.userId);
    const a = parse(e.after);
    if (a.visit?.verifier_id) ids.add(a.visit.verifier_id);
  }
  return [...ids];
}
