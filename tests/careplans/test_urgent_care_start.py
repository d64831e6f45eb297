"""Urgent care's first steps: start on the search, the answer above the form, the details
carried into emergency access, the age beside each match."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from careplans.models import PublishedVersion
from organisations.models import Membership
from tests.careplans.test_summary import find
from tests.conftest import act_as, confirm_identity


def test_urgent_care_start_on_the_search_with_the_nhs_number_focused(
    client: Client, paramedic: Membership, their_gp: Membership
) -> None:
    act_as(client, paramedic)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("patients:emergency_find")
    page = client.get(response["Location"]).content.decode()
    nhs_number = page[page.index('name="nhs_number"') - 200 : page.index('name="nhs_number"') + 200]
    assert "autofocus" in nhs_number
    act_as(client, their_gp)  # clinicians keep their home page
    assert client.get(reverse("home")).status_code == 200


def test_no_patient_found_is_above_the_form_and_carries_the_details_to_emergency_access(
    client: Client, out_of_area_paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, out_of_area_paramedic)
    page = find(client, nhs_number="485 777 3457").content.decode()
    assert page.index("No patient found") < page.index('name="nhs_number"')
    assert 'data-testid="carry-to-break-glass"' in page
    assert "485 777 3457" not in reverse("patients:break_glass")  # never in a URL
    # Emergency access (after the identity check it asks for) opens with the number typed
    # and the reason still to give; once.
    confirm_identity(client)
    response = client.get(reverse("patients:break_glass"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="485 777 3457"' in page
    assert "Give the reason" not in page
    reason = page[page.index('name="reason"') - 300 : page.index('name="reason"') + 100]
    assert "autofocus" in reason
    assert (
        'value="485 777 3457"' not in client.get(reverse("patients:break_glass")).content.decode()
    )


def test_each_match_shows_the_age(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    other = patient  # the same surname and birth date would match twice; one is enough
    act_as(client, paramedic)
    page = find(
        client,
        family_name=patient.family_name,
        date_of_birth_0=str(patient.date_of_birth.day),
        date_of_birth_1=str(patient.date_of_birth.month),
        date_of_birth_2=str(patient.date_of_birth.year),
        postcode=patient.postcode,
    )
    assert page.status_code == 302  # one exact match opens the summary
    summary = client.get(page["Location"]).content.decode()
    assert f"(aged {other.age})" in summary
