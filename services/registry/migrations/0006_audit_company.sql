-- The audit trail names the company each row concerns (sk_audit_append_about):
-- rows written before say it only for a partner's own changes. Fill it in
-- from what they are about, so a company's whole trail can be read.
UPDATE audit_log SET company_id = entity_id
 WHERE company_id IS NULL AND entity_type = 'company';
UPDATE audit_log a SET company_id = d.company_id::text
  FROM document d
 WHERE a.company_id IS NULL AND a.entity_type = 'document' AND a.entity_id = d.id::text;
UPDATE audit_log a SET company_id = o.company_id::text
  FROM outlet o
 WHERE a.company_id IS NULL AND a.entity_type = 'outlet' AND a.entity_id = o.id::text;
