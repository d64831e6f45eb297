"""The palliative care register report's figures, honestly shown: counts of 1 to 4 are "*",
as in the place-of-death report (reports/figures.py), and so is the share they make; with
more than one practice and a total, a lone hidden cell in a column takes the next smallest
with it, so that it cannot be worked out from the total. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.figures import HIDDEN, NOT_APPLICABLE, SMALL

COUNTS = ("on_register", "with_plan", "with_ppd", "reviewed", "non_cancer")
SHARES = {
    "pct_with_plan": ("with_plan", "on_register"),
    "pct_with_ppd": ("with_ppd", "on_register"),
    "pct_reviewed": ("reviewed", "on_register"),
    "pct_non_cancer": ("non_cancer", "on_register"),
}


@dataclass
class RegisterRow:
    key: str
    label: str
    list_size: int | None
    counts: dict[str, int]
    hidden: set[str] = field(default_factory=set)

    def shown(self, name: str) -> str:
        if name in SHARES:
            part, whole = SHARES[name]
            if {part, whole} & self.hidden:
                return HIDDEN
            if not self.counts[whole]:
                return NOT_APPLICABLE
            return f"{100 * self.counts[part] / self.counts[whole]:.0f}%"
        return HIDDEN if name in self.hidden else str(self.counts[name])

    @property
    def of_list(self) -> str:
        """The register as a share of the practice's list (QOF PC001's prevalence)."""
        if not self.list_size:
            return "List size not known"
        if "on_register" in self.hidden:
            return HIDDEN
        return f"{100 * self.counts['on_register'] / self.list_size:.2f}%"


def suppress(rows: list[RegisterRow], total: RegisterRow | None) -> None:
    """Mark what must be hidden, in place."""
    for row in [*rows, *([total] if total else [])]:
        row.hidden = {name for name in COUNTS if row.counts[name] in SMALL}
    if total is None or len(rows) < 2:
        return
    for name in COUNTS:
        hidden = [row for row in rows if name in row.hidden]
        if len(hidden) == 1:
            others = sorted(
                (row for row in rows if name not in row.hidden and row.counts[name]),
                key=lambda row: (row.counts[name], row.key),
            )
            if others:
                others[0].hidden.add(name)
