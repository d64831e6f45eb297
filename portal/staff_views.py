"""Care-team pages for patients online: inviting a person or their attorney, recording the
LPA, ending access; and the queue of what patients are waiting for."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from careplans import selectors as plan_selectors
from consent import services as consent_services
from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership
from organisations.permissions import (
    Capability,
    can_handle_patient_requests,
    can_invite_patients,
)
from patients.models import Patient
from patients.selectors import patient_for
from portal import selectors, services
from portal.forms import DeclineForm, EndForm, InviteForm, LpaForm


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _patient(request: HttpRequest, patient_id: UUID, page: str) -> Patient:
    """The patient, for a care-team member whose role may invite people online; else 404,
    with the refusal (and never a view) in the patient's stream."""
    return patient_for(
        membership(request), patient_id, page=page, capability=Capability.INVITE_PATIENTS
    )


def _back(patient: Patient) -> HttpResponse:
    return redirect("portal:online_access", patient_id=patient.public_id)


@acting_required()
@require_http_methods(["GET", "POST"])
def online_access(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Who can see this plan online, waiting invitations, and inviting the person."""
    acting = membership(request)
    patient = _patient(request, patient_id, "online_access")
    form = InviteForm(
        request.POST if request.method == "POST" else None, initial={"email": patient.email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=acting, patient=patient, email=form.cleaned_data["email"], site=_site(request)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"An invitation was emailed to {form.cleaned_data['email']}.")
            return _back(patient)
    return render(
        request,
        "portal/staff/online_access.html",
        {
            "patient": patient,
            "accounts": selectors.accounts_of(patient),
            "invitations": selectors.invitations_of(patient)[:10],
            "lpas": selectors.lpas_of(patient),
            "form": form,
        },
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def lpa_add(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Record a registered LPA for health and welfare and invite the attorney, together."""
    acting = membership(request)
    patient = _patient(request, patient_id, "lpa_add")
    form = LpaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = consent_services.LpaDetails(
            attorney_name=data["attorney_name"],
            relationship=data["relationship"],
            opg_reference=data["opg_reference"],
            registered_on=data["registered_on"],
            life_sustaining_treatment=data["life_sustaining_treatment"],
            restrictions=data["restrictions"],
            attorney_phone=data["attorney_phone"],
            document_location=data["document_location"],
        )
        try:
            if data["email"]:
                services.lpa_record_and_invite(
                    actor=acting,
                    patient=patient,
                    details=details,
                    email=data["email"],
                    site=_site(request),
                )
            else:
                consent_services.lpa_record(actor=acting, patient=patient, details=details)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            invited = f" and {data['attorney_name']} was emailed an invitation"
            messages.info(request, f"The LPA is recorded{invited if data['email'] else ''}.")
            return _back(patient)
    return render(request, "portal/staff/lpa_add.html", {"patient": patient, "form": form})


@acting_required()
@require_http_methods(["GET", "POST"])
def lpa_end(request: HttpRequest, patient_id: UUID, lpa_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = _patient(request, patient_id, "lpa_end")
    lpa = selectors.lpa_of(patient, lpa_id)
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.lpa_end(actor=acting, lpa=lpa, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request, f"The LPA has ended: {lpa.attorney_name} can no longer see the plan."
            )
            return _back(patient)
    return render(
        request, "portal/staff/lpa_end.html", {"patient": patient, "lpa": lpa, "form": form}
    )


@acting_required()
@require_http_methods(["POST"])
def account_end(request: HttpRequest, patient_id: UUID, account_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = _patient(request, patient_id, "online_account_end")
    ending = selectors.account_of(patient, account_id)
    try:
        services.account_end(actor=acting, account=ending)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.info(request, "Their online access has ended.")
    return _back(patient)


@acting_required()
@require_http_methods(["POST"])
def invitation_withdraw(
    request: HttpRequest, patient_id: UUID, invitation_id: UUID
) -> HttpResponse:
    acting = membership(request)
    patient = _patient(request, patient_id, "invitation_withdraw")
    invitation = selectors.invitation_of(patient, invitation_id)
    try:
        services.invitation_withdraw(actor=acting, invitation=invitation)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.info(request, "The invitation is withdrawn: its link no longer works.")
    return _back(patient)


@acting_required(can_handle_patient_requests)
def queue(request: HttpRequest) -> HttpResponse:
    """What patients and the care team are waiting for, longest waiting first."""
    acting = membership(request)
    awaiting = list(plan_selectors.approval_queue(acting)[:50])
    change_requests = list(plan_selectors.open_change_requests(acting)[:50])
    account_requests = (
        list(selectors.waiting_account_requests(acting)[:50]) if can_invite_patients(acting) else []
    )
    return render(
        request,
        "portal/staff/queue.html",
        {
            "awaiting": awaiting,
            "change_requests": change_requests,
            "account_requests": account_requests,
        },
    )


@acting_required(can_invite_patients)
@require_http_methods(["GET", "POST"])
def account_request(request: HttpRequest, request_id: UUID) -> HttpResponse:
    acting = membership(request)
    asked = selectors.account_request_for(acting, request_id)
    form = DeclineForm(request.POST if request.POST.get("decision") == "decline" else None)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                services.account_request_approve(actor=acting, request=asked, site=_site(request))
                messages.info(request, f"An invitation was emailed to {asked.email}.")
                return redirect("portal:queue")
            if form.is_valid():
                services.account_request_decline(
                    actor=acting, request=asked, reason=form.cleaned_data["reason"]
                )
                messages.info(request, "The request is declined; the person is told why by email.")
                return redirect("portal:queue")
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                show_service_errors(form, refused)
            else:
                error = " ".join(refused.messages)
    return render(
        request,
        "portal/staff/account_request.html",
        {"asked": asked, "form": form, "error": error},
    )
