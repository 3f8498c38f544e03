#!/usr/bin/env python3
"""What staff see of what they judge, the audit trail behind it, and a
partner's mistaken upload, against the whole stack (run through with_stack.sh).

  * every staff role reads a company whole (legal, tax, bank, contacts,
    outlets, people with NIK and UKW, documents) and its case; a partner
    reads only its own company and never a case's history;
  * a case's history names who opened, judged, visited, proposed and
    approved it, with the reasons; staff only;
  * the audit viewer (gateway.ListAudit, every service's trail merged) is the
    admin's and the head's only, filters by user, company, action and day,
    and pages through the same rows a single page holds, newest first;
  * names for user ids (gateway.LookupUsers), staff only;
  * a document uploaded by mistake is deleted by its uploader while the
    company is editable, audited, and the case forgets it; an expired
    document, an ownerless UKW certificate and a "PDF" that does not open
    are refused at upload.
"""

import base64
import datetime
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import seklik_api as api  # noqa: E402

BASE = os.environ.get("SEKLIK_GATEWAY_URL", "")
DEMO_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")
YEAR = api.fiscal_year()
STAFF = {"admin": "admin", "verifikator": "verifier", "kemitraan": "partnership",
         "humas": "pr", "keuangan": "finance", "pimpinan": "head"}


def staff(username):
    s = api.Session(BASE)
    s.login(username, DEMO_PASSWORD)
    return s


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def digits(n):
    """n random digits, not starting with 0 (a fresh NIK, NPWP or NIB)."""
    return str(uuid.uuid4().int)[:n].rjust(n, "1").replace("0", "1", 1)


def refused(test, status, fn, *args):
    with test.assertRaises(api.ApiError) as ctx:
        fn(*args)
    test.assertEqual(ctx.exception.status, status, str(ctx.exception))
    return ctx.exception


def document(doc_type, content=api.PDF, expires="", person=""):
    d = {"type": doc_type, "number": "DOC-1", "issuedOn": "2024-01-15", "fileName": "scan.pdf",
         "content": base64.b64encode(content).decode()}
    if expires:
        d["expiresOn"] = expires
    if person:
        d["personId"] = person
    return d


class Fixture:
    """Two partners: A onboarded through verification (its case full of
    decisions), B a draft of its own."""

    def __init__(self):
        self.admin, self.verifier, self.head = staff("admin"), staff("verifikator"), staff("pimpinan")
        api.publish_requirements(self.admin, YEAR)
        name = unique("PT Kabar Panel ")
        self.partner, self.company_id, self.outlet_id = api.onboard(
            BASE, self.admin, self.verifier, unique("mitrapanel"), name, digits(15), digits(13),
            (digits(16), digits(16)), fiscal_year=YEAR, approver=self.head)
        self.name = name
        self.other = api.Session(BASE)
        self.other.signup(unique("mitralain"), api.PARTNER_PASSWORD, "Mitra Lain")
        self.other_company = api.register_company(self.other, unique("PT Lain "), digits(15),
                                                  digits(13), digits(16), digits(16))["id"]


FIX = None


def setUpModule():
    global FIX
    FIX = Fixture()


class CompanyPanel(unittest.TestCase):
    def test_every_staff_role_reads_the_whole_company_and_its_case(self):
        for username, role in STAFF.items():
            with self.subTest(role=role):
                s = staff(username)
                c = s.call("registry.GetCompany", {"companyId": FIX.company_id})
                d = c["data"]
                self.assertEqual(d["legalName"], FIX.name)
                for field in ("npwp", "nib", "address", "deedNumber", "skKemenkumham"):
                    self.assertTrue(d.get(field), f"{role} does not see {field}")
                self.assertEqual(d["bankAccount"]["accountNumber"], "1234567890")
                self.assertEqual(d["kbli"], ["63122"])
                self.assertEqual(len(c["people"]), 2)
                self.assertTrue(all(len(p["data"]["nik"]) == 16 for p in c["people"]))
                self.assertIn("UKW_LEVEL_UTAMA", [p["data"].get("ukwLevel") for p in c["people"]])
                self.assertGreaterEqual(len(c["documents"]), len(api.REQUIRED_DOCS))
                case = s.call("verification.GetCase", {"companyId": FIX.company_id})
                self.assertEqual(case["state"], "CASE_STATE_VERIFIED")
                self.assertTrue(all("decision" in x for x in case["documents"]))
                doc = c["documents"][0]["id"]
                status, _, _ = s.request("GET", f"/api/v1/files/registry/documents/{doc}")
                self.assertEqual(status, 200, f"{role} cannot open a document")

    def test_a_partner_reads_its_own_company_only(self):
        FIX.partner.call("registry.GetCompany", {"companyId": FIX.company_id})
        refused(self, 403, FIX.other.call, "registry.GetCompany", {"companyId": FIX.company_id})


class CaseHistory(unittest.TestCase):
    def history(self, session):
        case = FIX.admin.call("verification.GetCase", {"companyId": FIX.company_id})
        return case, session.call("verification.GetCaseHistory", {"caseId": case["id"]})

    def test_the_history_names_who_did_what_and_when(self):
        case, h = self.history(staff("keuangan"))
        entries = h["entries"]
        actions = [e["action"] for e in entries]
        for a in ("case.open", "case.decide_document", "case.record_visit",
                  "case.propose_verified", "case.verify"):
            self.assertIn(a, actions)
        # oldest first, each with its author and time
        times = [int(e["atUnixUs"]) for e in entries]
        self.assertEqual(times, sorted(times))
        self.assertLess(actions.index("case.open"), actions.index("case.verify"))
        by = {e["action"]: e["userId"] for e in entries}
        self.assertEqual(by["case.decide_document"], FIX.verifier.user["id"])
        self.assertEqual(by["case.record_visit"], FIX.verifier.user["id"])
        self.assertEqual(by["case.propose_verified"], FIX.verifier.user["id"])
        self.assertEqual(by["case.verify"], FIX.head.user["id"])
        self.assertEqual(by["case.open"], FIX.partner.user["id"])
        self.assertTrue(all(e["companyId"] == FIX.company_id for e in entries))
        self.assertTrue(all(e["after"] for e in entries))

    def test_partners_never_read_a_history(self):
        case = FIX.admin.call("verification.GetCase", {"companyId": FIX.company_id})
        refused(self, 403, FIX.partner.call, "verification.GetCaseHistory", {"caseId": case["id"]})
        refused(self, 403, FIX.other.call, "verification.GetCaseHistory", {"caseId": case["id"]})


class AuditViewer(unittest.TestCase):
    def test_only_admin_and_head_read_the_trail(self):
        for username in ("admin", "pimpinan"):
            staff(username).call("gateway.ListAudit", {"pageSize": 5})
        for username in ("verifikator", "kemitraan", "humas", "keuangan"):
            with self.subTest(user=username):
                refused(self, 403, staff(username).call, "gateway.ListAudit", {})
        refused(self, 403, FIX.partner.call, "gateway.ListAudit",
                {"companyId": FIX.company_id})
        # no route reaches a service's own bus.ListAudit from outside
        status, _, _ = FIX.admin.request("POST", "/api/v1/bus.ListAudit", {},
                                         {"Idempotency-Key": str(uuid.uuid4())})
        self.assertEqual(status, 404)

    def test_a_company_filter_gathers_every_service_about_it(self):
        a = FIX.head.call("gateway.ListAudit", {"companyId": FIX.company_id, "pageSize": 200})
        self.assertEqual(a.get("unavailable", []), [])
        rows = a["entries"]
        self.assertTrue(rows)
        self.assertTrue(all(e["companyId"] == FIX.company_id for e in rows))
        services = {e["service"] for e in rows}
        self.assertTrue({"registry", "verification"} <= services, services)
        actions = {e["action"] for e in rows}
        self.assertTrue({"company.register", "company.submit", "document.upload",
                         "case.verify"} <= actions, actions)
        # before and after as the services wrote them
        reg = next(e for e in rows if e["action"] == "company.submit")
        self.assertIn('"status"', reg["after"])
        self.assertIn('"status"', reg["before"])

    def test_filters_by_user_action_and_day(self):
        vid = FIX.verifier.user["id"]
        a = FIX.admin.call("gateway.ListAudit", {"userId": vid, "action": "case.",
                                                 "pageSize": 200})
        self.assertTrue(a["entries"])
        self.assertTrue(all(e["userId"] == vid and e["action"].startswith("case.")
                            for e in a["entries"]))
        today = api.today_wib()
        self.assertTrue(FIX.admin.call("gateway.ListAudit", {
            "fromDate": today, "toDate": today, "companyId": FIX.company_id})["entries"])
        self.assertFalse(FIX.admin.call("gateway.ListAudit", {
            "fromDate": "2001-01-01", "toDate": "2001-01-31"}).get("entries"))
        e = refused(self, 400, FIX.admin.call, "gateway.ListAudit", {"fromDate": "2026-02-30"})
        self.assertIn("fromDate", e.fields())
        self.assertEqual(e.codes()["fromDate"], "date.invalid")  # the JSON carries the code
        e = refused(self, 400, FIX.admin.call, "gateway.ListAudit", {"pageToken": "junk"})
        self.assertIn("pageToken", e.fields())
        self.assertEqual(e.codes()["pageToken"], "page_token.invalid")

    def test_pages_walk_the_same_rows_as_one_page_newest_first(self):
        q = {"companyId": FIX.company_id}
        whole = FIX.admin.call("gateway.ListAudit", dict(q, pageSize=200))["entries"]
        self.assertGreater(len(whole), 6)
        walked, token = [], ""
        for _ in range(100):
            page = FIX.admin.call("gateway.ListAudit", dict(q, pageSize=3, pageToken=token))
            self.assertLessEqual(len(page["entries"]), 3)
            walked += page["entries"]
            token = page.get("nextPageToken", "")
            if not token:
                break
        key = lambda e: (e["service"], e["id"])  # noqa: E731
        self.assertEqual([key(e) for e in walked], [key(e) for e in whole])
        times = [int(e["atUnixUs"]) for e in walked]
        self.assertEqual(times, sorted(times, reverse=True))


class Names(unittest.TestCase):
    def test_staff_get_names_for_ids(self):
        ids = [FIX.verifier.user["id"], FIX.head.user["id"], "system", str(uuid.uuid4())]
        got = staff("keuangan").call("gateway.LookupUsers", {"userIds": ids})["users"]
        names = {u["id"]: u["displayName"] for u in got}
        self.assertEqual(names, {FIX.verifier.user["id"]: "Verifikator Satu",
                                 FIX.head.user["id"]: "Kepala Dinas"})
        found = FIX.admin.call("gateway.LookupUsers", {"query": "verifikator"})["users"]
        self.assertIn("verifikator2", [u["username"] for u in found])

    def test_partners_get_no_names(self):
        refused(self, 403, FIX.partner.call, "gateway.LookupUsers",
                {"userIds": [FIX.verifier.user["id"]]})


class Uploads(unittest.TestCase):
    def upload(self, session, company, doc):
        return session.call("registry.UploadDocument", {"companyId": company, "document": doc})

    def test_a_mistaken_upload_is_deleted_by_its_uploader_while_editable(self):
        cid = FIX.other_company
        first = self.upload(FIX.other, cid, document("DOCUMENT_TYPE_NPWP"))
        wrong = self.upload(FIX.other, cid, document("DOCUMENT_TYPE_NPWP"))
        self.assertEqual(wrong["version"], first["version"] + 1)
        # another partner, and staff who did not upload it, may not
        refused(self, 403, FIX.partner.call, "registry.DeleteDocument",
                {"companyId": cid, "documentId": wrong["id"]})
        refused(self, 403, FIX.admin.call, "registry.DeleteDocument",
                {"companyId": cid, "documentId": wrong["id"]})
        after = FIX.other.call("registry.DeleteDocument", {"companyId": cid,
                                                            "documentId": wrong["id"]})
        npwp = [d for d in after["documents"] if d["type"] == "DOCUMENT_TYPE_NPWP"]
        self.assertEqual([d["id"] for d in npwp], [first["id"]])
        status, _, _ = FIX.other.request("GET", f"/api/v1/files/registry/documents/{wrong['id']}")
        self.assertEqual(status, 404)
        e = refused(self, 400, FIX.other.call, "registry.DeleteDocument",
                    {"companyId": cid, "documentId": wrong["id"]})
        self.assertEqual(e.code, "FAILED_PRECONDITION")
        trail = FIX.admin.call("gateway.ListAudit", {"companyId": cid, "action": "document.delete"})
        self.assertEqual([e["entityId"] for e in trail["entries"]], [wrong["id"]])
        self.assertEqual(trail["entries"][0]["userId"], FIX.other.user["id"])

    def test_a_decided_company_keeps_its_documents(self):
        docs = FIX.partner.call("registry.GetCompany", {"companyId": FIX.company_id})["documents"]
        mine = [d for d in docs if d["uploadedBy"] == FIX.partner.user["id"]]
        e = refused(self, 400, FIX.partner.call, "registry.DeleteDocument",
                    {"companyId": FIX.company_id, "documentId": mine[0]["id"]})
        self.assertEqual(e.code, "FAILED_PRECONDITION")
        self.assertIn("document.not_editable", e.body.get("message", ""))

    def test_a_deleted_version_leaves_the_case_and_the_older_one_is_judged_again(self):
        s = api.Session(BASE)
        s.signup(unique("mitrahapus"), api.PARTNER_PASSWORD, "Mitra Hapus")
        cid = api.register_company(s, unique("PT Hapus "), digits(15), digits(13), digits(16),
                                   digits(16))["id"]
        for d in api.REQUIRED_DOCS:
            api.upload(s, cid, d)
        s.call("registry.Submit", {"companyId": cid, "fiscalYear": YEAR})
        case = FIX.verifier.wait("verification.GetCase", {"companyId": cid},
                                 lambda c: c.get("state") == "CASE_STATE_IN_REVIEW")
        # two documents sent back: the company stays editable while one is
        rejected = {}
        for t in ("DOCUMENT_TYPE_NIB", "DOCUMENT_TYPE_NPWP"):
            doc = next(d for d in case["documents"] if d["type"] == t)
            rejected[t] = doc["documentId"]
            FIX.verifier.call("verification.DecideDocument", {
                "caseId": case["id"], "documentId": doc["documentId"],
                "decision": "DECISION_REJECTED", "reason": "Tidak terbaca"})
        s.wait("registry.GetCompany", {"companyId": cid},
               lambda c: c.get("status") == "COMPANY_STATUS_NEEDS_REVISION")
        again = self.upload(s, cid, document("DOCUMENT_TYPE_NIB"))
        FIX.verifier.wait("verification.GetCase", {"companyId": cid},
                          lambda c: any(d["documentId"] == again["id"] for d in c["documents"]))
        self.assertEqual(s.call("registry.GetCompany", {"companyId": cid})["status"],
                         "COMPANY_STATUS_NEEDS_REVISION")
        s.call("registry.DeleteDocument", {"companyId": cid, "documentId": again["id"]})
        back = FIX.verifier.wait("verification.GetCase", {"companyId": cid},
                                 lambda c: any(d["documentId"] == rejected["DOCUMENT_TYPE_NIB"]
                                               for d in c["documents"]))
        slot = [d for d in back["documents"] if d["type"] == "DOCUMENT_TYPE_NIB"]
        self.assertEqual(len(slot), 1)
        self.assertEqual(slot[0].get("decision", "DECISION_PENDING"), "DECISION_PENDING")
        h = FIX.verifier.call("verification.GetCaseHistory", {"caseId": case["id"]})
        self.assertIn("case.document_deleted", [e["action"] for e in h["entries"]])

    def test_what_cannot_be_judged_is_refused_at_upload(self):
        cid = FIX.other_company
        yesterday = (datetime.datetime.now(api.WIB).date() - datetime.timedelta(days=1)).isoformat()
        e = refused(self, 400, self.upload, FIX.other, cid,
                    document("DOCUMENT_TYPE_NIB", expires=yesterday))
        self.assertIn("document.expiresOn", e.fields())
        self.assertEqual(e.codes()["document.expiresOn"], "document.expired")
        today = api.today_wib()
        self.upload(FIX.other, cid, document("DOCUMENT_TYPE_NIB", expires=today))
        e = refused(self, 400, self.upload, FIX.other, cid, document("DOCUMENT_TYPE_UKW"))
        self.assertIn("document.personId", e.fields())
        e = refused(self, 400, self.upload, FIX.other, cid,
                    document("DOCUMENT_TYPE_AKTA", content=b"%PDF-1.7\n" + b"\x00junk" * 200))
        self.assertIn("document.content", e.fields())


if __name__ == "__main__":
    if not BASE:
        print("SEKLIK_GATEWAY_URL is not set: run through tests/support/with_stack.sh")
        sys.exit(2)
    unittest.main(verbosity=2)
