"""Issue 21 as a new user meets it, on the demo data, at 360 px and on a desktop: the demo
GP opens case finding and sees why each person is listed, adds one to the register and
starts a plan for another; opens the upcoming practice meeting and records the review of
three people, one with an action for the district nurse; the nurse finds the action in
their notifications; the register report shows the practice's register against its list.
axe finds nothing serious; nothing is wider than the screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _named(action: str, whom: str) -> re.Pattern[str]:
    """A link's name with its visually hidden part, however the browser spaces it."""
    return re.compile(rf"^{re.escape(action)}\s*:?\s*{re.escape(whom)}$")


SCREENS: list[ViewportSize] = [{"width": 360, "height": 740}, {"width": 1280, "height": 900}]


@pytest.mark.parametrize("screen", SCREENS, ids=["phone", "desktop"])
def test_case_finding_the_register_the_meeting_and_the_report(
    screen: ViewportSize, live_server: object, browser: Browser
) -> None:
    call_command("load_demo", verbosity=0)
    connections.close_all()
    base = str(getattr(live_server, "url", ""))
    today = timezone.localdate()
    problems: list[str] = []

    def fits(page: Page) -> None:
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"], page.url
        problems.extend(serious_axe_violations(page))

    def date(page: Page, name: str, days: int = 0) -> None:
        day = today + dt.timedelta(days=days)
        page.locator(f"#id_{name}_0").fill(str(day.day))
        page.locator(f"#id_{name}_1").fill(str(day.month))
        page.locator(f"#id_{name}_2").fill(str(day.year))

    gp = browser.new_context(viewport=screen)
    gp.set_default_timeout(15_000)
    page = gp.new_page()
    sign_in(page, base, "gp", settings.DEMO_PASSWORD)
    page.goto(f"{base}/practice/case-finding/")
    expect(page.get_by_role("heading", name="People who may need a plan")).to_be_visible()
    candidates = page.get_by_test_id("candidates")
    for reason in (
        "Surprise question answered “no”",
        "Referred to the co-ordination centre",
        "No plan, but urgent care looked for one",
        "In the practice's search of",
    ):
        expect(candidates.get_by_text(reason).first).to_be_visible()
    fits(page)

    page.get_by_role("link", name=_named("Add to register", "Siobhan QUINN")).click()
    expect(page.get_by_role("heading", name="Add to the palliative care register")).to_be_visible()
    expect(page.get_by_label("A practice search (case finding)")).to_be_checked()
    date(page, "added_on")
    page.get_by_label("B (green): months").check()
    fits(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added to the practice's palliative care register.")).to_be_visible()
    expect(page.get_by_test_id("on-register")).to_contain_text("B (green): months")
    fits(page)

    page.goto(f"{base}/practice/case-finding/")
    expect(page.get_by_role("link", name=_named("Add to register", "Siobhan QUINN"))).to_have_count(
        0
    )
    page.get_by_role("link", name=_named("Start a plan", "Hyacinth BAPTISTE")).click()
    expect(page.get_by_role("heading", name="Care plan", exact=True)).to_be_visible()

    page.goto(f"{base}/practice/meetings/")
    fits(page)
    page.get_by_test_id("meetings").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Practice meeting")).to_be_visible()
    fits(page)
    for name, notes in (
        ("Margaret WHITFIELD", "Comfortable; family staying over."),
        ("Peter OSEI", "Breathless at night: review medicines."),
        ("Joan GALLAGHER", "Stable. Carer coping."),
    ):
        page.get_by_role("link", name=_named("Record the review", f"of {name}")).click()
        page.get_by_label("What the meeting discussed and agreed").fill(notes)
        if name == "Peter OSEI":
            page.locator("#id_action_1_what").fill("Home visit to review breathlessness")
            owner = page.locator("#id_action_1_owner")
            label = next(o for o in owner.locator("option").all_inner_texts() if "Sam Price" in o)
            owner.select_option(label=label)
            date(page, "action_1_due_on", days=30)  # after the meeting, in two weeks
            fits(page)
        page.get_by_role("button", name="Record the review").click()
        expect(page.get_by_text(f"The review of {name.split()[0]}")).to_be_visible()
    expect(page.get_by_text("Discussed")).to_have_count(3)
    fits(page)

    page.goto(f"{base}/practice/register-report/")
    row = page.locator("tr", has_text="Highgate Hill Surgery")
    expect(row.get_by_test_id("of-list")).to_have_text("Share of the list 0.14%")
    fits(page)
    gp.close()

    nurse = browser.new_context(viewport=screen)
    nurse.set_default_timeout(15_000)
    page = nurse.new_page()
    sign_in(page, base, "nurse", settings.DEMO_PASSWORD)
    page.goto(f"{base}/notifications/")
    expect(page.get_by_text("Home visit to review breathlessness")).to_be_visible()
    fits(page)
    nurse.close()
    assert problems == []
