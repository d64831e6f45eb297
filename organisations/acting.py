"""Which membership a signed-in person is acting as, kept in their session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from audit.models import Action
from audit.services import record
from organisations.models import Membership
from organisations.selectors import active_memberships

SESSION_KEY = "acting_membership"
# Whether the person holds other active memberships, noted when they choose one so that
# every page need not count them again for the header's "switch role" link.
CAN_SWITCH_KEY = "can_switch_membership"


def acting_membership(request: HttpRequest) -> Membership | None:
    return getattr(request, "membership", None)


def acting_patient_account(request: HttpRequest) -> Any:
    """The patient's or attorney's own account the request acts through (set by
    portal.middleware; typed loosely so that organisations does not import portal)."""
    return getattr(request, "patient_account", None)


def act_as(request: HttpRequest, membership: Membership) -> None:
    """Act as `membership` from now on (a new session key, as on sign-in); audited."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(membership.public_id)
    request.session[CAN_SWITCH_KEY] = active_memberships(request.user).count() > 1
    request.membership = membership  # type: ignore[attr-defined]
    record(actor=membership, action=Action.ACT_AS)
