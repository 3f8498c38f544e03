-- Requirement sets, verification cases with their documents and findings, the
-- yearly announcement with its objections, and the expiry notices already sent.
-- Company and document ids come from the registry: kept as text, never joined.

-- What judges a company: per fiscal year and outlet type, versioned; the
-- newest published version is the one that applies.
CREATE TABLE requirement_set (
    id           uuid PRIMARY KEY,
    fiscal_year  integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    outlet_type  integer NOT NULL CHECK (outlet_type BETWEEN 1 AND 4),
    version      integer NOT NULL CHECK (version > 0),
    requirements jsonb NOT NULL,  -- [{"type":4,"required":true,"must_not_be_expired":true}]
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL,
    UNIQUE (fiscal_year, outlet_type, version)
);

CREATE TABLE verification_case (
    id                  uuid PRIMARY KEY,      -- UUIDv7: orders by opening time
    company_id          text NOT NULL,
    company_name        text NOT NULL,
    fiscal_year         integer NOT NULL,
    state               text NOT NULL CHECK (state IN ('opened', 'in_review', 'needs_revision',
                            'visit_pending', 'visited', 'verified', 'rejected', 'suspended')),
    registered_by       text NOT NULL,         -- four-eyes: may not decide on this case
    outlet_types        jsonb NOT NULL DEFAULT '[]',
    requirement_set_ids jsonb NOT NULL DEFAULT '[]',
    opened_at           timestamptz NOT NULL DEFAULT now(),
    decided_at          timestamptz,
    decided_by          text,
    valid_until         date,
    reason              text,
    visit               jsonb,
    snapshot            bytea                  -- the submitted seklik.registry.Company, packed
);
-- One live case per company and year: a re-submission opens a new case only
-- after the previous one was rejected or suspended.
CREATE UNIQUE INDEX verification_case_live ON verification_case (company_id, fiscal_year)
    WHERE state NOT IN ('rejected', 'suspended');
CREATE INDEX verification_case_company ON verification_case (company_id, id);
CREATE INDEX verification_case_year_state ON verification_case (fiscal_year, state);

-- The newest version of each document "slot" (type, and person or outlet for
-- per-person / per-outlet documents); a re-upload replaces the row.
CREATE TABLE case_document (
    case_id     uuid NOT NULL REFERENCES verification_case (id),
    slot        text NOT NULL,                 -- "type/person_id/outlet_id"
    document_id text NOT NULL,
    type        integer NOT NULL,
    version     integer NOT NULL,
    number      text NOT NULL DEFAULT '',
    expires_on  date,
    decision    text NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'accepted', 'rejected')),
    reason      text,
    decided_by  text,
    decided_at  timestamptz,
    PRIMARY KEY (case_id, slot)
);
CREATE INDEX case_document_expiry ON case_document (expires_on) WHERE decision = 'accepted';

-- Automatic findings. origin 'company' comes from the submitted snapshot
-- (formats, KBLI) and stays; origin 'documents' is recomputed on each change.
CREATE TABLE finding (
    id            bigserial PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES verification_case (id),
    origin        text NOT NULL CHECK (origin IN ('company', 'documents')),
    code          text NOT NULL,
    document_type integer NOT NULL DEFAULT 0,
    message       text NOT NULL,
    blocking      boolean NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX finding_case ON finding (case_id);

CREATE TABLE announcement (
    fiscal_year          integer PRIMARY KEY,
    announced_at         timestamptz NOT NULL DEFAULT now(),
    announced_by         text NOT NULL,
    objection_until      timestamptz NOT NULL,
    verified_company_ids jsonb NOT NULL DEFAULT '[]',
    finalized_at         timestamptz,
    finalized_by         text
);

CREATE TABLE objection (
    id          uuid PRIMARY KEY,
    fiscal_year integer NOT NULL REFERENCES announcement (fiscal_year),
    company_id  text NOT NULL,
    reason      text NOT NULL,
    raised_at   timestamptz NOT NULL DEFAULT now(),
    raised_by   text NOT NULL,
    answer      text,
    upheld      boolean NOT NULL DEFAULT false,
    answered_at timestamptz,
    answered_by text,
    UNIQUE (fiscal_year, company_id)           -- one objection per company per year
);

-- verification.document.expiring is sent once per (document, expiry).
CREATE TABLE expiry_notice (
    document_id text NOT NULL,
    expires_on  date NOT NULL,
    company_id  text NOT NULL,
    noticed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, expires_on)
);
