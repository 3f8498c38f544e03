#!/usr/bin/env python3
"""The whole system in containers, for real (ctest deploy_containers; label deploy).

    containers.py --source SRC --build BUILD [--phases compose,k8s] [--keep] [--no-build]

1. Images: deploy/build-images (the SEKLIK image from deploy/Dockerfile; PostgreSQL and Redis
   as the ordinary images when a registry answers, else made from a Debian 12 minbase by
   mmdebstrap, cached in BUILD/deploy-cache).
2. compose: deploy/compose.yaml with podman-compose (1.0.3): up, the golden path's API steps
   (sign-up, registration, uploads, submission, the verifier's decisions and visit, the verifier
   proposes and the head `pimpinan` approves, the outlet scored), then verification SIGSTOPped
   while a second company is submitted and SIGKILLed: podman restarts it and it catches up
   (its case opens; `seklikctl check`: offsets = heads). Then a rolling restart: every service
   in turn stopped with SIGTERM (it must drain and exit 0) and started again while the chaos
   load (tests/chaos/load.py) runs; afterwards every accepted command is stored once, its
   effects are there once, `seklikctl check` is clean. Then everything stops cleanly (exit 0).
3. k8s: deploy/k8s/overlays/podman rendered and played with `podman kube play`
   (deploy/podman_kube.py: Deployments as pods named as their Services), PostgreSQL and Redis
   as containers beside them. The probes of the manifests are exercised as a kubelet would
   (startup within periodSeconds x failureThreshold, each answer within timeoutSeconds), the
   security contexts and memory limits are checked as podman applied them, the golden path
   runs through the gateway, scoring is SIGSTOPped while a company is verified and then
   SIGKILLed and must restart and catch up, and every pod stops cleanly.

Exit 0 when all holds, 1 otherwise, 77 (skipped) when podman or root is missing.
Environment: CONTAINERS_CONF (default: a file written here: runc, cgroupfs, no default
ulimits, the settings these machines need).
"""

import argparse
import http.cookiejar
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
for sub in ("tests/support", "scripts", "tests/chaos", "deploy"):
    sys.path.insert(0, str(SOURCE / sub))
import chaos  # noqa: E402
import load as loadgen  # noqa: E402
import podman_kube  # noqa: E402
import seklik_api as api  # noqa: E402
import stack_ops as ops  # noqa: E402

SERVICES = ops.SERVICES
STAFF_PASSWORD = "Demo-Seklik-2026"
YEAR = 2027
SKIP = 77
CONTAINERS_CONF = """# Written by tests/deploy/containers.py: what podman 4.3 needs on these machines
# (hybrid cgroups: crun refuses them; no systemd: cgroupfs, events in a file).
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
"""


def log(msg):
    print(f"containers: {msg}", flush=True)


class Failed(Exception):
    pass


def run(*args, check=True, env=None, timeout=600, capture=True, input_text=None):
    proc = subprocess.run([str(a) for a in args], capture_output=capture, text=True,
                          check=False, env=env, timeout=timeout, input=input_text)
    if check and proc.returncode != 0:
        out = ((proc.stdout or "") + (proc.stderr or "")).strip()
        raise Failed(f"{' '.join(str(a) for a in args[:4])} ...: exit {proc.returncode}: "
                     f"{out[-1500:]}")
    return proc


def podman(*args, check=True, timeout=600):
    return run("podman", *args, check=check, timeout=timeout)


def inspect(ctr, fmt):
    return podman("inspect", "-f", fmt, ctr).stdout.strip()


def wait_until(what, fn, timeout_s, every_s=0.25):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except (OSError, Failed, api.ApiError) as e:
            last = e
        time.sleep(every_s)
    raise Failed(f"{what}: not within {timeout_s:.0f} s (last: {last})")


def http_get(url, timeout_s):
    """(status, seconds) of GET url; status 0 when nothing answered."""
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as r:
            return r.status, time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, time.monotonic() - t0
    except (OSError, ValueError):
        return 0, time.monotonic() - t0


_TAKEN = set()


def free_port():
    """A port free now and not handed out before by this run (the kernel may offer a port
    it gave for an earlier probe again)."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _TAKEN:
            _TAKEN.add(port)
            return port


def hex_secret(nbytes):
    return secrets.token_hex(nbytes)


class Results:
    def __init__(self):
        self.items = []
        self.timings = []

    def check(self, ok, text):
        self.items.append((bool(ok), text))
        log(f"{'ok  ' if ok else 'FAIL'} {text}")
        return ok

    def time(self, what, seconds):
        self.timings.append((what, seconds))
        log(f"{what}: {seconds:.0f} s")

    @property
    def ok(self):
        return all(ok for ok, _ in self.items)


# ---- what both runs do through the API --------------------------------------------------

def staff(base, username):
    s = api.Session(base)
    s.login(username, STAFF_PASSWORD)
    return s


def company_identity(n, run_id):
    digits = f"{run_id:04d}{n:04d}"
    return {"username": f"ct{run_id}m{n}", "name": f"PT Kontainer {run_id} {n}",
            "npwp": "07" + digits + "12345", "nib": "7" + digits + "1234",
            "niks": ("17" + digits + "000001", "17" + digits + "000002")}


def golden_path(base, run_id, n):
    """The golden path's API steps; returns (partner session, company id, outlet id)."""
    admin, verifier, head = staff(base, "admin"), staff(base, "verifikator"), staff(base, "pimpinan")
    try:
        admin.call("verification.GetRequirementSet",
                   {"fiscalYear": YEAR, "outletType": "OUTLET_TYPE_SIBER"})
    except api.ApiError as e:
        if e.status != 404:
            raise
        api.publish_requirements(admin, YEAR)
    me = company_identity(n, run_id)
    return api.onboard(base, admin, verifier, me["username"], me["name"], me["npwp"], me["nib"],
                       me["niks"], fiscal_year=YEAR, approver=head)


def submit_company(base, run_id, n):
    """A partner signs up, registers, uploads and submits: registry events for verification."""
    me = company_identity(n, run_id)
    partner = api.Session(base)
    partner.signup(me["username"], api.PARTNER_PASSWORD, me["name"])
    company = api.register_company(partner, me["name"], me["npwp"], me["nib"], *me["niks"])
    # As api.onboard: the Dewan Pers certificate too, so that the outlet scores a tier.
    for d in api.REQUIRED_DOCS + ["DOCUMENT_TYPE_DEWAN_PERS"]:
        api.upload(partner, company["id"], d)
    partner.call("registry.Submit", {"companyId": company["id"], "fiscalYear": YEAR})
    return partner, company["id"]


def verify_company(base, cid):
    """Accept every document, visit, propose (verifier) and approve (head)."""
    verifier, head = staff(base, "verifikator"), staff(base, "pimpinan")
    case = verifier.wait("verification.GetCase", {"companyId": cid},
                         lambda c: c.get("state") == "CASE_STATE_IN_REVIEW", timeout_s=60)
    for doc in case.get("documents", []):
        verifier.call("verification.DecideDocument", {
            "caseId": case["id"], "documentId": doc["documentId"],
            "decision": "DECISION_ACCEPTED"})
    verifier.wait("verification.GetCase", {"caseId": case["id"]},
                  lambda c: c.get("state") == "CASE_STATE_VISIT_PENDING", timeout_s=60)
    verifier.call("verification.RecordVisit", {"caseId": case["id"], "visit": {
        "visitedOn": api.today_wib(), "verifierId": verifier.user.get("id", ""),
        "latitude": -3.39, "longitude": 104.83, "findings": "Kantor redaksi aktif"}})
    api.decide(verifier, head, case)


def demo_users(ctl_argv, env):
    """scripts/demo-users through `podman exec` of seklikctl in the gateway's container."""
    wrapper = pathlib.Path(env["SEKLIK_CT_STATE"]) / "seklikctl-in-container"
    wrapper.write_text("#!/bin/sh\nexec " + " ".join(ctl_argv) + ' "$@"\n')
    wrapper.chmod(0o755)
    run("bash", SOURCE / "scripts" / "demo-users", wrapper,
        env=dict(env, SEKLIK_DEMO_PASSWORD=STAFF_PASSWORD))


def seklikctl_check(ctr, results, what, wait_s=90):
    r = podman("exec", ctr, "seklikctl", "check", "--wait", str(wait_s), check=False)
    fails = [ln for ln in r.stdout.splitlines() if " FAIL " in ln]
    offsets = [ln for ln in r.stdout.splitlines() if " offsets " in ln and " ok " in ln]
    return results.check(r.returncode == 0 and offsets,
                         f"{what}: seklikctl check clean ({len(offsets)} subscriber offsets = "
                         f"their heads)" + (f"; {fails[:4]} {r.stderr.strip()[-300:]}"
                                            if r.returncode else ""))


def seklikctl_status(ctr, results, what):
    """seklikctl status inside a container, with the services' own environment."""
    r = podman("exec", ctr, "seklikctl", "status", check=False)
    ready = re.findall(r"^(\w+) +yes ", r.stdout, re.M)
    return results.check(r.returncode == 0 and len(ready) == len(SERVICES),
                         f"{what}: seklikctl status in the gateway's container: every service "
                         f"ready over the bus ({len(ready)})"
                         + ("" if r.returncode == 0 else f": {r.stdout[-600:]}{r.stderr[-300:]}"))


def stop_then_kill(pid_of, victim, results, during, what):
    """SIGSTOP the victim's process, run `during` (work whose events it misses), SIGKILL it,
    and wait for podman to start it again. Returns the restart's seconds."""
    pid = int(pid_of())
    os.kill(pid, signal.SIGSTOP)
    try:
        during()
    finally:
        os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    wait_until(f"{victim} restarted after SIGKILL",
               lambda: (p := pid_of()) not in ("", "0", str(pid)) and int(p) > 0, 60)
    took = time.monotonic() - t0
    results.check(True, f"{what}: {victim} SIGKILLed and restarted by podman in {took:.1f} s")
    return took


# ---- compose ----------------------------------------------------------------------------

class ComposeRun:
    project = "sekliktest"

    def __init__(self, a, images, results, state):
        self.a, self.images, self.r = a, images, results
        self.dir = state / "compose"
        self.env = {}
        self.ports = {}

    def ctr(self, service):
        """The container of a compose service, or of a SEKLIK service by its own name."""
        name = f"seklik-{service}" if service in SERVICES else service
        return f"{self.project}_{name}_1"

    def compose(self, *args, timeout=600, check=True):
        return run("podman-compose", "-p", self.project, "-f", self.dir / "compose.yaml", *args,
                   env=dict(os.environ), timeout=timeout, check=check)

    def prepare(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        # A copy: podman-compose reads .env beside the file, and deploy/.env is the operator's.
        shutil.copy(SOURCE / "deploy" / "compose.yaml", self.dir / "compose.yaml")
        self.ports = {s: free_port() for s in SERVICES}
        self.ports["web"] = free_port()
        self.env = dict(self.images)
        self.env.update({
            "SEKLIK_PG_PASSWORD": hex_secret(16),
            "SEKLIK_HMAC_KEY": hex_secret(32),
            "SEKLIK_REDIS_PASSWORD": hex_secret(16),
            # The load comes from many offices: its X-Forwarded-For must count.
            "SEKLIK_GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1",
            "SEKLIK_GATEWAY_PUBLISH": f"127.0.0.1:{self.ports['web']}",
        })
        for s in SERVICES:
            self.env[f"SEKLIK_{s.upper()}_HTTP_PUBLISH"] = f"127.0.0.1:{self.ports[s]}"
        with open(self.dir / ".env", "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            for k, v in self.env.items():
                f.write(f"{k}={v}\n")
        self.cleanup()

    def cleanup(self):
        if (self.dir / "compose.yaml").exists():
            self.compose("down", "-v", check=False, timeout=300)
        podman("volume", "rm", "-f", f"{self.project}_pgdata", check=False)
        # podman-compose 1.0.3's down leaves the project's network.
        podman("network", "rm", "-f", f"{self.project}_default", check=False)

    def ready(self, service):
        return http_get(f"http://127.0.0.1:{self.ports[service]}/readyz", 2)[0] == 200

    def dsn(self):
        ip = inspect(self.ctr("postgres"), "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")
        return (f"host={ip} port=5432 dbname=seklik user=seklik "
                f"password={self.env['SEKLIK_PG_PASSWORD']} sslmode=disable connect_timeout=5")

    def pid(self, service):
        return inspect(self.ctr(service), "{{.State.Pid}}")

    def run(self):
        r = self.r
        self.prepare()
        t0 = time.monotonic()
        self.compose("up", "-d", "--no-build")
        wait_until("every service ready (compose)",
                   lambda: all(self.ready(s) for s in SERVICES), 300, 0.5)
        r.time("compose: up until every /readyz answers 200", time.monotonic() - t0)
        r.check(True, "compose: podman-compose up: PostgreSQL, Redis and 7 services ready")
        self.check_container_settings()
        gw = self.ctr("gateway")
        seklikctl_status(gw, r, "compose")
        demo_users(["podman", "exec", "-e", "SEKLIK_DEMO_PASSWORD", gw, "seklikctl"],
                   dict(os.environ, SEKLIK_CT_STATE=str(self.dir)))
        base = f"http://127.0.0.1:{self.ports['web']}"
        run_id = int(time.time()) % 9000 + 1000

        # First, while the staff accounts have done nothing else: the load's check counts
        # every command of its users.
        t0 = time.monotonic()
        self.rolling_restart(base)
        r.time("compose: rolling restart under load", time.monotonic() - t0)

        t0 = time.monotonic()
        _, _, outlet = golden_path(base, run_id, 1)
        r.check(outlet, f"compose: golden path through the gateway: verified (proposed by "
                        f"verifikator, approved by pimpinan) and scored, outlet {outlet}")
        r.time("compose: golden path", time.monotonic() - t0)

        t0 = time.monotonic()
        got = {}

        def submit():
            got["cid"] = submit_company(base, run_id, 2)[1]

        stop_then_kill(lambda: self.pid("verification"), "seklik-verification", r,
                       submit, "compose")
        verifier = staff(base, "verifikator")
        verifier.wait("verification.GetCase", {"companyId": got["cid"]},
                      lambda c: c.get("state") == "CASE_STATE_IN_REVIEW", timeout_s=90)
        r.check(True, "compose: the restarted verification caught up: it opened the case of the "
                      "company submitted while it was stopped")
        seklikctl_check(gw, r, "compose after the kill")
        r.time("compose: kill and catch-up", time.monotonic() - t0)

        t0 = time.monotonic()
        self.compose("stop", "-t", "30", timeout=600)
        codes = {s: inspect(self.ctr(s), "{{.State.ExitCode}}") for s in SERVICES}
        r.check(all(c == "0" for c in codes.values()),
                f"compose: podman-compose stop: every service drained and exited 0 ({codes})")
        r.time("compose: stop", time.monotonic() - t0)

    def check_container_settings(self):
        for s in SERVICES:
            c = self.ctr(s)
            user = inspect(c, "{{.Config.User}}")
            ro = inspect(c, "{{.HostConfig.ReadonlyRootfs}}")
            caps = inspect(c, "{{.EffectiveCaps}}")
            nnp = "no-new-privileges" in inspect(c, "{{.HostConfig.SecurityOpt}}")
            self.r.check(user.startswith("10001") and ro == "true" and caps in ("[]", "<no value>")
                         and nnp, f"compose: {s} runs as {user}, read-only root {ro}, "
                                  f"capabilities {caps}, no-new-privileges {nnp}")

    def rolling_restart(self, base):
        r = self.r
        # As many partners as verifiers: the drain at the end stays short (CI time).
        load = loadgen.Load(base, STAFF_PASSWORD, seed=int(time.time()), partners=2,
                            verifiers=2, backlog=2)
        load.setup()
        load.start()

        def accepted():
            return sum(1 for c in load.rec.commands if c.state == "accepted")

        restarts = {}
        try:
            wait_until("the load's first commands", lambda: accepted() >= 5, 120)
            for s in SERVICES:
                before = accepted()
                c = self.ctr(s)
                t0 = time.monotonic()
                # docs/upgrades.md's steps for one service: stop it (SIGTERM, up to 30 s), remove
                # it, and let podman-compose create it again (from the new image, in an upgrade).
                podman("stop", "-t", "30", c)
                code = inspect(c, "{{.State.ExitCode}}")
                stopped = time.monotonic() - t0
                podman("rm", c)
                self.compose("up", "-d", "--no-build", f"seklik-{s}")
                wait_until(f"{s} ready after its restart", lambda s=s: self.ready(s), 120)
                restarts[s] = (code, stopped, time.monotonic() - t0)
                r.check(code == "0", f"rolling restart: {s} drained on SIGTERM and exited "
                                     f"{code} in {stopped:.1f} s; recreated and ready after "
                                     f"{restarts[s][2]:.1f} s")
                # The next one goes down under load: the load must have moved on first.
                wait_until(f"the load going on after {s}'s restart",
                           lambda b=before: accepted() >= b + 3, 180)
        finally:
            drained = load.stop(180)
        rec = load.rec
        r.check(drained and not rec.errors,
                f"rolling restart: the load finished ({accepted()} commands accepted, "
                f"{sum(1 for c in rec.commands if c.attempts > 1)} after retries)"
                + (f"; errors: {rec.errors[:3]}" if rec.errors else ""))
        # Every subscriber caught up first: effects are compared once they are all there.
        seklikctl_check(self.ctr("gateway"), r, "compose after the rolling restart")
        dsn = self.dsn()
        checker = chaos.Chaos(argparse.Namespace(build=str(self.a.build), state=str(self.dir),
                                                 seed=0))
        checker.check_commands(rec, dsn)
        checker.check_effects(rec, dsn)
        for ok, text in checker.results:
            r.check(ok, f"rolling restart: {text}")


# ---- k8s ----------------------------------------------------------------------------------

class KubeRun:
    network = "sekliktest-kube"

    def __init__(self, a, images, results, state):
        self.a, self.images, self.r = a, images, results
        self.dir = state / "k8s"
        self.kdir = self.dir / "k8s" / "overlays" / "podman"
        self.played = None
        self.objs = []

    def cleanup(self):
        if self.kdir.exists():
            try:
                podman_kube.down(str(self.kdir), self.played, stop_timeout=1)
            except (podman_kube.KustomizeError, OSError):
                pass
        for c in ("seklik-postgres", "seklik-redis"):
            podman("rm", "-f", "-t", "1", c, check=False)
        podman("network", "rm", "-f", self.network, check=False)

    def pods(self):
        return [o for o in self.objs if o.get("kind") == "Deployment"]

    def ip(self, name):
        return inspect(f"{name}-{name.removeprefix('seklik-')}",
                       "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")

    def container(self, service):
        return f"seklik-{service}-{service}"

    def start_data(self, pg_password, redis_password):
        """PostgreSQL and Redis, external to the manifests, beside them on the network."""
        podman("run", "-d", "--name", "seklik-postgres", "--network", self.network,
               "-e", "POSTGRES_DB=seklik", "-e", "POSTGRES_USER=seklik",
               "-e", f"POSTGRES_PASSWORD={pg_password}", self.images["SEKLIK_POSTGRES_IMAGE"])
        # The same Redis as compose's: its ACL file, written at start.
        compose = podman_kube._docs(SOURCE / "deploy" / "compose.yaml")[0]
        redis = compose["services"]["redis"]
        podman("run", "-d", "--name", "seklik-redis", "--network", self.network,
               "--user", redis["user"], "-e", f"SEKLIK_REDIS_PASSWORD={redis_password}",
               "--entrypoint", json.dumps(redis["entrypoint"]), self.images["SEKLIK_REDIS_IMAGE"],
               *[c.replace("$$", "$") for c in redis["command"]])
        wait_until("PostgreSQL (kube) accepting connections", lambda: podman(
            "exec", "seklik-postgres", "pg_isready", "-q", "-h", "127.0.0.1", "-U", "seklik",
            check=False).returncode == 0, 120, 0.5)

    def probe(self, dep, which, t_start):
        """Run the container's probe `which` as a kubelet would; its answer time."""
        c = dep["spec"]["template"]["spec"]["containers"][0]
        p = c.get(which)
        if not p:
            return None
        ports = {x["name"]: x["containerPort"] for x in c.get("ports", [])}
        hg = p["httpGet"]
        port = ports.get(hg["port"], hg["port"])
        url = f"http://{self.ip(dep['metadata']['name'])}:{port}{hg['path']}"
        period, threshold = p.get("periodSeconds", 10), p.get("failureThreshold", 3)
        timeout = p.get("timeoutSeconds", 1)
        budget = period * threshold if which == "startupProbe" else period * threshold + 30
        deadline = t_start + budget
        while True:
            status, took = http_get(url, timeout)
            if status == 200 and took <= timeout:
                return took
            if time.monotonic() > deadline:
                raise Failed(f"{dep['metadata']['name']} {which} {url}: no 200 within "
                             f"{timeout} s per try and {budget} s in all (last {status})")
            time.sleep(min(period, 1))

    def probes(self, what):
        t0 = time.monotonic()
        worst = {}
        for dep in self.pods():
            name = dep["metadata"]["name"]
            for which in ("startupProbe", "readinessProbe", "livenessProbe"):
                took = self.probe(dep, which, t0)
                if took is not None:
                    worst[which] = max(worst.get(which, 0), took)
        self.r.check(True, f"{what}: every pod's startup, readiness and liveness probe passed "
                           f"within its thresholds (slowest answers "
                           + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in worst.items()) + ")")
        return time.monotonic() - t0

    def check_security(self):
        for dep in self.pods():
            name = dep["metadata"]["name"]
            spec = dep["spec"]["template"]["spec"]
            c = spec["containers"][0]
            ctr = f"{name}-{c['name']}"
            sc, psc = c.get("securityContext", {}), spec.get("securityContext", {})
            want_user = f"{psc.get('runAsUser')}:{psc.get('runAsGroup')}"
            limit = c["resources"]["limits"]["memory"]
            m = re.fullmatch(r"(\d+)(Mi|Gi)", limit)
            want_mem = int(m.group(1)) * (1 << 20 if m.group(2) == "Mi" else 1 << 30)
            got = {
                "user": inspect(ctr, "{{.Config.User}}"),
                "ro": inspect(ctr, "{{.HostConfig.ReadonlyRootfs}}"),
                "caps": inspect(ctr, "{{.EffectiveCaps}}"),
                "sec": inspect(ctr, "{{.HostConfig.SecurityOpt}}"),
                "mem": inspect(ctr, "{{.HostConfig.Memory}}"),
            }
            # What the manifest must say (the image's posture), then what podman made of it,
            # seen from outside and from inside: the root mount's own flags, not a write
            # attempt (a non-root user cannot write to / either way).
            policy = (psc.get("runAsNonRoot") is True and psc.get("runAsUser") not in (None, 0)
                      and sc.get("readOnlyRootFilesystem") is True
                      and sc.get("allowPrivilegeEscalation") is False
                      and (sc.get("capabilities") or {}).get("drop") == ["ALL"])
            inside = podman("exec", ctr, "/bin/sh", "-c",
                            "id -u; id -g; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; "
                            "awk '$2 == \"/\" {split($4, o, \",\"); print \"root-\" o[1]}' "
                            "/proc/mounts; touch /tmp/probe && echo tmp-ok",
                            check=False).stdout.split()
            ok = (policy and got["user"] == want_user and got["ro"] == "true"
                  and got["caps"] in ("[]", "<no value>") and "no-new-privileges" in got["sec"]
                  and int(got["mem"]) == want_mem
                  and inside[:2] == [str(psc.get("runAsUser")), str(psc.get("runAsGroup"))]
                  and "0000000000000000" in inside and "root-ro" in inside and "tmp-ok" in inside)
            self.r.check(ok, f"k8s: {name} as podman applied its manifest (non-root, read-only "
                             f"root, no escalation, no capabilities: {policy}): user {got['user']}, "
                             f"read-only root {got['ro']}, capabilities {got['caps']}, "
                             f"{got['sec']}, memory limit {limit} = {got['mem']} bytes; inside: "
                             f"{' '.join(inside)}")

    def check_tls(self, certs):
        """The bus is mutual TLS: a client without a certificate of the bus CA is refused, one
        with the gateway's gets through and finds the registry's certificate valid for its name."""
        ip = self.ip("seklik-registry")
        base = ["openssl", "s_client", "-connect", f"{ip}:7101", "-servername", "seklik-registry",
                "-verify_hostname", "seklik-registry", "-CAfile", f"{certs}/ca.pem",
                "-verify_return_error", "-brief"]
        gw = f"{certs}/seklik-gateway-tls"
        anonymous = run(*base, check=False, timeout=30, input_text="")
        holder = run(*base, "-cert", f"{gw}/tls.crt", "-key", f"{gw}/tls.key", check=False,
                     timeout=30, input_text="")
        refused = "CONNECTION ESTABLISHED" not in anonymous.stdout + anonymous.stderr
        admitted = ("CONNECTION ESTABLISHED" in holder.stdout + holder.stderr
                    and "Verification: OK" in holder.stdout + holder.stderr)
        self.r.check(refused and admitted,
                     "k8s: the bus is mutual TLS: registry's RPC port refuses a client without a "
                     "certificate and admits the gateway's, presenting its own for "
                     f"seklik-registry (anonymous: {(anonymous.stderr or '').strip()[-120:]!r})")

    def run(self):
        r = self.r
        self.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        shutil.copytree(SOURCE / "deploy" / "k8s", self.dir / "k8s")
        pg_password, redis_password = hex_secret(16), hex_secret(16)
        secret_env = self.kdir / "secrets.env"
        secret_env.write_text(
            f"SEKLIK_DB_DSN=host=seklik-postgres port=5432 dbname=seklik user=seklik "
            f"password={pg_password} sslmode=disable connect_timeout=5\n"
            f"SEKLIK_HMAC_KEY={hex_secret(32)}\nSEKLIK_REDIS_PASSWORD={redis_password}\n")
        secret_env.chmod(0o600)
        podman("network", "create", self.network)
        t0 = time.monotonic()
        self.start_data(pg_password, redis_password)
        self.objs = podman_kube.render(str(self.kdir))
        seklik_image = self.images["SEKLIK_IMAGE"]
        certs = podman_kube.make_certs(str(self.dir / "certs"))
        self.played, notes, _ = podman_kube.play(
            str(self.kdir), self.network, {"localhost/seklik": seklik_image},
            out=str(self.dir / "played.yaml"), secrets_dir=certs)
        r.check(len(self.pods()) == len(SERVICES),
                f"k8s: podman kube play of the rendered overlay: {len(self.pods())} pods "
                f"({'; '.join(notes[:3])}...)")
        self.probes("k8s")
        r.time("k8s: play until every probe passes", time.monotonic() - t0)
        self.check_security()
        self.check_tls(certs)
        seklikctl_status(self.container("gateway"), r, "k8s")

        # The ingress terminates TLS in a cluster and the session cookie is Secure; the test
        # talks to the gateway's pod directly, as the ingress does, in plain HTTP.
        http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True
        gw = self.container("gateway")
        demo_users(["podman", "exec", "-e", "SEKLIK_DEMO_PASSWORD", gw, "seklikctl"],
                   dict(os.environ, SEKLIK_CT_STATE=str(self.dir)))
        base = f"http://{self.ip('seklik-gateway')}:8080"
        run_id = int(time.time()) % 9000 + 1000
        t0 = time.monotonic()
        partner, _, outlet = golden_path(base, run_id, 1)
        r.check(outlet, f"k8s: golden path through the gateway's pod: verified and scored, "
                        f"outlet {outlet}")
        _, cid = submit_company(base, run_id, 2)
        r.time("k8s: golden path", time.monotonic() - t0)

        t0 = time.monotonic()
        scoring = self.container("scoring")
        stop_then_kill(lambda: inspect(scoring, "{{.State.Pid}}"), "seklik-scoring", r,
                       lambda: verify_company(base, cid), "k8s")
        p2 = api.Session(base)
        p2.login(company_identity(2, run_id)["username"], api.PARTNER_PASSWORD)
        outlet2 = p2.call("registry.GetCompany", {"companyId": cid})["outlets"][0]["id"]
        p2.wait("scoring.GetScore", {"outletId": outlet2, "fiscalYear": YEAR},
                lambda s: s.get("tier") not in (None, "", "TIER_NONE"), timeout_s=90)
        r.check(True, "k8s: the restarted scoring caught up: it scored the outlet verified while "
                      "it was stopped")
        self.probe(next(d for d in self.pods() if d["metadata"]["name"] == "seklik-scoring"),
                   "startupProbe", time.monotonic())
        seklikctl_check(gw, r, "k8s after the kill")
        r.time("k8s: kill and catch-up", time.monotonic() - t0)

        t0 = time.monotonic()
        codes = {}
        for dep in self.pods():
            name = dep["metadata"]["name"]
            grace = dep["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
            podman("pod", "stop", "-t", str(grace), name)
            codes[name] = inspect(f"{name}-{name.removeprefix('seklik-')}", "{{.State.ExitCode}}")
        if not r.check(all(c == "0" for c in codes.values()),
                       f"k8s: podman pod stop (SIGTERM, the manifests' grace period): every "
                       f"service drained and exited 0 ({codes})"):
            dump_logs(self.dir.parent)  # why a service did not stop in time
        r.time("k8s: stop", time.monotonic() - t0)


# ---- main ---------------------------------------------------------------------------------

def build_images(a, state, results):
    out = state / "images.env"
    if a.no_build and out.exists():
        return ops.read_env_file(out)
    t0 = time.monotonic()
    proc = run(SOURCE / "deploy" / "build-images", "--cache", a.build / "deploy-cache",
               "--env-out", out, "--tag", "test", timeout=3600, check=False)
    (state / "build-images.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise Failed(f"deploy/build-images failed; see {state / 'build-images.log'}: "
                     f"{proc.stderr.strip()[-800:]}")
    results.time("images: deploy/build-images", time.monotonic() - t0)
    for line in proc.stderr.splitlines():
        if line.startswith("==> "):
            log(line[4:])
    return ops.read_env_file(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", default=str(SOURCE))
    p.add_argument("--build", required=True, help="the build tree (caches the Debian base)")
    p.add_argument("--state", help="logs and work files (default BUILD/test-logs/deploy)")
    p.add_argument("--phases", default="compose,k8s")
    p.add_argument("--keep", action="store_true", help="leave the containers running")
    p.add_argument("--no-build", action="store_true",
                   help="use the images of the last run (STATE/images.env) if there are any")
    a = p.parse_args()
    a.build = pathlib.Path(a.build).resolve()
    state = pathlib.Path(a.state or a.build / "test-logs" / "deploy").resolve()
    state.mkdir(parents=True, exist_ok=True)
    for tool in ("podman", "podman-compose"):
        if not shutil.which(tool):
            print(f"containers: SKIP: {tool} is not installed (scripts/test installs it)")
            return SKIP
    if os.geteuid() != 0:
        print("containers: SKIP: needs root (mmdebstrap, podman networks)")
        return SKIP
    if "CONTAINERS_CONF" not in os.environ:
        conf = state / "containers.conf"
        conf.write_text(CONTAINERS_CONF)
        os.environ["CONTAINERS_CONF"] = str(conf)
    results = Results()
    phases = a.phases.split(",")
    runs = []
    t_all = time.monotonic()
    try:
        images = build_images(a, state, results)
        log(f"images: {images}")
        if "compose" in phases:
            runs.append(ComposeRun(a, images, results, state))
        if "k8s" in phases:
            runs.append(KubeRun(a, images, results, state))
        for r in runs:
            try:
                r.run()
            except (Failed, api.ApiError, AssertionError, loadgen.Refused,
                    loadgen.Abandoned) as e:
                results.check(False, f"{type(r).__name__}: {e}")
                dump_logs(state)
            finally:
                if not a.keep:
                    r.cleanup()
    except Failed as e:
        results.check(False, str(e))
    results.time("all", time.monotonic() - t_all)
    print("\ncontainers summary:")
    for what, s in results.timings:
        print(f"  {what}: {s:.0f} s")
    for ok, text in results.items:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    print(f"containers: {'PASS' if results.ok and results.items else 'FAIL'}")
    return 0 if results.ok and results.items else 1


def dump_logs(state):
    """Each container's log into STATE/logs, for whoever reads a failure."""
    d = state / "logs"
    d.mkdir(exist_ok=True)
    names = podman("ps", "-a", "--format", "{{.Names}}", check=False).stdout.split()
    for n in names:
        if n.startswith(("sekliktest", "seklik-")):
            out = podman("logs", n, check=False)
            (d / f"{n}.log").write_text(out.stdout + out.stderr)
    log(f"container logs in {d}")


if __name__ == "__main__":
    sys.exit(main())
