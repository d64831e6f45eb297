from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from organisations.acting import CAN_SWITCH_KEY, acting_membership
from organisations.navigation import pages_for
from organisations.selectors import active_memberships


def acting_membership_context(request: HttpRequest) -> dict[str, Any]:
    membership = acting_membership(request)
    if membership is None:
        return {"acting": None, "navigation": [], "can_switch_membership": False}
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {
        "acting": membership,
        "navigation": [
            {
                "href": reverse(page.url_name),
                "text": page.title,
                "current": page.url_name == current,
            }
            for page in pages_for(membership)
        ],
        "can_switch_membership": _can_switch(request),
    }


def _can_switch(request: HttpRequest) -> bool:
    can_switch = request.session.get(CAN_SWITCH_KEY)
    if can_switch is None:  # a session from before the choice was noted
        can_switch = active_memberships(request.user).count() > 1
        request.session[CAN_SWITCH_KEY] = can_switch
    return bool(can_switch)
