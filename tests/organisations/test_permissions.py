"""The role x capability matrix, written out in full so a change to the table is deliberate."""

from __future__ import annotations

import pytest

from organisations.models import Role
from organisations.permissions import (
    CAPABILITIES,
    Capability,
    can_record_cpr_decision,
    has_capability,
)
from tests.conftest import Place
from tests.factories import make_member

C = Capability
EXPECTED: dict[Role, set[Capability]] = {
    Role.CLINICIAN: {
        C.VIEW_PATIENT_RECORD,
        C.REGISTER_PATIENT,
        C.MANAGE_CARE_TEAM,
        C.VIEW_FULL_PLAN,
        C.EDIT_CLINICAL_SECTIONS,
        C.EDIT_NON_CLINICAL_SECTIONS,
        C.PUBLISH_PLAN,
        C.RECORD_CONSENT,
        C.RECORD_CPR_DECISION,
        C.RECORD_DEATH,
        C.VIEW_EMERGENCY_SUMMARY,
        C.BREAK_GLASS,
        C.REFER_FOR_CARE,
        C.INVITE_PATIENTS,
        C.HANDLE_PATIENT_REQUESTS,
        C.KEEP_PALLIATIVE_REGISTER,
        C.RECORD_READINESS,
    },
    Role.SOCIAL_WORKER: {
        C.VIEW_PATIENT_RECORD,
        C.VIEW_FULL_PLAN,
        C.EDIT_NON_CLINICAL_SECTIONS,
        C.RECORD_DEATH,
    },
    Role.CARE_HOME_STAFF: {
        C.VIEW_PATIENT_RECORD,
        C.VIEW_FULL_PLAN,
        C.EDIT_NON_CLINICAL_SECTIONS,
        C.RECORD_DEATH,
    },
    Role.URGENT_CARE: {
        C.VIEW_EMERGENCY_SUMMARY,
        C.VIEW_SUMMARIES_OF_SERVED_REGIONS,
        C.VIEW_KEY_SAFE_CODE,
        C.BREAK_GLASS,
    },
    Role.COORDINATOR: {C.MANAGE_REFERRALS},
    Role.REGIONAL_ADMIN: {
        C.MANAGE_ORGANISATIONS,
        C.MANAGE_MEMBERSHIPS,
        C.RUN_REPORTS,
        C.KEEP_CARE_PROFILE,
    },
    # Keeps the care profile and nothing else: no patient data.
    Role.COMMISSIONER: {C.KEEP_CARE_PROFILE},
    # Approves access an admin asked for; reads no patient record itself.
    Role.PRIVACY_OFFICER: {C.APPROVE_CLINICAL_ACCESS, C.REVIEW_ACCESS},
    Role.PATIENT: {
        C.VIEW_OWN_RECORD,
        C.START_OWN_DRAFT,
        C.REQUEST_PLAN_CHANGE,
        C.MANAGE_OWN_CONSENT,
        C.VIEW_OWN_ACCESS_LOG,
        C.INVITE_CARERS,
    },
    Role.LPA_PROXY: {
        C.VIEW_OWN_RECORD,
        C.START_OWN_DRAFT,
        C.REQUEST_PLAN_CHANGE,
        C.MANAGE_OWN_CONSENT,
        C.VIEW_OWN_ACCESS_LOG,
        C.INVITE_CARERS,
    },
    # A carer the person invited: only what the person shares, and telling the team.
    Role.CARER: {C.VIEW_SHARED_PARTS, C.TELL_THE_TEAM},
}


def test_every_role_is_in_the_table() -> None:
    assert set(CAPABILITIES) == set(Role)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", list(Capability))
def test_role_capability_matrix(role: Role, capability: Capability) -> None:
    assert (capability in CAPABILITIES[role]) == (capability in EXPECTED[role])


def test_regional_admin_has_no_clinical_access() -> None:
    clinical = {
        C.VIEW_PATIENT_RECORD,
        C.VIEW_FULL_PLAN,
        C.VIEW_EMERGENCY_SUMMARY,
        C.VIEW_SUMMARIES_OF_SERVED_REGIONS,
        C.VIEW_KEY_SAFE_CODE,
        C.BREAK_GLASS,
    }
    assert not clinical & CAPABILITIES[Role.REGIONAL_ADMIN]


def test_only_a_senior_clinician_records_a_cpr_decision(place: Place) -> None:
    senior = make_member(place.practice, senior=True)
    junior = make_member(place.practice)
    assert can_record_cpr_decision(senior)
    assert not can_record_cpr_decision(junior)


def test_an_ended_membership_can_do_nothing(place: Place) -> None:
    from organisations.services import membership_end

    member = make_member(place.practice)
    membership_end(actor=None, membership=member)
    assert not any(has_capability(member, c) for c in Capability)
    assert not has_capability(None, C.VIEW_PATIENT_RECORD)
