#!/usr/bin/env python3
"""upgrade_compat BUILD_DIR LOG_DIR - one version back runs on the next version's schema.

docs/upgrades.md's rule: a migration only adds (tables, nullable columns or columns with a
default, indexes), so the version before it keeps working on the migrated schema while a
rolling upgrade replaces it. This test plays that upgrade on the whole system (the fixture's
PostgreSQL, seklik-test-stack): the running binaries are "the old version"; the "new
version's" migration adds two columns to every table of every schema (one nullable, one
NOT NULL with a default) and is recorded as a migration these binaries do not know. Then:

  - every service, restarted one at a time (SIGTERM, drained, started again), is ready on it;
  - the golden path's API steps work, rows written by the old binaries get the defaults;
  - `seklikctl migrate --dry-run` reports each schema as migrated by a later version;
  - `seklikctl check` is clean.

And the test has teeth: a rule-breaking column (NOT NULL, no default) on registry.company
makes the old registry's registration fail, which the test must see, and is dropped again.
"""

import os
import pathlib
import re
import signal
import sys
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
sys.path.insert(0, str(SOURCE / "tests" / "support"))
sys.path.insert(0, str(SOURCE / "scripts"))
import seklik_api as api  # noqa: E402
import stack_ops as ops  # noqa: E402

YEAR = 2027
STAFF_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")
DB = "upgrade_compat"
NEXT = "9000_next_version.sql"


def fail(msg):
    print(f"upgrade_compat: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def step(msg):
    print(f"upgrade_compat: {msg}", flush=True)


def ready(stack, service):
    try:
        url = stack.env[f"SEKLIK_STACK_{service}_HTTP"] + "/readyz"
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def wait_until(what, fn, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if fn():
            return
        time.sleep(0.1)
    fail(f"{what}: not within {timeout_s} s")


def onboard(base, n):
    admin, verifier, head = (api.Session(base), api.Session(base), api.Session(base))
    admin.login("admin", STAFF_PASSWORD)
    verifier.login("verifikator", STAFF_PASSWORD)
    head.login("pimpinan", STAFF_PASSWORD)
    digits = f"{os.getpid() % 10000:04d}{n:04d}"
    return api.onboard(base, admin, verifier, f"upg{digits}", f"PT Versi {digits}",
                       "06" + digits + "12345", "6" + digits + "1234",
                       ("16" + digits + "000001", "16" + digits + "000002"), fiscal_year=YEAR,
                       approver=head)


def next_version_migration(dsn):
    """What the next version's migration does to every table of every schema, in the services'
    own way: one transaction per schema, recorded in its schema_migrations."""
    tables = ops.sql(dsn, "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON "
                          "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname = "
                          "ANY (string_to_array(:'p1', ',')) ORDER BY 1, 2",
                     ",".join(ops.SERVICES))
    by_schema = {}
    for schema, table in tables:
        by_schema.setdefault(schema, []).append(table)
    for schema, names in by_schema.items():
        ddl = "".join(f'ALTER TABLE "{schema}"."{t}" ADD COLUMN next_note text, '
                      f"ADD COLUMN next_flag boolean NOT NULL DEFAULT false; " for t in names)
        ops.sql(dsn, f"BEGIN; {ddl} INSERT INTO \"{schema}\".schema_migrations (version) VALUES "
                     f"(:'p1'); COMMIT", NEXT)
    return len(tables)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: upgrade_compat.py BUILD_DIR LOG_DIR")
    build, logs = sys.argv[1], pathlib.Path(sys.argv[2])
    env_file = os.environ.get("SEKLIK_TEST_ENV_FILE")
    expect(env_file, "SEKLIK_TEST_ENV_FILE is not set (run through ctest)")
    stack = ops.Stack(build, env_file, logs / "upgrade_compat", DB, supervise=True)
    stack.start()
    try:
        run(build, stack)
    finally:
        rc = stack.stop()
    expect(rc == 0, f"the stack stopped cleanly (exit {rc})")
    out = stack.out.read_text(errors="replace")
    exits = re.findall(r"seklik-test-stack: (\w+) exited with (-?\d+); restarting", out)
    expect(sorted(s for s, _ in exits) == sorted(ops.SERVICES)
           and all(code == "0" for _, code in exits),
           f"each service restarted once after draining (exit 0): {exits}")
    print("upgrade_compat: PASS")


def run(build, stack):
    dsn = stack.env["SEKLIK_DB_DSN"]
    base = stack.env["SEKLIK_GATEWAY_URL"]
    admin = api.Session(base)
    admin.login("admin", STAFF_PASSWORD)
    api.publish_requirements(admin, YEAR)
    _, before_cid, _ = onboard(base, 1)
    step("the old version: golden path done")

    n = next_version_migration(dsn)
    step(f"the next version's migration: two columns added to each of {n} tables, recorded as "
         f"{NEXT}")
    r = ops.seklikctl(build, dsn, "migrate", "--dry-run")
    newer = re.findall(rf"^(\w+) +newer: {NEXT}", r.stdout, re.M)
    expect(r.returncode == 0 and sorted(newer) == sorted(ops.SERVICES),
           f"seklikctl migrate reports every schema as migrated by a later version:\n{r.stdout}")

    # A rolling restart of the old binaries on the new schema, one service at a time.
    for svc in ops.SERVICES:
        pid = stack.pid(svc)
        os.kill(pid, signal.SIGTERM)
        wait_until(f"{svc} started again", lambda s=svc, p=pid: stack.pid(s) not in (0, p))
        wait_until(f"{svc} ready on the new schema", lambda s=svc: ready(stack, s))
    step("each old binary restarted and ready on the new schema")

    _, cid, outlet = onboard(base, 2)
    rows = ops.sql(dsn, "SELECT next_note IS NULL, next_flag FROM registry.company WHERE id = "
                        ":'p1'", cid)
    expect(rows == [["t", "f"]], f"the old binary's rows get the new columns' defaults: {rows}")
    r = ops.seklikctl(build, dsn, "check", "--wait", "60")
    expect(r.returncode == 0, f"seklikctl check on the new schema:\n{r.stdout}{r.stderr}")
    step(f"golden path on the new schema (company {cid}, outlet {outlet}); check clean")

    # The harness sees a migration that breaks the rule.
    ops.sql(dsn, "ALTER TABLE registry.company ADD COLUMN breaks_old text NOT NULL DEFAULT 'x'; "
                 "ALTER TABLE registry.company ALTER COLUMN breaks_old DROP DEFAULT")
    try:
        onboard(base, 3)
        broke = False
    except (api.ApiError, AssertionError) as e:
        broke = True
        step(f"a NOT NULL column without a default breaks the old registry, as it must: {e}")
    finally:
        ops.sql(dsn, "ALTER TABLE registry.company DROP COLUMN breaks_old")
    expect(broke, "a rule-breaking column went unnoticed: the old registry still registered")
    expect(ops.sql_value(dsn, "SELECT count(*) FROM registry.company WHERE id = :'p1'",
                         before_cid) == "1", "the first company is still there")


if __name__ == "__main__":
    main()
