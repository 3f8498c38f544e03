-- Four-eyes (issue 10, item 6). A final decision (verified, rejected,
-- suspended) is a proposal until a second person approves it; who uploaded
-- each document version is kept so that nobody judges their own upload;
-- findings for staff only (identity clashes a partner must not learn of);
-- and the identity numbers of each year's verified companies, unique.

CREATE TABLE case_proposal (
    id            uuid PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES verification_case (id),
    outcome       text NOT NULL CHECK (outcome IN ('verified', 'rejected', 'suspended')),
    reason        text NOT NULL DEFAULT '',
    proposed_by   text NOT NULL CHECK (proposed_by <> ''),
    proposed_at   timestamptz NOT NULL DEFAULT now(),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'returned')),
    approved_by   text,
    approved_at   timestamptz,
    returned_by   text,
    returned_at   timestamptz,
    return_reason text,
    -- The rule is the domain's (verification_may_approve); the database
    -- keeps its core too, so no code path can store a one-person decision.
    CHECK (status <> 'approved' OR (approved_by IS NOT NULL AND approved_by <> proposed_by)),
    CHECK (status <> 'returned' OR returned_by IS NOT NULL)
);
-- One decision waits at a time.
CREATE UNIQUE INDEX case_proposal_pending ON case_proposal (case_id) WHERE status = 'pending';
CREATE INDEX case_proposal_case ON case_proposal (case_id, proposed_at);

-- The decision in force: decided_by proposed it, approved_by approved it.
ALTER TABLE verification_case ADD COLUMN approved_by text;
ALTER TABLE verification_case ADD COLUMN approved_at timestamptz;

-- From the registry's document events (Document.uploaded_by); NULL for
-- versions recorded before this migration (their uploader is unknown).
ALTER TABLE case_document ADD COLUMN uploaded_by text;

ALTER TABLE finding ADD COLUMN staff_only boolean NOT NULL DEFAULT false;

-- No two companies verified for the same fiscal year hold one NPWP or NIK
-- (the registry accepts a partner's duplicate so as not to reveal which
-- numbers exist). Keys are verification_identity_key()'s.
CREATE TABLE verified_identity (
    fiscal_year integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('npwp', 'nik')),
    digits      text NOT NULL,
    company_id  text NOT NULL,
    case_id     uuid NOT NULL REFERENCES verification_case (id),
    PRIMARY KEY (fiscal_year, kind, digits)
);
CREATE INDEX verified_identity_company ON verified_identity (company_id, fiscal_year);
