from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership, reauthentication_required, refuse
from organisations.permissions import (
    Capability,
    can_break_glass,
    can_invite_patients,
    can_register_patient,
    can_review_access,
    can_view_emergency_summaries,
    can_view_patients,
    has_capability,
)
from patients import selectors, services
from patients.forms import (
    AddCareTeamMemberForm,
    BreakGlassForm,
    EmergencySearchForm,
    FindPatientForm,
    KeyContactForm,
    PatientRegistrationForm,
)
from patients.models import KeyContactKind
from patients.permissions import can_manage_care_team, can_open_summary

# The most recent emergency accesses shown on the patient page; all are in the audit log.
BREAK_GLASS_SHOWN = 20


@acting_required(can_view_patients)
@require_http_methods(["GET", "POST"])
def patient_find(request: HttpRequest) -> HttpResponse:
    """A POST form, so that NHS numbers and names never appear in URLs or access logs."""
    form = FindPatientForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.find_patients(membership(request), **form.cleaned_data)
    return render(request, "patients/patient_find.html", {"form": form, "results": results})


# What a search that found no one carries into emergency access, so that nothing is typed
# twice: the form's own boxes, kept in the (server-side) session, never in a URL, and used
# once. The session survives the identity check emergency access asks for first.
CARRIED_TO_BREAK_GLASS = (
    "nhs_number",
    "family_name",
    "date_of_birth_0",
    "date_of_birth_1",
    "date_of_birth_2",
    "postcode",
)
CARRIED_KEY = "break_glass_search"


@acting_required(can_view_emergency_summaries)
@require_http_methods(["GET", "POST"])
def emergency_find(request: HttpRequest) -> HttpResponse:
    """Urgent care's lookup. One exact match opens the summary at once; there is no list of
    strangers to browse. A POST form, so identifiers stay out of URLs and logs."""
    acting = membership(request)
    form = EmergencySearchForm(request.POST if request.method == "POST" else None)
    lookup = None
    if request.method == "POST" and form.is_valid():
        lookup = selectors.find_for_summary(acting, **form.cleaned_data)
        if len(lookup.matches) == 1 and not lookup.mismatches:
            return redirect("careplans:summary", patient_id=lookup.matches[0].public_id)
        if not lookup.matches:
            request.session[CARRIED_KEY] = {
                name: request.POST.get(name, "") for name in CARRIED_TO_BREAK_GLASS
            }
    return render(
        request,
        "patients/emergency_find.html",
        {
            "form": form,
            "results": lookup.matches if lookup else None,
            "mismatches": lookup.mismatches if lookup else [],
            "can_break_glass": can_break_glass(acting),
        },
    )


@acting_required(can_break_glass)
@reauthentication_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Emergency access to someone outside the viewer's regions or care teams, on a stated
    reason that the person's care team will see."""
    acting = membership(request)
    typed = request.session.pop(CARRIED_KEY, None) if request.method == "GET" else None
    if typed:  # from a search that found no one: its details, the reason still to give
        form = BreakGlassForm(
            initial={
                "nhs_number": typed.get("nhs_number", ""),
                "family_name": typed.get("family_name", ""),
                "date_of_birth": [typed.get(f"date_of_birth_{i}", "") for i in range(3)],
                "postcode": typed.get("postcode", ""),
            }
        )
    else:
        form = BreakGlassForm(request.POST if request.method == "POST" else None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        lookup = selectors.patient_for_break_glass(acting, **details)
        patient = lookup.patient
        if patient is None:
            not_found = True
        elif lookup.mismatched:
            form.add_error(None, lookup.mismatch_message)
        elif can_open_summary(acting, patient):
            messages.info(request, "You can open this summary without emergency access.")
            return redirect("careplans:summary", patient_id=patient.public_id)
        else:
            try:
                services.break_glass(
                    actor=acting, patient=patient, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                return redirect("careplans:summary", patient_id=patient.public_id)
    return render(request, "patients/break_glass.html", {"form": form, "not_found": not_found})


@acting_required(can_register_patient)
@require_http_methods(["GET", "POST"])
def patient_register(request: HttpRequest) -> HttpResponse:
    acting = membership(request)
    gp_practices = selectors.gp_practices_for_registration(acting)
    form = PatientRegistrationForm(
        request.POST if request.method == "POST" else None, gp_practices=gp_practices
    )
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_register(
                actor=acting, details=services.PatientDetails(**form.cleaned_data)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, "The patient is registered.")
            return redirect("patients:detail", patient_id=patient.public_id)
    return render(request, "patients/patient_register.html", {"form": form})


@acting_required()
def patient_detail(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = selectors.patient_for(acting, patient_id)
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "care_team": selectors.care_team_of(patient),
            "can_manage_care_team": can_manage_care_team(acting, patient),
            "can_view_plan": has_capability(acting, Capability.VIEW_FULL_PLAN),
            "can_view_summary": can_view_emergency_summaries(acting),
            # Every patient-page viewer who may invite is in the care team (patient_for).
            "can_invite": can_invite_patients(acting),
            "can_record_death": has_capability(acting, Capability.RECORD_DEATH),
            "break_glass_grants": selectors.break_glass_grants_of(patient)[:BREAK_GLASS_SHOWN],
            "key_contacts": selectors.key_contacts_of(patient),
            "can_change_key_contacts": can_manage_care_team(acting, patient)
            and patient.date_of_death is None,
        },
    )


# The URL's words for each kind of key contact.
KEY_CONTACT_SLUGS = {"key-worker": KeyContactKind.KEY_WORKER, "named-gp": KeyContactKind.NAMED_GP}


@acting_required()
@require_http_methods(["GET", "POST"])
def key_contact(request: HttpRequest, patient_id: UUID, kind: str) -> HttpResponse:
    """Name the person's key worker or named GP, and see who it has been."""
    acting = membership(request)
    if kind not in KEY_CONTACT_SLUGS:
        raise Http404("No such kind of contact")
    patient = selectors.patient_for(acting, patient_id, page=f"key_contact_{kind}")
    if not can_manage_care_team(acting, patient):
        refuse(acting, request, reason="the acting role cannot name a key worker", patient=patient)
    contact_kind = KEY_CONTACT_SLUGS[kind]
    form = KeyContactForm(
        request.POST if request.method == "POST" else None,
        candidates=selectors.key_contact_candidates(patient, contact_kind),
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.key_contact_set(
                actor=acting, patient=patient, kind=contact_kind, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{contact.name} is now the {contact_kind.label.lower()}.")
            return redirect("patients:detail", patient_id=patient.public_id)
    return render(
        request,
        "patients/key_contact.html",
        {
            "patient": patient,
            "form": form,
            "kind": contact_kind,
            "history": selectors.key_contact_history(patient).filter(kind=contact_kind),
        },
    )


@acting_required()
@require_http_methods(["GET", "POST"])
def care_team_add(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = selectors.patient_for(acting, patient_id, page="care_team_add")
    if not can_manage_care_team(acting, patient):
        refuse(
            acting, request, reason="the acting role cannot change the care team", patient=patient
        )
    form = AddCareTeamMemberForm(
        request.POST if request.method == "POST" else None,
        organisations=selectors.organisations_that_can_join(patient),
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = services.care_team_add(
                actor=acting, patient=patient, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{member.organisation.name} joined the care team.")
            return redirect("patients:detail", patient_id=patient.public_id)
    return render(request, "patients/care_team_add.html", {"patient": patient, "form": form})


@acting_required()
@require_http_methods(["GET", "POST"])
def care_team_remove(request: HttpRequest, patient_id: UUID, member_id: UUID) -> HttpResponse:
    acting = membership(request)
    patient = selectors.patient_for(acting, patient_id, page="care_team_remove")
    if not can_manage_care_team(acting, patient):
        refuse(
            acting, request, reason="the acting role cannot change the care team", patient=patient
        )
    member = selectors.care_team_member_for(patient, member_id)
    error = ""
    if request.method == "POST":
        try:
            services.care_team_remove(actor=acting, patient=patient, member=member)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.info(request, f"{member.organisation.name} left the care team.")
            return redirect("patients:detail", patient_id=patient.public_id)
    return render(
        request,
        "patients/care_team_remove.html",
        {"patient": patient, "member": member, "error": error},
    )


@acting_required(can_review_access)
@require_http_methods(["GET", "POST"])
def access_reviews(request: HttpRequest) -> HttpResponse:
    """The privacy officer's view: emergency access and admin-made access in the region,
    each to be marked reviewed with a note."""
    acting = membership(request)
    found = selectors.access_to_review(acting)
    error = ""
    if request.method == "POST":
        wanted = request.POST.get("item", "")
        grant = next((g for g in found.grants if str(g.public_id) == wanted), None)
        made = next((m for m in found.memberships if str(m.public_id) == wanted), None)
        if grant is None and made is None:
            raise Http404("Nothing to review with that id")
        try:
            services.access_review_record(
                actor=acting, note=request.POST.get("note", ""), grant=grant, membership=made
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.info(request, "Marked reviewed.")
            return redirect("patients:access_reviews")
    return render(request, "patients/access_reviews.html", {"found": found, "error": error})
