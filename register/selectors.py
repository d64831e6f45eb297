"""Reads of the register and of identification records, limited to what the viewer may see
and audited."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.http import Http404

from audit.models import Action
from audit.services import record
from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.permissions import visible_patients
from patients.selectors import record_refusal
from register.models import PhaseOfIllness, RegisterEntry, SpictAssessment, SurpriseQuestion


def register_patient_for(
    viewer: Membership, public_id: UUID, *, page: str, action: Action | None = Action.VIEW
) -> Patient:
    """The patient, if the viewer keeps their practice's register (register.permissions:
    a clinician of the person's own GP practice, in their care team), recording `action`;
    else Http404 and a refusal in the person's stream."""
    role_may = has_capability(viewer, Capability.KEEP_PALLIATIVE_REGISTER)
    patient = (
        visible_patients(viewer)
        .filter(public_id=public_id, registered_gp_practice_id=viewer.organisation_id)
        .select_related("registered_gp_practice")
        .first()
        if role_may
        else None
    )
    if patient is None:
        record_refusal(
            viewer,
            public_id,
            page=page,
            reason="not a clinician of the person's GP practice in their care team"
            if role_may
            else "the acting role cannot keep the palliative care register",
        )
        raise Http404("No such patient")
    if action is not None:
        record(actor=viewer, action=action, patient=patient, detail={"page": page})
    return patient


def stage_codes_now(patient_ids: list[int]) -> dict[int, str]:
    """Those of `patient_ids` on the register now (an open entry), each with the GSF stage
    code of their newest open entry that has one ("" if none): one query for many people.
    Precondition: the caller may see them."""
    found: dict[int, str] = {}
    for patient_id, stage in (
        RegisterEntry.objects.filter(patient_id__in=patient_ids, removed_on__isnull=True)
        .order_by("-added_on", "-id")
        .values_list("patient_id", "stage")
    ):
        if not found.get(patient_id):
            found[patient_id] = stage
    return found


def open_entry(patient: Patient) -> RegisterEntry | None:
    """The person's current place on their practice's register, if any. Precondition:
    `patient` came from a selector for the viewer."""
    return (
        RegisterEntry.objects.filter(
            patient=patient,
            practice_id=patient.registered_gp_practice_id,
            removed_on__isnull=True,
        )
        .select_related("added_by")
        .first()
    )


@dataclass(frozen=True)
class Identification:
    """Everything recorded about whether the person may need palliative care, newest first."""

    surprise_questions: list[SurpriseQuestion]
    spict: list[SpictAssessment]
    phases: list[PhaseOfIllness]


def identification_of(patient: Patient) -> Identification:
    return Identification(
        surprise_questions=list(
            SurpriseQuestion.objects.filter(patient=patient).select_related(
                "recorded_by", "organisation"
            )
        ),
        spict=list(
            SpictAssessment.objects.filter(patient=patient).select_related(
                "recorded_by", "organisation"
            )
        ),
        phases=list(
            PhaseOfIllness.objects.filter(patient=patient).select_related(
                "recorded_by", "organisation"
            )
        ),
    )


def register_history(patient: Patient) -> list[RegisterEntry]:
    return list(
        RegisterEntry.objects.filter(patient=patient).select_related(
            "practice", "added_by", "removed_by"
        )
    )
