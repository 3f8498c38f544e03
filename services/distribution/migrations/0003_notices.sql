-- Mail for the rest of the system and notices of what a user must act on
-- (docs/adr/0016).

-- The gateway's accounts as its events describe them (gateway.user.*):
-- who a notice reaches, in which language, and at which address.
CREATE TABLE distribution.account (
    id           uuid PRIMARY KEY,
    username     text NOT NULL DEFAULT '',
    display_name text NOT NULL DEFAULT '',
    roles        text[] NOT NULL DEFAULT '{}',
    company_id   uuid,                          -- a partner's bound company
    disabled     boolean NOT NULL DEFAULT false,
    locale       text NOT NULL DEFAULT 'id',
    email        text NOT NULL DEFAULT '',      -- valid (sk_email_valid) or ''
    version      bigint NOT NULL DEFAULT 0,     -- the gateway's; older events change nothing
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_company ON distribution.account (company_id) WHERE company_id IS NOT NULL;

-- One notice per user and matter (dedupe_key: "document_rejected:<document>:
-- <version>:<decided at>", "decision_awaiting:<proposal>"), so a replayed or
-- repeated event raises nothing twice.
CREATE TABLE distribution.notice (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL,
    kind            smallint NOT NULL CHECK (kind BETWEEN 1 AND 6),  -- seklik.distribution.NoticeKind
    dedupe_key      text NOT NULL,
    company_id      uuid,                       -- the company it concerns; a partner sees only its own
    company_name    text NOT NULL DEFAULT '',
    subject_id      text NOT NULL DEFAULT '',   -- the case, order or invoice
    link            text NOT NULL DEFAULT '',
    params          jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    resolved_at     timestamptz,
    mail_message_id uuid REFERENCES distribution.mail_message (id),
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notice_user ON distribution.notice (user_id, created_at DESC, id DESC);
CREATE INDEX notice_unread ON distribution.notice (user_id) WHERE read_at IS NULL;
CREATE INDEX notice_subject ON distribution.notice (kind, subject_id) WHERE resolved_at IS NULL;

-- Which kinds a user also wants by e-mail; none until chosen.
CREATE TABLE distribution.notice_preference (
    user_id    uuid NOT NULL,
    kind       smallint NOT NULL CHECK (kind BETWEEN 1 AND 6),
    email      boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind)
);

-- Personal mail (a reset link, a notice) beside the releases' bulk: whose
-- it is, and a priority that puts it ahead of a thousand copies of a
-- release queued before it.
ALTER TABLE distribution.mail_message ADD COLUMN locale text NOT NULL DEFAULT 'id';
ALTER TABLE distribution.mail_delivery ADD COLUMN user_id uuid;
ALTER TABLE distribution.mail_delivery ADD COLUMN priority smallint NOT NULL DEFAULT 1;
CREATE INDEX mail_delivery_due_priority ON distribution.mail_delivery (priority, next_attempt_at)
    WHERE state = 'queued';
CREATE INDEX mail_delivery_user ON distribution.mail_delivery (user_id) WHERE user_id IS NOT NULL;

-- A password reset's text holds a key to an account: it is wiped once no
-- delivery of it waits any more (the mail job).
CREATE INDEX mail_message_secret ON distribution.mail_message (id)
    WHERE kind = 'password_reset' AND text_body <> '';
