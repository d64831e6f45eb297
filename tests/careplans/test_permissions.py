"""Who may edit which section, for people in the care team: the matrix the issue asks for."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from careplans import services
from careplans.permissions import can_edit_section, can_publish_plan, can_view_plan
from careplans.sections import SECTIONS
from organisations.models import Membership, OrganisationKind, Role
from patients.models import Patient
from patients.services import care_team_add
from tests.conftest import Place
from tests.factories import make_member, make_organisation

NON_CLINICAL = {"about_me", "key_contacts", "equipment"}


@pytest.fixture
def team(
    place: Place, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> dict[str, Membership]:
    social = make_organisation(kind=OrganisationKind.SOCIAL_CARE, region=place.region)
    carehome = make_organisation(kind=OrganisationKind.CARE_HOME, region=place.region)
    for organisation in (social, carehome):
        care_team_add(actor=their_gp, patient=patient, organisation=organisation)
    return {
        "senior clinician": their_gp,
        "clinician": team_nurse,
        "social worker": make_member(social, Role.SOCIAL_WORKER),
        "care home staff": make_member(carehome, Role.CARE_HOME_STAFF),
    }


EXPECTED = {
    "senior clinician": {s.key for s in SECTIONS},
    "clinician": {s.key for s in SECTIONS} - {"cpr_decision"},
    "social worker": NON_CLINICAL,
    "care home staff": NON_CLINICAL,
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_section_permission_matrix(team: dict[str, Membership], patient: Patient, who: str) -> None:
    allowed = {s.key for s in SECTIONS if can_edit_section(team[who], patient, s)}
    assert allowed == EXPECTED[who]
    assert can_view_plan(team[who], patient)
    assert can_publish_plan(team[who], patient) == (who in {"senior clinician", "clinician"})


def test_a_nurse_cannot_change_the_cpr_decision(
    team: dict[str, Membership], patient: Patient
) -> None:
    with pytest.raises(PermissionDenied):
        services.section_save(
            actor=team["clinician"],
            patient=patient,
            key="cpr_decision",
            data={"cpr_decision": "450475007"},
        )


def test_a_care_home_user_edits_about_me_but_not_medicines(
    team: dict[str, Membership], patient: Patient
) -> None:
    services.section_save(
        actor=team["care home staff"],
        patient=patient,
        key="about_me",
        data={"what_is_most_important_to_me": "Music"},
    )
    with pytest.raises(PermissionDenied):
        services.section_save(
            actor=team["care home staff"],
            patient=patient,
            key="medications",
            data={"current_medication": "x"},
        )


@pytest.mark.parametrize(
    "persona", ["paramedic", "call_handler", "regional_admin", "coordinator", "outsider_clinician"]
)
def test_everyone_else_reads_and_edits_nothing(
    request: pytest.FixtureRequest, patient: Patient, persona: str
) -> None:
    other: Membership = request.getfixturevalue(persona)
    assert not can_view_plan(other, patient)
    assert not any(can_edit_section(other, patient, s) for s in SECTIONS)
