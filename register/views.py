"""The person's place on the practice's palliative care register and how they were
identified: one page to read, one form per record. Thin: the selector reads and audits,
the service decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership
from organisations.models import Membership
from patients.models import Patient
from register import selectors, services
from register.forms import AddForm, PhaseForm, RemoveForm, SpictForm, SurpriseQuestionForm
from register.models import Route
from register.terminology import (
    ON_REGISTER,
    PHASE_PLAIN,
    SPICT_CLINICAL_ITEMS,
    SPICT_GENERAL,
    Phase,
)


@acting_required()
@require_GET
def register_page(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = selectors.register_patient_for(membership(request), patient_id, page="register")
    found = selectors.identification_of(patient)
    return render(
        request,
        "register/register.html",
        {
            "patient": patient,
            "entry": selectors.open_entry(patient),
            "on_register": ON_REGISTER,
            "history": selectors.register_history(patient),
            "surprise_questions": found.surprise_questions,
            "spict": [
                {
                    "assessment": assessment,
                    "general": [SPICT_GENERAL.get(key, key) for key in assessment.general],
                    "clinical": [SPICT_CLINICAL_ITEMS.get(key, key) for key in assessment.clinical],
                }
                for assessment in found.spict
            ],
            "phases": [
                (recorded, PHASE_PLAIN.get(Phase(recorded.phase), recorded.phase))
                for recorded in found.phases
            ],
        },
    )


Save = Callable[[Membership, Patient, forms.Form], Any]


def _form_page(
    request: HttpRequest,
    patient_id: UUID,
    *,
    page: str,
    form_class: type[forms.Form],
    title: str,
    save: Save,
    done: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """One record's form: shown, validated, saved by its service, or shown again with the
    service's errors beside their fields and everything typed kept."""
    acting = membership(request)
    patient = selectors.register_patient_for(acting, patient_id, page=page)
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(acting, patient, form)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, done)
            return redirect("register:register", patient_id=patient.public_id)
    return render(
        request,
        "register/form.html",
        {
            "patient": patient,
            "form": form,
            "title": title,
            "entry": selectors.open_entry(patient),
            "spict": isinstance(form, SpictForm),
        },
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def register_add(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _form_page(
        request,
        patient_id,
        page="register_add",
        form_class=AddForm,
        title="Add to the palliative care register",
        save=lambda actor, patient, form: services.register_add(
            actor=actor, patient=patient, **form.cleaned_data
        ),
        done="Added to the practice's palliative care register.",
        # Coming from case finding, the route is the practice's search of its list.
        initial={"route": Route.CASE_FINDING}
        if request.GET.get("from") == "case-finding"
        else None,
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def register_remove(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _form_page(
        request,
        patient_id,
        page="register_remove",
        form_class=RemoveForm,
        title="Remove from the palliative care register",
        save=lambda actor, patient, form: services.register_remove(
            actor=actor,
            patient=patient,
            removed_on=form.cleaned_data["removed_on"],
            reason=form.cleaned_data["removal_reason"],
            note=form.cleaned_data["removal_note"],
        ),
        done="Removed from the register. The entry is kept in the history.",
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def surprise_question(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _form_page(
        request,
        patient_id,
        page="surprise_question",
        form_class=SurpriseQuestionForm,
        title="Record the surprise question",
        save=lambda actor, patient, form: services.surprise_question_record(
            actor=actor,
            patient=patient,
            would_be_surprised=cast(SurpriseQuestionForm, form).answer(),
            asked_on=form.cleaned_data["recorded_on"],
        ),
        done="The answer to the surprise question is recorded.",
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def spict(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _form_page(
        request,
        patient_id,
        page="spict",
        form_class=SpictForm,
        title="Record a SPICT assessment",
        save=lambda actor, patient, form: services.spict_record(
            actor=actor,
            patient=patient,
            assessed_on=form.cleaned_data["recorded_on"],
            general=form.cleaned_data["general"],
            clinical=cast(SpictForm, form).clinical(),
            note=form.cleaned_data["note"],
        ),
        done="The SPICT assessment is recorded.",
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def phase(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return _form_page(
        request,
        patient_id,
        page="phase_of_illness",
        form_class=PhaseForm,
        title="Record the phase of illness",
        save=lambda actor, patient, form: services.phase_record(
            actor=actor,
            patient=patient,
            phase=form.cleaned_data["phase"],
            assessed_on=form.cleaned_data["recorded_on"],
        ),
        done="The phase of illness is recorded.",
    )
