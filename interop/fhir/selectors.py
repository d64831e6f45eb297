"""Whose published plan a caller may read through the FHIR API: the same rule as the
emergency summary (patients.permissions.summary_patients: urgent care of the regions their
organisation serves, care teams, break glass), and only a current published version with
active consent to share (careplans.selectors.sharable_versions)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import OuterRef, QuerySet

from careplans.models import PublishedVersion
from careplans.selectors import has_sharable_version
from consent.models import ConsentToShare, LastingPowerOfAttorney
from consent.selectors import active_consent, active_lpas
from organisations.models import Membership
from patients.models import KeyContact, Patient
from patients.permissions import summary_patients
from patients.selectors import key_contacts_of


@dataclass(frozen=True)
class Shared:
    patient: Patient
    version: PublishedVersion
    consent: ConsentToShare | None
    lpas: list[LastingPowerOfAttorney]
    key_contacts: list[KeyContact]


def readable_patients(viewer: Membership) -> QuerySet[Patient]:
    return (
        summary_patients(viewer)
        .filter(has_sharable_version(OuterRef("pk")))
        .select_related("registered_gp_practice", "care_plan__current_version")
        .order_by("pk")
    )


def shared(patient: Patient) -> Shared:
    version = patient.care_plan.current_version
    assert version is not None  # noqa: S101  (readable_patients has one)
    return Shared(
        patient,
        version,
        active_consent(patient),
        list(active_lpas(patient)),
        list(key_contacts_of(patient).values()),
    )


def by_nhs_number(viewer: Membership, nhs_number: str) -> list[Shared]:
    return [shared(p) for p in readable_patients(viewer).filter(nhs_number=nhs_number)]


def by_public_id(viewer: Membership, public_id: UUID) -> Shared | None:
    patient = readable_patients(viewer).filter(public_id=public_id).first()
    return shared(patient) if patient is not None else None


def by_version(viewer: Membership, version_id: UUID) -> Shared | None:
    """The patient whose *current* version this is (older versions are not served)."""
    patient = (
        readable_patients(viewer).filter(care_plan__current_version__public_id=version_id).first()
    )
    return shared(patient) if patient is not None else None


def by_consent(viewer: Membership, consent_id: UUID) -> Shared | None:
    patient = (
        readable_patients(viewer)
        .filter(consents__in=ConsentToShare.objects.active().filter(public_id=consent_id))
        .first()
    )
    return shared(patient) if patient is not None else None
