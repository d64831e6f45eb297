"""Reads of plans, limited to what the viewer may see, and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from uuid import UUID

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils import timezone

from audit.models import Action
from audit.services import record
from careplans import terminology as t
from careplans.models import (
    OPEN_CHANGE_REQUEST,
    CarePlan,
    ChangeRequest,
    Death,
    PlanSection,
    PublishedVersion,
    Status,
    WorkingCopy,
)
from consent.selectors import has_active_consent
from organisations.models import Membership
from organisations.permissions import (
    Capability,
    can_handle_patient_requests,
    can_view_emergency_summaries,
)
from patients.models import KeyContact, KeyContactKind, Patient
from patients.permissions import active_break_glass_grants, summary_patients, visible_patients
from patients.selectors import key_contacts_of, patient_for, record_refusal


def plan_patient_for(
    viewer: Membership, public_id: UUID, *, page: str, action: Action | None = Action.VIEW_PLAN
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
    """The shareable rule, its one definition: the current published version of every
    plan whose patient has active consent to share. Nothing else may leave the care team:
    the summary, its PDF, the REST summary and FHIR all read through this."""
    return PublishedVersion.objects.filter(current_of__isnull=False).filter(
        has_active_consent(OuterRef("plan__patient"))
    )


def has_sharable_version(patient: OuterRef) -> Exists:
    """In a query of patients: whether the person's plan has a version that may be shared."""
    return Exists(sharable_versions().filter(plan__patient=patient))


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
    died_on: dt.date | None = None


def summary_for(
    viewer: Membership,
    public_id: UUID,
    *,
    page: str = "summary",
    action: Action = Action.VIEW_SUMMARY,
) -> SummaryAccess:
    """The patient's emergency summary if the viewer may open it (patients.permissions.
    summary_patients), recording `action` with the version shown; else Http404 and a refusal.

    One read whatever the number of patients or versions: the patient joined to their
    plan's current version, with consent and any break-glass grant as subqueries."""
    grants = (
        active_break_glass_grants(viewer).filter(patient=OuterRef("pk")).order_by("-expires_at")
    )
    patient = (
        summary_patients(viewer)
        .filter(public_id=public_id)
        .select_related("care_plan__current_version")
        .annotate(
            plan_sharable=has_sharable_version(OuterRef("pk")),
            break_glass=Subquery(
                grants.values(grant=JSONObject(reason="reason", expires_at="expires_at"))[:1]
            ),
        )
        .order_by()
        .first()
    )
    if patient is None:
        record_refusal(
            viewer,
            public_id,
            page=page,
            reason="outside the regions and care teams it may see, with no emergency access"
            if can_view_emergency_summaries(viewer)
            else "the acting role cannot open emergency summaries",
        )
        raise Http404("No such patient")
    grant = patient.break_glass or {}
    expires_at = grant.get("expires_at")
    # The version sharable_versions() allows is the plan's current one, joined above.
    version = patient.care_plan.current_version if patient.plan_sharable else None
    record(
        actor=viewer,
        action=action,
        patient=patient,
        detail={
            "page": page,
            "version": version.number if version else None,
            "break_glass": bool(grant),
        },
    )
    return SummaryAccess(
        patient=patient,
        version=version,
        break_glass_reason=grant.get("reason", ""),
        break_glass_expires_at=_aware(dt.datetime.fromisoformat(expires_at))
        if expires_at
        else None,
        died_on=patient.date_of_death,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite's JSON gives timestamps without their zone; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def approval_queue(viewer: Membership) -> QuerySet[WorkingCopy]:
    """Plans of the viewer's care teams sent for approval, longest waiting first."""
    if not can_handle_patient_requests(viewer):
        return WorkingCopy.objects.none()
    return (
        WorkingCopy.objects.filter(
            status=Status.AWAITING_APPROVAL, plan__patient__in=visible_patients(viewer)
        )
        .select_related("plan__patient", "submitted_by")
        # Staff hold memberships; a person sending their own draft holds none.
        .annotate(
            submitted_by_staff=Exists(
                Membership.objects.filter(user_id=OuterRef("submitted_by_id"))
            )
        )
        .order_by("submitted_at", "id")
    )


def open_change_requests(viewer: Membership) -> QuerySet[ChangeRequest]:
    """Patients' change requests not yet answered, of the viewer's care teams, oldest first."""
    if not can_handle_patient_requests(viewer):
        return ChangeRequest.objects.none()
    return (
        ChangeRequest.objects.filter(
            status__in=OPEN_CHANGE_REQUEST, patient__in=visible_patients(viewer)
        )
        .select_related("patient")
        .order_by("requested_at", "id")
    )


def change_requests_of(patient: Patient) -> QuerySet[ChangeRequest]:
    """Precondition: `patient` came from a selector for the viewer (or is their own)."""
    return ChangeRequest.objects.filter(patient=patient).order_by("-requested_at", "-id")


def change_request_of(patient: Patient, public_id: UUID) -> ChangeRequest:
    change_request = change_requests_of(patient).filter(public_id=public_id).first()
    if change_request is None:
        raise Http404("No such request")
    return change_request


def death_of(patient: Patient) -> Death | None:
    """The person's recorded death (not one recorded in error), if any."""
    return (
        Death.objects.filter(patient=patient, entered_in_error=False)
        .select_related("recorded_by_organisation")
        .first()
    )


@dataclass(frozen=True)
class PlanState:
    """Where a person's plan stands, in words: the banner and the worklist say it alike."""

    status: str  # "No plan", "Draft, never published", "Published version 3", ...
    version: int | None
    cpr_code: str  # of the version in force ("" without one)
    review_due_on: dt.date | None  # None once the plan is closed
    review_overdue: bool


# What a plan's state never reads of its version in force: left in the database when a
# list or a banner reads the version (the snapshot is the whole plan).
VERSION_BULK = ("snapshot", "acknowledged_warnings")


@dataclass(frozen=True)
class PlanFacts:
    """What a plan's state is judged from: the plan, its version in force and its working
    copy, as one row of values (a list reads them beside each person, PLAN_FACTS)."""

    closed_at: dt.datetime | None
    review_due_on: dt.date | None
    version: int | None  # the number of the version in force, None without one
    cpr_decision: str  # of the version in force ("" without one)
    draft_status: str | None  # the working copy's, None without one


# PlanFacts' fields read from a query on patients, each as an annotation named "plan_" and
# the field (and "plan_id", None for a person with no plan): the same columns the plan, its
# version and its working copy would give, without building the three of them for each
# person and tying them to it, which left the garbage collector a cycle of four per row.
PLAN_FACTS = {
    "plan_id": F("care_plan__id"),
    "plan_closed_at": F("care_plan__closed_at"),
    "plan_review_due_on": F("care_plan__review_due_on"),
    "plan_version": F("care_plan__current_version__number"),
    "plan_cpr_decision": F("care_plan__current_version__cpr_decision"),
    "plan_draft_status": F("care_plan__working_copy__status"),
}


def plan_facts_read(patient: Patient) -> PlanFacts | None:
    """The facts of a person read with PLAN_FACTS; None if they have no plan."""
    if "plan_id" not in patient.__dict__:  # never "No plan" for want of reading it
        raise ValueError("the patient was read without PLAN_FACTS")
    if patient.__dict__["plan_id"] is None:
        return None
    found = {each.name: getattr(patient, f"plan_{each.name}") for each in fields(PlanFacts)}
    return PlanFacts(**{**found, "cpr_decision": found["cpr_decision"] or ""})


def plan_state(plan: CarePlan | None, today: dt.date) -> PlanState:
    """Precondition: `plan` came with its current_version and working_copy."""
    if plan is None:
        return state_of(None, today)
    version = plan.current_version
    draft = getattr(plan, "working_copy", None)
    return state_of(
        PlanFacts(
            closed_at=plan.closed_at,
            review_due_on=plan.review_due_on,
            version=version.number if version else None,
            cpr_decision=version.cpr_decision if version else "",
            draft_status=draft.status if draft else None,
        ),
        today,
    )


def state_of(plan: PlanFacts | None, today: dt.date) -> PlanState:
    """Where the plan stands, from its facts (None: the person has no plan)."""
    if plan is None:
        return PlanState(
            status="No plan", version=None, cpr_code="", review_due_on=None, review_overdue=False
        )
    version = plan.version
    awaiting = plan.draft_status == Status.AWAITING_APPROVAL
    if plan.closed_at is not None:
        status = f"Closed (version {version})" if version is not None else "Closed, never published"
    elif version is None:
        status = "Awaiting approval, never published" if awaiting else "Draft, never published"
    else:
        status = f"Published version {version}"
        if awaiting:
            status += "; changes awaiting approval"
        elif plan.draft_status == Status.DRAFT:
            status += "; changes in draft"
    review = plan.review_due_on if plan.closed_at is None else None
    return PlanState(
        status=status,
        version=version,
        cpr_code=plan.cpr_decision,
        review_due_on=review,
        review_overdue=review is not None and review < today,
    )


@dataclass(frozen=True)
class Banner:
    """Who this is and where their plan stands, at the top of every page about them: so
    that nobody edits the wrong person's plan, or a closed one, unawares."""

    patient: Patient
    plan_status: str  # "No plan", "Draft", "Published version 3", ...
    cpr: str  # in plain words, from the version in force
    not_for_cpr: bool
    review_due_on: dt.date | None
    review_overdue: bool
    key_worker: KeyContact | None


def banner_for(patient: Patient) -> Banner:
    """Precondition: the caller may see `patient`. Two queries: the plan with its version
    in force and working copy, and the key worker."""
    plan = (
        CarePlan.objects.filter(patient=patient)
        .select_related("current_version", "working_copy")
        .defer(*(f"current_version__{name}" for name in VERSION_BULK))
        .first()
    )
    state = plan_state(plan, timezone.localdate())
    code = state.cpr_code
    cpr = t.CPR_DECISION_OR_STATUS.plain(code) if code else ""
    return Banner(
        patient=patient,
        plan_status=state.status,
        cpr=cpr or ("None recorded" if state.version else "No published plan"),
        not_for_cpr=code == t.NOT_FOR_CPR,
        review_due_on=state.review_due_on,
        review_overdue=state.review_overdue,
        key_worker=key_contacts_of(patient).get(KeyContactKind.KEY_WORKER),
    )
