"""Readiness for home: each item red, amber or green with why, by stage; bad input refused
with nothing saved; an item turning red at stage C or D tells the key worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from organisations.models import Membership
from patients.models import Patient
from profiles.models import ReadinessKind, ReadinessRecord
from profiles.readiness import Rag, assess
from profiles.readiness_selectors import readiness_of
from profiles.readiness_services import readiness_record, readiness_sweep
from profiles.terminology import Stage
from register.models import RegisterEntry
from register.services import register_add
from register.terminology import STAGE_A, STAGE_C
from reminders.models import Delivery, Kind
from tests.conftest import act_as
from tests.factories import make_key_worker
from tests.profiles.conftest import publish_profile

TODAY = dt.date(2026, 6, 1)


def _staged(gp: Membership, patient: Patient, stage: str) -> None:
    register_add(
        actor=gp, patient=patient, added_on=timezone.localdate(), route="own_request", stage=stage
    )


@pytest.mark.parametrize(
    ("kind", "data", "stage", "rag", "why"),
    [
        (ReadinessKind.MEDICINES, None, Stage.C, Rag.RED, "No just-in-case medicines"),
        (ReadinessKind.MEDICINES, None, Stage.A, Rag.AMBER, "No just-in-case medicines"),
        (
            ReadinessKind.MEDICINES,
            {
                "prescribed_on": "2026-05-01",
                "issued_on": "2026-05-02",
                "kept_at": "Kitchen",
                "expires_on": "2026-05-31",
            },
            Stage.B,
            Rag.RED,
            "Expired on 31 May 2026",
        ),
        (
            ReadinessKind.MEDICINES,
            {
                "prescribed_on": "2026-05-01",
                "issued_on": "2026-05-02",
                "kept_at": "Kitchen",
                "expires_on": "2026-06-10",
            },
            Stage.C,
            Rag.AMBER,
            "Expire on 10 June 2026",
        ),
        (
            ReadinessKind.MEDICINES,
            {
                "prescribed_on": "2026-05-01",
                "issued_on": "2026-05-02",
                "kept_at": "Kitchen",
                "expires_on": "2026-12-01",
            },
            Stage.D,
            Rag.GREEN,
            "Issued, kept Kitchen",
        ),
        (
            ReadinessKind.EQUIPMENT,
            {"needed": ["hoist"], "delivered": []},
            Stage.D,
            Rag.RED,
            "Not delivered: Hoist",
        ),
        (
            ReadinessKind.EQUIPMENT,
            {"needed": ["hoist"], "delivered": []},
            Stage.B,
            Rag.AMBER,
            "Not delivered: Hoist",
        ),
        (ReadinessKind.EQUIPMENT, {"needed": [], "delivered": []}, Stage.D, Rag.GREEN, "None"),
        (ReadinessKind.CARER, {"situation": "breakdown"}, Stage.A, Rag.RED, "cannot carry on"),
        (ReadinessKind.FORM_AT_HOME, {"at_home": "no"}, Stage.C, Rag.RED, "No ReSPECT"),
        (ReadinessKind.PREFERRED_PLACE, {"achievable": "at_risk"}, Stage.D, Rag.AMBER, "At risk"),
    ],
)
def test_each_item_has_a_colour_and_says_why(
    kind: ReadinessKind, data: dict | None, stage: Stage, rag: Rag, why: str
) -> None:
    found = assess(kind, data, stage=stage, today=TODAY)
    assert found.rag == rag
    assert why in found.why


def test_the_carer_comes_from_the_needs_assessment_until_recorded() -> None:
    found = assess(
        ReadinessKind.CARER, None, stage=Stage.C, today=TODAY, carer_from_assessment="struggling"
    )
    assert (found.rag, found.why) == (
        Rag.AMBER,
        "The carer is struggling (from the needs assessment)",
    )


def test_bad_input_is_a_clear_error_and_nothing_is_saved(
    patient: Patient, their_gp: Membership
) -> None:
    today = timezone.localdate()
    for data, field in (
        (
            {
                "prescribed_on": today,
                "issued_on": today,
                "kept_at": "Kitchen",
                "expires_on": today - dt.timedelta(days=1),
            },
            "expires_on",
        ),
        (
            {"prescribed_on": today, "issued_on": today, "kept_at": "", "expires_on": None},
            "kept_at",
        ),
        ({"prescribed_on": today + dt.timedelta(days=1)}, "prescribed_on"),
        ({"prescribed_on": today, "issued_on": today - dt.timedelta(days=3)}, "issued_on"),
    ):
        with pytest.raises(ValidationError) as refused:
            readiness_record(
                actor=their_gp, patient=patient, kind=ReadinessKind.MEDICINES, data=data
            )
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        readiness_record(
            actor=their_gp,
            patient=patient,
            kind=ReadinessKind.EQUIPMENT,
            data={"needed": ["commode"], "delivered": ["hoist"]},
        )
    assert "delivered" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        readiness_record(
            actor=their_gp,
            patient=patient,
            kind=ReadinessKind.PREFERRED_PLACE,
            data={"achievable": "no"},
        )
    assert "note" in refused.value.message_dict  # say why
    assert not ReadinessRecord.objects.exists()


def test_an_item_turning_red_at_stage_c_tells_the_key_worker_once(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    _staged(their_gp, patient, STAGE_C)
    make_key_worker(by=their_gp, patient=patient, worker=team_nurse)
    needs_bed = {"needed": ["profiling_bed"], "delivered": []}
    readiness_record(actor=their_gp, patient=patient, kind=ReadinessKind.EQUIPMENT, data=needs_bed)
    told = Delivery.objects.filter(
        notification__kind=Kind.READINESS_RED, notification__patient=patient
    )
    assert list(told.values_list("membership", flat=True)) == [team_nurse.pk]
    assert "Not delivered: Profiling bed" in told.get().notification.about
    # Still red: nobody is told again; green then red again: told again.
    readiness_record(actor=their_gp, patient=patient, kind=ReadinessKind.EQUIPMENT, data=needs_bed)
    assert told.count() == 1
    readiness_record(
        actor=their_gp,
        patient=patient,
        kind=ReadinessKind.EQUIPMENT,
        data={"needed": ["profiling_bed"], "delivered": ["profiling_bed"]},
    )
    assert readiness_of(patient, timezone.localdate()).item(ReadinessKind.EQUIPMENT).rag == "green"
    readiness_record(
        actor=their_gp, patient=patient, kind=ReadinessKind.FORM_AT_HOME, data={"at_home": "no"}
    )
    assert told.count() == 2
    assert (
        AccessEvent.objects.filter(
            action=Action.READINESS_RECORD, patient_public_id=patient.public_id
        ).count()
        == 4
    )


def test_red_at_stage_a_tells_nobody(patient: Patient, their_gp: Membership) -> None:
    _staged(their_gp, patient, STAGE_A)
    readiness_record(
        actor=their_gp,
        patient=patient,
        kind=ReadinessKind.CARER,
        data={"situation": "breakdown"},
    )
    assert not Delivery.objects.filter(notification__kind=Kind.READINESS_RED).exists()


def test_only_the_care_teams_clinicians_record_and_not_after_a_death(
    patient: Patient,
    team_nurse: Membership,
    outsider_clinician: Membership,
    coordinator: Membership,
) -> None:
    for who in (outsider_clinician, coordinator):
        with pytest.raises(PermissionDenied):
            readiness_record(
                actor=who, patient=patient, kind=ReadinessKind.SPA_GIVEN, data={"given": "yes"}
            )
    readiness_record(
        actor=team_nurse, patient=patient, kind=ReadinessKind.SPA_GIVEN, data={"given": "yes"}
    )
    Patient.objects.filter(pk=patient.pk).update(date_of_death=timezone.localdate())
    patient.refresh_from_db()
    with pytest.raises(PermissionDenied):
        readiness_record(
            actor=team_nurse, patient=patient, kind=ReadinessKind.SPA_GIVEN, data={"given": "no"}
        )


def test_the_gp_fixes_a_red_item_beside_the_care_profile(
    client: Client,
    patient: Patient,
    their_gp: Membership,
    team_nurse: Membership,
    regional_admin: Membership,
) -> None:
    publish_profile(regional_admin)
    _staged(their_gp, patient, STAGE_C)
    make_key_worker(by=their_gp, patient=patient, worker=team_nurse)
    act_as(client, their_gp)
    url = reverse("profiles:readiness", kwargs={"patient_id": patient.public_id})
    page = client.get(url).content.decode()
    assert "You may have weeks." in page  # the profile for stage C, beside it
    assert 'data-testid="readiness-form_at_home"' in page
    item = reverse(
        "profiles:readiness_item", kwargs={"patient_id": patient.public_id, "kind": "form_at_home"}
    )
    refused = client.post(item, {"note": ""})
    assert "Say whether the form is at home" in refused.content.decode()
    assert client.post(item, {"at_home": "yes", "note": "On the fridge"}).status_code == 302
    fixed = client.get(url).content.decode()
    assert "The form is at home for a crew to see" in fixed
    assert "On the fridge" in fixed
    assert (
        client.get(
            reverse(
                "profiles:readiness_item", kwargs={"patient_id": patient.public_id, "kind": "x"}
            )
        ).status_code
        == 404
    )
    plan = client.get(reverse("careplans:overview", kwargs={"patient_id": patient.public_id}))
    assert 'data-testid="readiness-summary"' in plan.content.decode()


def test_medicines_that_expire_later_tell_the_key_worker_once(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    _staged(their_gp, patient, STAGE_C)
    make_key_worker(by=their_gp, patient=patient, worker=team_nurse)
    today = timezone.localdate()
    readiness_record(
        actor=their_gp,
        patient=patient,
        kind=ReadinessKind.MEDICINES,
        data={
            "prescribed_on": today,
            "issued_on": today,
            "kept_at": "Kitchen",
            "expires_on": today + dt.timedelta(days=30),
        },
    )
    assert readiness_sweep(today=today + dt.timedelta(days=30)) == 0
    later = today + dt.timedelta(days=31)
    assert readiness_sweep(today=later) == 1
    readiness_sweep(today=later)  # again: nobody told twice
    told = Delivery.objects.filter(notification__kind=Kind.READINESS_RED)
    assert list(told.values_list("membership", flat=True)) == [team_nurse.pk]
    assert "Expired on" in told.get().notification.about


def test_moving_to_stage_c_with_something_missing_tells_the_key_worker_next_morning(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    make_key_worker(by=their_gp, patient=patient, worker=team_nurse)
    _staged(their_gp, patient, STAGE_A)
    readiness_record(
        actor=their_gp,
        patient=patient,
        kind=ReadinessKind.EQUIPMENT,
        data={"needed": ["hoist"], "delivered": []},
    )  # amber at stage A: nobody told
    assert readiness_sweep() == 0
    # Staged C at the practice meeting (the register's entry, as the meeting would leave it).
    RegisterEntry.objects.filter(patient=patient).update(stage=STAGE_C)
    assert readiness_sweep() == 1
    readiness_sweep()
    told = Delivery.objects.filter(notification__kind=Kind.READINESS_RED)
    assert list(told.values_list("membership", flat=True)) == [team_nurse.pk]
    assert "Not delivered: Hoist" in told.get().notification.about
