"""Each safety rule alone: what triggers it, what does not, and that it says what to fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from careplans import safety
from careplans.safety import PlanFacts

TODAY = dt.date(2026, 11, 23)
SAFE: dict[str, dict[str, Any]] = {
    "preferences": {"preferred_place_of_death": "108401000000102"},
    "clinical": {"allergy_status": "716186003"},
    "cpr_decision": {
        "cpr_decision": "450476008",
        "recorded_by_senior_clinician": True,
        "date_for_review": "2027-01-01",
    },
    "treatment_escalation": {
        "ceiling_of_treatment": "local:ceiling-comfort",
        "respect_cpr_recommendation": "not_recommended",
    },
    "legal": {"advance_decision_to_refuse_treatment": "local:adrt-refuses-cpr"},
    "key_contacts": {
        "contacts": [{"name": "Ann", "relationship": "Daughter", "phone": "07700 900982"}]
    },
    "review": {"planned_review_date": "2027-02-01"},
}


def facts(changes: dict[str, dict[str, Any]] | None = None, *, consent: bool = True) -> PlanFacts:
    sections = {key: dict(value) for key, value in SAFE.items()}
    for key, value in (changes or {}).items():
        sections[key] = {**sections.get(key, {}), **value}
    return PlanFacts(sections=sections, consent_active=consent, today=TODAY)


def rules(found: list[safety.Problem]) -> list[str]:
    return [p.rule for p in found]


def test_a_safe_plan_has_no_problems_and_no_warnings() -> None:
    assert safety.blocking_problems(facts()) == []
    assert safety.warnings(facts()) == []


def test_no_active_consent_blocks() -> None:
    found = safety.blocking_problems(facts(consent=False))
    assert rules(found) == ["no_active_consent"]
    assert "Record the person's consent" in found[0].message


def test_a_cpr_decision_not_by_a_senior_clinician_blocks() -> None:
    found = safety.blocking_problems(
        facts({"cpr_decision": {"recorded_by_senior_clinician": False}})
    )
    assert rules(found) == ["cpr_decision_not_by_senior_clinician"]
    assert "senior clinician must record or confirm" in found[0].message


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"review": {"planned_review_date": "2026-11-22"}}, "planned review date of the plan is"),
        ({"cpr_decision": {"date_for_review": "2026-01-01"}}, "review date of the CPR decision is"),
    ],
)
def test_a_review_date_in_the_past_blocks(changes: dict, named: str) -> None:
    found = safety.blocking_problems(facts(changes))
    assert rules(found) == ["review_date_in_past"]
    assert named in found[0].message


def test_a_review_date_of_today_is_fine() -> None:
    assert (
        safety.blocking_problems(facts({"review": {"planned_review_date": TODAY.isoformat()}}))
        == []
    )


@pytest.mark.parametrize(
    "changes",
    [
        {
            "cpr_decision": {"cpr_decision": "450475007"},
            "legal": {"advance_decision_to_refuse_treatment": "local:adrt-none"},
        },
        {
            "cpr_decision": {"cpr_decision": "450475007"},
            "treatment_escalation": {"respect_cpr_recommendation": ""},
        },
        {
            "cpr_decision": {"cpr_decision": "450476008"},
            "treatment_escalation": {"respect_cpr_recommendation": "recommended"},
        },
    ],
)
def test_contradictory_cpr_decision_respect_and_adrt_block(changes: dict) -> None:
    found = safety.blocking_problems(facts(changes))
    assert rules(found) == ["cpr_contradiction"]
    assert "agree" in found[0].message


def test_home_death_without_anticipatory_medicines_warns() -> None:
    found = safety.warnings(facts({"preferences": {"preferred_place_of_death": "110481000000108"}}))
    assert rules(found) == ["home_death_without_anticipatory_medicines"]
    assert "Medicines section" in found[0].message
    with_medicines = facts(
        {
            "preferences": {"preferred_place_of_death": "110481000000108"},
            "medications": {"anticipatory_medicines": ["871021000000106"]},
        }
    )
    assert safety.warnings(with_medicines) == []


def test_no_key_contact_with_a_phone_number_warns() -> None:
    found = safety.warnings(facts({"key_contacts": {"contacts": [{"name": "Ann", "phone": ""}]}}))
    assert rules(found) == ["no_key_contact_with_phone"]


def test_a_missing_ceiling_of_treatment_warns() -> None:
    found = safety.warnings(facts({"treatment_escalation": {"ceiling_of_treatment": ""}}))
    assert rules(found) == ["ceiling_of_treatment_missing"]
    assert "ceiling of treatment" in found[0].message


def test_every_rule_is_tested_here() -> None:
    tested = {
        "no_active_consent",
        "cpr_decision_not_by_senior_clinician",
        "review_date_in_past",
        "cpr_contradiction",
        "cpr_recommendation_without_decision",
        "cpr_decision_or_status_missing",
        "allergy_status_missing",
        "review_date_missing",
        "home_death_without_anticipatory_medicines",
        "no_key_contact_with_phone",
        "ceiling_of_treatment_missing",
    }
    assert {rule.name for rule in safety.RULES} == tested


def test_a_respect_cpr_recommendation_without_a_cpr_decision_blocks() -> None:
    found = safety.blocking_problems(
        facts({"cpr_decision": {"cpr_decision": "", "recorded_by_senior_clinician": False}})
    )
    assert "cpr_recommendation_without_decision" in rules(found)
    message = next(p for p in found if p.rule == "cpr_recommendation_without_decision").message
    assert "A senior clinician must record the CPR decision first" in message


def test_a_plan_with_no_cpr_decision_nor_why_blocks() -> None:
    found = safety.blocking_problems(
        facts(
            {
                "cpr_decision": {"cpr_decision": ""},
                "treatment_escalation": {"respect_cpr_recommendation": ""},
                "legal": {"advance_decision_to_refuse_treatment": ""},
            }
        )
    )
    assert rules(found) == ["cpr_decision_or_status_missing"]
    assert "not yet discussed" in found[0].message


@pytest.mark.parametrize("status", ["local:cpr-to-discuss", "931761000000106"])
def test_a_cpr_status_with_its_reason_stands_for_the_decision_but_not_beside_respect(
    status: str,
) -> None:
    without_respect = facts(
        {
            "cpr_decision": {"cpr_decision": status, "reason_no_cpr_decision": "Family on Friday"},
            "treatment_escalation": {"respect_cpr_recommendation": ""},
            "legal": {"advance_decision_to_refuse_treatment": ""},
        }
    )
    assert safety.blocking_problems(without_respect) == []
    beside_respect = facts(
        {"cpr_decision": {"cpr_decision": status, "reason_no_cpr_decision": "Family on Friday"}}
    )
    assert rules(safety.blocking_problems(beside_respect)) == [
        "cpr_recommendation_without_decision"
    ]


def test_a_plan_with_no_allergy_status_blocks_even_with_allergies_written() -> None:
    found = safety.blocking_problems(
        facts({"clinical": {"allergy_status": "", "allergies_and_adverse_reactions": "Latex"}})
    )
    assert rules(found) == ["allergy_status_missing"]
    assert "no known allergies" in found[0].message


def test_a_plan_with_no_planned_review_date_blocks() -> None:
    found = safety.blocking_problems(facts({"review": {"planned_review_date": ""}}))
    assert rules(found) == ["review_date_missing"]
    assert "no reminder is ever sent" in found[0].message
