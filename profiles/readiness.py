"""Readiness for home: what each item must hold for a person to be cared for, and to die,
at home, and its colour (red, amber, green) with why, by stage. Pure: the caller reads
the records, the stage and the date (../shared/reference/case-finding-notes.md, section 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from profiles.models import ReadinessKind
from profiles.terminology import Stage

EQUIPMENT = {
    "profiling_bed": "Profiling bed",
    "pressure_mattress": "Pressure-relieving mattress",
    "commode": "Commode",
    "hoist": "Hoist",
    "wheelchair": "Wheelchair",
    "oxygen": "Oxygen",
    "syringe_driver": "Syringe driver",
}
CARER_SITUATION = {
    "coping": "Coping",
    "struggling": "Struggling",
    "breakdown": "Cannot carry on (carer breakdown)",
    "no_carer": "No carer: lives alone",
}
ACHIEVABLE = {
    "yes": "Yes, with the services available",
    "at_risk": "At risk",
    "no": "Not achievable now",
}
YES_NO = {"yes": "Yes", "no": "No"}
EXPIRY_SOON_DAYS = 14


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass(frozen=True)
class Assessed:
    kind: ReadinessKind
    rag: Rag
    why: str


def _late(stage: Stage | None) -> bool:
    """Stages C and D (weeks, days): what is missing now is urgent."""
    return stage in (Stage.C, Stage.D)


def _missing(stage: Stage | None) -> Rag:
    return Rag.RED if _late(stage) else Rag.AMBER


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def assess(
    kind: ReadinessKind,
    data: dict[str, Any] | None,
    *,
    stage: Stage | None,
    today: dt.date,
    key_worker: str = "",
    carer_from_assessment: str = "",
) -> Assessed:
    """The item's colour and why. `data` is the latest record (None: never recorded)."""
    rag, why = _assess(
        kind, data or {}, data is None, stage, today, key_worker, carer_from_assessment
    )
    return Assessed(kind=kind, rag=rag, why=why)


def _assess(
    kind: ReadinessKind,
    data: dict[str, Any],
    unrecorded: bool,
    stage: Stage | None,
    today: dt.date,
    key_worker: str,
    carer_from_assessment: str,
) -> tuple[Rag, str]:
    late = _late(stage)
    if kind == ReadinessKind.KEY_WORKER:
        if key_worker:
            return Rag.GREEN, f"{key_worker} is the key worker"
        return _missing(stage), "No key worker is named"
    if kind == ReadinessKind.MEDICINES:
        if unrecorded or not data.get("prescribed_on"):
            return _missing(stage), "No just-in-case medicines prescribed"
        expires = _day(data.get("expires_on"))
        if not data.get("issued_on"):
            return (Rag.RED if stage == Stage.D else Rag.AMBER), "Prescribed, not yet issued"
        if expires is not None and expires < today:
            return Rag.RED, f"Expired on {expires:%-d %B %Y}: replace them"
        if not data.get("kept_at"):
            return Rag.AMBER, "Issued; where they are kept is not recorded"
        if expires is None:
            return Rag.AMBER, "Issued; the expiry date is not recorded"
        if expires <= today + dt.timedelta(days=EXPIRY_SOON_DAYS):
            return Rag.AMBER, f"Expire on {expires:%-d %B %Y}: order more"
        return Rag.GREEN, f"Issued, kept {data['kept_at']}, expire {expires:%-d %B %Y}"
    if kind == ReadinessKind.EQUIPMENT:
        if unrecorded:
            return _missing(stage), "What equipment is needed has not been assessed"
        needed = [key for key in data.get("needed", []) if key in EQUIPMENT]
        delivered = set(data.get("delivered", []))
        waiting = [EQUIPMENT[key] for key in needed if key not in delivered]
        if not needed:
            return Rag.GREEN, "None needed"
        if waiting:
            return (Rag.RED if late else Rag.AMBER), f"Not delivered: {', '.join(waiting)}"
        return Rag.GREEN, f"Delivered: {', '.join(EQUIPMENT[key] for key in needed)}"
    if kind == ReadinessKind.FORM_AT_HOME:
        if data.get("at_home") == "yes":
            return Rag.GREEN, "The form is at home for a crew to see"
        return _missing(stage), ("Not recorded" if unrecorded else "No ReSPECT or CPR form at home")
    if kind == ReadinessKind.SPA_GIVEN:
        if data.get("given") == "yes":
            return Rag.GREEN, "The person and family have the number to call, day and night"
        return _missing(stage), (
            "Not recorded" if unrecorded else "The number to call has not been given"
        )
    if kind == ReadinessKind.CARER:
        situation = data.get("situation") or carer_from_assessment
        source = "" if data.get("situation") else " (from the needs assessment)"
        if situation == "coping":
            return Rag.GREEN, f"The carer is coping{source}"
        if situation == "struggling":
            return (Rag.RED if stage == Stage.D else Rag.AMBER), f"The carer is struggling{source}"
        if situation == "breakdown":
            return Rag.RED, f"The carer cannot carry on{source}"
        if situation in ("no_carer", "lives_alone"):
            return (Rag.RED if late else Rag.AMBER), f"No carer: lives alone{source}"
        return Rag.AMBER, "The carer's situation is not known"
    # The preferred place of death, checked against the services of the care profile.
    achievable = data.get("achievable")
    if achievable == "yes":
        return Rag.GREEN, "Achievable with the services available"
    if achievable == "no":
        return Rag.RED, "Not achievable with the services available now"
    if achievable == "at_risk":
        return Rag.AMBER, "At risk"
    return _missing(stage), "Not checked against the services available"
