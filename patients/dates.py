"""One set of rules for the dates people type about a person, used by every form, service
and the REST API: nothing before 1900, nothing about a person before they were born,
nothing in the future where the past is meant, and no lasting power of attorney registered
before the Mental Capacity Act 2005 brought LPAs in (1 October 2007)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

EARLIEST = dt.date(1900, 1, 1)
LPAS_BEGAN = dt.date(2007, 10, 1)


def _day(value: dt.date) -> str:
    return value.strftime("%-d %B %Y")


def date_problem(
    value: dt.date,
    *,
    what: str,
    in_the_past: bool = False,
    born: dt.date | None = None,
    earliest: dt.date = EARLIEST,
    earliest_because: str = "",
) -> str | None:
    """What is wrong with `value` as `what` ("The date of the decision"), or None.

    `in_the_past`: the date says when something happened, so it cannot be after today.
    `born`: the person's date of birth; nothing about them happened before it."""
    if value < earliest:
        because = f": {earliest_because}" if earliest_because else ""
        return f"{what} must be on or after {_day(earliest)}{because}"
    if born is not None and value < born:
        return f"{what} cannot be before the person's date of birth, {_day(born)}"
    if in_the_past and value > timezone.localdate():
        return f"{what} must be today or in the past"
    return None


def lpa_registration_problem(value: dt.date, *, born: dt.date | None = None) -> str | None:
    return date_problem(
        value,
        what="The date the LPA was registered",
        in_the_past=True,
        born=born,
        earliest=LPAS_BEGAN,
        earliest_because="lasting powers of attorney began then",
    )


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on `day` (a birthday on 29 February counts from 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
