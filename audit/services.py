"""Writing audit events. Every app calls `record` inside its own service or selector, in
the same transaction as the work it records.

On PostgreSQL an event is appended in two statements and no transaction of its own: the
stream's head is read, and one statement moves the head on only if no one else has since,
and inserts the event only if it did (compare and swap). Locking the head instead took five
round trips (BEGIN, SELECT ... FOR UPDATE, INSERT, UPDATE, COMMIT), about 7 ms of every
page on a busy machine. A new stream, SQLite, or a head that keeps moving under it take the
locking way.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
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
# Tries at swapping a head that others keep moving, before queueing on its lock instead.
SWAP_TRIES = 3


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
    who ran it). Inside the caller's transaction, if there is one: the head row stays
    locked by it from the append to its end.
    """
    if patient is not None:
        patient_public_id = patient.public_id
    origin = current_origin.get()
    event = AccessEvent(
        action=action,
        reason=reason,
        detail=plain_json(detail or {}),
        patient_public_id=patient_public_id,
        ip_address=_as_stored(origin.ip_address if origin else None),
        user_agent=origin.user_agent if origin else "",
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
    elif user is not None:
        event.user_id = user.pk
        event.username = user.get_username()
    key = stream_key(actor=actor, patient_public_id=patient_public_id)
    if connection.vendor == "postgresql":
        for _ in range(SWAP_TRIES):
            head = _head(key)
            if head is None:
                break  # a new stream: made under its lock below
            if _swapped(event, head):
                return event
    with transaction.atomic(savepoint=False):
        stream = _locked_stream(key)
        _link(event, _Head(stream.pk, key, stream.head_hash, stream.length))
        event.save(force_insert=True)
        AuditStream.objects.filter(pk=stream.pk).update(
            head_hash=event.hash, length=stream.length + 1
        )
    return event


class _Head(NamedTuple):
    id: int
    key: str
    hash: str
    length: int


def _link(event: AccessEvent, head: _Head) -> None:
    """Make `event` the next link after `head`, timed now: a link made again after another
    event won the head is timed after it, so the chain's order is the order in time."""
    event.occurred_at = timezone.now()
    event.stream = AuditStream(pk=head.id, key=head.key, head_hash=head.hash, length=head.length)
    event.sequence = head.length + 1
    event.previous_hash = head.hash
    event.hash = event_hash(head.hash, event)


def _head(key: str) -> _Head | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, head_hash, length FROM audit_auditstream WHERE key = %s", [key])
        found = cursor.fetchone()
    return None if found is None else _Head(found[0], key, found[1], found[2])


@cache
def _swap_sql() -> tuple[str, tuple[Any, ...]]:
    """The statement that appends an event after a head only if the head is still there,
    and the event's fields in the order of its values (all but the id, from the model)."""
    fields = tuple(f for f in AccessEvent._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join("head.id" if f.name == "stream" else "%s" for f in fields)
    moved = (
        "UPDATE audit_auditstream SET head_hash = %s, length = length + 1"
        " WHERE id = %s AND length = %s RETURNING id"
    )
    sql = f"WITH head AS ({moved}) INSERT INTO audit_accessevent ({columns}) SELECT {values} FROM head RETURNING id"  # noqa: S608, E501  (the model's column names; values apart)
    return sql, tuple(f for f in fields if f.name != "stream")


def _swapped(event: AccessEvent, head: _Head) -> bool:
    """Append `event` after `head` in one statement; False, and nothing written, if another
    event was appended after `head` first. The length is enough to tell: it only ever
    grows, by one with each event (the database refuses anything else)."""
    _link(event, head)
    sql, fields = _swap_sql()
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.hash, head.id, head.length, *values])
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    event.pk = inserted[0]
    event._state.adding = False
    event._state.db = connection.alias
    return True


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
