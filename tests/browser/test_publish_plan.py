"""A GP completes and publishes a plan on a 360 px phone, and axe finds nothing serious."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, Page

from careplans.models import PublishedVersion
from organisations.models import Membership
from patients.models import Patient
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _date(page: Page, name: str, day: object) -> None:
    page.fill(f"#id_{name}_0", str(day.day))  # type: ignore[attr-defined]
    page.fill(f"#id_{name}_1", str(day.month))  # type: ignore[attr-defined]
    page.fill(f"#id_{name}_2", str(day.year))  # type: ignore[attr-defined]


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").wait_for()  # htmx swapped in "… saved"


def test_a_gp_completes_and_publishes_a_plan_at_360px(
    patient: Patient, their_gp: Membership, live_server: object, browser: Browser
) -> None:
    base = str(getattr(live_server, "url", ""))
    plan = f"{base}/patients/{patient.public_id}/plan"
    today = timezone.localdate()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    sign_in(page, base, "their-gp", PASSWORD)

    page.goto(f"{base}/patients/{patient.public_id}/consent/")
    page.check('input[name="given_by"][value="patient"]')
    _date(page, "given_on", today)
    page.get_by_role("button", name="Record consent").click()
    page.get_by_test_id("consent-active").wait_for()
    problems += serious_axe_violations(page)

    page.goto(f"{plan}/about_me/")
    page.get_by_label("What is most important to me").fill("Being at home with my cat")
    _save(page)
    problems += serious_axe_violations(page)

    page.goto(f"{plan}/preferences/")
    page.check('input[name="preferred_place_of_care"][value="local:ppc-home"]')
    page.check('input[name="preferred_place_of_death"][value="110481000000108"]')
    _save(page)

    page.goto(f"{plan}/clinical/")
    page.get_by_label("Primary palliative care diagnosis").fill(
        "Metastatic carcinoma of the pancreas"
    )
    page.check('input[name="estimated_prognosis"][value="955231000000109"]')
    page.check('input[name="allergy_status"][value="716186003"]')
    _save(page)

    page.goto(f"{plan}/cpr_decision/")
    page.check('input[name="cpr_decision"][value="450476008"]')
    _date(page, "date_of_decision", today)
    page.check('input[name="mental_capacity"][value="local:has-capacity"]')
    _save(page)
    problems += serious_axe_violations(page)

    page.goto(f"{plan}/treatment_escalation/")
    page.check('input[name="ceiling_of_treatment"][value="local:ceiling-comfort"]')
    page.get_by_label("What should happen if they deteriorate").fill("Keep comfortable at home")
    _save(page)

    page.goto(f"{plan}/medications/")
    page.check('input[name="anticipatory_medicines"][value="871021000000106"]')
    page.get_by_label("Which anticipatory medicines").fill("Morphine, midazolam")
    _save(page)

    page.goto(f"{plan}/key_contacts/")
    page.locator("#id_contact_0_name").fill("Ann Attwater")
    page.locator("#id_contact_0_phone").fill("07700 900982")
    _save(page)

    page.goto(f"{plan}/review/")
    # A year on, counted in days: replace(year=...) has no 29 February in most years.
    _date(page, "planned_review_date", today + dt.timedelta(days=365))
    page.get_by_label("Who is responsible for the review").fill("Dr Test Clinician, GP")
    _save(page)

    page.goto(f"{plan}/")
    problems += serious_axe_violations(page)
    page.get_by_role("button", name="Approve and publish").click()
    page.check('input[name="kind"][value="patient"]')
    page.get_by_label("With whom was it discussed and agreed?").fill("Winifred Attwater")
    _date(page, "discussed_on", today)
    problems += serious_axe_violations(page)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"{plan}/")
    assert "Version 1 is published" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    problems += serious_axe_violations(page)
    context.close()
    assert problems == []
    try:
        version = PublishedVersion.objects.get()
        assert version.snapshot["sections"]["cpr_decision"]["cpr_decision"] == "450476008"
    finally:
        # This query ran inside Playwright's event loop, on a connection of its own.
        connections.close_all()
