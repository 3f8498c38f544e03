// The staff views' pure parts: the case history in words, findings placed
// beside their field, requirement rows, where the wizard continues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, namedUsers } from '../src/history.js';
import { findingsByField } from '../src/components/CompanyPanel.js';
import { toRows, fromRows } from '../src/pages/RequirementSets.js';
import { nextStep, companyRequired, typedInto } from '../src/pages/Wizard.js';
import { LOCALES } from '../src/i18n/index.js';

const entry = (action, before, after, userId = 'u1') => ({ action, userId, before: JSON.stringify(before), after: JSON.stringify(after) });

test('a rejected document names its type and the reason', () => {
  const s = summarize(entry('case.decide_document',
    { state: 'in_review', documents: [{ document_id: 'd1', type: 4, decision: 'pending' }] },
    { state: 'needs_revision', documents: [{ document_id: 'd1', type: 4, decision: 'rejected', reason: 'buram' }] }));
  assert.equal(s.key, 'history.document_rejected');
  assert.equal(s.vars.doc, 'DOCUMENT_TYPE_NPWP');
  assert.equal(s.vars.reason, 'buram');
  assert.equal(s.state, 'CASE_STATE_NEEDS_REVISION');
});

test('an accepted document that leaves the state alone moves nothing', () => {
  const s = summarize(entry('case.decide_document',
    { state: 'in_review', documents: [{ document_id: 'd1', type: 1, decision: 'pending' }, { document_id: 'd2', type: 3, decision: 'pending' }] },
    { state: 'in_review', documents: [{ document_id: 'd1', type: 1, decision: 'pending' }, { document_id: 'd2', type: 3, decision: 'accepted' }] }));
  assert.equal(s.key, 'history.document_accepted');
  assert.equal(s.vars.doc, 'DOCUMENT_TYPE_NIB');
  assert.equal(s.state, '');
});

test('the visit names its verifier; an approval names the outcome proposed', () => {
  const v = summarize(entry('case.record_visit', { state: 'visit_pending' }, { state: 'visited', visit: { visited_on: '2026-12-02', verifier_id: 'v9' } }));
  assert.deepEqual([v.key, v.vars.verifier, v.vars.date], ['history.case.record_visit', 'v9', '2026-12-02']);
  const a = summarize(entry('case.verify', { state: 'visited', pending_proposal: { outcome: 'verified', reason: 'lengkap' } }, { state: 'verified' }));
  assert.deepEqual([a.key, a.vars.outcome, a.vars.reason, a.state], ['history.approve', 'OUTCOME_VERIFIED', 'lengkap', 'CASE_STATE_VERIFIED']);
  assert.deepEqual(namedUsers([entry('case.record_visit', {}, { visit: { verifier_id: 'v9' } }, 'u2')]).sort(), ['u2', 'v9']);
});

test('every sentence the history can choose has words in both languages', () => {
  const keys = ['history.document_rejected', 'history.document_accepted', 'history.propose', 'history.approve',
    'history.objection.upheld', 'history.objection.dismissed', 'history.case.record_visit', 'history.case.return_decision'];
  for (const l of ['id', 'en']) for (const k of keys) assert.ok(LOCALES[l][k], `${l}: ${k}`);
});

test('findings sit beside the field or the document they concern', () => {
  const by = findingsByField([
    { code: 'npwp_format' }, { code: 'expired', documentType: 'DOCUMENT_TYPE_NIB' }, { code: 'something_else' },
  ]);
  assert.equal(by.npwp.length, 1);
  assert.equal(by['doc:DOCUMENT_TYPE_NIB'][0].code, 'expired');
  assert.equal(by.general[0].code, 'something_else');
});

test('requirement rows go to the API and back unchanged', () => {
  const set = { requirements: [{ type: 'DOCUMENT_TYPE_AKTA', required: true, mustNotBeExpired: false },
    { type: 'DOCUMENT_TYPE_NIB', required: false, mustNotBeExpired: true }] };
  const rows = toRows(set);
  assert.equal(rows.DOCUMENT_TYPE_AKTA.level, 'required');
  assert.equal(rows.DOCUMENT_TYPE_NIB.level, 'optional');
  assert.equal(rows.DOCUMENT_TYPE_NPWP.level, '');
  assert.deepEqual(fromRows(rows), set.requirements);
});

test('the wizard continues where work is left; a sent-back document first', () => {
  const chief = { data: { role: 'PERSON_ROLE_CHIEF_EDITOR' } };
  assert.equal(nextStep(null), 0);
  assert.equal(nextStep({ outlets: [] }), 1);
  assert.equal(nextStep({ outlets: [{}], people: [] }), 2);
  assert.equal(nextStep({ outlets: [{}], people: [chief] }), 3);
  assert.equal(nextStep({ outlets: [] }, { documents: [{ decision: 'DECISION_REJECTED' }] }), 3);
});

test('required markers follow the legal form; an untouched form is not typed into', () => {
  assert.ok(companyRequired({ legalForm: 'LEGAL_FORM_PT' }).has('skKemenkumham'));
  assert.ok(!companyRequired({ legalForm: 'LEGAL_FORM_CV' }).has('skKemenkumham'));
  assert.ok(companyRequired({}).has('holderName'));
  const empty = { name: '', type: 'OUTLET_TYPE_SIBER', url: '' };
  assert.equal(typedInto({ ...empty, type: 'OUTLET_TYPE_TV' }, empty), false);
  assert.equal(typedInto({ ...empty, name: 'Kabar' }, empty), true);
});
