from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from frontend.unsaved import signed_in_required
from organisations.acting import acting_membership
from organisations.decorators import record_denied
from organisations.permissions import Capability, has_capability
from portal.acting import ended_account, open_accounts, patient_account
from portal.models import PatientAccount

View = Callable[..., HttpResponse]


def patient_required(view: View) -> View:
    """Signed in through a patient's or attorney's own account. Staff get 404: their pages
    and patients' pages stay apart; so do carers, who see only their own pages (carers/).
    An attorney whose LPA has ended is told so (and may still choose another person they
    have access for)."""
    return _patient_page(view, lpa_must_be_in_force=True, capability=Capability.VIEW_OWN_RECORD)


def carer_required(view: View) -> View:
    """Signed in through a carer's account: only the carers' pages."""
    return _patient_page(view, lpa_must_be_in_force=True, capability=Capability.VIEW_SHARED_PARTS)


def any_own_account(view: View) -> View:
    """Like patient_required, for choosing whose record to act for (carers too)."""
    return _patient_page(view, lpa_must_be_in_force=False, capability=None)


def _patient_page(view: View, *, lpa_must_be_in_force: bool, capability: Capability | None) -> View:
    @signed_in_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = patient_account(request)
        if account is None and (ended := ended_account(request.user)) is not None:
            # Their access ended (the LPA ended, or the care team ended it): say so.
            return render(request, "portal/lpa_ended.html", {"account": ended}, status=403)
        if account is None:
            if (membership := acting_membership(request)) is not None:
                record_denied(membership, request, reason="staff cannot use patients' own pages")
            raise Http404
        if lpa_must_be_in_force and not account.lpa_is_active:
            record_denied(
                account,
                request,
                reason="the attorney's lasting power of attorney has ended",
                patient=account.patient,
            )
            others = open_accounts(request.user).exclude(pk=account.pk).exists()
            return render(
                request, "portal/lpa_ended.html", {"account": account, "others": others}, status=403
            )
        if capability is not None and not has_capability(account, capability):
            record_denied(
                account,
                request,
                reason="this online account's role cannot use this page",
                patient=account.patient,
            )
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def account(request: HttpRequest) -> PatientAccount:
    """The account of a request that passed `patient_required`."""
    acting = patient_account(request)
    if acting is None:
        raise Http404
    return acting
