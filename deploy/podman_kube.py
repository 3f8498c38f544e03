#!/usr/bin/env python3
"""Run SEKLIK's Kubernetes manifests on one machine with `podman kube play` (podman 4.3).

    python3 deploy/podman_kube.py render KUSTOMIZATION_DIR            # kustomize output
    python3 deploy/podman_kube.py certs DIR                           # bus CA and certificates
    python3 deploy/podman_kube.py play KUSTOMIZATION_DIR --network NET --secrets-dir DIR
                                       [--image NAME=REF]
    python3 deploy/podman_kube.py down KUSTOMIZATION_DIR

podman is not Kubernetes; this is the closest it gets with the same manifests:

  * Rendering: `kubectl kustomize` when kubectl is installed, else the subset of kustomize these
    manifests use (resources, namespace, labels, images, configMap/secretGenerator with
    behavior merge or replace), done here; anything else is refused rather than misread.
    tests/deploy/check_deploy.py compares the two wherever kubectl exists.
  * Deployments become Pods named as the Deployment, from its pod template. podman 4.3 would
    name a Deployment's pod NAME-pod-0 and has no Services, while the ConfigMap dials peers by
    their Service names (seklik-registry:7101); on a podman network a pod's name resolves, so
    naming the pod as the Service keeps the manifests' addresses. One pod per Deployment:
    `replicas` is not honoured (a warning says so).
  * Secrets become podman secrets of the same name; ConfigMaps are played as they are. podman
    4.3 reads a secret for `secretKeyRef` as a JSON map of base64 values, and one for a secret
    volume as a whole Secret whose `data` it writes out without decoding: so each gets the form
    its use needs (one Secret used both ways is refused). A secret volume gets `optional: false`
    (4.3 crashes on a volume without it) and its files are 0644 (defaultMode and fsGroup are
    not applied). Secrets the manifests mount but do not define (the bus certificates,
    seklik-<service>-tls, made by cert-manager or by hand in a cluster) are read from
    --secrets-dir DIR/<name>/<key> files; `certs DIR` makes them with openssl as
    deploy/README.md ("Bus TLS") does.
  * Services, Ingresses and the Namespace are left out (podman has no such objects; peers are
    reached by pod name, the gateway at its pod's address).
  * Kept as written: images, args, env/envFrom, ports, securityContext (runAsUser/Group,
    readOnlyRootFilesystem, capabilities, allowPrivilegeEscalation), resources.limits.memory,
    emptyDir volumes, terminationGracePeriodSeconds, restartPolicy. Probes are not run by
    podman without systemd; tests/deploy/containers.py exercises them itself, as a kubelet
    would, from the rendered manifests.
"""

import argparse
import base64
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("podman_kube: PyYAML is missing (Debian: apt-get install python3-yaml)")

NAMESPACED_SKIP = {"Namespace", "Service", "Ingress"}
KNOWN_KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "namespace", "labels", "images",
                            "configMapGenerator", "secretGenerator"}


class KustomizeError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# A small kustomize: what deploy/k8s uses, nothing more.


def _read_env(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise KustomizeError(f"{path}: not KEY=VALUE: {line[:40]!r}")
            out[key.strip()] = value
    return out


def _docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def _image_parts(image):
    name, tag = image, None
    if "@" in image:
        return image.split("@", 1)[0], None
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        name, tag = image[:colon], image[colon + 1:]
    return name, tag


def _set_images(objs, images):
    for obj in objs:
        spec = obj.get("spec") or {}
        pod = (spec.get("template") or {}).get("spec") if "template" in spec else spec
        for c in (pod or {}).get("containers", []) + (pod or {}).get("initContainers", []):
            name, tag = _image_parts(c.get("image", ""))
            for img in images:
                if img.get("name") == name:
                    unknown = set(img) - {"name", "newName", "newTag"}
                    if unknown:
                        raise KustomizeError(f"images: unsupported keys {sorted(unknown)}")
                    new = img.get("newName", name)
                    new_tag = img.get("newTag", tag)
                    c["image"] = f"{new}:{new_tag}" if new_tag else new


def render_lite(kdir):
    """The objects kustomize would render for KDIR (a list of dicts)."""
    kpath = os.path.join(kdir, "kustomization.yaml")
    if not os.path.isfile(kpath):
        raise KustomizeError(f"{kpath}: no such file")
    kust = _docs(kpath)[0]
    unknown = set(kust) - KNOWN_KUSTOMIZATION_KEYS
    if unknown:
        raise KustomizeError(f"{kpath}: not supported here (use kubectl kustomize): "
                             f"{sorted(unknown)}")
    objs = []
    for res in kust.get("resources") or []:
        p = os.path.join(kdir, res)
        objs += render_lite(p) if os.path.isdir(p) else _docs(p)
    for kind, key in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for gen in kust.get(key) or []:
            unknown = set(gen) - {"name", "behavior", "literals", "envs"}
            if unknown:
                raise KustomizeError(f"{kpath}: {key} keys not supported here: {sorted(unknown)}")
            data = {}
            for lit in gen.get("literals") or []:
                k, _, v = lit.partition("=")
                data[k] = v
            for env in gen.get("envs") or []:
                data.update(_read_env(os.path.join(kdir, env)))
            behavior = gen.get("behavior", "create")
            existing = [o for o in objs if o.get("kind") == kind
                        and o.get("metadata", {}).get("name") == gen["name"]]
            if behavior not in ("merge", "replace") or not existing:
                # A created object gets a content hash suffix and every reference is renamed:
                # more kustomize than this file does.
                raise KustomizeError(f"{kpath}: {key} {gen['name']}: only behavior merge/replace "
                                     f"of an object of the resources is supported here")
            target = existing[0]
            if kind == "Secret":
                merged = {} if behavior == "replace" else {
                    k: base64.b64decode(v).decode() for k, v in (target.get("data") or {}).items()}
                if behavior != "replace":
                    merged.update(target.get("stringData") or {})
                merged.update(data)
                target.pop("stringData", None)
                target["data"] = {k: base64.b64encode(v.encode()).decode()
                                  for k, v in merged.items()}
            else:
                merged = {} if behavior == "replace" else dict(target.get("data") or {})
                merged.update(data)
                target["data"] = merged
    ns = kust.get("namespace")
    if ns:
        for o in objs:
            if o.get("kind") == "Namespace":
                continue
            o.setdefault("metadata", {})["namespace"] = ns
    for lab in kust.get("labels") or []:
        pairs = lab.get("pairs") or {}
        if lab.get("includeSelectors"):
            raise KustomizeError(f"{kpath}: labels with includeSelectors not supported here")
        for o in objs:
            o.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
            tmpl = (o.get("spec") or {}).get("template")
            if lab.get("includeTemplates") and isinstance(tmpl, dict):
                tmpl.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
    _set_images(objs, kust.get("images") or [])
    return objs


def render(kdir, use_kubectl=True):
    """kubectl kustomize KDIR when kubectl is there (and use_kubectl), else render_lite."""
    kubectl = shutil.which("kubectl") if use_kubectl else None
    if kubectl:
        proc = subprocess.run([kubectl, "kustomize", kdir], capture_output=True, text=True,
                              check=False, timeout=120)
        if proc.returncode != 0:
            raise KustomizeError(f"kubectl kustomize {kdir}: {proc.stderr.strip()}")
        return [d for d in yaml.safe_load_all(proc.stdout) if d is not None]
    return render_lite(kdir)


# --------------------------------------------------------------------------------------------
# From Kubernetes objects to what podman 4.3 plays


def secret_data(secret):
    """The Secret's keys and values, as podman's secretKeyRef expects them: base64 per key."""
    # kubectl wraps long base64 values; podman wants them whole.
    data = {k: base64.b64encode(base64.b64decode(v)).decode()
            for k, v in (secret.get("data") or {}).items()}
    for k, v in (secret.get("stringData") or {}).items():
        data[k] = base64.b64encode(str(v).encode()).decode()
    return data


def secret_uses(pods):
    """({secret names used by secretKeyRef/secretRef}, {secret names mounted as volumes})."""
    env, vol = set(), set()
    for p in pods:
        spec = p.get("spec") or {}
        for v in spec.get("volumes") or []:
            if "secret" in v:
                vol.add(v["secret"]["secretName"])
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    env.add(ref["name"])
            for e in c.get("envFrom") or []:
                if "secretRef" in e:
                    env.add(e["secretRef"]["name"])
    return env, vol


def for_podman(objs, image_overrides=None):
    """(pods and configmaps to play, {secret name: data}, notes)."""
    play, secrets, notes = [], {}, []
    for o in objs:
        kind, name = o.get("kind"), o.get("metadata", {}).get("name")
        if kind in NAMESPACED_SKIP:
            notes.append(f"left out {kind} {name}: podman has none")
        elif kind == "Secret":
            secrets[name] = secret_data(o)
        elif kind == "ConfigMap":
            cm = copy.deepcopy(o)
            cm["metadata"].pop("namespace", None)
            play.append(cm)
        elif kind == "Deployment":
            spec = o.get("spec") or {}
            if spec.get("replicas", 1) != 1:
                notes.append(f"Deployment {name}: replicas {spec.get('replicas')} played as one pod")
            tmpl = copy.deepcopy(spec.get("template") or {})
            meta = tmpl.get("metadata") or {}
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": name, "labels": meta.get("labels") or {},
                                "annotations": meta.get("annotations") or {}},
                   "spec": tmpl.get("spec") or {}}
            pod["spec"].setdefault("restartPolicy", "Always")
            pod["spec"]["hostname"] = name
            for v in pod["spec"].get("volumes") or []:
                if "secret" in v:
                    v["secret"].setdefault("optional", False)
            play.append(pod)
        elif kind == "Pod":
            pod = copy.deepcopy(o)
            pod["metadata"].pop("namespace", None)
            play.append(pod)
        else:
            notes.append(f"left out {kind} {name}: not played by podman 4.3")
    for ref, new in (image_overrides or {}).items():
        for p in play:
            for c in (p.get("spec") or {}).get("containers", []):
                if _image_parts(c.get("image", ""))[0] == ref:
                    c["image"] = new
    # ConfigMaps first: the pods' envFrom refers to them.
    play.sort(key=lambda x: 0 if x["kind"] == "ConfigMap" else 1)
    return play, secrets, notes


def podman(*args, check=True, capture=True, input_text=None):
    proc = subprocess.run(["podman", *args], capture_output=capture, text=True, check=False,
                          input=input_text)
    if check and proc.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])}...: exit {proc.returncode}: "
                           f"{(proc.stderr or '').strip()[-800:]}")
    return proc


def read_secret_dir(path):
    """{key: base64 value} from the files of a directory (a Secret made outside kustomize)."""
    if not os.path.isdir(path):
        raise KustomizeError(f"{path}: no such directory (a Secret the manifests mount)")
    data = {}
    for key in sorted(os.listdir(path)):
        with open(os.path.join(path, key), "rb") as f:
            data[key] = base64.b64encode(f.read()).decode()
    return data


def podman_secrets(pods, secrets, secrets_dir):
    """{name: the bytes podman 4.3 wants for it}, per its use (see the module's notes)."""
    env, vol = secret_uses(pods)
    both = env & vol
    if both:
        raise KustomizeError(f"Secrets used as env and as a volume: {sorted(both)}; podman 4.3 "
                             f"reads the two differently")
    out = {}
    for name in env:
        if name not in secrets:
            raise KustomizeError(f"Secret {name} is referenced but neither rendered nor given")
        out[name] = json.dumps(secrets[name])
    for name in vol:
        data = secrets.get(name)
        if data is None and secrets_dir:
            data = read_secret_dir(os.path.join(secrets_dir, name))
        if data is None:
            raise KustomizeError(f"Secret {name} is mounted but not rendered: give it with "
                                 f"--secrets-dir DIR (DIR/{name}/<key> files)")
        raw = {k: base64.b64decode(v).decode() for k, v in data.items()}
        out[name] = json.dumps({"apiVersion": "v1", "kind": "Secret",
                                "metadata": {"name": name}, "data": raw})
    return out, vol


def play(kdir, network, image_overrides=None, out=None, use_kubectl=True, secrets_dir=None):
    """Play KDIR on `network`; returns (path of the played YAML, notes, secret names)."""
    objs = render(kdir, use_kubectl)
    pods, secrets, notes = for_podman(objs, image_overrides)
    made, volumes = podman_secrets(pods, secrets, secrets_dir)
    for name, content in made.items():
        podman("secret", "rm", name, check=False)
        # podman keeps a secret volume's files in a named volume of the secret's name, and
        # would mount the old files again.
        if name in volumes:
            podman("volume", "rm", "-f", name, check=False)
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(content)
        try:
            podman("secret", "create", name, f.name)
        finally:
            os.unlink(f.name)
    path = out or os.path.join(tempfile.mkdtemp(prefix="seklik-kube-"), "play.yaml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump_all(pods, f, sort_keys=False)
    args = ["kube", "play", "--replace", "--log-driver", "k8s-file"]
    if network:
        args += ["--network", network]
    podman(*args, path)
    return path, notes, sorted(made)


def down(kdir, played=None, use_kubectl=True, stop_timeout=None):
    """Stop (SIGTERM, up to each pod's grace period or stop_timeout) and remove what play made."""
    objs = render(kdir, use_kubectl)
    pods, secrets, _ = for_podman(objs)
    env, vol = secret_uses(pods)
    secrets = set(secrets) | env | vol
    names = [p["metadata"]["name"] for p in pods if p["kind"] == "Pod"]
    for p in pods:
        if p["kind"] != "Pod":
            continue
        grace = stop_timeout or p["spec"].get("terminationGracePeriodSeconds", 30)
        podman("pod", "stop", "-t", str(grace), p["metadata"]["name"], check=False)
    if played and os.path.exists(played):
        podman("kube", "down", played, check=False)
    for n in names:
        podman("pod", "rm", "-f", n, check=False)
    for s in secrets:
        podman("secret", "rm", s, check=False)
    for v in vol:
        podman("volume", "rm", "-f", v, check=False)


SERVICES = ("registry", "verification", "scoring", "ordering", "distribution", "accounting",
            "gateway")


def make_certs(out_dir, services=SERVICES, days=30):
    """The bus CA and one certificate per service, as deploy/README.md ("Bus TLS") makes them:
    OUT/ca.key, OUT/ca.pem and OUT/seklik-<service>-tls/{tls.crt,tls.key,ca.crt}, the Secret
    each Deployment mounts. For a test or a laptop: a real CA key is kept offline."""
    def ssl(*args):
        proc = subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"openssl {args[0]}: {proc.stderr.strip()[-400:]}")

    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    ca_key, ca = os.path.join(out_dir, "ca.key"), os.path.join(out_dir, "ca.pem")
    ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ca_key)
    ssl("req", "-x509", "-new", "-key", ca_key, "-out", ca, "-days", str(days), "-subj",
        "/CN=SEKLIK bus CA (podman)")
    for svc in services:
        d = os.path.join(out_dir, f"seklik-{svc}-tls")
        os.makedirs(d, mode=0o700, exist_ok=True)
        key, csr, ext = (os.path.join(d, "tls.key"), os.path.join(out_dir, f"{svc}.csr"),
                         os.path.join(out_dir, f"{svc}.ext"))
        ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        ssl("req", "-new", "-key", key, "-out", csr, "-subj", f"/CN=seklik-{svc}")
        with open(ext, "w", encoding="utf-8") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                    "extendedKeyUsage=serverAuth,clientAuth\n"
                    f"subjectAltName=DNS:seklik-{svc},DNS:seklik-{svc}.seklik.svc\n")
        ssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-days", str(days), "-extfile", ext, "-out", os.path.join(d, "tls.crt"))
        shutil.copy(ca, os.path.join(d, "ca.crt"))
        os.unlink(csr)
        os.unlink(ext)
    return out_dir


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 2)[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["render", "certs", "play", "down"])
    ap.add_argument("kustomization", help="a directory with a kustomization.yaml (certs: the "
                                          "directory to write)")
    ap.add_argument("--secrets-dir", help="Secrets the manifests mount but do not define, as "
                                          "DIR/<name>/<key> files (what `certs DIR` writes)")
    ap.add_argument("--network", help="podman network of the pods (with DNS, e.g. podman "
                                      "network create seklik)")
    ap.add_argument("--image", action="append", default=[], metavar="NAME=REF",
                    help="run REF wherever the manifests say NAME (e.g. "
                         "localhost/seklik=localhost/seklik:test)")
    ap.add_argument("--lite", action="store_true", help="render without kubectl even if present")
    a = ap.parse_args()
    overrides = dict(x.split("=", 1) for x in a.image)
    try:
        if a.command == "render":
            yaml.safe_dump_all(render(a.kustomization, not a.lite), sys.stdout, sort_keys=False)
        elif a.command == "certs":
            print(make_certs(a.kustomization))
        elif a.command == "play":
            path, notes, _ = play(a.kustomization, a.network, overrides, use_kubectl=not a.lite,
                                  secrets_dir=a.secrets_dir)
            for n in notes:
                print(f"podman_kube: {n}", file=sys.stderr)
            print(path)
        else:
            down(a.kustomization, use_kubectl=not a.lite)
    except (KustomizeError, RuntimeError, OSError) as e:
        sys.exit(f"podman_kube: {e}")


if __name__ == "__main__":
    main()
