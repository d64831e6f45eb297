"""Reads of patients, already limited to what the acting membership may see, and audited."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from audit.models import Action
from audit.services import record
from organisations.models import Membership, Organisation, OrganisationKind
from organisations.permissions import Capability, has_capability
from patients.identifiers import normalise_nhs_number
from patients.models import JOINABLE_KINDS, CareTeamMember, Patient
from patients.permissions import visible_patients

PAGE_SIZE = 25
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "dob": ("date_of_birth", "id"),
    "-dob": ("-date_of_birth", "-id"),
}
SortKey = Literal["name", "-name", "dob", "-dob"]


def my_patients(viewer: Membership, *, sort: str = "name", page_number: str | int = 1) -> Page:
    """One page of the acting organisation's patients. Records one `list` event naming them."""
    ordering = SORTS.get(sort, SORTS["name"])
    patients = visible_patients(viewer).select_related("registered_gp_practice").order_by(*ordering)
    page = Paginator(patients, PAGE_SIZE).get_page(page_number)
    record(
        actor=viewer,
        action=Action.LIST,
        detail={
            "page": page.number,
            "sort": sort if sort in SORTS else "name",
            "shown": [str(p.public_id) for p in page.object_list],
        },
    )
    return page


def patient_for(
    viewer: Membership,
    public_id: UUID,
    *,
    page: str = "patient",
    action: Action = Action.VIEW,
    capability: Capability | None = None,
) -> Patient:
    """The patient if the viewer may see them (and, if given, their role has `capability`),
    recording `action`; else Http404, recording a refusal in the patient's own stream when
    the patient exists."""
    patient = None
    if capability is None or has_capability(viewer, capability):
        patient = (
            visible_patients(viewer)
            .filter(public_id=public_id)
            .select_related("registered_gp_practice", "home_region")
            .first()
        )
    if patient is None:
        _record_refusal(viewer, public_id, page=page)
        raise Http404("No such patient")
    record(actor=viewer, action=action, patient=patient, detail={"page": page})
    return patient


def _record_refusal(viewer: Membership, public_id: UUID, *, page: str) -> None:
    exists = Patient.objects.filter(public_id=public_id).exists()
    record(
        actor=viewer,
        action=Action.DENIED,
        patient_public_id=public_id if exists else None,
        reason="not in the care team of the acting organisation" if exists else "no such patient",
        detail={"page": page, "requested": str(public_id)},
    )


def find_patients(
    viewer: Membership,
    *,
    nhs_number: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
) -> list[Patient]:
    """Exact matches only, among the patients the viewer may see. No partial matches: this is
    a lookup, not a way to browse. Someone outside the care team gets exactly the answer they
    would get for a patient who does not exist; the patient's own stream records the attempt."""
    criteria: dict[str, object]
    if nhs_number:
        criteria = {"nhs_number": normalise_nhs_number(nhs_number)}
        method = "nhs_number"
    elif family_name and date_of_birth:
        criteria = {"family_name__iexact": family_name.strip(), "date_of_birth": date_of_birth}
        method = "name_and_date_of_birth"
    else:
        raise ValueError("search by NHS number, or by last name and date of birth")
    found = list(
        visible_patients(viewer)
        .filter(**criteria)
        .select_related("registered_gp_practice")
        .order_by(*SORTS["name"])[:PAGE_SIZE]
    )
    found_ids = {p.pk for p in found}
    record(
        actor=viewer,
        action=Action.SEARCH,
        detail={"method": method, "results": [str(p.public_id) for p in found]},
    )
    hidden = (
        Patient.objects.filter(**criteria)
        .exclude(pk__in=found_ids)
        .values_list("public_id", flat=True)
    )
    for hidden_id in hidden[:PAGE_SIZE]:
        record(
            actor=viewer,
            action=Action.DENIED,
            patient_public_id=hidden_id,
            reason="searched for outside the care team",
            detail={"page": "find", "method": method},
        )
    return found


def care_team_of(patient: Patient) -> QuerySet[CareTeamMember]:
    """The patient's current care team. Precondition: `patient` came from `patient_for`."""
    return (
        CareTeamMember.objects.filter(patient=patient, ended_at__isnull=True)
        .select_related("organisation")
        .order_by("joined_at", "id")
    )


def care_team_member_for(patient: Patient, public_id: UUID) -> CareTeamMember:
    member = care_team_of(patient).filter(public_id=public_id).first()
    if member is None:
        raise Http404("No such care team member")
    return member


def gp_practices_for_registration(viewer: Membership) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        region_id=viewer.organisation.region_id, kind=OrganisationKind.GP_PRACTICE
    ).order_by("name")


def organisations_that_can_join(patient: Patient) -> QuerySet[Organisation]:
    """Organisations of the patient's region that could join the team and have not. A GP
    practice joins only by registration: a patient has one registered GP practice."""
    current = CareTeamMember.objects.filter(patient=patient, ended_at__isnull=True).values(
        "organisation_id"
    )
    return (
        Organisation.objects.filter(region_id=patient.home_region_id, kind__in=JOINABLE_KINDS)
        .exclude(pk__in=current)
        .order_by("name")
    )
