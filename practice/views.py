"""Case finding: the practice's "People who may need a plan", its own search imported from
its clinical system, and "not now" for a person. Thin: selectors read and audit, services
decide."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careplans.pdf import pdf_response, print_notice
from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership
from organisations.permissions import (
    can_find_cases,
    can_manage_organisations,
    can_report_on_registers,
)
from patients.models import KeyContactKind
from patients.selectors import key_contacts_of
from practice import selectors, services
from practice.forms import MeetingForm, NotNowForm, OutcomeForm, SearchForm
from practice.models import MAX_ACTIONS
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


@acting_required(can_find_cases)
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    acting = membership(request)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(actor=acting, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"The meeting of {meeting.held_on:%-d %B %Y} is scheduled.")
            return redirect("practice:meeting", meeting_id=meeting.public_id)
    return render(
        request,
        "practice/meetings.html",
        {
            "form": form,
            "meetings": selectors.meetings_of(acting)[:24],
            "today": timezone.localdate(),
        },
    )


@acting_required(can_find_cases)
@require_GET
def meeting(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    acting = membership(request)
    found = selectors.meeting_for(acting, meeting_id)
    return render(
        request,
        "practice/meeting.html",
        {"listed": selectors.review_list(acting, found), "meeting": found},
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, patient_id: UUID, meeting_id: UUID) -> HttpResponse:
    """The meeting's review of one person: notes, next review, actions with owners."""
    acting = membership(request)
    patient = register_patient_for(acting, patient_id, page="meeting_review")
    found = selectors.meeting_for(acting, meeting_id)
    owners = {str(m.public_id): m for m in selectors.care_team_members(patient)}
    key_worker = key_contacts_of(patient).get(KeyContactKind.KEY_WORKER)
    if key_worker is not None and str(key_worker.membership.public_id) not in owners:
        key_worker = None  # not of the care team (a case manager): actions need an owner
    key_worker_id = str(key_worker.membership.public_id) if key_worker else ""
    form = OutcomeForm(
        request.POST if request.method == "POST" else None,
        # The key worker first: most actions are theirs.
        owners=sorted(
            (
                (
                    key,
                    f"{m.user.get_full_name()}, {m.organisation.name}"
                    + (" (key worker)" if key == key_worker_id else ""),
                )
                for key, m in owners.items()
            ),
            key=lambda owner: owner[0] != key_worker_id,
        ),
        key_worker=key_worker.name if key_worker else "",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.outcome_record(
                actor=acting,
                meeting=found,
                patient=patient,
                notes=data["notes"],
                next_review_on=data["next_review_on"],
                set_plan_review=data["set_plan_review"],
                actions=[
                    services.ActionDetails(
                        what=data[f"action_{i}_what"],
                        owner=owners.get(data[f"action_{i}_owner"])
                        or (
                            key_worker.membership
                            if key_worker and data[f"action_{i}_what"].strip()
                            else None
                        ),
                        due_on=data[f"action_{i}_due_on"],
                    )
                    for i in range(1, MAX_ACTIONS + 1)
                ],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"The review of {patient.full_name} is recorded.")
            return redirect("practice:meeting", meeting_id=found.public_id)
    return render(
        request,
        "practice/review.html",
        {"patient": patient, "meeting": found, "form": form},
    )


@acting_required(can_report_on_registers)
@require_GET
def register_report(request: HttpRequest) -> HttpResponse:
    acting = membership(request)
    return render(
        request,
        "practice/register_report.html",
        {
            "report": selectors.register_report(acting),
            "admin": can_manage_organisations(acting),
        },
    )


@acting_required(can_find_cases)
@require_GET
def meeting_sheet(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    """The meeting's list on paper. It prints no part of anyone's plan but the CPR decision,
    the review date and what is missing: never a key safe code."""
    acting = membership(request)
    found = selectors.meeting_for(acting, meeting_id)
    listed = selectors.review_list(acting, found, printed=True)
    return pdf_response(
        "practice/pdf/meeting.html",
        {"meeting": found, "listed": listed, "notice": print_notice(acting)},
        filename=f"practice-meeting-{found.held_on:%Y-%m-%d}.pdf",
    )
