"""The pages each acting role can use: one list for the header menu and the start page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from organisations.models import Membership
from organisations.permissions import (
    can_approve_anything,
    can_find_cases,
    can_handle_patient_requests,
    can_keep_care_profile,
    can_manage_organisations,
    can_manage_referrals,
    can_register_patient,
    can_report_on_registers,
    can_review_access,
    can_run_reports,
    can_view_emergency_summaries,
    can_view_overdue_reviews,
    can_view_patients,
)


@dataclass(frozen=True)
class Page:
    url_name: str
    title: str
    description: str
    allowed: Callable[[Membership], bool]


PAGES = [
    Page(
        "patients:access_reviews",
        "Access to review",
        "Emergency access and admin-made access in your region, each to review with a note",
        can_review_access,
    ),
    Page(
        "organisations:access_approvals",
        "Access to approve",
        "Access to patient records, and two-factor resets, that wait for a second person",
        can_approve_anything,
    ),
    Page(
        "careplans:worklist",
        "My patients",
        "Your worklist: plan status, CPR decision, reviews, register and key workers",
        can_view_patients,
    ),
    Page(
        "patients:find",
        "Find a patient",
        "By NHS number, or by last name and date of birth",
        can_view_patients,
    ),
    Page(
        "portal:queue",
        "Waiting for you",
        "Plans awaiting approval and patients' requests, longest waiting first",
        can_handle_patient_requests,
    ),
    Page(
        "practice:case_finding",
        "People who may need a plan",
        "Patients of the practice the data suggests may need palliative care, with why",
        can_find_cases,
    ),
    Page(
        "practice:meetings",
        "Practice meetings",
        "Review everyone on the palliative care register, with what changed and actions",
        can_find_cases,
    ),
    Page(
        "reminders:overdue_reviews",
        "Overdue reviews",
        "Plans your organisation should have reviewed, longest overdue first",
        can_view_overdue_reviews,
    ),
    Page(
        "patients:emergency_find",
        "Emergency summary",
        "Find a person's urgent care plan by NHS number",
        can_view_emergency_summaries,
    ),
    Page(
        "patients:register",
        "Register a patient",
        "Add a patient and their care team",
        can_register_patient,
    ),
    Page(
        "coordination:queue",
        "Referral queue",
        "Referrals for care in your region, most urgent need first",
        can_manage_referrals,
    ),
    Page(
        "coordination:dashboard",
        "Co-ordination dashboard",
        "Placed within target this week, breaches and Red referrals with no place",
        can_manage_referrals,
    ),
    Page(
        "reports:report",
        "Reports",
        "Preferred place of death achieved, and plan quality, for your region",
        can_run_reports,
    ),
    Page(
        "practice:register_report",
        "Palliative care register report",
        "Register size against the list, plans, preferred place of death, reviews",
        can_report_on_registers,
    ),
    Page(
        "organisations:organisation_list",
        "Organisations",
        "Organisations and people in your region",
        can_manage_organisations,
    ),
    Page(
        "organisations:region_access",
        "Single point of access",
        "The one number people with a plan, their carers and crews call, day and night",
        can_manage_organisations,
    ),
    Page(
        "profiles:overview",
        "Care profile",
        "The services available at each stage of the end-of-life pathway, and what to discuss",
        can_keep_care_profile,
    ),
]


def pages_for(membership: Membership) -> list[Page]:
    return [page for page in PAGES if page.allowed(membership)]
