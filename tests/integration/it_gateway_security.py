#!/usr/bin/env python3
"""Security of the gateway, against the whole stack (run through with_stack.sh).

  * a state-changing request without the CSRF token is refused and writes nothing;
  * partner A cannot read or change company B through ANY endpoint: every
    method in the OpenAPI document is called with B's ids, and B's data never
    comes back and B never changes;
  * wrong passwords are throttled (then even the right one is refused);
  * a read-only role cannot call a mutating method of any service;
  * no session, a logged-out session, oversized and malformed bodies, headers.
"""

import http.client
import json
import os
import sys
import unittest
import uuid
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import seklik_api as api  # noqa: E402

BASE = os.environ.get("SEKLIK_GATEWAY_URL", "")
DEMO_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")


def staff(username):
    s = api.Session(BASE)
    s.login(username, DEMO_PASSWORD)
    return s


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def login_from(source, username, password):
    """POST /auth/login from the loopback address `source` (127.0.0.x needs no
    setup on Linux): the HTTP status."""
    url = urlsplit(BASE)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/auth/login",
                     json.dumps({"username": username, "password": password}),
                     {"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


def fill_body(schema, schemas, ids, depth=0):
    """A request body for `schema` with the id-like fields set from `ids`
    (other *Id strings get ids["companyId"]) and fiscalYear 2027."""
    if depth > 3:
        return {}
    if "$ref" in schema:
        schema = schemas[schema["$ref"].split("/")[-1]]
    body = {}
    for name, prop in schema.get("properties", {}).items():
        if name in ids:
            body[name] = ids[name]
        elif name.endswith("Id") and prop.get("type") == "string":
            body[name] = ids["companyId"]
        elif "$ref" in prop and "enum" not in schemas.get(prop["$ref"].split("/")[-1], {}):
            body[name] = fill_body(prop, schemas, ids, depth + 1)
        elif name == "fiscalYear":
            body[name] = 2027
    return body


def api_methods(spec):
    """(method, request schema) for every generated API method in the OpenAPI document."""
    for path, item in spec["paths"].items():
        method = path[len("/api/v1/"):]
        if not path.startswith("/api/v1/") or "post" not in item or "." not in method:
            continue
        yield method, (item["post"].get("requestBody", {}).get("content", {})
                       .get("application/json", {}).get("schema", {}))


class Fixture:
    """Two partner companies, A and B, each with a document."""

    done = False

    @classmethod
    def build(cls):
        if cls.done:
            return
        cls.a = api.Session(BASE)
        cls.a.signup(unique("mitraa"), "Rahasia-Mitra-2026", "Mitra A")
        ca = api.register_company(cls.a, "PT Kabar Alpha", "012345678901234", "1234567890123",
                                  "1601010101010001", "1601010101010002")
        cls.b = api.Session(BASE)
        cls.b.signup(unique("mitrab"), "Rahasia-Mitra-2026", "Mitra B")
        cb = api.register_company(cls.b, "PT Warta Bravo Rahasia", "098765432109876",
                                  "9876543210987", "1601010101010003", "1601010101010004")
        cls.a_company, cls.b_company = ca["id"], cb["id"]
        cls.a_outlet, cls.b_outlet = ca["outlets"][0]["id"], cb["outlets"][0]["id"]
        cls.b_doc = api.upload(cls.b, cls.b_company, "DOCUMENT_TYPE_NPWP")["id"]
        cls.b_version = cls.b.call("registry.GetCompany", {"companyId": cls.b_company})["version"]
        cls.done = True


class CsrfTest(unittest.TestCase):
    def test_missing_or_wrong_csrf_is_refused_and_writes_nothing(self):
        s = api.Session(BASE)
        s.signup(unique("csrf"), "Rahasia-Mitra-2026", "Mitra CSRF")
        body = {"company": api.company_input("PT Tanpa Token", "011111111111111", "1111111111111")}
        for token in (None, "", "not-the-token"):
            hdrs = {"Idempotency-Key": str(uuid.uuid4())}
            if token is not None:
                hdrs["X-CSRF-Token"] = token
            saved, s.csrf = s.csrf, ""
            status, _, payload = s.request("POST", "/api/v1/registry.RegisterCompany", body, hdrs)
            s.csrf = saved
            self.assertEqual(status, 403, payload)
            err = json.loads(payload)
            self.assertEqual(err["code"], "PERMISSION_DENIED")
            self.assertIn("X-CSRF-Token", [v["field"] for v in err.get("violations", [])])
        # Nothing was registered: the account still has no company.
        self.assertFalse(s.me()["user"].get("companyId"))
        # Logout is state-changing too.
        saved, s.csrf = s.csrf, ""
        status, _, _ = s.request("POST", "/api/v1/auth/logout", {})
        s.csrf = saved
        self.assertEqual(status, 403)
        self.assertTrue(s.me()["user"]["id"])


class PartnerWallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Fixture.build()

    def fill(self, schema, schemas):
        return fill_body(schema, schemas, {"companyId": Fixture.b_company,
                                           "outletId": Fixture.b_outlet,
                                           "documentId": Fixture.b_doc, "id": Fixture.b_company})

    def test_no_endpoint_reveals_or_changes_company_b(self):
        spec = json.loads(api.Session(BASE).request("GET", "/api/v1/openapi.json")[2])
        schemas = spec.get("components", {}).get("schemas", {})
        secret_strings = ["PT Warta Bravo Rahasia", "098765432109876", "9876543210987",
                          "1601010101010003"]
        called = 0
        for path, item in spec["paths"].items():
            if not path.startswith("/api/v1/") or "post" not in item:
                continue
            method = path[len("/api/v1/"):]
            if method.startswith("auth/") or "." not in method:
                continue
            op = item["post"]
            req_schema = (op.get("requestBody", {}).get("content", {})
                          .get("application/json", {}).get("schema", {}))
            body = self.fill(req_schema, schemas)
            status, _, payload = Fixture.a.request(
                "POST", path, body, {"Idempotency-Key": str(uuid.uuid4())})
            called += 1
            text = payload.decode(errors="replace")
            for s in secret_strings:
                self.assertNotIn(s, text, f"{method} answered {status} with company B's data")
        self.assertGreater(called, 20, "the OpenAPI document lists too few methods")
        # The file route and the direct reads.
        status, _, payload = Fixture.a.request(
            "GET", f"/api/v1/files/registry/documents/{Fixture.b_doc}")
        self.assertIn(status, (403, 404), payload[:200])
        for method, body in [("registry.GetCompany", {"companyId": Fixture.b_company}),
                             ("registry.Update", {"companyId": Fixture.b_company,
                                                  "company": api.company_input(
                                                      "PT Dibajak", "098765432109876",
                                                      "9876543210987")}),
                             ("registry.UploadDocument", {
                                 "companyId": Fixture.b_company,
                                 "document": {"type": "DOCUMENT_TYPE_AKTA", "fileName": "x.pdf",
                                              "content": "JVBERi0xLjQK"}})]:
            with self.assertRaises(api.ApiError, msg=method) as cm:
                Fixture.a.call(method, body)
            self.assertEqual(cm.exception.status, 403, f"{method}: {cm.exception}")
        # B is exactly as it was.
        after = Fixture.b.call("registry.GetCompany", {"companyId": Fixture.b_company})
        self.assertEqual(after["version"], Fixture.b_version)
        self.assertEqual(after["data"]["legalName"], "PT Warta Bravo Rahasia")


class ThrottleTest(unittest.TestCase):
    def test_wrong_passwords_are_throttled(self):
        name = unique("korban")
        s = api.Session(BASE)
        s.signup(name, "Rahasia-Benar-2026", "Mitra Throttle")
        statuses = []
        for _ in range(5):
            with self.assertRaises(api.ApiError) as cm:
                api.Session(BASE).login(name, "salah-sekali-12")
            statuses.append(cm.exception.status)
        self.assertEqual(statuses, [401] * 5)
        with self.assertRaises(api.ApiError) as cm:
            api.Session(BASE).login(name, "Rahasia-Benar-2026")
        self.assertEqual(cm.exception.status, 429)
        self.assertEqual(cm.exception.code, "RESOURCE_EXHAUSTED")
        retry = int(cm.exception.headers.get("Retry-After", "0"))
        self.assertGreater(retry, 0)
        # An unknown username answers like a wrong password (no account probing).
        with self.assertRaises(api.ApiError) as cm:
            api.Session(BASE).login(unique("tidakada"), "salah-sekali-12")
        self.assertEqual(cm.exception.status, 401)

    def test_a_stranger_cannot_lock_the_owner_out(self):
        """The limit that stops a guesser is per username and address: the
        owner, at the address they signed up from, still gets in."""
        name = unique("pemilik")
        api.Session(BASE).signup(name, "Rahasia-Pemilik-2026", "Mitra Pemilik")
        self.assertEqual([login_from("127.0.0.2", name, "salah-sekali-12") for _ in range(5)],
                         [401] * 5)
        self.assertEqual(login_from("127.0.0.2", name, "Rahasia-Pemilik-2026"), 429)
        self.assertEqual(login_from("127.0.0.1", name, "Rahasia-Pemilik-2026"), 200)


class PasswordChangeTest(unittest.TestCase):
    def test_changing_the_password_ends_the_other_sessions(self):
        name = unique("gantisandi")
        first = api.Session(BASE)
        first.signup(name, "Rahasia-Lama-2026", "Mitra Ganti Sandi")
        second = api.Session(BASE)
        second.login(name, "Rahasia-Lama-2026")
        with self.assertRaises(api.ApiError) as cm:
            first.call("gateway.ChangeOwnPassword",
                       {"currentPassword": "salah-sekali-12", "newPassword": "Rahasia-Baru-2026"})
        self.assertEqual(cm.exception.status, 400)
        self.assertIn("currentPassword", cm.exception.fields())
        first.call("gateway.ChangeOwnPassword",
                   {"currentPassword": "Rahasia-Lama-2026", "newPassword": "Rahasia-Baru-2026"})
        self.assertEqual(first.me()["user"]["username"], name)  # the browser that changed it
        status, _, _ = second.request("GET", "/api/v1/auth/me")
        self.assertEqual(status, 401)  # everyone else is out
        with self.assertRaises(api.ApiError) as cm:
            api.Session(BASE).login(name, "Rahasia-Lama-2026")
        self.assertEqual(cm.exception.status, 401)
        api.Session(BASE).login(name, "Rahasia-Baru-2026")


class RoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Fixture.build()

    def test_read_only_roles_cannot_mutate(self):
        mutations = [
            ("registry.Update", {"companyId": Fixture.a_company,
                                 "company": api.company_input("PT X", "012345678901234",
                                                              "1234567890123")}),
            ("registry.Submit", {"companyId": Fixture.a_company, "fiscalYear": 2027}),
            ("verification.PublishRequirementSet", {"fiscalYear": 2030,
                                                    "outletType": "OUTLET_TYPE_SIBER"}),
            ("verification.DecideDocument", {"caseId": Fixture.a_company,
                                             "documentId": Fixture.b_doc,
                                             "decision": "DECISION_ACCEPTED"}),
            ("scoring.PublishRuleSet", {"fiscalYear": 2030}),
            ("gateway.CreateUser", {"username": unique("penyusup"), "roles": ["admin"],
                                    "password": "Rahasia-Admin-2026"}),
        ]
        for user in ("pimpinan", "keuangan", "humas"):
            s = staff(user)
            for method, body in mutations:
                with self.assertRaises(api.ApiError, msg=f"{user} {method}") as cm:
                    s.call(method, body)
                self.assertEqual(cm.exception.status, 403, f"{user} {method}: {cm.exception}")
        # The admin may create users: the refusal above was the role, not the request.
        admin = staff("admin")
        created = admin.call("gateway.CreateUser", {
            "username": unique("staf"), "displayName": "Staf Baru", "roles": ["verifier"],
            "password": "Rahasia-Staf-2026"})
        self.assertEqual(created["roles"], ["verifier"])


    def test_viewer_roles_cannot_call_any_mutating_method(self):
        """Every command of the implemented services, for the roles that only read there."""
        spec = json.loads(api.Session(BASE).request("GET", "/api/v1/openapi.json")[2])
        schemas = spec.get("components", {}).get("schemas", {})
        verbs = ("Publish", "Save", "Register", "Update", "Add", "Upload", "Submit", "Decide",
                 "Record", "Suspend", "Announce", "Object", "Answer", "Finalize", "Create",
                 "Reset", "Check", "Remove", "Delete", "Set")
        ids = {"companyId": Fixture.a_company, "outletId": Fixture.a_outlet,
               "documentId": Fixture.b_doc, "id": Fixture.a_company}
        tried = []
        for user in ("humas", "keuangan"):
            s = staff(user)
            for method, schema in api_methods(spec):
                service, name = method.split(".", 1)
                if service not in ("registry", "verification", "scoring", "gateway"):
                    continue  # the others answer UNIMPLEMENTED to everyone for now
                # A user's own password and profile are every user's to change.
                if not name.startswith(verbs) or method in ("gateway.ChangeOwnPassword",
                                                            "gateway.UpdateProfile"):
                    continue
                with self.assertRaises(api.ApiError, msg=f"{user} {method}") as cm:
                    s.call(method, fill_body(schema, schemas, ids))
                self.assertEqual(cm.exception.status, 403, f"{user} {method}: {cm.exception}")
                tried.append(method)
        self.assertGreater(len(set(tried)), 15, sorted(set(tried)))
        # Company A did not change through any of them.
        self.assertEqual(Fixture.a.call("registry.GetCompany", {"companyId": Fixture.a_company})
                         ["data"]["legalName"], "PT Kabar Alpha")


class SessionAndInputTest(unittest.TestCase):
    def test_no_session_and_logged_out_session_are_refused(self):
        anon = api.Session(BASE)
        status, _, payload = anon.request("POST", "/api/v1/registry.ListCompanies", {})
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(payload)["code"], "UNAUTHENTICATED")
        s = staff("verifikator")
        s.call("registry.ListCompanies", {})
        cookies = list(s.jar)
        s.logout()
        replay = api.Session(BASE)
        for c in cookies:
            replay.jar.set_cookie(c)
        replay.csrf = s.csrf
        status, _, _ = replay.request("POST", "/api/v1/registry.ListCompanies", {})
        self.assertEqual(status, 401)

    def test_protobuf_bodies_are_accepted_and_answered_in_kind(self):
        Fixture.build()
        # GetCompanyRequest{company_id = 1}: tag 0x0a, length, the id's bytes.
        cid = Fixture.a_company.encode()
        body = bytes([0x0A, len(cid)]) + cid
        pb = {"Content-Type": "application/x-protobuf", "Accept": "application/x-protobuf"}
        status, headers, payload = Fixture.a.request("POST", "/api/v1/registry.GetCompany", body, pb)
        self.assertEqual(status, 200, payload[:200])
        self.assertEqual(headers.get("Content-Type"), "application/x-protobuf")
        self.assertIn(cid, payload)
        self.assertIn(b"PT Kabar Alpha", payload)
        self.assertNotIn(b"{", payload[:1])
        # The answer's form follows Accept: the same protobuf request, answered in JSON.
        status, headers, payload = Fixture.a.request(
            "POST", "/api/v1/registry.GetCompany", body, {"Content-Type": "application/x-protobuf"})
        self.assertEqual(status, 200, payload[:200])
        self.assertTrue(headers.get("Content-Type", "").startswith("application/json"))
        self.assertEqual(json.loads(payload)["data"]["legalName"], "PT Kabar Alpha")
        # Bytes that are not a GetCompanyRequest are refused, not guessed at.
        status, _, payload = Fixture.a.request(
            "POST", "/api/v1/registry.GetCompany", b"\xff\xff\xff", pb)
        self.assertEqual(status, 400, payload[:200])
        # Partner A still cannot read B in protobuf either.
        bid = Fixture.b_company.encode()
        status, _, payload = Fixture.a.request(
            "POST", "/api/v1/registry.GetCompany", bytes([0x0A, len(bid)]) + bid, pb)
        self.assertEqual(status, 403)
        self.assertNotIn(b"Bravo", payload)

    def test_bad_bodies_name_the_field(self):
        s = staff("verifikator")
        with self.assertRaises(api.ApiError) as cm:
            s.call("registry.ListCompanies", {"pageSize": "banyak"})
        self.assertEqual(cm.exception.status, 400)
        self.assertIn("pageSize", cm.exception.fields())
        status, _, payload = s.request("POST", "/api/v1/registry.ListCompanies", b"{not json",
                                       {"Content-Type": "application/json"})
        self.assertEqual(status, 400, payload)
        status, _, _ = s.request("POST", "/api/v1/registry.NoSuchMethod", {})
        self.assertEqual(status, 404)
        big = b'{"query":"' + b"a" * (17 * 1024 * 1024) + b'"}'
        try:
            status, _, _ = s.request("POST", "/api/v1/registry.ListCompanies", big,
                                     {"Content-Type": "application/json"})
        except (ConnectionError, OSError):
            status = 413  # the server may close before reading all of it
        self.assertEqual(status, 413)

    def test_cookie_and_security_headers(self):
        s = api.Session(BASE)
        status, headers, _ = s.request("POST", "/api/v1/auth/login",
                                       {"username": "admin", "password": DEMO_PASSWORD},
                                       csrf=False)
        self.assertEqual(status, 200)
        cookie = headers.get("Set-Cookie", "")
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attr, cookie)
        status, headers, _ = s.request("GET", "/")
        self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff")
        self.assertEqual(headers.get("X-Frame-Options"), "DENY")
        self.assertIn("default-src 'self'", headers.get("Content-Security-Policy", ""))


if __name__ == "__main__":
    if not BASE:
        sys.exit("SEKLIK_GATEWAY_URL is not set: run through tests/support/with_stack.sh")
    unittest.main(verbosity=2)
