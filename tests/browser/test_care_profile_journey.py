"""Issue 23 as a new user meets it, on the demo data, at 360 px and on a desktop: `admin`
changes the care profile's stage C and publishes it; `gp` sees that text beside Peter
Osei's readiness for home (stage C) with the bed not delivered (red), and records it
delivered; `gp` adds Hyacinth Baptiste to the register at stage C and `patient` sees the
same words and services on her own page; `gp` records Peter's death, which opens the
family's follow-up for the key worker with the bed to collect, and `nurse` is told. axe
finds nothing serious; nothing is wider than the screen."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from patients.models import Patient
from tests.browser.conftest import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS: list[ViewportSize] = [{"width": 360, "height": 740}, {"width": 1280, "height": 900}]
NEW_C = "You may have weeks. Help at home can increase now, day and night: ask us."


@pytest.mark.parametrize("screen", SCREENS, ids=["phone", "desktop"])
def test_care_profile_readiness_and_after_a_death(
    screen: ViewportSize, live_server: object, browser: Browser
) -> None:
    call_command("load_demo", verbosity=0)
    osei = Patient.objects.get(family_name__iexact="Osei").public_id
    hyacinth = Patient.objects.get(given_name="Hyacinth").public_id
    connections.close_all()
    journey = Journey(browser, str(getattr(live_server, "url", "")), screen)
    base, person, fits = journey.base, journey.person, journey.fits
    today = timezone.localdate()

    def date(page: Page, name: str) -> None:
        journey.date(page, name, today)

    # The admin changes stage C in the draft and publishes it.
    page = person("admin")
    page.goto(f"{base}/region/care-profile/")
    expect(page.get_by_test_id("profile-draft")).to_contain_text("Draft version 2")
    fits(page)
    # (The stage is in visually hidden text, which the accessible name spaces apart.)
    page.get_by_role(
        "button", name=re.compile(r"Change what to know and discuss\W+Stage C")
    ).click()
    page.get_by_label("What the person and their carers should know at this stage").fill(NEW_C)
    fits(page)
    page.get_by_role("button", name="Save in the draft").click()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_test_id("profile-published")).to_contain_text("version 2")

    # The GP finds Peter's bed not delivered beside the profile, and records it delivered.
    page = person("gp")
    page.goto(f"{base}/patients/{osei}/plan/")
    expect(page.get_by_test_id("readiness-summary")).to_contain_text("Not delivered: Profiling bed")
    page.get_by_role("link", name="Check readiness for home").click()
    expect(page.get_by_test_id("readiness-equipment")).to_contain_text("Red")
    expect(page.get_by_test_id("care-profile")).to_contain_text(NEW_C)
    fits(page)
    page.get_by_role("link", name="Change equipment").click()
    page.get_by_role("group", name="Delivered and working").get_by_label("Profiling bed").check()
    fits(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("readiness-equipment")).to_contain_text("Green")

    # The GP adds Hyacinth to the register at stage C; she sees the same words, plainly.
    page.goto(f"{base}/patients/{hyacinth}/register/add/")
    page.get_by_label("The person asked").check()
    date(page, "added_on")
    page.get_by_label("C (yellow): weeks").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("on-register")).to_contain_text("C (yellow): weeks")
    own = person("patient")
    own.goto(f"{base}/my/")
    profile = own.get_by_test_id("care-profile")
    expect(profile).to_contain_text("Help available to you now")
    expect(profile).to_contain_text(NEW_C)
    expect(profile).to_contain_text("Hospice at home")
    expect(profile).not_to_contain_text("Stage C")
    fits(own)

    # The GP records Peter's death: the key worker is to contact the family; the bed goes back.
    page.goto(f"{base}/patients/{osei}/death/")
    date(page, "date_of_death")
    page.get_by_label("At home").check()
    page.get_by_role("button", name="Record the death").click()
    page.goto(f"{base}/patients/{osei}/")
    follow_up = page.get_by_test_id("bereavement-follow-up")
    expect(follow_up).to_contain_text("Sam Price")
    expect(follow_up).to_contain_text("Profiling bed")
    fits(page)
    nurse = person("nurse")
    nurse.goto(f"{base}/notifications/")
    expect(nurse.get_by_text("contact their family from").first).to_be_visible()
    expect(nurse.get_by_text("Collect the equipment: Profiling bed").first).to_be_visible()
    fits(nurse)
    assert journey.problems == []
