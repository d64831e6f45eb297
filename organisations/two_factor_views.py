"""Pages of two-factor sign-in for staff, and of confirming one's identity again."""

from __future__ import annotations

import base64
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from frontend.forms import show_service_errors
from organisations import selectors, two_factor
from organisations.decorators import acting_required, membership
from organisations.forms import ReauthenticateForm, TwoFactorCodeForm, TwoFactorResetForm
from organisations.permissions import can_manage_organisations


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a staff sign-in: a code, a recovery code, or a passkey."""
    if not two_factor.needs_two_factor(request.user) or two_factor.is_verified(request):
        return redirect(_next(request))
    if not two_factor.has_second_factor(request.user):
        return redirect(f"{reverse('organisations:two_factor_set_up')}?next={_next(request)}")
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.second_factor_verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error(
            "code",
            "This code is not right, or it has been used. Try the next one; after a wrong "
            "code, wait a few seconds.",
        )
    return render(
        request,
        "organisations/two_factor_verify.html",
        {
            "form": form,
            "next": _next(request),
            "has_passkey": two_factor.has_passkey(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    """A first second factor: an authenticator app (a code confirms it) or a passkey."""
    if two_factor.has_second_factor(request.user) and not two_factor.is_verified(request):
        return redirect(f"{reverse('organisations:two_factor')}?next={_next(request)}")
    device = two_factor.authenticator_app(request.user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    form.fields["code"].help_text = "The 6 digits the app shows now"
    if request.method == "POST" and form.is_valid():
        if two_factor.authenticator_app_confirm(request=request, code=form.cleaned_data["code"]):
            return redirect(f"{reverse('organisations:recovery_codes')}?next={_next(request)}")
        form.add_error(
            "code",
            "This code is not right: check the app's clock, wait a few seconds, then try again.",
        )
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "organisations/two_factor_set_up.html",
        {"form": form, "qr": qr, "secret": secret, "next": _next(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, each usable once when the phone or key is not to hand: shown
    once, on this response only."""
    if two_factor.has_second_factor(request.user) and not two_factor.is_verified(request):
        return redirect(f"{reverse('organisations:two_factor')}?next={_next(request)}")
    codes = two_factor.recovery_codes_issue(request.user) if request.method == "POST" else None
    response = render(
        request,
        "organisations/recovery_codes.html",
        {
            "codes": codes,
            "has_codes": two_factor.has_recovery_codes(request.user),
            "next": _next(request),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """The password again (and a code, where two factors are required) before emergency
    access or a system token."""
    form = ReauthenticateForm(
        request.POST if request.method == "POST" else None,
        asks_for_code=two_factor.needs_two_factor(request.user)
        and two_factor.has_second_factor(request.user),
    )
    if request.method == "POST" and form.is_valid():
        if two_factor.reauthenticate(
            request=request,
            password=form.cleaned_data["password"],
            code=form.cleaned_data.get("code", ""),
        ):
            return redirect(_next(request))
        form.add_error(None, "That did not match. Enter your password (and code) again.")
    return render(
        request, "organisations/reauthenticate.html", {"form": form, "next": _next(request)}
    )


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def reset_request(request: HttpRequest, membership_id: UUID) -> HttpResponse:
    acting = membership(request)
    person = selectors.membership_for_admin(acting, membership_id)
    form = TwoFactorResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_reset_request(
                actor=acting, membership=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request,
                "Asked: the reset happens when another admin or the privacy officer approves it.",
            )
            return redirect(
                "organisations:organisation_detail", organisation_id=person.organisation.public_id
            )
    return render(request, "organisations/two_factor_reset.html", {"person": person, "form": form})
