"""Checking every stream's chain: order, links, hashes, and the recorded head."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from audit.chain import GENESIS, event_hash
from audit.models import AccessEvent, AuditStream


@dataclass(frozen=True)
class ChainBreak:
    stream: str
    event_id: int | None
    sequence: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id} (sequence {self.sequence})" if self.event_id else "the end"
        return f"stream {self.stream}: {where}: {self.problem}"


@dataclass(frozen=True)
class VerificationResult:
    streams: int
    events: int
    breaks: tuple[ChainBreak, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


def _verify_stream(stream: AuditStream) -> tuple[int, ChainBreak | None]:
    previous = GENESIS
    expected_sequence = 1
    count = 0
    events = AccessEvent.objects.filter(stream=stream).select_related("stream").order_by("sequence")
    for event in events.iterator(chunk_size=2000):
        count += 1
        if event.sequence != expected_sequence:
            return count, ChainBreak(
                stream.key,
                event.id,
                event.sequence,
                f"expected sequence {expected_sequence}: an event before it was removed",
            )
        if event.previous_hash != previous:
            return count, ChainBreak(
                stream.key, event.id, event.sequence, "does not link to the event before it"
            )
        if event_hash(previous, event) != event.hash:
            return count, ChainBreak(
                stream.key, event.id, event.sequence, "its content was changed after it was written"
            )
        previous = event.hash
        expected_sequence += 1
    if count != stream.length or previous != stream.head_hash:
        return count, ChainBreak(
            stream.key,
            None,
            None,
            f"the stream records {stream.length} events but {count} remain: "
            "events at the end were removed or added outside the chain",
        )
    return count, None


def verify_all() -> VerificationResult:
    """Check every stream in one snapshot of the database (REPEATABLE READ on PostgreSQL),
    so that events appended while it runs are not mistaken for tampering."""
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify_streams()


def _verify_streams() -> VerificationResult:
    """Every stream, to the end: a break in one never hides a break in another. Within a
    stream the first break is reported; what follows it cannot be trusted anyway."""
    streams = 0
    events = 0
    breaks = []
    for stream in AuditStream.objects.order_by("key").iterator(chunk_size=500):
        streams += 1
        counted, problem = _verify_stream(stream)
        events += counted
        if problem is not None:
            breaks.append(problem)
    return VerificationResult(streams, events, tuple(breaks))
