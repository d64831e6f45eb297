"""A search never tells by its timing that a hidden person is registered here (issue 19,
finding 13): for an NHS number registered outside the viewer's patients and for one that
is not registered at all, the emergency search, the find page, the REST API and FHIR run
the same statements (the refusal written for the hidden person has its twin written for
nobody), so the time they take does not differ by an audit write."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Membership, Role
from patients.models import Patient
from tests.conftest import Place, act_as
from tests.factories import make_token

UNUSED = "9434765870"


def _shape(sql: str) -> str:
    """A statement without its values: quoted literals, numbers, NULL (a patient's id or
    none), id lists and savepoint names as '?'."""
    sql = re.sub(r'"s\d+_x\d+"', "?", sql)
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\bNULL\b|\?::uuid", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\(\?(, \?)*\)", "(?)", sql)


def _statements(call: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code in (200, 302)
    return [_shape(q["sql"]) for q in queries.captured_queries]


@pytest.mark.parametrize(
    ("page", "viewer"),
    [
        ("patients:emergency_find", "out_of_area_paramedic"),
        ("patients:find", "outsider_clinician"),
    ],
)
def test_the_pages_do_the_same_work_for_a_hidden_person_and_for_nobody(
    client: Client, request: pytest.FixtureRequest, patient: Patient, page: str, viewer: str
) -> None:
    act_as(client, request.getfixturevalue(viewer))
    url = reverse(page)
    send = client.get if page == "patients:find" else client.post
    send(url, {"nhs_number": UNUSED})  # the viewer's first audit event starts their stream
    first = _statements(lambda: send(url, {"nhs_number": patient.nhs_number}))
    second = _statements(lambda: send(url, {"nhs_number": UNUSED}))
    assert first == second


def test_rest_and_fhir_do_the_same_work_for_a_hidden_person_and_for_nobody(
    client: Client, patient: Patient, place: Place, regional_admin: Membership
) -> None:
    secret = make_token(
        actor=regional_admin,
        organisation=place.outsider_practice,
        role=Role.CLINICIAN,
        name="Another practice's system",
    ).secret
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    nhs = "https://fhir.nhs.uk/Id/nhs-number"
    for url in ("/api/v1/patients/?nhs_number={}", f"/fhir/R4/Patient?identifier={nhs}|{{}}"):
        client.get(url.format(UNUSED))  # the token's last use is noted once
        hidden_url, unused_url = url.format(patient.nhs_number), url.format(UNUSED)
        first = _statements(lambda: client.get(hidden_url))  # noqa: B023
        second = _statements(lambda: client.get(unused_url))  # noqa: B023
        assert first == second, url
