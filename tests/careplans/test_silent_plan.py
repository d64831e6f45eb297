"""A published plan never stays silent where a crew needs an answer (hazard H3): it says
the CPR decision or why there is none, the allergy status (none known, a list, or not asked
yet and why), and when it will be reviewed; the summary says what each status means."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from careplans import services
from careplans.models import PublishedVersion
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import basis, complete, fill, minimum_to_publish
from tests.conftest import act_as

WARNINGS = ["no_key_contact_with_phone", "ceiling_of_treatment_missing"]


def _summary_once_published(
    client: Client,
    patient: Patient,
    gp: Membership,
    paramedic: Membership,
    plan: dict[str, dict[str, Any]],
) -> str:
    """The plan published by the GP, its summary as the paramedic reads it."""
    fill(gp, patient, plan)
    services.careplan_publish(actor=gp, patient=patient, basis=basis(), acknowledged=WARNINGS)
    url = reverse("careplans:summary", kwargs={"patient_id": patient.public_id})
    return act_as(client, paramedic).get(url).content.decode()


def _rules(refused: services.PublishRefused) -> set[str]:
    return {problem.rule for problem in refused.problems}


def test_a_plan_without_cpr_decision_allergy_status_or_review_date_is_not_published(
    client: Client, consented: Patient, their_gp: Membership
) -> None:
    plan = complete()
    for section, item in (
        ("cpr_decision", "cpr_decision"),
        ("clinical", "allergy_status"),
        ("clinical", "allergies_and_adverse_reactions"),
        ("review", "planned_review_date_0"),
        ("review", "planned_review_date_1"),
        ("review", "planned_review_date_2"),
    ):
        plan[section].pop(item)
    plan["treatment_escalation"].pop("respect_cpr_recommendation")
    plan.pop("cpr_decision")
    fill(their_gp, consented, plan)
    with pytest.raises(services.PublishRefused) as refused:
        services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    assert _rules(refused.value) == {
        "cpr_decision_or_status_missing",
        "allergy_status_missing",
        "review_date_missing",
    }
    assert not PublishedVersion.objects.exists()
    overview = act_as(client, their_gp).get(
        reverse("careplans:overview", kwargs={"patient_id": consented.public_id})
    )
    page = overview.content.decode()
    assert 'data-testid="needed-to-publish"' in page
    assert "There is no CPR decision" in page
    assert "The allergy status is not recorded" in page
    assert "There is no planned review date" in page
    publish = client.get(reverse("careplans:publish", kwargs={"patient_id": consented.public_id}))
    assert "There is no planned review date" in publish.content.decode()


def test_the_summary_says_in_words_what_no_decision_and_no_known_allergies_mean(
    client: Client, consented: Patient, their_gp: Membership, paramedic: Membership
) -> None:
    page = _summary_once_published(client, consented, their_gp, paramedic, minimum_to_publish())
    assert "No CPR decision yet" in page
    assert "CPR has not been discussed yet" in page
    assert "There is no decision not to attempt resuscitation" in page
    assert "To discuss with her daughter on Friday" in page
    assert "No known allergies: the person was asked and has none" in page
    assert "Nothing recorded" not in page.split('id="allergies"')[1].split("<h2")[0]
    # Systems hear the same: no CPR flag, and why there is no decision.
    from interop.fhir.mapping import everything
    from interop.fhir.selectors import shared

    found = shared(Patient.objects.get(pk=consented.pk))
    resources = everything(found.patient, found.version, found.consent)
    assert not [r for r in resources if r["id"].endswith("-flag-cpr")]
    [careplan] = [r for r in resources if r["resourceType"] == "CarePlan"]
    assert careplan["note"][0]["text"].startswith("CPR: No decision yet")


def test_allergies_not_asked_yet_are_shown_as_not_known_with_the_reason(
    client: Client, consented: Patient, their_gp: Membership, paramedic: Membership
) -> None:
    plan = minimum_to_publish()
    plan["clinical"] = {
        "allergy_status": "local:allergies-not-asked",
        "allergy_status_reason": "Too drowsy to ask; daughter not reached",
    }
    plan["cpr_decision"] = {
        "cpr_decision": "931761000000106",
        "reason_no_cpr_decision": "Actively dying; family would be distressed",
    }
    page = _summary_once_published(client, consented, their_gp, paramedic, plan)
    assert "Not asked yet: nobody knows whether they have allergies" in page
    assert "Too drowsy to ask; daughter not reached" in page
    assert "discussing CPR is not appropriate at this time" in page


@pytest.mark.parametrize(
    ("key", "data", "field", "message"),
    [
        (
            "clinical",
            {"allergy_status": "local:allergies-listed"},
            "allergies_and_adverse_reactions",
            "List the allergies",
        ),
        (
            "clinical",
            {"allergy_status": "716186003", "allergies_and_adverse_reactions": "Latex"},
            "allergies_and_adverse_reactions",
            "Remove the allergies listed",
        ),
        (
            "clinical",
            {"allergy_status": "local:allergies-not-asked"},
            "allergy_status_reason",
            "Say why nobody has asked",
        ),
        (
            "clinical",
            {"allergies_and_adverse_reactions": "Latex"},
            "allergy_status",
            "Choose whether",
        ),
        (
            "cpr_decision",
            {"cpr_decision": "local:cpr-to-discuss"},
            "reason_no_cpr_decision",
            "Say why there is no CPR decision",
        ),
        (
            "cpr_decision",
            {"cpr_decision": "450476008", "mental_capacity": "local:has-capacity"},
            "date_of_decision",
            "Enter the date of the decision",
        ),
        (
            "cpr_decision",
            {"cpr_decision": "450476008"},
            "mental_capacity",
            "Choose the person's capacity",
        ),
    ],
)
def test_each_status_asks_for_what_makes_it_clear(
    patient: Patient, their_gp: Membership, key: str, data: dict, field: str, message: str
) -> None:
    with pytest.raises(services.SectionInvalid) as invalid:
        services.section_save(actor=their_gp, patient=patient, key=key, data=data)
    assert message in " ".join(str(e) for e in invalid.value.form.errors[field])
