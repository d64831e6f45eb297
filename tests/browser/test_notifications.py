"""Issue 7 at 360 px: the GP signs in, sees the unread count in the header, opens the
notifications page, marks one as read and the count goes down; then the lead's overdue
reviews. axe finds nothing serious; nothing is wider than the phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, ViewportSize, expect

from careplans.models import CarePlan
from consent.models import GivenBy
from consent.services import consent_record
from organisations.models import Membership
from patients.models import Patient
from reminders.services import reminders_sweep
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.reminders.conftest import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 360, "height": 740}


def _count(page: Page) -> str | None:
    badge = page.get_by_test_id("unread-count")
    return badge.inner_text() if badge.count() else None


def _fits(page: Page) -> None:
    page.wait_for_load_state("load")  # measured once the page and its styles are in
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_the_gp_reads_their_reminders_on_a_phone(
    their_gp: Membership, patient: Patient, live_server: object, browser: Browser
) -> None:
    consent_record(
        actor=their_gp,
        patient=patient,
        given_by=GivenBy.PATIENT,
        given_on=dt.date.today(),  # noqa: DTZ011
    )
    plan = publish(their_gp, patient, review_in=30, cpr_review_in=5)
    CarePlan.objects.filter(pk=plan.pk).update(
        review_due_on=dt.date.today() - dt.timedelta(days=10)  # noqa: DTZ011
    )
    reminders_sweep()
    connections.close_all()  # the browser's event loop runs in this thread: no open connection
    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []

    sign_in(page, base, "their-gp", PASSWORD)
    assert _count(page) == "3"
    page.get_by_test_id("notifications-link").get_by_role("link").click()
    page.wait_for_url(f"{base}/notifications/")
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    cards = page.get_by_test_id("notifications").get_by_role("listitem")
    expect(cards).to_have_count(3)
    overdue = page.get_by_role("heading", name="Plan review overdue for more than 7 days")
    expect(overdue).to_be_visible()
    expect(page.get_by_text(patient.full_name).first).to_be_visible()
    _fits(page)
    problems += serious_axe_violations(page)

    cards.first.get_by_role("button", name="Mark as read").click()
    page.wait_for_url(f"{base}/notifications/")
    assert _count(page) == "2"
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url(f"{base}/notifications/")
    assert _count(page) is None

    page.goto(f"{base}/overdue-reviews/")
    expect(page.get_by_role("heading", name="Overdue reviews")).to_be_visible()
    expect(page.get_by_text("10 days overdue")).to_be_visible()
    _fits(page)
    problems += serious_axe_violations(page)
    context.close()
    assert problems == []
