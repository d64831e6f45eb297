"""Recording and withdrawing consent to share, and the consent basis of a change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from consent.models import (
    BasisKind,
    ConsentBasis,
    ConsentToShare,
    GivenBy,
    LastingPowerOfAttorney,
)
from consent.permissions import can_record_consent
from core.actors import Actor
from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.dates import date_problem, lpa_registration_problem
from patients.models import Patient


class OnlineActor(Actor, Protocol):
    """An actor that is a patient's or attorney's own account (portal.PatientAccount):
    it acts for one person, through a user, maybe as their attorney, for no organisation."""

    patient: Patient
    user: Any
    lasting_power_of_attorney: LastingPowerOfAttorney | None

    @property
    def organisation(self) -> None: ...


@transaction.atomic
def consent_record(
    *,
    actor: Membership,
    patient: Patient,
    given_by: str,
    given_on: dt.date,
    given_by_name: str = "",
    consulted: str = "",
) -> ConsentToShare:
    """Record consent to share the plan. Raises ValidationError with field errors."""
    if not can_record_consent(actor, patient):
        raise PermissionDenied
    consent = ConsentToShare(
        patient=patient,
        given_by=given_by,
        given_by_name=given_by_name.strip(),
        consulted=consulted.strip(),
        given_on=given_on,
        recorded_by_id=actor.user_id,
    )
    errors: dict[str, str] = {}
    if given_by in (GivenBy.LPA, GivenBy.BEST_INTERESTS) and not consent.given_by_name:
        errors["given_by_name"] = (
            "Enter the attorney's name"
            if given_by == GivenBy.LPA
            else "Enter who made the decision"
        )
    if given_by == GivenBy.BEST_INTERESTS and not consent.consulted:
        errors["consulted"] = "Say who was consulted about the best-interests decision"
    problem = date_problem(
        given_on, what="The date consent was given", in_the_past=True, born=patient.date_of_birth
    )
    if problem:
        errors["given_on"] = problem
    if errors:
        raise ValidationError(errors)
    consent.full_clean(validate_constraints=False)
    return _save_consent(
        consent,
        actor=actor,
        already=ALREADY_RECORDED,
        detail={"given_by": given_by},
    )


ALREADY_RECORDED = "Consent to share is already recorded. Withdraw it first to record it again."


def _save_consent(
    consent: ConsentToShare, *, actor: Membership | OnlineActor, already: str, detail: dict
) -> ConsentToShare:
    """Save new consent and record it, refusing with `already` while another is active
    (also when someone else recorded one a moment ago). Precondition: in a transaction."""
    if ConsentToShare.objects.active().filter(patient=consent.patient).exists():
        raise ValidationError(already)
    consent._history_user = actor.user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            consent.save()
    except IntegrityError:
        raise ValidationError(already) from None
    record(actor=actor, action=Action.CONSENT_RECORD, patient=consent.patient, detail=detail)
    return consent


def _withdraw_consent(
    patient: Patient,
    *,
    actor: Membership | OnlineActor,
    reason: str,
    none_active: str,
    detail: dict,
) -> ConsentToShare:
    """End the active consent now, keeping the row. Precondition: in a transaction."""
    consent = ConsentToShare.objects.select_for_update().active().filter(patient=patient).first()
    if consent is None:
        raise ValidationError(none_active)
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by_id = actor.user_id
    consent.withdrawal_reason = reason
    consent._history_user = actor.user  # type: ignore[attr-defined]
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record(actor=actor, action=Action.CONSENT_WITHDRAW, patient=patient, detail=detail)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Membership, patient: Patient, reason: str) -> ConsentToShare:
    """Stop sharing at once: urgent care sees no shareable plan from now on. The record stays."""
    if not can_record_consent(actor, patient):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why consent was withdrawn, and who said so"})
    return _withdraw_consent(
        patient,
        actor=actor,
        reason=reason.strip(),
        none_active="There is no active consent to withdraw.",
        detail={},
    )


@dataclass(frozen=True)
class BasisDetails:
    kind: str
    with_whom: str
    discussed_on: dt.date


def basis_validate(details: BasisDetails, *, born: dt.date | None = None) -> None:
    errors = {}
    if details.kind not in BasisKind.values:
        errors["kind"] = "Choose the consent basis for this change"
    if not details.with_whom.strip():
        errors["with_whom"] = "Say with whom the change was discussed and agreed"
    problem = date_problem(
        details.discussed_on, what="The date of the discussion", in_the_past=True, born=born
    )
    if problem:
        errors["discussed_on"] = problem
    if errors:
        raise ValidationError(errors)


def basis_record(*, actor: Membership, patient: Patient, details: BasisDetails) -> ConsentBasis:
    """Precondition: called inside the publishing transaction, after basis_validate."""
    return ConsentBasis.objects.create(
        patient=patient,
        kind=details.kind,
        with_whom=details.with_whom.strip(),
        discussed_on=details.discussed_on,
        recorded_by_id=actor.user_id,
    )


LACKS_CAPACITY_NEEDED = (
    "Confirm that they cannot make this decision themselves: an attorney decides for someone "
    "only when they cannot"
)


@transaction.atomic
def consent_give_online(
    *, actor: OnlineActor, lacks_capacity_confirmed: bool = False
) -> ConsentToShare:
    """The person (or their attorney, for someone who cannot decide) agrees online that their
    published plan is shared with the people who care for them and with urgent care."""
    if not has_capability(actor, Capability.MANAGE_OWN_CONSENT):
        raise PermissionDenied
    patient = actor.patient
    lpa = actor.lasting_power_of_attorney
    if lpa is not None and not lacks_capacity_confirmed:
        raise ValidationError({"lacks_capacity_confirmed": LACKS_CAPACITY_NEEDED})
    consent = ConsentToShare(
        patient=patient,
        given_by=GivenBy.LPA if lpa is not None else GivenBy.PATIENT,
        given_by_name=lpa.attorney_name if lpa is not None else "",
        given_on=timezone.localdate(),
        recorded_by_id=actor.user_id,
    )
    consent._change_reason = "given online"  # type: ignore[attr-defined]
    return _save_consent(
        consent,
        actor=actor,
        already="Consent to share is already given.",
        detail={"given_by": consent.given_by, "online": True},
    )


@transaction.atomic
def consent_withdraw_online(
    *, actor: OnlineActor, reason: str = "", lacks_capacity_confirmed: bool = False
) -> ConsentToShare:
    """Stop sharing at once, from the person's own account. A reason is welcome, not needed."""
    if not has_capability(actor, Capability.MANAGE_OWN_CONSENT):
        raise PermissionDenied
    lpa = actor.lasting_power_of_attorney
    if lpa is not None and not lacks_capacity_confirmed:
        raise ValidationError({"lacks_capacity_confirmed": LACKS_CAPACITY_NEEDED})
    who = f"their attorney, {lpa.attorney_name}" if lpa is not None else "the person themselves"
    return _withdraw_consent(
        actor.patient,
        actor=actor,
        reason=f"Withdrawn online by {who}" + (f": {reason.strip()}" if reason.strip() else ""),
        none_active="Consent to share is not given at the moment.",
        detail={"online": True},
    )


@dataclass(frozen=True)
class LpaDetails:
    attorney_name: str
    relationship: str
    opg_reference: str
    registered_on: dt.date
    life_sustaining_treatment: bool = False
    restrictions: str = ""
    attorney_phone: str = ""
    document_location: str = ""


@transaction.atomic
def lpa_record(
    *, actor: Membership, patient: Patient, details: LpaDetails
) -> LastingPowerOfAttorney:
    """Record a registered LPA for health and welfare, having seen it (or checked it with the
    Office of the Public Guardian)."""
    if not can_record_consent(actor, patient):
        raise PermissionDenied
    problem = lpa_registration_problem(details.registered_on, born=patient.date_of_birth)
    if problem:
        raise ValidationError({"registered_on": problem})
    lpa = LastingPowerOfAttorney(
        patient=patient,
        attorney_name=details.attorney_name.strip(),
        relationship=details.relationship.strip(),
        opg_reference=details.opg_reference.strip().upper(),
        registered_on=details.registered_on,
        life_sustaining_treatment=details.life_sustaining_treatment,
        restrictions=details.restrictions.strip(),
        attorney_phone=details.attorney_phone.strip(),
        document_location=details.document_location.strip(),
        recorded_by_id=actor.user_id,
    )
    lpa.full_clean()
    lpa._history_user = actor.user  # type: ignore[attr-defined]
    lpa.save()
    record(actor=actor, action=Action.LPA_RECORD, patient=patient)
    return lpa


@transaction.atomic
def lpa_end(*, actor: Membership, lpa: LastingPowerOfAttorney, reason: str) -> None:
    """The LPA no longer applies (revoked, the attorney stepped down, a court decided): the
    attorney's online access stops at once."""
    if not can_record_consent(actor, lpa.patient):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the lasting power of attorney has ended"})
    locked = LastingPowerOfAttorney.objects.select_for_update().get(pk=lpa.pk)
    if locked.ended_at is not None:
        raise ValidationError("This lasting power of attorney has already ended.")
    locked.ended_at = timezone.now()
    locked.ended_by_id = actor.user_id
    locked.end_reason = reason.strip()
    locked._history_user = actor.user  # type: ignore[attr-defined]
    locked.save(update_fields=["ended_at", "ended_by", "end_reason"])
    # The attorney's online access ends with it, and any link waiting for them stops working
    # (portal's accounts and invitations, through their reverse relations).
    ended_accounts = locked.online_accounts.filter(ended_at__isnull=True).update(
        ended_at=locked.ended_at, ended_by=actor.user_id
    )
    locked.invitations.filter(
        used_at__isnull=True, locked_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=locked.ended_at)
    record(
        actor=actor,
        action=Action.LPA_END,
        patient=lpa.patient,
        detail={"online_accounts_ended": ended_accounts},
    )
