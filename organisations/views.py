from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage

from audit.models import Action
from audit.services import record
from frontend.forms import show_service_errors
from organisations import selectors, services, tokens, two_factor
from organisations.acting import act_as, acting_patient_account
from organisations.decorators import (
    acting_required,
    membership,
    reauthenticate_first,
    reauthentication_required,
)
from organisations.forms import (
    AccessDecisionForm,
    ApiTokenForm,
    ChooseMembershipForm,
    ListSizeForm,
    MembershipForm,
    NhsSetPasswordForm,
    OrganisationForm,
    RegionAccessForm,
    SignInForm,
)
from organisations.models import OrganisationKind
from organisations.permissions import (
    can_approve_any_access,
    can_approve_anything,
    can_manage_organisations,
)


def _sign_in_failures(request: HttpRequest, *, count: bool) -> bool:
    """Failed sign-ins from this address, whatever the username (`count` one more): True
    once the limit is reached."""
    usage = get_usage(
        request,
        group="sign-in-failures-by-address",
        key="audit.origin.address_key",
        rate=settings.SIGN_IN_FAILURES_PER_ADDRESS,
        increment=count,
    )
    return usage is not None and usage["count"] >= usage["limit"]


class SignInView(auth_views.LoginView):
    template_name = "organisations/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _sign_in_failures(request, count=False):
            record(
                actor=None,
                action=Action.DENIED,
                reason="too many failed sign-ins from this address (any username)",
                detail={"page": "sign-in"},
            )
            return render(
                request, "organisations/locked_out.html", {"by_address": True}, status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        _sign_in_failures(self.request, count=True)
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        # A `next` pointing back at this page would loop for someone already signed in.
        url = super().get_success_url()
        return reverse("home") if url.startswith(reverse("organisations:sign_in")) else url


class SignOutView(auth_views.LogoutView):
    pass


class SetPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "organisations/set_password.html"
    form_class = NhsSetPasswordForm
    success_url = reverse_lazy("organisations:sign_in")

    def form_valid(self, form: NhsSetPasswordForm) -> HttpResponse:
        messages.info(self.request, "Your password is set. Sign in with it now.")
        return super().form_valid(form)


@login_required
@require_http_methods(["GET", "POST"])
def choose_membership(request: HttpRequest) -> HttpResponse:
    if (own := acting_patient_account(request)) is not None:  # they hold no staff roles
        return redirect("carers:home" if getattr(own, "is_carer", False) else "portal:home")
    memberships = list(selectors.active_memberships(request.user))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = ChooseMembershipForm(
        request.POST if request.method == "POST" else None, memberships=memberships
    )
    if request.method == "POST" and form.is_valid():
        act_as(request, form.chosen())
        return redirect(next_url or "home")
    return render(
        request,
        "organisations/choose_membership.html",
        {"form": form, "next": next_url, "has_memberships": bool(memberships)},
    )


@acting_required(can_manage_organisations)
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.region_organisations(membership(request))
    return render(request, "organisations/organisation_list.html", {"organisations": organisations})


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    acting = membership(request)
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=acting,
                region=acting.organisation.region,
                **form.cleaned_data,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{organisation.name} was added.")
            return redirect(
                "organisations:organisation_detail", organisation_id=organisation.public_id
            )
    return render(request, "organisations/organisation_form.html", {"form": form})


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def organisation_detail(request: HttpRequest, organisation_id: UUID) -> HttpResponse:
    acting = membership(request)
    organisation = selectors.organisation_for_admin(acting, organisation_id)
    practice = organisation.kind == OrganisationKind.GP_PRACTICE
    form = ListSizeForm(
        request.POST if request.method == "POST" else None,
        initial={"list_size": organisation.list_size},
    )
    if request.method == "POST" and practice and form.is_valid():
        try:
            services.organisation_list_size_set(
                actor=acting, organisation=organisation, list_size=form.cleaned_data["list_size"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "The list size is saved.")
            return redirect(
                "organisations:organisation_detail", organisation_id=organisation.public_id
            )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": selectors.memberships_of(organisation),
            "list_size_form": form if practice else None,
        },
    )


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def region_access(request: HttpRequest) -> HttpResponse:
    """The region's single point of access: one number to call, shown to every person
    with a plan, their carers and urgent care, beside the key worker."""
    acting = membership(request)
    region = acting.organisation.region
    form = RegionAccessForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": region.access_name,
            "phone": region.access_phone,
            "hours": region.access_hours,
            "what_for": region.access_for,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.region_access_set(actor=acting, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "The single point of access is saved.")
            return redirect("organisations:region_access")
    return render(request, "organisations/region_access.html", {"form": form, "region": region})


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def membership_add(request: HttpRequest, organisation_id: UUID) -> HttpResponse:
    acting = membership(request)
    organisation = selectors.organisation_for_admin(acting, organisation_id)
    form = MembershipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.membership_add(
                actor=acting,
                organisation=organisation,
                set_password_email_from=request.get_host(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            waiting = (
                " The role reads patient records: it works once the organisation's lead or "
                "the region's privacy officer approves it."
                if added.awaiting_approval
                else ""
            )
            messages.info(
                request,
                f"{form.cleaned_data['username']} was added to {organisation.name}.{waiting}",
            )
            return redirect(
                "organisations:organisation_detail", organisation_id=organisation.public_id
            )
    return render(
        request, "organisations/membership_form.html", {"form": form, "organisation": organisation}
    )


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, membership_id: UUID) -> HttpResponse:
    acting = membership(request)
    ending = selectors.membership_for_admin(acting, membership_id)
    error = ""
    if request.method == "POST":
        try:
            services.membership_end(actor=acting, membership=ending)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.info(request, f"{ending.user.get_username()} no longer has that role.")
            return redirect(
                "organisations:organisation_detail", organisation_id=ending.organisation.public_id
            )
    return render(request, "organisations/membership_end.html", {"ending": ending, "error": error})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/about.html")


@acting_required(can_manage_organisations)
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest, organisation_id: UUID) -> HttpResponse:
    """The organisation's system tokens; a new one is shown once, on this response only.
    Making one asks for the password again (organisations.decorators)."""
    acting = membership(request)
    organisation = selectors.organisation_for_admin(acting, organisation_id)
    if confirm := reauthenticate_first(request):
        return confirm  # before the form, so that nothing typed is lost to the detour
    form = ApiTokenForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = tokens.token_create(
                actor=acting,
                organisation=organisation,
                role=form.cleaned_data["role"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            form = ApiTokenForm(organisation=organisation)
    response = render(
        request,
        "organisations/api_tokens.html",
        {
            "organisation": organisation,
            "form": form,
            "made": made,
            "tokens": selectors.api_tokens_of(organisation),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@acting_required(can_manage_organisations)
@require_POST
def api_token_revoke(request: HttpRequest, token_id: UUID) -> HttpResponse:
    acting = membership(request)
    token = selectors.api_token_for_admin(acting, token_id)
    tokens.token_revoke(actor=acting, token=token)
    messages.info(request, f"The token {token.prefix}… is revoked: calls with it now get 401.")
    return redirect(
        "organisations:api_tokens", organisation_id=token.membership.organisation.public_id
    )


@acting_required(can_approve_anything)
@require_GET
def access_approvals(request: HttpRequest) -> HttpResponse:
    """What waits for this person, as the second person: access to patient records an
    admin asked for, and resets of someone's two-factor sign-in."""
    acting = membership(request)
    return render(
        request,
        "organisations/access_approvals.html",
        {
            "waiting": selectors.access_awaiting_approval(acting),
            "resets": selectors.two_factor_resets_awaiting(acting),
        },
    )


@acting_required(can_approve_anything)
@require_POST
def two_factor_reset_approve(request: HttpRequest, reset_id: UUID) -> HttpResponse:
    acting = membership(request)
    reset = selectors.two_factor_reset_for(acting, reset_id)
    two_factor.two_factor_reset_approve(actor=acting, reset=reset)
    messages.info(request, "Reset: they set up a new second factor when they next sign in.")
    return redirect("organisations:access_approvals")


@acting_required(can_approve_any_access)
@reauthentication_required
@require_http_methods(["GET", "POST"])
def access_decide(request: HttpRequest, membership_id: UUID) -> HttpResponse:
    acting = membership(request)
    asked = selectors.access_awaiting_approval_for(acting, membership_id)
    form = AccessDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.membership_approve(actor=acting, membership=asked)
                messages.info(request, "Approved: this access works from now on.")
            else:
                services.membership_decline(
                    actor=acting, membership=asked, reason=form.cleaned_data["reason"]
                )
                messages.info(request, "Declined: this access has ended unused.")
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            return redirect("organisations:access_approvals")
    return render(request, "organisations/access_decide.html", {"asked": asked, "form": form})
