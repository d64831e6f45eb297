"""The hash chain: one canonical form of an event, and its SHA-256 link to the previous one."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from audit.models import AccessEvent

GENESIS = ""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def canonical_content(event: AccessEvent) -> str:
    """Everything an event says, in one stable textual form (sorted keys, UTC, no spaces)."""
    content = {
        "stream": event.stream.key,
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user": event.user_id,
        "username": event.username,
        "membership": _text(event.membership_public_id),
        "organisation": _text(event.organisation_public_id),
        "organisation_name": event.organisation_name,
        "role": event.role,
        "patient": _text(event.patient_public_id),
        "action": event.action,
        "reason": event.reason,
        "detail": event.detail,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(previous_hash: str, event: AccessEvent) -> str:
    return hashlib.sha256((previous_hash + canonical_content(event)).encode()).hexdigest()
