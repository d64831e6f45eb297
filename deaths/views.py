"""Pages for the record of a death: record it (the plan closes), read it, correct it, or
mark it as made in error (the plan reopens)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from careplans import selectors
from careplans.models import Death
from careplans.permissions import can_correct_death, can_record_death
from deaths import services as deaths
from deaths.forms import DeathCorrectionForm, DeathForm, DeathInErrorForm
from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership, refuse
from organisations.permissions import Capability
from patients.models import Patient
from patients.selectors import patient_for


def _patient(request: HttpRequest, patient_id: UUID, page: str) -> Patient:
    """The patient, for a care-team member whose role records deaths; else 404."""
    return patient_for(
        membership(request), patient_id, page=page, capability=Capability.RECORD_DEATH
    )


def _back(patient: Patient) -> HttpResponse:
    return redirect("deaths:death", patient_id=patient.public_id)


@acting_required()
@require_http_methods(["GET", "POST"])
def death(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The record of the death if there is one; else the form to record it."""
    acting = membership(request)
    patient = _patient(request, patient_id, "death")
    recorded = selectors.death_of(patient)
    form: DeathForm | None = None
    if recorded is None:
        form = DeathForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                deaths.death_record(actor=acting, patient=patient, details=form.details())
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.info(
                    request,
                    "The death is recorded. The plan is closed, its reminders are resolved and "
                    "urgent care see that the person has died.",
                )
                return _back(patient)
    elif request.method == "POST":
        form = DeathForm(request.POST)
        form.is_valid()
        form.add_error(None, deaths.ALREADY_RECORDED)
    return _death_page(request, patient, recorded, form)


def _death_page(
    request: HttpRequest, patient: Patient, recorded: Death | None, form: DeathForm | None
) -> HttpResponse:
    acting = membership(request)
    return render(
        request,
        "deaths/death.html",
        {
            "patient": patient,
            "death": recorded,
            "form": form if form is not None or recorded is not None else DeathForm(),
            "can_record": can_record_death(acting, patient),
            "can_correct": can_correct_death(acting, patient),
        },
    )


def _recorded(request: HttpRequest, patient_id: UUID, page: str) -> tuple[Patient, Death | None]:
    acting = membership(request)
    patient = _patient(request, patient_id, page)
    if not can_correct_death(acting, patient):
        refuse(acting, request, reason="only a clinician corrects a death", patient=patient)
    return patient, selectors.death_of(patient)


@acting_required()
@require_http_methods(["GET", "POST"])
def death_correct(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient, recorded = _recorded(request, patient_id, "death_correct")
    if recorded is None:  # nothing to correct: the page to record one
        return _death_page(request, patient, None, None)
    initial = {
        "date_of_death": recorded.date_of_death,
        "place_of_death": recorded.place_of_death,
        "place_name": recorded.place_name,
    }
    form = DeathCorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deaths.death_correct(
                actor=membership(request),
                death=recorded,
                details=form.details(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "The record of the death is corrected.")
            return _back(patient)
    return render(
        request,
        "deaths/death_correct.html",
        {"patient": patient, "death": recorded, "form": form},
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def death_in_error(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient, recorded = _recorded(request, patient_id, "death_in_error")
    if recorded is None:
        return _death_page(request, patient, None, None)
    form = DeathInErrorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deaths.death_entered_in_error(
                actor=membership(request), death=recorded, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request, "The death is marked as recorded in error. The plan is open again."
            )
            return redirect("patients:detail", patient_id=patient.public_id)
    return render(
        request,
        "deaths/death_in_error.html",
        {"patient": patient, "death": recorded, "form": form},
    )
