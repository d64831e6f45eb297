"""Issue 10 as a new user meets it, on the demo data: the demo regional admin makes a token
for the demo ambulance service in the browser (at 360 px), a plain HTTP client fetches a
demo patient's $everything bundle with it and finds the CPR Flag, and after the admin
revokes it the same call gets 401. axe finds nothing serious."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Browser, ViewportSize, expect

from patients.models import Patient
from tests.browser.conftest import serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 360, "height": 740}


def _fetch(url: str, token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_admin_makes_a_token_a_system_reads_the_cpr_flag_and_revoking_ends_it(
    live_server: object, browser: Browser
) -> None:
    call_command("load_demo", verbosity=0)
    patient = (
        Patient.objects.filter(
            care_plan__current_version__cpr_decision="450476008",
            consents__withdrawn_at__isnull=True,
            home_region__name="North Central London",
        )
        .order_by("family_name")
        .first()
    )
    assert patient is not None
    connections.close_all()
    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, "admin", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Organisations").first.click()
    page.get_by_role("link", name="Capital Ambulance Service").click()
    page.get_by_role("link", name="System access (API tokens)").click()
    # A system's access asks for the password again first.
    page.get_by_label("Your password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name of the system").fill("Capital Ambulance patient record")
    page.get_by_label("Urgent care").check()
    page.get_by_role("button", name="Make the token").click()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("oep_")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    problems = serious_axe_violations(page)

    url = f"{base}/fhir/R4/Patient/{patient.public_id}/$everything"
    expect(page.get_by_test_id("token-awaiting-approval")).to_be_visible()
    assert _fetch(url, token)[0] == 401  # it reads patient records: not until approved

    # The region's privacy officer approves it.
    approver = browser.new_context(viewport=PHONE)
    approver.set_default_timeout(15_000)
    second = approver.new_page()
    sign_in(second, base, "privacy", settings.DEMO_PASSWORD)
    second.get_by_role("link", name="Access to approve").first.click()
    second.get_by_role("link", name="Decide on access for Capital Ambulance patient record").click()
    second.get_by_label("Your password").fill(settings.DEMO_PASSWORD)
    second.get_by_role("button", name="Confirm").click()
    problems += serious_axe_violations(second)
    assert second.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    second.get_by_label("Approve: this access is needed").check()
    second.get_by_role("button", name="Record my decision").click()
    second.get_by_text("Approved: this access works from now on.").wait_for()
    approver.close()

    status, bundle = _fetch(url, token)
    assert status == 200
    entries = bundle["entry"]
    assert isinstance(entries, list)
    flags = [e["resource"] for e in entries if e["resource"]["resourceType"] == "Flag"]
    assert any(f["code"]["coding"][0]["code"] == "450476008" for f in flags)

    page.goto(page.url)  # a GET: reloading would make the token again
    assert "approved by Nadia Haddad" in page.content()
    page.get_by_role("button", name="Revoke Capital Ambulance patient record").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    status, outcome = _fetch(url, token)
    assert status == 401
    assert outcome["resourceType"] == "OperationOutcome"
    context.close()
    assert problems == []
