"""Who may read and change a plan: the role table (organisations.permissions), the care
team (patients.permissions), and which capability each section needs (careplans.sections)."""

from __future__ import annotations

from careplans.models import Status, WorkingCopy
from careplans.sections import SECTIONS, Section
from organisations.models import Membership
from organisations.permissions import (
    Actor,
    Capability,
    can_handle_patient_requests,
    can_record_cpr_decision,
    has_capability,
)
from patients.models import Patient
from patients.permissions import in_care_team


def plan_is_closed(patient: Patient) -> bool:
    """The person has died and their plan is closed. For pages: services re-read the plan
    under lock (careplans.services) rather than trust an instance loaded earlier."""
    plan = getattr(patient, "care_plan", None)
    return plan is not None and plan.closed_at is not None


def can_view_plan(membership: Membership | None, patient: Patient) -> bool:
    return (
        membership is not None
        and has_capability(membership, Capability.VIEW_FULL_PLAN)
        and in_care_team(membership, patient)
    )


def _role_may_edit(membership: Membership, section: Section) -> bool:
    if section.capability == Capability.RECORD_CPR_DECISION:
        return can_record_cpr_decision(membership)
    return has_capability(membership, section.capability)


def _may_change_plan_of(membership: Membership, patient: Patient) -> bool:
    """The relationship every section edit needs: the plan is open and the acting
    organisation is in the person's care team (one care-team lookup)."""
    return not plan_is_closed(patient) and in_care_team(membership, patient)


def editable_sections(membership: Membership | None, patient: Patient) -> frozenset[str]:
    """The keys of the sections the membership may edit: the care team asked once, then
    each section's capability from the role table."""
    if membership is None or not _may_change_plan_of(membership, patient):
        return frozenset()
    return frozenset(s.key for s in SECTIONS if _role_may_edit(membership, s))


def can_edit_section(membership: Membership | None, patient: Patient, section: Section) -> bool:
    return (
        membership is not None
        and _role_may_edit(membership, section)
        and _may_change_plan_of(membership, patient)
    )


def can_edit_plan(membership: Membership | None, patient: Patient) -> bool:
    """May edit at least one section (and so submit the plan for approval)."""
    return (
        has_capability(membership, Capability.EDIT_NON_CLINICAL_SECTIONS)
        and membership is not None
        and not plan_is_closed(patient)
        and in_care_team(membership, patient)
    )


def can_publish_plan(membership: Membership | None, patient: Patient) -> bool:
    return (
        has_capability(membership, Capability.PUBLISH_PLAN)
        and membership is not None
        and not plan_is_closed(patient)
        and in_care_team(membership, patient)
    )


def can_record_death(membership: Membership | None, patient: Patient) -> bool:
    """Clinicians, social workers and care home staff of the care team (DESIGN §3)."""
    return (
        has_capability(membership, Capability.RECORD_DEATH)
        and membership is not None
        and in_care_team(membership, patient)
    )


def can_correct_death(membership: Membership | None, patient: Patient) -> bool:
    """A clinician of the care team corrects a mistaken record of a death."""
    return (
        has_capability(membership, Capability.EDIT_CLINICAL_SECTIONS)
        and membership is not None
        and in_care_team(membership, patient)
    )


def can_write_own_draft(actor: Actor, patient: Patient, working_copy: WorkingCopy | None) -> bool:
    """A person (or their attorney) writes their own plan while it is a draft that has never
    been published; once it is with the care team or approved, they ask for a change."""
    return (
        has_capability(actor, Capability.START_OWN_DRAFT)
        and getattr(actor, "patient_id", None) == patient.pk
        and not plan_is_closed(patient)
        and (
            working_copy is None
            or (
                working_copy.status == Status.DRAFT
                and working_copy.plan.current_version_id is None
                and working_copy.plan.closed_at is None
            )
        )
    )


def can_ask_for_change(actor: Actor, patient: Patient) -> bool:
    return (
        has_capability(actor, Capability.REQUEST_PLAN_CHANGE)
        and getattr(actor, "patient_id", None) == patient.pk
        and not plan_is_closed(patient)
    )


def can_answer_change_requests(membership: Membership | None, patient: Patient) -> bool:
    return (
        can_handle_patient_requests(membership)
        and membership is not None
        and in_care_team(membership, patient)
    )
