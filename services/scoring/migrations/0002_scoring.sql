-- Rule sets, price standards, the inputs scores are computed from (a read
-- model of registry and verification events) and the scores themselves.
-- Bodies are packed protobuf: seklik.scoring.RuleSet / PriceStandard (the
-- rules only; id, year, version and state live in the columns) and
-- OutletScore (breakdown lines only).

CREATE TABLE scoring.rule_set (
    id uuid PRIMARY KEY,
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    version int NOT NULL CHECK (version > 0),
    state text NOT NULL CHECK (state IN ('draft', 'published', 'superseded')),
    body bytea NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now(),
    saved_by text NOT NULL DEFAULT '',
    published_at timestamptz,
    published_by text
);
-- A draft's version is tentative (the next one); it is fixed on publishing.
CREATE UNIQUE INDEX rule_set_one_draft ON scoring.rule_set (fiscal_year) WHERE state = 'draft';
CREATE UNIQUE INDEX rule_set_one_published ON scoring.rule_set (fiscal_year) WHERE state = 'published';
CREATE UNIQUE INDEX rule_set_version ON scoring.rule_set (fiscal_year, version) WHERE state <> 'draft';

CREATE TABLE scoring.price_standard (
    id uuid PRIMARY KEY,
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    version int NOT NULL CHECK (version > 0),
    state text NOT NULL CHECK (state IN ('draft', 'published', 'superseded')),
    body bytea NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now(),
    saved_by text NOT NULL DEFAULT '',
    published_at timestamptz,
    published_by text
);
CREATE UNIQUE INDEX price_standard_one_draft ON scoring.price_standard (fiscal_year) WHERE state = 'draft';
CREATE UNIQUE INDEX price_standard_one_published ON scoring.price_standard (fiscal_year) WHERE state = 'published';
CREATE UNIQUE INDEX price_standard_version ON scoring.price_standard (fiscal_year, version) WHERE state <> 'draft';

-- One row per outlet, from the newest registry.company.* event.
-- outlet_type: 1 cetak, 2 siber, 3 radio, 4 tv (seklik.registry.OutletType);
-- dewan_pers_status and chief_editor_ukw: the registry enums' numbers.
CREATE TABLE scoring.outlet_input (
    outlet_id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    outlet_name text NOT NULL,
    outlet_type int NOT NULL,
    reach_value bigint NOT NULL CHECK (reach_value >= 0),
    dewan_pers_status int NOT NULL,
    chief_editor_ukw int NOT NULL,
    journalists_total int NOT NULL CHECK (journalists_total >= 0),
    journalists_valid_ukw int NOT NULL CHECK (journalists_valid_ukw BETWEEN 0 AND journalists_total),
    established_on date,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outlet_input_company ON scoring.outlet_input (company_id);

-- The company's standing per fiscal year, from verification.company.* events.
CREATE TABLE scoring.company_standing (
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    verified bool NOT NULL DEFAULT false,
    suspended bool NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, fiscal_year)
);
CREATE INDEX company_standing_year ON scoring.company_standing (fiscal_year) WHERE verified;

-- Only outlets of companies verified for the year have a score.
CREATE TABLE scoring.outlet_score (
    outlet_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    total int NOT NULL CHECK (total BETWEEN 0 AND 100),
    tier int NOT NULL CHECK (tier BETWEEN 0 AND 3),   -- seklik.scoring.Tier
    suspended bool NOT NULL DEFAULT false,
    breakdown bytea NOT NULL,
    rule_set_id uuid NOT NULL REFERENCES scoring.rule_set (id),
    rule_set_version int NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_id, fiscal_year)
);
CREATE INDEX outlet_score_year_tier ON scoring.outlet_score (fiscal_year, tier, outlet_id);

-- Last year's performance, to come from the ordering service; no row for a
-- company and year means no history: neutral points.
CREATE TABLE scoring.performance (
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    percent int NOT NULL CHECK (percent BETWEEN 0 AND 100),
    PRIMARY KEY (company_id, fiscal_year)
);
