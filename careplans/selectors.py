"""Reads of plans, limited to what the viewer may see, and audited."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404

from audit.models import Action
from careplans.models import PlanSection, PublishedVersion, WorkingCopy
from consent.models import ConsentToShare
from organisations.models import Membership
from organisations.permissions import Capability
from patients.models import Patient
from patients.selectors import patient_for


def plan_patient_for(viewer: Membership, public_id: UUID, *, page: str) -> Patient:
    """The patient whose plan the viewer may read (the care team, for roles that read
    plans: everyone else gets 404). Records a plan view or a refusal."""
    return patient_for(
        viewer, public_id, page=page, action=Action.VIEW_PLAN, capability=Capability.VIEW_FULL_PLAN
    )


def working_copy_of(patient: Patient) -> WorkingCopy | None:
    return WorkingCopy.objects.filter(plan__patient=patient).select_related("plan").first()


def section_data(working_copy: WorkingCopy | None) -> dict[str, dict]:
    if working_copy is None:
        return {}
    return {s.key: s.data for s in PlanSection.objects.filter(working_copy=working_copy)}


def versions_of(patient: Patient) -> QuerySet[PublishedVersion]:
    return PublishedVersion.objects.filter(plan__patient=patient).select_related("consent_basis")


def version_for(patient: Patient, number: int) -> PublishedVersion:
    version = versions_of(patient).filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    return version


def sharable_versions() -> QuerySet[PublishedVersion]:
    """The current published version of every plan whose patient has active consent to
    share. Nothing else may leave the care team (DESIGN §5)."""
    latest = PublishedVersion.objects.filter(plan=OuterRef("plan")).order_by("-number")
    consent = ConsentToShare.objects.filter(
        patient=OuterRef("plan__patient"), withdrawn_at__isnull=True
    )
    return PublishedVersion.objects.filter(number=Subquery(latest.values("number")[:1])).filter(
        Exists(consent)
    )


def sharable_version_of(patient: Patient) -> PublishedVersion | None:
    return sharable_versions().filter(plan__patient=patient).first()
