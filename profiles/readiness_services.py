"""Recording what is in place at home, by the person's care team; an item that turns red at
stage C or D tells the key worker (or, with none who can read it, the practice)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.permissions import in_care_team
from profiles.models import ReadinessKind, ReadinessRecord
from profiles.readiness import ACHIEVABLE, CARER_SITUATION, EQUIPMENT, YES_NO, Rag
from profiles.readiness_selectors import readiness_of, readiness_of_many
from profiles.selectors import stages_now
from profiles.terminology import CODE_OF_STAGE, Stage
from register.models import RegisterEntry
from reminders.models import Kind
from reminders.services import team_task_notify

NOTE_MAX = 500


def can_record_readiness(membership: Membership | None, patient: Patient) -> bool:
    return (
        has_capability(membership, Capability.RECORD_READINESS)
        and membership is not None
        and patient.date_of_death is None
        and in_care_team(membership, patient)
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _medicines(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    prescribed, issued = data.get("prescribed_on"), data.get("issued_on")
    expires, kept_at = data.get("expires_on"), " ".join(str(data.get("kept_at") or "").split())
    errors: dict[str, str] = {}
    if prescribed and prescribed > today:
        errors["prescribed_on"] = "The date prescribed cannot be in the future"
    if issued and issued > today:
        errors["issued_on"] = "The date issued cannot be in the future"
    elif issued and not prescribed:
        errors["prescribed_on"] = "Enter the date prescribed"
    elif issued and prescribed and issued < prescribed:
        errors["issued_on"] = "The date issued cannot be before the date prescribed"
    if expires and expires <= today:
        errors["expires_on"] = (
            "The expiry date must be in the future: medicines past their expiry must be "
            "replaced, not recorded"
        )
    if issued and not kept_at:
        errors["kept_at"] = "Say where in the home the medicines are kept"
    if issued and not expires:
        errors["expires_on"] = "Enter the expiry date on the box"
    if len(kept_at) > 200:
        errors["kept_at"] = "Say where they are kept in 200 characters or fewer"
    if errors:
        raise ValidationError(errors)
    return {
        "prescribed_on": _iso(prescribed),
        "issued_on": _iso(issued),
        "kept_at": kept_at,
        "expires_on": _iso(expires),
    }


def _choice(data: dict[str, Any], name: str, choices: dict[str, str], message: str) -> dict:
    if data.get(name) not in choices:
        raise ValidationError({name: message})
    return {name: data[name]}


def _clean(kind: ReadinessKind, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    if kind == ReadinessKind.MEDICINES:
        return _medicines(data, today)
    if kind == ReadinessKind.EQUIPMENT:
        needed = [key for key in EQUIPMENT if key in data.get("needed", [])]
        delivered = [key for key in EQUIPMENT if key in data.get("delivered", [])]
        if set(delivered) - set(needed):
            raise ValidationError({"delivered": "Only equipment that is needed can be delivered"})
        return {"needed": needed, "delivered": delivered}
    if kind == ReadinessKind.FORM_AT_HOME:
        return _choice(data, "at_home", YES_NO, "Say whether the form is at home")
    if kind == ReadinessKind.SPA_GIVEN:
        return _choice(data, "given", YES_NO, "Say whether the number has been given")
    if kind == ReadinessKind.CARER:
        return _choice(data, "situation", CARER_SITUATION, "Choose the carer's situation")
    if kind == ReadinessKind.PREFERRED_PLACE:
        return _choice(data, "achievable", ACHIEVABLE, "Say whether it is achievable")
    raise ValidationError("The key worker is named on the patient page")


@transaction.atomic
def readiness_record(
    *,
    actor: Membership,
    patient: Patient,
    kind: ReadinessKind,
    data: dict[str, Any],
    note: str = "",
) -> ReadinessRecord:
    """Record one item as it is now. Raises ValidationError by field; nothing is saved
    unless all is well. Locks the person's row: two clinicians recording at once are
    recorded one after the other, each compared with the one before."""
    if not can_record_readiness(actor, patient):
        raise PermissionDenied
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    today = timezone.localdate()
    cleaned = _clean(kind, data, today)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX} characters or fewer"})
    if kind == ReadinessKind.PREFERRED_PLACE and cleaned["achievable"] != "yes" and not note:
        raise ValidationError({"note": "Say why, and what would make it achievable"})
    before = readiness_of(patient, today).item(kind)
    made = ReadinessRecord.objects.create(
        patient=patient,
        kind=kind,
        data=cleaned,
        note=note,
        recorded_at=timezone.now(),
        recorded_by=actor.user,
        recorded_by_organisation=actor.organisation,
    )
    now = readiness_of(patient, today)
    after = now.item(kind)
    made.rag = after.rag
    made.save(update_fields=["rag"])
    # Newly red: from amber or green, or found missing on its first check (an item never
    # checked is red at stage C or D, but nobody has yet found anything to act on).
    newly_red = before.rag != Rag.RED or before.record is None
    if after.rag == Rag.RED and newly_red and now.stage in (Stage.C, Stage.D):
        team_task_notify(
            patient=patient,
            kind=Kind.READINESS_RED,
            due_on=today,
            about=f"{after.label}: {after.why}.",
            source=made.public_id,
        )
    record(
        actor=actor,
        action=Action.READINESS_RECORD,
        patient=patient,
        detail={"kind": kind.value, "rag": after.rag.value, "record": str(made.public_id)},
    )
    return made


def readiness_sweep(*, today: dt.date | None = None) -> int:
    """Daily: items recorded amber or green that are red now (medicines past their expiry,
    a person moved to stage C or D with something still missing) tell whoever must hear,
    once per record however often it runs. Returns how many were told."""
    today = today or timezone.localdate()
    late = RegisterEntry.objects.filter(
        removed_on__isnull=True, stage__in=[CODE_OF_STAGE[Stage.C], CODE_OF_STAGE[Stage.D]]
    ).values("patient_id")
    patients = list(
        Patient.objects.filter(
            pk__in=late,
            date_of_death__isnull=True,
            readiness_records__isnull=False,
        )
        .distinct()
        .select_related("registered_gp_practice")
    )
    found = readiness_of_many(patients, today, stages=stages_now(patients))
    told = 0
    for patient in patients:
        for item in found[patient.pk].items:
            record = item.record
            if item.rag != Rag.RED or record is None or record.rag == Rag.RED:
                continue
            team_task_notify(
                patient=patient,
                kind=Kind.READINESS_RED,
                due_on=today,
                about=f"{item.label}: {item.why}.",
                source=uuid.uuid5(record.public_id, "turned red"),
            )
            told += 1
    return told
