-- Users' e-mail addresses, and password resets by e-mail (docs/adr/0016).

-- "" = none. Checked by sk_email_valid; one account per address (compared
-- without case), so "forgot my password" finds at most one.
ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT ''
    CHECK (email = '' OR (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'));
CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email <> '';

-- The version of each user last told to the other services (gateway.user.*
-- events; distribution keeps its accounts from them). A change made where
-- no event is written (seklikctl, a password) or made before this column
-- existed is told by the gateway's announce job.
ALTER TABLE users ADD COLUMN announced_version bigint NOT NULL DEFAULT 0;
CREATE INDEX users_unannounced ON users (id) WHERE announced_version < version;

-- One row per reset request, whatever its outcome, so that an unknown
-- account costs the same work as a known one and the throttle counts both.
-- Only the token's SHA-256 is kept. `user_id` is NULL when the request
-- reached no account (unknown, disabled, without an address, or over its
-- account's limit): such a token opens nothing. `account_key` is what the
-- per-account limit counts: the user's id, or the name as typed.
CREATE TABLE password_resets (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    account_key text NOT NULL,
    remote_addr text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_addr ON password_resets (remote_addr, created_at);
CREATE INDEX password_resets_account ON password_resets (account_key, created_at);
CREATE INDEX password_resets_user ON password_resets (user_id) WHERE user_id IS NOT NULL;
