"""Patients' and attorneys' own pages: their plan, their draft, changes, consent, who looked.
Every page is about the one person the account is for; nothing here takes a patient id."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from careplans import change_requests
from careplans import selectors as plan_selectors
from careplans import services as plan_services
from careplans.models import OPEN_CHANGE_REQUEST
from careplans.own_parts import OWN_PART_BY_SLUG, OWN_PARTS, OwnPart
from careplans.permissions import can_write_own_draft
from careplans.sections import SECTION_BY_KEY, describe, form_initial
from consent import services as consent_services
from consent.selectors import active_consent, active_lpas
from frontend.forms import show_service_errors
from frontend.unsaved import take as take_unsaved
from organisations.models import Role
from organisations.permissions import Capability, has_capability
from portal import selectors, services
from portal.access_log import described_events
from portal.acting import act_for, open_accounts
from portal.decorators import account, any_own_account, patient_required
from portal.forms import (
    AcceptInvitationForm,
    AccountRequestForm,
    CarerInviteForm,
    CarerSharingForm,
    ChangeRequestForm,
    ChooseAccountForm,
    OnlineConsentForm,
)
from portal.own_plan import sections_for_the_person


@patient_required
def home(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    patient = selectors.own_record(acting, page="my_home")
    working_copy = plan_selectors.working_copy_of(patient)
    return render(
        request,
        "portal/home.html",
        {
            "account": acting,
            "patient": patient,
            "working_copy": working_copy,
            "version": plan_selectors.versions_of(patient).first(),
            "can_write": can_write_own_draft(acting, patient, working_copy),
            "open_requests": plan_selectors.change_requests_of(patient)
            .filter(status__in=OPEN_CHANGE_REQUEST)
            .count(),
            "consent": active_consent(patient),
            "several": open_accounts(request.user).count() > 1,
        },
    )


@patient_required
def plan(request: HttpRequest) -> HttpResponse:
    """The latest published version, as approved, in plain English."""
    acting = account(request)
    patient = acting.patient
    version = selectors.own_published_version(acting)
    sections = (
        sections_for_the_person(
            version.snapshot["sections"], is_proxy=acting.is_proxy, lpas=active_lpas(patient)
        )
        if version
        else []
    )
    return render(
        request,
        "portal/plan.html",
        {
            "account": acting,
            "version": version,
            "sections": sections,
            "working_copy": plan_selectors.working_copy_of(patient),
            "has_requests": plan_selectors.change_requests_of(patient).exists(),
        },
    )


@patient_required
def draft(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    patient = selectors.own_record(acting, page="my_draft")
    working_copy = plan_selectors.working_copy_of(patient)
    data = plan_selectors.section_data(working_copy)
    parts = []
    for part in OWN_PARTS:
        section = SECTION_BY_KEY[part.section_key]
        written = {k: v for k, v in data.get(part.section_key, {}).items() if k in part.owned}
        parts.append({"part": part, "rows": describe(section, written)})
    return render(
        request,
        "portal/draft.html",
        {
            "account": acting,
            "working_copy": working_copy,
            "parts": parts,
            "can_write": can_write_own_draft(acting, patient, working_copy),
            "has_content": any(p["rows"] for p in parts),
        },
    )


def _own_part(slug: str) -> OwnPart:
    part = OWN_PART_BY_SLUG.get(slug)
    if part is None:
        raise Http404("No such part")
    return part


@patient_required
@require_http_methods(["GET", "POST"])
def draft_part(request: HttpRequest, slug: str) -> HttpResponse:
    acting = account(request)
    patient = acting.patient
    part = _own_part(slug)
    working_copy = plan_selectors.working_copy_of(patient)
    if not can_write_own_draft(acting, patient, working_copy):
        messages.info(request, _why_not_writable(working_copy))
        return redirect("portal:draft")
    data = plan_selectors.section_data(working_copy).get(part.section_key, {})
    conflict = None
    restored = False
    if request.method == "POST":
        try:
            plan_services.own_part_save(actor=acting, part=part, data=request.POST)
        except plan_services.SectionConflict as changed:
            form, conflict = changed.form, changed
        except plan_services.SectionInvalid as invalid:
            form = invalid.form
        else:
            messages.info(request, f"{part.title}: saved. You can come back to it at any time.")
            return redirect("portal:draft")
    else:
        selectors.own_record(acting, page=f"my_draft:{part.slug}")
        kept = take_unsaved(request)
        restored = kept is not None
        form = part.form(kept) if kept else part.form(initial=form_initial(part.section_key, data))
    return render(
        request,
        "portal/draft_part.html",
        {
            "account": acting,
            "part": part,
            "form": form,
            "conflict": conflict,
            "restored": restored,
            "conflict_message": plan_services.SECTION_CHANGED.format(title=part.title),
        },
    )


def _why_not_writable(working_copy: object) -> str:
    status = getattr(working_copy, "status", "")
    if status == "awaiting_approval":
        return "Your plan is with your care team for approval. To change something, ask them."
    return "Your plan has been approved. To change something, ask for a change."


@patient_required
@require_POST
def draft_submit(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    working_copy = plan_selectors.working_copy_of(acting.patient)
    if not can_write_own_draft(acting, acting.patient, working_copy):
        messages.info(request, _why_not_writable(working_copy))
        return redirect("portal:draft")
    try:
        plan_services.own_draft_submit(actor=acting)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("portal:draft")
    messages.info(
        request,
        "Your plan is sent to your care team. A clinician will complete it with you and "
        "approve it.",
    )
    return redirect("portal:home")


@patient_required
def changes(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    selectors.own_record(acting, page="my_changes")
    return render(
        request,
        "portal/changes.html",
        {
            "account": acting,
            "requests": plan_selectors.change_requests_of(acting.patient),
        },
    )


@patient_required
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    form = ChangeRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            change_requests.change_request_create(actor=acting, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "Your request is sent to your care team.")
            return redirect("portal:changes")
    return render(request, "portal/change_new.html", {"account": acting, "form": form})


@patient_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    patient = acting.patient
    current = active_consent(patient)
    form = OnlineConsentForm(
        request.POST if request.method == "POST" else None,
        is_proxy=acting.is_proxy,
        withdrawing=current is not None,
    )
    if request.method == "POST" and form.is_valid():
        confirmed = form.cleaned_data.get("lacks_capacity_confirmed", False)
        try:
            if current is None:
                consent_services.consent_give_online(
                    actor=acting, lacks_capacity_confirmed=confirmed
                )
                done = "Consent to share is given. Your care team and urgent care can see the plan."
            else:
                consent_services.consent_withdraw_online(
                    actor=acting,
                    reason=form.cleaned_data.get("reason", ""),
                    lacks_capacity_confirmed=confirmed,
                )
                done = "Consent is withdrawn. The plan is no longer shared, from now."
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, done)
            return redirect("portal:consent")
    elif request.method == "GET":
        selectors.own_record(acting, page="my_consent")
    return render(
        request, "portal/consent.html", {"account": acting, "current": current, "form": form}
    )


@patient_required
def access_log(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    page = selectors.access_log(acting, page_number=request.GET.get("page", 1))
    return render(
        request,
        "portal/access_log.html",
        {"account": acting, "page": page, "events": described_events(page.object_list)},
    )


@any_own_account
@require_http_methods(["GET", "POST"])
def choose_account(request: HttpRequest) -> HttpResponse:
    accounts = list(open_accounts(request.user))
    form = ChooseAccountForm(request.POST if request.method == "POST" else None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        chosen = next(a for a in accounts if str(a.public_id) == form.cleaned_data["account"])
        act_for(request, chosen)
        return redirect("carers:home" if chosen.is_carer else "portal:home")
    return render(request, "portal/choose_account.html", {"form": form})


INVITATION_LINK_IN_SESSION = "invitation_link"


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: keep its token in the session and continue at an address without
    it, so that the token is not left in the browser's history or in later log lines (as
    Django's own password reset does)."""
    request.session[INVITATION_LINK_IN_SESSION] = token
    return redirect("portal:accept_form")


@require_http_methods(["GET", "POST"])
def accept_form(request: HttpRequest) -> HttpResponse:
    """Prove who you are, choose a password, and you are signed in."""
    token = request.session.get(INVITATION_LINK_IN_SESSION, "")
    try:
        invitation = services.usable_invitation(token)
    except services.InvitationUnusable as unusable:
        return render(request, "portal/invitation_unusable.html", {"message": unusable}, status=410)
    is_carer = invitation.role == Role.CARER
    # An attorney or a carer proves who they are with the person's details, not their own.
    is_proxy = invitation.lasting_power_of_attorney_id is not None or is_carer
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, is_proxy=is_proxy
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.invitation_accept(
                token=token,
                details=services.AcceptDetails(
                    nhs_number=form.cleaned_data["nhs_number"],
                    date_of_birth=form.cleaned_data["date_of_birth"],
                    password=form.cleaned_data["password"],
                ),
            )
        except services.InvitationUnusable as unusable:
            return render(
                request, "portal/invitation_unusable.html", {"message": unusable}, status=410
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            login(request, created.user, backend="django.contrib.auth.backends.ModelBackend")
            act_for(request, created)
            request.session.pop(INVITATION_LINK_IN_SESSION, None)
            messages.info(request, f"You are set up. Next time, sign in with {created.user.email}.")
            return redirect("carers:home" if is_carer else "portal:home")
    return render(
        request,
        "portal/accept.html",
        {"form": form, "invitation": invitation, "is_proxy": is_proxy, "is_carer": is_carer},
    )


@require_http_methods(["GET", "POST"])
def request_account(request: HttpRequest) -> HttpResponse:
    form = AccountRequestForm(
        request.POST if request.method == "POST" else None, practices=selectors.gp_practices()
    )
    if request.method == "POST" and is_ratelimited(
        request,
        group="account-requests-by-address",
        key="audit.origin.address_key",
        rate=settings.ACCOUNT_REQUESTS_PER_ADDRESS,
        increment=True,
    ):
        form.is_valid()
        form.add_error(
            None,
            "Too many requests have been sent from this address. Try again in an hour, or "
            "ask your GP practice in person or by phone.",
        )
        return render(request, "portal/request_account.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_request_submit(
                practice=data["practice"],
                details=services.RequestDetails(
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                    nhs_number=data["nhs_number"],
                    email=data["email"],
                ),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            return render(request, "portal/request_sent.html", {"practice": data["practice"].name})
    return render(request, "portal/request_account.html", {"form": form})


@patient_required
@require_http_methods(["GET", "POST"])
def carers(request: HttpRequest) -> HttpResponse:
    """The person's carers: who has access and what they see; invite one; change or end."""
    acting = account(request)
    if not has_capability(acting, Capability.INVITE_CARERS):
        raise Http404
    form = CarerInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.carer_invite(
                actor=acting, site=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{invitation.name} is invited: we have emailed them a link.")
            return redirect("portal:carers")
    elif request.method == "GET":
        selectors.own_record(acting, page="my_carers")
    return render(
        request,
        "portal/carers.html",
        {"form": form, "carers": selectors.carers_of(acting), "account": acting},
    )


@patient_required
@require_http_methods(["GET", "POST"])
def carer(request: HttpRequest, carer_id: UUID) -> HttpResponse:
    """Change what one carer sees, or end their access at once."""
    acting = account(request)
    found = selectors.carer_of(acting, carer_id)
    if request.method == "GET":
        selectors.own_record(acting, page="my_carer")
    form = CarerSharingForm(
        request.POST if request.method == "POST" else None,
        initial={"shared_sections": found.shared_sections},
    )
    if request.method == "POST" and "end" in request.POST:
        services.carer_access_end(actor=acting, carer=found)
        messages.info(request, "Their access has ended, from now.")
        return redirect("portal:carers")
    if request.method == "POST" and form.is_valid():
        try:
            services.carer_sharing_set(
                actor=acting, carer=found, shared_sections=form.cleaned_data["shared_sections"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "What they see is changed, from now.")
            return redirect("portal:carers")
    return render(request, "portal/carer.html", {"form": form, "carer": found})


@patient_required
@require_POST
def carer_invitation_withdraw(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    acting = account(request)
    invitation = selectors.carer_invitation_of(acting, invitation_id)
    services.carer_invitation_withdraw(actor=acting, invitation=invitation)
    messages.info(request, "The invitation is withdrawn: its link no longer works.")
    return redirect("portal:carers")
