"""The client's address: one function for the audit log and for sign-in throttling."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _normalised(value: str) -> str | None:
    """One canonical form: an IPv4 address sent as IPv6 (::ffff:203.0.113.9) is the IPv4
    address it carries. Python and the database would otherwise write it differently."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind our own reverse proxy (BEHIND_PROXY) the last X-Forwarded-For
    address, which is the one the proxy saw; earlier ones are whatever the client sent.
    Always in canonical form, so that it hashes the same after a database round trip."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1]
        if address := _normalised(forwarded):
            return address
    return _normalised(request.META.get("REMOTE_ADDR", ""))


def address_key(group: str, request: HttpRequest) -> str:
    """The key of limits per client address (django-ratelimit's `key`)."""
    return client_ip(request) or "unknown"
