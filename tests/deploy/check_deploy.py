#!/usr/bin/env python3
"""Static checks of deploy/ against the services in the tree and the binaries built from it.

    check_deploy.py --source-dir SRC --build-dir BUILD [-v]

The list of services is data: every services/<name>/ holding a main.c. For each one:
  * deploy/compose.yaml has a service seklik-<name>, and deploy/k8s/base and every overlay
    (rendered by deploy/podman_kube.py and, when installed, by kubectl: the same objects) have
    a Deployment and a Service seklik-<name>;
  * the image can start it: the Dockerfile builds every services/*/main.c into /usr/local/bin and its
    entrypoint script, run with the name the manifests pass, execs seklik-<name>;
  * the k8s probes hit /healthz and /readyz on the service's HTTP port (SEKLIK_HTTP_LISTEN), ports
    and Service ports agree, peers are dialled at the ports they listen on;
  * every environment variable the manifests set for it (environment, env_file, env, envFrom,
    valueFrom) is one that `seklik-<name> --print-env` lists, and SEKLIK_DB_DSN, SEKLIK_HMAC_KEY and
    SEKLIK_REDIS_PASSWORD are set.
Every mismatch is printed as FAIL; the exit status is non-zero when there is one.
Needs python3 with PyYAML (Debian: python3-yaml) and yamllint; kubectl is optional.
"""

import argparse
import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

try:
    import yaml
except ImportError:
    print("FAIL: PyYAML is missing (Debian: apt-get install python3-yaml)")
    print("deploy check: 0 passed, 1 failed")
    sys.exit(1)

# Redis refuses clients without a password (docs/adr/0010-redis-is-untrusted.md).
REQUIRED_ENV = ("SEKLIK_DB_DSN", "SEKLIK_HMAC_KEY", "SEKLIK_REDIS_PASSWORD")
# The port convention of the first six services: RPC 710n, events 720n, HTTP 810n.
# Services not listed here (the gateway) are checked for consistency only.
PORT_INDEX = {"registry": 1, "verification": 2, "scoring": 3, "ordering": 4,
              "distribution": 5, "accounting": 6}
BIN_DIR_IN_IMAGE = "/usr/local/bin"
ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
PEER_RE = re.compile(r"^SEKLIK_([A-Z0-9]+)_(RPC|EVENTS)$")
LISTEN_VARS = {"rpc": "SEKLIK_RPC_LISTEN", "events": "SEKLIK_EVENTS_LISTEN",
               "http": "SEKLIK_HTTP_LISTEN"}
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Report:
    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = 0
        self.failures = []
        self.skips = []

    def check(self, cond, what, why=""):
        if cond:
            self.passed += 1
            if self.verbose:
                print(f"ok    {what}")
        else:
            msg = f"{what}: {why}" if why else what
            self.failures.append(msg)
            print(f"FAIL  {msg}")
        return cond

    def fail(self, what, why=""):
        return self.check(False, what, why)

    def skip(self, what):
        self.skips.append(what)
        print(f"SKIP  {what}")


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def read_env_file(path):
    """Names and values of a KEY=VALUE file (compose env_file, kustomize envs)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export "):]
            key, _, value = line.partition("=")
            out[key.strip()] = value
    return out


def port_of(url):
    try:
        return urlsplit(url).port
    except ValueError:
        return None


def host_of(url):
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def discover_services(src):
    sdir = os.path.join(src, "services")
    if not os.path.isdir(sdir):
        return []
    return sorted(n for n in os.listdir(sdir) if os.path.isfile(os.path.join(sdir, n, "main.c")))


# --------------------------------------------------------------------------------------------
# yamllint


def check_yamllint(rep, src):
    deploy = os.path.join(src, "deploy")
    files = []
    for root, _dirs, names in os.walk(deploy):
        files += [os.path.join(root, n) for n in names if n.endswith((".yaml", ".yml"))]
    files.sort()
    if not rep.check(bool(files), "yamllint: YAML files under deploy/", "none found"):
        return
    exe = shutil.which("yamllint")
    if not rep.check(exe is not None, "yamllint: installed",
                     "not on PATH (Debian: apt-get install yamllint)"):
        return
    proc = subprocess.run([exe, "-s", "-c", os.path.join(src, ".yamllint")] + files,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rep.check(proc.returncode == 0, f"yamllint -s on {len(files)} files under deploy/",
              "\n" + proc.stdout.rstrip())


# --------------------------------------------------------------------------------------------
# Dockerfile and entrypoint


def dockerfile_stages(text):
    """[(from_image, [(instruction, args)])] with line continuations joined, ARGs expanded."""
    lines, cur = [], ""
    for raw in text.splitlines():
        s = raw.strip()
        if not cur and (not s or s.startswith("#")):
            continue
        if s.startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        lines.append(cur + s)
        cur = ""
    args, stages = {}, []
    for line in lines:
        instr, _, rest = line.partition(" ")
        instr = instr.upper()
        rest = rest.strip()
        if instr == "ARG" and "=" in rest and not stages:
            k, _, v = rest.partition("=")
            args[k] = v
        if instr == "FROM":
            image = rest.split()[0]
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), image)
            stages.append((image, []))
        elif stages:
            stages[-1][1].append((instr, rest))
    return stages


def check_dockerfile(rep, src, services):
    """Returns the entrypoint script's path in the source tree (or None)."""
    path = os.path.join(src, "deploy", "Dockerfile")
    if not rep.check(os.path.isfile(path), "Dockerfile: deploy/Dockerfile exists"):
        return None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    stages = dockerfile_stages(text)
    if not rep.check(len(stages) >= 2, "Dockerfile: multi-stage", f"{len(stages)} stage(s)"):
        return None
    for image, _ in stages:
        rep.check(image.removeprefix("docker.io/library/").startswith("debian:bookworm"),
                  f"Dockerfile: stage FROM {image} is Debian 12")
    final = stages[-1][1]
    users = [a for i, a in final if i == "USER"]
    rep.check(users and users[-1].split(":")[0] not in ("0", "root"),
              "Dockerfile: final stage runs as a non-root USER", f"USER {users[-1] if users else '(none)'}")
    build_text = " ".join(a for _, instrs in stages[:-1] for i, a in instrs if i == "RUN")
    rep.check("-DCMAKE_BUILD_TYPE=Release" in build_text, "Dockerfile: build stage configures Release")
    generic = "services/*/main.c" in build_text
    for name in services:
        rep.check(generic or f"seklik-{name}" in build_text,
                  f"Dockerfile: builds seklik-{name}",
                  "neither the services/*/main.c loop nor the target named in a RUN of the build stage")
    copies = [a for i, a in final if i == "COPY"]
    rep.check(any("--from=" in c and c.split()[-1].rstrip("/") == BIN_DIR_IN_IMAGE for c in copies),
              f"Dockerfile: binaries copied from the build stage into {BIN_DIR_IN_IMAGE}/")
    entry = [a for i, a in final if i == "ENTRYPOINT"]
    if not rep.check(bool(entry), "Dockerfile: final stage has an ENTRYPOINT"):
        return None
    try:
        entry_argv = yaml.safe_load(entry[-1])  # exec form is a JSON array, a YAML flow sequence
    except yaml.YAMLError:
        entry_argv = None
    if not rep.check(isinstance(entry_argv, list) and entry_argv, "Dockerfile: ENTRYPOINT in exec form",
                     entry[-1]):
        return None
    target = entry_argv[0]
    for c in copies:
        parts = [p for p in c.split() if not p.startswith("--")]
        if "--from=" not in c and len(parts) == 2 and parts[1] == target:
            script = os.path.join(src, parts[0])
            rep.check(os.path.isfile(script), f"Dockerfile: entrypoint source {parts[0]} exists")
            return script if os.path.isfile(script) else None
    rep.fail("Dockerfile: ENTRYPOINT is a script COPY'd from the source tree", target)
    return None


class Entrypoint:
    """The image's entrypoint script run on this host, with its bin dir pointed at a temp dir."""

    def __init__(self, script, tmp):
        self.bindir = os.path.join(tmp, "bin")
        os.makedirs(self.bindir, exist_ok=True)
        with open(script, encoding="utf-8") as f:
            text = f.read()
        text = text.replace(BIN_DIR_IN_IMAGE, self.bindir)
        text = text.replace("/etc/seklik/default-service", os.path.join(tmp, "default-service"))
        self.script = os.path.join(tmp, "entrypoint.sh")
        with open(self.script, "w", encoding="utf-8") as f:
            f.write(text)

    def install_standin(self, name):
        """A stand-in seklik-<name> that says who it is and what it was given."""
        dst = os.path.join(self.bindir, f"seklik-{name}")
        with open(dst, "w", encoding="utf-8") as f:
            f.write(f'#!/bin/sh\necho "STANDIN {name} $*"\n')
        os.chmod(dst, 0o755)

    def run(self, argv, env):
        return subprocess.run(["sh", self.script] + argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=30)


def clean_env():
    """This process's environment without any SEKLIK_* (so --print-env depends on nothing)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SEKLIK_")}


# --------------------------------------------------------------------------------------------
# Manifest model: per service, what one manifest says


class Spec:
    def __init__(self, where, name):
        self.where = where          # "compose" or "k8s base" ...
        self.name = name
        self.env = {}               # name -> value (None when from a Secret or unknown)
        self.argv = None            # args given to the image's entrypoint
        self.binary = None          # an explicit binary path instead of the entrypoint
        self.ports = {}             # rpc/events/http -> container port number


def command_list(v):
    if v is None:
        return None
    if isinstance(v, str):
        return v.split()
    return [str(x) for x in v]


def compose_specs(rep, src, services):
    path = os.path.join(src, "deploy", "compose.yaml")
    if not rep.check(os.path.isfile(path), "compose: deploy/compose.yaml exists"):
        return None
    docs = load_yaml_docs(path)
    doc = docs[0] if docs else {}
    csvcs = doc.get("services") or {}
    for infra in ("postgres", "redis"):
        rep.check(infra in csvcs and "healthcheck" in (csvcs.get(infra) or {}),
                  f"compose: service {infra} with a healthcheck")
    for cname in csvcs:
        if cname.startswith("seklik-") and cname[len("seklik-"):] not in services:
            rep.fail(f"compose: service {cname}", f"no services/{cname[len('seklik-'):]}/main.c")
    specs = {}
    for name in services:
        svc = csvcs.get(f"seklik-{name}")
        if not rep.check(isinstance(svc, dict), f"compose: service seklik-{name} exists"):
            continue
        sp = Spec("compose", name)
        env = svc.get("environment") or {}
        if isinstance(env, list):
            for item in env:
                k, _, v = str(item).partition("=")
                sp.env[k] = v
        else:
            sp.env.update({k: ("" if v is None else str(v)) for k, v in env.items()})
        env_files = svc.get("env_file") or []
        if isinstance(env_files, (str, dict)):
            env_files = [env_files]
        for ef in env_files:
            fname = ef["path"] if isinstance(ef, dict) else ef
            fpath = os.path.join(src, "deploy", fname)
            found = [p for p in (fpath, fpath + ".example") if os.path.isfile(p)]
            if rep.check(bool(found), f"compose: seklik-{name} env_file {fname} (or {fname}.example) exists"):
                for p in found:
                    sp.env.update(read_env_file(p))
        ep = command_list(svc.get("entrypoint"))
        if ep:
            sp.binary = ep[0]
            sp.argv = ep[1:] + (command_list(svc.get("command")) or [])
        else:
            sp.argv = command_list(svc.get("command")) or []
        build = svc.get("build")
        dockerfile = None
        if isinstance(build, dict):
            dockerfile = os.path.normpath(os.path.join("deploy", build.get("context", "."),
                                                       build.get("dockerfile", "Dockerfile")))
        elif isinstance(build, str):
            dockerfile = os.path.normpath(os.path.join("deploy", build, "Dockerfile"))
        rep.check(dockerfile == os.path.join("deploy", "Dockerfile"),
                  f"compose: seklik-{name} builds from deploy/Dockerfile", f"build: {build!r}")
        deps = svc.get("depends_on") or {}
        for infra in ("postgres", "redis"):
            cond = deps.get(infra, {}).get("condition") if isinstance(deps, dict) else None
            rep.check(cond == "service_healthy",
                      f"compose: seklik-{name} depends_on {infra} (condition: service_healthy)",
                      f"condition: {cond}")
        for role, var in LISTEN_VARS.items():
            if var in sp.env:
                sp.ports[role] = port_of(sp.env[var])
        specs[name] = sp
    hosts = set(csvcs)
    return specs, hosts


def k8s_load_base(rep, kdir, seen=None):
    """Documents of a kustomization using only plain resources and generators (no kubectl)."""
    seen = seen or set()
    kpath = os.path.join(kdir, "kustomization.yaml")
    docs = []
    if kdir in seen or not rep.check(os.path.isfile(kpath), f"k8s: {kpath} exists"):
        return docs
    seen.add(kdir)
    kust = load_yaml_docs(kpath)[0]
    for res in kust.get("resources") or []:
        p = os.path.join(kdir, res)
        if os.path.isdir(p):
            docs += k8s_load_base(rep, p, seen)
        elif rep.check(os.path.isfile(p), f"k8s: resource {p} exists"):
            docs += load_yaml_docs(p)
    for kind, key in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for gen in kust.get(key) or []:
            data = {}
            for lit in gen.get("literals") or []:
                k, _, v = lit.partition("=")
                data[k] = v
            for ef in gen.get("envs") or []:
                p = os.path.join(kdir, ef)
                for cand in (p, p + ".example"):
                    if os.path.isfile(cand):
                        data.update(read_env_file(cand))
                        break
                else:
                    rep.fail(f"k8s: generator env file {p} (or .example) exists")
            existing = [d for d in docs if d.get("kind") == kind
                        and d.get("metadata", {}).get("name") == gen["name"]]
            if gen.get("behavior") in ("merge", "replace") and existing:
                target = existing[0]
                if gen["behavior"] == "replace":
                    target.pop("data", None)
                    target.pop("stringData", None)
                target.setdefault("data", {}).update(data)
            else:
                docs.append({"kind": kind, "metadata": {"name": gen["name"]}, "data": data})
    return docs


def canonical(objs):
    """{(kind, name): JSON} with Secret data decoded (kubectl wraps long base64 lines)."""
    out = {}
    for o in objs:
        o = dict(o)
        if o.get("kind") == "Secret":
            data = {k: base64.b64decode(v).decode() for k, v in (o.get("data") or {}).items()}
            data.update(o.get("stringData") or {})
            o.pop("stringData", None)
            o["data"] = data
        out[(o.get("kind"), (o.get("metadata") or {}).get("name"))] = json.dumps(o, sort_keys=True)
    return out


def k8s_render(rep, k8s_root, kdir, label):
    """KDIR (under K8S_ROOT) rendered in a temp copy of K8S_ROOT where missing *.env files are made
    from their *.env.example, so overlays with secretGenerators render in a clean tree: by
    deploy/podman_kube.py's own kustomize (what podman users and the container test rely on), and
    by `kubectl kustomize` when kubectl is installed, which must give the same objects."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "k8s")
        shutil.copytree(k8s_root, copy)
        for root, _dirs, names in os.walk(copy):
            for n in names:
                if n.endswith(".env.example") and not os.path.exists(os.path.join(root, n[:-8])):
                    shutil.copy(os.path.join(root, n), os.path.join(root, n[:-8]))
        target = os.path.join(copy, os.path.relpath(kdir, k8s_root))
        try:
            lite = podman_kube().render_lite(target)
        except Exception as e:  # noqa: BLE001 - any failure of the renderer is the finding
            rep.fail(f"{label}: deploy/podman_kube.py renders it", str(e))
            lite = None
        kubectl = shutil.which("kubectl")
        if kubectl is None:
            rep.skip(f"{label}: kubectl not found, its rendering not compared")
            return lite
        proc = subprocess.run([kubectl, "kustomize", target], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    if not rep.check(proc.returncode == 0, f"{label}: kubectl kustomize renders", proc.stderr.strip()):
        return lite
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d is not None]
    if lite is not None:
        a, b = canonical(docs), canonical(lite)
        differ = sorted(f"{k[0]} {k[1]}" for k in set(a) | set(b) if a.get(k) != b.get(k))
        rep.check(not differ, f"{label}: deploy/podman_kube.py renders what kubectl kustomize does",
                  "differs in " + ", ".join(differ))
    return docs


_PODMAN_KUBE = None


def podman_kube():
    """deploy/podman_kube.py of the tree being checked, imported once."""
    global _PODMAN_KUBE
    if _PODMAN_KUBE is None:
        spec = importlib.util.spec_from_file_location(
            "podman_kube", os.path.join(SOURCE_DIR, "deploy", "podman_kube.py"))
        _PODMAN_KUBE = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_PODMAN_KUBE)
    return _PODMAN_KUBE


def k8s_specs(rep, docs, label, services):
    by = {}
    for d in docs:
        by[(d.get("kind"), d.get("metadata", {}).get("name"))] = d
    for (kind, dname) in by:
        if kind in ("Deployment", "Service") and dname and dname.startswith("seklik-") \
                and dname[len("seklik-"):] not in services:
            rep.fail(f"{label}: {kind} {dname}", f"no services/{dname[len('seklik-'):]}/main.c")

    def keys_of(kind, name):
        obj = by.get((kind, name))
        if obj is None:
            return None
        return dict(obj.get("data") or {}, **(obj.get("stringData") or {}))

    specs = {}
    for name in services:
        dep = by.get(("Deployment", f"seklik-{name}"))
        svc = by.get(("Service", f"seklik-{name}"))
        ok_dep = rep.check(dep is not None, f"{label}: Deployment seklik-{name} exists")
        rep.check(svc is not None, f"{label}: Service seklik-{name} exists")
        if not ok_dep:
            continue
        pod = dep["spec"]["template"]
        pspec = pod["spec"]
        containers = pspec.get("containers") or []
        c = next((x for x in containers if x.get("name") == name), containers[0] if containers else None)
        if not rep.check(c is not None, f"{label}: seklik-{name} has a container"):
            continue
        rep.check(pspec.get("enableServiceLinks") is False,
                  f"{label}: seklik-{name} sets enableServiceLinks: false",
                  "otherwise Kubernetes injects SEKLIK_<SVC>_PORT... for every seklik-* Service")
        sp = Spec(label, name)
        if c.get("command"):
            sp.binary = c["command"][0]
            sp.argv = [str(x) for x in c["command"][1:]] + [str(x) for x in c.get("args") or []]
        else:
            sp.argv = [str(x) for x in c.get("args") or []]
        for e in c.get("env") or []:
            vf = e.get("valueFrom")
            if vf is None:
                sp.env[e["name"]] = str(e.get("value", ""))
                continue
            for kind, ref in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                if ref in vf:
                    r = vf[ref]
                    keys = keys_of(kind, r.get("name"))
                    present = keys is not None and r.get("key") in keys
                    rep.check(present or r.get("optional") is True,
                              f"{label}: seklik-{name} env {e['name']} from {kind} {r.get('name')} "
                              f"key {r.get('key')}", "no such key (and not optional)")
                    sp.env[e["name"]] = keys.get(r.get("key")) if present and kind == "ConfigMap" else None
            if "fieldRef" in vf or "resourceFieldRef" in vf:
                sp.env[e["name"]] = None
        for ef in c.get("envFrom") or []:
            prefix = ef.get("prefix", "")
            for kind, ref in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if ref in ef:
                    keys = keys_of(kind, ef[ref].get("name"))
                    if rep.check(keys is not None or ef[ref].get("optional") is True,
                                 f"{label}: seklik-{name} envFrom {kind} {ef[ref].get('name')} exists"):
                        for k, v in (keys or {}).items():
                            sp.env.setdefault(prefix + k, str(v) if kind == "ConfigMap" else None)
        # Ports, probes and the Service.
        cports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
        for role, var in LISTEN_VARS.items():
            if var not in sp.env:
                continue
            want = port_of(sp.env[var] or "")
            sp.ports[role] = want
            rep.check(cports.get(role) == want,
                      f"{label}: seklik-{name} containerPort '{role}' is {var}'s port {want}",
                      f"ports: {cports}")
        http = sp.ports.get("http")

        def resolve(port):
            return cports.get(port) if isinstance(port, str) else port

        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"),
                            ("startupProbe", "/healthz")):
            p = c.get(probe)
            if p is None and probe == "startupProbe":
                continue
            hg = (p or {}).get("httpGet") or {}
            rep.check(hg.get("path") == path and http is not None and resolve(hg.get("port")) == http,
                      f"{label}: seklik-{name} {probe} is GET {path} on the http port {http}",
                      f"httpGet: {hg}")
        if svc is not None:
            sel = (svc.get("spec") or {}).get("selector") or {}
            labels = pod.get("metadata", {}).get("labels") or {}
            rep.check(sel and all(labels.get(k) == v for k, v in sel.items()),
                      f"{label}: Service seklik-{name} selects the Deployment's pods", f"selector {sel}")
            sports = {}
            for sp_ in (svc.get("spec") or {}).get("ports") or []:
                sports[resolve(sp_.get("targetPort", sp_.get("port")))] = sp_.get("port")
            for role, num in sp.ports.items():
                rep.check(sports.get(num) == num,
                          f"{label}: Service seklik-{name} exposes {role} port {num} as {num}",
                          f"service ports (target -> port): {sports}")
        specs[name] = sp
    return specs


# --------------------------------------------------------------------------------------------
# Checks shared by compose and k8s


def check_spec(rep, sp, specs, hosts, entry, printed):
    name = sp.name
    w = f"{sp.where}: seklik-{name}"
    for var in REQUIRED_ENV + ("SEKLIK_HTTP_LISTEN",):
        rep.check(var in sp.env, f"{w} sets {var}")
    # Start: the image's entrypoint with the manifest's arguments must exec seklik-<name>.
    if sp.binary is not None:
        rep.check(sp.binary in (f"{BIN_DIR_IN_IMAGE}/seklik-{name}", f"seklik-{name}"),
                  f"{w} starts {BIN_DIR_IN_IMAGE}/seklik-{name}", f"runs {sp.binary}")
    elif entry is not None:
        proc = entry.run(list(sp.argv) + ["--probe-arg"], clean_env())
        first = (proc.stdout.splitlines() or [""])[0]
        rep.check(first == f"STANDIN {name} --probe-arg",
                  f"{w} (args {sp.argv}) makes the image's entrypoint exec seklik-{name}",
                  f"got: {first or proc.stderr.strip()}")
    # Listening addresses bind every interface, peers are dialled where they listen.
    for role, var in LISTEN_VARS.items():
        v = sp.env.get(var)
        if v is None:
            continue
        rep.check(host_of(v) in ("0.0.0.0", "::", "*"), f"{w} {var} binds all interfaces", v)
        if name in PORT_INDEX:
            base = {"rpc": 7100, "events": 7200, "http": 8100}[role]
            want = base + PORT_INDEX[name]
            rep.check(port_of(v) == want, f"{w} {var} uses port {want}", v)
    for var, value in sorted(sp.env.items()):
        m = PEER_RE.match(var)
        if not m or var in LISTEN_VARS.values():
            continue
        peer, role = m.group(1).lower(), m.group(2).lower()
        if peer not in specs:
            rep.fail(f"{w} sets {var}", f"no service '{peer}' in services/ (or not in this manifest)")
            continue
        want = specs[peer].ports.get(role)
        ok = value is not None and host_of(value) == f"seklik-{peer}" and port_of(value) == want \
            and f"seklik-{peer}" in hosts
        rep.check(ok, f"{w} {var} dials seklik-{peer}:{want}", f"value {value!r}")
    # Every variable set is one the binary reads.
    if printed is not None:
        unknown = sorted(set(sp.env) - printed)
        rep.check(not unknown, f"{w}: every variable set is listed by seklik-{name} --print-env",
                  "not read by the code: " + ", ".join(unknown))
        # ... and every address it reads is set: a built-in default can only be loopback, which
        # in a container is the container itself.
        addresses = sorted(v for v in printed if PEER_RE.match(v) or v in LISTEN_VARS.values()
                           or v == "SEKLIK_REDIS_URL")
        unset = [v for v in addresses if v not in sp.env]
        rep.check(not unset, f"{w}: every address seklik-{name} reads is set",
                  "read by the code but not set: " + ", ".join(unset))


def print_env(rep, build, name):
    binary = os.path.join(build, "services", name, f"seklik-{name}")
    if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
        rep.skip(f"seklik-{name}: {binary} not built, env names not checked against --print-env")
        return None
    argv = [binary, "--print-env"]
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=clean_env(), timeout=30)
    except subprocess.TimeoutExpired:
        rep.fail(f"seklik-{name} --print-env", "did not exit within 30 s")
        return None
    if not rep.check(proc.returncode == 0, f"seklik-{name} --print-env exits 0",
                     f"exit {proc.returncode}: {proc.stderr.strip()[:400]}"):
        return None
    names = [ln.strip() for ln in proc.stdout.splitlines() if ln.strip()]
    bad = [n for n in names if not ENV_NAME_RE.match(n)]
    rep.check(not bad, f"seklik-{name} --print-env prints one variable name per line",
              "unexpected lines: " + ", ".join(repr(b) for b in bad[:5]))
    for var in REQUIRED_ENV:
        rep.check(var in names, f"seklik-{name} --print-env lists {var}")
    return set(names)


# --------------------------------------------------------------------------------------------


def check_redis_acl(rep, src):
    """Compose and the operators' guide give the Redis user the commands the cache sends
    (scripts/lib.sh lists them): one missing there costs the cache, quietly, in production."""
    lib = open(os.path.join(src, "scripts", "lib.sh"), encoding="utf-8").read()
    m = re.search(r"^SK_REDIS_CACHE_COMMANDS=\(([^)]*)\)", lib, re.M)
    if not rep.check(bool(m), "redis ACL: scripts/lib.sh lists SK_REDIS_CACHE_COMMANDS"):
        return
    wanted = m.group(1).split()
    compose = load_yaml_docs(os.path.join(src, "deploy", "compose.yaml"))[0]
    redis = (compose.get("services") or {}).get("redis") or {}
    given = {
        "deploy/compose.yaml": " ".join(command_list(redis.get("command")) or []).split(),
        "deploy/README.md": next((line.split() for line in
                                  open(os.path.join(src, "deploy", "README.md"), encoding="utf-8")
                                  if line.strip().startswith("user seklik ")), []),
    }
    for where, words in given.items():
        missing = [c for c in wanted if c not in " ".join(words).replace("'", " ").split()]
        rep.check(not missing, f"redis ACL: {where} allows every command the cache sends",
                  f"missing {' '.join(missing)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    opts = ap.parse_args()
    src, build = os.path.abspath(opts.source_dir), os.path.abspath(opts.build_dir)
    global SOURCE_DIR
    SOURCE_DIR = src
    sys.dont_write_bytecode = True
    rep = Report(opts.verbose)

    services = discover_services(src)
    rep.check(bool(services), "services: at least one services/<name>/main.c", f"none under {src}/services")
    print(f"services: {', '.join(services) or '(none)'}")

    check_yamllint(rep, src)
    check_redis_acl(rep, src)

    with tempfile.TemporaryDirectory() as tmp:
        script = check_dockerfile(rep, src, services)
        entry = Entrypoint(script, tmp) if script else None
        printed = {}
        for name in services:
            printed[name] = print_env(rep, build, name)
            if entry is not None:
                entry.install_standin(name)

        manifests = []
        got = compose_specs(rep, src, services)
        if got:
            manifests.append(got)
        base_dir = os.path.join(src, "deploy", "k8s", "base")
        base_docs = k8s_load_base(rep, base_dir)
        base_specs = k8s_specs(rep, base_docs, "k8s base", services)
        base_hosts = {f"seklik-{n}" for n in base_specs}
        manifests.append((base_specs, base_hosts))
        k8s_root = os.path.join(src, "deploy", "k8s")
        rendered = k8s_render(rep, k8s_root, base_dir, "k8s base")
        if rendered is not None:
            rep.check(len(rendered) == len(base_docs), "k8s base: kubectl renders the same objects as read",
                      f"{len(rendered)} rendered, {len(base_docs)} read")
        odir = os.path.join(src, "deploy", "k8s", "overlays")
        for ov in sorted(os.listdir(odir)) if os.path.isdir(odir) else []:
            kdir = os.path.join(odir, ov)
            if not os.path.isfile(os.path.join(kdir, "kustomization.yaml")):
                continue
            docs = k8s_render(rep, k8s_root, kdir, f"k8s overlay {ov}")
            if docs is not None:
                specs = k8s_specs(rep, docs, f"k8s overlay {ov}", services)
                manifests.append((specs, {f"seklik-{n}" for n in specs}))

        for specs, hosts in manifests:
            for name in services:
                if name in specs:
                    check_spec(rep, specs[name], specs, hosts, entry, printed.get(name))

    failed = len(rep.failures)
    skipped = f", {len(rep.skips)} skipped" if rep.skips else ""
    print(f"deploy check: {rep.passed} passed, {failed} failed{skipped}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
