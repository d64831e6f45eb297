"""What follows a death, from the care profile: the family contacted by the key worker
within the profile's window, every organisation of the care team told (no more visits;
equipment to collect), and the outcome of the contact recorded. Called by
deaths.services in the transaction that records the death."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.permissions import in_care_team
from patients.selectors import care_team_of
from profiles.models import (
    BereavementFollowUp,
    BereavementOutcome,
    ProfileVersion,
    ReadinessKind,
    ReadinessRecord,
    VersionStatus,
)
from profiles.readiness import EQUIPMENT
from profiles.terminology import BEREAVEMENT_FROM_DAYS, BEREAVEMENT_TO_DAYS
from reminders.models import Kind
from reminders.selectors import receiving_members, who_must_hear
from reminders.services import action_resolve, task_notify, team_task_notify

NOTE_MAX = 500


def _window(patient: Patient) -> tuple[int, int]:
    version = ProfileVersion.objects.filter(
        profile__region_id=patient.home_region_id, status=VersionStatus.PUBLISHED
    ).first()
    if version is None:
        return BEREAVEMENT_FROM_DAYS, BEREAVEMENT_TO_DAYS
    return version.bereavement_from_days, version.bereavement_to_days


def _equipment_at_home(patient: Patient) -> list[str]:
    latest = (
        ReadinessRecord.objects.filter(patient=patient, kind=ReadinessKind.EQUIPMENT)
        .order_by("-recorded_at", "-id")
        .first()
    )
    delivered = latest.data.get("delivered", []) if latest else []
    return [EQUIPMENT[key] for key in delivered if key in EQUIPMENT]


def after_death(*, patient: Patient, day: dt.date) -> BereavementFollowUp:
    """Open the family's follow-up for the key worker (or the practice) and tell each
    organisation of the care team. Precondition: the caller recorded the death, in this
    transaction."""
    first, last = _window(patient)
    told = who_must_hear(patient)
    equipment = _equipment_at_home(patient)
    follow_up = BereavementFollowUp.objects.create(
        patient=patient,
        date_of_death=day,
        due_from=day + dt.timedelta(days=first),
        due_by=day + dt.timedelta(days=last),
        owner=told[0] if told else None,
        equipment_to_collect=equipment,
    )
    team_task_notify(
        told=told,
        patient=patient,
        kind=Kind.BEREAVEMENT,
        due_on=follow_up.due_from,
        about=(
            f"Contact the family between {follow_up.due_from:%-d %B} and "
            f"{follow_up.due_by:%-d %B %Y}, and record how it went."
        ),
        source=follow_up.public_id,
    )
    collect = f" Collect the equipment: {', '.join(equipment)}." if equipment else ""
    teams = list(care_team_of(patient))
    members = receiving_members([member.organisation_id for member in teams])
    for member in teams:
        task_notify(
            owners=members.get(member.organisation_id, []),
            organisation=member.organisation,
            patient=patient,
            kind=Kind.DIED,
            due_on=day,
            about=f"Died on {day:%-d %B %Y}. Cancel planned visits.{collect}",
            source=uuid.uuid5(follow_up.public_id, str(member.organisation.public_id)),
        )
    return follow_up


def after_death_undone(*, patient: Patient) -> None:
    """The death was recorded in error: the follow-up and the notices are withdrawn."""
    for follow_up in BereavementFollowUp.objects.filter(
        patient=patient, done_at__isnull=True, cancelled_at__isnull=True
    ):
        follow_up.cancelled_at = timezone.now()
        follow_up.save(update_fields=["cancelled_at"])
        action_resolve(source=follow_up.public_id, resolution="The death was recorded in error")
        for member in care_team_of(patient):
            action_resolve(
                source=uuid.uuid5(follow_up.public_id, str(member.organisation.public_id)),
                resolution="The death was recorded in error",
            )


def can_record_bereavement(membership: Membership | None, patient: Patient) -> bool:
    return (
        has_capability(membership, Capability.RECORD_READINESS)
        and membership is not None
        and in_care_team(membership, patient)
    )


@transaction.atomic
def bereavement_record(
    *, actor: Membership, follow_up: BereavementFollowUp, outcome: str, note: str
) -> BereavementFollowUp:
    """How the contact with the family went; the key worker's task is then done."""
    if not can_record_bereavement(actor, follow_up.patient):
        raise PermissionDenied
    locked = BereavementFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.done_at is not None or locked.cancelled_at is not None:
        raise ValidationError("This follow-up is already closed")
    errors = {}
    if outcome not in BereavementOutcome.values:
        errors["outcome"] = "Choose how the contact went"
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["outcome_note"] = f"Keep the note to {NOTE_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    locked.outcome = outcome
    locked.outcome_note = note
    locked.done_at = timezone.now()
    locked.done_by = actor.user
    locked.save(update_fields=["outcome", "outcome_note", "done_at", "done_by"])
    action_resolve(source=locked.public_id, resolution=BereavementOutcome(outcome).label)
    record(
        actor=actor,
        action=Action.BEREAVEMENT_RECORD,
        patient=locked.patient,
        detail={"follow_up": str(locked.public_id), "outcome": outcome},
    )
    return locked
