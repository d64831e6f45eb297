"""Keeping the palliative care register and recording identification. Acting user first,
permission, validation, write and audit in one transaction; nothing half-saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import Action
from audit.services import record
from organisations.models import Membership
from patients.dates import date_problem
from patients.models import Patient
from register.models import (
    ROUTES_TO_CHOOSE,
    PhaseOfIllness,
    RegisterEntry,
    RemovalReason,
    SpictAssessment,
    SurpriseQuestion,
)
from register.permissions import can_keep_register
from register.terminology import GSF_STAGE, SPICT_CLINICAL_ITEMS, SPICT_GENERAL, Phase

MAX_NOTE = 2000
ALREADY_ON = "This person is already on the practice's palliative care register"
NOT_ON = "This person is not on the practice's palliative care register"


def _allowed(actor: Membership, patient: Patient) -> None:
    if not can_keep_register(actor, patient):
        raise PermissionDenied


def _day(
    errors: dict[str, str], field: str, value: dt.date | None, what: str, patient: Patient
) -> None:
    if value is None:
        errors[field] = f"Enter {what[0].lower()}{what[1:]}"
        return
    problem = date_problem(value, what=what, in_the_past=True, born=patient.date_of_birth)
    if problem:
        errors[field] = problem


def _known(day: dt.date | None) -> dt.date:
    """A date the caller has already checked is there (a missing one is a field error)."""
    if day is None:
        raise ValidationError("Enter the date")
    return day


def _note(errors: dict[str, str], field: str, text: str) -> str:
    text = text.strip()
    if len(text) > MAX_NOTE:
        errors[field] = f"The note must be {MAX_NOTE} characters or fewer"
    return text


def _locked_open_entry(patient: Patient) -> RegisterEntry | None:
    return (
        RegisterEntry.objects.select_for_update()
        .filter(
            patient=patient, practice_id=patient.registered_gp_practice_id, removed_on__isnull=True
        )
        .first()
    )


@transaction.atomic
def register_add(
    *,
    actor: Membership,
    patient: Patient,
    added_on: dt.date | None,
    route: str,
    stage: str = "",
    note: str = "",
) -> RegisterEntry:
    """Add the person to their practice's register. ValidationError by field; refused when
    they are on it already or have died."""
    _allowed(actor, patient)
    errors: dict[str, str] = {}
    _day(errors, "added_on", added_on, "The date they were added", patient)
    if route not in dict(ROUTES_TO_CHOOSE):
        errors["route"] = "Choose how the person was identified"
    if stage and stage not in GSF_STAGE:
        errors["stage"] = "Choose one of the stages listed"
    note = _note(errors, "note", note)
    if patient.date_of_death is not None:
        errors["__all__"] = "This person has died: they cannot be added to the register"
    if errors:
        raise ValidationError(errors)
    if _locked_open_entry(patient) is not None:
        raise ValidationError(ALREADY_ON)
    entry = RegisterEntry(
        patient=patient,
        practice=actor.organisation,
        added_on=_known(added_on),
        added_by=actor.user,
        route=route,
        stage=stage,
        note=note,
    )
    entry._history_user = actor.user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as twice:  # added by someone else a moment ago
        raise ValidationError(ALREADY_ON) from twice
    record(
        actor=actor,
        action=Action.REGISTER_ADD,
        patient=patient,
        detail={"entry": str(entry.public_id), "route": route, "stage": stage},
    )
    return entry


@transaction.atomic
def register_remove(
    *,
    actor: Membership,
    patient: Patient,
    removed_on: dt.date | None,
    reason: str,
    note: str = "",
) -> RegisterEntry:
    """Take the person off the register, saying when and why. The entry is kept."""
    _allowed(actor, patient)
    entry = _locked_open_entry(patient)
    if entry is None:
        raise ValidationError(NOT_ON)
    errors: dict[str, str] = {}
    _day(errors, "removed_on", removed_on, "The date they were removed", patient)
    if removed_on is not None and "removed_on" not in errors and removed_on < entry.added_on:
        errors["removed_on"] = (
            f"The date they were removed cannot be before they were added, "
            f"{entry.added_on:%-d %B %Y}"
        )
    if reason not in RemovalReason.values:
        errors["removal_reason"] = "Choose why the person is being removed"
    note = _note(errors, "removal_note", note)
    if errors:
        raise ValidationError(errors)
    _end(actor, entry, removed_on, reason, note)
    return entry


def _end(
    actor: Membership, entry: RegisterEntry, day: dt.date | None, reason: str, note: str
) -> None:
    entry.removed_on = day
    entry.removed_by = actor.user
    entry.removal_reason = reason
    entry.removal_note = note
    entry._history_user = actor.user  # type: ignore[attr-defined]
    entry.save()
    record(
        actor=actor,
        action=Action.REGISTER_REMOVE,
        patient=entry.patient,
        detail={"entry": str(entry.public_id), "reason": reason},
    )


def register_close_on_death(*, actor: Membership, patient: Patient, day: dt.date) -> int:
    """A recorded death ends the person's entry (reason: died). Called by deaths.services
    inside the recording's transaction, whoever records the death."""
    entries = list(
        RegisterEntry.objects.select_for_update().filter(patient=patient, removed_on__isnull=True)
    )
    for entry in entries:
        _end(actor, entry, max(day, entry.added_on), RemovalReason.DIED, "")
    return len(entries)


def register_reopen_after_death_in_error(*, actor: Membership, patient: Patient) -> int:
    """The death was recorded in error: the entries it ended are open again."""
    reopened = 0
    for entry in RegisterEntry.objects.select_for_update().filter(
        patient=patient, removal_reason=RemovalReason.DIED
    ):
        if RegisterEntry.objects.filter(
            patient=patient, practice=entry.practice, removed_on__isnull=True
        ).exists():
            continue
        entry.removed_on = None
        entry.removed_by = None
        entry.removal_reason = ""
        entry._history_user = actor.user  # type: ignore[attr-defined]
        entry._change_reason = "the death was recorded in error"  # type: ignore[attr-defined]
        entry.save()
        reopened += 1
    return reopened


Identified = TypeVar("Identified", SurpriseQuestion, SpictAssessment, PhaseOfIllness)


def _identified(
    actor: Membership,
    patient: Patient,
    model: type[Identified],
    what: str,
    recorded_on: dt.date | None,
    **content: Any,
) -> Identified:
    """Save one dated, attributed identification record and audit it. Precondition: its
    content and date are valid (a missing date is a field error already raised)."""
    recorded = model(
        patient=patient,
        recorded_on=_known(recorded_on),
        recorded_by=actor.user,
        organisation=actor.organisation,
        **content,
    )
    recorded.full_clean()
    recorded.save()
    record(
        actor=actor,
        action=Action.IDENTIFY,
        patient=patient,
        detail={"what": what, "record": str(recorded.public_id)},
    )
    return recorded


def _when(patient: Patient, day: dt.date | None, field: str, what: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    _day(errors, field, day, what, patient)
    return errors


@transaction.atomic
def surprise_question_record(
    *,
    actor: Membership,
    patient: Patient,
    would_be_surprised: bool | None,
    asked_on: dt.date | None,
) -> SurpriseQuestion:
    _allowed(actor, patient)
    errors = _when(patient, asked_on, "recorded_on", "The date it was asked")
    if would_be_surprised is None:
        errors["would_be_surprised"] = "Choose yes or no"
    if errors:
        raise ValidationError(errors)
    return _identified(
        actor,
        patient,
        SurpriseQuestion,
        "surprise_question",
        asked_on,
        would_be_surprised=bool(would_be_surprised),
    )


@transaction.atomic
def spict_record(
    *,
    actor: Membership,
    patient: Patient,
    assessed_on: dt.date | None,
    general: Iterable[str],
    clinical: Iterable[str],
    note: str = "",
) -> SpictAssessment:
    """The SPICT items the clinician found, as the tool lists them: stored, never scored."""
    _allowed(actor, patient)
    general, clinical = sorted(set(general)), sorted(set(clinical))
    errors = _when(patient, assessed_on, "recorded_on", "The date of the assessment")
    unknown = [item for item in general if item not in SPICT_GENERAL] + [
        item for item in clinical if item not in SPICT_CLINICAL_ITEMS
    ]
    if unknown:
        errors["general"] = "Choose only the indicators listed"
    elif not general and not clinical:
        errors["general"] = "Choose at least one indicator found, general or clinical"
    note = _note(errors, "note", note)
    if errors:
        raise ValidationError(errors)
    return _identified(
        actor,
        patient,
        SpictAssessment,
        "spict",
        assessed_on,
        general=general,
        clinical=clinical,
        note=note,
    )


@transaction.atomic
def phase_record(
    *, actor: Membership, patient: Patient, phase: str, assessed_on: dt.date | None
) -> PhaseOfIllness:
    _allowed(actor, patient)
    errors = _when(patient, assessed_on, "recorded_on", "The date of the assessment")
    if phase not in {p.value for p in Phase}:
        errors["phase"] = "Choose the phase of illness"
    if errors:
        raise ValidationError(errors)
    return _identified(actor, patient, PhaseOfIllness, "phase_of_illness", assessed_on, phase=phase)
