-- Login throttling per username and address (issue 10, docs/adr/0012).
-- A login attempt is reserved as a failure before its password is checked
-- (count and insert under an advisory lock) and turned into a success after:
-- the pair (username, address) is now counted on its own.
CREATE INDEX login_attempts_user_addr ON login_attempts (username, remote_addr, at);

-- Addresses (throttle keys: IPv4, or an IPv6 /64) a user has logged in from:
-- from these the username's own limit is waived, so guesses from elsewhere
-- do not lock the owner out of the office.
CREATE TABLE known_addresses (
    username text NOT NULL,
    remote_addr text NOT NULL,
    last_ok_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, remote_addr)
);
CREATE INDEX known_addresses_last_ok ON known_addresses (last_ok_at);
