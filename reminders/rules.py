"""When a plan needs a reminder: pure rules on one plan's dates, shared by the daily sweep
(many plans at once) and by the update after a plan changes (one plan), so that both agree
on what is due and everything else is resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from reminders.models import Kind

# How far ahead a review is "due soon"; how long a plan may wait for approval and a change
# request for an answer; how long overdue before the organisation's leads are told, and
# then how often they are told again until it is resolved.
DUE_SOON = dt.timedelta(days=14)
APPROVAL_WAIT = dt.timedelta(days=3)
CHANGE_REQUEST_WAIT = dt.timedelta(days=5)
ESCALATE_AFTER_DAYS = 7
ESCALATE_EVERY_DAYS = 7

# Sent to the organisation's leads rather than the clinician responsible.
FOR_LEADS = frozenset({Kind.REVIEW_ESCALATED})


@dataclass(frozen=True)
class PlanDates:
    """What the rules need to know about one plan."""

    plan_id: int
    review_due_on: dt.date | None
    cpr_review_due_on: dt.date | None
    awaiting_approval_since: dt.datetime | None  # None unless awaiting approval
    unanswered_change_requests_since: tuple[dt.datetime, ...] = ()
    closed: bool = False  # the person has died


Reminder = tuple[Kind, dt.date]


def reminders_due(plan: PlanDates, *, now: dt.datetime) -> set[Reminder]:
    """Every reminder this plan should have open now. Anything else open is resolved."""
    if plan.closed:
        return set()
    today = timezone.localdate(now)
    due: set[Reminder] = set()
    if plan.review_due_on is not None:
        due |= _review(plan.review_due_on, today)
    if plan.cpr_review_due_on is not None and plan.cpr_review_due_on <= today + DUE_SOON:
        due.add((Kind.CPR_REVIEW_DUE, plan.cpr_review_due_on))
    since = plan.awaiting_approval_since
    if since is not None and since < now - APPROVAL_WAIT:
        due.add((Kind.AWAITING_APPROVAL, timezone.localdate(since)))
    due |= {
        (Kind.CHANGE_REQUEST_WAITING, timezone.localdate(asked))
        for asked in plan.unanswered_change_requests_since
        if asked < now - CHANGE_REQUEST_WAIT
    }
    return due


def _review(review_due_on: dt.date, today: dt.date) -> set[Reminder]:
    if review_due_on > today + DUE_SOON:
        return set()
    if review_due_on >= today:
        return {(Kind.REVIEW_DUE, review_due_on)}
    # Overdue replaces "due soon"; after 7 days the leads hear, once in each further week.
    due: set[Reminder] = {(Kind.REVIEW_OVERDUE, review_due_on)}
    days_overdue = (today - review_due_on).days
    if days_overdue > ESCALATE_AFTER_DAYS:
        # The first escalation falls on the day after ESCALATE_AFTER_DAYS; then one each
        # ESCALATE_EVERY_DAYS. Its date is the latest of those on or before today.
        first = ESCALATE_AFTER_DAYS + 1
        since_first = (days_overdue - first) // ESCALATE_EVERY_DAYS * ESCALATE_EVERY_DAYS
        due.add((Kind.REVIEW_ESCALATED, review_due_on + dt.timedelta(days=first + since_first)))
    return due


def resolution(kind: str, still_due: Iterable[Reminder], *, closed: bool = False) -> str:
    """Why an open reminder is no longer due, in words for the notifications page."""
    if closed:
        return "Closed: the person has died"
    kinds = {k for k, _ in still_due}
    if kind == Kind.REVIEW_DUE and Kind.REVIEW_OVERDUE in kinds:
        return "Now overdue"
    if kind == Kind.REVIEW_ESCALATED and Kind.REVIEW_ESCALATED in kinds:
        return "Escalated again this week"
    return {
        Kind.AWAITING_APPROVAL: "Approved, or no longer awaiting approval",
        Kind.CHANGE_REQUEST_WAITING: "Answered",
        Kind.CPR_REVIEW_DUE: "Reviewed: the CPR decision has a new review date",
    }.get(Kind(kind), "Reviewed: the plan was published with a new review date")
