"""Readiness for home, on the person's plan: every item with its colour and why, the care
profile for their stage beside it, and a form for each item. Thin: the service refuses."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from careplans.selectors import plan_patient_for
from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership
from profiles.after_death import bereavement_record, can_record_bereavement
from profiles.models import ReadinessKind
from profiles.readiness_forms import FORMS, BereavementForm
from profiles.readiness_selectors import readiness_of
from profiles.readiness_services import can_record_readiness, readiness_record
from profiles.selectors import follow_up_of, part_for, stage_now


@acting_required()
@require_GET
def readiness(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = plan_patient_for(acting, patient_id, page="readiness", action=Action.VIEW_PLAN)
    found = readiness_of(patient, timezone.localdate())
    return render(
        request,
        "profiles/readiness.html",
        {
            "patient": patient,
            "readiness": found,
            "part": part_for(patient, found.stage),
            "can_record": can_record_readiness(acting, patient),
        },
    )


def _initial(data: dict) -> dict:
    return {
        name: dt.date.fromisoformat(value) if name.endswith("_on") and value else value
        for name, value in data.items()
    }


@acting_required()
@require_http_methods(["GET", "POST"])
def readiness_item(request: HttpRequest, patient_id: UUID, kind: str) -> HttpResponse:
    acting = membership(request)
    patient = plan_patient_for(acting, patient_id, page="readiness", action=Action.VIEW_PLAN)
    if kind not in FORMS or not can_record_readiness(acting, patient):
        raise Http404("Nothing to record here")
    chosen = ReadinessKind(kind)
    current = readiness_of(patient, timezone.localdate()).item(chosen)
    form = FORMS[chosen](
        request.POST if request.method == "POST" else None,
        initial={**_initial(current.record.data), "note": current.record.note}
        if current.record
        else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note", "")
        try:
            readiness_record(actor=acting, patient=patient, kind=chosen, data=data, note=note)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{chosen.label} is recorded.")
            return redirect("profiles:readiness", patient_id=patient.public_id)
    return render(
        request,
        "profiles/readiness_item.html",
        {"patient": patient, "form": form, "item": current},
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def bereavement(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The family's follow-up after a death: when it is due, equipment to collect, and how
    the contact went."""
    acting = membership(request)
    patient = plan_patient_for(acting, patient_id, page="bereavement", action=Action.VIEW_PLAN)
    follow_up = follow_up_of(patient)
    form = BereavementForm(request.POST if request.method == "POST" else None)
    may_record = (
        follow_up is not None
        and follow_up.done_at is None
        and can_record_bereavement(acting, patient)
    )
    if request.method == "POST" and follow_up and may_record and form.is_valid():
        try:
            bereavement_record(
                actor=acting,
                follow_up=follow_up,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["outcome_note"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "The contact with the family is recorded.")
            return redirect("profiles:bereavement", patient_id=patient.public_id)
    elif request.method == "POST" and not may_record:
        raise Http404("Nothing to record here")
    return render(
        request,
        "profiles/bereavement.html",
        {
            "patient": patient,
            "follow_up": follow_up,
            "form": form,
            "may_record": may_record,
            "part": part_for(patient, stage_now(patient)),
        },
    )
