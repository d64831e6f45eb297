from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import Action
from careplans import safety, selectors, services
from careplans.change_requests import change_request_update
from careplans.compare import compare
from careplans.forms import ChangeRequestAnswerForm, PublishForm
from careplans.models import PublishedVersion, Status
from careplans.pdf import pdf_response, print_notice
from careplans.permissions import (
    can_edit_plan,
    can_edit_section,
    can_publish_plan,
    editable_sections,
)
from careplans.sections import (
    SECTION_BY_KEY,
    SECTIONS,
    Section,
    SectionForm,
    completeness,
    describe,
    describe_all,
    form_initial,
)
from careplans.summary import (
    KEY_SAFE_CODE_NOT_PRINTED,
    build_summary,
    key_safe_code_on_screen,
    lpa_described,
)
from careplans.worklist import (
    COUNT_CAP,
    CPR,
    KEY_WORKER,
    PLAN,
    REGISTER,
    REVIEW,
    SHOW,
    SORTS,
    Criteria,
)
from careplans.worklist import worklist as worklist_of
from consent.selectors import active_consent, active_lpas, active_lpas_of_plan
from consent.services import BasisDetails
from frontend.forms import show_service_errors
from frontend.unsaved import take as take_unsaved
from organisations.decorators import acting_required, membership, refuse
from organisations.permissions import Capability, can_view_patients
from patients.models import Patient
from patients.selectors import patient_for, who_to_call
from register.permissions import keeps_register_of
from register.selectors import open_entry


def _htmx(request: HttpRequest) -> bool:
    """Sent by htmx (django-htmx sets request.htmx): answer with the fragment only."""
    return bool(getattr(request, "htmx", False))


def _overview(patient_id: UUID) -> HttpResponse:
    return redirect("careplans:overview", patient_id=patient_id)


@acting_required()
def plan_overview(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = selectors.plan_patient_for(acting, patient_id, page="plan")
    working_copy = selectors.working_copy_of(patient)
    data = selectors.section_data(working_copy)
    sections = []
    lpas = lpa_described(active_lpas(patient))
    editable = editable_sections(acting, patient)
    for section in SECTIONS:
        done, total = completeness(section, data.get(section.key, {}))
        rows = describe(section, data.get(section.key, {}))
        sections.append(
            {
                "section": section,
                "rows": lpas + rows if section.key == "legal" else rows,
                "done": done,
                "total": total,
                "can_edit": section.key in editable,
            }
        )
    versions = selectors.versions_of(patient)
    unpublished = working_copy is not None and working_copy.status != Status.PUBLISHED
    return render(
        request,
        "careplans/overview.html",
        {
            "patient": patient,
            "working_copy": working_copy,
            "sections": sections,
            # What stops publishing, shown before anyone asks to publish.
            "blocking": safety.blocking_problems(services.publish_checks(patient, working_copy))
            if unpublished and working_copy is not None and not patient.date_of_death
            else [],
            "latest": versions.first(),
            "consent": active_consent(patient),
            "death": selectors.death_of(patient) if patient.date_of_death else None,
            # The register is the practice's, not the plan's: the plan shows it, read-only.
            "register_entry": open_entry(patient),
            "can_keep_register": keeps_register_of(acting, patient),
            "can_submit": can_edit_plan(acting, patient)
            and working_copy is not None
            and working_copy.status == Status.DRAFT,
            "can_publish": can_publish_plan(acting, patient)
            and working_copy is not None
            and working_copy.status != Status.PUBLISHED,
        },
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, patient_id: UUID, section_key: str) -> HttpResponse:
    acting = membership(request)
    patient = selectors.plan_patient_for(acting, patient_id, page=f"plan_section:{section_key}")
    section = SECTION_BY_KEY.get(section_key)
    if section is None:
        raise Http404("No such section")
    if not can_edit_section(acting, patient, section):
        refuse(
            acting, request, reason=f"the acting role cannot edit {section.key}", patient=patient
        )
    saved = restored = False
    conflict = None
    if request.method == "POST":
        try:
            services.section_save(actor=acting, patient=patient, key=section.key, data=request.POST)
        except services.SectionConflict as changed:
            form, conflict = changed.form, changed
        except services.SectionInvalid as invalid:
            form = invalid.form
        else:
            if not _htmx(request):
                messages.info(request, f"{section.title} saved.")
                return _overview(patient.public_id)
            saved = True
            form = _form_for(section, patient)
    elif (kept := take_unsaved(request)) is not None:
        form, restored = section.form(kept), True
    else:
        form = _form_for(section, patient)
    template = "careplans/_section_form.html" if _htmx(request) else "careplans/section_edit.html"
    return render(
        request,
        template,
        {
            "patient": patient,
            "section": section,
            "form": form,
            "saved": saved,
            "restored": restored,
            "conflict": conflict,
            "conflict_message": services.SECTION_CHANGED.format(title=section.title),
        },
    )


def _form_for(section: Section, patient: Patient) -> SectionForm:
    """The section's form filled with what is recorded (never the key safe code)."""
    data = selectors.section_data(selectors.working_copy_of(patient)).get(section.key, {})
    return section.form(initial=form_initial(section.key, data))


@acting_required()
@require_POST
def plan_submit(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = selectors.plan_patient_for(acting, patient_id, page="plan_submit")
    if not can_edit_plan(acting, patient):
        refuse(acting, request, reason="the acting role cannot submit plans", patient=patient)
    try:
        services.careplan_submit(actor=acting, patient=patient)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.info(request, "The plan was sent for approval.")
    return _overview(patient.public_id)


@acting_required()
@require_http_methods(["GET", "POST"])
def plan_publish(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = selectors.plan_patient_for(acting, patient_id, page="plan_publish")
    try:
        preview = services.careplan_publish_preview(actor=acting, patient=patient)
    except PermissionDenied:
        refuse(acting, request, reason="the acting role cannot publish plans", patient=patient)
    blocking = preview.blocking
    data = request.POST.copy() if request.method == "POST" else None
    approving = data.get("approving") if data is not None else None
    if data is not None:
        data["approving"] = preview.fingerprint  # what this page shows now, if shown again
    form = PublishForm(data, warnings=preview.warnings, initial={"approving": preview.fingerprint})
    if data is not None and approving != preview.fingerprint:
        form.is_valid()
        form.add_error(None, services.PLAN_CHANGED)
    elif data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            version = services.careplan_publish(
                actor=acting,
                patient=patient,
                basis=BasisDetails(cleaned["kind"], cleaned["with_whom"], cleaned["discussed_on"]),
                acknowledged=cleaned.get("acknowledged", []),
                approving=preview.fingerprint,
            )
        except services.PlanChanged as changed:
            form.add_error(None, changed)
        except services.PublishRefused as refused:
            blocking = refused.problems
        except services.AcknowledgementNeeded:
            form.add_error("acknowledged", "Tick each warning to confirm you have considered it")
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request,
                f"Version {version.number} is published and shared with the care team "
                "and urgent care.",
            )
            return _overview(patient.public_id)
    latest = preview.latest
    return render(
        request,
        "careplans/publish.html",
        {
            "patient": patient,
            "working_copy": preview.working_copy,
            "form": form,
            "blocking": blocking,
            "latest": latest,
            "changes": preview.changes,
            "caption_suffix": (
                f" since version {latest.number}" if latest else ": the whole plan, to be version 1"
            ),
        },
    )


@acting_required()
def version_list(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = selectors.plan_patient_for(membership(request), patient_id, page="plan_versions")
    versions = selectors.versions_of(patient)
    return render(request, "careplans/versions.html", {"patient": patient, "versions": versions})


@acting_required()
def version_detail(request: HttpRequest, patient_id: UUID, number: int) -> HttpResponse:
    patient = selectors.plan_patient_for(
        membership(request), patient_id, page=f"plan_version:{number}"
    )
    version = selectors.version_for(patient, number)
    sections = _described_sections(version)
    return render(
        request,
        "careplans/version_detail.html",
        {"patient": patient, "version": version, "sections": sections},
    )


def _described_sections(version: PublishedVersion) -> list[dict[str, Any]]:
    """Every section of a published version in plain English, for its page and its PDF;
    the LPAs in force come from the one LPA record, as it is today."""
    described = describe_all(version.snapshot["sections"])
    lpas = lpa_described(active_lpas_of_plan(version.plan_id))
    for item in described:
        if item["section"].key == "legal":
            item["rows"] = lpas + item["rows"]
    return described


def _number(value: str | None) -> int | None:
    # isdigit() alone accepts "²", which int() refuses.
    return int(value) if value and value.isascii() and value.isdigit() else None


@acting_required()
def version_compare(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = selectors.plan_patient_for(membership(request), patient_id, page="plan_compare")
    versions = list(selectors.versions_of(patient))
    numbers = [v.number for v in versions]
    old_number = _number(request.GET.get("old"))
    new_number = _number(request.GET.get("new"))
    error = ""
    if old_number is None and new_number is None and len(numbers) >= 2:
        new_number, old_number = numbers[0], numbers[1]
    if old_number not in numbers or new_number not in numbers:
        error = (
            "Choose two published versions to compare"
            if len(numbers) >= 2
            else ("There is only one published version so far")
        )
        old = new = None
        changes = []
    else:
        old = selectors.version_for(patient, old_number)
        new = selectors.version_for(patient, new_number)
        changes = compare(old.snapshot, new.snapshot)
    return render(
        request,
        "careplans/compare.html",
        {
            "patient": patient,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
            "error": error,
        },
    )


@acting_required()
def emergency_summary(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    access = selectors.summary_for(acting, patient_id)
    summary = (
        build_summary(access.version, key_safe_code_withheld_as=key_safe_code_on_screen(acting))
        if access.version
        else None
    )
    return render(
        request,
        "careplans/summary.html",
        {
            "access": access,
            "patient": access.patient,
            "summary": summary,
            "who": who_to_call(access.patient),
        },
    )


@acting_required()
def emergency_summary_pdf(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    access = selectors.summary_for(acting, patient_id, page="summary_pdf", action=Action.PRINT)
    summary = (
        build_summary(access.version, key_safe_code_withheld_as=KEY_SAFE_CODE_NOT_PRINTED)
        if access.version
        else None
    )
    version = f"version-{access.version.number}" if access.version else "no-shareable-plan"
    return pdf_response(
        "careplans/pdf/summary.html",
        {
            "patient": access.patient,
            "summary": summary,
            "notice": print_notice(acting),
            "who": who_to_call(access.patient),
        },
        filename=f"emergency-summary-{version}.pdf",
    )


@acting_required()
def plan_pdf(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The latest published version in full, as approved (never the working copy)."""
    acting = membership(request)
    patient = selectors.plan_patient_for(acting, patient_id, page="plan_pdf", action=Action.PRINT)
    version = selectors.versions_of(patient).first()
    if version is None:
        raise Http404("No published version")
    sections = _described_sections(version)
    return pdf_response(
        "careplans/pdf/plan.html",
        {
            "patient": patient,
            "version": version,
            "sections": sections,
            "notice": print_notice(acting),
            "who": who_to_call(patient),
        },
        filename=f"care-plan-version-{version.number}.pdf",
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def change_request_answer(request: HttpRequest, patient_id: UUID, request_id: UUID) -> HttpResponse:
    """A patient's request beside the part of the plan it is about, as published and as it
    is in the working copy now; and the clinician's answer."""
    acting = membership(request)
    # The role is checked before the patient is read, so a refusal is never logged as a view.
    patient = patient_for(
        acting,
        patient_id,
        page="change_request",
        action=Action.VIEW_PLAN,
        capability=Capability.HANDLE_PATIENT_REQUESTS,
    )
    change_request = selectors.change_request_of(patient, request_id)
    form = ChangeRequestAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            change_request_update(actor=acting, change_request=change_request, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "Your answer is saved; the person can see it online.")
            return redirect("portal:queue")
    section = SECTION_BY_KEY.get(change_request.section_key)
    latest = selectors.versions_of(patient).first()
    working = selectors.section_data(selectors.working_copy_of(patient))
    return render(
        request,
        "careplans/change_request.html",
        {
            "patient": patient,
            "change_request": change_request,
            "section": section,
            "published_rows": describe(section, latest.snapshot["sections"].get(section.key, {}))
            if section and latest
            else [],
            "latest": latest,
            "working_rows": describe(section, working.get(section.key, {})) if section else [],
            "form": form,
        },
    )


# The worklist's search, kept in the session (server-side) so that a name, NHS number or
# date of birth never appears in a URL or an access log.
WORKLIST_SEARCH = "worklist_search"


@acting_required(can_view_patients)
@require_http_methods(["GET", "POST"])
def worklist(request: HttpRequest) -> HttpResponse:
    """My patients: the care teams' people with where each plan stands."""
    if request.method == "POST":
        typed = "" if "clear" in request.POST else request.POST.get("search", "")
        request.session[WORKLIST_SEARCH] = typed.strip()[:100]
        query = request.POST.get("query", "")
        return redirect(f"{request.path}?{query}" if query else request.path)
    criteria = Criteria.from_query(request.GET, request.session.get(WORKLIST_SEARCH, ""))
    found = worklist_of(membership(request), criteria, request.GET.get("page", 1))
    return render(
        request,
        "careplans/worklist.html",
        {
            "worklist": found,
            "criteria": criteria,
            "show_choices": SHOW,
            "filter_choices": [
                (name, label, choices, criteria.filters.get(name, ""))
                for name, label, choices in (
                    ("plan", "Plan", PLAN),
                    ("cpr", "CPR decision", CPR),
                    ("review", "Review", REVIEW),
                    ("register", "Palliative care register", REGISTER),
                    ("key_worker", "Key worker", KEY_WORKER),
                )
            ],
            "sort_choices": SORTS,
            "count_cap": f"{COUNT_CAP:,}",
        },
    )
