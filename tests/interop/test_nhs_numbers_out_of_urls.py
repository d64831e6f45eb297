"""NHS numbers stay out of URLs and logs (issue 19, finding 10): FHIR and REST take a search
by NHS number as POST, in the body, and the service's own logs mask any NHS number that a
GET search still puts in a request line."""

from __future__ import annotations

import json
import logging

from django.test import Client

from careplans.models import PublishedVersion
from config.log_filters import MASK, NhsNumberFilter, without_nhs_numbers
from organisations.models import Membership, Role
from patients.models import Patient
from tests.conftest import Place
from tests.factories import make_token

NHS = "https://fhir.nhs.uk/Id/nhs-number"


def test_fhir_patient_search_by_post_answers_as_by_get(
    client: Client, place: Place, regional_admin: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    auth = {
        "HTTP_AUTHORIZATION": "Bearer "
        + make_token(
            actor=regional_admin,
            organisation=place.ambulance,
            role=Role.URGENT_CARE,
            name="Crew EPR",
        ).secret
    }
    by_get = json.loads(
        client.get(f"/fhir/R4/Patient?identifier={NHS}|{patient.nhs_number}", **auth).content
    )
    posted = client.post(
        "/fhir/R4/Patient/_search", {"identifier": f"{NHS}|{patient.nhs_number}"}, **auth
    )
    assert posted.status_code == 200
    by_post = json.loads(posted.content)
    assert [e["resource"]["id"] for e in by_post["entry"]] == [str(patient.public_id)]
    assert by_post["entry"] == by_get["entry"]
    assert by_post["link"][0]["url"].startswith("http://testserver/fhir/R4/Patient?")
    flags = client.post("/fhir/R4/Flag/_search", {"patient": str(patient.public_id)}, **auth)
    assert json.loads(flags.content)["total"] == 1
    assert client.get("/fhir/R4/Patient/_search", **auth).status_code == 405


def test_rest_finds_by_nhs_number_in_the_body(
    client: Client, place: Place, regional_admin: Membership, patient: Patient
) -> None:
    secret = make_token(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    ).secret
    found = client.post(
        "/api/v1/patients/search/",
        json.dumps({"nhs_number": patient.nhs_number}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert found.status_code == 200
    assert [p["id"] for p in found.json()] == [str(patient.public_id)]


def test_the_service_s_logs_mask_nhs_numbers() -> None:
    line = '"GET /api/v1/patients/?nhs_number=943+476+5919 HTTP/1.1" 200 5ff3abc6-fb86'
    assert (
        without_nhs_numbers(line)
        == f'"GET /api/v1/patients/?nhs_number={MASK} HTTP/1.1" 200 5ff3abc6-fb86'
    )
    assert without_nhs_numbers("9434765919") == MASK
    assert without_nhs_numbers("id 5ff3abc6-fb86-419a-b151-abab7a66d962") == (
        "id 5ff3abc6-fb86-419a-b151-abab7a66d962"
    )
    record = logging.LogRecord("django.server", logging.INFO, "", 0, "%s", ("9434765919",), None)
    NhsNumberFilter().filter(record)
    assert record.getMessage() == MASK
    for name in ("django.server", "django.request", "openepaccs"):
        logger = logging.getLogger(name)
        while not logger.handlers and logger.parent is not None:
            logger = logger.parent
        assert any(
            isinstance(f, NhsNumberFilter) for handler in logger.handlers for f in handler.filters
        ), name
