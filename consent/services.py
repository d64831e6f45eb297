"""Recording and withdrawing consent to share, and the consent basis of a change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from consent.models import BasisKind, ConsentBasis, ConsentToShare, GivenBy
from organisations.models import Membership
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.permissions import in_care_team


def _may_record(actor: Membership, patient: Patient) -> bool:
    return has_capability(actor, Capability.RECORD_CONSENT) and in_care_team(actor, patient)


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
    if not _may_record(actor, patient):
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
    if given_on > timezone.localdate():
        errors["given_on"] = "The date consent was given must be today or in the past"
    if errors:
        raise ValidationError(errors)
    if ConsentToShare.objects.active().filter(patient=patient).exists():
        raise ValidationError(
            "Consent to share is already recorded. Withdraw it first to record it again."
        )
    consent.full_clean(validate_constraints=False)
    consent._history_user = actor.user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            consent.save()
    except IntegrityError:
        raise ValidationError("Consent to share is already recorded.") from None
    record(
        actor=actor, action=Action.CONSENT_RECORD, patient=patient, detail={"given_by": given_by}
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Membership, patient: Patient, reason: str) -> ConsentToShare:
    """Stop sharing at once: urgent care sees no shareable plan from now on. The record stays."""
    if not _may_record(actor, patient):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why consent was withdrawn, and who said so"})
    consent = ConsentToShare.objects.select_for_update().active().filter(patient=patient).first()
    if consent is None:
        raise ValidationError("There is no active consent to withdraw.")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by_id = actor.user_id
    consent.withdrawal_reason = reason.strip()
    consent._history_user = actor.user  # type: ignore[attr-defined]
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record(actor=actor, action=Action.CONSENT_WITHDRAW, patient=patient)
    return consent


@dataclass(frozen=True)
class BasisDetails:
    kind: str
    with_whom: str
    discussed_on: dt.date


def basis_validate(details: BasisDetails) -> None:
    errors = {}
    if details.kind not in BasisKind.values:
        errors["kind"] = "Choose the consent basis for this change"
    if not details.with_whom.strip():
        errors["with_whom"] = "Say with whom the change was discussed and agreed"
    if details.discussed_on > timezone.localdate():
        errors["discussed_on"] = "The date of the discussion must be today or in the past"
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
