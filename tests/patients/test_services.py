from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AccessEvent, Action
from organisations.models import Membership
from patients.models import CareTeamMember, Patient
from patients.permissions import can_view_patient
from patients.services import care_team_add, care_team_remove
from tests.conftest import Place
from tests.factories import make_member, make_patient


def test_registering_puts_the_practice_and_the_registering_team_in_the_care_team(
    place: Place, team_nurse: Membership
) -> None:
    patient = make_patient(registered_by=team_nurse, practice=place.practice)
    team = {m.organisation_id: m.relationship for m in patient.care_team.all()}
    assert team == {place.practice.pk: "registered_gp", place.nursing.pk: "community_nursing"}
    assert patient.home_region == place.region
    assert can_view_patient(team_nurse, patient)
    assert (
        AccessEvent.objects.filter(
            action=Action.REGISTER, patient_public_id=patient.public_id
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nhs_number": "943 476 5918"}, "nhs_number"),
        ({"nhs_number": "12345"}, "nhs_number"),
        ({"postcode": "NOT A CODE"}, "postcode"),
        # Read when the test runs: tomorrow on the clock then in force.
        ({"date_of_birth": lambda: timezone.localdate() + dt.timedelta(days=1)}, "date_of_birth"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_details_are_field_errors_and_nothing_is_saved(
    place: Place, their_gp: Membership, overrides: dict, field: str
) -> None:
    before = (Patient.objects.count(), CareTeamMember.objects.count(), AccessEvent.objects.count())
    details = {name: value() if callable(value) else value for name, value in overrides.items()}
    with pytest.raises(ValidationError) as error:
        make_patient(registered_by=their_gp, practice=place.practice, **details)
    assert field in error.value.message_dict
    assert (
        Patient.objects.count(),
        CareTeamMember.objects.count(),
        AccessEvent.objects.count(),
    ) == before


def test_a_duplicate_nhs_number_is_refused_and_recorded_against_the_existing_patient(
    place: Place, patient: Patient, outsider_clinician: Membership
) -> None:
    with pytest.raises(ValidationError) as error:
        make_patient(
            registered_by=outsider_clinician,
            practice=place.outsider_practice,
            nhs_number=patient.nhs_number,
        )
    assert "cannot be registered by your organisation" in error.value.message_dict["nhs_number"][0]
    assert Patient.objects.count() == 1
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id, user=outsider_clinician.user
    ).exists()


def test_registration_needs_a_gp_practice_of_the_registering_region(
    place: Place, their_gp: Membership
) -> None:
    with pytest.raises(ValidationError) as error:
        make_patient(registered_by=their_gp, practice=place.other_region_practice)
    assert "registered_gp_practice" in error.value.message_dict


def test_roles_that_cannot_register_are_refused(
    place: Place, paramedic: Membership, regional_admin: Membership
) -> None:
    for actor in (paramedic, regional_admin):
        with pytest.raises(PermissionDenied):
            make_patient(registered_by=actor, practice=place.practice)
    assert Patient.objects.count() == 0


def test_joining_the_care_team_grants_access_and_leaving_revokes_it(
    place: Place, patient: Patient, their_gp: Membership
) -> None:
    hospice_nurse = make_member(place.hospice)
    assert not can_view_patient(hospice_nurse, patient)
    member = care_team_add(actor=their_gp, patient=patient, organisation=place.hospice)
    assert can_view_patient(hospice_nurse, patient)
    care_team_remove(actor=their_gp, patient=patient, member=member)
    assert not can_view_patient(hospice_nurse, patient)
    member.refresh_from_db()
    assert member.ended_at is not None
    assert member.ended_by == their_gp.user
    actions = list(
        AccessEvent.objects.filter(patient_public_id=patient.public_id).values_list(
            "action", flat=True
        )
    )
    assert actions[-2:] == [Action.CARE_TEAM_ADD, Action.CARE_TEAM_REMOVE]


def test_an_organisation_can_rejoin_after_leaving(
    place: Place, patient: Patient, their_gp: Membership
) -> None:
    member = care_team_add(actor=their_gp, patient=patient, organisation=place.hospice)
    care_team_remove(actor=their_gp, patient=patient, member=member)
    care_team_add(actor=their_gp, patient=patient, organisation=place.hospice)
    assert CareTeamMember.objects.filter(patient=patient, organisation=place.hospice).count() == 2


def test_care_team_rules(place: Place, patient: Patient, their_gp: Membership) -> None:
    with pytest.raises(ValidationError, match="already in the care team"):
        care_team_add(actor=their_gp, patient=patient, organisation=place.nursing)
    with pytest.raises(ValidationError):
        care_team_add(actor=their_gp, patient=patient, organisation=place.ambulance)
    with pytest.raises(ValidationError):
        care_team_add(actor=their_gp, patient=patient, organisation=place.outsider_practice)
    registered = patient.care_team.get(relationship="registered_gp")
    with pytest.raises(ValidationError, match="registered GP practice cannot be removed"):
        care_team_remove(actor=their_gp, patient=patient, member=registered)


def test_outsiders_cannot_change_the_care_team(
    place: Place, patient: Patient, outsider_clinician: Membership
) -> None:
    nurse_place = patient.care_team.get(organisation=place.nursing)
    with pytest.raises(PermissionDenied):
        care_team_add(actor=outsider_clinician, patient=patient, organisation=place.hospice)
    with pytest.raises(PermissionDenied):
        care_team_remove(actor=outsider_clinician, patient=patient, member=nurse_place)
    assert patient.care_team.filter(ended_at__isnull=True).count() == 2


def test_a_registered_number_and_a_new_one_get_the_same_answer_until_the_form_is_valid(
    place: Place, their_gp: Membership, other_region_clinician: Membership
) -> None:
    """Issue 19, finding 4: with another mistake in the form, a number registered in another
    region answered 'cannot be registered by your organisation' and a new one the other
    mistake: an oracle of who has a record here."""
    elsewhere = make_patient(
        registered_by=other_region_clinician,
        practice=other_region_clinician.organisation,
        nhs_number="9434765919",
    )
    answers = []
    for number in (elsewhere.nhs_number, "9434765870"):
        with pytest.raises(ValidationError) as refused:
            make_patient(
                registered_by=their_gp,
                practice=place.practice,
                nhs_number=number,
                email="x" * 300 + "@example.org",
            )
        answers.append(refused.value.message_dict)
    assert answers[0] == answers[1]
    assert "nhs_number" not in answers[0]
    assert not AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=elsewhere.public_id
    ).exists()
