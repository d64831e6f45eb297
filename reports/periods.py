"""Reporting periods: a month ("2026-07"), a quarter ("2026-Q3", calendar quarters) or a
year ("2026"), parsed strictly; anything else is a clear error, never an empty report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

KINDS = {"month": "Month", "quarter": "Quarter", "year": "Year"}
_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}
EXAMPLES = {"month": "2026-07", "quarter": "2026-Q3", "year": "2026"}
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str
    value: str
    start: dt.date  # first day
    end: dt.date  # the day after the last

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            last = self.end - dt.timedelta(days=1)
            return f"{self.value[-2:]} {self.start.year} ({self.start:%B} to {last:%B})"
        return str(self.start.year)


def _next_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_period(kind: str, value: str) -> Period:
    """Raises ValidationError naming the field: `period_kind` or `period`."""
    if kind not in KINDS:
        raise ValidationError({"period_kind": "Choose a month, a quarter or a year"})
    found = _PATTERNS[kind].match(value.strip())
    if found is None:
        raise ValidationError(
            {"period": f"Enter the {kind} like {EXAMPLES[kind]}, not “{value[:20]}”"}
        )
    year = int(found.group(1))
    this_year = timezone.localdate().year
    if not EARLIEST_YEAR <= year <= this_year:
        raise ValidationError({"period": f"Choose a year from {EARLIEST_YEAR} to {this_year}"})
    if kind == "month":
        month = int(found.group(2))
        if not 1 <= month <= 12:
            raise ValidationError({"period": "A month is 01 to 12, like 2026-07"})
        start = dt.date(year, month, 1)
        return Period(kind, value.strip(), start, _next_month(start, 1))
    if kind == "quarter":
        start = dt.date(year, 3 * (int(found.group(2)) - 1) + 1, 1)
        return Period(kind, value.strip(), start, _next_month(start, 3))
    return Period(kind, value.strip(), dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


def current_period(kind: str = "quarter") -> Period:
    today = timezone.localdate()
    if kind == "month":
        return parse_period("month", f"{today:%Y-%m}")
    if kind == "year":
        return parse_period("year", str(today.year))
    return parse_period("quarter", f"{today.year}-Q{(today.month - 1) // 3 + 1}")


def recent_periods(kind: str, count: int = 12) -> list[Period]:
    """The latest `count` periods of a kind, newest first, for the filter's choices."""
    latest = current_period(kind)
    step = {"month": 1, "quarter": 3, "year": 12}[kind]
    periods = []
    for back in range(count):
        start = _next_month(latest.start, -step * back)
        if start.year < EARLIEST_YEAR:
            break
        value = {
            "month": f"{start:%Y-%m}",
            "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
            "year": str(start.year),
        }[kind]
        periods.append(parse_period(kind, value))
    return periods
