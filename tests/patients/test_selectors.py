from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from audit.models import AccessEvent, Action
from organisations.models import Membership
from patients.models import Patient
from patients.selectors import find_patients, patient_for, visible_patients
from tests.conftest import OUTSIDERS, Place
from tests.factories import make_member


def test_team_members_see_the_patient_and_the_view_is_audited(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    for member in (their_gp, team_nurse):
        assert patient_for(member, patient.public_id) == patient
    views = AccessEvent.objects.filter(action=Action.VIEW, patient_public_id=patient.public_id)
    assert {e.user_id for e in views} == {their_gp.user_id, team_nurse.user_id}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_and_the_refusal_is_recorded_for_the_patient(
    request: pytest.FixtureRequest, patient: Patient, persona: str
) -> None:
    outsider: Membership = request.getfixturevalue(persona)
    assert not visible_patients(outsider).exists()
    with pytest.raises(Http404):
        patient_for(outsider, patient.public_id)
    refusal = AccessEvent.objects.get(action=Action.DENIED, user=outsider.user)
    assert refusal.patient_public_id == patient.public_id
    assert refusal.organisation_public_id == outsider.organisation.public_id


def test_an_unknown_patient_id_is_a_404_recorded_in_the_actor_stream(their_gp: Membership) -> None:
    with pytest.raises(Http404):
        patient_for(their_gp, uuid.uuid4())
    refusal = AccessEvent.objects.get(action=Action.DENIED)
    assert refusal.patient_public_id is None
    assert refusal.stream.key.startswith("actor:")


def test_acting_as_one_membership_never_shows_another_memberships_patients(
    place: Place, patient: Patient
) -> None:
    at_nursing = make_member(place.nursing, username="two-hats")
    at_hospice = make_member(place.hospice, username="two-hats")
    assert at_nursing.user == at_hospice.user
    assert list(visible_patients(at_nursing)) == [patient]
    assert list(visible_patients(at_hospice)) == []


def test_find_is_exact_and_limited_to_the_care_team(
    place: Place, patient: Patient, their_gp: Membership, outsider_clinician: Membership
) -> None:
    assert find_patients(their_gp, nhs_number="485 777 3457") == [patient]
    assert find_patients(their_gp, family_name="attwater", date_of_birth=patient.date_of_birth) == [
        patient
    ]
    assert find_patients(their_gp, family_name="Attw", date_of_birth=patient.date_of_birth) == []
    assert find_patients(outsider_clinician, nhs_number="4857773457") == []
    refused = AccessEvent.objects.get(action=Action.DENIED, user=outsider_clinician.user)
    assert refused.patient_public_id == patient.public_id
