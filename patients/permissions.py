"""Who may see and change which patient: the role table (organisations.permissions) plus the
care-team relationship, held as guardian object permissions granted to organisation groups."""

from __future__ import annotations

from django.db.models import QuerySet

from organisations.models import Membership
from organisations.permissions import Capability, can_view_patients, has_capability
from patients.models import Patient, PatientGroupObjectPermission

VIEW_PATIENT = "view_patient"


def care_team_grants(membership: Membership) -> QuerySet[PatientGroupObjectPermission]:
    """Grants held by the acting organisation only, never by the person's other memberships."""
    return PatientGroupObjectPermission.objects.filter(
        group_id=membership.organisation.group_id,
        permission__codename=VIEW_PATIENT,
        permission__content_type__app_label="patients",
    )


def visible_patients(membership: Membership) -> QuerySet[Patient]:
    """The one answer to "whose records may this person see?": patients whose care team
    includes the acting organisation, for roles that see records at all."""
    if not can_view_patients(membership):
        return Patient.objects.none()
    return Patient.objects.filter(pk__in=care_team_grants(membership).values("content_object_id"))


def in_care_team(membership: Membership, patient: Patient) -> bool:
    return care_team_grants(membership).filter(content_object=patient).exists()


def can_view_patient(membership: Membership | None, patient: Patient) -> bool:
    return membership is not None and visible_patients(membership).filter(pk=patient.pk).exists()


def can_manage_care_team(membership: Membership | None, patient: Patient) -> bool:
    return (
        membership is not None
        and has_capability(membership, Capability.MANAGE_CARE_TEAM)
        and in_care_team(membership, patient)
    )
