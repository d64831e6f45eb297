"""Recording a death, and what follows from it in every app, in one transaction: the plan
closes (no more edits or publishing), urgent care see that the person has died, the
co-ordination centre's referrals close and their places are cancelled, the person leaves
the palliative care register (reason: died), and the plan's reminders resolve. A mistaken
record is corrected by a clinician with a reason, or marked as made in error, which reopens
the plan and the register entry. This app sits above careplans, coordination and register
so that it can call them: no signal changes state behind the caller's back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from careplans.models import CarePlan, Death
from careplans.permissions import can_correct_death, can_record_death
from careplans.terminology import ACTUAL_PLACE_OF_DEATH, diagnosis_group
from coordination.services import referrals_close_on_death
from core.tasks import queue_after_commit
from organisations.models import Membership
from patients.dates import age_on
from patients.models import Patient
from profiles.after_death import after_death, after_death_undone
from register.services import register_close_on_death, register_reopen_after_death_in_error

MAX_REASON_LENGTH = 2000
ALREADY_RECORDED = "This person's death is already recorded. Correct that record instead."


@dataclass(frozen=True)
class DeathDetails:
    date_of_death: dt.date | None
    place_of_death: str
    place_name: str = ""


def _validate(patient: Patient, details: DeathDetails) -> dt.date:
    """The date of death, once the details are valid; else ValidationError by field."""
    errors: dict[str, str] = {}
    day = details.date_of_death
    if day is None:
        errors["date_of_death"] = "Enter the date of death"
    elif day > timezone.localdate():
        errors["date_of_death"] = "The date of death cannot be in the future"
    elif day < patient.date_of_birth:
        errors["date_of_death"] = "The date of death cannot be before the person's date of birth"
    if details.place_of_death not in ACTUAL_PLACE_OF_DEATH:
        errors["place_of_death"] = "Choose where the person died"
    if len(details.place_name) > 200:
        errors["place_name"] = "The name of the place must be 200 characters or fewer"
    if errors or day is None:
        raise ValidationError(errors)
    return day


def _locked_plan(patient: Patient) -> CarePlan | None:
    return (
        CarePlan.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .filter(patient=patient)
        .first()
    )


@transaction.atomic
def death_record(*, actor: Membership, patient: Patient, details: DeathDetails) -> Death:
    """Record the death; close the plan, and the person's referrals and places. Raises
    ValidationError with field errors (and when a death is already recorded); nothing is
    saved unless all is well."""
    if not can_record_death(actor, patient):
        raise PermissionDenied
    day = _validate(patient, details)
    if Death.objects.filter(patient=patient, entered_in_error=False).exists():
        raise ValidationError(ALREADY_RECORDED)
    plan = _locked_plan(patient)
    version = plan.current_version if plan is not None else None
    sections = version.snapshot.get("sections", {}) if version is not None else {}
    death = Death(
        patient=patient,
        region_id=patient.home_region_id,
        gp_practice_id=patient.registered_gp_practice_id,
        date_of_death=day,
        place_of_death=details.place_of_death,
        place_name=details.place_name.strip(),
        version_at_death=version,
        preferred_place_of_death=version.preferred_place_of_death if version else "",
        age_at_death=age_on(patient.date_of_birth, day),
        diagnosis_group=diagnosis_group(
            sections.get("clinical", {}).get("primary_palliative_care_diagnosis", "")
        ),
        recorded_by=actor.user,
        recorded_by_organisation=actor.organisation,
    )
    death.full_clean(exclude=["version_at_death"])
    death._history_user = actor.user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            death.save()
    except IntegrityError as twice:  # recorded by someone else a moment ago
        raise ValidationError(ALREADY_RECORDED) from twice
    Patient.objects.filter(pk=patient.pk).update(date_of_death=death.date_of_death)
    patient.date_of_death = death.date_of_death
    if plan is not None:
        plan.closed_at = timezone.now()
        plan.review_due_on = None
        plan.cpr_review_due_on = None
        plan.save(update_fields=["closed_at", "review_due_on", "cpr_review_due_on"])
        queue_after_commit("reminders.update_plan_reminders", str(plan.public_id))
    referrals_close_on_death(actor=actor, patient=patient)
    register_close_on_death(actor=actor, patient=patient, day=day)
    follow_up = after_death(patient=patient, day=day)
    record(
        actor=actor,
        action=Action.DEATH_RECORD,
        patient=patient,
        detail={
            "death": str(death.public_id),
            "plan_closed": plan is not None,
            "bereavement_follow_up": str(follow_up.public_id),
        },
    )
    return death


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ValidationError({"reason": "Say why the record is being changed"})
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": f"The reason must be {MAX_REASON_LENGTH} characters or fewer"}
        )
    return text


@transaction.atomic
def death_correct(*, actor: Membership, death: Death, details: DeathDetails, reason: str) -> Death:
    """Correct the date or place of a death recorded by mistake, saying why."""
    if not can_correct_death(actor, death.patient):
        raise PermissionDenied
    why = _reason(reason)
    day = _validate(death.patient, details)
    locked = Death.objects.select_for_update().get(pk=death.pk, entered_in_error=False)
    locked.date_of_death = day
    locked.age_at_death = age_on(death.patient.date_of_birth, day)
    locked.place_of_death = details.place_of_death
    locked.place_name = details.place_name.strip()
    _amend(actor, locked, why, Action.DEATH_CORRECT, date_of_death=locked.date_of_death)
    return locked


@transaction.atomic
def death_entered_in_error(*, actor: Membership, death: Death, reason: str) -> None:
    """The person has not died (the wrong record, a mistaken report): keep the record,
    marked as made in error, and reopen the plan with its review dates."""
    if not can_correct_death(actor, death.patient):
        raise PermissionDenied
    why = _reason(reason)
    locked = Death.objects.select_for_update().get(pk=death.pk, entered_in_error=False)
    locked.entered_in_error = True
    _amend(actor, locked, why, Action.DEATH_IN_ERROR, date_of_death=None)
    register_reopen_after_death_in_error(actor=actor, patient=death.patient)
    after_death_undone(patient=death.patient)
    plan = _locked_plan(death.patient)
    if plan is not None:
        version = plan.current_version
        plan.closed_at = None
        plan.review_due_on = version.planned_review_date if version else None
        plan.cpr_review_due_on = version.cpr_review_date if version else None
        plan.save(update_fields=["closed_at", "review_due_on", "cpr_review_due_on"])
        queue_after_commit("reminders.update_plan_reminders", str(plan.public_id))


def _amend(
    actor: Membership, locked: Death, why: str, action: Action, *, date_of_death: dt.date | None
) -> None:
    """Save a change to the record with its reason in the history, keep the patient's date
    of death in step, and audit it. Precondition: `locked` is locked in this transaction."""
    locked.corrected_at = timezone.now()
    locked.correction_reason = why
    locked._history_user = actor.user  # type: ignore[attr-defined]
    locked._change_reason = why  # type: ignore[attr-defined]
    locked.save()
    Patient.objects.filter(pk=locked.patient_id).update(date_of_death=date_of_death)
    record(
        actor=actor,
        action=action,
        patient=locked.patient,
        reason=why,
        detail={"death": str(locked.public_id)},
    )
