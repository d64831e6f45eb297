from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from audit.models import Action
from audit.services import record
from core.actors import Actor
from frontend.unsaved import signed_in_required
from organisations.acting import acting_membership, acting_patient_account
from organisations.models import Membership
from organisations.two_factor import is_verified, needs_two_factor, reauthenticated

View = Callable[..., HttpResponse]


def acting_required(check: Callable[[Membership], bool] | None = None) -> Callable[[View], View]:
    """Signed in, acting as a chosen membership, and (if given) allowed by `check` for this
    kind of page at all; a role that may not use the page gets 403. Object-level refusals
    are the selectors' 404s."""

    def decorator(view: View) -> View:
        @signed_in_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if needs_two_factor(request.user) and not is_verified(request):
                # Nothing as staff until the second factor is proved (organisations/two_factor.py).
                target = request.path if request.method == "POST" else request.get_full_path()
                url = f"{reverse('organisations:two_factor')}?{urlencode({'next': target})}"
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
            membership = acting_membership(request)
            if membership is None and (account := acting_patient_account(request)) is not None:
                # Patients and their attorneys use their own pages only; staff pages do not
                # exist for them.
                record_denied(
                    account, request, reason="a patient's online account cannot use staff pages"
                )
                raise Http404
            if membership is None:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('organisations:choose_membership')}?{query}")
            if check is not None and not check(membership):
                refuse(membership, request, reason="the acting role cannot use this page")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def refuse(
    acting: Membership, request: HttpRequest, *, reason: str, patient: object = None
) -> NoReturn:
    """Record the refusal (in the patient's stream when there is one) and answer 403."""
    record_denied(acting, request, reason=reason, patient=patient)
    raise PermissionDenied


def record_denied(
    actor: Actor, request: HttpRequest, *, reason: str, patient: object = None
) -> None:
    """A refused request, with the page asked for: in the patient's stream when there is
    one, else in the actor's."""
    record(
        actor=actor,
        action=Action.DENIED,
        patient=patient,  # type: ignore[arg-type]
        reason=reason,
        detail={"path": request.path},
    )


def membership(request: HttpRequest) -> Membership:
    """The acting membership of a request that passed `acting_required`."""
    acting = acting_membership(request)
    if acting is None:
        raise PermissionDenied
    return acting


def reauthentication_required(view: View) -> View:
    """The password entered again within a few minutes (organisations/two_factor.py): for
    emergency access and for system access, a session left open is not enough."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return reauthenticate_first(request) or view(request, *args, **kwargs)

    return wrapper


def reauthenticate_first(request: HttpRequest) -> HttpResponse | None:
    """A redirect to confirm one's identity, then back here; None if recently confirmed."""
    if reauthenticated(request):
        return None
    target = request.get_full_path() if request.method == "GET" else request.path
    return redirect(f"{reverse('organisations:reauthenticate')}?{urlencode({'next': target})}")
