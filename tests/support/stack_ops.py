"""Operating a whole SEKLIK system from a Python test (standard library only).

What the backup drill and the chaos test share: a PostgreSQL and Redis pair
of their own (servers.sh), the seven services on it (seklik-test-stack), SQL
through psql, and seklikctl. Each helper raises on failure with the log to
look at, so a test reads as its steps.
"""

import os
import pathlib
import signal
import subprocess
import time

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
SERVERS_SH = HERE / "servers.sh"
SERVICES = ("registry", "verification", "scoring", "ordering", "distribution", "accounting",
            "gateway")


def read_env_file(path):
    """KEY=VALUE or KEY='VALUE' lines into a dict (servers.sh and the stack write both)."""
    env = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if "=" not in line or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        env[key] = value
    return env


class Servers:
    """A private PostgreSQL cluster and Redis under `state` (tests/support/servers.sh)."""

    def __init__(self, state):
        self.state = pathlib.Path(state)
        self.env = {}

    def up(self):
        subprocess.run(["bash", str(SERVERS_SH), "down", str(self.state)], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["bash", str(SERVERS_SH), "up", str(self.state)], check=True,
                       stdout=subprocess.DEVNULL)
        self.env = read_env_file(self.state / "env")
        return self

    def down(self):
        subprocess.run(["bash", str(SERVERS_SH), "down", str(self.state)],
                       stdout=subprocess.DEVNULL, check=False)

    @property
    def env_file(self):
        return str(self.state / "env")

    def dsn(self, db=None):
        base = self.env["SEKLIK_TEST_PG_DSN"]
        return f"{base} dbname={db}" if db else base

    def create_db(self, db):
        sql(self.dsn("postgres"), f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        sql(self.dsn("postgres"), f'CREATE DATABASE "{db}"')
        return self.dsn(db)


class Stack:
    """seklik-test-stack: the seven services on `servers`, on free ports."""

    def __init__(self, build, servers_env_file, log_dir, db, existing_db=False, supervise=False,
                 extra_env=None):
        self.build = pathlib.Path(build)
        self.log_dir = pathlib.Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.env_out = self.log_dir / f"stack-{db}.env"
        self.out = self.log_dir / "stack.out"
        self.db = db
        self.args = [str(self.build / "tests/support/seklik-test-stack"), str(self.build),
                     str(self.log_dir), str(self.env_out), db]
        if existing_db:
            self.args.append("--existing-db")
        if supervise:
            self.args.append("--supervise")
        self.proc_env = dict(os.environ, SEKLIK_TEST_ENV_FILE=str(servers_env_file),
                             **(extra_env or {}))
        self.proc = None
        self.env = {}

    def start(self, timeout_s=120):
        if self.env_out.exists():
            self.env_out.unlink()
        self._out = open(self.out, "wb")
        self.proc = subprocess.Popen(self.args, env=self.proc_env, stdout=self._out,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.env_out.exists() and self.env_out.stat().st_size > 0:
                self.env = read_env_file(self.env_out)
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stack exited during start-up; see {self.out} and "
                                   f"{self.log_dir}/stack-*.log")
            time.sleep(0.1)
        raise RuntimeError(f"the stack was not ready in {timeout_s} s; see {self.log_dir}")

    def pid(self, service):
        try:
            return int((self.log_dir / f"stack-{service}.pid").read_text().strip())
        except (OSError, ValueError):
            return 0

    def stop(self, timeout_s=60):
        """SIGTERM the stack; its exit status (0 = every service stopped cleanly)."""
        if not self.proc:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._out.close()
        self.proc = None
        return rc

    def service_env(self):
        """The environment seklikctl and the API client need."""
        return dict(os.environ, SEKLIK_DB_DSN=self.env["SEKLIK_DB_DSN"],
                    SEKLIK_REDIS_URL=self.env.get("SEKLIK_REDIS_URL", ""))


def sql(dsn, query, *params):
    """Run one statement through psql; rows as lists of strings. Parameters
    are psql variables :'p1', :'p2'... (quoted by psql, never spliced by us)."""
    args = ["psql", "-X", "-q", "-At", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-d", dsn]
    for i, p in enumerate(params, 1):
        args += ["-v", f"p{i}={p}"]
    r = subprocess.run(args, input=query + ";\n", capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {query}: {r.stderr.strip()}")
    return [line.split("\x1f") for line in r.stdout.splitlines() if line != ""]


def sql_value(dsn, query, *params):
    rows = sql(dsn, query, *params)
    return rows[0][0] if rows else None


def seklikctl(build, dsn, *args, redis_url=""):
    """Run seklikctl against `dsn`; the CompletedProcess (stdout, stderr as text)."""
    env = dict(os.environ, SEKLIK_DB_DSN=dsn)
    if redis_url:
        env["SEKLIK_REDIS_URL"] = redis_url
    for name in SERVICES:  # only SEKLIK_DB_DSN decides here
        env.pop(f"SEKLIK_{name.upper()}_DB_DSN", None)
    return subprocess.run([str(pathlib.Path(build) / "services/gateway/seklikctl"), *args],
                          env=env, capture_output=True, text=True, check=False)


# Columns a running service rewrites without any change of data: a
# subscriber stamps its offset row on every replay tick.
VOLATILE = {"inbox_offsets": "(t.source, t.last_seq)"}


def table_digests(dsn):
    """{schema.table: (rows, md5 of every row's text in order)} for the seven
    schemas: what "nothing lost, nothing changed" compares."""
    tables = sql(dsn, "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON "
                      "n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = ANY "
                      "(string_to_array(:'p1', ',')) ORDER BY 1, 2", ",".join(SERVICES))
    out = {}
    for schema, table in tables:
        name = f'"{schema}"."{table}"'
        row = VOLATILE.get(table, "t")
        rows, digest = sql(dsn, f"SELECT count(*), coalesce(md5(string_agg({row}::text, '|' "
                                f"ORDER BY {row}::text)), '') FROM {name} t")[0]
        out[f"{schema}.{table}"] = (int(rows), digest)
    return out


def sanitizer_reports(log_dir):
    """Lines of the services' logs that say a process died of something other
    than a signal we sent: sanitizer reports, failed assertions, aborts."""
    markers = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
               "UndefinedBehaviorSanitizer", "SUMMARY: ", "Assertion `", "assertion failed",
               "Segmentation fault", "stack smashing")
    found = []
    for log in sorted(pathlib.Path(log_dir).glob("stack-*.log")):
        with open(log, errors="replace") as f:
            for n, line in enumerate(f, 1):
                if any(m in line for m in markers):
                    found.append(f"{log.name}:{n}: {line.strip()[:200]}")
    return found
