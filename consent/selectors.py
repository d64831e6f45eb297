from __future__ import annotations

from django.db.models import QuerySet

from consent.models import ConsentToShare
from patients.models import Patient


def active_consent(patient: Patient) -> ConsentToShare | None:
    """Precondition: `patient` came from a selector for the viewer."""
    return ConsentToShare.objects.active().filter(patient=patient).first()


def consent_history(patient: Patient) -> QuerySet[ConsentToShare]:
    return ConsentToShare.objects.filter(patient=patient).select_related(
        "recorded_by", "withdrawn_by"
    )
