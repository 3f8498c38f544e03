"""The chaos test's load: partners registering companies and uploading
documents, verifiers deciding them, through the gateway's HTTP API while
processes are being killed.

It behaves as a careful real client does: every command gets an
idempotency key, and one that fails or gets no answer (connection refused or
reset, a timeout, 429/5xx) is sent again with the same key and the same body
until it is answered 2xx. Every command is recorded with its key and its
fate, so the test can afterwards compare what the API accepted with what the
database holds. A 4xx other than 401/429 is a refusal: it is recorded and
makes the run fail (the flows below only send what must be accepted).
"""

import base64
import http.client
import itertools
import json
import random
import threading
import time
import uuid

import seklik_api as api

YEAR = 2027
TRANSIENT = {429, 500, 502, 503, 504}


class Refused(Exception):
    """A command or query answered with a status no retry can change."""


class Abandoned(Exception):
    """Still unanswered at the give-up deadline."""


class Command:
    """One command as the client saw it."""

    def __init__(self, actor, user_id, method, body):
        self.actor = actor
        self.user_id = user_id
        self.method = method
        self.body = body
        self.key = str(uuid.uuid4())
        self.state = "pending"     # accepted | refused | abandoned
        self.attempts = 0
        self.failures = {}         # "no answer" / "503" / ... -> count
        self.result = None
        self.refusal = ""

    @property
    def service(self):
        return self.method.split(".", 1)[0]


class Recorder:
    """Every command of the run, and counters, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.commands = []
        self.companies = []        # dicts: see Load.partner_flow
        self.relogins = 0
        self.anomalies = {}        # known issues met (see Load.tolerate)
        self.query_failures = {}
        self.errors = []           # flows that stopped on something unexpected

    def add(self, cmd):
        with self.lock:
            self.commands.append(cmd)

    def count_query_failure(self, what):
        with self.lock:
            self.query_failures[what] = self.query_failures.get(what, 0) + 1


def backoff_s(attempt, headers):
    retry_after = (headers or {}).get("Retry-After")
    if retry_after:
        try:
            return min(float(retry_after), 10.0)
        except ValueError:
            pass
    return min(0.1 * 2 ** min(attempt, 5), 2.0) * random.uniform(0.5, 1.0)


class Client(api.Session):
    """A user's session that retries: the commands' recorder and the
    address it appears to come from (X-Forwarded-For through a trusted
    proxy: partners are in different offices, staff in one)."""

    def __init__(self, load, username, password, address, timeout=10):
        super().__init__(load.base, timeout=timeout)
        self.load = load
        self.username = username
        self.password = password
        self.address = address

    def request(self, method, path, body=None, headers=None, raw=False, csrf=True):
        hdrs = dict(headers or {})
        hdrs["X-Forwarded-For"] = self.address
        return super().request(method, path, body, hdrs, raw, csrf)

    def _send(self, method, path, body, headers, what):
        """One exchange, retried while the answer is transient; returns
        (status, headers, payload) of the first definite answer."""
        attempt = 0
        while True:
            attempt += 1
            if what is not None:
                what.attempts += 1
            try:
                status, hdrs, payload = self.request(method, path, body, headers)
            except (OSError, http.client.HTTPException):
                status, hdrs, payload = None, {}, b""
            if status is not None and status not in TRANSIENT:
                return status, hdrs, payload, attempt
            failure = "no answer" if status is None else str(status)
            if what is not None:
                what.failures[failure] = what.failures.get(failure, 0) + 1
            else:
                self.load.rec.count_query_failure(failure)
            if time.monotonic() > self.load.give_up_at:
                raise Abandoned(f"{path}: still {failure} at the give-up deadline")
            time.sleep(backoff_s(attempt, hdrs))

    def login_retrying(self):
        status, hdrs, payload, _ = self._send(
            "POST", "/api/v1/auth/login",
            {"username": self.username, "password": self.password}, None, None)
        if status != 200:
            raise Refused(f"login {self.username}: HTTP {status} {payload[:200]!r}")
        doc = json.loads(payload)
        self.csrf, self.user = doc.get("csrfToken", ""), doc.get("user", {})

    def signup_retrying(self, display_name):
        status, hdrs, payload, attempts = self._send(
            "POST", "/api/v1/auth/signup",
            {"username": self.username, "password": self.password, "displayName": display_name},
            None, None)
        if status == 200:
            doc = json.loads(payload)
            self.csrf, self.user = doc.get("csrfToken", ""), doc.get("user", {})
            return
        if status == 409 and attempts > 1:
            self.login_retrying()  # the first attempt made the account; its answer was lost
            return
        raise Refused(f"signup {self.username}: HTTP {status} {payload[:200]!r}")

    def command(self, method, body):
        """Send a command until it is accepted; its decoded answer."""
        cmd = Command(self.username, self.user.get("id", ""), method, body)
        self.load.rec.add(cmd)
        return self.send(cmd)

    def send(self, cmd):
        """Send `cmd` (again: same key, same body) until it is accepted."""
        method, body = cmd.method, cmd.body
        while True:
            try:
                status, hdrs, payload, _ = self._send(
                    "POST", "/api/v1/" + method, body, {"Idempotency-Key": cmd.key}, cmd)
            except Abandoned:
                cmd.state = "abandoned"
                raise
            if 200 <= status < 300:
                cmd.state = "accepted"
                cmd.result = json.loads(payload) if payload else {}
                return cmd.result
            if status == 401:  # the session is gone (it should not be): log in again
                with self.load.rec.lock:
                    self.load.rec.relogins += 1
                cmd.failures["401"] = cmd.failures.get("401", 0) + 1
                self.login_retrying()
                continue
            cmd.state = "refused"
            cmd.refusal = f"HTTP {status} {payload[:300].decode(errors='replace')}"
            raise Refused(f"{self.username} {method}: {cmd.refusal}")

    def query(self, method, body):
        """A query, retried while transient; its answer, or raises Refused
        (with .status) on a definite error such as 404."""
        while True:
            status, hdrs, payload, _ = self._send("POST", "/api/v1/" + method, body, None, None)
            if status == 200:
                return json.loads(payload) if payload else {}
            if status == 401:
                self.login_retrying()
                continue
            err = Refused(f"{self.username} {method}: HTTP {status} {payload[:200]!r}")
            err.status = status
            raise err

    def wait_for(self, method, body, until, timeout_s=120):
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.query(method, body)
                if until(last):
                    return last
            except Refused as e:
                if getattr(e, "status", 0) != 404:
                    raise
                last = e
            time.sleep(0.2)
        raise Abandoned(f"{method} {body} never reached the expected state; last: {last}")


class Load:
    """Partner and verifier threads until stop(); then they finish what they
    started (every command in flight retried to acceptance) and exit."""

    def __init__(self, base, staff_password, seed, partners=3, verifiers=2, backlog=4,
                 tolerate=()):
        self.base = base
        self.tolerate = set(tolerate)
        self.staff_password = staff_password
        self.run_id = f"{seed % 100000:05d}"
        self.n_partners = partners
        self.n_verifiers = verifiers
        self.rec = Recorder()
        self.queue = []                       # companies waiting for a verifier
        self.cv = threading.Condition()
        self.backlog = backlog
        self.stopping = False
        self.give_up_at = float("inf")
        self.counter = itertools.count(1)
        self.threads = []

    # -- setup ---------------------------------------------------------------
    def staff(self, username):
        c = Client(self, username, self.staff_password, "10.0.0.2")
        c.login_retrying()
        return c

    def setup(self):
        admin = self.staff("admin")
        try:
            admin.query("verification.GetRequirementSet",
                        {"fiscalYear": YEAR, "outletType": "OUTLET_TYPE_SIBER"})
        except Refused as e:
            if getattr(e, "status", 0) != 404:
                raise
            admin.command("verification.PublishRequirementSet", {
                "fiscalYear": YEAR, "outletType": "OUTLET_TYPE_SIBER",
                "requirements": [{"type": d, "required": True} for d in api.REQUIRED_DOCS]})

    # -- the flows -------------------------------------------------------------
    def identity(self):
        """Unique names and numbers for the n-th company of this run."""
        n = next(self.counter)
        digits = f"{int(self.run_id):05d}{n:05d}"  # 10 digits, unique in the run
        return {
            "n": n,
            "username": f"chaos{self.run_id}p{n}",
            "name": f"PT Kacau {self.run_id} {n}",
            "npwp": "09" + digits + "123",        # 15
            "nib": "9" + digits + "12",           # 13
            "niks": ("16" + digits + "0001", "16" + digits + "0002"),  # 16
            "address": f"10.{n // 250 % 250 + 1}.{n % 250 + 1}.{int(self.run_id) % 250 + 1}",
            "reject_one": n % 3 == 0,             # every third gets a document rejected
        }

    def partner_flow(self):
        """Sign up, register, upload the four documents, submit; then the
        company waits for a verifier."""
        me = self.identity()
        partner = Client(self, me["username"], api.PARTNER_PASSWORD, me["address"])
        partner.signup_retrying(me["name"])
        body = {"company": api.company_input(me["name"], me["npwp"], me["nib"]),
                "outlets": [{"type": "OUTLET_TYPE_SIBER", "scale": "OUTLET_SCALE_REGIONAL",
                             "name": me["name"], "url": "https://kacau.example.id",
                             "monthlyVisitors": "120000"}],
                "people": [
                    {"role": "PERSON_ROLE_CHIEF_EDITOR", "nik": me["niks"][0], "name": "Pemred",
                     "ukwLevel": "UKW_LEVEL_UTAMA", "ukwCertificateNumber": "UKW-1",
                     "ukwCertificateExpiry": "2030-01-01"},
                    {"role": "PERSON_ROLE_JOURNALIST", "nik": me["niks"][1], "name": "Wartawan",
                     "ukwLevel": "UKW_LEVEL_MUDA", "ukwCertificateNumber": "UKW-2",
                     "ukwCertificateExpiry": "2029-06-30"}]}
        company = partner.command("registry.RegisterCompany", body)
        self.check_bound(partner, company["id"])
        record = {"partner": me["username"], "user_id": partner.user.get("id", ""),
                  "company_id": company["id"], "uploads": {}, "reuploads": [],
                  "reject_one": me["reject_one"], "submitted": False, "verified": False}
        with self.rec.lock:
            self.rec.companies.append(record)
        for d in api.REQUIRED_DOCS:
            self.upload(partner, record, d)
        partner.command("registry.Submit", {"companyId": company["id"], "fiscalYear": YEAR})
        record["submitted"] = True
        with self.cv:
            self.queue.append((partner, record))
            self.cv.notify_all()

    def check_bound(self, partner, company_id):
        """The gateway binds a partner to the company it registered once the
        registry has answered, in a step of its own; if that step fails (its
        database down at that moment) it still answers 200 and the partner
        cannot reach its company. The registry's answer is stored under the
        key, so sending the command again binds it: done only when the run
        tolerates this known issue, else the flow fails on it."""
        try:
            partner.query("registry.GetCompany", {"companyId": company_id})
            return
        except Refused as e:
            if getattr(e, "status", 0) != 403:
                raise
            with self.rec.lock:
                self.rec.anomalies["bind-after-register"] = (
                    self.rec.anomalies.get("bind-after-register", 0) + 1)
            if "bind-after-register" not in self.tolerate:
                raise Refused(f"{partner.username}: RegisterCompany was accepted, but the partner "
                              f"cannot read its company {company_id} (the gateway's binding "
                              f"failed after the registry committed: its log says 'binding "
                              f"user')") from e
        cmd = next(c for c in reversed(self.rec.commands)
                   if c.actor == partner.username and c.method == "registry.RegisterCompany")
        partner.send(cmd)
        partner.query("registry.GetCompany", {"companyId": company_id})

    def upload(self, partner, record, doc_type):
        doc = partner.command("registry.UploadDocument", {
            "companyId": record["company_id"],
            "document": {"type": doc_type, "number": f"DOC-{doc_type[-4:]}",
                         "issuedOn": "2024-01-15", "fileName": "scan.pdf",
                         "content": base64.b64encode(api.PDF).decode()}})
        record["uploads"].setdefault(doc_type, []).append(doc.get("id", ""))
        return doc

    def verify_company(self, verifier, approver, partner, record):
        """The verification of one submitted company, start to end: accept its
        documents (rejecting one first for every third company, which the
        partner then uploads again), record the visit, propose VERIFIED and
        have `approver` (the head) approve it. The four-eyes rules live here:
        adapt this function when they change."""
        cid = record["company_id"]
        case = verifier.wait_for("verification.GetCase", {"companyId": cid},
                                 lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
        if record["reject_one"]:
            doc = next(d for d in case["documents"] if d.get("type") == "DOCUMENT_TYPE_DOMISILI")
            verifier.command("verification.DecideDocument", {
                "caseId": case["id"], "documentId": doc["documentId"],
                "decision": "DECISION_REJECTED", "reason": "Tidak terbaca; unggah ulang"})
            verifier.wait_for("verification.GetCase", {"caseId": case["id"]},
                              lambda c: c.get("state") == "CASE_STATE_NEEDS_REVISION")
            new = self.upload(partner, record, "DOCUMENT_TYPE_DOMISILI")
            record["reuploads"].append(new.get("id", ""))
            case = verifier.wait_for(
                "verification.GetCase", {"caseId": case["id"]},
                lambda c: c.get("state") == "CASE_STATE_IN_REVIEW" and any(
                    d.get("documentId") == new.get("id") for d in c.get("documents", [])))
        for doc in case["documents"]:
            if doc.get("decision", "DECISION_PENDING") == "DECISION_PENDING":
                verifier.command("verification.DecideDocument", {
                    "caseId": case["id"], "documentId": doc["documentId"],
                    "decision": "DECISION_ACCEPTED"})
        verifier.wait_for("verification.GetCase", {"caseId": case["id"]},
                          lambda c: c.get("state") == "CASE_STATE_VISIT_PENDING")
        verifier.command("verification.RecordVisit", {"caseId": case["id"], "visit": {
            "visitedOn": api.today_wib(), "verifierId": verifier.user.get("id", ""),
            "latitude": -3.39, "longitude": 104.83, "findings": "Kantor redaksi aktif"}})
        proposed = verifier.command("verification.Decide", {"caseId": case["id"],
                                                            "outcome": "OUTCOME_VERIFIED"})
        proposal = (proposed.get("pendingProposal") or {}).get("id")
        if not proposal:
            raise ValueError(f"case {case['id']}: Decide left no proposal to approve")
        approver.command("verification.ApproveDecision", {"caseId": case["id"],
                                                          "proposalId": proposal})
        record["verified"] = True

    # -- threads -----------------------------------------------------------------
    def _guard(self, fn, *args):
        try:
            fn(*args)
            return True
        except (Refused, Abandoned, ValueError, KeyError, StopIteration) as e:
            with self.rec.lock:
                self.rec.errors.append(f"{fn.__name__}: {type(e).__name__}: {e}")
            return False

    def partner_thread(self):
        while not self.stopping:
            with self.cv:
                while len(self.queue) >= self.backlog and not self.stopping:
                    self.cv.wait(0.5)
            if self.stopping:
                return
            if not self._guard(self.partner_flow):
                return

    def verifier_thread(self, username):
        verifier = approver = None
        while True:
            with self.cv:
                while not self.queue and not (self.stopping and self.partners_done()):
                    self.cv.wait(0.5)
                if not self.queue:
                    return
                partner, record = self.queue.pop(0)
                self.cv.notify_all()
            if verifier is None:
                try:
                    verifier = self.staff(username)
                    approver = self.staff("pimpinan")
                except (Refused, Abandoned) as e:
                    with self.rec.lock:
                        self.rec.errors.append(f"{username} login: {e}")
                    return
            if not self._guard(self.verify_company, verifier, approver, partner, record):
                return

    def partners_done(self):
        return not any(t.is_alive() for t in self.threads if t.name.startswith("partner"))

    def start(self):
        for i in range(self.n_partners):
            self.threads.append(threading.Thread(target=self.partner_thread,
                                                 name=f"partner{i}", daemon=True))
        for i in range(self.n_verifiers):
            name = "verifikator" if i % 2 == 0 else "verifikator2"
            self.threads.append(threading.Thread(target=self.verifier_thread, args=(name,),
                                                 name=f"verifier{i}", daemon=True))
        for t in self.threads:
            t.start()

    def stop(self, drain_s):
        """No new companies; what is under way is finished (commands retried
        until accepted) within drain_s. True when every thread finished."""
        self.stopping = True
        self.give_up_at = time.monotonic() + drain_s
        with self.cv:
            self.cv.notify_all()
        for t in self.threads:
            t.join(max(0.0, self.give_up_at - time.monotonic()) + 5)
        return not any(t.is_alive() for t in self.threads)
