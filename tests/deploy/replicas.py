#!/usr/bin/env python3
"""replicas BUILD_DIR LOG_DIR - two processes of every service, and their leaders killed.

The whole system with two replicas of each of the seven services on one schema each (the
fixture's PostgreSQL and Redis), reached as in Kubernetes: each service's RPC and events
addresses are a round-robin TCP balancer in front of its two replicas (what a ClusterIP
Service does: one backend per connection, a refused connection is the client's problem), and
the load reaches the two gateways through one more. The chaos load (tests/chaos/load.py) runs
through it while the leader of every service in turn is SIGKILLed and started again.

Proves (docs/scaling.md):
  - one leader per service at any time (each process's seklik_leader gauge, sampled
    throughout; and one advisory lock per service in pg_locks), and a follower takes over
    within seconds of the leader's death;
  - single-runner background work: a follower's events port is closed, and a process that
    never led has published and applied nothing; every process that led did;
  - both gateways apply every event to their own cache (per-process subscriptions);
  - commands idempotent across replicas, events gapless and applied once: every accepted
    command stored once with its effects once (the chaos checks), `seklikctl check` clean;
  - every process stops cleanly on SIGTERM.
"""

import argparse
import asyncio
import http.client
import os
import pathlib
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
for sub in ("tests/support", "scripts", "tests/chaos"):
    sys.path.insert(0, str(SOURCE / sub))
import chaos  # noqa: E402
import load as loadgen  # noqa: E402
import stack_ops as ops  # noqa: E402

SERVICES = ops.SERVICES
STAFF_PASSWORD = "Demo-Seklik-2026"
DB = "replicas"
LEADER_INTERVAL_MS = 300


def log(msg):
    print(f"replicas: {msg}", flush=True)


_TAKEN = set()


def free_port():
    """A port free now and not handed out before by this test (the ~45 ports are chosen before
    anything binds them, and the kernel may offer a closed one again)."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _TAKEN:
            _TAKEN.add(port)
            return port


# ---- a Kubernetes Service, roughly --------------------------------------------------------

class Balancer:
    """Round-robin TCP balancer: each accepted connection goes to the next backend; when that
    backend refuses, the client's connection is closed (it retries, as over a Service)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.routes = []          # (front port, [backend ports])
        self.servers = []
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.counter = {}

    def add(self, backends):
        port = free_port()
        self.routes.append((port, backends))
        return port

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                writer.close()
            except (ConnectionError, OSError):
                pass

    def _handler(self, port, backends):
        async def handle(reader, writer):
            n = self.counter.get(port, random.randrange(len(backends)))
            self.counter[port] = n + 1
            try:
                br, bw = await asyncio.open_connection("127.0.0.1", backends[n % len(backends)])
            except OSError:
                writer.close()
                return
            await asyncio.gather(self._pipe(reader, bw), self._pipe(br, writer))
        return handle

    def start(self):
        async def listen():
            for port, backends in self.routes:
                self.servers.append(await asyncio.start_server(
                    self._handler(port, backends), "127.0.0.1", port))
        self.thread.start()
        asyncio.run_coroutine_threadsafe(listen(), self.loop).result(10)

    def stop(self):
        async def close():
            for s in self.servers:
                s.close()
        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


# ---- the processes ------------------------------------------------------------------------

class Replica:
    def __init__(self, service, index, build, logs):
        self.service, self.index = service, index
        self.name = f"{service}-{'ab'[index]}"
        self.binary = pathlib.Path(build) / "services" / service / f"seklik-{service}"
        self.log = pathlib.Path(logs) / f"replicas-{self.name}.log"
        self.rpc, self.events, self.http = free_port(), free_port(), free_port()
        self.web = free_port() if service == "gateway" else None
        self.proc = None
        self.starts = 0
        self.ever_led = False

    def env(self, base):
        env = dict(base)
        env.update({"SEKLIK_RPC_LISTEN": f"tcp://127.0.0.1:{self.rpc}",
                    "SEKLIK_EVENTS_LISTEN": f"tcp://127.0.0.1:{self.events}",
                    "SEKLIK_HTTP_LISTEN": f"http://127.0.0.1:{self.http}"})
        if self.web:
            env["SEKLIK_GATEWAY_LISTEN"] = f"http://127.0.0.1:{self.web}"
            env["SEKLIK_GATEWAY_TRUSTED_PROXIES"] = "127.0.0.1"
        return env

    def start(self, base_env):
        self.starts += 1
        self.ever_led = False  # a new process: what it does from now on
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([str(self.binary)], env=self.env(base_env), stdout=out,
                                     stderr=subprocess.STDOUT)
        out.close()

    def metrics(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/metrics", timeout=2) as r:
                text = r.read().decode()
        except (OSError, http.client.HTTPException):
            return None
        return {m.group(1): int(m.group(2)) for m in re.finditer(
            r'^seklik_(\w+)\{service="[a-z]+"\} (\d+)$', text, re.M)}

    def ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/readyz", timeout=2) as r:
                return r.status == 200
        except (OSError, http.client.HTTPException):
            return False

    def events_port_open(self):
        try:
            socket.create_connection(("127.0.0.1", self.events), timeout=1).close()
            return True
        except OSError:
            return False


class System:
    def __init__(self, build, logs, dsn, redis_url):
        self.build, self.logs = build, logs
        self.replicas = {s: [Replica(s, i, build, logs) for i in range(2)] for s in SERVICES}
        self.lb = Balancer()
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith("SEKLIK_")}
        self.base_env.update({"SEKLIK_DB_DSN": dsn, "SEKLIK_REDIS_URL": redis_url,
                              "SEKLIK_HMAC_KEY": secrets.token_hex(32),
                              "SEKLIK_LOG_LEVEL": "info", "SEKLIK_REPLAY_INTERVAL_MS": "500",
                              "SEKLIK_LEADER_INTERVAL_MS": str(LEADER_INTERVAL_MS)})
        for s, pair in self.replicas.items():
            up = s.upper()
            self.base_env[f"SEKLIK_{up}_RPC"] = "tcp://127.0.0.1:%d" % self.lb.add(
                [r.rpc for r in pair])
            self.base_env[f"SEKLIK_{up}_EVENTS"] = "tcp://127.0.0.1:%d" % self.lb.add(
                [r.events for r in pair])
        self.web = self.lb.add([r.web for r in self.replicas["gateway"]])

    def all(self):
        return [r for pair in self.replicas.values() for r in pair]

    def start(self):
        self.lb.start()
        for r in self.all():
            r.start(self.base_env)

    def leaders(self, service):
        """The replicas of `service` whose gauge says they lead (None: one did not answer)."""
        got = []
        for r in self.replicas[service]:
            m = r.metrics()
            if m is None and r.proc and r.proc.poll() is None:
                return None
            if m and m.get("leader") == 1:
                got.append(r)
        return got

    def stop(self):
        for r in self.all():
            if r.proc and r.proc.poll() is None:
                r.proc.send_signal(signal.SIGTERM)
        codes = {}
        for r in self.all():
            if r.proc:
                try:
                    codes[r.name] = r.proc.wait(30)
                except subprocess.TimeoutExpired:
                    r.proc.kill()
                    codes[r.name] = r.proc.wait()
        self.lb.stop()
        return codes


def wait_until(what, fn, timeout_s):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout_s} s (last {last!r})")


class Sampler(threading.Thread):
    """Every 100 ms, which replicas of each service say they lead; two at once is a fault."""

    def __init__(self, system):
        super().__init__(daemon=True)
        self.system = system
        self.stopping = False
        self.samples = 0
        self.double = []

    def run(self):
        while not self.stopping:
            for s in SERVICES:
                leaders = self.system.leaders(s) or []
                for r in leaders:
                    r.ever_led = True
                if len(leaders) > 1:
                    self.double.append((s, [r.name for r in leaders]))
            self.samples += 1
            time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("logs")
    a = ap.parse_args()
    env_file = os.environ.get("SEKLIK_TEST_ENV_FILE")
    if not env_file:
        sys.exit("replicas: SEKLIK_TEST_ENV_FILE is not set (run through ctest)")
    fixture = ops.read_env_file(env_file)
    server = fixture["SEKLIK_TEST_PG_DSN"]
    ops.sql(f"{server} dbname=postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    ops.sql(f"{server} dbname=postgres", f'CREATE DATABASE "{DB}"')
    dsn = f"{server} dbname={DB}"
    logs = pathlib.Path(a.logs)
    logs.mkdir(parents=True, exist_ok=True)
    for f in logs.glob("replicas-*.log"):
        f.unlink()
    system = System(a.build, logs, dsn, fixture["SEKLIK_TEST_REDIS_URL"])
    results = []

    def check(ok, text):
        results.append((bool(ok), text))
        log(f"{'ok  ' if ok else 'FAIL'} {text}")

    system.start()
    sampler = Sampler(system)
    try:
        run(system, dsn, a.build, sampler, check)
    except (AssertionError, loadgen.Refused, loadgen.Abandoned, RuntimeError) as e:
        check(False, f"{type(e).__name__}: {e}")
    finally:
        sampler.stopping = True
        codes = system.stop()
    check(all(c == 0 for c in codes.values()),
          f"every process drained and exited 0 on SIGTERM ({codes})")
    print("\nreplicas summary:")
    for ok, text in results:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    ok = all(ok for ok, _ in results) and results
    print(f"replicas: {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


def run(system, dsn, build, sampler, check):
    wait_until("every replica ready", lambda: all(r.ready() for r in system.all()), 120)
    wait_until("one leader per service",
               lambda: all(len(system.leaders(s) or []) == 1 for s in SERVICES), 30)
    sampler.start()
    r = subprocess.run(["bash", str(SOURCE / "scripts" / "demo-users"),
                        str(pathlib.Path(build) / "services/gateway/seklikctl")],
                       env=dict(os.environ, SEKLIK_DB_DSN=dsn,
                                SEKLIK_DEMO_PASSWORD=STAFF_PASSWORD),
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"demo users: {r.stderr[-400:]}")
    locks = ops.sql_value(dsn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                               "classid = 7001 AND objsubid = 2 AND granted AND database = "
                               "(SELECT oid FROM pg_database WHERE datname = current_database())")
    check(locks == str(len(SERVICES)),
          f"{locks} leader locks held in PostgreSQL, one per service")
    closed = [r.name for s in SERVICES for r in system.replicas[s]
              if r not in (system.leaders(s) or []) and r.events_port_open()]
    check(not closed, "each follower's events port is closed (subscribers reach the leader)"
          + (f"; open: {closed}" if closed else ""))

    base = f"http://127.0.0.1:{system.web}"
    load = loadgen.Load(base, STAFF_PASSWORD, seed=int(time.time()), partners=3, verifiers=2,
                        backlog=4)
    load.setup()
    load.start()

    def accepted():
        return sum(1 for c in load.rec.commands if c.state == "accepted")

    takeovers = {}
    try:
        wait_until("the load's first commands", lambda: accepted() >= 10, 120)
        for s in SERVICES:
            before = accepted()
            old = (system.leaders(s) or [None])[0]
            if old is None:
                raise AssertionError(f"{s}: no leader before its kill")
            other = next(r for r in system.replicas[s] if r is not old)
            t0 = time.monotonic()
            old.proc.send_signal(signal.SIGKILL)
            old.proc.wait()
            wait_until(f"{s}: {other.name} takes over",
                       lambda o=other: (o.metrics() or {}).get("leader") == 1, 30)
            takeovers[s] = time.monotonic() - t0
            old.start(system.base_env)
            wait_until(f"{old.name} ready again", old.ready, 60)
            wait_until(f"the load going on after {s}'s leader died",
                       lambda b=before: accepted() >= b + 5, 180)
        check(True, "every service's leader SIGKILLed under load; the other took over in "
              + ", ".join(f"{s} {t:.1f} s" for s, t in takeovers.items()))
    finally:
        drained = load.stop(180)
    rec = load.rec
    check(drained and not rec.errors,
          f"the load finished ({accepted()} commands accepted through both gateways, "
          f"{sum(1 for c in rec.commands if c.attempts > 1)} after retries)"
          + (f"; errors: {rec.errors[:3]}" if rec.errors else ""))
    check(not sampler.double, f"never two leaders of one service at once ({sampler.samples} "
                              f"samples of every process)"
          + (f": {sampler.double[:3]}" if sampler.double else ""))

    r = ops.seklikctl(build, dsn, "check", "--wait", "90")
    check(r.returncode == 0, "seklikctl check: gapless outboxes, every offset at its source's "
                             "head, keys unique" + ("" if r.returncode == 0 else
                                                   ": " + r.stdout[-800:]))
    checker = chaos.Chaos(argparse.Namespace(build=build, state=str(system.logs), seed=0))
    checker.check_commands(rec, dsn)
    checker.check_effects(rec, dsn)
    for ok, text in checker.results:
        check(ok, text)

    # Who did the background work: the leaders only, and both gateways' caches.
    idle, worked = [], []
    for rp in system.all():
        m = rp.metrics() or {}
        if not rp.ever_led and (m.get("events_published_total", 0) or m.get("jobs_run_total", 0)
                                or (rp.service != "gateway" and m.get("events_applied_total", 0))):
            idle.append(f"{rp.name} published {m.get('events_published_total')} applied "
                        f"{m.get('events_applied_total')} jobs {m.get('jobs_run_total')}")
        if rp.ever_led:
            worked.append((rp.name, m.get("jobs_run_total", 0)))
    check(not idle, f"processes that never led published, applied and ran nothing "
                    f"({len(system.all()) - len(worked)} of them)" + (f": {idle}" if idle else ""))
    jobs = [n for n, runs in worked if n.startswith(("verification", "gateway")) and runs == 0]
    check(not jobs, "every verification and gateway process that led ran its scheduled job "
                    "when it became leader" + (f"; not: {jobs}" if jobs else ""))
    gws = [(rp.name, (rp.metrics() or {}).get("events_applied_total", 0))
           for rp in system.replicas["gateway"]]
    check(all(n > 0 for _, n in gws),
          f"both gateways applied events to their own cache (per-process subscriptions): {gws}")


if __name__ == "__main__":
    main()
