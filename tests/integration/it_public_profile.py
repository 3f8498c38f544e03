#!/usr/bin/env python3
"""The public outlet profile follows a re-tiering within a second (run through
with_stack.sh).

GET /api/v1/public/outlets/{id} is cached in the gateway's memory and in Redis
for minutes; scoring's scoring.outlet.tiered event is what drops both. An
outlet is onboarded, its profile read (so both caches hold it), a new rule set
moves the outlet to another tier, and the profile must show the new tier
within one second of PublishRuleSet's answer.
"""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import seklik_api as api  # noqa: E402

BASE = os.environ.get("SEKLIK_GATEWAY_URL", "")
DEMO_PASSWORD = os.environ.get("SEKLIK_DEMO_PASSWORD", "Demo-Seklik-2026")
YEAR = 2027
TIER_LETTER = {"TIER_A": "A", "TIER_B": "B", "TIER_C": "C"}


def staff(username):
    s = api.Session(BASE)
    s.login(username, DEMO_PASSWORD)
    return s


def public_profile(outlet):
    status, _, body = api.Session(BASE).request("GET", f"/api/v1/public/outlets/{outlet}")
    if status != 200:
        raise AssertionError(f"public profile answered {status}: {body[:200]!r}")
    return json.loads(body)


class PublicProfile(unittest.TestCase):
    def test_re_tiering_shows_within_a_second(self):
        admin, verifier = staff("admin"), staff("verifikator")
        api.publish_requirements(admin, YEAR)
        partner, _, outlet = api.onboard(BASE, admin, verifier, "mitraprofil", "PT Kabar Profil",
                                         "012345678901234", "1234567890123",
                                         ("1601010101010001", "1601010101010002"))
        score = partner.call("scoring.GetScore", {"outletId": outlet, "fiscalYear": YEAR})
        total, old = score["total"], TIER_LETTER[score["tier"]]
        self.assertEqual(public_profile(outlet)["tier"], old)
        self.assertEqual(public_profile(outlet)["tier"], old)  # now from the caches

        # Thresholds around the outlet's total: A if it was not, B if it was.
        rules = admin.call("scoring.GetRuleSet", {"fiscalYear": YEAR})
        self.assertLess(total, 100)
        self.assertGreater(total, 2)
        if old == "A":
            rules["tiers"] = {"a": total + 1, "b": total, "c": total - 1}
            new = "B"
        else:
            rules["tiers"] = {"a": total, "b": total - 1, "c": total - 2}
            new = "A"
        admin.call("scoring.SaveRuleSetDraft", rules)
        admin.call("scoring.PublishRuleSet", {"fiscalYear": YEAR})
        published = time.monotonic()
        self.assertEqual(TIER_LETTER[admin.call("scoring.GetScore", {
            "outletId": outlet, "fiscalYear": YEAR})["tier"]], new)

        seen = old
        while time.monotonic() - published < 1.0 and seen != new:
            seen = public_profile(outlet)["tier"]
            if seen != new:
                time.sleep(0.02)
        took = time.monotonic() - published
        print(f"tier {old} -> {new}: the public profile showed {seen} after {took:.3f} s")
        self.assertEqual(seen, new, "the public profile still shows the old tier after 1 s")
        # And it stays new: nothing cached the old profile again.
        time.sleep(0.3)
        self.assertEqual(public_profile(outlet)["tier"], new)


if __name__ == "__main__":
    if not BASE:
        sys.exit("it_public_profile: SEKLIK_GATEWAY_URL is not set (run through with_stack.sh)")
    unittest.main(verbosity=2)
