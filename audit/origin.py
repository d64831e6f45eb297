"""The client's address: one function for the audit log and for sign-in throttling."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _normalised(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind our own reverse proxy (BEHIND_PROXY) the last X-Forwarded-For
    address, which is the one the proxy saw; earlier ones are whatever the client sent.
    Always in canonical form, so that it hashes the same after a database round trip."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1]
        if address := _normalised(forwarded):
            return address
    return _normalised(request.META.get("REMOTE_ADDR", ""))
