"""Issue 9 as a new user meets it, on the demo data, at 360 px and on a desktop: the demo
GP refers a patient; the demo co-ordinator (the centre's clinical lead) triages it, sees the
queue re-order after a new assessment, offers a provider's place, records the answer and
opens the breach dashboard. axe finds nothing serious; nothing is wider than the screen."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Browser, Page, ViewportSize, expect

from patients.models import Patient
from tests.browser.conftest import serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS: list[ViewportSize] = [{"width": 360, "height": 740}, {"width": 1280, "height": 900}]


def _rows(page: Page) -> list[str]:
    return [row.inner_text() for row in page.get_by_test_id("queue-row").all()]


def _position(page: Page, name: str) -> int:
    return next(i for i, text in enumerate(_rows(page)) if name in text)


@pytest.mark.parametrize("screen", SCREENS, ids=["phone", "desktop"])
def test_refer_triage_reassess_allocate_and_the_dashboard(
    screen: ViewportSize, live_server: object, browser: Browser
) -> None:
    call_command("load_demo", verbosity=0)
    patient = Patient.objects.get(given_name="Siobhan", family_name="Quinn")
    connections.close_all()
    base = str(getattr(live_server, "url", ""))
    problems: list[str] = []

    def fits(page: Page) -> None:
        page.wait_for_load_state("load")  # measured once the page and its styles are in
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= screen["width"], page.url
        problems.extend(serious_axe_violations(page))

    gp = browser.new_context(viewport=screen)
    gp.set_default_timeout(15_000)
    page = gp.new_page()
    sign_in(page, base, "gp", settings.DEMO_PASSWORD)
    page.goto(f"{base}/patients/{patient.public_id}/")
    page.get_by_role("link", name="Referrals for care").click()
    page.get_by_role("link", name="Refer for care").click()
    fits(page)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Choose at least one service").first).to_be_visible()
    page.get_by_label("Personal care").check()
    page.get_by_label("Within 24 hours").check()
    page.get_by_label("Reason for referral").fill("Her son cannot manage the nights.")
    page.get_by_label("Deteriorating").check()
    page.get_by_label("Australia-modified Karnofsky Performance Status (AKPS)").select_option("30")
    page.get_by_label("IPOS 1: Pain").select_option("3")
    page.get_by_label("Carer struggling").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("The referral is sent to the co-ordination centre")).to_be_visible()
    fits(page)
    gp.close()

    centre = browser.new_context(viewport=screen)
    centre.set_default_timeout(15_000)
    page = centre.new_page()
    sign_in(page, base, "coordinator", settings.DEMO_PASSWORD)
    page.goto(f"{base}/coordination/")
    assert len(_rows(page)) == 13
    fits(page)
    before = _position(page, patient.full_name)
    page.get_by_role("link", name=patient.full_name).click()
    fits(page)
    page.get_by_role("button", name="Triage: I am the case manager").click()
    expect(page.get_by_text("Triaged: you are the case manager.")).to_be_visible()
    page.get_by_role("link", name="New needs assessment").click()
    fits(page)
    page.get_by_label("Dying").check()
    page.get_by_label("Australia-modified Karnofsky Performance Status (AKPS)").select_option("10")
    page.get_by_label("IPOS 2: Shortness of breath").select_option("4")
    page.get_by_label("Carer breakdown").check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("The queue is re-ordered")).to_be_visible()
    page.goto(f"{base}/coordination/")
    after = _position(page, patient.full_name)
    assert after < before
    assert "Dying +40" in _rows(page)[after].replace("\n", " ")
    page.get_by_role("link", name=patient.full_name).click()
    page.get_by_role("link", name="Offer a place").click()
    fits(page)
    page.get_by_role("button", name="Offer the place").click()
    expect(page.get_by_text("Choose a place").first).to_be_visible()
    page.get_by_label("Camden and Islington Home Care: Personal care").check()
    page.get_by_role("button", name="Offer the place").click()
    page.get_by_role("link", name="Camden and Islington Home Care: Personal care").click()
    fits(page)
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The place is updated.")).to_be_visible()
    page.get_by_role("link", name="Back to the queue").click()
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_test_id("within-target")).to_be_visible()
    expect(page.get_by_test_id("breaches")).to_be_visible()
    expect(page.get_by_test_id("red-alert").first).to_be_visible()
    fits(page)
    centre.close()
    assert problems == []
