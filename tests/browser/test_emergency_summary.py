"""A paramedic on a 360 px phone: search by NHS number, read the summary, with and without
JavaScript, and check each page with axe-core."""

from __future__ import annotations

import pytest
from django.db import connections
from playwright.sync_api import Browser, expect

from careplans.services import careplan_publish
from consent.services import consent_record
from organisations.models import Membership, Role
from organisations.services import region_access_set
from patients.models import Patient
from patients.services import key_contact_set
from tests.browser.conftest import serious_axe_violations, sign_in
from tests.careplans.conftest import basis, fill, today
from tests.conftest import PASSWORD, Place
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False])
def test_a_paramedic_finds_the_summary_by_nhs_number_on_a_phone(
    place: Place,
    patient: Patient,
    their_gp: Membership,
    regional_admin: Membership,
    live_server: object,
    browser: Browser,
    javascript: bool,
) -> None:
    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    careplan_publish(actor=their_gp, patient=patient, basis=basis())
    make_member(place.ambulance, Role.URGENT_CARE, username="crew", password=PASSWORD)
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=their_gp,
        phone="020 7946 0123",
        reason="Agreed at the practice meeting",
    )
    region_access_set(
        actor=regional_admin,
        name="Palliative Care Co-ordination Centre",
        phone="020 7946 0999",
        hours="24 hours a day, 7 days a week",
        what_for="Call if things change or you are worried, day or night",
    )
    connections.close_all()

    base = str(getattr(live_server, "url", ""))
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, "crew", PASSWORD)
    # Urgent care start on the search, the cursor in the NHS number.
    page.wait_for_url(f"{base}/patients/emergency/")
    if javascript:  # axe-core runs in the page
        assert serious_axe_violations(page) == []
        expect(page.get_by_label("NHS number")).to_be_focused()
    page.get_by_label("NHS number").fill("485 777 3457")
    page.get_by_role("button", name="Find summary").click()
    page.wait_for_url(f"{base}/patients/{patient.public_id}/summary/")

    cpr = page.get_by_test_id("cpr-decision")
    assert "Not for CPR" in cpr.inner_text()
    # The first screen of a 360 x 740 phone holds, whole: the CPR decision, the allergy
    # status, the ceiling of treatment, the key worker and the single point of access.
    first_screen = {
        "the CPR decision": cpr,
        "the allergy status": page.get_by_test_id("glance-1"),
        "the ceiling of treatment": page.get_by_test_id("glance-2"),
        "the key worker": page.get_by_test_id("key-worker"),
        "the single point of access's number": page.get_by_test_id(
            "single-point-of-access"
        ).get_by_role("link"),
    }
    for what, locator in first_screen.items():
        box = locator.bounding_box()
        assert box is not None, what
        assert box["y"] + box["height"] <= 740, f"{what} ends at {box['y'] + box['height']} px"
    assert "Allergies" in first_screen["the allergy status"].inner_text()
    assert "Ceiling of treatment" in first_screen["the ceiling of treatment"].inner_text()
    assert "020 7946 0123" in first_screen["the key worker"].inner_text()
    assert "020 7946 0999" in first_screen["the single point of access's number"].inner_text()
    body = page.locator("main").inner_text()
    assert "Preferred place of death" in body
    assert "Ann Attwater" in body
    assert page.locator('a[href="tel:07700900982"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if javascript:
        assert serious_axe_violations(page) == []
    context.close()
