"""Issue 22 as a new user meets it, on the demo data, at 360 px and on a desktop: `gp` names
`nurse` as key worker of Harold Kowalski (who has none); `paramedic`, by keyboard alone,
finds his summary and sees on the first screen "Not for CPR", the allergies, the key worker
and the region's one number; `patient` sees "Your key worker" and invites her daughter as a
carer, sharing "About me"; the carer accepts the emailed link, sees that part and nothing
clinical, and tells the team things are getting harder; `nurse` finds it in their
notifications. axe finds nothing serious; nothing is wider than the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Browser, ViewportSize, expect

from patients.models import Patient
from tests.browser.conftest import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS: list[ViewportSize] = [{"width": 360, "height": 740}, {"width": 1280, "height": 900}]
HAROLD = "999 000 0700"


@pytest.mark.parametrize("screen", SCREENS, ids=["phone", "desktop"])
def test_key_worker_one_number_and_a_carer(
    screen: ViewportSize, live_server: object, browser: Browser
) -> None:
    call_command("load_demo", verbosity=0)
    hyacinth = Patient.objects.get(given_name="Hyacinth")
    born: dt.date = hyacinth.date_of_birth
    connections.close_all()
    journey = Journey(browser, str(getattr(live_server, "url", "")), screen)
    base, person, fits = journey.base, journey.person, journey.fits

    # The GP names the nurse as Harold's key worker.
    page = person("gp")
    page.goto(f"{base}/patients/")
    page.get_by_label("Search by name, NHS number or date of birth").fill("Kowalski")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Harold KOWALSKI").click()
    expect(page.get_by_test_id("banner-key-worker")).to_have_text("Not named")
    fits(page)
    page.get_by_role("link", name="Name the key worker").click()
    page.get_by_label("Person", exact=True).select_option(
        label="Sam Price, Clinician, Islington Community Nursing"
    )
    page.get_by_label("Phone number to reach them on").fill("020 7946 0450")
    page.get_by_label("Why this person").fill("Agreed at the practice meeting")
    fits(page)
    page.get_by_role("button", name="Save key worker").click()
    expect(page.get_by_test_id("key-worker").first).to_contain_text("Sam Price")
    expect(page.get_by_test_id("banner-key-worker")).to_contain_text("Sam Price")

    # The paramedic, by keyboard alone.
    page = person("paramedic")
    expect(page.get_by_label("NHS number")).to_be_focused()
    page.keyboard.type(HAROLD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/patients/*/summary/")
    height = screen["height"]
    # On the first screen: the decision, allergies, ceiling, the key worker and the region's
    # number (its hours may run below).
    access = page.get_by_test_id("single-point-of-access")
    for found, words in (
        (page.get_by_test_id("cpr-decision"), "Not for CPR"),
        (page.get_by_test_id("glance-1"), "Allergies"),
        (page.get_by_test_id("glance-2"), "Ceiling of treatment"),
        (page.get_by_test_id("key-worker").first, "Sam Price"),
        (access.locator("dt"), "Co-ordination Centre"),
        (access.get_by_role("link"), "020 7946 0999"),
    ):
        expect(found).to_contain_text(words)
        box = found.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= height, f"{words} is below the first screen"
    fits(page)

    # The person sees her key worker, and invites her daughter as a carer.
    page = person("patient")
    expect(page.get_by_test_id("who-to-call")).to_contain_text("Your key worker")
    expect(page.get_by_test_id("who-to-call")).to_contain_text("Sam Price")
    page.goto(f"{base}/my/carers/")
    fits(page)
    page.get_by_label("Their name").fill("Grace Baptiste")
    page.get_by_label("Who they are to you").fill("Daughter")
    page.get_by_label("Their email address").fill("grace@example.com")
    page.get_by_label("About me").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_test_id("carer-invitations")).to_contain_text("Grace Baptiste")
    link = next(
        line.strip()
        for line in str(mail.outbox[-1].body).splitlines()
        if "/online/invitation/" in line
    )

    # The carer accepts, sees what is shared and nothing clinical, and tells the team.
    context = browser.new_context(viewport=screen)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(link.replace("http://testserver", base))
    page.get_by_label("Their NHS number").fill(hyacinth.nhs_number)
    page.locator("#id_date_of_birth_0").fill(str(born.day))
    page.locator("#id_date_of_birth_1").fill(str(born.month))
    page.locator("#id_date_of_birth_2").fill(str(born.year))
    page.get_by_label("Choose a password").fill("grace-cares-for-her-mum")
    page.get_by_label("Type the password again").fill("grace-cares-for-her-mum")
    page.get_by_role("button", name="Set up access").click()
    expect(page.get_by_role("heading", name="Caring for Hyacinth BAPTISTE")).to_be_visible()
    main = page.locator("main")
    expect(main).not_to_contain_text("CPR")
    expect(main).not_to_contain_text("Diagnosis")
    expect(page.get_by_test_id("who-to-call")).to_contain_text("Sam Price")
    fits(page)
    page.get_by_role("link", name="Tell the care team things are getting harder").click()
    page.get_by_label("Nights are hard: neither of us is sleeping").check()
    page.get_by_label("Today: we need someone soon").check()
    page.get_by_label("Anything else the team should know (optional)").fill("Up every hour")
    fits(page)
    page.get_by_role("button", name="Send to the care team").click()
    expect(page.get_by_test_id("sent")).to_contain_text("Nights are hard")

    # The key worker has it.
    page = person("nurse")
    page.goto(f"{base}/notifications/")
    expect(page.get_by_test_id("notifications")).to_contain_text(
        "A carer says things are getting harder at home"
    )
    expect(page.get_by_test_id("notifications")).to_contain_text("Up every hour")
    fits(page)
    assert journey.problems == []
