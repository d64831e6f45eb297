"""FHIR search answers only the question it was asked (hazard H1 of the clinical safety
log): every filter it does not apply is refused, or, under lenient handling, left out of
the self link and named; a search that matches nothing is an empty searchset, the same for
an unknown patient and one who is not the caller's."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from deaths.services import DeathDetails, death_record
from organisations.models import Membership, Role
from patients.models import Patient
from tests.careplans.conftest import today
from tests.conftest import Place
from tests.factories import make_token
from tests.interop.conftest import FOR_CPR, NOT_FOR_CPR

BASE = "/fhir/R4"
SNOMED = "http://snomed.info/sct"


@pytest.fixture
def secret(place: Place, regional_admin: Membership) -> str:
    return make_token(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="Crew EPR"
    ).secret


def _get(client: Client, url: str, secret: str, **headers: Any) -> dict[str, Any]:
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)
    body = json.loads(response.content)
    body["_status"] = response.status_code
    return body


def _bundle(client: Client, url: str, secret: str, **headers: Any) -> dict[str, Any]:
    body = _get(client, url, secret, **headers)
    assert body.pop("_status") == 200, body
    Bundle.model_validate(body)
    return body


def _applied(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The parameters the self link says were applied (paging aside)."""
    query = urlsplit(body["link"][0]["url"]).query
    return [(k, v) for k, v in parse_qsl(query) if k not in ("_count", "_offset")]


def test_an_active_not_for_cpr_flag_search_for_a_person_for_cpr_finds_nothing(
    client: Client, secret: str, for_cpr: Patient
) -> None:
    flags = _bundle(client, f"{BASE}/Flag?patient={for_cpr.public_id}", secret)
    assert flags["total"] == 3
    url = f"{BASE}/Flag?patient={for_cpr.public_id}&code={SNOMED}|{NOT_FOR_CPR}&status=active"
    not_for_cpr = _bundle(client, url, secret)
    assert (not_for_cpr["total"], not_for_cpr["entry"]) == (0, [])
    assert _applied(not_for_cpr) == [
        ("patient", str(for_cpr.public_id)),
        ("code", f"{SNOMED}|{NOT_FOR_CPR}"),
        ("status", "active"),
    ]
    url = f"{BASE}/Flag?patient={for_cpr.public_id}&code={SNOMED}|{FOR_CPR}&status=active"
    [match] = _bundle(client, url, secret)["entry"]
    assert match["resource"]["code"]["coding"][0]["code"] == FOR_CPR


@pytest.mark.parametrize(
    ("code", "found"),
    [
        (f"{SNOMED}|{NOT_FOR_CPR}", 1),
        (NOT_FOR_CPR, 1),
        (f"{SNOMED}|", 1),
        (f"|{NOT_FOR_CPR}", 0),
        (f"https://example.org|{NOT_FOR_CPR}", 0),
        (f"{SNOMED}|{FOR_CPR}", 0),
        (f"{SNOMED}|{FOR_CPR},{SNOMED}|{NOT_FOR_CPR}", 1),
    ],
)
def test_code_is_a_token_with_or_without_its_system(
    client: Client,
    secret: str,
    published: PublishedVersion,
    patient: Patient,
    code: str,
    found: int,
) -> None:
    body = _bundle(client, f"{BASE}/Flag?patient={patient.public_id}&code={code}", secret)
    assert body["total"] == found


def test_an_unsupported_parameter_is_refused_by_name_unless_lenient(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    for parameter in ("_sort=-date", "_elements=code", "_include=Flag:subject", "_summary=true"):
        url = f"{BASE}/Flag?patient={patient.public_id}&{parameter}"
        refused = _get(client, url, secret)
        name = parameter.split("=")[0]
        assert refused["_status"] == 400
        assert refused["resourceType"] == "OperationOutcome"
        assert refused["issue"][0]["expression"] == [name]
        assert name in refused["issue"][0]["diagnostics"]
    url = f"{BASE}/Flag?patient={patient.public_id}&_sort=-date&code:text=resuscitation"
    lenient = _bundle(client, url, secret, HTTP_PREFER="return=representation; handling=lenient")
    assert _applied(lenient) == [("patient", str(patient.public_id))]
    matches = [e for e in lenient["entry"] if e["search"]["mode"] == "match"]
    [outcome] = [e for e in lenient["entry"] if e["search"]["mode"] == "outcome"]
    assert len(matches) == lenient["total"] == 1
    assert outcome["resource"]["resourceType"] == "OperationOutcome"
    assert [issue["expression"] for issue in outcome["resource"]["issue"]] == [
        ["_sort"],
        ["code:text"],
    ]


def test_everything_refuses_what_it_does_not_apply_and_narrows_by_type(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    url = f"{BASE}/Patient/{patient.public_id}/$everything"
    for parameter in ("start=2026-01-01", "end=2030-01-01", "_since=2026-01-01T00:00:00Z"):
        refused = _get(client, f"{url}?{parameter}", secret)
        assert (refused["_status"], refused["issue"][0]["expression"]) == (
            400,
            [parameter.split("=")[0]],
        )
    narrowed = _bundle(client, f"{url}?_type=Flag,Consent", secret)
    kinds = {e["resource"]["resourceType"] for e in narrowed["entry"]}
    assert kinds == {"Flag", "Consent"}
    assert _applied(narrowed) == [("_type", "Flag,Consent")]


def test_count_is_capped_not_refused_and_zero_gives_the_total_only(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    url = f"{BASE}/Patient/{patient.public_id}/$everything"
    whole = _bundle(client, url, secret)
    capped = _bundle(client, f"{url}?_count=5000", secret)
    assert len(capped["entry"]) == capped["total"] == whole["total"]
    assert dict(parse_qsl(urlsplit(capped["link"][0]["url"]).query))["_count"] == "100"
    counted = _bundle(client, f"{url}?_count=0", secret)
    assert (counted["total"], counted["entry"]) == (whole["total"], [])
    assert [link["relation"] for link in counted["link"]] == ["self"]
    for bad in ("-1", "ten"):
        assert _get(client, f"{url}?_count={bad}", secret)["_status"] == 400


def test_id_subject_status_and_category_are_applied(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    everything = _bundle(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret)
    ids = {e["resource"]["resourceType"]: e["resource"]["id"] for e in everything["entry"]}
    by_id = _bundle(client, f"{BASE}/CarePlan?_id={ids['CarePlan']}", secret)
    assert [e["resource"]["id"] for e in by_id["entry"]] == [ids["CarePlan"]]
    other = _bundle(client, f"{BASE}/CarePlan?_id={uuid.UUID(int=7)}-careplan", secret)
    assert other["total"] == 0
    by_subject = _bundle(client, f"{BASE}/Flag?subject=Patient/{patient.public_id}", secret)
    assert by_subject["total"] == 1
    assert (
        _bundle(client, f"{BASE}/CarePlan?patient={patient.public_id}&status=active", secret)[
            "total"
        ]
        == 1
    )
    assert (
        _bundle(client, f"{BASE}/CarePlan?patient={patient.public_id}&status=completed", secret)[
            "total"
        ]
        == 0
    )
    anticipatory = _bundle(
        client,
        f"{BASE}/MedicationStatement?patient={patient.public_id}&category={SNOMED}|871021000000106",
        secret,
    )
    assert anticipatory["total"] == 1
    assert (
        _bundle(
            client,
            f"{BASE}/Consent?patient={patient.public_id}&category=INFA&status=active",
            secret,
        )["total"]
        == 1
    )
    patient_by_id = _bundle(client, f"{BASE}/Patient?_id={patient.public_id}", secret)
    assert [e["resource"]["id"] for e in patient_by_id["entry"]] == [str(patient.public_id)]


def test_a_search_that_matches_nothing_is_an_empty_searchset_and_recorded(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    before = AccessEvent.objects.filter(action=Action.DENIED).count()
    for url in (
        f"{BASE}/Flag?patient={uuid.UUID(int=3)}",
        f"{BASE}/Flag?patient=not-an-id",
        f"{BASE}/Patient?_id={uuid.UUID(int=3)}",
    ):
        body = _bundle(client, url, secret)
        assert (body["total"], body["entry"]) == (0, [])
    assert AccessEvent.objects.filter(action=Action.DENIED).count() == before + 3


def test_after_a_death_no_api_shows_an_active_plan_or_flag(
    client: Client, secret: str, for_cpr: Patient, their_gp: Membership
) -> None:
    death_record(
        actor=their_gp,
        patient=for_cpr,
        details=DeathDetails(today(), "876879006", ""),
    )
    everything = _bundle(client, f"{BASE}/Patient/{for_cpr.public_id}/$everything", secret)
    statuses = {
        e["resource"]["id"].rsplit("-", 1)[-1]: e["resource"].get("status")
        for e in everything["entry"]
        if e["resource"]["resourceType"] in ("CarePlan", "Flag")
    }
    assert statuses == {
        "careplan": "completed",
        "cpr": "inactive",
        "adrt": "inactive",
        "lpa": "inactive",
    }
    active = _bundle(client, f"{BASE}/Flag?patient={for_cpr.public_id}&status=active", secret)
    assert active["total"] == 0
