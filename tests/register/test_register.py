"""The practice's palliative care register and identification: who may keep it, what is
refused and why, the history kept, the audit, and the plan's tick box as a view of it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import CarePlan, PlanSection, WorkingCopy
from deaths.services import DeathDetails, death_entered_in_error, death_record
from organisations.models import Membership
from patients.models import Patient
from register import services
from register.models import RegisterEntry, RemovalReason, Route
from register.terminology import STAGE_B, STAGE_C
from tests.careplans.conftest import today
from tests.conftest import act_as

pytestmark = pytest.mark.django_db


def _add(their_gp: Membership, patient: Patient, **changes: object) -> RegisterEntry:
    details: dict[str, object] = {
        "added_on": today(),
        "route": Route.SURPRISE_QUESTION,
        "stage": STAGE_B,
    }
    details.update(changes)
    return services.register_add(actor=their_gp, patient=patient, **details)  # type: ignore[arg-type]


def _events(action: Action, patient: Patient) -> int:
    return AccessEvent.objects.filter(action=action, patient_public_id=patient.public_id).count()


def test_their_gp_adds_and_removes_a_person_and_the_history_and_audit_are_kept(
    their_gp: Membership, patient: Patient
) -> None:
    entry = _add(their_gp, patient)
    assert (entry.practice, entry.added_by, entry.stage) == (
        their_gp.organisation,
        their_gp.user,
        STAGE_B,
    )
    services.register_remove(
        actor=their_gp,
        patient=patient,
        removed_on=today(),
        reason=RemovalReason.NO_LONGER_APPROPRIATE,
        note="Stable for a year",
    )
    entry.refresh_from_db()
    assert entry.removal_reason == RemovalReason.NO_LONGER_APPROPRIATE
    assert entry.history.count() == 2
    again = _add(their_gp, patient, stage=STAGE_C)
    assert RegisterEntry.objects.filter(patient=patient).count() == 2
    assert again.removed_on is None
    assert _events(Action.REGISTER_ADD, patient) == 2
    assert _events(Action.REGISTER_REMOVE, patient) == 1


def test_adding_twice_or_removing_someone_not_on_it_is_refused_clearly(
    their_gp: Membership, patient: Patient
) -> None:
    with pytest.raises(ValidationError, match="is not on the practice's palliative care register"):
        services.register_remove(
            actor=their_gp, patient=patient, removed_on=today(), reason=RemovalReason.DIED
        )
    _add(their_gp, patient)
    with pytest.raises(ValidationError, match="already on the practice's palliative care register"):
        _add(their_gp, patient)
    assert RegisterEntry.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"added_on": None}, "added_on", "Enter the date they were added"),
        (
            {"added_on": dt.date(2999, 1, 1)},
            "added_on",
            "The date they were added must be today or in the past",
        ),
        ({"added_on": dt.date(1900, 1, 1)}, "added_on", "before the person's date of birth"),
        ({"route": "a hunch"}, "route", "Choose how the person was identified"),
        ({"route": Route.CARE_PLAN}, "route", "Choose how the person was identified"),
        ({"stage": "E"}, "stage", "Choose one of the stages listed"),
        ({"note": "x" * 2001}, "note", "2000 characters or fewer"),
    ],
)
def test_bad_details_are_refused_by_field_and_nothing_is_saved(
    their_gp: Membership, patient: Patient, changes: dict, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(their_gp, patient, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not RegisterEntry.objects.exists()
    assert _events(Action.REGISTER_ADD, patient) == 0


def test_a_removal_cannot_be_dated_before_the_person_was_added(
    their_gp: Membership, patient: Patient
) -> None:
    _add(their_gp, patient)
    with pytest.raises(ValidationError) as refused:
        services.register_remove(
            actor=their_gp,
            patient=patient,
            removed_on=today() - dt.timedelta(days=1),
            reason="",
        )
    assert "cannot be before they were added" in refused.value.message_dict["removed_on"][0]
    assert refused.value.message_dict["removal_reason"] == [
        "Choose why the person is being removed"
    ]


def test_only_clinicians_of_the_persons_own_practice_in_their_care_team_keep_it(
    their_gp: Membership, team_nurse: Membership, outsider_clinician: Membership, patient: Patient
) -> None:
    for other in (team_nurse, outsider_clinician):
        with pytest.raises(PermissionDenied):
            _add(other, patient)
        with pytest.raises(PermissionDenied):
            services.surprise_question_record(
                actor=other, patient=patient, would_be_surprised=False, asked_on=today()
            )
    assert not RegisterEntry.objects.exists()


def test_a_death_takes_the_person_off_the_register_and_a_death_in_error_puts_them_back(
    their_gp: Membership, patient: Patient
) -> None:
    entry = _add(their_gp, patient)
    death = death_record(
        actor=their_gp, patient=patient, details=DeathDetails(today(), "876879006")
    )
    entry.refresh_from_db()
    assert (entry.removed_on, entry.removal_reason) == (today(), RemovalReason.DIED)
    with pytest.raises(ValidationError, match="has died"):
        _add(their_gp, Patient.objects.get(pk=patient.pk))
    death_entered_in_error(actor=their_gp, death=death, reason="The wrong person")
    entry.refresh_from_db()
    assert (entry.removed_on, entry.removal_reason) == (None, "")


def test_identification_is_dated_attributed_and_never_scored(
    their_gp: Membership, patient: Patient
) -> None:
    answer = services.surprise_question_record(
        actor=their_gp, patient=patient, would_be_surprised=False, asked_on=today()
    )
    assert answer.answer_plain == "No, would not be surprised"
    spict = services.spict_record(
        actor=their_gp,
        patient=patient,
        assessed_on=today(),
        general=["weight_loss", "unplanned_admissions", "weight_loss"],
        clinical=["heart.breathless"],
    )
    assert spict.general == ["unplanned_admissions", "weight_loss"]
    assert not hasattr(spict, "score")
    with pytest.raises(ValidationError) as nothing:
        services.spict_record(
            actor=their_gp, patient=patient, assessed_on=today(), general=[], clinical=[]
        )
    assert "at least one indicator" in nothing.value.message_dict["general"][0]
    with pytest.raises(ValidationError) as unknown:
        services.spict_record(
            actor=their_gp, patient=patient, assessed_on=today(), general=["made_up"], clinical=[]
        )
    assert unknown.value.message_dict["general"] == ["Choose only the indicators listed"]
    with pytest.raises(ValidationError) as no_phase:
        services.phase_record(actor=their_gp, patient=patient, phase="fine", assessed_on=today())
    assert no_phase.value.message_dict["phase"] == ["Choose the phase of illness"]
    services.phase_record(
        actor=their_gp, patient=patient, phase="deteriorating", assessed_on=today()
    )
    assert _events(Action.IDENTIFY, patient) == 3


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def test_the_pages_add_record_and_show_the_register_and_keep_what_was_typed_on_an_error(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    page = reverse("register:register", args=[patient.public_id])
    assert "Not on the palliative care register" in client.get(page).content.decode()
    add = reverse("register:add", args=[patient.public_id])
    bad = client.post(add, {**_date("added_on", today()), "note": "Agreed at the meeting"})
    text = bad.content.decode()
    assert bad.status_code == 200
    assert "Choose how the person was identified" in text
    assert "Agreed at the meeting" in text
    good = client.post(
        add, {**_date("added_on", today()), "route": "spict", "stage": STAGE_B, "note": ""}
    )
    assert good.status_code == 302
    shown = client.get(page).content.decode()
    assert "On the palliative care register" in shown
    assert "B (green): months" in shown
    client.post(
        reverse("register:spict", args=[patient.public_id]),
        {
            **_date("recorded_on", today()),
            "general": ["weight_loss"],
            "clinical_kidney": ["kidney.ckd"],
        },
    )
    shown = client.get(page).content.decode()
    assert "Has lost weight, or stays underweight" in shown
    assert "Kidney disease: Chronic kidney disease stage 4 or 5" in shown
    twice = client.post(add, {**_date("added_on", today()), "route": "spict"})
    assert "already on the practice" in twice.content.decode()
    overview = client.get(reverse("careplans:overview", args=[patient.public_id])).content.decode()
    assert "On the palliative care register since" in overview


def test_a_box_ticked_before_the_register_is_shown_read_only_and_the_api_says_where_it_went(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    plan = CarePlan.objects.create(patient=patient)
    copy = WorkingCopy.objects.create(plan=plan)
    PlanSection.objects.create(
        working_copy=copy,
        key="clinical",
        data={"on_palliative_care_register": True, "gsf_prognostic_indicator_stage": STAGE_C},
        updated_by=their_gp.user,
    )
    act_as(client, their_gp)
    overview = client.get(reverse("careplans:overview", args=[patient.public_id])).content.decode()
    assert "ticked in the plan, before the register was kept here" in overview
    put = client.put(
        f"/api/v1/patients/{patient.public_id}/plan/sections/clinical/",
        json.dumps({"items": {"on_palliative_care_register": True}}),
        content_type="application/json",
    )
    assert put.status_code == 400
    assert put.json() == {
        "on_palliative_care_register": [
            "The palliative care register is kept by the practice, not in the plan"
        ]
    }


def test_the_migration_puts_people_whose_plan_had_the_box_ticked_on_their_practice_register(
    their_gp: Membership, patient: Patient
) -> None:
    import importlib

    migration = importlib.import_module("register.migrations.0002_from_the_plans_tick_box")
    plan = CarePlan.objects.create(patient=patient)
    copy = WorkingCopy.objects.create(plan=plan)
    PlanSection.objects.create(
        working_copy=copy,
        key="clinical",
        data={"on_palliative_care_register": True, "gsf_prognostic_indicator_stage": STAGE_C},
        updated_by=their_gp.user,
    )
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # safe to run again
    entry = RegisterEntry.objects.get(patient=patient)
    assert (entry.route, entry.stage, entry.practice_id, entry.added_by) == (
        Route.CARE_PLAN,
        STAGE_C,
        patient.registered_gp_practice_id,
        their_gp.user,
    )
