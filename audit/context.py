"""Where a request came from, for the audit events written while it is handled.

Services record events without taking the request: the middleware puts the address and
user agent here for the duration of the request.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    user_agent: str


current_origin: ContextVar[RequestOrigin | None] = ContextVar("audit_origin", default=None)
