-- Invoices, taxes and payment (issue 13; docs/adr/0019-invoices-taxes-payment.md).
--
-- What accounting learns from other services' events (companies from the
-- registry, agreements and orders from ordering) is kept here as read
-- models; the partner invoices accepted orders; finance checks it, computes
-- its taxes with the year's published tax table, and records the regional
-- payment documents in order. Money moves only at SPM (pending payables to
-- the partner and the state) and SP2D (those posted, the orders'
-- reservations posted to realised, the net paid out of cash); a cancelled
-- SPM voids its pending transfers. accounting.ledger_check() gains the
-- invariants of these postings.

-- ---- accounts ----

-- 'expense' (beban, office-wide): where an invoice's gross is recognised,
-- split into what is owed to the partner and to the state.
ALTER TABLE accounting.account DROP CONSTRAINT account_kind_check;
ALTER TABLE accounting.account ADD CONSTRAINT account_kind_check
    CHECK (kind IN ('appropriation', 'available', 'realised', 'partner_payable', 'tax_pph23',
                    'tax_ppn', 'cash', 'expense'));

-- The office's accounts, once. Limits: nothing is paid out of a payable
-- that was not owed (debits <= credits); an expense is never reversed beyond
-- what was recognised. Cash (the treasury, kas daerah) is outside the
-- ledger's funding: its credits are what left it.
INSERT INTO accounting.account (id, code, kind, debits_must_not_exceed_credits,
                                credits_must_not_exceed_debits)
VALUES (gen_random_uuid(), 'expense', 'expense', false, true),
       (gen_random_uuid(), 'tax:pph23', 'tax_pph23', true, false),
       (gen_random_uuid(), 'tax:ppn', 'tax_ppn', true, false),
       (gen_random_uuid(), 'cash', 'cash', false, false);

-- ---- the tax table per fiscal year ----

CREATE TABLE accounting.tax_table (
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    version int NOT NULL CHECK (version > 0),
    state text NOT NULL CHECK (state IN ('draft', 'published', 'superseded')),
    pph23_bp int NOT NULL CHECK (pph23_bp BETWEEN 0 AND 10000),
    no_npwp_uplift_pct int NOT NULL CHECK (no_npwp_uplift_pct BETWEEN 0 AND 1000),
    ppn_bp int NOT NULL CHECK (ppn_bp BETWEEN 0 AND 10000),
    dpp_num int NOT NULL CHECK (dpp_num BETWEEN 1 AND 1000),
    dpp_den int NOT NULL CHECK (dpp_den BETWEEN 1 AND 1000),
    wapu_threshold bigint NOT NULL CHECK (wapu_threshold BETWEEN 0 AND 10000000000000),
    rounding text NOT NULL CHECK (rounding IN ('half_up', 'half_even', 'down')),
    legal_basis text NOT NULL DEFAULT '',
    saved_at timestamptz NOT NULL DEFAULT now(),
    saved_by text NOT NULL,
    published_at timestamptz,
    published_by text,
    PRIMARY KEY (fiscal_year, version),
    CHECK (dpp_num <= dpp_den),
    CHECK (pph23_bp::bigint * (100 + no_npwp_uplift_pct) <= 1000000),
    CHECK ((state = 'draft') = (published_at IS NULL))
);
CREATE UNIQUE INDEX tax_table_one_draft ON accounting.tax_table (fiscal_year) WHERE state = 'draft';
CREATE UNIQUE INDEX tax_table_one_published ON accounting.tax_table (fiscal_year)
    WHERE state = 'published';

-- A published version is the law of its computations: only its state may
-- move on (to superseded), and it is never removed.
CREATE FUNCTION accounting.tax_table_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state = 'draft' THEN RETURN OLD; END IF;
        RAISE EXCEPTION 'accounting.tax_table %/%: a published table is never removed',
            OLD.fiscal_year, OLD.version USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.state <> 'draft' AND (
        (NEW.fiscal_year, NEW.version, NEW.pph23_bp, NEW.no_npwp_uplift_pct, NEW.ppn_bp,
         NEW.dpp_num, NEW.dpp_den, NEW.wapu_threshold, NEW.rounding, NEW.legal_basis,
         NEW.published_at, NEW.published_by)
        IS DISTINCT FROM
        (OLD.fiscal_year, OLD.version, OLD.pph23_bp, OLD.no_npwp_uplift_pct, OLD.ppn_bp,
         OLD.dpp_num, OLD.dpp_den, OLD.wapu_threshold, OLD.rounding, OLD.legal_basis,
         OLD.published_at, OLD.published_by)
        OR NOT (OLD.state = 'published' AND NEW.state IN ('published', 'superseded'))) THEN
        RAISE EXCEPTION 'accounting.tax_table %/%: a published table is not changed',
            OLD.fiscal_year, OLD.version USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tax_table_guard BEFORE UPDATE OR DELETE ON accounting.tax_table
    FOR EACH ROW EXECUTE FUNCTION accounting.tax_table_guard();

-- ---- supporting documents by value (a year without rows: the defaults) ----

CREATE TABLE accounting.document_rule (
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    kind text NOT NULL CHECK (kind IN ('proof_of_purchase', 'kuitansi', 'spk', 'agreement')),
    required bool NOT NULL,                -- false: never required this year
    above bigint NOT NULL CHECK (above BETWEEN 0 AND 10000000000000),
    up_to bigint NOT NULL CHECK (up_to BETWEEN 0 AND 10000000000000), -- 0: no upper bound
    saved_at timestamptz NOT NULL DEFAULT now(),
    saved_by text NOT NULL,
    PRIMARY KEY (fiscal_year, kind),
    CHECK (up_to = 0 OR up_to > above)
);

-- ---- read models from other services' events ----

-- registry.company.*: what an invoice and the SIPD export need.
CREATE TABLE accounting.company_info (
    id uuid PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    npwp text NOT NULL DEFAULT '',          -- digits only; '' when none
    pkp bool NOT NULL DEFAULT false,
    bank_name text NOT NULL DEFAULT '',
    account_number text NOT NULL DEFAULT '',
    account_holder text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- ordering.agreement.*
CREATE TABLE accounting.agreement_info (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    number text NOT NULL DEFAULT '',
    signed_on date,
    has_document bool NOT NULL DEFAULT false, -- the signed scan is kept by ordering
    version bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- ordering.order.*: an order as the invoice sees it.
CREATE TABLE accounting.order_info (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL,
    number text NOT NULL DEFAULT '',
    state text NOT NULL,                    -- ordering's OrderState name, lower case
    gross bigint NOT NULL DEFAULT 0,
    title text NOT NULL DEFAULT '',
    outlet_name text NOT NULL DEFAULT '',
    agreement_id uuid,
    issued_on date,                         -- WIB
    proof_accepted_on date,                 -- WIB: the day the work was accepted
    version bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_info_company ON accounting.order_info (company_id, fiscal_year, state);

-- ---- invoices ----

CREATE TABLE accounting.invoice (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    fiscal_year int NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    number text NOT NULL CHECK (number <> ''),
    invoice_date date NOT NULL,
    faktur_number text NOT NULL DEFAULT '' CHECK (faktur_number ~ '^([0-9]{16,17})?$'),
    signatory text NOT NULL CHECK (signatory <> ''),
    bank_branch text NOT NULL DEFAULT '',
    -- the partner as known when it invoiced (the SIPD export prints these)
    company_name text NOT NULL DEFAULT '',
    npwp text NOT NULL DEFAULT '',
    pkp bool NOT NULL,
    bank_name text NOT NULL DEFAULT '',
    account_number text NOT NULL DEFAULT '',
    account_holder text NOT NULL DEFAULT '',
    gross bigint NOT NULL CHECK (gross > 0 AND gross <= 10000000000000),
    state text NOT NULL CHECK (state IN ('submitted', 'returned', 'accepted', 'spp',
                                         'spp_verified', 'spm', 'paid')),
    purpose text NOT NULL DEFAULT '',
    returned_reason text NOT NULL DEFAULT '',
    submitted_at timestamptz NOT NULL DEFAULT now(),
    submitted_on date NOT NULL,             -- WIB: where the age counts from
    submitted_by text NOT NULL,
    decided_at timestamptz,
    decided_by text,
    tax_computation_id uuid,
    paid_on date,                           -- the SP2D's date
    slip_number text NOT NULL DEFAULT '',   -- bukti potong PPh 23 (BPPU)
    slip_date date,
    slip_recorded_at timestamptz,
    slip_recorded_by text,
    version bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    CHECK ((state = 'paid') = (paid_on IS NOT NULL)),
    CHECK ((state IN ('accepted', 'spp', 'spp_verified', 'spm', 'paid'))
           = (tax_computation_id IS NOT NULL)),
    CHECK (state <> 'returned' OR returned_reason <> ''),
    CHECK ((slip_number = '') = (slip_date IS NULL))
);
-- The partner's own numbers are its own: once per company, a returned one aside.
CREATE UNIQUE INDEX invoice_number_once ON accounting.invoice (company_id, lower(number))
    WHERE state <> 'returned';
CREATE INDEX invoice_company ON accounting.invoice (company_id, submitted_at DESC);
CREATE INDEX invoice_year_state ON accounting.invoice (fiscal_year, state);

-- The orders an invoice bills. An order is on one live invoice at most: two
-- partners' (or one partner's two) concurrent invoices for it cannot both
-- commit. A returned invoice lets its orders go.
CREATE TABLE accounting.invoice_order (
    invoice_id uuid NOT NULL REFERENCES accounting.invoice (id),
    order_id uuid NOT NULL,
    order_number text NOT NULL DEFAULT '',
    gross bigint NOT NULL CHECK (gross > 0),
    budget_line_id uuid NOT NULL REFERENCES accounting.budget_line (id),
    live bool NOT NULL DEFAULT true,
    PRIMARY KEY (invoice_id, order_id)
);
CREATE UNIQUE INDEX invoice_order_once ON accounting.invoice_order (order_id) WHERE live;

CREATE TABLE accounting.invoice_document (
    id uuid PRIMARY KEY,
    invoice_id uuid NOT NULL REFERENCES accounting.invoice (id),
    kind text NOT NULL CHECK (kind IN ('proof_of_purchase', 'kuitansi', 'spk', 'agreement')),
    file_name text NOT NULL,
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    sha256 text NOT NULL,
    size bigint NOT NULL CHECK (size > 0 AND size <= 10485760),
    content bytea NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    uploaded_by text NOT NULL
);
CREATE INDEX invoice_document_of ON accounting.invoice_document (invoice_id, kind, uploaded_at);

-- Every computation: its inputs, the table it used (copied), every line.
CREATE TABLE accounting.tax_computation (
    id uuid PRIMARY KEY,
    invoice_id uuid NOT NULL REFERENCES accounting.invoice (id),
    fiscal_year int NOT NULL,
    table_version int NOT NULL,
    pph23_bp int NOT NULL,
    no_npwp_uplift_pct int NOT NULL,
    ppn_bp int NOT NULL,
    dpp_num int NOT NULL,
    dpp_den int NOT NULL,
    wapu_threshold bigint NOT NULL,
    rounding text NOT NULL,
    gross bigint NOT NULL CHECK (gross >= 0),
    pkp bool NOT NULL,
    has_npwp bool NOT NULL,
    price_before_vat bigint NOT NULL CHECK (price_before_vat >= 0),
    dpp_other bigint NOT NULL CHECK (dpp_other >= 0),
    ppn bigint NOT NULL CHECK (ppn >= 0),
    wapu bool NOT NULL,
    ppn_collected bigint NOT NULL CHECK (ppn_collected >= 0),
    pph23_base bigint NOT NULL CHECK (pph23_base >= 0),
    pph23_rate_bp int NOT NULL,
    pph23 bigint NOT NULL CHECK (pph23 >= 0),
    net bigint NOT NULL CHECK (net >= 0),
    computed_at timestamptz NOT NULL DEFAULT now(),
    computed_by text NOT NULL,
    FOREIGN KEY (fiscal_year, table_version) REFERENCES accounting.tax_table (fiscal_year, version),
    CHECK (net + pph23 + ppn_collected = gross),
    CHECK (ppn_collected = CASE WHEN wapu THEN ppn ELSE 0 END)
);
ALTER TABLE accounting.invoice ADD FOREIGN KEY (tax_computation_id)
    REFERENCES accounting.tax_computation (id);

-- The regional payment documents, in order; a cancelled one stays, marked.
CREATE TABLE accounting.payment_step (
    id uuid PRIMARY KEY,
    invoice_id uuid NOT NULL REFERENCES accounting.invoice (id),
    step text NOT NULL CHECK (step IN ('spp', 'spp_verified', 'spm', 'sp2d')),
    number text NOT NULL DEFAULT '',
    step_date date NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by text NOT NULL,
    cancelled_at timestamptz,
    cancelled_by text,
    cancelled_reason text NOT NULL DEFAULT '',
    CHECK (step = 'spp_verified' OR number <> ''),
    CHECK ((cancelled_at IS NULL) = (cancelled_reason = ''))
);
-- One live step of each kind per invoice: an invoice is paid (SP2D) once.
CREATE UNIQUE INDEX payment_step_once ON accounting.payment_step (invoice_id, step)
    WHERE cancelled_at IS NULL;
-- SIPD's numbers are unique: the same SP2D cannot pay two invoices.
CREATE UNIQUE INDEX payment_step_number_once ON accounting.payment_step (step, lower(number))
    WHERE cancelled_at IS NULL AND number <> '';
CREATE INDEX payment_step_of ON accounting.payment_step (invoice_id, recorded_at);

CREATE TRIGGER tax_computation_immutable BEFORE UPDATE OR DELETE ON accounting.tax_computation
    FOR EACH ROW EXECUTE FUNCTION accounting.refuse_change();
CREATE TRIGGER invoice_document_immutable BEFORE UPDATE OR DELETE ON accounting.invoice_document
    FOR EACH ROW EXECUTE FUNCTION accounting.refuse_change();

-- ---- the invariants, with the payments' ----

-- One row per invariant: its name, whether it holds, and a detail (the first
-- offenders when it does not). Read-only, so it runs inside `seklikctl
-- check`'s READ ONLY snapshot: SELECT * FROM accounting.ledger_check().
CREATE OR REPLACE FUNCTION accounting.ledger_check()
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
           OR (kind IN ('available', 'realised', 'partner_payable', 'tax_pph23', 'tax_ppn')
               AND NOT debits_must_not_exceed_credits)
           OR (kind = 'expense' AND NOT credits_must_not_exceed_debits)
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
    -- 7. Each invoice's payment transfers are what its state and its tax
    -- computation say: nothing before SPM; at SPM one pending transfer from
    -- expense per part (net to the partner's payable, PPh 23, PPN when
    -- collected); once paid those posted, the net out of cash, and every
    -- order's reservation posted; a cancelled SPM's voided. Its gross is its
    -- orders', and no payment transfer belongs to no invoice.
    check_name := 'ledger_payments_match_invoices';
    WITH pay AS (
        SELECT t.reference, t.code, t.kind, t.amount, t.debit_account_id, t.credit_account_id,
               c.kind AS c_kind
        FROM accounting.transfer t
        LEFT JOIN accounting.transfer c ON c.pending_id = t.id
        WHERE t.code LIKE 'payment.%'
    ), per AS (
        SELECT i.id, i.state, i.gross, i.company_id, tc.net, tc.pph23, tc.ppn_collected,
               tc.gross AS tc_gross,
               (SELECT coalesce(sum(o.gross), 0) FROM accounting.invoice_order o
                WHERE o.invoice_id = i.id AND (o.live OR i.state = 'returned')) AS orders_gross,
               (SELECT count(*) FROM accounting.invoice_order o
                LEFT JOIN accounting.reservation r ON r.order_id = o.order_id
                WHERE o.invoice_id = i.id AND o.live AND r.state IS DISTINCT FROM 'posted') AS unposted,
               (SELECT coalesce(sum(amount), 0) FROM pay WHERE pay.reference = i.id::text
                AND kind = 'pending' AND c_kind IS NULL) AS open_,
               (SELECT coalesce(sum(amount), 0) FROM pay WHERE pay.reference = i.id::text
                AND kind = 'pending' AND c_kind = 'post_pending') AS posted,
               (SELECT coalesce(sum(amount), 0) FROM pay WHERE pay.reference = i.id::text
                AND code = 'payment.cash' AND kind = 'single') AS cash,
               (SELECT coalesce(sum(amount), 0) FROM pay WHERE pay.reference = i.id::text
                AND code = 'payment.partner' AND kind = 'pending' AND c_kind IS DISTINCT FROM 'void_pending') AS partner_,
               (SELECT coalesce(sum(amount), 0) FROM pay WHERE pay.reference = i.id::text
                AND code = 'payment.pph23' AND kind = 'pending' AND c_kind IS DISTINCT FROM 'void_pending') AS pph23_,
               (SELECT coalesce(sum(amount), 0) FROM pay WHERE pay.reference = i.id::text
                AND code = 'payment.ppn' AND kind = 'pending' AND c_kind IS DISTINCT FROM 'void_pending') AS ppn_,
               (SELECT count(*) FROM pay
                JOIN accounting.account d ON d.id = pay.debit_account_id
                JOIN accounting.account k ON k.id = pay.credit_account_id
                WHERE pay.reference = i.id::text AND NOT CASE pay.code
                    WHEN 'payment.partner' THEN d.kind = 'expense' AND k.kind = 'partner_payable'
                                                AND k.company_id = i.company_id
                    WHEN 'payment.pph23' THEN d.kind = 'expense' AND k.kind = 'tax_pph23'
                    WHEN 'payment.ppn' THEN d.kind = 'expense' AND k.kind = 'tax_ppn'
                    WHEN 'payment.cash' THEN d.kind = 'partner_payable' AND k.kind = 'cash'
                                             AND d.company_id = i.company_id
                    ELSE false END) AS wrong_accounts
        FROM accounting.invoice i
        LEFT JOIN accounting.tax_computation tc ON tc.id = i.tax_computation_id
    ), bad AS (
        SELECT format('invoice %s (%s): %s', id, state, CASE
                   WHEN orders_gross <> gross THEN format('gross %s, its orders %s', gross, orders_gross)
                   WHEN tc_gross IS NOT NULL AND tc_gross <> gross
                       THEN format('gross %s, its taxes computed on %s', gross, tc_gross)
                   WHEN wrong_accounts > 0 THEN 'a payment transfer between the wrong accounts'
                   ELSE format('pending %s, posted %s, cash out %s, orders unposted %s',
                               open_, posted, cash, unposted) END) AS what,
               id::text AS k
        FROM per
        WHERE orders_gross <> gross
           OR (tc_gross IS NOT NULL AND tc_gross <> gross)
           OR wrong_accounts > 0
           OR CASE state
                  WHEN 'spm' THEN open_ <> gross OR posted <> 0 OR cash <> 0
                                  OR partner_ <> net OR pph23_ <> pph23 OR ppn_ <> ppn_collected
                  WHEN 'paid' THEN open_ <> 0 OR posted <> gross OR cash <> net OR unposted <> 0
                                   OR partner_ <> net OR pph23_ <> pph23 OR ppn_ <> ppn_collected
                  ELSE open_ <> 0 OR posted <> 0 OR cash <> 0 END
        UNION ALL
        SELECT format('transfer %s (%s) belongs to no invoice', t.id, t.code), t.id::text
        FROM accounting.transfer t
        WHERE t.code LIKE 'payment.%' AND t.pending_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM accounting.invoice i WHERE i.id::text = t.reference)
    ), numbered AS (
        SELECT what, row_number() OVER (ORDER BY k) AS rn FROM bad
    )
    SELECT count(*), string_agg(what, '; ' ORDER BY rn) FILTER (WHERE rn <= 5)
    INTO n, examples FROM numbered;
    ok := n = 0;
    detail := CASE WHEN ok THEN format('%s invoices, %s paid (Rp %s), %s at SPM',
                                       (SELECT count(*) FROM accounting.invoice),
                                       (SELECT count(*) FROM accounting.invoice WHERE state = 'paid'),
                                       (SELECT coalesce(sum(gross), 0) FROM accounting.invoice
                                        WHERE state = 'paid'),
                                       (SELECT count(*) FROM accounting.invoice WHERE state = 'spm'))
                   ELSE format('%s problems: %s', n, examples) END;
    RETURN NEXT;
END $$;
