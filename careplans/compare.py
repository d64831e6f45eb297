"""Field-by-field differences between two published snapshots, in plain English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from careplans.sections import SECTIONS, describe


@dataclass(frozen=True)
class Change:
    section: str
    item: str
    old: str
    new: str


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for section in SECTIONS:
        before = dict(describe(section, old.get("sections", {}).get(section.key, {})))
        after = dict(describe(section, new.get("sections", {}).get(section.key, {})))
        for item in list(before) + [i for i in after if i not in before]:
            if before.get(item) != after.get(item):
                changes.append(
                    Change(
                        section.title,
                        item,
                        before.get(item, "Not recorded"),
                        after.get(item, "Not recorded"),
                    )
                )
    return changes
