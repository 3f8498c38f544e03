#!/usr/bin/env python3
"""it_seklikctl BUILD_DIR LOG_DIR - seklikctl's operator commands on a real system.

On the fixture's PostgreSQL: `migrate` (dry run first, then one schema, then all;
a schema migrated by a later version reported, not refused) before any service
ran, then the whole system started on those schemas; `status` (every service's
Health over the bus, each subscriber's lag; a stopped service makes it fail);
`replay` (dry run changes nothing, a forward move is refused, --apply makes the
subscriber apply the events again and is audited, an offset ahead of a restored
source is brought back so new events are applied); `check` also runs the
ledger's and the orders' invariants and fails on a planted break of each
(an account whose balance no transfer explains, a number counter with no
orders); `audit export` (every
schema's records in time order, the period's bounds, the formula guard, --out
never overwrites); and every command's manual page.
"""

import csv
import datetime
import io
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "support"))
sys.path.insert(0, str(SOURCE / "scripts"))
import seklik_api as api  # noqa: E402
import stack_ops as ops  # noqa: E402

YEAR = 2027
STAFF_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")
DB = "it_seklikctl"
WIB = datetime.timezone(datetime.timedelta(hours=7))


def fail(msg):
    print(f"it_seklikctl: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def step(msg):
    print(f"it_seklikctl: {msg}", flush=True)


class Ctl:
    """seklikctl with the stack's environment."""

    def __init__(self, build, dsn):
        self.build = pathlib.Path(build)
        self.env = dict(os.environ, SEKLIK_DB_DSN=dsn)
        for name in ops.SERVICES:
            self.env.pop(f"SEKLIK_{name.upper()}_DB_DSN", None)

    def __call__(self, *args, stdin=None):
        return subprocess.run([str(self.build / "services/gateway/seklikctl"), *args],
                              env=self.env, capture_output=True, text=True, input=stdin,
                              check=False)


def wait_until(what, fn, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.2)
    fail(f"{what}: not within {timeout_s} s (last {last!r})")


# ---- the manual ---------------------------------------------------------------------

def manual_pages(ctl):
    top = ctl("--help")
    expect(top.returncode == 0, f"--help: {top.stderr}")
    commands = re.findall(r"^  (\w+) +\S", top.stdout.split("COMMANDS", 1)[1].split("ENVIRONMENT")[0],
                          re.M)
    expect(set(commands) >= {"user", "migrate", "status", "check", "replay", "audit", "backup",
                             "restore"}, f"--help lists {commands}")
    for c in commands:
        for argv in (("help", c), (c, "--help")):
            r = ctl(*argv)
            expect(r.returncode == 0 and "SYNOPSIS" in r.stdout and "EXIT STATUS" in r.stdout
                   and f"seklikctl {c}" in r.stdout, f"seklikctl {' '.join(argv)}: {r.stdout[:300]}")
    check_page = ctl("help", "check").stdout
    for name in ("outbox_gapless", "offsets", "idempotency_unique", "command_effects", "ledger",
                 "orders"):
        expect(name in check_page, f"help check lists the check {name}")
    r = ctl("frobnicate")
    expect(r.returncode == 2 and "no command 'frobnicate'" in r.stderr, f"unknown: {r.stderr}")
    step(f"manual: {len(commands)} commands, each page with SYNOPSIS and EXIT STATUS")


# ---- migrate ------------------------------------------------------------------------

def bus_migrations():
    """The bus's own migrations every schema gets first, as common/sk_outbox.c lists them."""
    text = (SOURCE / "common" / "sk_outbox.c").read_text()
    table = text[text.index("sk_bus_migrations[]"):]
    names = re.findall(r'\{"(0000_\w+\.sql)"', table[:table.index("};")])
    expect(names and names[0] == "0000_bus.sql", f"sk_outbox.c lists the bus migrations: {names}")
    return names


def expected_migrations():
    bus = bus_migrations()
    out = {}
    for svc in ops.SERVICES:
        d = SOURCE / "services" / svc / "migrations"
        out[svc] = bus + sorted(p.name for p in d.glob("*.sql"))
    return out


def lines_of(stdout, verb):
    got = {}
    for schema, name in re.findall(rf"^(\w+) +{verb} (\S+)$", stdout, re.M):
        got.setdefault(schema, []).append(name)
    return got


def schemas_present(dsn):
    return {r[0] for r in ops.sql(dsn, "SELECT nspname FROM pg_namespace WHERE nspname = ANY "
                                       "(string_to_array(:'p1', ','))", ",".join(ops.SERVICES))}


def migrate(ctl, dsn):
    want = expected_migrations()
    r = ctl("migrate", "--dry-run")
    expect(r.returncode == 0, f"migrate --dry-run: {r.stdout}{r.stderr}")
    expect(lines_of(r.stdout, "would apply") == want,
           f"migrate --dry-run lists every migration of every service:\n{r.stdout}")
    total = sum(len(v) for v in want.values())
    expect(f"{total} migrations would run (dry run" in r.stdout, r.stdout)
    expect(not schemas_present(dsn), "the dry run created schemas")

    r = ctl("migrate", "--schema", "registry")
    expect(r.returncode == 0 and lines_of(r.stdout, "applied") == {"registry": want["registry"]},
           f"migrate --schema registry:\n{r.stdout}{r.stderr}")
    expect(schemas_present(dsn) == {"registry"}, "only registry migrated")

    r = ctl("migrate")
    rest = {k: v for k, v in want.items() if k != "registry"}
    expect(r.returncode == 0 and lines_of(r.stdout, "applied") == rest
           and re.search(r"^registry +up to date", r.stdout, re.M),
           f"migrate (the rest):\n{r.stdout}{r.stderr}")
    for svc, names in want.items():
        got = [x[0] for x in ops.sql(dsn, f'SELECT version FROM "{svc}".schema_migrations '
                                          f'ORDER BY version')]
        expect(got == names, f"{svc}.schema_migrations: {got} != {names}")
    r = ctl("migrate", "--dry-run")
    expect(r.returncode == 0 and "0 migrations would run" in r.stdout, r.stdout)

    # A later version migrated registry: reported; this version still runs on it.
    ops.sql(dsn, "INSERT INTO registry.schema_migrations (version) VALUES ('9999_later.sql')")
    r = ctl("migrate", "--dry-run")
    expect(r.returncode == 0 and re.search(r"^registry +newer: 9999_later.sql", r.stdout, re.M),
           f"a schema ahead of this seklikctl is reported:\n{r.stdout}{r.stderr}")
    step(f"migrate: {total} migrations listed, applied per schema then all; a newer schema "
         f"reported")


# ---- status -------------------------------------------------------------------------

def status(ctl, stack):
    env = dict(ctl.env, SEKLIK_HMAC_KEY=stack.env["SEKLIK_HMAC_KEY"])
    for svc in ops.SERVICES:
        env[f"SEKLIK_{svc.upper()}_RPC"] = stack.env[f"SEKLIK_STACK_{svc}_RPC"]

    def run(*args):
        return subprocess.run([str(ctl.build / "services/gateway/seklikctl"), "status", *args],
                              env=env, capture_output=True, text=True, check=False)

    r = run()
    expect(r.returncode == 0, f"status on a running system:\n{r.stdout}{r.stderr}")
    ready = re.findall(r"^(\w+) +yes +(\S+) +(\d+) +(\d+) ", r.stdout, re.M)
    expect(sorted(x[0] for x in ready) == sorted(ops.SERVICES), f"every service ready:\n{r.stdout}")
    subs = re.findall(r"^(\w+) +(\w+) +(\d+) +(\d+) +(\d+)$", r.stdout, re.M)
    offsets = {(s, src): int(at) for s, src, at in ops.sql(
        stack.env["SEKLIK_DB_DSN"],
        " UNION ALL ".join(f"SELECT '{s}', source, last_seq FROM {s}.inbox_offsets"
                           for s in ops.SERVICES))}
    shown = {(s, src): int(at) for s, src, at, _, _ in subs}
    expect(set(shown) == set(offsets), f"status shows every subscriber: {shown} vs {offsets}")
    for (s, src), at in shown.items():
        expect(at <= offsets[(s, src)], f"{s}/{src}: shown {at}, now {offsets[(s, src)]}")
    pid = stack.pid("ordering")
    os.kill(pid, signal.SIGSTOP)
    try:
        r = run("--timeout", "1")
    finally:
        os.kill(pid, signal.SIGCONT)
    expect(r.returncode == 1 and re.search(r"^ordering +no answer", r.stdout, re.M),
           f"a stopped service fails status:\n{r.stdout}{r.stderr}")
    # Answering but not ready (a migration of its own not recorded): status says so, and fails.
    dsn = stack.env["SEKLIK_DB_DSN"]
    version = ops.sql_value(dsn, "SELECT max(version) FROM scoring.schema_migrations")
    ops.sql(dsn, "DELETE FROM scoring.schema_migrations WHERE version = :'p1'", version)
    try:
        r = wait_until("scoring not ready in status", lambda: (
            x := run()) and re.search(r"^scoring +NO ", x.stdout, re.M) and x)
    finally:
        ops.sql(dsn, "INSERT INTO scoring.schema_migrations (version) VALUES (:'p1')", version)
    expect(r.returncode == 1, f"a service not ready fails status:\n{r.stdout}{r.stderr}")
    wait_until("scoring ready again", lambda: run().returncode == 0)
    step(f"status: {len(ready)} services ready, {len(subs)} subscribers; a stopped one and one "
         f"not ready fail it")
    return env


# ---- replay -------------------------------------------------------------------------

def metric(stack, service, name):
    url = stack.env[f"SEKLIK_STACK_{service}_HTTP"] + "/metrics"
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode()
    m = re.search(rf'^seklik_{name}{{service="{service}"}} (\d+)$', text, re.M)
    return int(m.group(1)) if m else -1


def offset(dsn, subscriber, source):
    return int(ops.sql_value(dsn, f"SELECT last_seq FROM {subscriber}.inbox_offsets WHERE "
                                  f"source = :'p1'", source))


def head(dsn, source):
    return int(ops.sql_value(dsn, f"SELECT last_seq FROM {source}.outbox_head"))


def submit_company(base, n):
    partner = api.Session(base)
    digits = f"{os.getpid() % 10000:04d}{n:04d}"
    name = f"PT Operator {digits}"
    partner.signup(f"ops{digits}", api.PARTNER_PASSWORD, name)
    company = api.register_company(partner, name, "08" + digits + "12345", "8" + digits + "1234",
                                   "18" + digits + "000001", "18" + digits + "000002")
    for d in api.REQUIRED_DOCS:
        api.upload(partner, company["id"], d)
    partner.call("registry.Submit", {"companyId": company["id"], "fiscalYear": YEAR})
    return company["id"]


def replay(ctl, stack):
    dsn = stack.env["SEKLIK_DB_DSN"]
    base = stack.env["SEKLIK_GATEWAY_URL"]
    admin = api.Session(base)
    admin.login("admin", STAFF_PASSWORD)
    api.publish_requirements(admin, YEAR)
    verifier = api.Session(base)
    verifier.login("verifikator", STAFF_PASSWORD)
    cid = submit_company(base, 1)
    verifier.wait("verification.GetCase", {"companyId": cid},
                  lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
    r = ctl("check", "--wait", "60")
    expect(r.returncode == 0, f"check before replay:\n{r.stdout}{r.stderr}")
    h = head(dsn, "registry")
    expect(offset(dsn, "verification", "registry") == h and h >= 6, f"caught up at {h}")

    def audited():
        return int(ops.sql_value(dsn, "SELECT count(*) FROM verification.audit_log WHERE action = "
                                      "'inbox.replay'"))

    r = ctl("replay", "--subscriber", "verification", "--source", "registry", "--from", "1")
    expect(r.returncode == 0 and "AGAIN" in r.stdout and "registry.company.submitted" in r.stdout
           and "dry run" in r.stdout, f"replay dry run:\n{r.stdout}{r.stderr}")
    expect(offset(dsn, "verification", "registry") == h and audited() == 0,
           "the dry run changed nothing")
    r = ctl("replay", "--subscriber", "verification", "--source", "registry", "--from",
            str(h + 2), "--apply")
    expect(r.returncode == 2 and "replay only goes back" in r.stderr,
           f"a forward move is refused:\n{r.stdout}{r.stderr}")
    for bad in (("--from", "0"), ("--from", "x")):
        r = ctl("replay", "--subscriber", "verification", "--source", "registry", *bad)
        expect(r.returncode == 2, f"replay {bad}: {r.returncode}")
    r = ctl("replay", "--subscriber", "registry", "--source", "registry", "--from", "1")
    expect(r.returncode == 2, "a service is no subscriber of itself")
    expect(offset(dsn, "verification", "registry") == h and audited() == 0,
           "refusals changed nothing")

    replayed = metric(stack, "verification", "events_replayed_total")
    r = ctl("replay", "--subscriber", "verification", "--source", "registry", "--from", "1",
            "--apply")
    expect(r.returncode == 0 and f"set from {h} to 0" in r.stdout, f"replay --apply:\n{r.stdout}"
                                                                   f"{r.stderr}")
    row = ops.sql(dsn, "SELECT user_id, entity_id, before->>'last_seq', after->>'last_seq' FROM "
                       "verification.audit_log WHERE action = 'inbox.replay'")
    expect(row == [["seklikctl", "registry", str(h), "0"]], f"the replay audited: {row}")
    wait_until("verification applied registry's events again",
               lambda: offset(dsn, "verification", "registry") == h
               and metric(stack, "verification", "events_replayed_total") >= replayed + h)
    step(f"replay: dry run and refusals change nothing; --apply re-applied {h} events, audited")

    # A source restored from an earlier moment: the subscriber is ahead and would skip.
    ops.sql(dsn, "UPDATE verification.inbox_offsets SET last_seq = last_seq + 3 "
                 "WHERE source = 'registry'")
    r = ctl("check")
    expect(r.returncode == 1 and re.search(r"verification +offsets +FAIL .*ahead", r.stdout),
           f"check sees the offset ahead:\n{r.stdout}")
    r = ctl("replay", "--subscriber", "verification", "--source", "registry", "--from",
            str(h + 1), "--apply")
    expect(r.returncode == 0 and "AHEAD" in r.stdout and offset(dsn, "verification", "registry")
           == h, f"replay to the head:\n{r.stdout}{r.stderr}")
    cid2 = submit_company(base, 2)
    verifier.wait("verification.GetCase", {"companyId": cid2},
                  lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
    r = ctl("check", "--wait", "60")
    expect(r.returncode == 0, f"check after the replays:\n{r.stdout}{r.stderr}")
    cases = ops.sql_value(dsn, "SELECT count(*) FROM verification.verification_case WHERE "
                               "company_id = :'p1'", cid)
    step(f"replay: an offset ahead of its source brought back; the new company's case opened "
         f"(company 1 has {cases} case after the events were applied twice)")


# ---- check: the ledger and the orders ---------------------------------------------

def money_checks(ctl, dsn):
    r = ctl("check", "--wait", "60")
    expect(r.returncode == 0, f"check on a sound system:\n{r.stdout}{r.stderr}")
    for schema, check, verdict in (("accounting", "ledger", "ledger_debits_equal_credits"),
                                   ("accounting", "ledger", "ledger_balances_match_transfers"),
                                   ("ordering", "orders", "order_reservations_match"),
                                   ("ordering", "orders", "order_numbers_gapless")):
        expect(re.search(rf"^{schema} +{check} +ok +{verdict}:", r.stdout, re.M),
               f"check runs {verdict}:\n{r.stdout}")

    # A cash account credited with money no transfer moved: the ledger is broken.
    ops.sql(dsn, "INSERT INTO accounting.account (id, code, kind, credits_posted) VALUES "
                 "(gen_random_uuid(), 'it_seklikctl:planted', 'cash', 5)")
    try:
        r = ctl("check")
    finally:
        ops.sql(dsn, "BEGIN; ALTER TABLE accounting.account DISABLE TRIGGER account_guard; "
                     "DELETE FROM accounting.account WHERE code = 'it_seklikctl:planted'; "
                     "ALTER TABLE accounting.account ENABLE TRIGGER account_guard; COMMIT")
    expect(r.returncode == 1 and re.search(
        r"^accounting +ledger +FAIL +ledger_balances_match_transfers:", r.stdout, re.M),
        f"check sees a balance no transfer explains:\n{r.stdout}")

    # A year whose counter handed out a number no order holds: a gap.
    ops.sql(dsn, "INSERT INTO ordering.number_counter (fiscal_year, last_seq) VALUES (2099, 1)")
    try:
        r = ctl("check")
    finally:
        ops.sql(dsn, "DELETE FROM ordering.number_counter WHERE fiscal_year = 2099")
    expect(r.returncode == 1 and re.search(
        r"^ordering +orders +FAIL +order_numbers_gapless:.*2099", r.stdout, re.M),
        f"check sees a number gap:\n{r.stdout}")
    r = ctl("check")
    expect(r.returncode == 0, f"check once the breaks are gone:\n{r.stdout}{r.stderr}")
    step("check: the ledger's and the orders' invariants hold; a planted balance and a "
         "planted number gap each fail it")


# ---- audit export -------------------------------------------------------------------

HEADER = ["at_utc", "schema", "id", "user_id", "roles", "company_id", "remote_addr", "action",
          "entity_type", "entity_id", "correlation_id", "before", "after"]


def audit(ctl, dsn, logs):
    ins = ("INSERT INTO registry.audit_log (at, user_id, roles, action, entity_type, entity_id) "
           "VALUES (:'p1'::timestamptz, :'p2', '[]', 'test.edge', 'test', 'e1')")
    ops.sql(dsn, ins, "2027-02-28 23:59:59.999999+07", "=2+3")
    ops.sql(dsn, ins, "2027-03-01 00:00:00+07", "boundary")
    ops.sql(dsn, ins, "2027-02-27 23:59:59.999999+07", "before")
    r = ctl("audit", "export", "--from", "2027-02-28", "--to", "2027-03-01")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    expect(r.returncode == 0 and rows[0] == HEADER and len(rows) == 2,
           f"one day's export:\n{r.stdout}{r.stderr}")
    expect(rows[1][0] == "2027-02-28T16:59:59.999999Z" and rows[1][1] == "registry"
           and rows[1][3] == "'=2+3", f"the day's last microsecond, formula guarded: {rows[1]}")
    r = ctl("audit", "export", "--from", "2027-02-28T17:00:00Z", "--to", "2027-03-02T00:00:00+07:00")
    expect([x[3] for x in csv.reader(io.StringIO(r.stdout))][1:] == ["boundary"],
           f"times with a zone: {r.stdout}")

    today = datetime.datetime.now(WIB).date()
    tomorrow = today + datetime.timedelta(days=1)
    r = ctl("audit", "export", "--from", today.isoformat(), "--to", tomorrow.isoformat())
    rows = list(csv.reader(io.StringIO(r.stdout)))
    counts = {}
    for s in ops.SERVICES:
        counts[s] = int(ops.sql_value(
            dsn, f"SELECT count(*) FROM {s}.audit_log WHERE at >= (:'p1'::date)::timestamp AT "
                 f"TIME ZONE 'Asia/Jakarta' AND at < (:'p2'::date)::timestamp AT TIME ZONE "
                 f"'Asia/Jakarta'", today.isoformat(), tomorrow.isoformat()))
    got = {}
    for row in rows[1:]:
        got[row[1]] = got.get(row[1], 0) + 1
    expect(r.returncode == 0 and rows[0] == HEADER and sum(counts.values()) == len(rows) - 1
           and {k: v for k, v in counts.items() if v} == got,
           f"today's export has every schema's records: {got} vs {counts}")
    times = [row[0] for row in rows[1:]]
    expect(times == sorted(times) and len({(x[1], x[2]) for x in rows[1:]}) == len(rows) - 1,
           "in time order, each record once")
    expect(all(len(x) == len(HEADER) for x in rows), "every row has every column")

    out = pathlib.Path(logs) / "it_seklikctl-audit.csv"
    if out.exists():
        out.unlink()
    r = ctl("audit", "export", "--from", today.isoformat(), "--to", tomorrow.isoformat(),
            "--schema", "gateway", "--out", str(out))
    text = out.read_text() if out.exists() else ""
    expect(r.returncode == 0 and (out.stat().st_mode & 0o777) == 0o600
           and {x[1] for x in list(csv.reader(io.StringIO(text)))[1:]} == {"gateway"},
           f"--out, --schema gateway: {r.stderr}")
    r = ctl("audit", "export", "--from", today.isoformat(), "--to", tomorrow.isoformat(),
            "--out", str(out))
    expect(r.returncode == 1 and out.read_text() == text, "an existing file is not overwritten")
    for bad in (("--from", "yesterday", "--to", "2027-01-01"),
                ("--from", "2027-01-01T10:00:00", "--to", "2027-01-02"),
                ("--from", "2027-01-02", "--to", "2027-01-01"),
                ("--from", "2027-01-01")):
        r = ctl("audit", "export", *bad)
        expect(r.returncode == 2, f"audit export {bad}: exit {r.returncode} {r.stderr}")
    step(f"audit export: {len(rows) - 1} records today from {len(got)} schemas, in order; the "
         f"period's bounds, the formula guard, --out")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: it_seklikctl.py BUILD_DIR LOG_DIR")
    build, logs = sys.argv[1], sys.argv[2]
    env_file = os.environ.get("SEKLIK_TEST_ENV_FILE")
    if not env_file:
        fail("SEKLIK_TEST_ENV_FILE is not set (run through ctest)")
    servers = ops.read_env_file(env_file)
    server = servers["SEKLIK_TEST_PG_DSN"]
    ops.sql(f"{server} dbname=postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    ops.sql(f"{server} dbname=postgres", f'CREATE DATABASE "{DB}"')
    dsn = f"{server} dbname={DB}"
    ctl = Ctl(build, dsn)
    manual_pages(ctl)
    migrate(ctl, dsn)
    stack = ops.Stack(build, env_file, pathlib.Path(logs) / "it_seklikctl", DB, existing_db=True)
    stack.start()
    try:
        status(ctl, stack)
        replay(ctl, stack)
        money_checks(ctl, dsn)
        audit(ctl, dsn, logs)
    finally:
        rc = stack.stop()
    expect(rc == 0, f"the stack stopped cleanly (exit {rc})")
    print("it_seklikctl: PASS")


if __name__ == "__main__":
    main()
