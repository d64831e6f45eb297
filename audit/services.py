"""Writing audit events. Every app calls `record` inside its own service or selector, in
the same transaction as the work it records."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.chain import event_hash, plain_json
from audit.context import current_origin
from audit.models import AccessEvent, Action, AuditStream
from core.actors import Actor


class AuditUser(Protocol):
    pk: Any

    def get_username(self) -> str: ...


class AuditSubject(Protocol):
    public_id: UUID


SYSTEM_STREAM = "system"


def stream_key(*, actor: Actor | None, patient_public_id: UUID | None) -> str:
    """One stream per patient; events without a patient share a few streams, by actor."""
    if patient_public_id is not None:
        return f"patient:{patient_public_id}"
    if actor is None:
        return SYSTEM_STREAM
    return f"actor:{actor.user_id % settings.AUDIT_ACTOR_STREAMS}"


def _locked_stream(key: str) -> AuditStream:
    stream = AuditStream.objects.select_for_update().filter(key=key).first()
    if stream is None:
        # Two first events for one stream may race here: the loser's insert is ignored
        # and both then queue on the same row lock.
        AuditStream.objects.bulk_create([AuditStream(key=key)], ignore_conflicts=True)
        stream = AuditStream.objects.select_for_update().get(key=key)
    return stream


def record(
    *,
    actor: Actor | None,
    action: Action,
    patient: AuditSubject | None = None,
    patient_public_id: UUID | None = None,
    user: AuditUser | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessEvent:
    """Append one event to its stream's chain.

    `actor` is the acting membership, or None for the command line (then `user` may name
    who ran it). Locks only the stream's head row, inside the caller's transaction.
    """
    if patient is not None:
        patient_public_id = patient.public_id
    origin = current_origin.get()
    acting_user = user
    with transaction.atomic(savepoint=False):
        stream = _locked_stream(stream_key(actor=actor, patient_public_id=patient_public_id))
        event = AccessEvent(
            stream=stream,
            sequence=stream.length + 1,
            occurred_at=timezone.now(),
            action=action,
            reason=reason,
            detail=plain_json(detail or {}),
            patient_public_id=patient_public_id,
            ip_address=_as_stored(origin.ip_address if origin else None),
            user_agent=origin.user_agent if origin else "",
            previous_hash=stream.head_hash,
        )
        if actor is not None:
            event.user_id = actor.user_id
            event.membership_public_id = actor.public_id
            organisation = actor.organisation
            if organisation is not None:
                event.organisation_public_id = organisation.public_id
                event.organisation_name = organisation.name
            event.role = actor.role
            event.username = _username(actor)
        elif acting_user is not None:
            event.user_id = acting_user.pk
            event.username = acting_user.get_username()
        event.hash = event_hash(stream.head_hash, event)
        event.save(force_insert=True)
        AuditStream.objects.filter(pk=stream.pk).update(
            head_hash=event.hash, length=stream.length + 1
        )
    return event


def _as_stored(ip_address: str | None) -> str | None:
    """The address exactly as the database will give it back: the hash is taken over what
    is stored, so that verification reads the same value."""
    if ip_address is None:
        return None
    stored: str | None = AccessEvent._meta.get_field("ip_address").to_python(ip_address)
    return stored


def _username(actor: Actor) -> str:
    user = getattr(actor, "user", None)
    return user.get_username() if user is not None else ""
