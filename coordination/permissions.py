"""Object-level rules on referrals, built on the role table (organisations.permissions):
referrers act for a patient of their care team; co-ordinators for referrals of their own
region's centre."""

from __future__ import annotations

from coordination.models import Referral
from organisations.models import Membership
from organisations.permissions import (
    can_manage_referrals,
    can_override_priority,
    can_refer_for_care,
)
from patients.models import Patient
from patients.permissions import in_care_team


def can_refer(membership: Membership | None, patient: Patient) -> bool:
    return (
        membership is not None
        and can_refer_for_care(membership)
        and in_care_team(membership, patient)
    )


def can_manage_referral(membership: Membership | None, referral: Referral) -> bool:
    return (
        membership is not None
        and can_manage_referrals(membership)
        and referral.centre.region_id == membership.organisation.region_id
    )


def can_override_referral(membership: Membership | None, referral: Referral) -> bool:
    return can_override_priority(membership) and can_manage_referral(membership, referral)
