"""Plans in known states, built through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from careplans import services
from careplans.models import PublishedVersion
from consent.models import BasisKind, GivenBy
from consent.services import BasisDetails, consent_record
from organisations.models import Membership
from patients.models import Patient


def today() -> dt.date:
    """London's day on the clock in force when the test runs: the real one, one a test froze,
    or the one `--clock` moved. Never taken once at import, where a frozen or moved clock
    would find it in its future or its past."""
    return timezone.localdate()


def future(days: int) -> dict[str, str]:
    """An NHS date input's three boxes for a day `days` from today."""
    day = today() + dt.timedelta(days=days)
    return {"_0": str(day.day), "_1": str(day.month), "_2": str(day.year)}


def date_fields(name: str, days: int) -> dict[str, str]:
    return {f"{name}{suffix}": value for suffix, value in future(days).items()}


def complete() -> dict[str, dict[str, Any]]:
    """Every section of a plan that may be published, its dates counted from today: a new
    copy on each call, free to change."""
    return {
        "about_me": {"what_is_most_important_to_me": "Being at home with my cat, Biscuit"},
        "preferences": {
            "preferred_place_of_care": "local:ppc-home",
            "preferred_place_of_death": "110481000000108",
            "respect_preference": "local:respect-comfort",
        },
        "clinical": {
            "primary_palliative_care_diagnosis": "Metastatic carcinoma of the pancreas",
            "estimated_prognosis": "955231000000109",
            "allergy_status": "local:allergies-listed",
            "allergies_and_adverse_reactions": "Penicillin: rash",
        },
        "cpr_decision": {
            "cpr_decision": "450476008",
            **date_fields("date_of_decision", -1),
            "mental_capacity": "local:has-capacity",
            "involvement_in_cpr_decision": ["713079002"],
            "location_of_document": "Red folder in the kitchen drawer",
            **date_fields("date_for_review", 60),
        },
        "treatment_escalation": {
            "ceiling_of_treatment": "local:ceiling-comfort",
            "respect_cpr_recommendation": "not_recommended",
            "what_should_happen": "Call the hospice advice line; keep at home",
        },
        "medications": {
            "anticipatory_medicines": ["871021000000106", "376201000000102"],
            "anticipatory_medicines_statement": (
                "Morphine, midazolam, levomepromazine, glycopyrronium"
            ),
            "anticipatory_medicines_location": "Kitchen cupboard",
        },
        "key_contacts": {
            "contact_0_name": "Ann Attwater",
            "contact_0_relationship": "Daughter, main carer",
            "contact_0_phone": "07700 900982",
        },
        "review": {
            **date_fields("planned_review_date", 90),
            "responsible_for_review": "Dr Test Clinician, GP",
        },
    }


def minimum_to_publish() -> dict[str, dict[str, Any]]:
    """The least a plan may be published with: a CPR decision or why there is none, the
    allergy status and a planned review date."""
    return {
        "clinical": {"allergy_status": "716186003"},
        "cpr_decision": {
            "cpr_decision": "local:cpr-to-discuss",
            "reason_no_cpr_decision": "To discuss with her daughter on Friday",
        },
        "review": {**date_fields("planned_review_date", 30)},
    }


def fill(
    actor: Membership, patient: Patient, sections: dict[str, dict[str, Any]] | None = None
) -> None:
    for key, data in (complete() if sections is None else sections).items():
        services.section_save(actor=actor, patient=patient, key=key, data=data)


def basis(discussed_on: dt.date | None = None) -> BasisDetails:
    """Winifred's own agreement to publish, discussed today unless a day is given."""
    return BasisDetails(BasisKind.PATIENT, "Winifred Attwater", discussed_on or today())


@pytest.fixture
def consented(patient: Patient, their_gp: Membership) -> Patient:
    consent_record(actor=their_gp, patient=patient, given_by=GivenBy.PATIENT, given_on=today())
    return patient


@pytest.fixture
def published(consented: Patient, their_gp: Membership) -> PublishedVersion:
    fill(their_gp, consented)
    return services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
