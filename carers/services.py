"""What a carer does: tell the team that things are getting harder at home. The message
reaches the person's key worker as a task (or, with none named, the GP practice's leads),
and raises the person in the co-ordination centre's queue if they are referred."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from carers.models import CarerMessage, Harder, Urgency
from coordination.services import referrals_note_carer_concern
from organisations.permissions import Capability, has_capability
from portal.models import PatientAccount
from reminders.models import Kind
from reminders.selectors import who_must_hear
from reminders.services import team_task_notify

# The carer's words, with who they are and what is harder, fit the key worker's task whole.
DETAILS_MAX = 300
logger = logging.getLogger(__name__)


def _task(carer: PatientAccount, message: CarerMessage) -> str:
    """What the key worker reads: who to contact first, then how soon, the carer's words
    and what is harder (the list last: the notification holds 500 characters)."""
    name = carer.user.get_full_name() or "Their carer"
    words = f" “{message.details}”" if message.details else ""
    harder = "; ".join(Harder(h).label for h in message.harder)
    who = f"From {name} ({carer.relationship or 'carer'}, {carer.user.email})."
    return f"{who} {Urgency(message.urgency).label}.{words} {harder}."[:500]


@transaction.atomic
def carer_message_send(
    *, actor: PatientAccount, harder: list[str], urgency: str, details: str
) -> CarerMessage:
    if not has_capability(actor, Capability.TELL_THE_TEAM):
        raise PermissionDenied
    patient = actor.patient
    if patient.date_of_death is not None:
        raise ValidationError("The person has died: their care team has been told.")
    errors: dict[str, str] = {}
    chosen = [h for h in Harder.values if h in set(harder)]
    if not chosen or len(chosen) != len(set(harder)):
        errors["harder"] = "Choose what is getting harder"
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose how soon you need someone"
    details = details.strip()
    if Harder.OTHER in chosen and not details:
        errors["details"] = "Say what else is getting harder"
    elif len(details) > DETAILS_MAX:
        errors["details"] = f"Say it in {DETAILS_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    message = CarerMessage.objects.create(
        patient=patient,
        account=actor,
        harder=chosen,
        urgency=urgency,
        details=details,
        sent_at=timezone.now(),
    )
    told = who_must_hear(patient)
    practice = patient.registered_gp_practice
    if not told and not practice.team_email:
        # Nobody can read it: the carer must call, not wait. Nothing is sent or kept.
        logger.error("carer message for a person whose practice has no one to tell it to")
        raise ValidationError(
            "The care team cannot receive messages online yet: please call the number below."
        )
    team_task_notify(
        patient=patient,
        kind=Kind.CARER_MESSAGE,
        due_on=timezone.localdate(),
        about=_task(actor, message),
        source=message.public_id,
        told=told,
    )
    referred = referrals_note_carer_concern(actor=actor, patient=patient, summary=message.summary)
    record(
        actor=actor,
        action=Action.CARER_MESSAGE,
        patient=patient,
        detail={
            "message": str(message.public_id),
            "urgency": urgency,
            "told": [str(m.public_id) for m in told],
            "referrals_raised": referred,
        },
    )
    return message
