"""`{% stage_profile patient %}`: the published care profile of the person's region for
their stage now, the same text on the patient page, the plan, the person's own pages and
the printed pack."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from patients.models import Patient
from profiles.readiness_selectors import Readiness, readiness_of, readiness_of_many
from profiles.selectors import follow_up_of, part_for, stage_now
from profiles.terminology import STAGE_OF_CODE

register = template.Library()


@register.inclusion_tag("profiles/includes/for_patient.html")
def stage_profile(patient: Patient, own: bool = False) -> dict[str, Any]:
    """Precondition: the page has checked that its reader may see `patient`. `own`: the
    person, their attorney or carer reads it (plain headings, nothing about staging)."""
    stage = stage_now(patient)
    part = part_for(patient, stage)
    missing = ""
    if part is None:
        missing = (
            "No care profile is shown: record the person's Gold Standards Framework stage "
            "on the palliative care register to see what is available locally."
            if stage is None
            else "The region has not published a care profile yet."
        )
    return {"part": part, "own": own, "missing": missing, "show_missing": True}


@register.inclusion_tag("profiles/includes/for_print.html")
def stage_profile_print(patient: Patient) -> dict[str, Any]:
    """The same part, for the printed pack for the person's home."""
    return {"part": part_for(patient, stage_now(patient))}


@register.inclusion_tag("profiles/includes/readiness_summary.html")
def readiness_summary(patient: Patient) -> dict[str, Any]:
    """On the plan: the person's readiness for home, each item's colour and why. Precondition
    as stage_profile."""
    if patient.date_of_death is not None:
        return {"readiness": None, "patient": patient}
    return {"readiness": readiness_of(patient, timezone.localdate()), "patient": patient}


@register.inclusion_tag("profiles/includes/after_death_summary.html")
def after_death_summary(patient: Patient) -> dict[str, Any]:
    """On the patient page of someone who has died: the family's follow-up."""
    follow_up = follow_up_of(patient) if patient.date_of_death else None
    return {"follow_up": follow_up, "patient": patient}


@register.simple_tag
def readiness_by_patient(rows: list[Any]) -> dict[int, Readiness]:
    """A page of the worklist, each living person with their readiness for home, in a few
    queries whatever the page holds, from the stage and key worker the rows already carry.
    Precondition: the rows are the viewer's worklist."""
    living = [row for row in rows if row.patient.date_of_death is None]
    return readiness_of_many(
        [row.patient for row in living],
        timezone.localdate(),
        stages={row.patient.pk: STAGE_OF_CODE.get(row.stage_code) for row in living},
        workers={row.patient.pk: row.key_worker.name for row in living if row.key_worker},
        for_list=True,
    )


@register.filter
def for_patient(found: dict[int, Any], patient_id: int) -> Any:
    """`{{ readiness|for_patient:row.patient.pk }}`: one person's entry of a page's batch."""
    return found.get(patient_id)
