-- Issue 11: verification as DOMAIN.md says it.

-- The outcome is decided per outlet (media): a company's radio can be
-- verified while its online outlet is not. The company's documents are
-- shared; an outlet's own documents count for it alone. Cases opened before
-- this migration get their outlets from their snapshot when the service
-- starts (the backfill job), with the case's outcome.
CREATE TABLE case_outlet (
    case_id     uuid NOT NULL REFERENCES verification_case (id),
    outlet_id   text NOT NULL,
    outlet_type integer NOT NULL CHECK (outlet_type BETWEEN 1 AND 4),
    name        text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'verified', 'rejected', 'suspended')),
    valid_until date,
    reason      text,
    decided_by  text,
    approved_by text,
    decided_at  timestamptz,
    PRIMARY KEY (case_id, outlet_id),
    CHECK (state <> 'verified' OR valid_until IS NOT NULL)
);
CREATE INDEX case_outlet_state ON case_outlet (state, case_id);

-- A proposal names the outlets its outcome is for.
ALTER TABLE case_proposal ADD COLUMN outlet_ids jsonb NOT NULL DEFAULT '[]';

-- A document slot knows whose it is, and which accepted version the
-- verification rests on: a replacement uploaded after the decision is
-- judged before it counts, while the version accepted stays in force.
ALTER TABLE case_document ADD COLUMN person_id text;
ALTER TABLE case_document ADD COLUMN outlet_id text;
ALTER TABLE case_document ADD COLUMN issued_on date;
ALTER TABLE case_document ADD COLUMN dewan_pers_status integer NOT NULL DEFAULT 0;
ALTER TABLE case_document ADD COLUMN in_force_document_id text;
ALTER TABLE case_document ADD COLUMN in_force_expires_on date;
ALTER TABLE case_document ADD COLUMN in_force_dewan_pers_status integer NOT NULL DEFAULT 0;
UPDATE case_document SET person_id = nullif(split_part(slot, '/', 2), ''),
                         outlet_id = nullif(split_part(slot, '/', 3), '');
UPDATE case_document SET in_force_document_id = document_id, in_force_expires_on = expires_on
 WHERE decision = 'accepted';

-- Photos staff uploaded for the case's factual visit: the only images a
-- visit may cite.
CREATE TABLE case_visit_photo (
    case_id      uuid NOT NULL REFERENCES verification_case (id),
    document_id  text NOT NULL,
    file_name    text NOT NULL DEFAULT '',
    content_type text NOT NULL,
    uploaded_by  text NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, document_id)
);

-- An upheld objection reopens the case.
ALTER TABLE verification_case ADD COLUMN reopened_at timestamptz;

-- The company's legal form as submitted (seklik.registry.LegalForm; 0 =
-- not recorded): a PT needs its SK Kemenkumham and domicile letter
-- whatever the requirement set says.
ALTER TABLE verification_case ADD COLUMN legal_form integer NOT NULL DEFAULT 0;

-- Opening a fiscal year: its registration window and CV rule, and drafts
-- of its requirement sets to review and publish.
CREATE TABLE fiscal_year (
    fiscal_year            integer PRIMARY KEY CHECK (fiscal_year BETWEEN 2000 AND 2100),
    registration_opens_on  date NOT NULL,
    registration_closes_on date NOT NULL CHECK (registration_closes_on >= registration_opens_on),
    cv_allowed             boolean NOT NULL,
    opened_at              timestamptz NOT NULL DEFAULT now(),
    opened_by              text NOT NULL,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE requirement_set_draft (
    fiscal_year  integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    outlet_type  integer NOT NULL CHECK (outlet_type BETWEEN 1 AND 4),
    requirements jsonb NOT NULL,
    saved_at     timestamptz NOT NULL DEFAULT now(),
    saved_by     text NOT NULL,
    PRIMARY KEY (fiscal_year, outlet_type)
);

-- The year's list names outlets; once final it changes only by audited
-- amendments (a suspension), each counted.
ALTER TABLE announcement ADD COLUMN entries jsonb NOT NULL DEFAULT '[]';
ALTER TABLE announcement ADD COLUMN amendment integer NOT NULL DEFAULT 0;
