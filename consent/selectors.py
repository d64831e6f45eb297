from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from consent.models import ConsentToShare, LastingPowerOfAttorney
from patients.models import Patient


def active_consent(patient: Patient) -> ConsentToShare | None:
    """Precondition: `patient` came from a selector for the viewer."""
    return ConsentToShare.objects.active().filter(patient=patient).first()


def has_active_consent(patient: OuterRef) -> Exists:
    """In a query: whether the person (`patient`, a reference to the outer query) has
    consent to share in force."""
    return Exists(ConsentToShare.objects.active().filter(patient=patient))


def consent_history(patient: Patient) -> QuerySet[ConsentToShare]:
    return ConsentToShare.objects.filter(patient=patient).select_related(
        "recorded_by", "withdrawn_by"
    )


def active_lpas(patient: Patient) -> QuerySet[LastingPowerOfAttorney]:
    """The person's registered LPAs for health and welfare in force: the one record the
    plan, the summary, the PDFs, FHIR and online access all read."""
    return LastingPowerOfAttorney.objects.filter(patient=patient, ended_at__isnull=True).order_by(
        "recorded_at", "id"
    )


def active_lpas_of_plan(plan_id: int) -> list[LastingPowerOfAttorney]:
    """The same, for the person whose care plan this is: one query from a published
    version, which knows its plan."""
    return list(
        LastingPowerOfAttorney.objects.filter(
            patient__care_plan__id=plan_id, ended_at__isnull=True
        ).order_by("recorded_at", "id")
    )
