-- The audit trail names the company each row concerns (sk_audit_append_about):
-- fill it in for rows written before, from the case or objection they are
-- about, so a company's trail and a case's history can be read.
UPDATE audit_log a SET company_id = c.company_id
  FROM verification_case c
 WHERE a.company_id IS NULL AND a.entity_type = 'verification_case' AND a.entity_id = c.id::text;
UPDATE audit_log a SET company_id = o.company_id
  FROM objection o
 WHERE a.company_id IS NULL AND a.entity_type = 'objection' AND a.entity_id = o.id::text;
