"""The priority rule: a need score from a needs assessment, its band, and the queue's sort
key with ageing. Pure functions of their inputs and a rule version, so that the same inputs
and version always give the same score, and every point is shown as a term.

The weights are DEFAULTS FOR CLINICAL REVIEW. They come from the background notes
(shared/reference/coordination-triage-notes.md) and need the sign-off of the centre's
clinical lead before live use. To change them, add a new version to RULES, never edit a
version in use: stored assessments keep the version they were scored with.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from register.terminology import Phase


class Band(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Carer(StrEnum):
    COPING = "coping"
    STRUGGLING = "struggling"
    BREAKDOWN = "breakdown"
    LIVES_ALONE = "lives_alone"


PHASE_LABELS = {
    Phase.STABLE: "Stable",
    Phase.UNSTABLE: "Unstable",
    Phase.DETERIORATING: "Deteriorating",
    Phase.DYING: "Dying",
}
CARER_LABELS = {
    Carer.COPING: "Carer coping",
    Carer.STRUGGLING: "Carer struggling",
    Carer.BREAKDOWN: "Carer breakdown",
    Carer.LIVES_ALONE: "Lives alone, no carer",
}
# Integrated Palliative care Outcome Scale: 17 items, each 0 (not at all) to 4 (overwhelming).
IPOS_ITEMS = (
    "Pain",
    "Shortness of breath",
    "Weakness or lack of energy",
    "Nausea",
    "Vomiting",
    "Poor appetite",
    "Constipation",
    "Sore or dry mouth",
    "Drowsiness",
    "Poor mobility",
    "Patient anxious or worried",
    "Family anxious or worried",
    "Feeling depressed",
    "Feeling at peace",
    "Able to share feelings",
    "Information needs met",
    "Practical problems addressed",
)
IPOS_ITEM_MAX = 4
IPOS_MAX = IPOS_ITEM_MAX * len(IPOS_ITEMS)  # 68
AKPS_VALUES = tuple(range(0, 101, 10))


@dataclass(frozen=True)
class Weights:
    """One version of the rule. Defaults for clinical review (see the module's note)."""

    phase: dict[Phase, int]
    akps: tuple[tuple[int, int], ...]  # (highest AKPS, points), in increasing order
    ipos_any_4: int
    ipos_any_3: int
    ipos_total: int  # points for a total of 68
    ipos_least_items: int  # fewer answered items give no total (scaling would guess)
    carer: dict[Carer, int]
    red_phases: frozenset[Phase]
    red_score: int
    amber_score: int
    band_base: dict[Band, int]
    ageing_per_target: int  # points for waiting one target period
    ageing_cap: int
    target_hours: dict[Band, int]  # defaults; a centre may set its own per service


RULES = {
    "2026.1": Weights(
        phase={Phase.DYING: 40, Phase.UNSTABLE: 30, Phase.DETERIORATING: 20, Phase.STABLE: 5},
        akps=((20, 15), (40, 10), (60, 5)),
        ipos_any_4=10,
        ipos_any_3=5,
        ipos_total=15,
        ipos_least_items=9,
        carer={
            Carer.BREAKDOWN: 15,
            Carer.STRUGGLING: 8,
            Carer.LIVES_ALONE: 10,
            Carer.COPING: 0,
        },
        red_phases=frozenset({Phase.DYING, Phase.UNSTABLE}),
        red_score=60,
        amber_score=35,
        band_base={Band.RED: 200, Band.AMBER: 100, Band.GREEN: 0},
        ageing_per_target=100,
        # Below the gap between bands' bases plus the lowest Red score, so that a Green,
        # however long it waits, never passes a fresh Red.
        ageing_cap=150,
        target_hours={Band.RED: 24, Band.AMBER: 72, Band.GREEN: 240},
    ),
}
RULE_VERSION = "2026.1"


@dataclass(frozen=True)
class Needs:
    """A needs assessment's inputs. None is "not assessed": flagged, never scored as 0."""

    phase: Phase | None = None
    akps: int | None = None
    ipos: Sequence[int | None] = field(default_factory=lambda: [None] * len(IPOS_ITEMS))
    carer: Carer | None = None


def needs_of(
    phase: str | None, akps: int | None, ipos: Sequence[int | None] | None, carer: str | None
) -> Needs:
    """Needs from plain values (a form's, the API's): blank or None is not assessed."""
    return Needs(
        phase=Phase(phase) if phase else None,
        akps=akps,
        ipos=list(ipos) if ipos is not None else [None] * len(IPOS_ITEMS),
        carer=Carer(carer) if carer else None,
    )


def assessed_nothing(needs: Needs) -> bool:
    """Every item "not assessed": such an assessment says nothing and must rank nothing."""
    return (
        needs.phase is None
        and needs.akps is None
        and all(value is None for value in needs.ipos)
        and needs.carer is None
    )


# Until the centre's clinician assesses, the referrer's urgency holds the band up: a
# referral asked "within 24 hours" is never Green 0 for want of an assessment.
URGENCY_BANDS = {"24h": Band.RED, "3d": Band.AMBER, "routine": Band.GREEN}
_BAND_ORDER = (Band.GREEN, Band.AMBER, Band.RED)


def provisional_band(assessed: Band, urgency: str) -> Band:
    """The higher of the referrer's assessment's band and the band of their urgency."""
    asked = URGENCY_BANDS.get(urgency, Band.GREEN)
    return max(assessed, asked, key=_BAND_ORDER.index)


@dataclass(frozen=True)
class Term:
    label: str
    points: int

    def __str__(self) -> str:
        return f"{self.label} +{self.points}"


@dataclass(frozen=True)
class Priority:
    rule_version: str
    score: int
    band: Band
    terms: tuple[Term, ...]
    missing: tuple[str, ...]
    red_because: tuple[str, ...]


def validate(needs: Needs) -> dict[str, str]:
    """Field -> reason for any input outside its scale (nothing is scored then)."""
    errors: dict[str, str] = {}
    if needs.akps is not None and needs.akps not in AKPS_VALUES:
        errors["akps"] = "AKPS must be a multiple of 10 from 0 to 100"
    if len(needs.ipos) != len(IPOS_ITEMS):
        errors["ipos"] = f"IPOS has {len(IPOS_ITEMS)} items"
    for index, value in enumerate(needs.ipos[: len(IPOS_ITEMS)]):
        if value is not None and value not in range(IPOS_ITEM_MAX + 1):
            errors[f"ipos_{index + 1}"] = f"{IPOS_ITEMS[index]}: score from 0 to 4"
    return errors


def need(needs: Needs, rule_version: str = RULE_VERSION) -> Priority:
    """The need score with every term, the band and why it is Red."""
    if errors := validate(needs):
        raise ValueError(errors)
    weights = RULES[rule_version]
    terms: list[Term] = []
    missing: list[str] = []
    red_because: list[str] = []
    if needs.phase is None:
        missing.append("Phase of illness")
    else:
        terms.append(Term(PHASE_LABELS[needs.phase], weights.phase[needs.phase]))
        if needs.phase in weights.red_phases:
            red_because.append(PHASE_LABELS[needs.phase])
    if needs.akps is None:
        missing.append("AKPS")
    elif points := _akps_points(weights, needs.akps):
        terms.append(Term(f"AKPS {needs.akps}", points))
    terms.extend(_ipos_terms(weights, needs.ipos, missing, red_because))
    if needs.carer is None:
        missing.append("Carer situation")
    else:
        if points := weights.carer[needs.carer]:
            terms.append(Term(CARER_LABELS[needs.carer], points))
        if needs.carer == Carer.BREAKDOWN:
            red_because.append(CARER_LABELS[needs.carer])
    score = sum(term.points for term in terms)
    if score >= weights.red_score:
        red_because.append(f"score {score} of {weights.red_score} or more")
    if red_because:
        band = Band.RED
    elif score >= weights.amber_score:
        band = Band.AMBER
    else:
        band = Band.GREEN
    return Priority(rule_version, score, band, tuple(terms), tuple(missing), tuple(red_because))


def _akps_points(weights: Weights, akps: int) -> int:
    for highest, points in weights.akps:
        if akps <= highest:
            return points
    return 0


def _ipos_terms(
    weights: Weights, ipos: Sequence[int | None], missing: list[str], red_because: list[str]
) -> list[Term]:
    answered = [value for value in ipos if value is not None]
    if not answered:
        missing.append("IPOS")
        return []
    terms = []
    if len(answered) < len(IPOS_ITEMS):
        missing.append(f"IPOS: {len(IPOS_ITEMS) - len(answered)} of {len(IPOS_ITEMS)} items")
    worst = max(answered)
    if worst == IPOS_ITEM_MAX:
        terms.append(Term("an IPOS item scored 4", weights.ipos_any_4))
        red_because.append("an IPOS item scored 4")
    elif worst == IPOS_ITEM_MAX - 1:
        terms.append(Term("an IPOS item scored 3", weights.ipos_any_3))
    total = sum(answered)
    if len(answered) < weights.ipos_least_items:
        # Too few items to stand for the whole scale: no total, and flagged as missing.
        missing.append(f"IPOS total: only {len(answered)} of {len(IPOS_ITEMS)} items")
        return terms
    # With items missing, the total is scaled up from those answered, never counted as 0.
    points = _round(weights.ipos_total * total / (IPOS_ITEM_MAX * len(answered)))
    if points:
        if len(answered) == len(IPOS_ITEMS):
            label = f"IPOS total {total} of {IPOS_MAX}"
        else:
            label = f"IPOS {total} over {len(answered)} items, scaled to {IPOS_MAX}"
        terms.append(Term(label, points))
    return terms


def _round(value: float) -> int:
    """Halves round up (Python's round() would round 2.5 to 2)."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class SortKey:
    band: Band
    base: int
    score: int
    ageing: Term
    value: int
    waited: dt.timedelta
    target: dt.timedelta
    # A carer told the team things are getting harder since the last assessment.
    concern: Term | None = None

    @property
    def breached(self) -> bool:
        return self.waited > self.target


CARER_CONCERN = "A carer says things are getting harder at home (since the last assessment)"


def carer_concern(assessed_carer: str, rule_version: str = RULE_VERSION) -> Term:
    """A carer's report counts as "carer struggling" until the centre assesses again: the
    points of struggling, less what the last assessment already gave the carer."""
    weights = RULES[rule_version]
    already = weights.carer[Carer(assessed_carer)] if assessed_carer else 0
    return Term(CARER_CONCERN, max(weights.carer[Carer.STRUGGLING] - already, 0))


def sort_key(
    band: Band,
    score: int,
    waited: dt.timedelta,
    target: dt.timedelta,
    rule_version: str = RULE_VERSION,
    concern: Term | None = None,
) -> SortKey:
    """Band base + need score + ageing (+ a carer's concern), where ageing grows by
    `ageing_per_target` points per target period waited, up to `ageing_cap`."""
    weights = RULES[rule_version]
    waited = max(waited, dt.timedelta(0))
    ratio = waited / target if target > dt.timedelta(0) else 0
    ageing = min(math.floor(weights.ageing_per_target * ratio), weights.ageing_cap)
    label = f"waited {_duration(waited)} of {_duration(target)}"
    return SortKey(
        band=band,
        base=weights.band_base[band],
        score=score,
        ageing=Term(label, ageing),
        value=weights.band_base[band] + score + ageing + (concern.points if concern else 0),
        waited=waited,
        target=target,
        concern=concern,
    )


def _duration(span: dt.timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"
