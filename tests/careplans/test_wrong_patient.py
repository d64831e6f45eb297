"""Wrong patient (hazard H2): an NHS number typed beside a last name, date of birth or
postcode that its record does not have never opens a summary by itself. The crew sees the
difference and chooses; emergency access is not given on details that disagree."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from organisations.models import Membership
from patients.models import BreakGlassGrant, Patient
from tests.conftest import act_as, confirm_identity
from tests.factories import make_patient

FIND = reverse("patients:emergency_find")


def summary_url(patient: Patient) -> str:
    return reverse("careplans:summary", kwargs={"patient_id": patient.public_id})


def test_an_nhs_number_with_another_last_name_is_shown_and_nothing_opens(
    client: Client, paramedic: Membership, published: PublishedVersion, patient: Patient
) -> None:
    act_as(client, paramedic)
    response = client.post(FIND, {"nhs_number": "485 777 3457", "family_name": "Whitfield"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The details do not match this NHS number" in page
    assert "Whitfield" in page
    assert "Attwater" in page
    assert f'href="{summary_url(patient)}"' in page
    assert not AccessEvent.objects.filter(action=Action.VIEW_SUMMARY).exists()
    event = AccessEvent.objects.get(action=Action.IDENTITY_MISMATCH)
    assert (event.patient_public_id, event.detail["fields"]) == (patient.public_id, ["family_name"])
    assert "Whitfield" not in str(event.detail)


def test_matching_details_beside_the_nhs_number_open_the_summary_at_once(
    client: Client, paramedic: Membership, published: PublishedVersion, patient: Patient
) -> None:
    act_as(client, paramedic)
    response = client.post(
        FIND,
        {
            "nhs_number": "4857773457",
            "family_name": " attwater ",
            "date_of_birth_0": "4",
            "date_of_birth_1": "12",
            "date_of_birth_2": "1940",
        },
    )
    assert (response.status_code, response["Location"]) == (302, summary_url(patient))
    assert not AccessEvent.objects.filter(action=Action.IDENTITY_MISMATCH).exists()


def test_every_detail_that_disagrees_is_listed_with_the_record_beside_it(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, paramedic)
    page = client.post(
        FIND,
        {
            "nhs_number": "4857773457",
            "family_name": "Attwater",
            "date_of_birth_0": "5",
            "date_of_birth_1": "12",
            "date_of_birth_2": "1940",
            "postcode": "n19 5nf",
        },
    ).content.decode()
    assert "5 December 1940" in page
    assert "4 December 1940" in page
    assert "N19 5NF" in page
    assert "Last name" not in page.split("Their record", 1)[1].split("</table>")[0]


def test_the_crew_may_search_by_the_details_they_typed_instead(
    client: Client,
    paramedic: Membership,
    published: PublishedVersion,
    their_gp: Membership,
    place: object,
) -> None:
    other = make_patient(
        registered_by=their_gp,
        practice=their_gp.organisation,
        given_name="Margaret",
        family_name="Whitfield",
        date_of_birth=dt.date(1941, 3, 3),
        postcode="N19 5NF",
    )
    act_as(client, paramedic)
    typed = {
        "family_name": "Whitfield",
        "date_of_birth_0": "3",
        "date_of_birth_1": "3",
        "date_of_birth_2": "1941",
        "postcode": "N19 5NF",
    }
    page = client.post(FIND, {"nhs_number": "4857773457", **typed}).content.decode()
    assert 'data-testid="search-by-details"' in page
    instead = client.post(FIND, typed)
    assert (instead.status_code, instead["Location"]) == (302, summary_url(other))


def test_emergency_access_is_not_given_on_details_that_disagree_and_hides_the_record(
    client: Client, out_of_area_paramedic: Membership, published: PublishedVersion
) -> None:
    confirm_identity(act_as(client, out_of_area_paramedic))
    response = client.post(
        reverse("patients:break_glass"),
        {
            "reason": "999 call: collapsed at a friend's house in Truro",
            "nhs_number": "4857773457",
            "family_name": "Whitfield",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The record of this NHS number has a different last name" in page
    assert "Attwater" not in page
    assert not BreakGlassGrant.objects.exists()
    assert AccessEvent.objects.filter(action=Action.IDENTITY_MISMATCH).count() == 1
