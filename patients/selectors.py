"""Reads of patients, already limited to what the acting membership may see, and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import Action
from audit.services import record
from organisations.models import Membership, Organisation, OrganisationKind, Region, Role
from organisations.permissions import (
    Capability,
    can_break_glass,
    can_review_access,
    has_capability,
)
from patients.identifiers import normalise_nhs_number, normalise_postcode
from patients.models import (
    JOINABLE_KINDS,
    BreakGlassGrant,
    CareTeamMember,
    KeyContact,
    KeyContactKind,
    Patient,
)
from patients.permissions import summary_patients, visible_patients

PAGE_SIZE = 25
NAME_ORDER = ("family_name", "given_name", "id")


def patient_for(
    viewer: Membership,
    public_id: UUID,
    *,
    page: str = "patient",
    action: Action | None = Action.VIEW,
    capability: Capability | None = None,
) -> Patient:
    """The patient if the viewer may see them (and, if given, their role has `capability`),
    recording `action`; else Http404, recording a refusal in the patient's own stream when
    the patient exists. `action` None: a write, which its service records when it is done
    (and the API's error handler when the service refuses it), never as a read."""
    patient = None
    role_may = capability is None or has_capability(viewer, capability)
    if role_may:
        patient = (
            visible_patients(viewer)
            .filter(public_id=public_id)
            .select_related("registered_gp_practice", "home_region")
            .first()
        )
    if patient is None:
        record_refusal(
            viewer,
            public_id,
            page=page,
            reason="" if role_may else "the acting role cannot open this page",
        )
        raise Http404("No such patient")
    if action is not None:
        record(actor=viewer, action=action, patient=patient, detail={"page": page})
    return patient


def record_refusal(viewer: Membership, public_id: UUID, *, page: str, reason: str = "") -> None:
    """A refusal, in the patient's own stream when they exist (they may later ask who
    tried to look), with why: the role, or no care-team relationship."""
    exists = Patient.objects.filter(public_id=public_id).exists()
    record(
        actor=viewer,
        action=Action.DENIED,
        patient_public_id=public_id if exists else None,
        reason=(reason or "not in the care team of the acting organisation")
        if exists
        else "no such patient",
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
    if nhs_number:
        criteria = IdentityCriteria.by_nhs_number(nhs_number)
    elif family_name and date_of_birth:
        criteria = IdentityCriteria(
            "name_and_date_of_birth",
            {"family_name__iexact": family_name.strip(), "date_of_birth": date_of_birth},
        )
    else:
        raise ValueError("search by NHS number, or by last name and date of birth")
    return _exact_matches(viewer, visible_patients(viewer), criteria, page="find")


@dataclass(frozen=True)
class Mismatch:
    """A detail typed beside an NHS number that the record of that number does not have."""

    field: str
    label: str
    typed: str
    recorded: str


def identity_mismatches(
    patient: Patient,
    *,
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
) -> list[Mismatch]:
    """Each detail given that disagrees with the patient's record (a detail left blank is
    not a disagreement). Last names are compared without case or surrounding spaces,
    postcodes in their normal form."""
    found = []
    if family_name and family_name.strip().casefold() != patient.family_name.casefold():
        found.append(Mismatch("family_name", "Last name", family_name.strip(), patient.family_name))
    if date_of_birth and date_of_birth != patient.date_of_birth:
        found.append(
            Mismatch(
                "date_of_birth",
                "Date of birth",
                date_of_birth.strftime("%-d %B %Y"),
                patient.date_of_birth.strftime("%-d %B %Y"),
            )
        )
    typed_postcode = normalise_postcode(postcode)
    if typed_postcode and typed_postcode != normalise_postcode(patient.postcode):
        found.append(Mismatch("postcode", "Postcode", typed_postcode, patient.postcode))
    return found


@dataclass(frozen=True)
class SummaryLookup:
    """Urgent care's matches; `mismatches` when an NHS number found one person whose record
    disagrees with other details typed beside it: never opened without the crew choosing."""

    matches: list[Patient]
    mismatches: list[Mismatch]


def find_for_summary(
    viewer: Membership,
    *,
    nhs_number: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
) -> SummaryLookup:
    """Urgent care's lookup: exact matches among the patients whose summary the viewer may
    open (patients.permissions.summary_patients), by NHS number or by last name, date of
    birth and postcode together. Details typed beside an NHS number are checked against the
    one person it finds; a disagreement is recorded in that person's stream."""
    matches = _exact_matches(
        viewer,
        summary_patients(viewer),
        IdentityCriteria.from_fields(
            nhs_number=nhs_number,
            family_name=family_name,
            date_of_birth=date_of_birth,
            postcode=postcode,
        ),
        page="emergency_find",
    )
    mismatches: list[Mismatch] = []
    if nhs_number and len(matches) == 1:
        mismatches = identity_mismatches(
            matches[0], family_name=family_name, date_of_birth=date_of_birth, postcode=postcode
        )
        if mismatches:
            record(
                actor=viewer,
                action=Action.IDENTITY_MISMATCH,
                patient=matches[0],
                detail={"page": "emergency_find", "fields": [m.field for m in mismatches]},
            )
    return SummaryLookup(matches, mismatches)


@dataclass(frozen=True)
class IdentityCriteria:
    """How a person is identified exactly: by NHS number, or by several details together."""

    method: str
    lookups: dict[str, object]

    @classmethod
    def by_nhs_number(cls, nhs_number: str) -> IdentityCriteria:
        return cls("nhs_number", {"nhs_number": normalise_nhs_number(nhs_number)})

    @classmethod
    def from_fields(
        cls,
        *,
        nhs_number: str = "",
        family_name: str = "",
        date_of_birth: dt.date | None = None,
        postcode: str = "",
    ) -> IdentityCriteria:
        if nhs_number:
            return cls.by_nhs_number(nhs_number)
        if family_name and date_of_birth and postcode:
            return cls(
                "name_date_of_birth_and_postcode",
                {
                    "family_name__iexact": family_name.strip(),
                    "date_of_birth": date_of_birth,
                    "postcode": normalise_postcode(postcode),
                },
            )
        raise ValueError("identify by NHS number, or by last name, date of birth and postcode")

    def matching(self, patients: QuerySet[Patient]) -> QuerySet[Patient]:
        return patients.filter(**self.lookups)


def _exact_matches(
    viewer: Membership, scope: QuerySet[Patient], criteria: IdentityCriteria, *, page: str
) -> list[Patient]:
    """Matches within `scope`, audited: one search event naming what was shown, and a
    refusal in the stream of each matching patient outside the scope, who may later ask
    who looked for them."""
    found = list(
        criteria.matching(scope)
        .select_related("registered_gp_practice")
        .order_by(*NAME_ORDER)[:PAGE_SIZE]
    )
    found_ids = {p.pk for p in found}
    record(
        actor=viewer,
        action=Action.SEARCH,
        detail={
            "page": page,
            "method": criteria.method,
            "results": [str(p.public_id) for p in found],
        },
    )
    hidden = (
        criteria.matching(Patient.objects.all())
        .exclude(pk__in=found_ids)
        .values_list("public_id", flat=True)
    )
    record_search_refusals(
        viewer, list(hidden[:PAGE_SIZE]), detail={"page": page, "method": criteria.method}
    )
    return found


def record_search_refusals(
    viewer: Membership, hidden: list[UUID], *, detail: dict[str, str]
) -> None:
    """A refusal in the stream of each matching patient the viewer may not see, who may
    later ask who looked for them. When there is none, one refusal in the viewer's own
    stream: the same work either way, so that the time a search takes never tells a
    hidden registered person from someone the service does not hold."""
    for hidden_id in hidden:
        record(
            actor=viewer,
            action=Action.DENIED,
            patient_public_id=hidden_id,
            reason="searched for outside the viewer's patients",
            detail=detail,
        )
    if not hidden:
        record(
            actor=viewer,
            action=Action.DENIED,
            reason="searched for someone not among the viewer's patients",
            detail=detail,
        )


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


def current_key_contacts(kind: str | None = None) -> QuerySet[KeyContact]:
    """Key workers and named GPs in force: not ended, and the person named still there (a
    membership that ended, or a disabled login, is no longer anyone's to call)."""
    current = KeyContact.objects.filter(
        ended_at__isnull=True, membership__ended_at__isnull=True, membership__user__is_active=True
    )
    return current.filter(kind=kind) if kind else current


def key_contacts_of(patient: Patient) -> dict[str, KeyContact]:
    """The person's current key worker and named GP, by kind ("key_worker", "named_gp").
    Precondition: the caller may see `patient`."""
    current = (
        current_key_contacts()
        .filter(patient=patient)
        .select_related("membership__user", "membership__organisation")
    )
    return {contact.kind: contact for contact in current}


@dataclass(frozen=True)
class WhoToCall:
    """The one number and the named people: the key worker, the named GP and the region's
    single point of access (shown when the region has one)."""

    key_worker: KeyContact | None
    named_gp: KeyContact | None
    region: Region

    @property
    def has_access_line(self) -> bool:
        return bool(self.region.access_phone)


def who_to_call(patient: Patient) -> WhoToCall:
    """Precondition: the caller may see `patient` (or is the person, or their attorney)."""
    contacts = key_contacts_of(patient)
    return WhoToCall(
        key_worker=contacts.get(KeyContactKind.KEY_WORKER),
        named_gp=contacts.get(KeyContactKind.NAMED_GP),
        region=patient.home_region,
    )


def key_contact_history(patient: Patient) -> QuerySet[KeyContact]:
    """Every key worker and named GP the person has had, newest first."""
    return KeyContact.objects.filter(patient=patient).select_related(
        "membership__user", "membership__organisation", "started_by", "ended_by"
    )


def key_contact_candidates(patient: Patient, kind: str) -> QuerySet[Membership]:
    """Who may be named: for a named GP, a clinician of the registered GP practice; for a
    key worker, a clinician (GP, nurse, specialist) of an organisation in the care team or
    a case manager of the region's co-ordination centre. Active memberships only."""
    clinicians = Q(role=Role.CLINICIAN)
    if kind == KeyContactKind.NAMED_GP:
        where = clinicians & Q(organisation_id=patient.registered_gp_practice_id)
    else:
        team = CareTeamMember.objects.filter(patient=patient, ended_at__isnull=True).values(
            "organisation_id"
        )
        where = (clinicians & Q(organisation_id__in=team)) | Q(
            role=Role.COORDINATOR,
            organisation__kind=OrganisationKind.COORDINATION_CENTRE,
            organisation__region_id=patient.home_region_id,
        )
    return (
        Membership.objects.active()
        .filter(where, api_token__isnull=True)  # people, not other systems' keys
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__first_name", "pk")
    )


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


@dataclass(frozen=True)
class BreakGlassLookup:
    """The one person found, and the labels of the details typed beside their NHS number
    that their record does not have (never the recorded values: the viewer may not see
    this person yet)."""

    patient: Patient | None
    mismatched: list[str]

    @property
    def mismatch_message(self) -> str:
        details = " and ".join(label.lower() for label in self.mismatched)
        return (
            f"The record of this NHS number has a different {details}. Check the details "
            "with the person or the caller, and correct them or leave them blank. Emergency "
            "access was not given."
        )


def patient_for_break_glass(
    viewer: Membership,
    *,
    nhs_number: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
) -> BreakGlassLookup:
    """The one patient matching exactly, whoever their care team or region, for someone whose
    role may break glass; None if no one (or more than one person) matches. Audited as a
    search, and a disagreement with the NHS number's record in the person's stream; the
    grant itself is recorded by patients.services.break_glass."""
    if not can_break_glass(viewer):
        return BreakGlassLookup(None, [])
    criteria = IdentityCriteria.from_fields(
        nhs_number=nhs_number,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
    )
    matches = list(criteria.matching(Patient.objects.all())[:2])
    found = matches[0] if len(matches) == 1 else None
    record(
        actor=viewer,
        action=Action.SEARCH,
        detail={
            "page": "break_glass",
            "method": criteria.method,
            "results": [str(found.public_id)] if found else [],
        },
    )
    mismatches = (
        identity_mismatches(
            found, family_name=family_name, date_of_birth=date_of_birth, postcode=postcode
        )
        if found is not None and nhs_number
        else []
    )
    if found is not None and mismatches:
        record(
            actor=viewer,
            action=Action.IDENTITY_MISMATCH,
            patient=found,
            detail={"page": "break_glass", "fields": [m.field for m in mismatches]},
        )
    return BreakGlassLookup(found, [m.label for m in mismatches])


def break_glass_grants_of(patient: Patient) -> QuerySet[BreakGlassGrant]:
    """Emergency access to this patient, newest first, for the care team's patient page.
    Precondition: `patient` came from `patient_for`."""
    return BreakGlassGrant.objects.filter(patient=patient).select_related(
        "membership__organisation", "membership__user"
    )


@dataclass(frozen=True)
class AccessToReview:
    """Emergency access in the region, and access to patient records an admin asked for,
    over the last REVIEW_WINDOW, those not yet reviewed first."""

    grants: list[BreakGlassGrant]
    memberships: list[Membership]


REVIEW_WINDOW = dt.timedelta(days=90)


def access_to_review(viewer: Membership) -> AccessToReview:
    if not can_review_access(viewer):
        raise Http404
    since = timezone.now() - REVIEW_WINDOW
    region = viewer.organisation.region_id
    grants = list(
        BreakGlassGrant.objects.filter(patient__home_region_id=region, granted_at__gte=since)
        .select_related("patient", "membership__organisation", "membership__user", "review")
        .order_by("review__reviewed_at", "-granted_at")
    )
    memberships = list(
        Membership.objects.filter(
            organisation__region_id=region,
            requested_by__isnull=False,
            approved_at__isnull=False,
            created_at__gte=since,
        )
        .select_related("organisation", "user", "requested_by", "approved_by", "review")
        .order_by("review__reviewed_at", "-created_at")
    )
    record(
        actor=viewer,
        action=Action.LIST,
        detail={"page": "access to review", "count": len(grants) + len(memberships)},
    )
    return AccessToReview(grants, memberships)
