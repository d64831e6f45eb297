"""Sign in, open a patient at 360 px, and check the page with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from organisations.models import Membership
from patients.models import Patient
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_gp_signs_in_and_opens_a_patient_on_a_phone_with_no_serious_axe_violations(
    patient: Patient, their_gp: Membership, live_server: object, browser: Browser
) -> None:
    """The people and patient are made before Playwright starts its event loop."""
    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, "their-gp", PASSWORD)
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Winifred ATTWATER").click()
    page.wait_for_url(f"{base}/patients/{patient.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Winifred ATTWATER"
    assert (
        page.get_by_test_id("acting-as").inner_text().strip() == "Clinician, Highgate Hill Surgery"
    )
    # Readable at 360 px without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_axe_violations(page) == []
    context.close()
