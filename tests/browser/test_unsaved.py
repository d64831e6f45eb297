"""Hazard H7 in Chromium at 360 px: leaving a section with unsaved typing warns, and a
session that ends before Save sends the whole page to sign in, then brings the typing back
on the section, not yet saved."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from playwright.sync_api import Browser, Dialog, expect

from careplans.models import PlanSection
from organisations.models import Membership
from patients.models import Patient
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Being in the garden with the grandchildren; music on in the evening"


def test_leaving_warns_and_an_ended_session_loses_nothing(
    patient: Patient, their_gp: Membership, live_server: object, browser: Browser
) -> None:
    connections.close_all()
    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, "their-gp", PASSWORD)
    url = f"{base}/patients/{patient.public_id}/plan/about_me/"
    page.goto(url)
    box = page.get_by_label("What is most important to me")
    box.click()
    box.press_sequentially("Being in the garden")
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Back to the care plan").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url == url
    page.remove_listener("dialog", dismiss)

    box.fill(TYPED)
    context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/sign-in/\?next=.*"))
    expect(page.get_by_text("what you typed is kept for 30 minutes")).to_be_visible()
    page.get_by_label("Username").fill("their-gp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url)
    expect(page.get_by_test_id("typing-restored")).to_be_visible()
    assert page.get_by_label("What is most important to me").input_value() == TYPED
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    problems = serious_axe_violations(page)
    assert not PlanSection.objects.exists()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("About me saved").wait_for()
    context.close()
    assert problems == []
    assert PlanSection.objects.get(key="about_me").data["what_is_most_important_to_me"] == TYPED
