"""Case finding: the practice's "People who may need a plan", its own search imported from
its clinical system, and "not now" for a person. Thin: selectors read and audit, services
decide."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership
from organisations.permissions import can_find_cases
from practice import selectors, services
from practice.forms import NotNowForm, SearchForm
from register.selectors import register_patient_for


@acting_required(can_find_cases)
@require_GET
def case_finding(request: HttpRequest) -> HttpResponse:
    listed = selectors.case_finding(membership(request), page_number=request.GET.get("page", 1))
    return render(
        request,
        "practice/case_finding.html",
        {"page": listed.page, "candidates": listed.candidates},
    )


@acting_required(can_find_cases)
@require_http_methods(["GET", "POST"])
def search_upload(request: HttpRequest) -> HttpResponse:
    """Upload the search; every row is checked and shown, and nothing counts until the
    person confirms the rows that matched."""
    form = SearchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            checked = services.search_check(
                actor=membership(request), content=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            return render(request, "practice/search_checked.html", {"checked": checked})
    return render(request, "practice/search_upload.html", {"form": form})


@acting_required(can_find_cases)
@require_POST
def search_confirm(request: HttpRequest, search_id: UUID) -> HttpResponse:
    acting = membership(request)
    search = selectors.search_for(acting, search_id)
    try:
        services.search_confirm(actor=acting, search=search)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(
            request,
            f"The search is imported: {search.matches.count()} people of the practice matched. "
            "Those not on the register are listed below.",
        )
    return redirect("practice:case_finding")


@acting_required()
@require_http_methods(["GET", "POST"])
def not_now(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = register_patient_for(acting, patient_id, page="not_now")
    form = NotNowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.not_now_record(actor=acting, patient=patient, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request,
                f"{patient.full_name} is left off the list until "
                f"{form.cleaned_data['ask_again_on']:%-d %B %Y}.",
            )
            return redirect("practice:case_finding")
    return render(
        request,
        "practice/not_now.html",
        {"patient": patient, "form": form, "finding": selectors.facts_of(acting, patient)},
    )
