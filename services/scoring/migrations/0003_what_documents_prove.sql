-- Issue 11: points only for what a document proves and a verifier accepted,
-- judged for the fiscal year scored; verification decides per outlet.

-- The company's data scoring reads from registry.company.* events: the
-- deed date (company age), a declared founding date (never earlier than the
-- deed), the declared Dewan Pers status (for the reason shown when no
-- certificate proves it), and its people: [{"id", "chief", "level"}].
CREATE TABLE scoring.company_input (
    company_id uuid PRIMARY KEY,
    deed_date date,
    established_on date,
    dewan_pers_declared int NOT NULL DEFAULT 0,
    people jsonb NOT NULL DEFAULT '[]',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- What verification's case of the year says of the company's documents:
-- [{"type", "person_id", "outlet_id", "proof": "accepted" | "pending" |
-- "rejected", "expires": "YYYY-MM-DD" or "", "level"}], the accepted
-- version in force when there is one.
CREATE TABLE scoring.company_proof (
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    documents jsonb NOT NULL DEFAULT '[]',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, fiscal_year)
);

-- Verification decides per outlet: each outlet's standing per fiscal year,
-- from the case's outlets and the year's final list. The companies' standing
-- before this migration is each of their outlets'.
CREATE TABLE scoring.outlet_standing (
    outlet_id uuid NOT NULL,
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    verified bool NOT NULL DEFAULT false,
    suspended bool NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_id, fiscal_year)
);
CREATE INDEX outlet_standing_company ON scoring.outlet_standing (company_id, fiscal_year);
CREATE INDEX outlet_standing_year ON scoring.outlet_standing (fiscal_year) WHERE verified;
INSERT INTO scoring.outlet_standing (outlet_id, company_id, fiscal_year, verified, suspended)
    SELECT o.outlet_id, s.company_id, s.fiscal_year, s.verified, s.suspended
      FROM scoring.company_standing s JOIN scoring.outlet_input o ON o.company_id = s.company_id;
DROP TABLE scoring.company_standing;

-- Declared values no longer score; what the documents prove does.
INSERT INTO scoring.company_input (company_id, established_on)
    SELECT DISTINCT ON (company_id) company_id, established_on FROM scoring.outlet_input
     ORDER BY company_id, updated_at DESC;
ALTER TABLE scoring.outlet_input DROP COLUMN dewan_pers_status;
ALTER TABLE scoring.outlet_input DROP COLUMN chief_editor_ukw;
ALTER TABLE scoring.outlet_input DROP COLUMN journalists_total;
ALTER TABLE scoring.outlet_input DROP COLUMN journalists_valid_ukw;
ALTER TABLE scoring.outlet_input DROP COLUMN established_on;
