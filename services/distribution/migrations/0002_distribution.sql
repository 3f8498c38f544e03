-- Press releases, their recipients, the mail queue, and the read model of the
-- partners they go to (from registry, verification and scoring events).

-- ---- read model: who the partners are and where they are reached ----

-- One press company as the registry's events describe it; `verified` and
-- its neighbours come from verification's events (either may arrive first).
CREATE TABLE distribution.company (
    id          uuid PRIMARY KEY,
    legal_name  text NOT NULL DEFAULT '',
    emails      text[] NOT NULL DEFAULT '{}',   -- its contacts' valid addresses, lower case, no repeats
    verified    boolean NOT NULL DEFAULT false,
    suspended   boolean NOT NULL DEFAULT false,
    valid_until date,                            -- NULL: no end known
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE distribution.outlet (
    id         uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    name       text NOT NULL,
    type       smallint NOT NULL CHECK (type BETWEEN 1 AND 4)   -- seklik.registry.OutletType
);
CREATE INDEX outlet_company ON distribution.outlet (company_id);

CREATE TABLE distribution.outlet_tier (
    outlet_id   uuid NOT NULL,
    fiscal_year int NOT NULL,
    tier        smallint NOT NULL CHECK (tier BETWEEN 0 AND 3),  -- seklik.scoring.Tier
    PRIMARY KEY (outlet_id, fiscal_year)
);

-- ---- releases ----

CREATE TABLE distribution.release (
    id               uuid PRIMARY KEY,
    state            text NOT NULL CHECK (state IN ('draft', 'scheduled', 'sent')),
    version          int NOT NULL DEFAULT 1,     -- the current text version
    selection        bytea NOT NULL,             -- packed seklik.distribution.RecipientSelection
    embargo_until    timestamptz,
    scheduled_at     timestamptz,
    scheduled_by     text,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    revision         bigint NOT NULL DEFAULT 1,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK (state = 'draft' OR scheduled_at IS NOT NULL)
);
CREATE INDEX release_due ON distribution.release (embargo_until) WHERE state = 'scheduled';
CREATE INDEX release_updated ON distribution.release (updated_at DESC, id DESC);

-- Version 1 is the draft's text, rewritten while it is a draft; a correction
-- of a sent release adds version n + 1 and never changes an older one.
CREATE TABLE distribution.release_version (
    release_id       uuid NOT NULL REFERENCES distribution.release (id),
    version          int NOT NULL CHECK (version >= 1),
    title            text NOT NULL,
    lead             text NOT NULL,
    body_md          text NOT NULL,
    body_html        text NOT NULL,              -- rendered by libcmark, raw HTML omitted
    category         smallint NOT NULL,
    contact_name     text NOT NULL,
    contact_role     text NOT NULL,
    contact_phone    text NOT NULL,
    contact_email    text NOT NULL,
    agenda_title     text NOT NULL,
    agenda_starts_at timestamptz,
    agenda_place     text NOT NULL,
    note             text NOT NULL DEFAULT '',   -- a correction's reason
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    PRIMARY KEY (release_id, version)
);

-- Photos and attachments; fixed once the release is sent.
CREATE TABLE distribution.file (
    id           uuid PRIMARY KEY,
    release_id   uuid NOT NULL REFERENCES distribution.release (id),
    kind         text NOT NULL CHECK (kind IN ('photo', 'attachment')),
    file_name    text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    width        int NOT NULL DEFAULT 0,
    height       int NOT NULL DEFAULT 0,
    caption      text NOT NULL DEFAULT '',
    content      bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL
);
CREATE INDEX file_release ON distribution.file (release_id, created_at);

-- The recipients, frozen when the release is sent and kept.
CREATE TABLE distribution.recipient (
    release_id   uuid NOT NULL REFERENCES distribution.release (id),
    company_id   uuid NOT NULL,
    company_name text NOT NULL,
    addresses    text[] NOT NULL,
    PRIMARY KEY (release_id, company_id)
);
CREATE INDEX recipient_company ON distribution.recipient (company_id, release_id);

CREATE TABLE distribution.recipient_outlet (
    release_id  uuid NOT NULL,
    company_id  uuid NOT NULL,
    outlet_id   uuid NOT NULL,
    name        text NOT NULL,
    type        smallint NOT NULL,
    tier        smallint,                        -- NULL: not scored for the year
    PRIMARY KEY (release_id, outlet_id),
    FOREIGN KEY (release_id, company_id) REFERENCES distribution.recipient (release_id, company_id)
);

-- Read receipts: the first opening of each version by each recipient.
CREATE TABLE distribution.inbox_read (
    release_id uuid NOT NULL,
    company_id uuid NOT NULL,
    version    int NOT NULL,
    read_at    timestamptz NOT NULL DEFAULT now(),
    read_by    text NOT NULL,
    PRIMARY KEY (release_id, company_id, version),
    FOREIGN KEY (release_id, company_id) REFERENCES distribution.recipient (release_id, company_id)
);

CREATE TABLE distribution.pickup (
    id           uuid PRIMARY KEY,
    release_id   uuid NOT NULL,
    company_id   uuid NOT NULL,
    outlet_id    uuid,
    outlet_name  text NOT NULL DEFAULT '',
    url          text NOT NULL,
    published_at timestamptz,
    reported_at  timestamptz NOT NULL DEFAULT now(),
    reported_by  text NOT NULL,
    by_staff     boolean NOT NULL,
    UNIQUE (release_id, company_id, url),
    FOREIGN KEY (release_id, company_id) REFERENCES distribution.recipient (release_id, company_id)
);

-- ---- the mail queue: one message, delivered to many addresses ----

-- A message is rendered once (subject, text, HTML) and carries files by
-- reference. `kind` names its template ('release', 'correction'; later ones
-- plug in without a change here).
CREATE TABLE distribution.mail_message (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL,
    release_id      uuid REFERENCES distribution.release (id),
    release_version int,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_message_release ON distribution.mail_message (release_id);

CREATE TABLE distribution.mail_message_file (
    message_id uuid NOT NULL REFERENCES distribution.mail_message (id),
    file_id    uuid NOT NULL REFERENCES distribution.file (id),
    position   int NOT NULL,
    PRIMARY KEY (message_id, file_id)
);

-- One row per (message, address): its id is the Message-ID's left part.
-- 'attempting' rows belong to the database session that claimed them
-- (claim_pid, claim_backend_start); `handed_at` is set just before the last
-- bytes of the message go to the relay. A claim whose session is gone is
-- settled by the next run: not handed -> queued again (the relay dropped the
-- unfinished message with the connection), handed -> sent, unconfirmed.
CREATE TABLE distribution.mail_delivery (
    id                  uuid PRIMARY KEY,
    message_id          uuid NOT NULL REFERENCES distribution.mail_message (id),
    address             text NOT NULL,
    company_id          uuid,
    state               text NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'attempting', 'sent', 'failed', 'bounced')),
    attempts            int NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    claimed_at          timestamptz,
    claim_pid           int,
    claim_backend_start timestamptz,
    handed_at           timestamptz,
    sent_at             timestamptz,
    confirmed           boolean NOT NULL DEFAULT false,
    last_reply          text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (message_id, address)
);
CREATE INDEX mail_delivery_due ON distribution.mail_delivery (next_attempt_at) WHERE state = 'queued';
CREATE INDEX mail_delivery_claimed ON distribution.mail_delivery (claimed_at) WHERE state = 'attempting';
CREATE INDEX mail_delivery_company ON distribution.mail_delivery (company_id, message_id);
