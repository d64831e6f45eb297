"""A person asks for a change to their plan; the care team answers. Acting user first,
permission, validation, write and audit in one transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import record
from careplans.models import CarePlan, ChangeRequest, ChangeRequestStatus
from careplans.permissions import can_answer_change_requests, can_ask_for_change
from careplans.sections import SECTION_BY_KEY
from consent.services import OnlineActor
from core.tasks import queue_after_commit
from organisations.models import Membership

MAX_REQUEST_LENGTH = 4000


@transaction.atomic
def change_request_create(
    *, actor: OnlineActor, section_key: str, what_should_change: str
) -> ChangeRequest:
    patient = actor.patient
    if not can_ask_for_change(actor, patient):
        raise PermissionDenied
    errors = {}
    if section_key not in SECTION_BY_KEY:
        errors["section_key"] = "Choose the part of the plan you would like changed"
    text = what_should_change.strip()
    if not text:
        errors["what_should_change"] = "Say what should change"
    elif len(text) > MAX_REQUEST_LENGTH:
        errors["what_should_change"] = (
            f"Say what should change in {MAX_REQUEST_LENGTH} characters or fewer"
        )
    if errors:
        raise ValidationError(errors)
    change_request = ChangeRequest(
        patient=patient,
        section_key=section_key,
        what_should_change=text,
        requested_by_id=actor.user_id,
        requested_by_role=actor.role,
    )
    change_request._history_user = actor.user  # type: ignore[attr-defined]
    change_request.save()
    record(
        actor=actor,
        action=Action.CHANGE_REQUEST,
        patient=patient,
        detail={"request": str(change_request.public_id), "section": section_key},
    )
    return change_request


# What a clinician may move a request to, from where it is.
NEXT_STATUSES = {
    ChangeRequestStatus.RECEIVED: {
        ChangeRequestStatus.IN_PROGRESS,
        ChangeRequestStatus.DONE,
        ChangeRequestStatus.DECLINED,
    },
    # Still in progress with a new reply to the person is allowed.
    ChangeRequestStatus.IN_PROGRESS: {
        ChangeRequestStatus.IN_PROGRESS,
        ChangeRequestStatus.DONE,
        ChangeRequestStatus.DECLINED,
    },
}


@transaction.atomic
def change_request_update(
    *, actor: Membership, change_request: ChangeRequest, status: str, response: str = ""
) -> ChangeRequest:
    """Move a request on: in progress, done, or declined with the reason the person sees."""
    if not can_answer_change_requests(actor, change_request.patient):
        raise PermissionDenied
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    allowed = NEXT_STATUSES.get(ChangeRequestStatus(locked.status), set())
    if status not in allowed:
        raise ValidationError(
            {"status": "This request is already answered"}
            if not allowed
            else {"status": "Choose what happens to this request"}
        )
    if status == ChangeRequestStatus.DECLINED and not response.strip():
        raise ValidationError(
            {"response": "Say why the change will not be made: the person will see this"}
        )
    locked.status = status
    locked.response = response.strip()
    locked.handled_by_id = actor.user_id
    locked.handled_by_organisation = actor.organisation.name
    locked._history_user = actor.user  # type: ignore[attr-defined]
    locked.save()
    record(
        actor=actor,
        action=Action.CHANGE_REQUEST_UPDATE,
        patient=change_request.patient,
        detail={"request": str(locked.public_id), "status": status},
    )
    plan_id = (
        CarePlan.objects.filter(patient_id=locked.patient_id).values_list("public_id", flat=True)
    ).first()
    if plan_id is not None:  # an answer resolves the reminder that it was waiting (reminders/)
        queue_after_commit("reminders.update_plan_reminders", str(plan_id))
    return locked
