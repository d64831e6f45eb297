"""Issue 8 at 360 px: a regional admin opens the report, filters by quarter, sees the chart
and the table, and downloads the CSV. axe finds nothing serious."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, ViewportSize, expect

from deaths.services import DeathDetails, death_record
from organisations.models import Membership, Role
from patients.models import Patient
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.conftest import PASSWORD, Place
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 360, "height": 740}


def test_an_admin_reads_the_report_by_quarter_on_a_phone(
    place: Place, their_gp: Membership, patient: Patient, live_server: object, browser: Browser
) -> None:
    day = timezone.localdate() - dt.timedelta(days=1)
    death_record(actor=their_gp, patient=patient, details=DeathDetails(day, "876879006"))
    make_member(place.coordination, Role.REGIONAL_ADMIN, username="report-admin", password=PASSWORD)
    connections.close_all()
    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    sign_in(page, base, "report-admin", PASSWORD)
    page.goto(f"{base}/reports/")
    expect(page.get_by_role("heading", name="Preferred place of death achieved")).to_be_visible()
    problems += serious_axe_violations(page)
    page.get_by_text("Filters").click()
    page.get_by_label("Period").select_option("quarter")
    page.get_by_label("Which one").fill(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("chart")).to_be_visible()
    expect(page.get_by_test_id("ppd-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    problems += serious_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these figures (CSV)").click()
    assert download.value.suggested_filename.startswith("ppd-achievement-")
    context.close()
    assert problems == []
