""" "Who looked at my record", in words a patient uses: when, which organisation (never which
member of staff), in what role, and what they did. Break-glass stands out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from audit.models import AccessEvent, Action
from organisations.models import ApiToken, Role

WHAT: dict[str, str] = {
    Action.VIEW: "Opened the record",
    Action.VIEW_PLAN: "Viewed the care plan",
    Action.VIEW_SUMMARY: "Viewed the emergency summary",
    Action.EDIT: "Edited the care plan",
    Action.SUBMIT: "Sent the plan for approval",
    Action.PUBLISH: "Approved and published the care plan",
    Action.PRINT: "Printed the care plan",
    Action.BREAK_GLASS: "Used emergency access (break glass)",
    Action.DENIED: "Tried to open the record and was refused",
    Action.REGISTER: "Registered the person",
    Action.CARE_TEAM_ADD: "Added an organisation to the care team",
    Action.CARE_TEAM_REMOVE: "Removed an organisation from the care team",
    Action.CONSENT_RECORD: "Recorded consent to share",
    Action.CONSENT_WITHDRAW: "Recorded that consent to share was withdrawn",
    Action.INVITE: "Sent an invitation to see the plan online",
    Action.INVITATION_WITHDRAW: "Withdrew an invitation to see the plan online",
    Action.IDENTITY_CHECK_FAILED: "Someone entered wrong details on an invitation link",
    Action.API_READ: "Read the plan through another system",
    Action.API_SEARCH: "Searched for the person through another system",
    Action.IDENTITY_MISMATCH: "Looked for the person by NHS number with other details that did "
    "not match, and was asked to check",
    Action.ACCOUNT_CREATE: "Set up online access",
    Action.ACCOUNT_END: "Ended someone's online access",
    Action.ACCOUNT_REQUEST_DECIDE: "Approved a request for online access",
    Action.LPA_RECORD: "Recorded a lasting power of attorney",
    Action.LPA_END: "Recorded that a lasting power of attorney ended",
    Action.CHANGE_REQUEST: "Asked for a change to the plan",
    Action.CHANGE_REQUEST_UPDATE: "Answered a request for a change",
    Action.VIEW_ACCESS_LOG: "Looked at who has seen the record",
    Action.DEATH_RECORD: "Recorded the person's death",
    Action.DEATH_CORRECT: "Corrected the record of the person's death",
    Action.DEATH_IN_ERROR: "Recorded that a death was recorded in error",
    Action.CARER_SHARING: "Changed what a carer sees",
    Action.CARER_MESSAGE: "Told the care team that things are getting harder at home",
}
WHO_WITHOUT_ORGANISATION: dict[str, str] = {
    Role.PATIENT: "The person themselves, online",
    Role.LPA_PROXY: "Their attorney (lasting power of attorney), online",
    Role.CARER: "A carer you invited, online",
    "": "The OpenEPaCCS service",
}


@dataclass(frozen=True)
class AccessLine:
    when: dt.datetime
    who: str
    role: str
    what: str
    highlight: bool


def _role(event: AccessEvent) -> str:
    if not event.role or event.role in (Role.PATIENT, Role.LPA_PROXY, Role.CARER):
        return ""
    return Role(event.role).label if event.role in Role.values else event.role


def _systems(events: list[AccessEvent]) -> dict[int, str]:
    """The names of the systems (API tokens) among the events' users: a person reading
    their log is told it was a system, and which, never a member of staff."""
    users = {event.user_id for event in events if event.user_id is not None}
    return dict(
        ApiToken.objects.filter(membership__user_id__in=users).values_list(
            "membership__user_id", "name"
        )
    )


def _who(event: AccessEvent, systems: dict[int, str]) -> str:
    who = event.organisation_name or WHO_WITHOUT_ORGANISATION.get(event.role, "")
    system = systems.get(event.user_id) if event.user_id is not None else None
    return f"{who}, through its system “{system}”" if system else who


def described_events(events: Iterable[AccessEvent]) -> list[AccessLine]:
    events = list(events)
    systems = _systems(events)
    return [
        AccessLine(
            when=event.occurred_at,
            who=_who(event, systems),
            role=_role(event),
            what=WHAT.get(event.action, Action(event.action).label)
            if event.action in Action.values
            else event.action,
            highlight=event.action == Action.BREAK_GLASS,
        )
        for event in events
    ]
