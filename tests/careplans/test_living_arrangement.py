"""PRSB "Social context": whether the person lives alone, and who lives with them (issue 20).

Two items added to one section definition (careplans/sections.py) reach the plan's page,
the REST API, the emergency summary and FHIR without a change to any of them."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from careplans import services
from careplans.models import PlanSection, PublishedVersion
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import basis
from tests.conftest import act_as

LIVES_ALONE = "105529008"


def _section_url(patient: Patient) -> str:
    return reverse(
        "careplans:section", kwargs={"patient_id": patient.public_id, "section_key": "home_access"}
    )


def test_the_gp_records_that_the_person_lives_alone_on_the_plan_page(
    client: Client, their_gp: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, their_gp)
    page = client.get(_section_url(patient)).content.decode()
    assert "Does the person live alone?" in page
    assert "Who lives with them" in page
    response = client.post(
        _section_url(patient), {"living_arrangement": LIVES_ALONE, "access_instructions": "Side"}
    )
    assert response.status_code == 302
    assert PlanSection.objects.get(key="home_access").data["living_arrangement"] == LIVES_ALONE
    overview = client.get(
        reverse("careplans:overview", kwargs={"patient_id": patient.public_id})
    ).content.decode()
    assert "Home: who lives there, and getting in" in overview


def test_living_alone_with_a_household_named_is_refused_with_a_clear_error(
    client: Client, their_gp: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, their_gp)
    response = client.post(
        _section_url(patient), {"living_arrangement": LIVES_ALONE, "household": "Husband"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove who lives with them, or choose that the person lives with others" in page
    assert "Husband" in page  # what was typed is kept on the page
    assert not PlanSection.objects.filter(key="home_access").exists()


def test_a_system_records_the_household_through_the_rest_api_as_stored(
    client: Client, their_gp: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, their_gp)
    url = f"/api/v1/patients/{patient.public_id}/plan/sections/home_access/"
    items = {"living_arrangement": "local:lives-with-others", "household": "Husband, frail"}
    saved = client.put(url, json.dumps({"items": items}), content_type="application/json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["items"] == items
    bad = client.put(
        url,
        json.dumps({"items": {"living_arrangement": "lives-in-a-castle"}}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json() == {"living_arrangement": ["Choose one of the options listed"]}


def test_the_crew_reads_that_the_person_lives_alone_and_so_does_a_fhir_client(
    client: Client, their_gp: Membership, paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="home_access",
        data={"living_arrangement": LIVES_ALONE, "access_instructions": "Side gate"},
    )
    version = services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    act_as(client, paramedic)
    summary = client.get(
        reverse("careplans:summary", kwargs={"patient_id": patient.public_id})
    ).content.decode()
    assert "At home: who lives there, getting in, equipment" in summary
    assert "Does the person live alone?" in summary
    assert "Lives alone" in summary
    assert LIVES_ALONE not in summary  # codes are never shown bare
    everything = client.get(f"/fhir/R4/Patient/{patient.public_id}/$everything").json()
    [plan] = [
        entry["resource"]
        for entry in everything["entry"]
        if entry["resource"]["id"] == f"{version.public_id}-qr-plan"
    ]
    answers = {item["linkId"]: item["answer"] for item in plan["item"]}
    assert answers["home_access.living_arrangement"] == [
        {
            "valueCoding": {
                "system": "http://snomed.info/sct",
                "code": LIVES_ALONE,
                "display": "Lives alone",
            }
        }
    ]
