"""The emergency summary as urgent care meet it: find by NHS number, read the published plan
(never a draft), "No shareable plan" without consent, PDFs, and a constant query count."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessEvent, Action
from careplans import selectors, services
from careplans.models import PublishedVersion
from consent.services import consent_record, consent_withdraw
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import basis, complete, fill, today
from tests.conftest import Place, act_as
from tests.factories import make_patient


def summary_url(patient: Patient) -> str:
    return reverse("careplans:summary", kwargs={"patient_id": patient.public_id})


def find(client: Client, **data: str):
    return client.post(reverse("patients:emergency_find"), data)


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def with_key_safe(published: PublishedVersion, their_gp: Membership) -> PublishedVersion:
    patient = published.plan.patient
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="home_access",
        data={"key_safe": "on", "key_safe_code": "4711", "access_instructions": "Side gate"},
    )
    return services.careplan_publish(actor=their_gp, patient=patient, basis=basis())


def test_paramedic_finds_by_nhs_number_with_spaces_and_sees_not_for_cpr_first(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, paramedic)
    response = find(client, nhs_number=" 485 777 3457 ")
    assert response.status_code == 302
    assert response["Location"] == summary_url(patient)
    page = client.get(response["Location"]).content.decode()
    cpr = page.index("Not for CPR")
    assert cpr < page.index("Preferred place of death") < page.index("Who to call")
    assert "Home" in page
    assert 'href="tel:07700900982"' in page
    assert "Ann Attwater" in page
    assert "Version 1, approved by" in page
    assert "Penicillin: rash" in page
    assert "Kitchen cupboard" in page
    # Codes are never shown bare.
    assert "450476008" not in page
    event = AccessEvent.objects.get(action=Action.VIEW_SUMMARY, user=paramedic.user)
    assert event.patient_public_id == patient.public_id
    assert event.detail == {"page": "summary", "version": 1, "break_glass": False}


def test_the_cpr_decision_says_who_decided_and_when(
    client: Client, call_handler: Membership, published: PublishedVersion, their_gp: Membership
) -> None:
    act_as(client, call_handler)
    page = client.get(summary_url(published.plan.patient)).content.decode()
    decided_on = (today() - dt.timedelta(days=1)).strftime("%-d %B %Y")
    assert "Date of decision" in page
    assert decided_on in page
    assert "Decided by" in page
    assert their_gp.organisation.name in page


def test_find_by_last_name_date_of_birth_and_postcode(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, paramedic)
    response = find(
        client,
        family_name="attwater",
        date_of_birth_0="4",
        date_of_birth_1="12",
        date_of_birth_2="1940",
        postcode=patient.postcode.replace(" ", "").lower(),
    )
    assert response.status_code == 302
    assert response["Location"] == summary_url(patient)


def test_a_name_without_date_of_birth_and_postcode_is_not_a_search(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, paramedic)
    page = find(client, family_name="Attwater").content.decode()
    assert "Enter the date of birth as well" in page
    assert "Enter the postcode as well" in page
    assert "Winifred" not in page
    assert not AccessEvent.objects.filter(action=Action.SEARCH).exists()


def test_an_invalid_nhs_number_gets_the_expected_format(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, paramedic)
    page = find(client, nhs_number="485 777 345").content.decode()
    assert "Enter an NHS number with 10 digits, like 943 476 5919" in page
    page = find(client, nhs_number="485 777 3458").content.decode()
    assert "This is not a valid NHS number" in page


def test_an_unknown_number_and_a_patient_outside_the_area_get_the_same_answer(
    client: Client,
    paramedic: Membership,
    out_of_area_paramedic: Membership,
    published: PublishedVersion,
) -> None:
    act_as(client, paramedic)
    unknown = find(client, nhs_number="943 476 5919").content.decode()
    act_as(client, out_of_area_paramedic)
    outside = find(client, nhs_number="485 777 3457").content.decode()
    for page in (unknown, outside):
        assert "No patient found" in page
        assert "Winifred" not in page
        assert "ATTWATER" not in page
    # The person who was looked for can later see that someone tried.
    assert AccessEvent.objects.filter(
        action=Action.DENIED,
        patient_public_id=published.plan.patient.public_id,
        user=out_of_area_paramedic.user,
    ).exists()


def test_the_summary_shows_the_published_version_never_the_draft(
    client: Client, paramedic: Membership, their_gp: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    preferences = {**complete()["preferences"], "preferred_place_of_death": "108401000000102"}
    services.section_save(actor=their_gp, patient=patient, key="preferences", data=preferences)
    act_as(client, paramedic)
    page = client.get(summary_url(patient)).content.decode()
    assert "Version 1" in page
    assert "Hospice" not in page

    services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    page = client.get(summary_url(patient)).content.decode()
    assert "Version 2" in page
    assert "Hospice" in page


def test_after_consent_is_withdrawn_only_no_shareable_plan(
    client: Client, paramedic: Membership, their_gp: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    consent_withdraw(actor=their_gp, patient=patient, reason="Withdrawn by the patient today")
    act_as(client, paramedic)
    page = client.get(summary_url(patient)).content.decode()
    assert "No shareable plan" in page
    for plan_content in ("CPR", "Ann Attwater", "Penicillin", "Kitchen cupboard", "Version 1"):
        assert plan_content not in page
    assert AccessEvent.objects.get(action=Action.VIEW_SUMMARY).detail["version"] is None


def test_no_published_plan_is_no_shareable_plan(
    client: Client, paramedic: Membership, consented: Patient, their_gp: Membership
) -> None:
    fill(their_gp, consented)  # a complete draft, never published
    act_as(client, paramedic)
    page = client.get(summary_url(consented)).content.decode()
    assert "No shareable plan" in page
    assert "Not for CPR" not in page
    assert "Ann Attwater" not in page


def test_a_passed_review_date_is_a_warning(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, paramedic)
    assert (
        "Review date passed" not in client.get(summary_url(published.plan.patient)).content.decode()
    )
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=95)):
        act_as(client, paramedic)
        page = client.get(summary_url(published.plan.patient)).content.decode()
    assert "Review date passed" in page
    assert "The CPR decision was due for review" in page


def test_the_key_safe_code_is_for_urgent_care_on_screen_only(
    client: Client, paramedic: Membership, their_gp: Membership, with_key_safe: PublishedVersion
) -> None:
    patient = with_key_safe.plan.patient
    act_as(client, paramedic)
    assert "4711" in client.get(summary_url(patient)).content.decode()
    pdf = client.get(reverse("careplans:summary_pdf", kwargs={"patient_id": patient.public_id}))
    assert "4711" not in "".join(pdf_text(pdf.content))
    act_as(client, their_gp)
    page = client.get(summary_url(patient)).content.decode()
    assert "4711" not in page
    assert "shown to urgent care only" in page


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("careplans:overview", {}),
        ("careplans:versions", {}),
        ("careplans:version", {"number": 1}),
        ("careplans:section", {"section_key": "cpr_decision"}),
        ("careplans:publish", {}),
        ("careplans:plan_pdf", {}),
        ("patients:detail", {}),
    ],
)
def test_the_paramedic_cannot_open_the_full_plan_a_draft_or_an_edit_page(
    client: Client, paramedic: Membership, published: PublishedVersion, name: str, extra: dict
) -> None:
    act_as(client, paramedic)
    url = reverse(name, kwargs={"patient_id": published.plan.patient.public_id, **extra})
    assert client.get(url).status_code == 404


def test_the_summary_pdf_has_the_decision_version_and_notice_on_each_page(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, paramedic)
    response = client.get(
        reverse("careplans:summary_pdf", kwargs={"patient_id": patient.public_id})
    )
    assert response["Content-Type"] == "application/pdf"
    assert "Attwater" not in response["Content-Disposition"]
    pages = pdf_text(response.content)
    assert "Not for CPR" in pages[0]
    for text in pages:
        assert "NHS number 485 777 3457" in text
        assert "Version 1" in text
        assert "check for a newer version" in text
        assert "Printed at" in text
        assert f"by {paramedic.user.get_full_name()} ({paramedic.organisation.name})" in text
    event = AccessEvent.objects.get(action=Action.PRINT)
    assert event.detail["page"] == "summary_pdf"
    assert event.detail["version"] == 1


def test_the_full_plan_pdf_is_the_latest_published_version(
    client: Client, team_nurse: Membership, their_gp: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="about_me",
        data={"what_is_most_important_to_me": "A draft nobody approved"},
    )
    act_as(client, team_nurse)
    response = client.get(reverse("careplans:plan_pdf", kwargs={"patient_id": patient.public_id}))
    pages = pdf_text(response.content)
    text = "".join(pages)
    assert "Biscuit" in text
    assert "A draft nobody approved" not in text
    assert "Not for CPR" in text
    for page in pages:
        assert "NHS number 485 777 3457" in page
        assert "Version 1" in page
        assert "check for a newer version" in page
    assert AccessEvent.objects.filter(
        action=Action.PRINT, patient_public_id=patient.public_id, user=team_nurse.user
    ).exists()


def _more_patients(place: Place, their_gp: Membership, count: int) -> None:
    """Other patients of the region, each with consent and one or two published versions."""
    for index in range(count):
        other = make_patient(registered_by=their_gp, practice=place.practice)
        consent_record(actor=their_gp, patient=other, given_by="patient", given_on=today())
        fill(their_gp, other)
        services.careplan_publish(actor=their_gp, patient=other, basis=basis())
        if index % 2 == 0:
            services.section_save(
                actor=their_gp,
                patient=other,
                key="about_me",
                data={"what_is_most_important_to_me": f"Version two of patient {index}"},
            )
            services.careplan_publish(actor=their_gp, patient=other, basis=basis())


def _summary_queries(client: Client, paramedic: Membership, patient: Patient) -> tuple[int, int]:
    """(queries of the whole request, queries of the summary's own read and audit)."""
    act_as(client, paramedic)
    client.get(summary_url(patient))  # the same session, as a crew reloading the page
    with CaptureQueriesContext(connection) as request_queries:
        assert client.get(summary_url(patient)).status_code == 200
    with CaptureQueriesContext(connection) as own_queries:
        selectors.summary_for(paramedic, patient.public_id)
    return len(request_queries), len(own_queries)


def test_the_summary_takes_the_same_few_queries_at_any_data_size(
    client: Client,
    place: Place,
    paramedic: Membership,
    their_gp: Membership,
    published: PublishedVersion,
) -> None:
    patient = published.plan.patient
    small = _summary_queries(client, paramedic, patient)
    _more_patients(place, their_gp, 12)
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="about_me",
        data={"what_is_most_important_to_me": "Being at home, with Biscuit, and my garden"},
    )
    services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    large = _summary_queries(client, paramedic, patient)
    assert small == large
    assert large[1] <= 5


def test_the_summary_is_light_enough_for_a_slow_phone_connection(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    """HTML <= 30 KB; every asset the page loads <= 150 KB gzipped in all; no htmx."""
    act_as(client, paramedic)
    page = client.get(summary_url(published.plan.patient)).content
    assert len(page) <= 30 * 1024
    html = page.decode()
    assets = set(re.findall(r'(?:href|src)="/static/([^"]+)"', html))
    assets |= set(re.findall(r'from "/static/([^"]+)"', html))
    assert "vendor/nhsuk/nhsuk.min.css" in assets
    assert not any("htmx" in asset for asset in assets)
    compressed = 0
    for asset in assets:
        found = finders.find(asset)
        assert isinstance(found, str), asset
        compressed += len(gzip.compress(Path(found).read_bytes(), 9))
    assert compressed <= 150 * 1024
