"""Running the whole suite with the clock moved: `pytest --clock 2028-02-29T23:30`.

A moment is read as London wall time, as a clinician would say it. In the hour that
happens twice (the last Sunday of October) the first of the two is meant, unless an offset
says which (`2027-10-31T01:30+00:00` is the second); a moment the clocks skip (the last
Sunday of March, 01:00 to 02:00) does not exist and is refused. The clock ticks from
there for the whole session, so tests that freeze or move it themselves still can, and
return to the moved clock after.

Python's clock is the one source of truth for "now": no query asks PostgreSQL for its
`now()` (tests/test_clock.py checks this), so a moved clock cannot split the two.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")


def parse_moment(text: str) -> dt.datetime:
    """The aware moment `text` names; raises pytest.UsageError with the reason."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise pytest.UsageError(
            f"--clock: {text!r} is not a moment; write it like 2028-02-29T23:30"
        ) from None
    if moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=LONDON)
    # A wall time inside the spring-forward gap comes back from UTC as another wall time.
    if local.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != moment:
        raise pytest.UsageError(
            f"--clock: {text} does not happen in London (the clocks go forward then)"
        )
    return local
