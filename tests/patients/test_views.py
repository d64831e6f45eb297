from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import Membership
from patients.models import Patient
from tests.conftest import Place, act_as
from tests.factories import make_patient

FIND = reverse("patients:find")


def _detail(patient: Patient) -> str:
    return reverse("patients:detail", kwargs={"patient_id": patient.public_id})


def test_the_patient_page_shows_demographics_and_care_team_and_is_audited(
    client: Client, patient: Patient, team_nurse: Membership
) -> None:
    act_as(client, team_nurse)
    page = client.get(_detail(patient)).content.decode()
    assert "Winifred ATTWATER" in page
    assert "485 777 3457" in page
    assert "Highgate Hill Surgery" in page
    assert "Islington Community Nursing" in page
    event = AccessEvent.objects.filter(
        action=Action.VIEW, patient_public_id=patient.public_id
    ).get()
    assert event.user == team_nurse.user
    assert event.ip_address == "127.0.0.1"


def test_my_patients_lists_the_care_teams_patients(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    page = client.get(reverse("careplans:worklist")).content.decode()
    assert "Winifred ATTWATER" in page
    assert "485 777 3457" in page
    assert AccessEvent.objects.filter(action=Action.LIST, user=their_gp.user).count() == 1


def _list_queries(client: Client, membership: Membership) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("careplans:worklist"), {"sort": "dob"})
    assert response.status_code == 200
    return len(queries)


def test_my_patients_issues_the_same_number_of_queries_for_5_and_50_patients(
    client: Client, place: Place, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    for _ in range(5):
        make_patient(registered_by=their_gp, practice=place.practice)
    client.get(reverse("careplans:worklist"))  # warm the session and the audit stream
    with_5 = _list_queries(client, their_gp)
    for _ in range(45):
        make_patient(registered_by=their_gp, practice=place.practice)
    with_50 = _list_queries(client, their_gp)
    assert with_5 == with_50


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("persona", ["outsider_clinician", "other_region_clinician"])
def test_an_outsiders_search_for_an_existing_nhs_number_looks_like_no_patient(
    client: Client, request: pytest.FixtureRequest, patient: Patient, persona: str
) -> None:
    act_as(client, request.getfixturevalue(persona))
    existing = client.post(FIND, {"nhs_number": "485 777 3457"})
    missing = client.post(FIND, {"nhs_number": "401 023 2137"})
    assert existing.status_code == missing.status_code == 200
    # Identical but for the number the person typed, which the form shows back to them.
    as_if_missing = existing.content.decode().replace("485 777 3457", "401 023 2137")
    assert _without_csrf(as_if_missing) == _without_csrf(missing.content.decode())
    assert "No matching patient" in existing.content.decode()
    assert "ATTWATER" not in existing.content.decode()


def test_search_by_name_and_date_of_birth(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.post(
        FIND,
        {
            "family_name": "Attwater",
            "date_of_birth_0": "4",
            "date_of_birth_1": "12",
            "date_of_birth_2": "1940",
        },
    )
    assert "Winifred ATTWATER" in response.content.decode()
    search = AccessEvent.objects.get(action=Action.SEARCH)
    assert search.detail == {
        "page": "find",
        "method": "name_and_date_of_birth",
        "results": [str(patient.public_id)],
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "not a valid NHS number"),
        ({"nhs_number": "12"}, "10 digits"),
        ({}, "Enter an NHS number, or a last name and date of birth"),
        ({"family_name": "Attwater"}, "Enter the date of birth as well"),
        (
            {
                "family_name": "A",
                "date_of_birth_0": "31",
                "date_of_birth_1": "2",
                "date_of_birth_2": "1940",
            },
            "must be a real date",
        ),
    ],
)
def test_bad_searches_get_clear_errors_and_search_nothing(
    client: Client, patient: Patient, their_gp: Membership, data: dict, message: str
) -> None:
    act_as(client, their_gp)
    response = client.post(FIND, data)
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.SEARCH).exists()


def test_search_terms_never_appear_in_the_url(client: Client, their_gp: Membership) -> None:
    act_as(client, their_gp)
    page = client.get(FIND).content.decode()
    assert '<form method="post"' in page


REGISTRATION = {
    "nhs_number": "401 023 2137",
    "nhs_number_status": "01",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth_0": "10",
    "date_of_birth_1": "12",
    "date_of_birth_2": "1935",
    "address_line_1": "12 St James's Square",
    "postcode": "sw1y4jh",
}


def test_registering_a_patient(client: Client, place: Place, team_nurse: Membership) -> None:
    act_as(client, team_nurse)
    response = client.post(
        reverse("patients:register"), {**REGISTRATION, "registered_gp_practice": place.practice.pk}
    )
    patient = Patient.objects.get(nhs_number="4010232137")
    assert response["Location"] == _detail(patient)
    assert patient.postcode == "SW1Y 4JH"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nhs_number": "401 023 2138"}, "nhs_number", "not a valid NHS number"),
        ({"postcode": "ZZ"}, "postcode", "real UK postcode"),
        ({"date_of_birth_2": "2999"}, "date_of_birth_0", "today or in the past"),
        ({"nhs_number": "485 777 3457"}, "nhs_number", "cannot be registered by your organisation"),
        ({"given_name": ""}, "given_name", "Enter the first name"),
    ],
)
def test_bad_registrations_show_field_errors_and_save_nothing(
    client: Client,
    place: Place,
    patient: Patient,
    their_gp: Membership,
    change: dict,
    field: str,
    message: str,
) -> None:
    act_as(client, their_gp)
    response = client.post(
        reverse("patients:register"),
        {**REGISTRATION, "registered_gp_practice": place.practice.pk, **change},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'href="#id_{field}"' in page
    assert Patient.objects.count() == 1


def test_adding_and_removing_a_care_team_member_through_the_pages(
    client: Client, place: Place, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    add = reverse("patients:care_team_add", kwargs={"patient_id": patient.public_id})
    assert "Heathside Hospice" in client.get(add).content.decode()
    response = client.post(add, {"organisation": str(place.hospice.public_id)})
    assert response["Location"] == _detail(patient)
    member = patient.care_team.get(organisation=place.hospice, ended_at__isnull=True)
    remove = reverse(
        "patients:care_team_remove",
        kwargs={"patient_id": patient.public_id, "member_id": member.public_id},
    )
    client.post(remove)
    assert not patient.care_team.filter(organisation=place.hospice, ended_at__isnull=True).exists()


def test_a_team_member_without_the_capability_gets_403_and_nothing_changes(
    client: Client, place: Place, patient: Patient, their_gp: Membership
) -> None:
    from organisations.models import OrganisationKind, Role
    from patients.services import care_team_add
    from tests.factories import make_member, make_organisation

    social = make_organisation(kind=OrganisationKind.SOCIAL_CARE, region=place.region)
    care_team_add(actor=their_gp, patient=patient, organisation=social)
    act_as(client, make_member(social, Role.SOCIAL_WORKER))
    add = reverse("patients:care_team_add", kwargs={"patient_id": patient.public_id})
    assert client.post(add, {"organisation": str(place.hospice.public_id)}).status_code == 403
    assert not patient.care_team.filter(organisation=place.hospice).exists()
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id, role="social_worker"
    ).exists()
    assert client.get(_detail(patient)).status_code == 200
