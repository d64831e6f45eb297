from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.backends.signals import connection_created
from django.http import Http404
from guardian.shortcuts import assign_perm

from audit.models import AccessEvent, Action
from organisations.models import Membership, Role
from patients import permissions
from patients.models import Patient, PatientGroupObjectPermission
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


def test_the_care_team_check_reads_the_permission_again_when_permissions_are_made_again(
    request: pytest.FixtureRequest, patient: Patient, their_gp: Membership
) -> None:
    """care_team_grants holds the view_patient permission's id in the process: a permission
    made afresh (a migration, a test's flush) is read again, never matched by a stale id."""
    # The test's rollback brings the first permission back, without a signal.
    request.addfinalizer(permissions.forget_permission_ids)
    assert list(visible_patients(their_gp)) == [patient]  # the id is now held
    Permission.objects.get(codename="view_patient", content_type__app_label="patients").delete()
    assert not PatientGroupObjectPermission.objects.exists()  # the grants went with it
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # makes it again
    assign_perm("patients.view_patient", their_gp.organisation.group, patient)
    assert list(visible_patients(their_gp)) == [patient]


@pytest.mark.parametrize("event", ["migrated", "connected"])
def test_a_held_permission_id_is_read_again_after_a_migration_or_on_a_new_connection(
    monkeypatch: pytest.MonkeyPatch, patient: Patient, their_gp: Membership, event: str
) -> None:
    assert list(visible_patients(their_gp)) == [patient]
    held = permissions._view_patient_ids
    # As if the permission had been made again under another id, by another process.
    monkeypatch.setitem(held, "default", -1)
    assert not visible_patients(their_gp).exists()  # a stale id narrows, never widens
    if event == "migrated":
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    else:
        connection_created.send(sender=type(connection), connection=connection)
    assert held == {}
    assert list(visible_patients(their_gp)) == [patient]


def _seen_through_sql(viewer: Membership) -> set[int]:
    condition, values = permissions.care_team_sql(viewer, "patient.id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT patient.id FROM patients_patient patient WHERE {condition}", values)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("persona", ["their_gp", "team_nurse", "practice_commissioner", *OUTSIDERS])
def test_the_care_team_check_in_sql_sees_exactly_whom_visible_patients_sees(
    request: pytest.FixtureRequest,
    place: Place,
    patient: Patient,
    other_patient: Patient,
    persona: str,
) -> None:
    """Including a role that sees no records at all, in an organisation of the care team."""
    viewer: Membership = (
        make_member(place.practice, Role.COMMISSIONER)
        if persona == "practice_commissioner"
        else request.getfixturevalue(persona)
    )
    seen = set(visible_patients(viewer).values_list("pk", flat=True))
    assert _seen_through_sql(viewer) == seen
    assert bool(seen) == (persona in ("their_gp", "team_nurse"))


def test_the_care_team_check_in_sql_sees_nobody_by_a_stale_or_missing_permission(
    monkeypatch: pytest.MonkeyPatch, patient: Patient, their_gp: Membership
) -> None:
    assert _seen_through_sql(their_gp) == {patient.pk}
    monkeypatch.setitem(permissions._view_patient_ids, "default", -1)
    assert _seen_through_sql(their_gp) == set()
    monkeypatch.setattr(permissions, "view_patient_permission_id", lambda: None)
    assert _seen_through_sql(their_gp) == set()


def test_the_care_team_check_in_sql_takes_a_column_name_and_nothing_else(
    their_gp: Membership,
) -> None:
    with pytest.raises(ValueError, match="not a column"):
        permissions.care_team_sql(their_gp, "patient.id) OR (1 = 1")
