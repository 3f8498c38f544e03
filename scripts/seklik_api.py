"""A small client of the gateway's HTTP API (standard library only).

Used by the security tests, the gateway benchmark and scripts/demo-data: the
same calls a browser makes (cookie session, CSRF header, idempotency key), so
what they prove holds for the web UI too.
"""

import base64
import datetime
import http.cookiejar
import json
import time
import urllib.error
import urllib.request
import uuid


class ApiError(Exception):
    """A non-2xx answer: HTTP status, the JSON error body and its parts."""

    def __init__(self, status, body, headers=None):
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        self.headers = headers or {}
        self.code = self.body.get("code", "")
        self.violations = self.body.get("violations", [])
        super().__init__(f"HTTP {status} {self.code}: {self.body.get('message', body)}")

    def fields(self):
        return [v.get("field", "") for v in self.violations]

    def codes(self):
        """{field: code} of the violations (the stable codes the UI translates)."""
        return {v.get("field", ""): v.get("code", "") for v in self.violations}


class Session:
    """One browser-like client: its own cookie jar and CSRF token."""

    def __init__(self, base_url, timeout=30):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""
        self.user = {}

    # -- raw HTTP --------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, raw=False, csrf=True):
        """Send and return (status, headers, bytes). Never raises on HTTP status."""
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            if isinstance(body, (bytes, bytearray)):
                data = bytes(body)
            else:
                data = json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
        if csrf and self.csrf and method != "GET":
            hdrs.setdefault("X-CSRF-Token", self.csrf)
        req = urllib.request.Request(self.base + path, data=data, headers=hdrs, method=method)
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def _json(self, status, headers, payload):
        try:
            doc = json.loads(payload) if payload else {}
        except ValueError:
            doc = {"message": payload[:200].decode(errors="replace")}
        if status >= 400:
            raise ApiError(status, doc, headers)
        return doc

    # -- auth ------------------------------------------------------------------
    def login(self, username, password):
        doc = self._json(*self.request("POST", "/api/v1/auth/login",
                                       {"username": username, "password": password}, csrf=False))
        self.csrf = doc.get("csrfToken", "")
        self.user = doc.get("user", {})
        return doc

    def signup(self, username, password, display_name):
        doc = self._json(*self.request("POST", "/api/v1/auth/signup",
                                       {"username": username, "password": password,
                                        "displayName": display_name}, csrf=False))
        self.csrf = doc.get("csrfToken", "")
        self.user = doc.get("user", {})
        return doc

    def me(self):
        doc = self._json(*self.request("GET", "/api/v1/auth/me"))
        self.csrf = doc.get("csrfToken", self.csrf)
        self.user = doc.get("user", {})
        return doc

    def logout(self):
        return self._json(*self.request("POST", "/api/v1/auth/logout", {}))

    # -- the generic API ---------------------------------------------------------
    def call(self, method, body=None, idempotency_key=None, headers=None):
        """POST /api/v1/<service>.<Method> with a JSON body; the decoded answer."""
        hdrs = dict(headers or {})
        hdrs["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        return self._json(*self.request("POST", "/api/v1/" + method, body or {}, hdrs))

    def wait(self, method, body, until, timeout_s=20.0):
        """Repeat a query until until(answer) is true (events travel asynchronously)."""
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.call(method, body)
                if until(last):
                    return last
            except ApiError as e:
                last = e
            time.sleep(0.1)
        raise AssertionError(f"{method} never reached the expected state; last answer: {last}")


PARTNER_PASSWORD = "Rahasia-Mitra-2026"
WIB = datetime.timezone(datetime.timedelta(hours=7))


def today_wib():
    """Today in Western Indonesia Time, "YYYY-MM-DD": verification refuses a
    factual visit dated after its own today (WIB), so a fixed date would only
    work once the calendar has reached it."""
    return datetime.datetime.now(WIB).date().isoformat()


# A PDF with one page: the services open what they store (common/sk_pdf.h).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# What a PT submits: the year's four required documents and its SK Kemenkumham.
REQUIRED_DOCS = ["DOCUMENT_TYPE_AKTA", "DOCUMENT_TYPE_SK_KEMENKUMHAM", "DOCUMENT_TYPE_NIB",
                 "DOCUMENT_TYPE_NPWP", "DOCUMENT_TYPE_DOMISILI"]


def fiscal_year(now=None):
    """The fiscal year being prepared, as the UI picks it: DOMAIN.md's 2027
    until the calendar passes it, then the current year until October and
    the next from then on (registration for a year closes within it)."""
    now = now or datetime.datetime.now(WIB)
    return max(2027, now.year + (1 if now.month >= 10 else 0))


def open_year(admin, fiscal_year, cv_allowed=False):
    """The admin opens the year (registration from the year before through
    its end) and publishes the rule set and price standard scoring drafted
    from it. Idempotent."""
    admin.call("verification.OpenYear", {
        "fiscalYear": fiscal_year, "registrationOpensOn": f"{fiscal_year - 1}-01-01",
        "registrationClosesOn": f"{fiscal_year}-12-31", "cvAllowed": cv_allowed})
    for what in ("RuleSet", "PriceStandard"):
        try:
            admin.call(f"scoring.Get{what}", {"fiscalYear": fiscal_year, "version": 0})
            continue  # published already
        except ApiError as e:
            if e.status != 404:
                raise
        admin.wait(f"scoring.Get{what}", {"fiscalYear": fiscal_year, "version": -1},
                   lambda d: d.get("state") == "SET_STATE_DRAFT")
        admin.call(f"scoring.Publish{what}", {"fiscalYear": fiscal_year})
    # The registry applies the window from the same event: Submit waits for it.
    admin.wait("registry.GetYear", {"fiscalYear": fiscal_year},
               lambda y: y.get("registrationClosesOn") == f"{fiscal_year}-12-31")


def publish_requirements(admin, fiscal_year, outlet_types=("OUTLET_TYPE_SIBER",)):
    """Open the year (open_year) and publish the required documents
    (REQUIRED_DOCS) as the requirement set of each outlet type."""
    open_year(admin, fiscal_year)
    for t in outlet_types:
        admin.call("verification.PublishRequirementSet", {
            "fiscalYear": fiscal_year, "outletType": t,
            "requirements": [{"type": d, "required": True} for d in REQUIRED_DOCS]})


def company_input(name, npwp, nib):
    return {
        "legalName": name, "legalForm": "LEGAL_FORM_PT", "deedNumber": "12",
        "deedDate": "2015-03-02", "skKemenkumham": "AHU-0012345.AH.01.01.TAHUN 2015",
        "nib": nib, "kbli": ["63122"], "npwp": npwp,
        "address": "Jl. Letnan Mukhtar Saleh No. 1, Kayuagung",
        "domicileLetterNumber": "470/12/KYG/2026",
        "bankAccount": {"bankName": "Bank Sumsel Babel", "accountNumber": "1234567890",
                        "holderName": name},
        "establishedOn": "2015-03-02", "dewanPersStatus": "DEWAN_PERS_ADMINISTRATIF"}


def register_company(partner, name, npwp, nib, nik_editor, nik_journalist):
    """As a partner without a company: register one with an online outlet and
    two people; the gateway binds the account to it. Returns the Company."""
    company = partner.call("registry.RegisterCompany", {
        "company": company_input(name, npwp, nib),
        "outlets": [{"type": "OUTLET_TYPE_SIBER", "scale": "OUTLET_SCALE_REGIONAL", "name": name,
                     "url": "https://berita.example.id", "monthlyVisitors": "250000"}],
        "people": [
            {"role": "PERSON_ROLE_CHIEF_EDITOR", "nik": nik_editor, "name": "Pemimpin Redaksi",
             "ukwLevel": "UKW_LEVEL_UTAMA", "ukwCertificateNumber": "UKW-001",
             "ukwCertificateExpiry": "2029-01-01"},
            {"role": "PERSON_ROLE_JOURNALIST", "nik": nik_journalist, "name": "Wartawan",
             "ukwLevel": "UKW_LEVEL_MUDA", "ukwCertificateNumber": "UKW-002",
             "ukwCertificateExpiry": "2028-06-30"}]})
    partner.me()  # the session now carries the company
    return company


def upload(partner, company_id, doc_type, content=PDF, person_id=""):
    document = {"type": doc_type, "number": "DOC-1", "issuedOn": "2024-01-15",
                "fileName": "scan.pdf", "content": base64.b64encode(content).decode()}
    if person_id:
        document["personId"] = person_id
    return partner.call("registry.UploadDocument", {"companyId": company_id, "document": document})


def approve(approver, case):
    """The second person of a decision: approve the case's pending proposal
    (Decide and Suspend only propose). Returns the case as it now is."""
    proposal = (case.get("pendingProposal") or {}).get("id")
    if not proposal:
        raise AssertionError(f"case {case.get('id')} has no pending proposal to approve")
    return approver.call("verification.ApproveDecision", {"caseId": case["id"], "proposalId": proposal})


def decide(verifier, approver, case, outcome="OUTCOME_VERIFIED", reason=""):
    """Four-eyes: `verifier` proposes the outcome, `approver` (another
    verifier or the head) makes it the case's. Returns the decided case."""
    proposed = verifier.call("verification.Decide", {"caseId": case["id"], "outcome": outcome,
                                                     "reason": reason})
    return approve(approver, proposed)


def onboard(base_url, admin, verifier, username, name, npwp, nib, niks, fiscal_year=2027,
            approver=None):
    """The first half of the golden path through the API: the year opened,
    sign up, register, upload (the Dewan Pers certificate too: points come
    from what documents prove), submit, accept everything, visit, verify (the
    verifier proposes, `approver` approves: the admin when none is given).
    Returns (partner session, company id, outlet id) once scoring has scored
    the outlet."""
    open_year(admin, fiscal_year)
    partner = Session(base_url)
    partner.signup(username, PARTNER_PASSWORD, name)
    company = register_company(partner, name, npwp, nib, niks[0], niks[1])
    cid = company["id"]
    for d in REQUIRED_DOCS + ["DOCUMENT_TYPE_DEWAN_PERS"]:
        upload(partner, cid, d)
    partner.call("registry.Submit", {"companyId": cid, "fiscalYear": fiscal_year})
    case = verifier.wait("verification.GetCase", {"companyId": cid},
                         lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
    for doc in case.get("documents", []):
        verifier.call("verification.DecideDocument", {
            "caseId": case["id"], "documentId": doc["documentId"], "decision": "DECISION_ACCEPTED"})
    verifier.wait("verification.GetCase", {"companyId": cid},
                  lambda c: c.get("state") == "CASE_STATE_VISIT_PENDING")
    verifier.call("verification.RecordVisit", {"caseId": case["id"], "visit": {
        "visitedOn": today_wib(), "verifierId": verifier.user.get("id", ""),
        "latitude": -3.3915, "longitude": 104.8286, "findings": "Kantor redaksi aktif"}})
    decide(verifier, approver or admin, case)
    full = partner.call("registry.GetCompany", {"companyId": cid})
    outlet = full["outlets"][0]["id"]
    partner.wait("scoring.GetScore", {"outletId": outlet, "fiscalYear": fiscal_year},
                 lambda s: s.get("tier") not in (None, "", "TIER_NONE"))
    return partner, cid, outlet
