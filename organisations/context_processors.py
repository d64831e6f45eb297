from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from organisations.acting import acting_membership
from organisations.permissions import (
    can_manage_organisations,
    can_register_patient,
    can_view_patients,
)
from organisations.selectors import active_memberships


def acting_membership_context(request: HttpRequest) -> dict[str, Any]:
    membership = acting_membership(request)
    if membership is None:
        return {"acting": None, "navigation": [], "can_switch_membership": False}
    items: list[tuple[str, str]] = []
    if can_view_patients(membership):
        items += [("patients:list", "My patients"), ("patients:find", "Find a patient")]
    if can_register_patient(membership):
        items.append(("patients:register", "Register a patient"))
    if can_manage_organisations(membership):
        items.append(("organisations:organisation_list", "Organisations"))
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {
        "acting": membership,
        "navigation": [
            {"href": reverse(name), "text": text, "current": name == current}
            for name, text in items
        ],
        "can_switch_membership": active_memberships(request.user).count() > 1,
    }
