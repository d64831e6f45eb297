"""Which person's record a signed-in patient or attorney is acting for, kept in the session.
Someone with staff memberships never acts through a patient account: staff pages and
patients' pages stay apart."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import Action
from audit.services import record
from organisations.acting import acting_patient_account
from portal.models import PatientAccount

SESSION_KEY = "acting_patient_account"


def open_accounts(user: AbstractBaseUser | AnonymousUser) -> QuerySet[PatientAccount]:
    """The person's online accounts not ended (an attorney's whose LPA has since ended
    included: they are told why they cannot use it rather than finding nothing)."""
    return (
        PatientAccount.objects.filter(user_id=user.pk or 0, ended_at__isnull=True)
        .select_related("patient", "lasting_power_of_attorney", "user")
        .order_by("created_at", "id")
    )


def ended_account(user: AbstractBaseUser | AnonymousUser) -> PatientAccount | None:
    """The person's most recently ended account, for someone with none open."""
    return (
        PatientAccount.objects.filter(user_id=user.pk or 0, ended_at__isnull=False)
        .select_related("patient", "lasting_power_of_attorney")
        .order_by("-ended_at")
        .first()
    )


def patient_account(request: HttpRequest) -> PatientAccount | None:
    account: PatientAccount | None = acting_patient_account(request)
    return account


def act_for(request: HttpRequest, account: PatientAccount) -> None:
    """Act for `account`'s person from now on (a new session key, as for staff); audited."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(account.public_id)
    request.patient_account = account  # type: ignore[attr-defined]
    record(actor=account, action=Action.ACT_AS, patient=account.patient)
