"""Reads for patients online, each limited to what the viewer may see, and audited."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from audit.models import AccessEvent, Action
from audit.services import record
from careplans.models import PublishedVersion
from careplans.selectors import versions_of
from consent.models import LastingPowerOfAttorney
from organisations.models import Membership, Organisation, OrganisationKind, Role
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from portal.models import AccountRequest, AccountRequestStatus, Invitation, PatientAccount
from portal.permissions import can_view_own_access_log, can_view_own_record, may_decide

ACCESS_LOG_PAGE_SIZE = 25


def accounts_of(patient: Patient) -> QuerySet[PatientAccount]:
    """Precondition: `patient` came from a selector for the viewer."""
    return (
        PatientAccount.objects.filter(patient=patient, ended_at__isnull=True)
        .select_related("user", "lasting_power_of_attorney")
        .order_by("created_at", "id")
    )


def invitations_of(patient: Patient) -> QuerySet[Invitation]:
    return Invitation.objects.filter(patient=patient).select_related(
        "lasting_power_of_attorney", "invited_by_organisation"
    )


def invitation_of(patient: Patient, public_id: UUID) -> Invitation:
    invitation = invitations_of(patient).filter(public_id=public_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def account_of(patient: Patient, public_id: UUID) -> PatientAccount:
    account = accounts_of(patient).filter(public_id=public_id).first()
    if account is None:
        raise Http404("No such account")
    return account


def lpas_of(patient: Patient) -> QuerySet[LastingPowerOfAttorney]:
    return LastingPowerOfAttorney.objects.filter(patient=patient)


def lpa_of(patient: Patient, public_id: UUID) -> LastingPowerOfAttorney:
    lpa = lpas_of(patient).filter(public_id=public_id).first()
    if lpa is None:
        raise Http404("No such lasting power of attorney")
    return lpa


def waiting_account_requests(viewer: Membership) -> QuerySet[AccountRequest]:
    """Requests waiting for the acting GP practice, oldest first."""
    return AccountRequest.objects.filter(
        practice_id=viewer.organisation_id, status=AccountRequestStatus.PENDING
    ).order_by("created_at", "id")


def account_request_for(viewer: Membership, public_id: UUID) -> AccountRequest:
    """A request made to the acting practice; 404 for anyone else. Audited without a patient:
    the request is not matched to anyone until it is approved."""
    request = AccountRequest.objects.filter(public_id=public_id).first()
    if request is None or not may_decide(viewer, request):
        record(
            actor=viewer,
            action=Action.DENIED,
            reason="not a request made to the acting practice",
            detail={"page": "account_request", "requested": str(public_id)},
        )
        raise Http404("No such request")
    record(
        actor=viewer,
        action=Action.VIEW,
        detail={"page": "account_request", "request": str(request.public_id)},
    )
    return request


def gp_practices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).select_related("region")


def access_log(account: PatientAccount, *, page_number: str | int = 1) -> Page:
    """Everything anyone other than the viewer did with this person's record, newest first,
    one page. Viewing it is itself recorded."""
    if not can_view_own_access_log(account):
        raise Http404
    events = (
        AccessEvent.objects.filter(patient_public_id=account.patient.public_id)
        .exclude(user_id=account.user_id)
        .only("occurred_at", "organisation_name", "role", "action", "detail", "user_id", "reason")
        .order_by("-occurred_at", "-id")
    )
    page = Paginator(events, ACCESS_LOG_PAGE_SIZE).get_page(page_number)
    record(
        actor=account,
        action=Action.VIEW_ACCESS_LOG,
        patient=account.patient,
        detail={"page": page.number},
    )
    return page


def own_record(account: PatientAccount, *, page: str) -> Patient:
    """The account's own person (the only one it may see), recording that `page` was opened."""
    if not can_view_own_record(account):
        raise Http404
    record(actor=account, action=Action.VIEW, patient=account.patient, detail={"page": page})
    return account.patient


def own_published_version(account: PatientAccount) -> PublishedVersion | None:
    """The latest published version of the account's own plan, its reading recorded."""
    if not can_view_own_record(account):
        raise Http404
    version = versions_of(account.patient).first()
    record(
        actor=account,
        action=Action.VIEW_PLAN,
        patient=account.patient,
        detail={"page": "my_plan", "version": version.number if version else None},
    )
    return version


@dataclass(frozen=True)
class Carers:
    accounts: list[PatientAccount]
    invitations: list[Invitation]


def carers_of(account: PatientAccount) -> Carers:
    """The person's carers with access now, and invitations still waiting."""
    if not has_capability(account, Capability.INVITE_CARERS):
        raise Http404
    patient = account.patient
    return Carers(
        accounts=list(
            PatientAccount.objects.filter(
                patient=patient, role=Role.CARER, ended_at__isnull=True
            ).select_related("user", "invitation")
        ),
        invitations=[
            invitation
            for invitation in Invitation.objects.filter(
                patient=patient, role=Role.CARER, used_at__isnull=True, withdrawn_at__isnull=True
            )
            if invitation.state == "pending"
        ],
    )


def carer_of(account: PatientAccount, public_id: UUID) -> PatientAccount:
    found = (
        PatientAccount.objects.filter(
            patient=account.patient, role=Role.CARER, public_id=public_id, ended_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if found is None or not has_capability(account, Capability.INVITE_CARERS):
        raise Http404
    return found


def carer_invitation_of(account: PatientAccount, public_id: UUID) -> Invitation:
    found = Invitation.objects.filter(
        patient=account.patient, role=Role.CARER, public_id=public_id
    ).first()
    if found is None or not has_capability(account, Capability.INVITE_CARERS):
        raise Http404
    return found
