"""Every practice page that takes no patient id, met by everyone who is not the practice's
clinician: refused (403) for roles that find no cases, 404 for another practice's meeting
or search, and never a name of the practice's patients."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Membership, Role
from patients.models import Patient
from practice import services
from practice.models import SearchImport
from register import services as register
from tests.careplans.conftest import today
from tests.conftest import OUTSIDERS, Place, act_as
from tests.factories import make_member

pytestmark = pytest.mark.django_db

OTHER_PRACTICES = ("outsider_clinician", "other_region_clinician")
ROLES_WITHOUT_CASE_FINDING = [p for p in OUTSIDERS if p not in OTHER_PRACTICES]


@pytest.fixture
def ours(their_gp: Membership, patient: Patient) -> dict[str, str]:
    register.register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
    register.surprise_question_record(
        actor=their_gp, patient=patient, would_be_surprised=False, asked_on=today()
    )
    meeting = services.meeting_schedule(actor=their_gp, held_on=today(), attendees="GP")
    services.search_check(actor=their_gp, content=f"NHS number\n{patient.nhs_number}\n".encode())
    search = SearchImport.objects.get()
    return {
        "meeting": reverse("practice:meeting", args=[meeting.public_id]),
        "sheet": reverse("practice:meeting_sheet", args=[meeting.public_id]),
        "confirm": reverse("practice:search_confirm", args=[search.public_id]),
    }


def _people(place: Place, request: pytest.FixtureRequest) -> dict[str, Membership]:
    people = {name: request.getfixturevalue(name) for name in OUTSIDERS if name != "coordinator"}
    people["coordinator"] = make_member(place.coordination, Role.COORDINATOR)
    people["team_nurse"] = request.getfixturevalue("team_nurse")
    return people


@pytest.mark.parametrize("persona", [*ROLES_WITHOUT_CASE_FINDING, "team_nurse"])
def test_roles_that_find_no_cases_are_refused_every_practice_page(
    client: Client,
    place: Place,
    patient: Patient,
    ours: dict[str, str],
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    act_as(client, _people(place, request)[persona])
    pages = [
        reverse("practice:case_finding"),
        reverse("practice:search_upload"),
        reverse("practice:meetings"),
        ours["meeting"],
        ours["sheet"],
    ]
    if persona != "regional_admin":
        pages.append(reverse("practice:register_report"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 403, url
        assert patient.family_name not in response.content.decode()
    assert client.post(ours["confirm"]).status_code == 403
    assert SearchImport.objects.get().status == "checked"


@pytest.mark.parametrize("persona", OTHER_PRACTICES)
def test_another_practices_clinician_finds_only_their_own(
    client: Client,
    patient: Patient,
    ours: dict[str, str],
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    act_as(client, request.getfixturevalue(persona))
    for url in (reverse("practice:case_finding"), reverse("practice:register_report")):
        response = client.get(url)
        assert response.status_code == 200
        assert patient.family_name not in response.content.decode()
    for url in (ours["meeting"], ours["sheet"]):
        assert client.get(url).status_code == 404
    assert client.post(ours["confirm"]).status_code == 404
    assert SearchImport.objects.get().status == "checked"
