"""The REST API: the same selectors, permission table and audit as the pages. People by
session, systems by token; 400 with the field and the reason; 404 for what the caller may
not see; the schema and its docs page are served from here; every endpoint is exercised
from its OpenAPI schema by schemathesis, as a clinician and as an outsider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from interop.rest import PerCallerThrottle
from organisations.models import Membership, Role
from organisations.tokens import token_create
from patients.models import Patient
from tests.conftest import Place, act_as

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test counts its own calls (never flushing the shared Redis)."""
    monkeypatch.setattr(PerCallerThrottle, "cache", LocMemCache("api-throttle", {}))


@pytest.fixture
def gp_token(place: Place, regional_admin: Membership) -> str:
    return token_create(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    ).secret


@pytest.fixture
def outsider_token(place: Place, regional_admin: Membership) -> str:
    return token_create(
        actor=regional_admin,
        organisation=place.outsider_practice,
        role=Role.CLINICIAN,
        name="Another practice's system",
    ).secret


@pytest.fixture
def crew_token(place: Place, regional_admin: Membership) -> str:
    return token_create(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="Crew EPR"
    ).secret


def _get(client: Client, url: str, token: str) -> Any:
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def _patient_urls(patient: Patient) -> list[str]:
    base = f"{API}/patients/{patient.public_id}"
    return [
        f"{base}/",
        f"{base}/plan/",
        f"{base}/versions/",
        f"{base}/versions/1/",
        f"{base}/summary/",
        f"{base}/referrals/",
    ]


def test_a_gp_system_reads_everything_of_its_patient_and_each_read_is_audited(
    client: Client, gp_token: str, published: PublishedVersion, patient: Patient
) -> None:
    found = _get(client, f"{API}/patients/?nhs_number={patient.nhs_number}", gp_token)
    assert found.status_code == 200
    assert [p["id"] for p in found.json()] == [str(patient.public_id)]
    for url in _patient_urls(patient):
        response = _get(client, url, gp_token)
        assert response.status_code == 200, url
    version = _get(client, f"{API}/patients/{patient.public_id}/versions/1/", gp_token).json()
    assert version["sections"]["cpr_decision"]["cpr_decision"] == "450476008"
    summary = _get(client, f"{API}/patients/{patient.public_id}/summary/", gp_token).json()
    assert summary["shareable"] is True
    assert summary["summary"]["cpr"]["headline"] == "Not for CPR"
    assert _get(client, f"{API}/notifications/", gp_token).status_code == 200
    actions = set(
        AccessEvent.objects.filter(patient_public_id=patient.public_id).values_list(
            "action", flat=True
        )
    )
    assert {Action.VIEW, Action.VIEW_PLAN, Action.VIEW_SUMMARY} <= actions


def test_a_person_uses_the_api_with_their_session(
    client: Client, their_gp: Membership, published: PublishedVersion, patient: Patient
) -> None:
    act_as(client, their_gp)
    assert client.get(f"{API}/patients/{patient.public_id}/").status_code == 200


@pytest.mark.parametrize("token", ["outsider_token", "crew_token"])
def test_outsiders_get_404_nothing_leaks_and_the_refusal_is_audited(
    request: pytest.FixtureRequest,
    client: Client,
    published: PublishedVersion,
    patient: Patient,
    token: str,
) -> None:
    secret: str = request.getfixturevalue(token)
    urls = _patient_urls(patient)
    if token == "crew_token":  # urgent care of the region read the summary, nothing else
        urls.remove(f"{API}/patients/{patient.public_id}/summary/")
        assert (
            _get(client, f"{API}/patients/{patient.public_id}/summary/", secret).status_code == 200
        )
    for url in urls:
        response = _get(client, url, secret)
        assert response.status_code == 404, url
        assert patient.family_name not in response.content.decode()
    found = _get(client, f"{API}/patients/?nhs_number={patient.nhs_number}", secret)
    assert found.status_code == 200
    assert found.json() == []
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id
    ).exists()


def test_bad_input_is_400_with_the_field_and_the_reason(client: Client, gp_token: str) -> None:
    response = _get(client, f"{API}/patients/?nhs_number=1234567890", gp_token)
    assert response.status_code == 400
    assert "not a valid NHS number" in response.json()["nhs_number"][0]
    missing = _get(client, f"{API}/patients/", gp_token)
    assert missing.status_code == 400
    assert "nhs_number" in missing.json()


def test_no_or_a_revoked_token_is_401_and_writes_are_refused(
    client: Client, gp_token: str, patient: Patient
) -> None:
    assert client.get(f"{API}/patients/{patient.public_id}/").status_code in (401, 403)
    assert _get(client, f"{API}/patients/{patient.public_id}/", "oep_nope").status_code == 401
    response = client.post(
        f"{API}/patients/{patient.public_id}/", HTTP_AUTHORIZATION=f"Bearer {gp_token}"
    )
    assert response.status_code == 405


def test_each_token_is_throttled(
    client: Client, gp_token: str, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PerCallerThrottle, "rate", "3/minute", raising=False)
    codes = [_get(client, f"{API}/notifications/", gp_token).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_schema_and_its_docs_are_served_from_here(client: Client) -> None:
    schema = client.get(f"{API}/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/patients/{patient_id}/summary/" in paths
    docs = client.get(f"{API}/docs/").content.decode()
    assert "swagger-ui" in docs
    for cdn in ("cdn.", "unpkg", "jsdelivr", "cdnjs"):
        assert cdn not in docs


api_schema = schemathesis.openapi.from_wsgi(f"{API}/schema/?format=json", get_wsgi_application())


@pytest.fixture
def callers(
    gp_token: str, outsider_token: str, published: PublishedVersion
) -> Iterator[dict[str, str]]:
    """Calls go through the real WSGI handler, which closes the database connection after
    each request; the test's transaction needs it open (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"clinician": gp_token, "outsider": outsider_token}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@api_schema.parametrize()
@settings(max_examples=15, suppress_health_check=list(HealthCheck), deadline=None)
def test_every_endpoint_from_the_schema(case: Any, callers: dict[str, str]) -> None:
    for who, token in callers.items():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (who, case.path, response.status_code)
        if who == "outsider" and "{patient_id}" in case.path:
            assert response.status_code in (400, 403, 404, 405, 429), (case.path, response.text)
