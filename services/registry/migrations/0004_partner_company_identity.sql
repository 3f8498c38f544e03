-- Issue 10, item 7. A partner account holds exactly one company: the
-- account that registered it is kept, unique, so that concurrent
-- registrations by one partner cannot create several (the handler also
-- serialises them with an advisory lock and answers with the one company).
-- Companies registered by staff have none.
ALTER TABLE company ADD COLUMN partner_user_id text;
CREATE UNIQUE INDEX company_partner_user ON company (partner_user_id)
    WHERE partner_user_id IS NOT NULL;

-- A partner is no longer told that an NPWP or NIK is registered elsewhere
-- (that told it which numbers exist): the duplicate is accepted and
-- reported to the verifier when the company is submitted, and verification
-- keeps the numbers of each year's verified companies unique. Staff are
-- still refused plainly by the handlers. The lookups keep their indexes.
ALTER TABLE company DROP CONSTRAINT company_npwp_key;
CREATE INDEX company_npwp ON company (npwp);
ALTER TABLE person DROP CONSTRAINT person_nik_key;
CREATE INDEX person_nik ON person (nik);
