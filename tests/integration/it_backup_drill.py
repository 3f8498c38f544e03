#!/usr/bin/env python3
"""it_backup_drill BUILD_DIR LOG_DIR - the backup and restore drill.

A small workload on a stack (the fixture's PostgreSQL), `seklikctl backup`
while it runs, `seklikctl restore` into an empty second cluster, the
services started on the restored data. Proves: every table comes back row
for row; the restored system passes `seklikctl check`; a restore over data,
or from a damaged backup, is refused and changes nothing; subscribers resume
(new events after the restore are applied once each); and `seklikctl check`
catches each kind of violation it claims to (a fault injected and undone).
"""

import json
import os
import pathlib
import re
import shutil
import sys
import time

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
sys.path.insert(0, str(HERE.parent.parent / "scripts"))
import seklik_api as api  # noqa: E402
import stack_ops as ops  # noqa: E402

YEAR = 2027
STAFF_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")


def fail(msg):
    print(f"it_backup_drill: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def staff(base, username):
    s = api.Session(base)
    s.login(username, STAFF_PASSWORD)
    return s


def submit_company(base, username, name, npwp, nib, niks):
    """A partner signs up, registers, uploads the four documents and submits."""
    partner = api.Session(base)
    partner.signup(username, api.PARTNER_PASSWORD, name)
    company = api.register_company(partner, name, npwp, nib, *niks)
    for d in api.REQUIRED_DOCS:
        api.upload(partner, company["id"], d)
    partner.call("registry.Submit", {"companyId": company["id"], "fiscalYear": YEAR})
    return partner, company["id"]


def verify_case(verifier, approver, company_id):
    """Take a submitted company's case to verified (documents, visit, the
    verifier's proposal and `approver`'s approval: four-eyes)."""
    case = verifier.wait("verification.GetCase", {"companyId": company_id},
                         lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
    for doc in case.get("documents", []):
        verifier.call("verification.DecideDocument", {
            "caseId": case["id"], "documentId": doc["documentId"], "decision": "DECISION_ACCEPTED"})
    verifier.call("verification.RecordVisit", {"caseId": case["id"], "visit": {
        "visitedOn": api.today_wib(), "verifierId": verifier.user.get("id", ""),
        "latitude": -3.39, "longitude": 104.83, "findings": "Kantor redaksi aktif"}})
    api.decide(verifier, approver, case)


def check(build, dsn, *args):
    return ops.seklikctl(build, dsn, "check", *args)


def expect_clean(build, dsn, when):
    r = check(build, dsn, "--wait", "60")
    expect(r.returncode == 0, f"seklikctl check {when}:\n{r.stdout}{r.stderr}")


def heads(dsn):
    return {s: int(ops.sql_value(dsn, f"SELECT last_seq FROM {s}.outbox_head")) for s in ops.SERVICES}


# ---- the checker's own guarantee: each violation it names is caught ----

# (check that must fail, what the fault is, SQL to inject it, SQL to undo it)
FAULTS = [
    ("outbox_gapless", "an event missing from the outbox",
     "CREATE TABLE public.drill_saved AS SELECT * FROM registry.outbox WHERE seq = 2;"
     "DELETE FROM registry.outbox WHERE seq = 2",
     "INSERT INTO registry.outbox SELECT * FROM public.drill_saved; DROP TABLE public.drill_saved"),
    ("outbox_gapless", "the head behind the outbox",
     "UPDATE registry.outbox_head SET last_seq = last_seq - 1",
     "UPDATE registry.outbox_head SET last_seq = last_seq + 1"),
    ("offsets", "a subscriber ahead of its source",
     "UPDATE verification.inbox_offsets SET last_seq = last_seq + 1 WHERE source = 'registry'",
     "UPDATE verification.inbox_offsets SET last_seq = last_seq - 1 WHERE source = 'registry'"),
    ("offsets", "a subscriber behind its source",
     "UPDATE registry.inbox_offsets SET last_seq = last_seq - 1 WHERE source = 'verification'",
     "UPDATE registry.inbox_offsets SET last_seq = last_seq + 1 WHERE source = 'verification'"),
    ("idempotency_unique", "an idempotency key stored twice",
     "ALTER TABLE registry.idempotency DROP CONSTRAINT idempotency_pkey;"
     "INSERT INTO registry.idempotency SELECT * FROM registry.idempotency ORDER BY key LIMIT 1",
     "DELETE FROM registry.idempotency a USING registry.idempotency b "
     "WHERE a.key = b.key AND a.ctid > b.ctid; ALTER TABLE registry.idempotency ADD PRIMARY KEY (key)"),
    ("command_effects", "a command's audit record gone",
     "CREATE TABLE public.drill_saved AS SELECT a.* FROM registry.audit_log a JOIN "
     "registry.idempotency i ON a.at = i.created_at WHERE i.method = 'Registry.Submit';"
     "DELETE FROM registry.audit_log WHERE id IN (SELECT id FROM public.drill_saved)",
     "INSERT INTO registry.audit_log SELECT * FROM public.drill_saved; DROP TABLE public.drill_saved"),
    ("command_effects", "a stored response that is not OK",
     "CREATE TABLE public.drill_saved AS SELECT key, response FROM verification.idempotency "
     "ORDER BY key LIMIT 1; UPDATE verification.idempotency SET response = '\\x0801'::bytea "
     "WHERE key = (SELECT key FROM public.drill_saved)",
     "UPDATE verification.idempotency i SET response = s.response FROM public.drill_saved s "
     "WHERE i.key = s.key; DROP TABLE public.drill_saved"),
]


def check_catches_each_fault(build, dsn):
    for name, what, inject, undo in FAULTS:
        ops.sql(dsn, inject)
        r = check(build, dsn)
        failed = re.search(rf"^\S+\s+{name}\s+FAIL ", r.stdout, re.M)
        ops.sql(dsn, undo)
        expect(r.returncode == 1 and failed,
               f"seklikctl check missed {what} (expected {name} FAIL, exit 1):\n{r.stdout}")
        print(f"check catches {what}: {failed.group(0).split()[0]} {name} FAIL")
        if name == "offsets" and "behind" in what:
            ops.sql(dsn, inject)
            lag = check(build, dsn, "--allow-lag")
            ops.sql(dsn, undo)
            expect(lag.returncode == 0, f"--allow-lag still fails on a lag:\n{lag.stdout}")
        r = check(build, dsn)
        expect(r.returncode == 0, f"undoing {what} left a violation:\n{r.stdout}")


# ---- the drill ----

def run(build, logs):
    fixture_env = os.environ.get("SEKLIK_TEST_ENV_FILE")
    expect(fixture_env, "SEKLIK_TEST_ENV_FILE unset: run through ctest")
    drill = pathlib.Path(logs) / "drill"
    shutil.rmtree(drill, ignore_errors=True)
    drill.mkdir(parents=True)
    backup = drill / "backup"

    # 1. A workload on the source, and a backup while it runs.
    source = ops.Stack(build, fixture_env, drill / "source", "it_backup_drill").start()
    try:
        base = source.env["SEKLIK_GATEWAY_URL"]
        dsn1 = source.env["SEKLIK_DB_DSN"]
        admin, verifier = staff(base, "admin"), staff(base, "verifikator")
        head = staff(base, "pimpinan")
        api.publish_requirements(admin, YEAR)
        _, verified_id = submit_company(base, "drillsatu", "PT Drill Satu", "061234567890123",
                                        "6123456789012", ("1601060101800001", "1601060101900002"))
        verify_case(verifier, head, verified_id)
        _, review_id = submit_company(base, "drilldua", "PT Drill Dua", "072345678901234",
                                      "7234567890123", ("1601070101800003", "1601070101900004"))
        verifier.wait("verification.GetCase", {"companyId": review_id},
                      lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
        expect_clean(build, dsn1, "on the source")
        for attempt in range(3):
            before = ops.table_digests(dsn1)
            shutil.rmtree(backup, ignore_errors=True)
            r = ops.seklikctl(build, dsn1, "backup", "--out", str(backup))
            expect(r.returncode == 0, f"backup failed:\n{r.stdout}{r.stderr}")
            if ops.table_digests(dsn1) == before:
                break
            print(f"the source changed during backup attempt {attempt + 1}; again")
        else:
            fail("the source never stood still for a backup")
        manifest = json.loads((backup / "manifest.json").read_text())
        recorded = {e["schema"]: e["outbox_last_seq"] for e in manifest["schemas"]}
        expect(recorded == heads(dsn1), f"manifest heads {recorded} != source {heads(dsn1)}")
        print(f"backup: {len(manifest['schemas'])} schemas, {len(before)} tables, heads {recorded}")
    finally:
        rc = source.stop()
    expect(rc == 0, f"the source stack did not stop cleanly ({rc}); see {drill}/source")

    # 2. Restore into an empty cluster of its own.
    cluster = ops.Servers(drill / "cluster2").up()
    try:
        dsn2 = cluster.dsn()
        schemas_there = ("SELECT count(*) FROM pg_namespace WHERE nspname = ANY "
                         "(string_to_array(:'p1', ','))")
        damaged = drill / "backup-damaged"
        shutil.copytree(backup, damaged)
        with open(damaged / "registry.dump", "r+b") as f:
            f.seek(200)
            byte = f.read(1)
            f.seek(200)
            f.write(bytes([byte[0] ^ 0xFF]))
        r = ops.seklikctl(build, dsn2, "restore", "--from", str(damaged))
        expect(r.returncode == 1 and "SHA-256" in r.stderr, f"a damaged backup restored:\n{r.stderr}")
        expect(ops.sql_value(dsn2, schemas_there, ",".join(ops.SERVICES)) == "0",
               "a refused restore created schemas")

        r = ops.seklikctl(build, dsn2, "restore", "--from", str(backup))
        expect(r.returncode == 0, f"restore failed:\n{r.stdout}{r.stderr}")
        restored = ops.table_digests(dsn2)
        lost = {t: (before[t], restored.get(t)) for t in before if restored.get(t) != before[t]}
        expect(not lost, f"tables differ after restore (before, after): {lost}")
        print(f"restore: all {len(before)} tables equal row for row")
        r = ops.seklikctl(build, dsn2, "restore", "--from", str(backup))
        expect(r.returncode == 1 and "not empty" in r.stderr,
               f"a restore over data was not refused:\n{r.stdout}{r.stderr}")
        expect(ops.table_digests(dsn2) == before, "a refused restore changed data")

        # 3. The services on the restored data: consistent, and they resume.
        restored_stack = ops.Stack(build, cluster.env_file, drill / "restored", "seklik",
                                   existing_db=True).start()
        try:
            base = restored_stack.env["SEKLIK_GATEWAY_URL"]
            expect_clean(build, dsn2, "after the restore")
            admin, verifier = staff(base, "admin"), staff(base, "verifikator")
            head = staff(base, "pimpinan")
            partner = api.Session(base)
            partner.login("drilldua", api.PARTNER_PASSWORD)  # users and passwords came back
            expect(partner.user.get("companyId") == review_id, "the partner lost its company")
            head_before = heads(dsn2)
            # New events from both directions: a new company (registry ->
            # verification, scoring) and a decision (verification -> registry).
            _, new_id = submit_company(base, "drilltiga", "PT Drill Tiga", "083456789012345",
                                       "8345678901234", ("1601080101800005", "1601080101900006"))
            verify_case(verifier, head, review_id)
            partner.wait("registry.GetCompany", {"companyId": review_id},
                         lambda c: c.get("status") == "COMPANY_STATUS_VERIFIED")
            verifier.wait("verification.GetCase", {"companyId": new_id},
                          lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
            expect_clean(build, dsn2, "after new events on the restored system")
            head_after = heads(dsn2)
            expect(head_after["registry"] > head_before["registry"] and
                   head_after["verification"] > head_before["verification"],
                   f"no new events after the restore: {head_before} -> {head_after}")
            cases = ops.sql_value(dsn2, "SELECT count(*) FROM verification.verification_case "
                                        "WHERE company_id = :'p1'", new_id)
            expect(cases == "1", f"the new company has {cases} cases, not 1")
            twice = ops.sql(dsn2, "SELECT action, entity_id, correlation_id, count(*) FROM "
                                  "verification.audit_log WHERE correlation_id <> '' GROUP BY 1, 2, 3 "
                                  "HAVING count(*) > 1")
            expect(not twice, f"effects recorded twice for one event or command: {twice}")
            now = ops.table_digests(dsn2)
            shrunk = [t for t in before if now[t][0] < before[t][0]]
            expect(not shrunk, f"rows lost once the services ran: {shrunk}")
            print(f"resumed: heads {head_before} -> {head_after}; one case for the new company")
        finally:
            rc = restored_stack.stop()
        expect(rc == 0, f"the restored stack did not stop cleanly ({rc}); see {drill}/restored")
        expect(not ops.sanitizer_reports(drill / "source") and
               not ops.sanitizer_reports(drill / "restored"),
               f"sanitizer reports in the logs: {ops.sanitizer_reports(drill / 'restored')}")

        # 4. The checker catches what it claims to.
        check_catches_each_fault(build, dsn2)
    finally:
        cluster.down()
    print("it_backup_drill: ok")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: it_backup_drill.py BUILD_DIR LOG_DIR")
    started = time.monotonic()
    run(sys.argv[1], sys.argv[2])
    print(f"it_backup_drill: {time.monotonic() - started:.1f} s")
