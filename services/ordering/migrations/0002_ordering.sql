-- Agreements, orders with their offers and proofs, the year's settings and
-- number counter, and the read model of scoring's tiers and ceilings
-- (docs/adr/0014-ordering.md). States and enums are the numbers of
-- proto/seklik/ordering.proto and scoring.proto.

CREATE TABLE ordering.year_settings (
    fiscal_year int PRIMARY KEY CHECK (fiscal_year BETWEEN 2000 AND 2100),
    approval_threshold bigint NOT NULL CHECK (approval_threshold >= 0),
    number_format text NOT NULL,
    proof_grace_days int NOT NULL CHECK (proof_grace_days BETWEEN 0 AND 365),
    default_budget_line_id uuid,
    closed boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT ''
);

-- The last number given per year. Only the transaction that issues an order
-- moves it, holding its row lock until commit: a rollback leaves no gap.
CREATE TABLE ordering.number_counter (
    fiscal_year int PRIMARY KEY,
    last_seq int NOT NULL CHECK (last_seq >= 0)
);

-- ---- read model: scoring.outlet.tiered, scoring.price_standard.published,
-- registry.company.* (names only) ----

CREATE TABLE ordering.outlet (
    outlet_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    company_id uuid NOT NULL,
    outlet_name text NOT NULL DEFAULT '',
    outlet_type smallint NOT NULL CHECK (outlet_type BETWEEN 1 AND 4),
    tier smallint NOT NULL CHECK (tier BETWEEN 0 AND 3),
    total int NOT NULL,
    suspended boolean NOT NULL,
    PRIMARY KEY (outlet_id, fiscal_year)
);
CREATE INDEX outlet_company ON ordering.outlet (company_id, fiscal_year);

CREATE TABLE ordering.price_standard (
    fiscal_year int PRIMARY KEY,
    id uuid NOT NULL,
    version int NOT NULL CHECK (version > 0)
);

CREATE TABLE ordering.ceiling (
    fiscal_year int NOT NULL,
    outlet_type smallint NOT NULL CHECK (outlet_type BETWEEN 1 AND 4),
    product smallint NOT NULL CHECK (product BETWEEN 1 AND 12),
    tier smallint NOT NULL CHECK (tier BETWEEN 1 AND 3),
    ceiling bigint NOT NULL CHECK (ceiling > 0),
    PRIMARY KEY (fiscal_year, outlet_type, product, tier)
);

CREATE TABLE ordering.company (
    company_id uuid PRIMARY KEY,
    name text NOT NULL
);

-- ---- agreements ----

CREATE TABLE ordering.agreement (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    number text NOT NULL,
    value bigint NOT NULL CHECK (value > 0),
    valid_from date NOT NULL,
    valid_until date NOT NULL,
    budget_line_id uuid,
    state smallint NOT NULL CHECK (state BETWEEN 1 AND 4),
    -- gross of the orders holding it: issued (or being issued), not cancelled
    used_value bigint NOT NULL DEFAULT 0,
    signed_on date,
    document bytea,
    document_sha256 text,
    document_file_name text,
    cancelled_reason text,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until >= valid_from),
    CHECK (used_value BETWEEN 0 AND value),
    CHECK (state <> 2 OR (signed_on IS NOT NULL AND document IS NOT NULL))
);
-- One live agreement per company and year; numbers unique among live ones.
CREATE UNIQUE INDEX agreement_one_per_company ON ordering.agreement (company_id, fiscal_year)
    WHERE state IN (1, 2);
CREATE UNIQUE INDEX agreement_number ON ordering.agreement (fiscal_year, number) WHERE state <> 4;

CREATE TABLE ordering.agreement_quota (
    agreement_id uuid NOT NULL REFERENCES ordering.agreement (id) ON DELETE CASCADE,
    product smallint NOT NULL CHECK (product BETWEEN 1 AND 12),
    placements int NOT NULL CHECK (placements > 0),
    used int NOT NULL DEFAULT 0,
    PRIMARY KEY (agreement_id, product),
    CHECK (used BETWEEN 0 AND placements)
);

-- ---- orders ----

CREATE TABLE ordering.orders (
    id uuid PRIMARY KEY,
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    agreement_id uuid NOT NULL REFERENCES ordering.agreement (id),
    company_id uuid NOT NULL,
    outlet_id uuid NOT NULL,
    product smallint NOT NULL CHECK (product BETWEEN 1 AND 12),
    quantity int NOT NULL CHECK (quantity > 0),
    schedule_from date NOT NULL,
    schedule_to date NOT NULL,
    title text NOT NULL,
    brief text NOT NULL DEFAULT '',
    press_release_id uuid,
    budget_line_id uuid,
    state smallint NOT NULL CHECK (state BETWEEN 1 AND 13),
    ceiling bigint NOT NULL CHECK (ceiling > 0),
    unit_price bigint NOT NULL DEFAULT 0,
    gross bigint NOT NULL DEFAULT 0,
    needs_approval boolean NOT NULL DEFAULT false,
    approved_by text,
    approved_at timestamptz,
    -- the issue saga: quota and value held since step 1 (released on refusal
    -- or cancellation), the line the money is reserved on, the state a
    -- refusal returns to
    held boolean NOT NULL DEFAULT false,
    reserve_line uuid,
    resume_state smallint,
    seq int,
    number text,
    issued_at timestamptz,
    issued_by text,
    issue_requested_by text,
    refusal_field text,
    refusal_reason text,
    cancelled_reason text,
    cancelled_at timestamptz,
    cancelled_by text,
    -- cancelled after issuing, and accounting has not yet voided the reservation
    release_pending boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (schedule_to >= schedule_from),
    CHECK ((seq IS NULL) = (number IS NULL)),
    CHECK (state NOT BETWEEN 8 AND 11 OR (seq IS NOT NULL AND held)),
    CHECK (state <> 7 OR (held AND reserve_line IS NOT NULL))
);
CREATE UNIQUE INDEX orders_seq ON ordering.orders (fiscal_year, seq);
CREATE INDEX orders_year_state ON ordering.orders (fiscal_year, state, id);
CREATE INDEX orders_company ON ordering.orders (company_id, fiscal_year, id);
CREATE INDEX orders_outlet ON ordering.orders (outlet_id, fiscal_year);
CREATE INDEX orders_agreement ON ordering.orders (agreement_id);
-- what the re-drive job looks for
CREATE INDEX orders_unfinished ON ordering.orders (id) WHERE state = 7 OR release_pending;

-- Every offer, in rounds: 1 = the office's first.
CREATE TABLE ordering.offer (
    order_id uuid NOT NULL REFERENCES ordering.orders (id),
    round int NOT NULL CHECK (round > 0),
    party smallint NOT NULL CHECK (party IN (1, 2)),
    unit_price bigint NOT NULL CHECK (unit_price > 0),
    gross bigint NOT NULL CHECK (gross > 0),
    note text NOT NULL DEFAULT '',
    offered_at timestamptz NOT NULL DEFAULT now(),
    offered_by text NOT NULL,
    PRIMARY KEY (order_id, round)
);

CREATE TABLE ordering.proof (
    order_id uuid NOT NULL REFERENCES ordering.orders (id),
    version int NOT NULL CHECK (version > 0),
    kind smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
    url text NOT NULL DEFAULT '',
    published_at timestamptz NOT NULL,
    file_name text NOT NULL DEFAULT '',
    content_type text NOT NULL DEFAULT '',
    sha256 text NOT NULL DEFAULT '',
    content bytea,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    submitted_by text NOT NULL,
    decision smallint NOT NULL DEFAULT 0 CHECK (decision IN (0, 1, 2)), -- pending, accepted, rejected
    reason text NOT NULL DEFAULT '',
    decided_at timestamptz,
    decided_by text,
    late boolean NOT NULL,
    PRIMARY KEY (order_id, version)
);
