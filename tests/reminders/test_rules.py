"""When each reminder falls due: the rules on one plan's dates, on a frozen clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reminders.models import Kind
from reminders.rules import PlanDates, reminders_due, resolution

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=LONDON)
TODAY = NOW.date()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def plan(**dates: object) -> PlanDates:
    fields: dict[str, object] = {
        "plan_id": 1,
        "review_due_on": None,
        "cpr_review_due_on": None,
        "awaiting_approval_since": None,
    }
    fields.update(dates)
    return PlanDates(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("review_in", "expected"),
    [
        (15, set()),
        (14, {(Kind.REVIEW_DUE, days(14))}),
        (0, {(Kind.REVIEW_DUE, days(0))}),
        (-1, {(Kind.REVIEW_OVERDUE, days(-1))}),
        (-7, {(Kind.REVIEW_OVERDUE, days(-7))}),
        # More than 7 days overdue: the leads hear, on day 8 ...
        (-8, {(Kind.REVIEW_OVERDUE, days(-8)), (Kind.REVIEW_ESCALATED, days(0))}),
        # ... and that week's escalation stands until day 15 ...
        (-14, {(Kind.REVIEW_OVERDUE, days(-14)), (Kind.REVIEW_ESCALATED, days(-6))}),
        # ... when the next week's begins.
        (-15, {(Kind.REVIEW_OVERDUE, days(-15)), (Kind.REVIEW_ESCALATED, days(0))}),
        (-22, {(Kind.REVIEW_OVERDUE, days(-22)), (Kind.REVIEW_ESCALATED, days(0))}),
    ],
)
def test_a_review_is_due_soon_then_overdue_then_escalated_weekly(
    review_in: int, expected: set[tuple[Kind, dt.date]]
) -> None:
    assert reminders_due(plan(review_due_on=days(review_in)), now=NOW) == expected


def test_escalation_dates_are_one_a_week() -> None:
    review = days(-8)
    escalations = {
        due_on
        for n in range(60)
        for kind, due_on in reminders_due(
            plan(review_due_on=review), now=NOW + dt.timedelta(days=n)
        )
        if kind == Kind.REVIEW_ESCALATED
    }
    assert sorted(escalations) == [review + dt.timedelta(days=8 + 7 * k) for k in range(9)]


@pytest.mark.parametrize(
    ("cpr_review_in", "due"), [(15, False), (14, True), (0, True), (-30, True)]
)
def test_a_cpr_decision_is_due_for_review_from_14_days_before(
    cpr_review_in: int, due: bool
) -> None:
    expected = {(Kind.CPR_REVIEW_DUE, days(cpr_review_in))} if due else set()
    assert reminders_due(plan(cpr_review_due_on=days(cpr_review_in)), now=NOW) == expected


def test_a_plan_awaiting_approval_for_more_than_3_days_is_due() -> None:
    three_days = NOW - dt.timedelta(days=3)
    assert reminders_due(plan(awaiting_approval_since=three_days), now=NOW) == set()
    later = three_days - dt.timedelta(minutes=1)
    assert reminders_due(plan(awaiting_approval_since=later), now=NOW) == {
        (Kind.AWAITING_APPROVAL, later.date())
    }


def test_change_requests_unanswered_for_more_than_5_days_are_due_once_a_day() -> None:
    six_days = NOW - dt.timedelta(days=6)
    asked = (
        NOW - dt.timedelta(days=4),
        six_days,
        six_days + dt.timedelta(hours=1),
        NOW - dt.timedelta(days=9),
    )
    assert reminders_due(plan(unanswered_change_requests_since=asked), now=NOW) == {
        (Kind.CHANGE_REQUEST_WAITING, days(-6)),
        (Kind.CHANGE_REQUEST_WAITING, days(-9)),
    }


def test_resolutions_say_why_in_words() -> None:
    assert resolution(Kind.REVIEW_DUE, {(Kind.REVIEW_OVERDUE, days(-1))}) == "Now overdue"
    assert resolution(Kind.REVIEW_ESCALATED, {(Kind.REVIEW_ESCALATED, days(0))}) == (
        "Escalated again this week"
    )
    assert resolution(Kind.REVIEW_OVERDUE, set()).startswith("Reviewed")
    assert resolution(Kind.CHANGE_REQUEST_WAITING, set()) == "Answered"
