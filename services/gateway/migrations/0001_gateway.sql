-- Users, sessions and login attempts of the gateway (issue 5).
-- Usernames are stored lower-cased (domain.c normalises them), so the unique
-- key is on what the name is, not on how someone typed it. Passwords are
-- Argon2id strings from libsodium's crypto_pwhash_str; a session is found by
-- the SHA-256 of its cookie value, never by the value itself.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 3 AND 64),
    display_name text NOT NULL DEFAULT '',
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    roles text[] NOT NULL CHECK (cardinality(roles) BETWEEN 1 AND 8 AND roles <@ ARRAY[
        'admin', 'verifier', 'partnership', 'pr', 'finance', 'head', 'partner']::text[]),
    company_id uuid,
    disabled boolean NOT NULL DEFAULT false,
    locale text NOT NULL DEFAULT 'id' CHECK (locale IN ('id', 'en')),
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    -- A partner account has the partner role alone; only it may belong to a company.
    CHECK (NOT ('partner' = ANY (roles)) OR roles = ARRAY['partner']::text[]),
    CHECK (company_id IS NULL OR roles = ARRAY['partner']::text[])
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    csrf_token text NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    remote_addr text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Every login attempt that reached the password check (throttled attempts
-- are refused before it and only audited). Failures within the window count
-- per username (after its last success) and per address.
CREATE TABLE login_attempts (
    id bigserial PRIMARY KEY,
    username text NOT NULL,
    remote_addr text NOT NULL DEFAULT '',
    at timestamptz NOT NULL DEFAULT now(),
    ok boolean NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_addr ON login_attempts (remote_addr, at) WHERE NOT ok;

-- Self sign-ups per address, for their throttle.
CREATE TABLE signup_attempts (
    id bigserial PRIMARY KEY,
    remote_addr text NOT NULL DEFAULT '',
    at timestamptz NOT NULL DEFAULT now(),
    ok boolean NOT NULL
);
CREATE INDEX signup_attempts_addr ON signup_attempts (remote_addr, at);
