"""Who may do what with online access: the role table (organisations.permissions) plus the
care team, or the account's own person."""

from __future__ import annotations

from organisations.models import Membership
from organisations.permissions import Capability, can_invite_patients, has_capability
from patients.models import Patient
from patients.permissions import in_care_team
from portal.models import AccountRequest, PatientAccount


def can_invite(actor: Membership, patient: Patient) -> bool:
    """Invite the person or their attorney, record or end an LPA, end online access."""
    return can_invite_patients(actor) and in_care_team(actor, patient)


def may_decide(actor: Membership, request: AccountRequest) -> bool:
    """Requests for online access go to the GP practice the person named."""
    return can_invite_patients(actor) and actor.organisation_id == request.practice_id


def can_view_own_access_log(account: PatientAccount) -> bool:
    return has_capability(account, Capability.VIEW_OWN_ACCESS_LOG)


def can_view_own_record(account: PatientAccount) -> bool:
    return has_capability(account, Capability.VIEW_OWN_RECORD)
