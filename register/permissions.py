"""Who keeps the palliative care register: clinicians of the person's own GP practice, in
their care team. Everyone else, including the rest of the care team, meets 404."""

from __future__ import annotations

from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.permissions import in_care_team


def keeps_register_of(membership: Membership | None, patient: Patient) -> bool:
    """The role and the practice, without asking the care team again. Precondition:
    `patient` came from a care-team selector for `membership` (as on the plan's pages)."""
    return (
        membership is not None
        and has_capability(membership, Capability.KEEP_PALLIATIVE_REGISTER)
        and patient.registered_gp_practice_id == membership.organisation_id
    )


def can_keep_register(membership: Membership | None, patient: Patient) -> bool:
    return (
        keeps_register_of(membership, patient)
        and membership is not None
        and in_care_team(membership, patient)
    )
