"""Who may record or withdraw consent to share, and LPAs: the one rule, which careplans
and the consent pages both use."""

from __future__ import annotations

from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.permissions import in_care_team


def can_record_consent(membership: Membership | None, patient: Patient) -> bool:
    return (
        has_capability(membership, Capability.RECORD_CONSENT)
        and membership is not None
        and in_care_team(membership, patient)
    )
