"""Demo plans for load_demo: most patients published, a few drafts or awaiting approval,
one whose consent was withdrawn, and some that need attention (reviews due soon and
overdue). Built through the services, as a clinician would."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import time_machine
from django.utils import timezone

from careplans import safety, services
from careplans import terminology as t
from careplans.models import CarePlan
from consent.models import BasisKind, GivenBy
from consent.services import BasisDetails, consent_record, consent_withdraw
from organisations.models import Membership
from patients.models import Patient


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def plan_sections(index: int, patient: Patient, today: dt.date) -> dict[str, dict[str, Any]]:
    """A complete, plausible plan. Every third person is for CPR; the others are not, and
    half of those wish to die at home with anticipatory medicines in the house."""
    for_cpr = index % 3 == 0
    at_home = not for_cpr and index % 2 == 0
    place_of_death = (
        t.PPD_HOME if at_home else ("108401000000102" if index % 3 == 1 else "89761000000106")
    )
    diagnoses = [
        "Metastatic carcinoma of the pancreas",
        "Motor neurone disease",
        "End-stage heart failure",
        "Chronic obstructive pulmonary disease, end stage",
        "Advanced dementia (Alzheimer's disease)",
        "Metastatic carcinoma of the lung",
    ]
    carer = patient.given_name[0] + ". " + patient.family_name
    return {
        "about_me": {
            "what_is_most_important_to_me": "Being comfortable and having my family near me",
            "people_who_are_important_to_me": f"My children, and my neighbour {carer}",
            "how_i_communicate_and_how_to_communicate_with_me": (
                "Speak slowly; I am hard of hearing on the left"
            ),
        },
        "preferences": {
            "preferred_place_of_care": "local:ppc-home",
            "preferred_place_of_death": place_of_death,
            "respect_preference": "local:respect-life" if for_cpr else "local:respect-comfort",
        },
        "clinical": {
            "primary_palliative_care_diagnosis": diagnoses[index % len(diagnoses)],
            "estimated_prognosis": "968211000000101" if for_cpr else "955231000000109",
            "awareness_of_diagnosis": "local:aware",
            "awareness_of_prognosis": "local:aware" if index % 4 else "local:partly-aware",
            "allergy_status": t.NO_KNOWN_ALLERGY if index % 5 else t.ALLERGIES_LISTED,
            "allergies_and_adverse_reactions": "" if index % 5 else "Penicillin: rash",
            "functional_status": "60" if for_cpr else "30",
        },
        "cpr_decision": {
            "cpr_decision": t.FOR_CPR if for_cpr else t.NOT_FOR_CPR,
            **_date("date_of_decision", today - dt.timedelta(days=20 + index)),
            "involvement_in_cpr_decision": ["713079002", "713656002"],
            "people_involved": "The patient and their eldest child",
            "mental_capacity": "local:has-capacity",
            "location_of_document": "Purple folder on the kitchen table",
            **_date("date_for_review", today + dt.timedelta(days=60 + index)),
        },
        "treatment_escalation": {
            "ceiling_of_treatment": "local:ceiling-full" if for_cpr else "local:ceiling-comfort",
            "respect_cpr_recommendation": "recommended" if for_cpr else "not_recommended",
            "trigger_factors": "New breathlessness, agitation, unable to swallow medicines",
            "what_should_happen": (
                "Treat in hospital if needed"
                if for_cpr
                else "Keep comfortable at home; call the hospice advice line and district nurses"
            ),
            "who_should_be_contacted": "Heathside Hospice advice line 020 7946 0999 (24 hours)",
        },
        "medications": {
            "current_medication": "Paracetamol 1 g four times a day\nLaxido one sachet daily",
            "anticipatory_medicines": [] if for_cpr else ["871021000000106", "376201000000102"],
            "anticipatory_medicines_statement": ""
            if for_cpr
            else "Morphine, midazolam, levomepromazine, glycopyrronium",
            "anticipatory_medicines_location": "" if for_cpr else "Box on top of the fridge",
        },
        "key_contacts": {
            "contact_0_name": carer,
            "contact_0_relationship": "Neighbour and main carer",
            "contact_0_phone": f"07700 900{index:03d}",
            "contact_1_name": "District nursing team",
            "contact_1_relationship": "Community nurses",
            "contact_1_phone": "020 7946 0100",
        },
        "home_access": {
            "key_safe": "on",
            "key_safe_code": f"{1000 + index * 37 % 9000}",
            "access_instructions": "Key safe by the back door",
        },
        "review": {
            **_date("planned_review_date", today + dt.timedelta(days=30 + 3 * index)),
            "responsible_for_review": "Dr Amara Okafor, GP",
            "responsible_contact_details": "020 7946 0001",
        },
    }


# People whose story began some days ago (index: days ago), so that the reminder sweep has
# something to say on the first day: their registration, plan and publication went through
# the services on that day, as they would have.
STARTED_DAYS_AGO = {4: 60, 5: 90, 20: 4}
# Review dates relative to the real today (index: days from today): due soon, and overdue
# by 3 days and by 10 days (which is escalated to the practice's leads).
REVIEW_IN_DAYS = {1: 6, 2: 12, 4: -3, 5: -10}
CPR_REVIEW_IN_DAYS = {7: 9}


def demo_clock(index: int) -> AbstractContextManager[object]:
    """The clock this person's demo story is told on: days ago, or now."""
    days = STARTED_DAYS_AGO.get(index)
    if days is None:
        return nullcontext()
    return time_machine.travel(timezone.now() - dt.timedelta(days=days), tick=True)


def _with_reminder_dates(index: int, sections: dict[str, dict[str, Any]]) -> None:
    real_today = timezone.localdate() + dt.timedelta(days=STARTED_DAYS_AGO.get(index, 0))
    if index in REVIEW_IN_DAYS:
        day = real_today + dt.timedelta(days=REVIEW_IN_DAYS[index])
        sections["review"].update(_date("planned_review_date", day))
    if index in CPR_REVIEW_IN_DAYS:
        day = real_today + dt.timedelta(days=CPR_REVIEW_IN_DAYS[index])
        sections["cpr_decision"].update(_date("date_for_review", day))


def fill(
    actor: Membership,
    patient: Patient,
    sections: dict[str, dict[str, Any]],
    only: tuple[str, ...] = (),
) -> None:
    for key, data in sections.items():
        if not only or key in only:
            services.section_save(actor=actor, patient=patient, key=key, data=data)


def publish(actor: Membership, patient: Patient) -> None:
    warnings = [rule.name for rule in safety.RULES if not rule.blocking]
    services.careplan_publish(
        actor=actor,
        patient=patient,
        basis=BasisDetails(BasisKind.PATIENT, patient.full_name, timezone.localdate()),
        acknowledged=warnings,
    )


def load_plan(
    index: int, patient: Patient, *, clinician: Membership, nurse: Membership | None
) -> None:
    """Safe to call again: a patient who already has a plan is left alone."""
    if CarePlan.objects.filter(patient=patient).exists():
        return
    today = timezone.localdate()
    sections = plan_sections(index, patient, today)
    _with_reminder_dates(index, sections)
    if index in (22, 23):
        return  # no plan yet
    if index in (18, 19):
        fill(clinician, patient, sections, only=("about_me", "preferences", "clinical"))
        return  # a draft
    consent_record(actor=clinician, patient=patient, given_by=GivenBy.PATIENT, given_on=today)
    if index == 20 and nurse is not None:
        fill(clinician, patient, sections)
        services.careplan_submit(actor=nurse, patient=patient)
        return  # awaiting approval
    fill(clinician, patient, sections)
    publish(clinician, patient)
    if index == 21:
        consent_withdraw(
            actor=clinician,
            patient=patient,
            reason="The patient told Dr Okafor she no longer wishes her plan to be shared",
        )
