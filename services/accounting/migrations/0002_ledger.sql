-- Budget lines (DPA) with their pagu revisions, and the double-entry ledger
-- every figure is derived from (docs/adr/0013-ledger-and-reservations.md).
--
-- Accounts carry debits/credits pending/posted and balance-limit flags that
-- CHECK constraints enforce in the transaction that moves the money. Transfers
-- are immutable, have caller-chosen ids, and are applied only by
-- accounting.apply_transfer, which moves both accounts' balances in one
-- statement. accounting.ledger_check() re-derives everything from the
-- transfers for `seklikctl check` and the tests.

CREATE TABLE accounting.budget_line (
    id uuid PRIMARY KEY,
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    sub_activity_code text NOT NULL
        CHECK (sub_activity_code ~ '^[0-9]\.[0-9]{2}\.[0-9]{2}\.[0-9]\.[0-9]{2}\.[0-9]{4}$'),
    account_code text NOT NULL
        CHECK (account_code ~ '^5\.[0-9]\.[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$'),
    name text NOT NULL CHECK (name <> '' AND octet_length(name) <= 250),
    -- 1 at creation, +1 per revision: the seq of the line's newest revision.
    version bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    CONSTRAINT budget_line_codes UNIQUE (fiscal_year, sub_activity_code, account_code)
);
CREATE INDEX budget_line_year ON accounting.budget_line (fiscal_year, sub_activity_code, account_code);

-- Kinds: per budget line appropriation / available / realised; issue 13 adds
-- per company partner_payable, and the office's tax_pph23, tax_ppn and cash
-- (code 'tax:pph23', 'tax:ppn', 'cash'; one per fiscal year is its choice).
CREATE TABLE accounting.account (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE,             -- 'line:<id>:available', 'partner:<company>:payable'
    kind text NOT NULL CHECK (kind IN ('appropriation', 'available', 'realised',
                                       'partner_payable', 'tax_pph23', 'tax_ppn', 'cash')),
    budget_line_id uuid REFERENCES accounting.budget_line (id),
    company_id uuid,
    debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_must_not_exceed_credits bool NOT NULL DEFAULT false,
    credits_must_not_exceed_debits bool NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The balance limits: PostgreSQL refuses the transfer that would break
    -- one, in its own transaction. Pending debits count against the limit, so
    -- a reservation holds its money until it is posted or voided.
    CONSTRAINT account_debits_within_credits CHECK (
        NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
    CONSTRAINT account_credits_within_debits CHECK (
        NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted),
    CONSTRAINT account_one_limit CHECK (
        NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
    CONSTRAINT account_owner CHECK (CASE
        WHEN kind IN ('appropriation', 'available', 'realised')
            THEN budget_line_id IS NOT NULL AND company_id IS NULL
        WHEN kind = 'partner_payable' THEN company_id IS NOT NULL AND budget_line_id IS NULL
        ELSE budget_line_id IS NULL AND company_id IS NULL END)
);
CREATE UNIQUE INDEX account_of_line ON accounting.account (budget_line_id, kind)
    WHERE budget_line_id IS NOT NULL;
CREATE UNIQUE INDEX account_of_company ON accounting.account (company_id, kind)
    WHERE company_id IS NOT NULL;

CREATE TABLE accounting.transfer (
    id uuid PRIMARY KEY,                   -- chosen by the caller: the idempotency id
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE, -- order applied (pages); may skip
    debit_account_id uuid NOT NULL REFERENCES accounting.account (id),
    credit_account_id uuid NOT NULL REFERENCES accounting.account (id),
    amount bigint NOT NULL CHECK (amount > 0),
    kind text NOT NULL CHECK (kind IN ('single', 'pending', 'post_pending', 'void_pending')),
    pending_id uuid REFERENCES accounting.transfer (id),
    code text NOT NULL CHECK (code <> ''), -- why: 'pagu.initial', 'reservation', ...
    reference text NOT NULL DEFAULT '',    -- the revision, order or invoice it belongs to
    memo text NOT NULL DEFAULT '',         -- for people: the DPA or order number
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    CHECK (debit_account_id <> credit_account_id),
    CHECK ((kind IN ('post_pending', 'void_pending')) = (pending_id IS NOT NULL))
);
-- A pending transfer is posted or voided once, never both, never twice.
CREATE UNIQUE INDEX transfer_completes_once ON accounting.transfer (pending_id)
    WHERE pending_id IS NOT NULL;
CREATE INDEX transfer_debit ON accounting.transfer (debit_account_id, seq);
CREATE INDEX transfer_credit ON accounting.transfer (credit_account_id, seq);
CREATE INDEX transfer_reference ON accounting.transfer (reference, seq) WHERE reference <> '';

CREATE TABLE accounting.revision (
    id uuid PRIMARY KEY,
    budget_line_id uuid NOT NULL REFERENCES accounting.budget_line (id),
    seq bigint NOT NULL CHECK (seq > 0),   -- the line's version it made
    kind text NOT NULL CHECK (kind IN ('initial', 'pergeseran', 'perubahan')),
    pagu_before bigint NOT NULL CHECK (pagu_before >= 0),
    pagu_after bigint NOT NULL CHECK (pagu_after >= 0),
    reason text NOT NULL DEFAULT '',
    document_number text NOT NULL DEFAULT '',
    transfer_id uuid UNIQUE REFERENCES accounting.transfer (id), -- NULL: no money moved (pagu 0)
    revised_at timestamptz NOT NULL DEFAULT now(),
    revised_by text NOT NULL,
    UNIQUE (budget_line_id, seq),
    CHECK ((kind = 'initial') = (seq = 1)),
    CHECK (kind = 'initial' OR pagu_before <> pagu_after),
    CHECK ((transfer_id IS NULL) = (pagu_before = pagu_after))
);

-- One reservation per order, ever: a pending transfer available -> realised
-- of its line, later posted (spent) or voided (released).
CREATE TABLE accounting.reservation (
    order_id uuid PRIMARY KEY,
    budget_line_id uuid NOT NULL REFERENCES accounting.budget_line (id),
    amount bigint NOT NULL CHECK (amount > 0),
    order_number text NOT NULL DEFAULT '',
    state text NOT NULL CHECK (state IN ('pending', 'posted', 'voided')),
    transfer_id uuid NOT NULL UNIQUE REFERENCES accounting.transfer (id),
    completed_by_transfer_id uuid UNIQUE REFERENCES accounting.transfer (id),
    reason text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    completed_at timestamptz,
    completed_by text,
    CHECK ((state = 'pending') = (completed_by_transfer_id IS NULL)),
    CHECK ((state = 'pending') = (completed_at IS NULL))
);
CREATE INDEX reservation_line ON accounting.reservation (budget_line_id, state);

-- ---- immutability ----

CREATE FUNCTION accounting.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'accounting.%: rows are never changed or removed; a correction is a new row',
        TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER transfer_immutable BEFORE UPDATE OR DELETE ON accounting.transfer
    FOR EACH ROW EXECUTE FUNCTION accounting.refuse_change();
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON accounting.transfer
    FOR EACH STATEMENT EXECUTE FUNCTION accounting.refuse_change();
CREATE TRIGGER revision_immutable BEFORE UPDATE OR DELETE ON accounting.revision
    FOR EACH ROW EXECUTE FUNCTION accounting.refuse_change();
CREATE TRIGGER revision_no_truncate BEFORE TRUNCATE ON accounting.revision
    FOR EACH STATEMENT EXECUTE FUNCTION accounting.refuse_change();

-- An account's identity and limits are fixed at creation, and its balances
-- move only inside apply_transfer (which says so in a transaction-local
-- setting): a stray UPDATE cannot make balances disagree with transfers.
CREATE FUNCTION accounting.account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'accounting.account: accounts are never removed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.code, NEW.kind, NEW.budget_line_id, NEW.company_id,
        NEW.debits_must_not_exceed_credits, NEW.credits_must_not_exceed_debits, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.code, OLD.kind, OLD.budget_line_id, OLD.company_id,
        OLD.debits_must_not_exceed_credits, OLD.credits_must_not_exceed_debits, OLD.created_at) THEN
        RAISE EXCEPTION 'accounting.account %: identity and limits are fixed', OLD.code
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF coalesce(current_setting('accounting.applying', true), '') <> 'on' THEN
        RAISE EXCEPTION 'accounting.account %: balances move only through apply_transfer', OLD.code
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER account_guard BEFORE UPDATE OR DELETE ON accounting.account
    FOR EACH ROW EXECUTE FUNCTION accounting.account_guard();
CREATE TRIGGER account_no_truncate BEFORE TRUNCATE ON accounting.account
    FOR EACH STATEMENT EXECUTE FUNCTION accounting.refuse_change();

-- ---- applying a transfer ----

-- Apply one transfer, or recognise it as applied: returns true when a
-- transfer with this id exists with the same fields (nothing changes), false
-- when it was applied now. For post_pending / void_pending the accounts and
-- amount may be NULL (taken from the pending transfer); when given they must
-- match it. Refusals (SQLSTATE): same id with other fields, or a pending
-- transfer completed already: 23505; a balance limit: 23514 (the account's
-- constraint); no such pending transfer or account: 23503.
CREATE FUNCTION accounting.apply_transfer(
    p_id uuid, p_debit uuid, p_credit uuid, p_amount bigint, p_kind text, p_pending uuid,
    p_code text, p_reference text, p_memo text, p_by text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    t accounting.transfer%ROWTYPE;
    p accounting.transfer%ROWTYPE;
    v_debit uuid := p_debit;
    v_credit uuid := p_credit;
    v_amount bigint := p_amount;
    dp bigint := 0; dpo bigint := 0; cp bigint := 0; cpo bigint := 0;
    moved int;
BEGIN
    IF p_kind IN ('post_pending', 'void_pending') THEN
        SELECT * INTO p FROM accounting.transfer WHERE id = p_pending;
        IF NOT FOUND OR p.kind <> 'pending' THEN
            RAISE EXCEPTION 'transfer %: % is not a pending transfer', p_id, p_pending
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        v_debit := coalesce(v_debit, p.debit_account_id);
        v_credit := coalesce(v_credit, p.credit_account_id);
        v_amount := coalesce(v_amount, p.amount);
        IF (v_debit, v_credit, v_amount) IS DISTINCT FROM
           (p.debit_account_id, p.credit_account_id, p.amount) THEN
            RAISE EXCEPTION 'transfer %: accounts and amount must be those of pending %',
                p_id, p_pending USING ERRCODE = 'check_violation';
        END IF;
    END IF;

    -- Transfers between the same accounts apply one at a time: the lock is
    -- held to commit, so a replay arriving meanwhile sees the first. Id order
    -- keeps two transfers over the same pair from deadlocking.
    PERFORM 1 FROM accounting.account WHERE id IN (v_debit, v_credit) ORDER BY id FOR UPDATE;

    SELECT * INTO t FROM accounting.transfer WHERE id = p_id;
    IF FOUND THEN
        IF (t.debit_account_id, t.credit_account_id, t.amount, t.kind, t.pending_id, t.code,
            t.reference, t.memo)
           IS NOT DISTINCT FROM
           (v_debit, v_credit, v_amount, p_kind, p_pending, p_code,
            coalesce(p_reference, ''), coalesce(p_memo, '')) THEN
            RETURN true;
        END IF;
        RAISE EXCEPTION 'transfer % exists with other fields', p_id USING ERRCODE = 'unique_violation';
    END IF;

    INSERT INTO accounting.transfer (id, debit_account_id, credit_account_id, amount, kind,
                                     pending_id, code, reference, memo, created_by)
    VALUES (p_id, v_debit, v_credit, v_amount, p_kind, p_pending, p_code,
            coalesce(p_reference, ''), coalesce(p_memo, ''), p_by);

    CASE p_kind
        WHEN 'single' THEN dpo := v_amount; cpo := v_amount;
        WHEN 'pending' THEN dp := v_amount; cp := v_amount;
        WHEN 'post_pending' THEN dp := -v_amount; dpo := v_amount; cp := -v_amount; cpo := v_amount;
        WHEN 'void_pending' THEN dp := -v_amount; cp := -v_amount;
    END CASE;

    PERFORM set_config('accounting.applying', 'on', true);
    UPDATE accounting.account SET
        debits_pending = debits_pending + CASE WHEN id = v_debit THEN dp ELSE 0 END,
        debits_posted = debits_posted + CASE WHEN id = v_debit THEN dpo ELSE 0 END,
        credits_pending = credits_pending + CASE WHEN id = v_credit THEN cp ELSE 0 END,
        credits_posted = credits_posted + CASE WHEN id = v_credit THEN cpo ELSE 0 END
    WHERE id IN (v_debit, v_credit);
    GET DIAGNOSTICS moved = ROW_COUNT;
    PERFORM set_config('accounting.applying', 'off', true);
    IF moved <> 2 THEN
        RAISE EXCEPTION 'transfer %: account missing', p_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN false;
END $$;

-- ---- the invariants ----

-- One row per invariant: its name, whether it holds, and a detail (the first
-- offenders when it does not). Read-only, so it runs inside `seklikctl
-- check`'s READ ONLY snapshot: SELECT * FROM accounting.ledger_check().
CREATE FUNCTION accounting.ledger_check()
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n bigint;
    m bigint;
    examples text;
BEGIN
    -- 1. Every account's four balances are the sums of its transfers: each
    -- transfer was applied exactly once and nothing else moved a balance.
    check_name := 'ledger_balances_match_transfers';
    WITH moves AS (
        SELECT debit_account_id AS account_id,
               CASE kind WHEN 'pending' THEN amount WHEN 'single' THEN 0 ELSE -amount END AS dp,
               CASE WHEN kind IN ('single', 'post_pending') THEN amount ELSE 0 END AS dpo,
               0::bigint AS cp, 0::bigint AS cpo
        FROM accounting.transfer
        UNION ALL
        SELECT credit_account_id, 0, 0,
               CASE kind WHEN 'pending' THEN amount WHEN 'single' THEN 0 ELSE -amount END,
               CASE WHEN kind IN ('single', 'post_pending') THEN amount ELSE 0 END
        FROM accounting.transfer
    ), sums AS (
        SELECT account_id, sum(dp) AS dp, sum(dpo) AS dpo, sum(cp) AS cp, sum(cpo) AS cpo
        FROM moves GROUP BY account_id
    ), bad AS (
        SELECT format('%s holds %s/%s/%s/%s (debits pending/posted, credits pending/posted),'
                      ' its transfers sum to %s/%s/%s/%s', a.code, a.debits_pending,
                      a.debits_posted, a.credits_pending, a.credits_posted, coalesce(s.dp, 0),
                      coalesce(s.dpo, 0), coalesce(s.cp, 0), coalesce(s.cpo, 0)) AS what,
               row_number() OVER (ORDER BY a.code) AS rn
        FROM accounting.account a LEFT JOIN sums s ON s.account_id = a.id
        WHERE (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
              IS DISTINCT FROM (coalesce(s.dp, 0), coalesce(s.dpo, 0), coalesce(s.cp, 0),
                                coalesce(s.cpo, 0))
    )
    SELECT count(*), string_agg(what, '; ' ORDER BY rn) FILTER (WHERE rn <= 5)
    INTO n, examples FROM bad;
    SELECT count(*) INTO m FROM accounting.transfer;
    ok := n = 0;
    detail := CASE WHEN ok THEN format('%s accounts agree with %s transfers',
                                       (SELECT count(*) FROM accounting.account), m)
                   ELSE format('%s accounts disagree: %s', n, examples) END;
    RETURN NEXT;

    -- 2. Debits equal credits, pending and posted, over the whole ledger.
    check_name := 'ledger_debits_equal_credits';
    SELECT coalesce(sum(debits_pending) - sum(credits_pending), 0),
           coalesce(sum(debits_posted) - sum(credits_posted), 0)
    INTO n, m FROM accounting.account;
    ok := n = 0 AND m = 0;
    detail := CASE WHEN ok THEN format('posted Rp %s, pending Rp %s on each side',
                                       (SELECT coalesce(sum(debits_posted), 0) FROM accounting.account),
                                       (SELECT coalesce(sum(debits_pending), 0) FROM accounting.account))
                   ELSE format('debits exceed credits by Rp %s pending and Rp %s posted', n, m) END;
    RETURN NEXT;

    -- 3. No balance negative, no account over its limit, and each line's
    -- accounts carry the limits that keep its figures sound.
    check_name := 'ledger_limits_hold';
    WITH bad AS (
        SELECT format('%s: %s', code, CASE
                   WHEN least(debits_pending, debits_posted, credits_pending, credits_posted) < 0
                       THEN 'a negative balance'
                   WHEN debits_must_not_exceed_credits
                        AND debits_pending + debits_posted > credits_posted
                       THEN format('debits %s over credits %s', debits_pending + debits_posted,
                                   credits_posted)
                   WHEN credits_must_not_exceed_debits
                        AND credits_pending + credits_posted > debits_posted
                       THEN format('credits %s over debits %s', credits_pending + credits_posted,
                                   debits_posted)
                   ELSE 'without the limit of its kind' END) AS what,
               row_number() OVER (ORDER BY code) AS rn
        FROM accounting.account
        WHERE least(debits_pending, debits_posted, credits_pending, credits_posted) < 0
           OR (debits_must_not_exceed_credits AND debits_pending + debits_posted > credits_posted)
           OR (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted)
           OR (kind = 'appropriation' AND NOT credits_must_not_exceed_debits)
           OR (kind IN ('available', 'realised') AND NOT debits_must_not_exceed_credits)
    )
    SELECT count(*), string_agg(what, '; ' ORDER BY rn) FILTER (WHERE rn <= 5)
    INTO n, examples FROM bad;
    ok := n = 0;
    detail := CASE WHEN ok THEN 'no balance negative, every limit held'
                   ELSE format('%s accounts: %s', n, examples) END;
    RETURN NEXT;

    -- 4. Each pending transfer is completed at most once, by a transfer of
    -- its own accounts and amount.
    check_name := 'ledger_pending_completed_once';
    WITH bad AS (
        SELECT format('%s completes %s: %s', c.id, c.pending_id, CASE
                   WHEN p.id IS NULL OR p.kind <> 'pending' THEN 'not a pending transfer'
                   WHEN (SELECT count(*) FROM accounting.transfer o
                         WHERE o.pending_id = c.pending_id) > 1 THEN 'completed more than once'
                   ELSE 'other accounts or amount' END) AS what,
               row_number() OVER (ORDER BY c.seq) AS rn
        FROM accounting.transfer c LEFT JOIN accounting.transfer p ON p.id = c.pending_id
        WHERE c.pending_id IS NOT NULL
          AND (p.id IS NULL OR p.kind <> 'pending'
               OR (c.debit_account_id, c.credit_account_id, c.amount)
                  IS DISTINCT FROM (p.debit_account_id, p.credit_account_id, p.amount)
               OR (SELECT count(*) FROM accounting.transfer o WHERE o.pending_id = c.pending_id) > 1)
    )
    SELECT count(*), string_agg(what, '; ' ORDER BY rn) FILTER (WHERE rn <= 5)
    INTO n, examples FROM bad;
    ok := n = 0;
    detail := CASE WHEN ok THEN format('%s pending transfers, %s completed',
                                       (SELECT count(*) FROM accounting.transfer WHERE kind = 'pending'),
                                       (SELECT count(*) FROM accounting.transfer WHERE pending_id IS NOT NULL))
                   ELSE format('%s completions: %s', n, examples) END;
    RETURN NEXT;

    -- 5. Each reservation is one pending transfer from its line's available
    -- to its realised account, in the state its completion says; and every
    -- reservation transfer belongs to one.
    check_name := 'ledger_reservations_match_transfers';
    WITH r AS (
        SELECT r.order_id, r.state, r.amount, r.completed_by_transfer_id, t.kind, t.amount AS t_amount,
               t.reference, t.debit_account_id = av.id AND t.credit_account_id = re.id AS accounts_ok,
               c.id AS c_id, c.kind AS c_kind
        FROM accounting.reservation r
        JOIN accounting.transfer t ON t.id = r.transfer_id
        LEFT JOIN accounting.account av ON av.budget_line_id = r.budget_line_id AND av.kind = 'available'
        LEFT JOIN accounting.account re ON re.budget_line_id = r.budget_line_id AND re.kind = 'realised'
        LEFT JOIN accounting.transfer c ON c.pending_id = t.id
    ), bad AS (
        SELECT format('order %s: %s', order_id, CASE
                   WHEN kind <> 'pending' OR t_amount <> amount OR reference <> order_id::text
                        OR accounts_ok IS NOT TRUE THEN 'its transfer is not its pending reservation'
                   ELSE format('state %s, completed by %s', state,
                               coalesce(c_kind, 'nothing')) END) AS what, order_id::text AS k
        FROM r
        WHERE kind <> 'pending' OR t_amount <> amount OR reference <> order_id::text
           OR accounts_ok IS NOT TRUE
           OR completed_by_transfer_id IS DISTINCT FROM c_id
           OR (state = 'pending') <> (c_id IS NULL)
           OR (state = 'posted' AND c_kind IS DISTINCT FROM 'post_pending')
           OR (state = 'voided' AND c_kind IS DISTINCT FROM 'void_pending')
        UNION ALL
        SELECT format('transfer %s reserves for %s without a reservation', t.id, t.reference),
               t.id::text
        FROM accounting.transfer t
        WHERE t.code = 'reservation'
          AND NOT EXISTS (SELECT 1 FROM accounting.reservation r WHERE r.transfer_id = t.id)
    ), numbered AS (
        SELECT what, row_number() OVER (ORDER BY k) AS rn FROM bad
    )
    SELECT count(*), string_agg(what, '; ' ORDER BY rn) FILTER (WHERE rn <= 5)
    INTO n, examples FROM numbered;
    ok := n = 0;
    detail := CASE WHEN ok THEN format('%s reservations: %s pending, %s posted, %s voided',
                                       (SELECT count(*) FROM accounting.reservation),
                                       (SELECT count(*) FROM accounting.reservation WHERE state = 'pending'),
                                       (SELECT count(*) FROM accounting.reservation WHERE state = 'posted'),
                                       (SELECT count(*) FROM accounting.reservation WHERE state = 'voided'))
                   ELSE format('%s problems: %s', n, examples) END;
    RETURN NEXT;

    -- 6. Each line has its three accounts; its pagu in the ledger is its
    -- newest revision's; its revisions chain from 0 without a gap; and each
    -- revision's transfer moved exactly the difference, the right way.
    check_name := 'ledger_lines_match_revisions';
    WITH lines AS (
        SELECT l.id, l.version, ap.id AS ap, av.id AS av, re.id AS re,
               ap.debits_posted - ap.credits_posted AS pagu,
               (SELECT v.pagu_after FROM accounting.revision v WHERE v.budget_line_id = l.id
                ORDER BY v.seq DESC LIMIT 1) AS last_pagu,
               (SELECT max(v.seq) FROM accounting.revision v WHERE v.budget_line_id = l.id) AS last_seq,
               (SELECT count(*) FROM accounting.revision v WHERE v.budget_line_id = l.id) AS revisions
        FROM accounting.budget_line l
        LEFT JOIN accounting.account ap ON ap.budget_line_id = l.id AND ap.kind = 'appropriation'
        LEFT JOIN accounting.account av ON av.budget_line_id = l.id AND av.kind = 'available'
        LEFT JOIN accounting.account re ON re.budget_line_id = l.id AND re.kind = 'realised'
    ), chain AS (
        SELECT v.budget_line_id, v.seq, v.pagu_before, v.pagu_after, v.transfer_id,
               lag(v.pagu_after, 1, 0::bigint) OVER (PARTITION BY v.budget_line_id ORDER BY v.seq) AS prev
        FROM accounting.revision v
    ), bad AS (
        SELECT format('line %s: %s', id, CASE
                   WHEN ap IS NULL OR av IS NULL OR re IS NULL THEN 'an account is missing'
                   ELSE format('pagu %s in the ledger, %s in revision %s of %s (version %s)',
                               pagu, last_pagu, last_seq, revisions, version) END) AS what,
               id::text AS k
        FROM lines
        WHERE ap IS NULL OR av IS NULL OR re IS NULL OR last_pagu IS DISTINCT FROM pagu
           OR last_seq IS DISTINCT FROM version OR revisions <> version
        UNION ALL
        SELECT format('line %s revision %s: %s', c.budget_line_id, c.seq, CASE
                   WHEN c.pagu_before <> c.prev THEN format('starts from %s, the one before ended at %s',
                                                            c.pagu_before, c.prev)
                   ELSE 'its transfer does not move the difference' END),
               c.budget_line_id::text || c.seq
        FROM chain c
        JOIN lines l ON l.id = c.budget_line_id
        LEFT JOIN accounting.transfer t ON t.id = c.transfer_id
        WHERE c.pagu_before <> c.prev
           OR (c.pagu_after <> c.pagu_before AND (t.id IS NULL OR t.kind <> 'single'
               OR t.amount <> abs(c.pagu_after - c.pagu_before)
               OR (c.pagu_after > c.pagu_before AND (t.debit_account_id, t.credit_account_id)
                   IS DISTINCT FROM (l.ap, l.av))
               OR (c.pagu_after < c.pagu_before AND (t.debit_account_id, t.credit_account_id)
                   IS DISTINCT FROM (l.av, l.ap))))
    ), numbered AS (
        SELECT what, row_number() OVER (ORDER BY k) AS rn FROM bad
    )
    SELECT count(*), string_agg(what, '; ' ORDER BY rn) FILTER (WHERE rn <= 5)
    INTO n, examples FROM numbered;
    ok := n = 0;
    detail := CASE WHEN ok THEN format('%s budget lines, %s revisions',
                                       (SELECT count(*) FROM accounting.budget_line),
                                       (SELECT count(*) FROM accounting.revision))
                   ELSE format('%s problems: %s', n, examples) END;
    RETURN NEXT;
END $$;
