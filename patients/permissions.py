"""Who may see and change which patient: the role table (organisations.permissions) plus the
care-team relationship, held as guardian object permissions granted to organisation groups."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Permission
from django.db import router
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from organisations.models import Membership, Organisation
from organisations.permissions import (
    Capability,
    can_view_emergency_summaries,
    can_view_patients,
    has_capability,
)
from patients.models import BreakGlassGrant, Patient, PatientGroupObjectPermission

VIEW_PATIENT = "view_patient"


# The view_patient permission's id in each database, read once a connection, as Django
# keeps the content types (ContentTypeManager's cache). PatientsConfig.ready forgets it when
# a connection is opened (so a worker reads it again within CONN_MAX_AGE of a change made
# elsewhere), and in the process that creates, saves or deletes permissions (post_migrate,
# also after a test's flush). Held stale, it could narrow access, never widen it: the only
# permission ever granted on a patient is view_patient, so any other id matches no grant.
_view_patient_ids: dict[str, int] = {}


def view_patient_permission_id() -> int | None:
    """None if there is no such permission (then no grant can exist: nobody is matched)."""
    using = router.db_for_read(PatientGroupObjectPermission)
    if using in _view_patient_ids:
        return _view_patient_ids[using]
    found: int | None = (
        Permission.objects.using(using)
        .filter(
            codename=VIEW_PATIENT, content_type__app_label="patients", content_type__model="patient"
        )
        .values_list("pk", flat=True)
        .first()
    )
    if found is not None:
        _view_patient_ids[using] = found
    return found


def forget_permission_ids(**kwargs: Any) -> None:
    _view_patient_ids.clear()


def care_team_grants(membership: Membership) -> QuerySet[PatientGroupObjectPermission]:
    """Grants held by the acting organisation only, never by the person's other memberships.

    The permission is matched by its id, as a literal: PostgreSQL then knows how many grants
    the organisation holds (a join to the permission table hid it), and for a large
    organisation walks a page of living patients in name order (the partial index
    patient_living_name) instead of reading and sorting every grant (bench/worklist.py). A
    subquery for the id cost every care-team check about 1.5 ms to build and plan."""
    permission = view_patient_permission_id()
    if permission is None:
        return PatientGroupObjectPermission.objects.none()
    return PatientGroupObjectPermission.objects.filter(
        group_id=membership.organisation.group_id, permission_id=permission
    )


def visible_patients(membership: Membership) -> QuerySet[Patient]:
    """The one answer to "whose records may this person see?": patients whose care team
    includes the acting organisation, for roles that see records at all."""
    if not can_view_patients(membership):
        return Patient.objects.none()
    return Patient.objects.filter(pk__in=care_team_grants(membership).values("content_object_id"))


def care_team_sql(membership: Membership, patient_id_column: str) -> tuple[str, list[Any]]:
    """visible_patients as a condition for hand-written SQL on `patient_id_column` (a column
    holding a patient's id), with its values: the same grants of the acting organisation
    only, for roles that see records at all, and nobody when there is no such permission.
    For a query whose ORM form cost more to build than to run (careplans.worklist)."""
    if not re.fullmatch(r"\w+\.\w+", patient_id_column):  # a name from code, never a value
        raise ValueError(f"not a column: {patient_id_column!r}")
    permission = view_patient_permission_id()
    if not can_view_patients(membership) or permission is None:
        return "1 = 0", []
    grants = PatientGroupObjectPermission._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {grants} care_team WHERE care_team.content_object_id ="  # noqa: S608  (names from code; values apart)
        f" {patient_id_column} AND care_team.group_id = %s AND care_team.permission_id = %s)",
        [membership.organisation.group_id, permission],
    )


def sees_patient(membership: Membership, patient_id: Any) -> Exists | Q:
    """visible_patients as a condition on another table's column holding a patient's id (an
    OuterRef or an expression of them): one EXISTS, which costs less to build and to run
    than `IN (visible_patients)` on each path to the patient (the notifications page and the
    home page's counts)."""
    if not can_view_patients(membership):
        return Q(pk__in=[])
    return Exists(care_team_grants(membership).filter(content_object_id=patient_id))


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


def active_break_glass_grants(membership: Membership) -> QuerySet[BreakGlassGrant]:
    """Unexpired grants of the acting membership only: breaking glass as a paramedic gives
    nothing to the same person acting for another organisation."""
    return BreakGlassGrant.objects.filter(membership=membership, expires_at__gt=timezone.now())


def summary_patients(membership: Membership) -> QuerySet[Patient]:
    """The one answer to "whose emergency summary may this person open?": for urgent care,
    every patient of the regions their organisation serves; for roles that see records, the
    patients of their care teams; for either, anyone they broke glass for in the last four
    hours. One query, whatever the number of patients."""
    if not can_view_emergency_summaries(membership):
        return Patient.objects.none()
    scope = Q(pk__in=active_break_glass_grants(membership).values("patient_id"))
    if has_capability(membership, Capability.VIEW_SUMMARIES_OF_SERVED_REGIONS):
        organisation = membership.organisation
        served = Organisation.served_regions.through.objects.filter(
            organisation_id=organisation.pk
        ).values("region_id")
        scope |= Q(home_region_id=organisation.region_id) | Q(home_region_id__in=served)
    if can_view_patients(membership):
        scope |= Q(pk__in=care_team_grants(membership).values("content_object_id"))
    return Patient.objects.filter(scope)


def can_open_summary(membership: Membership, patient: Patient) -> bool:
    return summary_patients(membership).filter(pk=patient.pk).exists()
