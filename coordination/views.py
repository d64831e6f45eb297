"""Pages: a clinician refers a patient; the centre's co-ordinators work one queue, look at
a referral, re-assess, triage, override the band (clinical lead), offer places, record the
provider's answer, close; and see the week's dashboard."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination import selectors, services
from coordination.forms import (
    AllocationForm,
    CloseForm,
    NeedsForm,
    OfferForm,
    OverrideForm,
    ReferralForm,
    TargetsForm,
)
from coordination.models import NEXT, AllocationStatus, Referral
from coordination.permissions import can_override_referral, can_refer
from coordination.priority import IPOS_ITEMS
from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership, refuse
from organisations.permissions import (
    Capability,
    can_manage_referrals,
    can_override_priority,
)
from patients.selectors import patient_for


def _post(request: HttpRequest) -> dict[str, object] | None:
    return request.POST if request.method == "POST" else None  # type: ignore[return-value]


@acting_required()
@require_GET
def patient_referrals(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The patient's referrals and how they stand, for their care team."""
    acting = membership(request)
    patient = patient_for(acting, patient_id, page="referrals")
    return render(
        request,
        "coordination/patient_referrals.html",
        {
            "patient": patient,
            "referrals": selectors.referrals_of(acting, patient),
            "can_refer": can_refer(acting, patient) and patient.date_of_death is None,
        },
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = patient_for(acting, patient_id, page="refer", capability=Capability.REFER_FOR_CARE)
    form = ReferralForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_create(
                actor=acting,
                patient=patient,
                services=form.cleaned_data["services"],
                reason=form.cleaned_data["reason"],
                urgency=form.cleaned_data["urgency"],
                needs=form.needs(),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request,
                "The referral is sent to the co-ordination centre. It is ranked by need: "
                "you can follow it on this page.",
            )
            return redirect("coordination:patient_referrals", patient_id=patient.public_id)
    return render(request, "coordination/refer.html", {"patient": patient, "form": form})


@acting_required(can_manage_referrals)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    rows = selectors.queue(membership(request))
    return render(request, "coordination/queue.html", {"rows": rows, "now": timezone.now()})


def _referral_page(request: HttpRequest, referral: Referral, **extra: object) -> HttpResponse:
    acting = membership(request)
    rows = selectors.open_ranked(acting) if referral.is_open else []
    row = next((r for r in rows if r.referral.pk == referral.pk), None)
    context = {
        "referral": referral,
        "patient": referral.patient,
        "row": row,
        "position": rows.index(row) + 1 if row else None,
        "queue_length": len(rows),
        "assessments": list(
            referral.assessments.select_related("assessed_by", "assessed_by_organisation")
        ),
        "ipos_items": IPOS_ITEMS,
        "overrides": list(referral.overrides.select_related("made_by")),
        "allocations": list(referral.allocations.select_related("slot__provider")),
        "can_override": can_override_referral(acting, referral),
        **extra,
    }
    return render(request, "coordination/referral.html", context)


@acting_required(can_manage_referrals)
@require_GET
def referral(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    found = selectors.referral_for(membership(request), referral_id, page="referral")
    return _referral_page(request, found)


@acting_required(can_manage_referrals)
@require_POST
def triage(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.referral_for(acting, referral_id, page="triage")
    try:
        services.referral_triage(actor=acting, referral=found)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.info(request, "Triaged: you are the case manager.")
    return redirect("coordination:referral", referral_id=found.public_id)


def _form_page(
    request: HttpRequest,
    referral: Referral,
    form: forms.Form,
    template: str,
    act: Callable[[], str],
    *,
    then: str = "",
    **extra: object,
) -> HttpResponse:
    """On a valid POST, `act` (which returns what to tell the person) and then back to the
    referral (or to `then`); else the page, with the service's errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            done = act()
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, done)
            if then:
                return redirect(then)
            return redirect("coordination:referral", referral_id=referral.public_id)
    context = {"referral": referral, "patient": referral.patient, "form": form, **extra}
    return render(request, template, context)


@acting_required(can_manage_referrals)
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.referral_for(acting, referral_id, page="assess")
    form = NeedsForm(_post(request))

    def act() -> str:
        assessment = services.assessment_record(actor=acting, referral=found, needs=form.needs())
        return (
            f"Assessment recorded: score {assessment.score}, "
            f"{assessment.get_band_display()}. The queue is re-ordered."
        )

    return _form_page(request, found, form, "coordination/assess.html", act)


@acting_required(can_manage_referrals)
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.referral_for(acting, referral_id, page="override")
    if not can_override_referral(acting, found):
        refuse(
            acting,
            request,
            reason="only the centre's clinical lead moves a band",
            patient=found.patient,
        )
    form = OverrideForm(_post(request))

    def act() -> str:
        data = form.cleaned_data
        services.priority_override(
            actor=acting, referral=found, band=data["band"], reason=data["reason"]
        )
        return "The band is changed; the computed score is kept beside it."

    return _form_page(request, found, form, "coordination/override.html", act)


@acting_required(can_manage_referrals)
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.referral_for(acting, referral_id, page="offer")
    slots = selectors.free_slots(acting, found.services)
    form = OfferForm(_post(request), slots=slots)

    def act() -> str:
        services.allocation_offer(actor=acting, referral=found, slot=form.cleaned_data["slot"])
        return "The place is offered. Record the provider's answer here."

    ahead = len(selectors.ahead_needing(selectors.open_ranked(acting), found))
    return _form_page(
        request, found, form, "coordination/offer.html", act, slots=slots, ahead=ahead
    )


@acting_required(can_manage_referrals)
@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, allocation_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.allocation_for(acting, allocation_id, page="allocation")
    may_withdraw = can_override_referral(acting, found.referral)
    # Cancelling a place accepted or started withdraws care: the clinical lead's to choose.
    choices = [
        status
        for status in NEXT[AllocationStatus(found.status)]
        if status != AllocationStatus.CANCELLED
        or found.status == AllocationStatus.OFFERED
        or may_withdraw
    ]
    form = AllocationForm(_post(request), choices=choices)

    def act() -> str:
        data = form.cleaned_data
        services.allocation_update(
            actor=acting, allocation=found, status=data["status"], note=data["note"]
        )
        return "The place is updated."

    return _form_page(
        request,
        found.referral,
        form,
        "coordination/allocation.html",
        act,
        allocation=found,
        can_override=may_withdraw,
        has_choices=bool(choices),
    )


@acting_required(can_manage_referrals)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.referral_for(acting, referral_id, page="close")
    form = CloseForm(_post(request))

    def act() -> str:
        services.referral_close(actor=acting, referral=found, note=form.cleaned_data["note"])
        return "The referral is closed."

    return _form_page(
        request, found, form, "coordination/close.html", act, then="coordination:queue"
    )


@acting_required(can_manage_referrals)
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """What offering free places in queue order would do, to confirm: nothing is offered
    until the person has seen the list, and then exactly that list."""
    acting = membership(request)
    error = ""
    if request.method == "POST":
        try:
            offered = services.allocations_propose(
                actor=acting, confirming=request.POST.get("confirming", "")
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.info(
                request,
                f"{len(offered)} place{'s' if len(offered) != 1 else ''} offered, in queue "
                "order; you are the case manager of any referral that was not yet triaged.",
            )
            return redirect("coordination:queue")
    plan = selectors.proposals_shown(acting)
    return render(
        request,
        "coordination/propose.html",
        {"plan": plan, "confirming": selectors.proposals_fingerprint(plan), "error": error},
    )


@acting_required(can_manage_referrals)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(membership(request))
    return render(request, "coordination/dashboard.html", {"board": board})


@acting_required(can_override_priority)
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """The clinical lead's targets per service and band, in hours."""
    acting = membership(request)
    form = TargetsForm(_post(request), initial_hours=selectors.centre_targets(acting))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.targets_set(actor=acting, hours=form.hours())
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"Targets saved ({changed} changed). The queue uses them now.")
            return redirect("coordination:targets")
    return render(request, "coordination/targets.html", {"form": form})
