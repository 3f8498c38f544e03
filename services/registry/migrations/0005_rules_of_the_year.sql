-- Issue 11: the rules DOMAIN.md states, as the registry keeps them.

-- One taxpayer, one NPWP: a 15-digit NPWP and its 16-digit form ("0" and
-- the 15 digits) are the same number, stored in the 16-digit form so that
-- the duplicate lookups see them as one.
UPDATE company SET npwp = '0' || npwp WHERE npwp ~ '^[0-9]{15}$';

-- Each fiscal year as verification opened it (verification.year.opened):
-- who may submit for it, and when; and whether its partner list is final
-- (verification.list.finalized). Submit reads it.
CREATE TABLE fiscal_year (
    fiscal_year int PRIMARY KEY CHECK (fiscal_year BETWEEN 2000 AND 2100),
    registration_opens_on date NOT NULL,
    registration_closes_on date NOT NULL CHECK (registration_closes_on >= registration_opens_on),
    cv_allowed boolean NOT NULL DEFAULT false,
    final boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Verification decides per outlet: each outlet's outcome for the year it is
-- for, and the newest year whose final list names it. Outlets of companies
-- decided before this migration take their company's standing.
ALTER TABLE outlet ADD COLUMN status text
    CHECK (status IN ('verified', 'rejected', 'suspended'));
ALTER TABLE outlet ADD COLUMN verified_until date;
ALTER TABLE outlet ADD COLUMN status_reason text NOT NULL DEFAULT '';
ALTER TABLE outlet ADD COLUMN status_fiscal_year int;
ALTER TABLE outlet ADD COLUMN listed_fiscal_year int;
UPDATE outlet o SET status = c.status, verified_until = c.verified_until,
       status_reason = c.status_reason, status_fiscal_year = c.fiscal_year
  FROM company c
 WHERE c.id = o.company_id AND c.status IN ('verified', 'rejected', 'suspended');

-- The level a Dewan Pers certificate claims (what the verifier confirms).
ALTER TABLE document ADD COLUMN dewan_pers_status text
    CHECK (dewan_pers_status IN ('none', 'administratif', 'faktual'));
