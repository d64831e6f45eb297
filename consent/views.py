from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import Action
from consent import selectors, services
from consent.forms import ConsentForm, WithdrawForm
from consent.permissions import can_record_consent
from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership, refuse
from organisations.models import Membership
from organisations.permissions import Capability
from patients.models import Patient
from patients.selectors import patient_for


@acting_required()
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = _plan_patient_for(acting, patient_id, page="consent")
    may_record = can_record_consent(acting, patient)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_record:
            refuse(acting, request, reason="the acting role cannot record consent", patient=patient)
        if form.is_valid():
            try:
                services.consent_record(actor=acting, patient=patient, **form.cleaned_data)
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.info(request, "Consent to share is recorded.")
                return redirect("consent:consent", patient_id=patient.public_id)
    return render(
        request,
        "consent/consent.html",
        {
            "patient": patient,
            "active": selectors.active_consent(patient),
            "history": selectors.consent_history(patient),
            "form": form,
            "may_record": may_record,
        },
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = _plan_patient_for(acting, patient_id, page="consent_withdraw")
    if not can_record_consent(acting, patient):
        refuse(acting, request, reason="the acting role cannot record consent", patient=patient)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=acting, patient=patient, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "Consent is withdrawn. The plan is no longer shared.")
            return redirect("consent:consent", patient_id=patient.public_id)
    return render(request, "consent/withdraw.html", {"patient": patient, "form": form})


def _plan_patient_for(acting: Membership, patient_id: UUID, *, page: str) -> Patient:
    """The consent pages are the plan's: the same reading rule and audit as the plan."""
    return patient_for(
        acting,
        patient_id,
        page=page,
        action=Action.VIEW_PLAN,
        capability=Capability.VIEW_FULL_PLAN,
    )
