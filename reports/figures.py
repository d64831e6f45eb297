"""Honest numbers: counts of 1 to 4 are shown as "*", as NHS publications do, and so is
any cell from which a hidden one could be worked out (its complement in the row, or a
second cell in the column when the total is shown). Pure functions: the tests compare
every cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SMALL = range(1, 5)
HIDDEN = "*"
NOT_APPLICABLE = "n/a"  # a rate of nobody

# Each row's counts, in the order the table and the CSV show them.
COUNTS = ("deaths", "with_ppd", "achieved", "not_achieved", "no_ppd", "in_hospital")
# Pairs that add up to a third count shown in the same row: hide one, hide the other.
COMPLEMENTS = (("achieved", "not_achieved", "with_ppd"), ("with_ppd", "no_ppd", "deaths"))
# Rates: (numerator, denominator).
RATES = {"pct_achieved": ("achieved", "with_ppd"), "pct_in_hospital": ("in_hospital", "deaths")}


@dataclass
class Row:
    """One group's figures. `hidden` names the counts shown as "*"."""

    key: str
    label: str
    counts: dict[str, int]
    hidden: set[str] = field(default_factory=set)

    def shown(self, name: str) -> str:
        if name in RATES:
            numerator, denominator = RATES[name]
            if {numerator, denominator} & self.hidden or not self.counts[denominator]:
                return HIDDEN if {numerator, denominator} & self.hidden else NOT_APPLICABLE
            return f"{100 * self.counts[numerator] / self.counts[denominator]:.0f}%"
        return HIDDEN if name in self.hidden else str(self.counts[name])

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden)


def make_row(key: str, label: str, deaths: int, with_ppd: int, achieved: int, hospital: int) -> Row:
    return Row(
        key,
        label,
        {
            "deaths": deaths,
            "with_ppd": with_ppd,
            "achieved": achieved,
            "not_achieved": with_ppd - achieved,
            "no_ppd": deaths - with_ppd,
            "in_hospital": hospital,
        },
    )


def suppress(rows: list[Row], total: Row) -> None:
    """Mark what must be hidden in the group rows and the total, in place."""
    everything = [*rows, total]
    for row in everything:
        row.hidden = {name for name in COUNTS if row.counts[name] in SMALL}
    changed = True
    while changed:
        changed = False
        for row in everything:
            for one, other, whole in COMPLEMENTS:
                # One part hidden: the other part and the whole would give it away.
                for hidden, partner in ((one, other), (other, one)):
                    if hidden in row.hidden and partner not in row.hidden:
                        row.hidden.add(partner)
                        changed = True
                # The whole hidden: its two parts, shown, would add up to it.
                if whole in row.hidden and not {one, other} & row.hidden:
                    smaller = min((one, other), key=lambda name: (row.counts[name], name))
                    row.hidden.add(smaller)
                    changed = True
        if len(rows) > 1:
            for name in COUNTS:
                hidden_here = [row for row in rows if name in row.hidden]
                if len(hidden_here) == 1 and name not in total.hidden:
                    # The total would give it away: hide the next smallest cell as well.
                    others = [r for r in rows if name not in r.hidden and r.counts[name] > 0]
                    if others:
                        min(others, key=lambda r: (r.counts[name], r.key)).hidden.add(name)
                    else:
                        total.hidden.add(name)
                    changed = True


def proportion_cells(proportion: Any) -> list[str]:
    """Numerator, denominator and percentage of a Proportion, hidden when small."""
    if proportion.hidden:
        return [HIDDEN, HIDDEN, HIDDEN]
    if not proportion.denominator:
        return [str(proportion.numerator), "0", NOT_APPLICABLE]
    percent = f"{100 * proportion.numerator / proportion.denominator:.0f}%"
    return [str(proportion.numerator), str(proportion.denominator), percent]


def count_shown(count: int) -> str:
    """A single count on its own: hidden when it is 1 to 4."""
    return HIDDEN if count in SMALL else str(count)
