"""Reads of plans, limited to what the viewer may see, and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404

from audit.models import Action
from audit.services import record
from careplans.models import PlanSection, PublishedVersion, WorkingCopy
from consent.models import ConsentToShare
from organisations.models import Membership
from organisations.permissions import Capability
from patients.models import Patient
from patients.permissions import active_break_glass_grants, summary_patients
from patients.selectors import patient_for, record_refusal


def plan_patient_for(
    viewer: Membership, public_id: UUID, *, page: str, action: Action = Action.VIEW_PLAN
) -> Patient:
    """The patient whose plan the viewer may read (the care team, for roles that read
    plans: everyone else gets 404). Records `action` or a refusal."""
    return patient_for(
        viewer, public_id, page=page, action=action, capability=Capability.VIEW_FULL_PLAN
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


@dataclass(frozen=True)
class SummaryAccess:
    """What the emergency summary page needs: the patient, the version it may show (None:
    "No shareable plan"), and the break-glass grant it was opened under, if any."""

    patient: Patient
    version: PublishedVersion | None
    break_glass_reason: str
    break_glass_expires_at: dt.datetime | None


def summary_for(
    viewer: Membership,
    public_id: UUID,
    *,
    page: str = "summary",
    action: Action = Action.VIEW_SUMMARY,
) -> SummaryAccess:
    """The patient's emergency summary if the viewer may open it (patients.permissions.
    summary_patients), recording `action` with the version shown; else Http404 and a refusal.

    Two reads whatever the number of patients or versions: the patient, with the sharable
    version's id and any break-glass grant as subqueries; then that version."""
    grants = (
        active_break_glass_grants(viewer).filter(patient=OuterRef("pk")).order_by("-expires_at")
    )
    sharable = sharable_versions().filter(plan__patient=OuterRef("pk"))
    patient = (
        summary_patients(viewer)
        .filter(public_id=public_id)
        .annotate(
            sharable_version_id=Subquery(sharable.values("pk")[:1]),
            break_glass_reason=Subquery(grants.values("reason")[:1]),
            break_glass_expires_at=Subquery(grants.values("expires_at")[:1]),
        )
        .first()
    )
    if patient is None:
        record_refusal(viewer, public_id, page=page)
        raise Http404("No such patient")
    version_id = patient.sharable_version_id
    version = PublishedVersion.objects.filter(pk=version_id).first() if version_id else None
    record(
        actor=viewer,
        action=action,
        patient=patient,
        detail={
            "page": page,
            "version": version.number if version else None,
            "break_glass": patient.break_glass_expires_at is not None,
        },
    )
    return SummaryAccess(
        patient=patient,
        version=version,
        break_glass_reason=patient.break_glass_reason or "",
        break_glass_expires_at=patient.break_glass_expires_at,
    )
