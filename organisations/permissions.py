"""What each role may do at all: the one role -> capability table, and named rules on it.

Every `can_*` function in the project starts from `has_capability`; object-level rules
(care team, region) are added by the app that owns the object (patients/permissions.py).
"""

from __future__ import annotations

from enum import StrEnum

from core.actors import Actor
from organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    TwoFactorReset,
)


class Capability(StrEnum):
    VIEW_PATIENT_RECORD = "view_patient_record"  # demographics and care team, in the care team
    REGISTER_PATIENT = "register_patient"
    MANAGE_CARE_TEAM = "manage_care_team"
    VIEW_FULL_PLAN = "view_full_plan"
    EDIT_CLINICAL_SECTIONS = "edit_clinical_sections"
    EDIT_NON_CLINICAL_SECTIONS = "edit_non_clinical_sections"
    PUBLISH_PLAN = "publish_plan"
    RECORD_CONSENT = "record_consent"  # consent to share, its withdrawal
    RECORD_CPR_DECISION = "record_cpr_decision"  # senior clinicians only, see below
    RECORD_DEATH = "record_death"
    VIEW_EMERGENCY_SUMMARY = "view_emergency_summary"
    # Urgent care reads summaries of every patient of the regions its organisation serves,
    # without a care-team relationship (DESIGN §3).
    VIEW_SUMMARIES_OF_SERVED_REGIONS = "view_summaries_of_served_regions"
    VIEW_KEY_SAFE_CODE = "view_key_safe_code"  # urgent care only (DESIGN §5)
    BREAK_GLASS = "break_glass"
    REFER_FOR_CARE = "refer_for_care"
    MANAGE_REFERRALS = "manage_referrals"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    RUN_REPORTS = "run_reports"
    VIEW_OWN_RECORD = "view_own_record"
    START_OWN_DRAFT = "start_own_draft"
    REQUEST_PLAN_CHANGE = "request_plan_change"
    MANAGE_OWN_CONSENT = "manage_own_consent"  # give or withdraw consent to share, online
    VIEW_OWN_ACCESS_LOG = "view_own_access_log"
    # Invite a patient or their LPA to see the plan online; approve account requests.
    INVITE_PATIENTS = "invite_patients"
    # The queue of plans awaiting approval and of patients' change requests.
    HANDLE_PATIENT_REQUESTS = "handle_patient_requests"
    # Approve access to patient records that an admin asked for, anywhere in the region.
    APPROVE_CLINICAL_ACCESS = "approve_clinical_access"
    # Review emergency access and admin-made access across the region, with a note.
    REVIEW_ACCESS = "review_access"
    # Keep the practice's palliative care register and record identification (surprise
    # question, SPICT, phase of illness): clinicians of the person's own GP practice.
    KEEP_PALLIATIVE_REGISTER = "keep_palliative_register"
    # The person (or their attorney) invites a carer, chooses what they see, ends it.
    INVITE_CARERS = "invite_carers"
    # A carer: the parts of the plan the person shares, whom to call, and telling the team
    # that things are getting harder at home.
    VIEW_SHARED_PARTS = "view_shared_parts"
    TELL_THE_TEAM = "tell_the_team"
    # The region's care profile: the services at each stage, edited and published.
    KEEP_CARE_PROFILE = "keep_care_profile"
    # What must be in place at home: medicines, equipment, the form, the number to call.
    RECORD_READINESS = "record_readiness"


_OWN_RECORD = frozenset(
    {
        Capability.VIEW_OWN_RECORD,
        Capability.START_OWN_DRAFT,
        Capability.REQUEST_PLAN_CHANGE,
        Capability.MANAGE_OWN_CONSENT,
        Capability.VIEW_OWN_ACCESS_LOG,
        Capability.INVITE_CARERS,
    }
)
_NON_CLINICAL_CARER = frozenset(
    {
        Capability.VIEW_PATIENT_RECORD,
        Capability.VIEW_FULL_PLAN,
        Capability.EDIT_NON_CLINICAL_SECTIONS,
        Capability.RECORD_DEATH,
    }
)

CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CLINICIAN: frozenset(
        {
            Capability.VIEW_PATIENT_RECORD,
            Capability.REGISTER_PATIENT,
            Capability.MANAGE_CARE_TEAM,
            Capability.VIEW_FULL_PLAN,
            Capability.EDIT_CLINICAL_SECTIONS,
            Capability.EDIT_NON_CLINICAL_SECTIONS,
            Capability.PUBLISH_PLAN,
            Capability.RECORD_CONSENT,
            Capability.RECORD_CPR_DECISION,
            Capability.RECORD_DEATH,
            Capability.VIEW_EMERGENCY_SUMMARY,
            Capability.BREAK_GLASS,
            Capability.REFER_FOR_CARE,
            Capability.INVITE_PATIENTS,
            Capability.HANDLE_PATIENT_REQUESTS,
            Capability.KEEP_PALLIATIVE_REGISTER,
            Capability.RECORD_READINESS,
        }
    ),
    Role.SOCIAL_WORKER: _NON_CLINICAL_CARER,
    Role.CARE_HOME_STAFF: _NON_CLINICAL_CARER,
    Role.URGENT_CARE: frozenset(
        {
            Capability.VIEW_EMERGENCY_SUMMARY,
            Capability.VIEW_SUMMARIES_OF_SERVED_REGIONS,
            Capability.VIEW_KEY_SAFE_CODE,
            Capability.BREAK_GLASS,
        }
    ),
    Role.COORDINATOR: frozenset({Capability.MANAGE_REFERRALS}),
    # No clinical record access by virtue of the admin role (DESIGN §3).
    Role.REGIONAL_ADMIN: frozenset(
        {
            Capability.MANAGE_ORGANISATIONS,
            Capability.MANAGE_MEMBERSHIPS,
            Capability.RUN_REPORTS,
            Capability.KEEP_CARE_PROFILE,
        }
    ),
    Role.COMMISSIONER: frozenset({Capability.KEEP_CARE_PROFILE}),
    Role.PRIVACY_OFFICER: frozenset({Capability.APPROVE_CLINICAL_ACCESS, Capability.REVIEW_ACCESS}),
    Role.PATIENT: _OWN_RECORD,
    Role.LPA_PROXY: _OWN_RECORD,
    Role.CARER: frozenset({Capability.VIEW_SHARED_PARTS, Capability.TELL_THE_TEAM}),
}

# Capabilities that reach a patient's record: a role with any of them is clinical access.
PATIENT_RECORD_CAPABILITIES = frozenset(
    {
        Capability.VIEW_PATIENT_RECORD,
        Capability.VIEW_FULL_PLAN,
        Capability.VIEW_EMERGENCY_SUMMARY,
        Capability.MANAGE_REFERRALS,
        Capability.BREAK_GLASS,
    }
)


def reads_patient_records(role: str) -> bool:
    """Clinical access: a membership or system token in this role needs a second, clinical
    approver when an admin asks for it (DESIGN: no clinical record access by virtue of the
    admin role)."""
    return bool(CAPABILITIES.get(Role(role), frozenset()) & PATIENT_RECORD_CAPABILITIES)


def has_capability(actor: Actor | None, capability: Capability) -> bool:
    """May this acting membership (or patient's account) do this kind of thing at all?
    Ended memberships and accounts may not."""
    if actor is None or not actor.is_active:
        return False
    return capability in CAPABILITIES.get(Role(actor.role), frozenset())


def can_record_cpr_decision(membership: Membership | None) -> bool:
    return (
        has_capability(membership, Capability.RECORD_CPR_DECISION)
        and membership is not None
        and membership.is_senior_clinician
    )


def can_keep_care_profile(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.KEEP_CARE_PROFILE)


def can_view_patients(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.VIEW_PATIENT_RECORD)


def can_find_cases(membership: Membership | None) -> bool:
    """Case finding and the practice meeting: clinicians (the role that keeps the palliative
    care register) acting for a GP practice."""
    return (
        has_capability(membership, Capability.KEEP_PALLIATIVE_REGISTER)
        and membership is not None
        and membership.organisation.kind == OrganisationKind.GP_PRACTICE
    )


def can_report_on_registers(membership: Membership | None) -> bool:
    """The register report: a practice's clinicians for their practice, the regional
    admin for every practice of the region."""
    return can_find_cases(membership) or can_run_reports(membership)


def can_register_patient(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.REGISTER_PATIENT)


def can_manage_organisations(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.MANAGE_ORGANISATIONS)


def can_manage_organisation(membership: Membership | None, organisation: Organisation) -> bool:
    """A regional admin manages the organisations whose home region is their own."""
    return (
        can_manage_organisations(membership)
        and membership is not None
        and organisation.region_id == membership.organisation.region_id
    )


def can_manage_memberships_of(membership: Membership | None, organisation: Organisation) -> bool:
    return has_capability(membership, Capability.MANAGE_MEMBERSHIPS) and can_manage_organisation(
        membership, organisation
    )


def can_view_emergency_summaries(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.VIEW_EMERGENCY_SUMMARY)


def can_break_glass(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.BREAK_GLASS)


def can_invite_patients(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.INVITE_PATIENTS)


def can_handle_patient_requests(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.HANDLE_PATIENT_REQUESTS)


def can_view_overdue_reviews(membership: Membership | None) -> bool:
    """An organisation lead whose role reads plans sees the organisation's overdue reviews
    (and receives its escalations)."""
    return (
        has_capability(membership, Capability.VIEW_FULL_PLAN)
        and membership is not None
        and membership.is_organisation_lead
    )


def can_receive_reminders(membership: Membership | None) -> bool:
    return has_capability(membership, Capability.VIEW_FULL_PLAN)


def can_run_reports(membership: Membership | None) -> bool:
    """Regional admins, for their own region only (reports.selectors filters by it)."""
    return has_capability(membership, Capability.RUN_REPORTS)


def can_refer_for_care(membership: Membership | None) -> bool:
    """Clinicians refer patients of their care teams to the region's co-ordination centre
    (the care-team rule is coordination.permissions.can_refer)."""
    return has_capability(membership, Capability.REFER_FOR_CARE)


def can_manage_referrals(membership: Membership | None) -> bool:
    """Co-ordinators and case managers: the queue of their own region's centre."""
    return has_capability(membership, Capability.MANAGE_REFERRALS)


def can_override_priority(membership: Membership | None) -> bool:
    """The centre's clinical lead (a co-ordinator flagged as organisation lead) moves a
    referral to another band, with a reason; and confirms releasing a package of care."""
    return (
        can_manage_referrals(membership)
        and membership is not None
        and membership.is_organisation_lead
    )


def can_approve_access(actor: Membership | None, membership: Membership) -> bool:
    """A second, clinical person approves access an admin asked for: the region's privacy
    officer, or a lead of the organisation whose own role reads patient records. Never the
    person who asked, nor the person (or system) it is for."""
    if actor is None or not actor.is_active or not membership.awaiting_approval:
        return False
    if actor.user_id in (membership.requested_by_id, membership.user_id):
        return False
    if has_capability(actor, Capability.APPROVE_CLINICAL_ACCESS):
        return actor.organisation.region_id == membership.organisation.region_id
    return (
        actor.is_organisation_lead
        and actor.organisation_id == membership.organisation_id
        and reads_patient_records(actor.role)
    )


def can_approve_any_access(actor: Membership | None) -> bool:
    """May see the page of access awaiting approval at all."""
    return has_capability(actor, Capability.APPROVE_CLINICAL_ACCESS) or (
        actor is not None
        and actor.is_active
        and actor.is_organisation_lead
        and reads_patient_records(actor.role)
    )


def can_approve_two_factor_reset(actor: Membership | None, reset: TwoFactorReset) -> bool:
    """A second person of the region's admins or its privacy officer: never the admin who
    asked, nor the person whose factors it removes."""
    if actor is None or not actor.is_active or reset.approved_at is not None:
        return False
    if actor.user_id in (reset.requested_by_id, reset.user_id):
        return False
    return actor.organisation.region_id == reset.region_id and (
        has_capability(actor, Capability.MANAGE_MEMBERSHIPS)
        or has_capability(actor, Capability.APPROVE_CLINICAL_ACCESS)
    )


def can_approve_anything(actor: Membership | None) -> bool:
    """May see the page of what waits for a second person's approval."""
    return can_approve_any_access(actor) or has_capability(actor, Capability.MANAGE_MEMBERSHIPS)


def can_review_access(actor: Membership | None) -> bool:
    return has_capability(actor, Capability.REVIEW_ACCESS)
