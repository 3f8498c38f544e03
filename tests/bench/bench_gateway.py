#!/usr/bin/env python3
"""A cached read through the gateway against nginx serving the same bytes.

Run through tests/support/with_stack.sh (the whole system on the fixture).
Onboards one press company through the API until its outlet has a tier, reads
the outlet's public profile once (it is then cached by the gateway), writes
those exact bytes to a file that nginx serves, and runs wrk against both with
the same threads, connections and duration, alternating, several rounds.
Prints requests/s and p99 of each and the median ratio gateway/nginx (goal
>= 0.5). SEKLIK_BENCH_QUICK=1 (ctest) runs one short round and checks only
that both answered the same bytes without errors.
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import seklik_api as api  # noqa: E402

BASE = os.environ["SEKLIK_GATEWAY_URL"]
QUICK = os.environ.get("SEKLIK_BENCH_QUICK") == "1"
PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")
THREADS, CONNECTIONS = 2, 32
DURATION = "2s" if QUICK else "10s"
ROUNDS = 1 if QUICK else 5


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wrk(url):
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}",
                          "--latency", url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    p99_ms = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return rps, p99_ms, int(bad.group(1)) if bad else 0, errors.group(0) if errors else ""


def start_nginx(root, body):
    port = free_port()
    with open(os.path.join(root, "profile.json"), "wb") as f:
        f.write(body)
    conf = os.path.join(root, "nginx.conf")
    # Same machine, same two cores: one worker per core, like the gateway's threads.
    with open(conf, "w") as f:
        f.write(f"""daemon off;
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  # The gateway answers a hit from memory: let nginx keep the file open too.
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  sendfile on;
  tcp_nopush on;
  default_type application/json;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location / {{ }}
  }}
}}
""")
    os.chmod(root, 0o755)
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", root], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}/profile.json"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nginx did not start")


def main():
    if not shutil.which("wrk") or not shutil.which("nginx"):
        sys.exit("bench_gateway: wrk and nginx are needed (apt-get install wrk nginx-light)")
    admin = api.Session(BASE)
    admin.login("admin", PASSWORD)
    verifier = api.Session(BASE)
    verifier.login("verifikator", PASSWORD)
    api.publish_requirements(admin, 2027)
    _, _, outlet = api.onboard(BASE, admin, verifier, "benchmitra", "PT Kabar Bench",
                               "012345678901234", "1234567890123",
                               ("1601010101010001", "1601010101010002"))
    path = f"/api/v1/public/outlets/{outlet}"
    status, _, body = api.Session(BASE).request("GET", path)
    if status != 200:
        sys.exit(f"bench_gateway: {path} answered {status}: {body[:200]!r}")
    status, _, again = api.Session(BASE).request("GET", path)
    if again != body:
        sys.exit("bench_gateway: two reads of the cached profile differ")
    print(f"public outlet profile: {len(body)} bytes: {body[:160].decode(errors='replace')}")

    root = tempfile.mkdtemp(prefix="bench-nginx-")
    nginx, nginx_url = start_nginx(root, body)
    try:
        import urllib.request
        with urllib.request.urlopen(nginx_url) as r:
            if r.read() != body:
                sys.exit("bench_gateway: nginx does not serve the same bytes")
        gw, ng = [], []
        for _ in range(ROUNDS):
            gw.append(wrk(BASE + path))
            ng.append(wrk(nginx_url))
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)

    for name, runs in (("gateway", gw), ("nginx", ng)):
        for rps, p99, bad, errors in runs:
            if bad:
                sys.exit(f"bench_gateway: {name} answered {bad} non-2xx responses")
            print(f"  {name:8s} {rps:10.0f} req/s  p99 {p99:7.2f} ms  {errors}")
    ratios = [g[0] / n[0] for g, n in zip(gw, ng)]
    print(f"gateway cached read ({THREADS} threads, {CONNECTIONS} connections, {DURATION} x "
          f"{ROUNDS}): median {statistics.median([g[0] for g in gw]):.0f} req/s, "
          f"p99 {statistics.median([g[1] for g in gw]):.2f} ms")
    print(f"nginx same bytes: median {statistics.median([n[0] for n in ng]):.0f} req/s, "
          f"p99 {statistics.median([n[1] for n in ng]):.2f} ms")
    print(f"ratio gateway/nginx: median {statistics.median(ratios):.2f} (goal >= 0.5)")


if __name__ == "__main__":
    main()
