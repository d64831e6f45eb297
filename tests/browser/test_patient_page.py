"""Headless Chromium (Debian's, at /usr/bin/chromium): sign in, open a patient at 360 px,
and check the page with axe-core (from npm, served from node_modules)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, sync_playwright

from organisations.models import Membership
from patients.models import Patient
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls happen before and after it drives the page, never concurrently.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


def test_a_gp_signs_in_and_opens_a_patient_on_a_phone_with_no_serious_axe_violations(
    patient: Patient, their_gp: Membership, live_server: object, browser: Browser
) -> None:
    """The people and patient are made before Playwright starts its event loop."""
    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("their-gp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Winifred ATTWATER").click()
    page.wait_for_url(f"{base}/patients/{patient.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Winifred ATTWATER"
    assert (
        page.get_by_test_id("acting-as").inner_text().strip() == "Clinician, Highgate Hill Surgery"
    )
    # Readable at 360 px without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []
    assert results["passes"], "axe ran and checked something"
    context.close()
