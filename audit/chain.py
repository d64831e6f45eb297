"""The hash chain: one canonical form of an event, and its SHA-256 link to the previous one."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from typing import Any

from django.conf import settings

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
    """HMAC-SHA256 over the previous event's hash and this event's canonical content."""
    message = (previous_hash + canonical_content(event)).encode()
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), message, hashlib.sha256).hexdigest()


_JSON_SCALARS = (str, int, bool, type(None))


def plain_json(value: Any) -> Any:
    """Detail must survive a database round trip unchanged: strings, integers, booleans,
    None, and lists and string-keyed objects of those. Floats do not (1e20 comes back as an
    integer), nor do dates or UUIDs, so they are refused here rather than breaking the chain."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("audit detail keys must be strings")
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if isinstance(value, _JSON_SCALARS) and not isinstance(value, float):
        return value
    raise TypeError(f"audit detail cannot hold {type(value).__name__}; convert it to text")
