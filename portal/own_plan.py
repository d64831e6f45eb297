"""The approved plan as the person (or their attorney) reads it online: everything, except
a diagnosis or prognosis the care team has recorded they are not aware of or have not yet
discussed. Learning that from a web page, alone, is the harm this avoids; the care team
sees the words shown instead."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from careplans.sections import describe_all
from careplans.summary import lpa_described
from consent.models import LastingPowerOfAttorney

NOT_YET_TALKED_ABOUT = frozenset({"local:not-aware", "local:not-discussed"})
TALK_FIRST = "Your care team would like to talk this through with you first"
WITHHELD = {
    # (whose awareness, for the person / for their attorney) -> items held back
    ("awareness_of_diagnosis", "family_awareness_of_diagnosis"): (
        "primary_palliative_care_diagnosis",
        "other_conditions",
    ),
    ("awareness_of_prognosis", "family_awareness_of_prognosis"): (
        "estimated_prognosis",
        "gsf_prognostic_indicator_stage",
    ),
}


def sections_for_the_person(
    sections: dict[str, Any],
    *,
    is_proxy: bool,
    lpas: Iterable[LastingPowerOfAttorney] = (),
) -> list[dict[str, Any]]:
    """`lpas`: those in force, from the one LPA record."""
    clinical = dict(sections.get("clinical", {}))
    for (own, family), items in WITHHELD.items():
        if clinical.get(family if is_proxy else own) in NOT_YET_TALKED_ABOUT:
            for item in items:
                if item in clinical:
                    clinical[item] = TALK_FIRST
    described = describe_all({**sections, "clinical": clinical})
    for entry in described:
        if entry["section"].key == "legal":
            entry["rows"] = lpa_described(lpas) + entry["rows"]
    return described
