"""Checks before a plan is published. Each is one named rule; blocking rules stop the
publication, warnings must be acknowledged by the clinician. Messages say what to fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from careplans import terminology as t


@dataclass(frozen=True)
class PlanFacts:
    sections: dict[str, dict[str, Any]]
    consent_active: bool
    today: dt.date

    def item(self, section: str, name: str) -> Any:
        return self.sections.get(section, {}).get(name)


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str


@dataclass(frozen=True)
class Rule:
    name: str
    blocking: bool
    check: Callable[[PlanFacts], str | None]


def no_active_consent(facts: PlanFacts) -> str | None:
    if not facts.consent_active:
        return (
            "There is no active consent to share this plan. Record the person's consent, their "
            "LPA's, or a best-interests decision, before publishing."
        )
    return None


def cpr_decision_not_by_senior_clinician(facts: PlanFacts) -> str | None:
    cpr = facts.sections.get("cpr_decision", {})
    if cpr.get("cpr_decision") and not cpr.get("recorded_by_senior_clinician"):
        return (
            "The CPR decision was not recorded by a senior clinician. A senior clinician must "
            "record or confirm it in the CPR decision section."
        )
    return None


def review_date_in_past(facts: PlanFacts) -> str | None:
    late = []
    for section, name, label in (
        ("review", "planned_review_date", "planned review date of the plan"),
        ("cpr_decision", "date_for_review", "review date of the CPR decision"),
    ):
        value = facts.item(section, name)
        if value and dt.date.fromisoformat(value) < facts.today:
            late.append(label)
    if late:
        verb = "is" if len(late) == 1 else "are"
        return f"The {' and the '.join(late)} {verb} in the past. Set a date from today on."
    return None


def cpr_contradiction(facts: PlanFacts) -> str | None:
    decision = facts.item("cpr_decision", "cpr_decision")
    respect = facts.item("treatment_escalation", "respect_cpr_recommendation")
    adrt_refuses = (
        facts.item("legal", "advance_decision_to_refuse_treatment") == "local:adrt-refuses-cpr"
    )
    if decision == t.FOR_CPR and (respect == "not_recommended" or adrt_refuses):
        against = (
            "the ReSPECT recommendation" if respect == "not_recommended" else "an ADRT refusing CPR"
        )
        return (
            f"The CPR decision says 'For CPR' but {against} says otherwise. Make the CPR "
            "decision, the ReSPECT recommendation and the ADRT agree."
        )
    if decision == t.NOT_FOR_CPR and respect == "recommended":
        return (
            "The CPR decision says 'Not for CPR' but the ReSPECT form recommends CPR attempts. "
            "Make them agree."
        )
    return None


def cpr_decision_or_status_missing(facts: PlanFacts) -> str | None:
    """A crew must be able to tell "no decision: not discussed yet" from "nobody recorded
    anything": a plan is published with a decision, or with why there is none."""
    if not facts.item("cpr_decision", "cpr_decision"):
        return (
            "There is no CPR decision. Record it in the CPR decision section, or record that "
            "it is not yet discussed, or that discussing it is not appropriate now, and why."
        )
    return None


def allergy_status_missing(facts: PlanFacts) -> str | None:
    if not facts.item("clinical", "allergy_status"):
        return (
            "The allergy status is not recorded. In 'Diagnosis and prognosis', record that the "
            "person has no known allergies, list them, or say that nobody has asked yet and why."
        )
    return None


def review_date_missing(facts: PlanFacts) -> str | None:
    if not facts.item("review", "planned_review_date"):
        return (
            "There is no planned review date: without one no reminder is ever sent. Set it in "
            "the Review section."
        )
    return None


def cpr_recommendation_without_decision(facts: PlanFacts) -> str | None:
    """Any clinician may record what the ReSPECT form says, but only a senior clinician
    makes the CPR decision: a recommendation cannot stand in for a missing decision (nor
    sit beside a plan that says CPR was not discussed)."""
    if facts.item("treatment_escalation", "respect_cpr_recommendation") and (
        facts.item("cpr_decision", "cpr_decision") not in t.CPR_DECISION
    ):
        return (
            "The ReSPECT CPR recommendation is recorded but there is no CPR decision. A senior "
            "clinician must record the CPR decision first."
        )
    return None


def home_death_without_anticipatory_medicines(facts: PlanFacts) -> str | None:
    if facts.item("preferences", "preferred_place_of_death") == t.PPD_HOME and not facts.item(
        "medications", "anticipatory_medicines"
    ):
        return (
            "The person would like to die at home, but no anticipatory medicines are recorded. "
            "Consider prescribing them, and record it in the Medicines section."
        )
    return None


def no_key_contact_with_phone(facts: PlanFacts) -> str | None:
    contacts = facts.item("key_contacts", "contacts") or []
    if not any(contact.get("phone") for contact in contacts):
        return "No key contact has a phone number. Add one in the Key contacts section."
    return None


def ceiling_of_treatment_missing(facts: PlanFacts) -> str | None:
    if not facts.item("treatment_escalation", "ceiling_of_treatment"):
        return "No ceiling of treatment is recorded. Add it in 'If they become more unwell'."
    return None


RULES: tuple[Rule, ...] = (
    Rule("no_active_consent", True, no_active_consent),
    Rule("cpr_decision_not_by_senior_clinician", True, cpr_decision_not_by_senior_clinician),
    Rule("review_date_in_past", True, review_date_in_past),
    Rule("cpr_contradiction", True, cpr_contradiction),
    Rule("cpr_recommendation_without_decision", True, cpr_recommendation_without_decision),
    Rule("cpr_decision_or_status_missing", True, cpr_decision_or_status_missing),
    Rule("allergy_status_missing", True, allergy_status_missing),
    Rule("review_date_missing", True, review_date_missing),
    Rule(
        "home_death_without_anticipatory_medicines",
        False,
        home_death_without_anticipatory_medicines,
    ),
    Rule("no_key_contact_with_phone", False, no_key_contact_with_phone),
    Rule("ceiling_of_treatment_missing", False, ceiling_of_treatment_missing),
)


def _run(facts: PlanFacts, *, blocking: bool) -> list[Problem]:
    problems = []
    for rule in RULES:
        if rule.blocking == blocking and (message := rule.check(facts)):
            problems.append(Problem(rule.name, message))
    return problems


def blocking_problems(facts: PlanFacts) -> list[Problem]:
    return _run(facts, blocking=True)


def warnings(facts: PlanFacts) -> list[Problem]:
    return _run(facts, blocking=False)
