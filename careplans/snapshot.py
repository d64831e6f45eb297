"""The one snapshot serializer: what a published version freezes, and what the version
page, the comparison, the emergency summary, PDF, API and FHIR all read."""

from __future__ import annotations

from typing import Any

from careplans.models import WorkingCopy
from patients.models import Patient

SCHEMA = 1


def build_snapshot(
    patient: Patient, *, revision: int, sections: dict[str, dict[str, Any]], practice_label: str
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "revision": revision,
        "patient": {
            "public_id": str(patient.public_id),
            "nhs_number": patient.nhs_number,
            "name": patient.full_name,
            "preferred_name": patient.preferred_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "address": patient.address_lines,
            "phone": patient.phone,
            "preferred_language": patient.preferred_language,
            "interpreter_required": patient.interpreter_required,
            "registered_gp_practice": practice_label,
        },
        "sections": {key: sections[key] for key in sorted(sections)},
    }


def snapshot_of(working_copy: WorkingCopy, patient: Patient) -> dict[str, Any]:
    practice = patient.registered_gp_practice
    return build_snapshot(
        patient,
        revision=working_copy.revision,
        sections={section.key: section.data for section in working_copy.sections.all()},
        practice_label=f"{practice.name} ({practice.ods_code})",
    )
