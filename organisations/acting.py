"""Which membership a signed-in person is acting as, kept in their session."""

from __future__ import annotations

from django.http import HttpRequest

from organisations.models import Membership

SESSION_KEY = "acting_membership"


def acting_membership(request: HttpRequest) -> Membership | None:
    return getattr(request, "membership", None)


def act_as(request: HttpRequest, membership: Membership) -> None:
    # A new session key when the acting role changes, as on sign-in.
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(membership.public_id)
    request.membership = membership  # type: ignore[attr-defined]
