from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from organisations.acting import acting_membership
from organisations.permissions import can_receive_reminders
from reminders.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's count of unread reminders, for staff who receive them."""
    membership = acting_membership(request)
    if membership is None or not can_receive_reminders(membership):
        return {"receives_reminders": False, "unread_notifications": 0}
    return {"receives_reminders": True, "unread_notifications": unread_count(membership)}
