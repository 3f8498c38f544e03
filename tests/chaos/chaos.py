#!/usr/bin/env python3
"""The chaos test (run it as tests/chaos/run; --help for the knobs).

Starts the whole system on a PostgreSQL and Redis of its own (never the
ctest fixture's: it kills them), drives the load of load.py through the
gateway, and meanwhile SIGKILLs a random service every few seconds (the
stack restarts it), PostgreSQL once and Redis once (restarted here). Then
it stops the load, lets every command in flight be retried to acceptance,
and checks:

  - every command the API accepted is stored once (its idempotency row) and
    its effect is there once: one company per partner, one document per
    accepted upload, one verification case per submitted company;
  - every event applied once: each re-upload into a case under review
    replaced its document exactly once, no effect recorded twice for one
    event or command, verified companies verified in the registry too;
  - `seklikctl check`: gapless outboxes, offsets equal to their sources'
    heads, unique keys, every stored response with its effects;
  - every service exit was one of our kills (status 137, as many as we
    sent); no sanitizer report or failed assertion in any log; the stack
    stops cleanly at the end.

Exit 0 when all hold (with --expect-fault: when the injected fault is
reported and everything else holds), 1 otherwise.
"""

import argparse
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
sys.path.insert(0, str(SOURCE / "tests" / "support"))
sys.path.insert(0, str(SOURCE / "scripts"))
import stack_ops as ops  # noqa: E402
import load as loadgen  # noqa: E402

LIB_SH = SOURCE / "scripts" / "lib.sh"
STAFF_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")

# Faults --expect-fault can inject once the load has drained, and the check
# of `seklikctl check` that must then fail.
FAULTS = {
    "outbox-gap": ("outbox_gapless",
                   "DELETE FROM registry.outbox WHERE seq = (SELECT last_seq / 2 + 1 FROM "
                   "registry.outbox_head)"),
    "offset-ahead": ("offsets",
                     "UPDATE verification.inbox_offsets SET last_seq = last_seq + 3 "
                     "WHERE source = 'registry'"),
}


# Every service is a target; those the load goes through (and their
# subscribers) three times as often as the idle ones.
KILL_WEIGHTS = [3 if s in ("registry", "verification", "scoring", "gateway") else 1
                for s in ops.SERVICES]


def log(msg):
    print(f"chaos: {msg}", flush=True)


# ---- processes -----------------------------------------------------------------

def comm(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def children_of(pid):
    kids = []
    for d in pathlib.Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def wait_gone(pids, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def lib_sh(function, *args):
    """Call a function of scripts/lib.sh with an argv (no string building)."""
    return subprocess.run(["bash", "-c", f'source "$0"; {function} "$@"', str(LIB_SH), *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)


class Chaos:
    def __init__(self, args):
        self.args = args
        self.build = pathlib.Path(args.build).resolve()
        self.state = pathlib.Path(args.state).resolve()
        self.rng = random.Random(args.seed)
        self.kills = {}
        self.results = []     # (ok, text)
        self.servers = None
        self.stack = None

    # -- the targets ---------------------------------------------------------------
    def ready(self, service):
        url = self.stack.env.get(f"SEKLIK_STACK_{service}_HTTP", "") + "/readyz"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def pg_up(self):
        return lib_sh("sk_pg_wait", self.servers.env["SEKLIK_TEST_PG_PORT"], "1").returncode == 0

    def wait_all_up(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.pg_up() and all(self.ready(s) for s in ops.SERVICES):
                return True
            time.sleep(0.2)
        return False

    def kill_service(self, service):
        pid = self.stack.pid(service)
        if pid <= 0 or not comm(pid).startswith("seklik-"):
            return False  # between restarts: not a kill of a running service
        os.kill(pid, signal.SIGKILL)
        return True

    def kill_postgres(self):
        data = self.servers.env["SEKLIK_TEST_PG_DATA"]
        pid = int(pathlib.Path(data, "postmaster.pid").read_text().split("\n", 1)[0])
        if comm(pid) != "postgres":
            raise RuntimeError(f"postmaster.pid names {pid}, which is no postgres")
        backends = children_of(pid)
        os.kill(pid, signal.SIGKILL)
        # Its backends notice the postmaster is gone and exit; a new
        # postmaster refuses to start while they hold the shared memory.
        wait_gone([pid, *backends], 30)
        for _ in range(20):
            r = lib_sh("sk_pg_start", data, self.servers.env["SEKLIK_TEST_PG_LOG"])
            if r.returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"PostgreSQL did not start again: {r.stderr.strip()[-300:]}")

    def kill_redis(self):
        # Restarted with the same ACL file: the services' password still works.
        redis_dir = self.servers.state / "redis"
        pid = int((redis_dir / "redis.pid").read_text().strip())
        if comm(pid) != "redis-server":
            raise RuntimeError(f"redis.pid names {pid}, which is no redis-server")
        os.kill(pid, signal.SIGKILL)
        wait_gone([pid], 10)
        r = lib_sh("sk_redis_start", str(redis_dir), self.servers.env["SEKLIK_TEST_REDIS_PORT"],
                   str(self.servers.state / "redis-users.acl"))
        if r.returncode != 0:
            raise RuntimeError(f"Redis did not start again: {r.stderr.strip()[-300:]}")

    def killer(self, duration_s):
        lo, hi = self.args.kill_every
        specials = {"postgresql": duration_s * 0.35, "redis": duration_s * 0.65}
        start = time.monotonic()
        while True:
            time.sleep(self.rng.uniform(lo, hi))
            elapsed = time.monotonic() - start
            if elapsed >= duration_s:
                return
            # Kill what is running: a service restarting, or a database
            # coming back, is given time first (up to 30 s).
            if not self.wait_all_up(30):
                raise RuntimeError("the system did not come back within 30 s of a kill")
            due = [t for t, at in specials.items() if elapsed >= at and t not in self.kills]
            target = due[0] if due else self.rng.choices(ops.SERVICES, KILL_WEIGHTS)[0]
            if target == "postgresql":
                self.kill_postgres()
            elif target == "redis":
                self.kill_redis()
            elif not self.kill_service(target):
                continue
            self.kills[target] = self.kills.get(target, 0) + 1
            log(f"{elapsed:5.1f} s: killed {target}")

    # -- the checks ----------------------------------------------------------------
    def result(self, ok, text):
        self.results.append((ok, text))

    def check_commands(self, rec, dsn):
        accepted = [c for c in rec.commands if c.state == "accepted"]
        others = [c for c in rec.commands if c.state != "accepted"]
        self.result(not others, f"every command accepted in the end ({len(accepted)} accepted, "
                                f"{len(others)} not: "
                                + "; ".join(f"{c.actor} {c.method} {c.state} {c.refusal}"
                                            for c in others[:5]) + ")")
        stored = {}
        for schema in ("registry", "verification"):
            for key, method in ops.sql(dsn, f"SELECT key, method FROM {schema}.idempotency"):
                stored[key] = (schema, method)
        missing, wrong = [], []
        for c in accepted:
            want = c.method.split(".", 1)
            want_method = want[0].capitalize() + "." + want[1]
            got = stored.pop(f"{c.user_id}:{c.key}", None)
            if got is None:
                missing.append(f"{c.actor} {c.method} {c.key}")
            elif got != (c.service, want_method):
                wrong.append(f"{c.key}: {got}")
        ours = {c.user_id for c in rec.commands}
        extra = [k for k in stored if k.split(":", 1)[0] in ours]
        self.result(not missing and not wrong and not extra,
                    f"each accepted command stored once ({len(accepted)} keys; missing "
                    f"{missing[:3]}, wrong method {wrong[:3]}, unrequested {extra[:3]})")

    def check_effects(self, rec, dsn):
        # A few queries for the lot, compared here.
        companies, status = {}, {}
        for user, cid, st in ops.sql(dsn, "SELECT registered_by, id, status FROM registry.company"):
            companies.setdefault(user, []).append(cid)
            status[cid] = st
        doc_type, docs = {}, {}
        for cid, t, did in ops.sql(dsn, "SELECT company_id, type, id FROM registry.document"):
            doc_type[did] = t
            docs.setdefault((cid, t), []).append(did)
        cases = {cid: (int(n), st) for cid, n, st in ops.sql(
            dsn, "SELECT company_id, count(*), max(state) FROM verification.verification_case "
                 "GROUP BY 1")}
        replaced = {did: int(n) for did, n in ops.sql(
            dsn, "SELECT r.entity_id, count(v.id) FROM registry.audit_log r LEFT JOIN "
                 "verification.audit_log v ON v.correlation_id = r.correlation_id AND v.action = "
                 "'case.document_replaced' WHERE r.action = 'document.upload' GROUP BY 1")}
        problems = []
        reuploads = 0
        for co in rec.companies:
            cid, who = co["company_id"], co["partner"]
            if companies.get(co["user_id"]) != [cid]:
                problems.append(f"{who}: companies {companies.get(co['user_id'])}, expected [{cid}]")
            for api_type, ids in co["uploads"].items():
                have = sorted(docs.get((cid, doc_type.get(ids[0], "?")), []))
                if have != sorted(ids):
                    problems.append(f"{who} {api_type}: documents {have}, uploads {ids}")
            if co["submitted"] and cases.get(cid, (0, ""))[0] != 1:
                problems.append(f"{who}: {cases.get(cid, (0, ''))[0]} verification cases, not 1")
            for doc in co["reuploads"]:
                reuploads += 1
                if replaced.get(doc, 0) != 1:
                    problems.append(f"{who}: re-upload {doc} applied {replaced.get(doc, 0)} times "
                                    f"by verification")
            if co["verified"] and (status.get(cid), cases.get(cid, (0, ""))[1]) != (
                    "verified", "verified"):
                problems.append(f"{who}: registry {status.get(cid)}, verification "
                                f"{cases.get(cid, (0, ''))[1]}")
        for schema in ("registry", "verification"):
            twice = ops.sql(dsn, f"SELECT action, entity_id, correlation_id, count(*) FROM "
                                 f"{schema}.audit_log WHERE correlation_id <> '' "
                                 f"GROUP BY 1, 2, 3 HAVING count(*) > 1")
            problems += [f"{schema}: {t} recorded twice" for t in twice]
        verified = sum(1 for c in rec.companies if c["verified"])
        self.result(not problems,
                    f"effects once each: {len(rec.companies)} companies, {verified} verified, "
                    f"{reuploads} re-uploads applied once by verification"
                    + (f"; {problems[:5]}" if problems else ""))

    def check_invariants(self, dsn, expect_check=None):
        r = ops.seklikctl(self.build, dsn, "check", "--wait", "90")
        fails = [line for line in r.stdout.splitlines() if " FAIL " in line]
        if expect_check:
            hit = [f for f in fails if re.match(rf"^\S+\s+{expect_check}\s", f)]
            self.result(r.returncode == 1 and hit,
                        f"seklikctl check reports the injected fault: {hit or fails or 'nothing'}")
        else:
            self.result(r.returncode == 0, "seklikctl check: " + (
                "all invariants hold" if r.returncode == 0 else "; ".join(fails[:5]) + r.stderr))

    def check_exits(self):
        out = self.stack.out.read_text(errors="replace")
        exits = re.findall(r"seklik-test-stack: (\w+) exited with (-?\d+); restarting", out)
        by_service = {}
        bad = []
        for service, status in exits:
            by_service[service] = by_service.get(service, 0) + 1
            if int(status) != 128 + signal.SIGKILL:
                bad.append(f"{service} exited with {status}")
        killed = {s: n for s, n in self.kills.items() if s in ops.SERVICES}
        self.result(not bad and by_service == killed,
                    f"every service exit was a kill ({sum(by_service.values())} exits, "
                    f"{sum(killed.values())} kills){'; ' + '; '.join(bad[:5]) if bad else ''}"
                    + ("" if by_service == killed else f"; exits {by_service} != kills {killed}"))
        reports = ops.sanitizer_reports(self.state / "stack")
        self.result(not reports, "no sanitizer report or failed assertion in the logs"
                    + (f": {reports[:5]}" if reports else ""))

    # -- the run -------------------------------------------------------------------
    def run(self):
        a = self.args
        self.state.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.state / "stack", ignore_errors=True)  # logs of an earlier run
        log(f"seed {a.seed}, {a.duration} s, state and logs in {self.state}")
        self.servers = ops.Servers(self.state / "servers").up()
        try:
            return self._run()
        finally:
            if self.stack and self.stack.proc:
                self.stack.stop()
            if not a.keep:
                self.servers.down()

    def _run(self):
        a = self.args
        self.stack = ops.Stack(self.build, self.servers.env_file, self.state / "stack", "chaos",
                               supervise=True,
                               extra_env={"SEKLIK_GATEWAY_TRUSTED_PROXIES": "127.0.0.1"}).start()
        dsn = self.stack.env["SEKLIK_DB_DSN"]
        load = loadgen.Load(self.stack.env["SEKLIK_GATEWAY_URL"], STAFF_PASSWORD, a.seed,
                            partners=a.partners, verifiers=a.verifiers, tolerate=a.tolerate)
        load.setup()
        load.start()
        started = time.monotonic()
        try:
            self.killer(a.duration)
        except RuntimeError as e:
            self.result(False, f"the kills: {e}")
        log(f"kills done after {time.monotonic() - started:.0f} s; draining the load")
        up = self.wait_all_up(60)
        self.result(up, "everything up again after the last kill")
        drained = load.stop(a.drain)
        rec = load.rec
        self.result(drained and not rec.errors,
                    "the load finished what it started" + (
                        "" if drained else f" (threads still running after {a.drain} s)") + (
                        f"; errors: {rec.errors[:5]}" if rec.errors else ""))
        if a.expect_fault:
            self.check_invariants(dsn)  # clean first, so the fault is the only violation
            expect_check, fault_sql = FAULTS[a.expect_fault]
            ops.sql(dsn, fault_sql)
            log(f"injected {a.expect_fault}")
            self.check_invariants(dsn, expect_check)
        else:
            self.check_invariants(dsn)
        self.check_commands(rec, dsn)
        self.check_effects(rec, dsn)
        rc = self.stack.stop()
        self.result(rc == 0, f"the stack stopped cleanly (exit {rc})")
        self.check_exits()
        self.summary(rec, time.monotonic() - started)
        return all(ok for ok, _ in self.results)

    def summary(self, rec, elapsed):
        accepted = [c for c in rec.commands if c.state == "accepted"]
        retried = [c for c in accepted if c.attempts > 1]
        failures = {}
        for c in rec.commands:
            for k, n in c.failures.items():
                failures[k] = failures.get(k, 0) + n
        by_method = {}
        for c in accepted:
            by_method[c.method] = by_method.get(c.method, 0) + 1
        print()
        print(f"chaos summary (seed {self.args.seed}, {self.args.duration} s of kills, "
              f"{elapsed:.0f} s in all)")
        print(f"  commands: {len(accepted)} accepted, {len(retried)} of them after retries; "
              f"{len(rec.commands) - len(accepted)} not accepted")
        print("  accepted by method: " + ", ".join(f"{m} {n}" for m, n in sorted(by_method.items())))
        print("  failed attempts, retried with the same key: " + (
            ", ".join(f"{k} {n}" for k, n in sorted(failures.items())) or "none"))
        print("  failed query attempts (retried): " + (
            ", ".join(f"{k} {n}" for k, n in sorted(rec.query_failures.items())) or "none")
              + f"; re-logins {rec.relogins}")
        if rec.anomalies:
            print("  known issues met" + (" (tolerated)" if self.args.tolerate else "") + ": "
                  + ", ".join(f"{k} {n}" for k, n in sorted(rec.anomalies.items())))
        print(f"  kills ({sum(self.kills.values())}): " + ", ".join(
            f"{t} {n}" for t, n in sorted(self.kills.items())))
        print("  checks:")
        for ok, text in self.results:
            print(f"    {'ok  ' if ok else 'FAIL'} {text}")
        print(f"chaos: {'PASS' if all(ok for ok, _ in self.results) else 'FAIL'}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=str(SOURCE / "build"), help="build tree (default build/)")
    p.add_argument("--duration", type=float, default=300, help="seconds of kills (default 300)")
    p.add_argument("--seed", type=int, default=None, help="random seed (printed; default: time)")
    p.add_argument("--state", default=None, help="state and logs (default BUILD/chaos)")
    p.add_argument("--kill-every", default="2,5",
                   help="seconds between kills, MIN,MAX (default 2,5)")
    p.add_argument("--partners", type=int, default=3, help="partner threads (default 3)")
    p.add_argument("--verifiers", type=int, default=2, help="verifier threads (default 2)")
    p.add_argument("--drain", type=float, default=180,
                   help="seconds the load has to finish after the kills (default 180)")
    p.add_argument("--expect-fault", choices=sorted(FAULTS),
                   help="inject this fault after the load and pass only if check reports it")
    p.add_argument("--keep", action="store_true", help="leave PostgreSQL and Redis running")
    p.add_argument("--tolerate", action="append", default=[], choices=["bind-after-register"],
                   help="a known issue to work around (reported, not failed): "
                        "bind-after-register = the gateway answered RegisterCompany 200 but "
                        "could not bind the partner to the company (see load.check_bound)")
    a = p.parse_args()
    a.seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1_000_000_007
    a.state = a.state or str(pathlib.Path(a.build) / "chaos")
    try:
        lo, hi = (float(x) for x in a.kill_every.split(","))
    except ValueError:
        p.error("--kill-every: MIN,MAX in seconds")
    a.kill_every = (lo, hi)
    sys.exit(0 if Chaos(a).run() else 1)


if __name__ == "__main__":
    main()
