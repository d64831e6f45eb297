"""Online access for patients and their attorneys: invitations, proving who you are, ending
access, and requests for an account. Acting user first, permission, validation, write and
audit in one transaction; emails go after the commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.models import Action
from audit.services import record
from careplans.sections import NON_CLINICAL, SECTIONS
from consent.models import LastingPowerOfAttorney
from consent.services import LpaDetails, lpa_record
from organisations.models import Membership, Organisation, OrganisationKind, Role
from organisations.permissions import Capability, has_capability
from patients.identifiers import normalise_nhs_number, validate_date_of_birth, validate_nhs_number
from patients.models import Patient
from patients.permissions import visible_patients
from portal.models import (
    IDENTITY_TRIES,
    INVITATION_LIFETIME,
    AccountRequest,
    AccountRequestStatus,
    Invitation,
    PatientAccount,
)
from portal.permissions import can_invite, may_decide


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    patient: Patient,
    email: str,
    lpa: LastingPowerOfAttorney | None = None,
    site: str,
) -> Invitation:
    """Invite the person (or, with `lpa`, their attorney) to see the plan online. An earlier
    invitation still waiting for the same person is withdrawn: only the newest link works.
    `site` is the scheme and host the link points at."""
    if not can_invite(actor, patient):
        raise PermissionDenied
    # One invitation at a time per person: concurrent invitations queue on the patient row.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    role = Role.LPA_PROXY if lpa is not None else Role.PATIENT
    if lpa is not None and (lpa.patient_id != patient.pk or not lpa.is_active):
        raise ValidationError(
            {"lpa": "Choose a lasting power of attorney that is recorded and still in force"}
        )
    if (
        role == Role.PATIENT
        and PatientAccount.objects.filter(
            patient=patient, role=Role.PATIENT, ended_at__isnull=True
        ).exists()
    ):
        raise ValidationError(
            "They already have online access. End it first to invite them at another address."
        )
    now = timezone.now()
    waiting = Invitation.objects.filter(
        patient=patient,
        role=role,
        lasting_power_of_attorney=lpa,
        used_at__isnull=True,
        locked_at__isnull=True,
        withdrawn_at__isnull=True,
    )
    for old in waiting.select_for_update():
        old.withdrawn_at = now
        old.save(update_fields=["withdrawn_at"])
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        patient=patient,
        role=role,
        email=email.strip().lower(),
        lasting_power_of_attorney=lpa,
        token_hash=token_hash(token),
        invited_by_id=actor.user_id,
        invited_by_organisation=actor.organisation,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    record(
        actor=actor,
        action=Action.INVITE,
        patient=patient,
        detail={"invitation": str(invitation.public_id), "role": role},
    )
    link = site.rstrip("/") + reverse("portal:accept", kwargs={"token": token})
    transaction.on_commit(lambda: _send_invitation(invitation, link), robust=True)
    return invitation


@transaction.atomic
def lpa_record_and_invite(
    *, actor: Membership, patient: Patient, details: LpaDetails, email: str, site: str
) -> Invitation:
    """Record the attorney's LPA and invite them, together or not at all."""
    lpa = lpa_record(actor=actor, patient=patient, details=details)
    return invitation_create(actor=actor, patient=patient, email=email, lpa=lpa, site=site)


def _send_invitation(invitation: Invitation, link: str) -> None:
    """No name or health detail in the email: it may reach the wrong inbox."""
    context = {
        "invitation": invitation,
        "link": link,
        "is_proxy": invitation.role in (Role.LPA_PROXY, Role.CARER),
    }
    body = render_to_string("portal/emails/invitation.txt", context)
    send_mail("Your care record online", body, None, [invitation.email])


def _withdrawn(invitation: Invitation) -> bool:
    """Withdraw a waiting invitation, its row locked against an acceptance at the same
    moment; False when it can no longer be used (used, locked, withdrawn or expired)."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.state != "pending":
        return False
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    return True


def _ended(account: PatientAccount, *, by_user_id: int) -> bool:
    """End online access at once, the row locked; False when it had ended already."""
    locked = PatientAccount.objects.select_for_update().get(pk=account.pk)
    if locked.ended_at is not None:
        return False
    locked.ended_at, locked.ended_by_id = timezone.now(), by_user_id
    locked.save(update_fields=["ended_at", "ended_by"])
    return True


@transaction.atomic
def invitation_withdraw(*, actor: Membership, invitation: Invitation) -> None:
    if not can_invite(actor, invitation.patient):
        raise PermissionDenied
    if not _withdrawn(invitation):
        raise ValidationError("This invitation can no longer be used: there is nothing to withdraw")
    record(
        actor=actor,
        action=Action.INVITATION_WITHDRAW,
        patient=invitation.patient,
        detail={"invitation": str(invitation.public_id)},
    )


class InvitationUnusable(Exception):
    """The link cannot be used: why, in words for the person holding it."""

    MESSAGES = {
        "missing": "This link is not recognised. Check you copied the whole link from the email.",
        "used": "This link has already been used. Sign in with your email address and password.",
        "expired": "This link has expired: links work for 7 days. Ask the care team for a new one.",
        "locked": (
            "This link is locked because the details were wrong 5 times. Ask the care team for "
            "a new one."
        ),
        "withdrawn": "This link was replaced by a newer one. Use the link in the latest email.",
        "lpa_ended": (
            "The lasting power of attorney this link was for is no longer recorded as in force, "
            "so it cannot be used. Contact the person's GP practice."
        ),
    }

    def __init__(self, why: str) -> None:
        super().__init__(self.MESSAGES[why])
        self.why = why


def usable_invitation(token: str) -> Invitation:
    """The invitation for this link, if it can still be used; else InvitationUnusable."""
    invitation = (
        Invitation.objects.select_related("patient", "lasting_power_of_attorney")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("missing")
    lpa = invitation.lasting_power_of_attorney
    if lpa is not None and not lpa.is_active and invitation.state != "used":
        raise InvitationUnusable("lpa_ended")  # ending it withdrew the link: say why
    if invitation.state != "pending":
        raise InvitationUnusable(invitation.state)
    return invitation


IDENTITY_MISMATCH = (
    "The NHS number or date of birth does not match the details the care team holds. "
    "{tries} left before this link is locked."
)


@dataclass(frozen=True)
class AcceptDetails:
    nhs_number: str
    date_of_birth: dt.date
    password: str


def invitation_accept(*, token: str, details: AcceptDetails) -> PatientAccount:
    """Prove who you are with the NHS number and date of birth (of the person you represent,
    for an attorney) and choose a password: the invitation is used up and the account made.

    The password is checked first, so that a weak one is refused alike whether or not the
    details are right. A wrong NHS number or date of birth is counted even though it
    raises: ValidationError with the tries left, and InvitationUnusable("locked") at the
    fifth."""
    with transaction.atomic():
        invitation = usable_invitation(token)
        existing = User.objects.filter(username__iexact=invitation.email).first()
        _check_password(invitation, existing, details.password)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "pending":
            raise InvitationUnusable(invitation.state)
        lpa = invitation.lasting_power_of_attorney
        if lpa is not None:
            lpa.refresh_from_db(fields=["ended_at"])  # ended while the form was open
            if not lpa.is_active:
                raise InvitationUnusable("lpa_ended")
        patient = invitation.patient
        # A wrong password of an existing login is a guess like a wrong NHS number: counted
        # on the same link, recorded, and the link locks at the fifth.
        wrong_password = existing is not None and not existing.check_password(details.password)
        if (
            wrong_password
            or normalise_nhs_number(details.nhs_number) != patient.nhs_number
            or details.date_of_birth != patient.date_of_birth
        ):
            invitation.failed_attempts += 1
            if invitation.failed_attempts >= IDENTITY_TRIES:
                invitation.locked_at = timezone.now()
            invitation.save(update_fields=["failed_attempts", "locked_at"])
            record(
                actor=None,
                action=Action.IDENTITY_CHECK_FAILED,
                patient=patient,
                reason=(
                    "wrong password of an existing login on an invitation link"
                    if wrong_password
                    else "wrong NHS number or date of birth on an invitation link"
                ),
                detail={
                    "invitation": str(invitation.public_id),
                    "tries_left": invitation.tries_left,
                },
            )
            mismatch = invitation
        else:
            try:
                with transaction.atomic():
                    return _create_account(invitation, existing, details.password)
            except IntegrityError:
                # Someone used the same details a moment ago: one of the two wins.
                raise ValidationError(
                    "Online access was set up a moment ago. Sign in with your email address."
                ) from None
    if mismatch.locked_at:
        raise InvitationUnusable("locked")
    tries = mismatch.tries_left
    tries_words = f"{tries} {'try' if tries == 1 else 'tries'}"
    if wrong_password:
        raise ValidationError({"password": f"{EXISTING_LOGIN} You have {tries_words} left."})
    raise ValidationError(IDENTITY_MISMATCH.format(tries=tries_words))


EXISTING_LOGIN = (
    "An account already uses this email address. Enter its password (not a new one) to add "
    "this access to it."
)


def _check_password(invitation: Invitation, existing: User | None, password: str) -> None:
    """A new login needs a strong password; an existing one (someone who is already online,
    for themselves or as an attorney) needs its own. Staff logins never take patients'
    accounts: staff pages and patients' pages stay apart."""
    if existing is None:
        try:
            validate_password(password, User(username=invitation.email, email=invitation.email))
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        return
    if existing.memberships.filter(ended_at__isnull=True).exists():
        raise ValidationError({"password": EXISTING_LOGIN})


def _create_account(invitation: Invitation, existing: User | None, password: str) -> PatientAccount:
    """Precondition: inside invitation_accept's transaction, the invitation locked and the
    password checked."""
    user = existing
    if user is None:
        # A carer's name is the one the person gave: the header greets them by it.
        first, _, last = invitation.name.partition(" ")
        user = User(
            username=invitation.email, email=invitation.email, first_name=first, last_name=last
        )
        user.set_password(password)
        user.save()
    account = PatientAccount.objects.create(
        user=user,
        patient=invitation.patient,
        role=invitation.role,
        lasting_power_of_attorney=invitation.lasting_power_of_attorney,
        relationship=invitation.relationship,
        shared_sections=invitation.shared_sections,
    )
    invitation.used_at = timezone.now()
    invitation.account = account
    invitation.save(update_fields=["used_at", "account"])
    record(
        actor=account,
        action=Action.ACCOUNT_CREATE,
        patient=invitation.patient,
        detail={"invitation": str(invitation.public_id), "role": invitation.role},
    )
    return account


@transaction.atomic
def account_end(*, actor: Membership, account: PatientAccount) -> None:
    """Stop someone's online access (they asked, or it was given to the wrong person)."""
    if not can_invite(actor, account.patient):
        raise PermissionDenied
    if not _ended(account, by_user_id=actor.user_id):
        raise ValidationError("This online access has already ended.")
    record(
        actor=actor,
        action=Action.ACCOUNT_END,
        patient=account.patient,
        detail={"account": str(account.public_id), "role": account.role},
    )


@dataclass(frozen=True)
class RequestDetails:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    nhs_number: str
    email: str


@transaction.atomic
def account_request_submit(*, practice: Organisation, details: RequestDetails) -> AccountRequest:
    """Anyone may ask; nothing is found, shown or made until the practice decides. The same
    request twice while one is waiting is one request."""
    errors: dict[str, str] = {}
    try:
        validate_nhs_number(details.nhs_number)
    except ValidationError as error:
        errors["nhs_number"] = error.messages[0]
    try:
        validate_date_of_birth(details.date_of_birth)
    except ValidationError as error:
        errors["date_of_birth"] = error.messages[0]
    if practice.kind != OrganisationKind.GP_PRACTICE:
        errors["practice"] = "Choose your GP practice"
    if errors:
        raise ValidationError(errors)
    fields = {
        "practice": practice,
        "nhs_number": normalise_nhs_number(details.nhs_number),
        "date_of_birth": details.date_of_birth,
        "email": details.email.strip().lower(),
    }
    waiting = AccountRequest.objects.filter(status=AccountRequestStatus.PENDING, **fields).first()
    if waiting is not None:
        return waiting
    request = AccountRequest.objects.create(
        given_name=details.given_name.strip(), family_name=details.family_name.strip(), **fields
    )
    # No patient is named: the request is matched to no one until the practice decides.
    record(
        actor=None,
        action=Action.ACCOUNT_REQUEST,
        detail={"request": str(request.public_id), "practice": str(practice.public_id)},
    )
    return request


NO_MATCH = (
    "No patient of your practice has that NHS number and date of birth. Check the details "
    "with the person, or decline the request."
)
EMAIL_NOT_ON_RECORD = (
    "The email address given is not the one on the patient's record, so the invitation could "
    "go to someone else. Check it with the person (in person or by phone, using the number "
    "on the record), update their record, then approve."
)


@transaction.atomic
def account_request_approve(*, actor: Membership, request: AccountRequest, site: str) -> Invitation:
    """Match the request to a registered patient of the practice and invite them: they still
    prove who they are when they open the link."""
    if not may_decide(actor, request):
        raise PermissionDenied
    locked = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise ValidationError("This request has already been decided.")
    patient = (
        visible_patients(actor)
        .filter(
            nhs_number=locked.nhs_number,
            date_of_birth=locked.date_of_birth,
            registered_gp_practice_id=locked.practice_id,
        )
        .first()
    )
    if patient is None:
        raise ValidationError(NO_MATCH)
    # An NHS number and date of birth are on every hospital letter: knowing them proves
    # little. The invitation goes only to the email address the practice already holds.
    if not patient.email or patient.email.strip().lower() != locked.email:
        raise ValidationError(EMAIL_NOT_ON_RECORD)
    invitation = invitation_create(actor=actor, patient=patient, email=locked.email, site=site)
    locked.status = AccountRequestStatus.APPROVED
    locked.decided_by_id = actor.user_id
    locked.decided_at = timezone.now()
    locked.invitation = invitation
    locked.save(update_fields=["status", "decided_by", "decided_at", "invitation"])
    record(
        actor=actor,
        action=Action.ACCOUNT_REQUEST_DECIDE,
        patient=patient,
        detail={"request": str(locked.public_id), "status": "approved"},
    )
    return invitation


@transaction.atomic
def account_request_decline(*, actor: Membership, request: AccountRequest, reason: str) -> None:
    if not may_decide(actor, request):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why, for the practice's record"})
    locked = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise ValidationError("This request has already been decided.")
    locked.status = AccountRequestStatus.DECLINED
    locked.decline_reason = reason.strip()
    locked.decided_by_id = actor.user_id
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    record(
        actor=actor,
        action=Action.ACCOUNT_REQUEST_DECIDE,
        detail={"request": str(locked.public_id), "status": "declined"},
    )
    practice = actor.organisation.name
    transaction.on_commit(lambda: _send_declined(locked, practice), robust=True)


def _send_declined(request: AccountRequest, practice: str) -> None:
    """The same words whatever the reason, which stays with the practice: a decline must not
    tell whoever typed the request whether the person is known to the service."""
    body = render_to_string("portal/emails/request_declined.txt", {"practice": practice})
    send_mail("Your request for online access", body, None, [request.email])


# --- carers: invited by the person (or their attorney), never by staff ----------------------

# What a carer may be shown: the plan's non-clinical parts, as the person chooses.
CARER_SHAREABLE = tuple(s.key for s in SECTIONS if s.capability == NON_CLINICAL)
MAX_CARERS = 5


def _shared(sections: list[str]) -> list[str]:
    chosen = [key for key in CARER_SHAREABLE if key in set(sections)]
    if len(chosen) != len(set(sections)):
        raise ValidationError({"shared_sections": "Choose only parts of the plan a carer may see"})
    return chosen


@transaction.atomic
def carer_invite(
    *,
    actor: PatientAccount,
    name: str,
    email: str,
    relationship: str,
    shared_sections: list[str],
    site: str,
) -> Invitation:
    """The person (or their attorney) invites a carer to see the parts of the plan they
    choose, whom to call, and to tell the team when things get harder. The carer proves who
    they are with the person's NHS number and date of birth, as an attorney does."""
    if not has_capability(actor, Capability.INVITE_CARERS):
        raise PermissionDenied
    patient = actor.patient
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    errors: dict[str, str] = {}
    name, relationship = " ".join(name.split()), " ".join(relationship.split())
    email = email.strip().lower()
    if not name:
        errors["name"] = "Enter the carer's name"
    if not relationship:
        errors["relationship"] = "Say who they are to you, for example daughter or neighbour"
    if email == actor.user.email.lower():
        errors["email"] = "Enter the carer's own email address, not yours"
    try:
        shared = _shared(shared_sections)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
        shared = []
    waiting = Invitation.objects.filter(
        patient=patient,
        role=Role.CARER,
        used_at__isnull=True,
        withdrawn_at__isnull=True,
        locked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    active = PatientAccount.objects.filter(patient=patient, role=Role.CARER, ended_at__isnull=True)
    has_access = PatientAccount.objects.filter(
        patient=patient, ended_at__isnull=True, user__username__iexact=email
    )
    if email and (waiting.filter(email__iexact=email).exists() or has_access.exists()):
        errors["email"] = "This person is already invited or already has access"
    elif (
        email
        and Membership.objects.filter(
            Q(user__username__iexact=email) | Q(user__email__iexact=email)
        ).exists()
    ):
        errors["email"] = "This address signs in to a staff account: give the carer's own address"
    elif waiting.count() + active.count() >= MAX_CARERS:
        errors["email"] = f"You can have up to {MAX_CARERS} carers: end one first"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        patient=patient,
        role=Role.CARER,
        email=email,
        name=name,
        relationship=relationship,
        shared_sections=shared,
        token_hash=token_hash(token),
        invited_by_id=actor.user_id,
        invited_by_organisation=None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    record(
        actor=actor,
        action=Action.INVITE,
        patient=patient,
        detail={"invitation": str(invitation.public_id), "role": Role.CARER, "shared": shared},
    )
    link = site.rstrip("/") + reverse("portal:accept", kwargs={"token": token})
    transaction.on_commit(lambda: _send_invitation(invitation, link), robust=True)
    return invitation


def _own_carer(actor: PatientAccount, carer: PatientAccount | Invitation) -> None:
    """The person's (or their attorney's) own carer, or invitation to one; else refused."""
    if not has_capability(actor, Capability.INVITE_CARERS):
        raise PermissionDenied
    if carer.patient_id != actor.patient_id or carer.role != Role.CARER:
        raise PermissionDenied


@transaction.atomic
def carer_sharing_set(
    *, actor: PatientAccount, carer: PatientAccount, shared_sections: list[str]
) -> PatientAccount:
    """Change what a carer sees, from now."""
    _own_carer(actor, carer)
    if carer.ended_at is not None:
        raise ValidationError("This carer's access has ended")
    carer.shared_sections = _shared(shared_sections)
    carer.save(update_fields=["shared_sections"])
    record(
        actor=actor,
        action=Action.CARER_SHARING,
        patient=actor.patient,
        detail={"account": str(carer.public_id), "shared": carer.shared_sections},
    )
    return carer


@transaction.atomic
def carer_access_end(*, actor: PatientAccount, carer: PatientAccount) -> None:
    """End a carer's access at once: their next page is refused."""
    _own_carer(actor, carer)
    if not _ended(carer, by_user_id=actor.user_id):
        return
    record(
        actor=actor,
        action=Action.ACCOUNT_END,
        patient=actor.patient,
        detail={"account": str(carer.public_id), "role": Role.CARER},
    )


@transaction.atomic
def carer_invitation_withdraw(*, actor: PatientAccount, invitation: Invitation) -> None:
    _own_carer(actor, invitation)
    if not _withdrawn(invitation):
        return
    record(
        actor=actor,
        action=Action.INVITATION_WITHDRAW,
        patient=actor.patient,
        detail={"invitation": str(invitation.public_id), "role": Role.CARER},
    )
