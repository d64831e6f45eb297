"""The REST API's plumbing, shared by each app's api.py: who is calling (a person's
session with their acting membership, or a system's token acting as its membership), one
permission (an acting membership), and throttling per caller. Errors: rest_errors.py."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from audit.origin import client_ip
from organisations.acting import acting_membership, acting_patient_account
from organisations.decorators import record_denied
from organisations.models import Membership
from organisations.tokens import membership_for_token
from organisations.two_factor import is_verified, needs_two_factor


class ActingSessionAuthentication(SessionAuthentication):
    """A signed-in person, acting as the membership chosen in their session (CSRF checked
    on writes, as for the pages)."""

    def authenticate(self, request: Request) -> tuple[Any, Membership] | None:
        found = super().authenticate(request)
        if found is None:
            return None
        if needs_two_factor(found[0]) and not is_verified(request._request):
            raise exceptions.NotAuthenticated("Prove your second factor: sign in on the pages")
        membership = acting_membership(request._request)
        if membership is None and (account := acting_patient_account(request._request)):
            # Patients and their attorneys use their own pages; staff endpoints do not
            # exist for them (as for the pages: organisations.decorators).
            record_denied(
                account, request._request, reason="a patient's online account cannot use the API"
            )
            raise exceptions.NotFound()
        return (found[0], membership) if membership is not None else None


class TokenAuthentication(BaseAuthentication):
    """A system: `Authorization: Bearer <token>`, made by a regional admin."""

    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[Any, Membership] | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword:
            return None
        membership = membership_for_token(secret.strip())
        if membership is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked token")
        return membership.user, membership

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class IsActing(BasePermission):
    message = "Sign in and choose a role, or send a token"

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Membership) and request.auth.is_active


def acting(request: Request | HttpRequest) -> Membership:
    membership = getattr(request, "auth", None)
    if not isinstance(membership, Membership):
        raise exceptions.NotAuthenticated()
    return membership


class PerCallerThrottle(SimpleRateThrottle):
    """Per token (each has its own system user) or per person."""

    scope = "caller"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        # Anyone not signed in: by address, read as the audit log reads it (one function).
        ident = client_ip(request) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def caller_throttled(request: HttpRequest, user_pk: int | None) -> int | None:
    """The same per-caller budget for an API outside DRF (FHIR): None if the call may go
    ahead, else the seconds to wait (for Retry-After). A person's or system's calls to
    REST and FHIR count together."""
    shim = SimpleNamespace(
        user=SimpleNamespace(is_authenticated=user_pk is not None, pk=user_pk),
        META=request.META,
    )
    throttle = PerCallerThrottle()
    if throttle.allow_request(shim, None):  # type: ignore[arg-type]
        return None
    return max(1, math.ceil(throttle.wait() or 1))
