"""The whole journey of issue 6 at 360 px: a person starts their plan, shares it and sends
it; their GP finds it in the queue, completes and publishes it; the person reads version 1,
asks for a change and sees the GP's and a paramedic's views under "who looked". axe finds
nothing serious on any page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize

from careplans.models import ChangeRequest
from organisations.models import Membership
from patients.models import Patient
from portal.models import PatientAccount
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.conftest import PASSWORD, act_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 360, "height": 740}


def _date(page: Page, name: str, day: object) -> None:
    page.fill(f"#id_{name}_0", str(day.day))  # type: ignore[attr-defined]
    page.fill(f"#id_{name}_1", str(day.month))  # type: ignore[attr-defined]
    page.fill(f"#id_{name}_2", str(day.year))  # type: ignore[attr-defined]


def _fits(page: Page) -> None:
    page.wait_for_load_state("load")  # measured once the page and its styles are in
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _sign_in_online(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/my/")


def test_a_person_starts_their_plan_and_follows_it_to_version_1_at_360px(
    online_patient: PatientAccount,
    patient: Patient,
    their_gp: Membership,
    paramedic: Membership,
    live_server: object,
    browser: Browser,
) -> None:
    base = str(getattr(live_server, "url", ""))
    today = timezone.localdate()
    problems: list[str] = []

    person = browser.new_context(viewport=PHONE)
    person.set_default_timeout(15_000)
    me = person.new_page()
    _sign_in_online(me, base, "winifred@example.com")
    problems += serious_axe_violations(me)
    _fits(me)
    me.get_by_role("link", name="Start the plan").click()
    me.wait_for_url(f"{base}/my/draft/")
    problems += serious_axe_violations(me)
    me.get_by_role("link", name="What matters to me").click()
    me.get_by_label("What matters most to me").fill("Being at home with my cat, Biscuit")
    me.get_by_label("How to communicate with me").fill("Speak slowly; I am deaf in my left ear")
    problems += serious_axe_violations(me)
    _fits(me)
    me.get_by_role("button", name="Save").click()
    me.wait_for_url(f"{base}/my/draft/")
    me.get_by_role("link", name="Where I would like to be").click()
    me.check('input[name="preferred_place_of_care"][value="local:ppc-home"]')
    me.check('input[name="preferred_place_of_death"][value="110481000000108"]')
    problems += serious_axe_violations(me)
    me.get_by_role("button", name="Save").click()
    me.wait_for_url(f"{base}/my/draft/")
    assert "Being at home with my cat" in me.content()

    me.goto(f"{base}/my/consent/")
    problems += serious_axe_violations(me)
    me.get_by_role("button", name="Share the plan").click()
    me.get_by_test_id("consent-given").wait_for()

    me.goto(f"{base}/my/draft/")
    me.get_by_role("button", name="Send to the care team").click()
    me.wait_for_url(f"{base}/my/")
    assert "With the care team" in me.content()

    gp_context = browser.new_context(viewport=PHONE)
    gp_context.set_default_timeout(15_000)
    gp = gp_context.new_page()
    sign_in(gp, base, "their-gp", PASSWORD)
    gp.get_by_role("link", name="Waiting for you").first.click()
    gp.get_by_test_id("awaiting-approval").wait_for()
    problems += serious_axe_violations(gp)
    _fits(gp)
    gp.get_by_role("link", name=patient.full_name).click()
    plan = f"{base}/patients/{patient.public_id}/plan"
    gp.wait_for_url(f"{plan}/")
    gp.goto(f"{plan}/cpr_decision/")
    gp.check('input[name="cpr_decision"][value="450476008"]')
    _date(gp, "date_of_decision", today)
    gp.check('input[name="mental_capacity"][value="local:has-capacity"]')
    gp.get_by_role("button", name="Save").click()
    gp.get_by_role("status").wait_for()
    # Every plan says whether the person has allergies and when it will be reviewed.
    gp.goto(f"{plan}/clinical/")
    gp.check('input[name="allergy_status"][value="716186003"]')
    gp.get_by_role("button", name="Save").click()
    gp.get_by_role("status").wait_for()
    gp.goto(f"{plan}/review/")
    _date(gp, "planned_review_date", today + dt.timedelta(days=90))
    gp.get_by_role("button", name="Save").click()
    gp.get_by_role("status").wait_for()
    gp.goto(f"{plan}/")
    gp.get_by_role("button", name="Approve and publish").click()
    gp.check('input[name="kind"][value="patient"]')
    gp.get_by_label("With whom was it discussed and agreed?").fill("Winifred Attwater")
    _date(gp, "discussed_on", today)
    for box in gp.locator('input[name="acknowledged"]').all():
        box.check()
    gp.get_by_role("button", name="Publish").click()
    gp.wait_for_url(f"{plan}/")
    assert "Version 1 is published" in gp.content()
    gp_context.close()

    # A paramedic opens the emergency summary (on the test client: the crew's own pages
    # are checked in test_emergency_summary).
    crew = act_as(Client(), paramedic)
    summary = crew.get(f"/patients/{patient.public_id}/summary/").content.decode()
    assert "Not for CPR" in summary

    me.goto(f"{base}/my/plan/")
    assert "Version 1" in me.get_by_test_id("version").inner_text()
    assert "Being at home with my cat, Biscuit" in me.content()
    problems += serious_axe_violations(me)
    _fits(me)

    me.goto(f"{base}/my/changes/new/")
    me.check('input[name="section_key"][value="key_contacts"]')
    me.get_by_label("What should change?").fill("Please add my neighbour Ann, 07700 900982")
    problems += serious_axe_violations(me)
    me.get_by_role("button", name="Send the request").click()
    me.wait_for_url(f"{base}/my/changes/")
    assert "Received" in me.get_by_test_id("change-requests").inner_text()
    problems += serious_axe_violations(me)

    me.goto(f"{base}/my/who-looked/")
    log = me.get_by_test_id("access-log").inner_text()
    assert "Highgate Hill Surgery" in log
    assert "Approved and published the care plan" in log
    assert paramedic.organisation.name in log
    assert "Viewed the emergency summary" in log
    assert "their-gp" not in me.content()
    problems += serious_axe_violations(me)
    _fits(me)
    person.close()
    assert problems == []
    try:
        assert ChangeRequest.objects.get().section_key == "key_contacts"
    finally:
        connections.close_all()
