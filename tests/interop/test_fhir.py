"""The FHIR R4 read API as another system meets it, with a token made by a regional admin:
every body parses with the fhir.resources R4B models, codes are asserted by hand, paging
follows `next` links, and the refusals are identical, OperationOutcomes and audited."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from consent.services import consent_withdraw
from organisations.models import Membership, Role
from organisations.tokens import token_revoke
from patients.models import Patient
from patients.services import key_contact_set
from tests.conftest import Place
from tests.factories import make_token

pytestmark = pytest.mark.django_db

NHS = "https://fhir.nhs.uk/Id/nhs-number"
SNOMED = "http://snomed.info/sct"
BASE = "/fhir/R4"


@pytest.fixture
def secret(place: Place, regional_admin: Membership) -> str:
    """A token for the ambulance service (serves the patient's region), as urgent care."""
    return make_token(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="Crew EPR"
    ).secret


def _get(client: Client, url: str, secret: str, **headers: Any) -> Any:
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)


def _body(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/fhir+json")
    return json.loads(response.content)


def _search(client: Client, secret: str, number: str) -> dict[str, Any]:
    response = _get(client, f"{BASE}/Patient?identifier={NHS}|{number}", secret)
    assert response.status_code == 200
    body = _body(response)
    Bundle.model_validate(body)
    return body


def test_metadata_lists_exactly_what_is_supported_without_a_token(client: Client) -> None:
    response = client.get(f"{BASE}/metadata")
    assert response.status_code == 200
    statement = _body(response)
    CapabilityStatement.model_validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["kind"] == "instance"
    assert statement["format"] == ["application/fhir+json"]
    [rest] = statement["rest"]
    assert {r["type"] for r in rest["resource"]} == {
        "Patient",
        "CarePlan",
        "CareTeam",
        "Flag",
        "Consent",
        "Condition",
        "RelatedPerson",
        "MedicationStatement",
        "QuestionnaireResponse",
        "ClinicalImpression",
    }
    for resource in rest["resource"]:
        assert {i["code"] for i in resource["interaction"]} == {"read", "search-type"}


def test_a_system_finds_the_patient_by_nhs_number(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    body = _search(client, secret, patient.nhs_number)
    assert body["type"] == "searchset"
    assert body["total"] == 1
    [entry] = body["entry"]
    assert entry["fullUrl"] == f"http://testserver{BASE}/Patient/{patient.public_id}"
    FhirPatient.model_validate(entry["resource"])
    [identifier] = entry["resource"]["identifier"]
    assert (identifier["system"], identifier["value"]) == (NHS, patient.nhs_number)
    status = identifier["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert status["code"] == "01"
    assert (
        AccessEvent.objects.filter(
            action=Action.API_READ, patient_public_id=patient.public_id
        ).count()
        == 1
    )


def test_unknown_other_region_and_withdrawn_consent_give_the_identical_empty_searchset(
    client: Client,
    place: Place,
    secret: str,
    regional_admin: Membership,
    their_gp: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    def shape(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k not in {"meta", "link"}}

    unknown = shape(_search(client, secret, "9434765919"))
    assert unknown == {
        "resourceType": "Bundle",
        "id": unknown["id"],
        "type": "searchset",
        "total": 0,
        "entry": [],
    }
    consent_withdraw(actor=their_gp, patient=patient, reason="She asked us to stop sharing")
    withdrawn = shape(_search(client, secret, patient.nhs_number))
    assert withdrawn == unknown
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id
    ).exists()


def test_a_region_the_caller_does_not_serve_gives_the_same_empty_searchset(
    client: Client, place: Place, published: PublishedVersion, patient: Patient
) -> None:
    from tests.factories import make_member, make_token

    admin = make_member(place.other_region_practice, Role.REGIONAL_ADMIN, username="kernow-admin")
    outsider = make_token(
        actor=admin,
        organisation=place.other_region_ambulance,
        role=Role.URGENT_CARE,
        name="Kernow EPR",
    ).secret
    body = _search(client, outsider, patient.nhs_number)
    assert (body["total"], body["entry"]) == (0, [])
    assert patient.family_name not in json.dumps(body)


def test_everything_is_the_published_plan_with_the_cpr_flag(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    response = _get(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret)
    assert response.status_code == 200
    body = _body(response)
    Bundle.model_validate(body)
    resources = [entry["resource"] for entry in body["entry"]]
    kinds = [r["resourceType"] for r in resources]
    assert kinds[0] == "Patient"
    for kind in (
        "CarePlan",
        "Flag",
        "Consent",
        "Condition",
        "RelatedPerson",
        "MedicationStatement",
        "QuestionnaireResponse",
        "ClinicalImpression",
    ):
        assert kind in kinds, kind
    [careplan] = [r for r in resources if r["resourceType"] == "CarePlan"]
    assert careplan["meta"]["versionId"] == "1"
    [cpr] = [r for r in resources if r["resourceType"] == "Flag"]
    assert cpr["code"]["coding"][0] == {
        "system": SNOMED,
        "code": "450476008",
        "display": "Not for cardiopulmonary resuscitation (finding)",
    }
    snapshot = published.snapshot["sections"]["cpr_decision"]
    assert cpr["period"] == {
        "start": snapshot["date_of_decision"],
        "end": snapshot["date_for_review"],
    }
    assert cpr["author"]["display"]
    [prognosis] = [r for r in resources if r["resourceType"] == "ClinicalImpression"]
    assert prognosis["prognosisCodeableConcept"][0]["coding"][0]["code"] == "955231000000109"
    questionnaire_items = {
        item["linkId"]: item["answer"][0]
        for r in resources
        if r["resourceType"] == "QuestionnaireResponse"
        for item in r["item"]
    }
    assert questionnaire_items["preferredPlaceOfDeathCoded"]["valueCoding"]["code"] == (
        "110481000000108"
    )
    assert questionnaire_items["preferredPlaceOfDeathText"]["valueString"]
    [consent] = [r for r in resources if r["resourceType"] == "Consent"]
    assert consent["status"] == "active"
    assert not any(r["resourceType"] == "Flag" and "lpa" in r["id"] for r in resources)


def test_the_consent_is_dated_by_the_day_it_was_given_not_a_utc_midnight(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    """Consent is given on a London day; midnight UTC of that day is 01:00 in summer, a
    moment nobody recorded. FHIR's dateTime may be a date alone: the day, as recorded."""
    from consent.models import ConsentToShare

    body = _body(_get(client, f"{BASE}/Consent?patient={patient.public_id}", secret))
    [entry] = body["entry"]
    given_on = ConsentToShare.objects.get(patient=patient).given_on
    assert entry["resource"]["dateTime"] == given_on.isoformat()


def test_the_lpa_flag_exists_whenever_the_lpa_related_person_does(
    client: Client, secret: str, published: PublishedVersion, patient: Patient, their_gp: Membership
) -> None:
    """Both come from the one LPA record, as it is now: recorded after publishing, it is
    there; ended, it is gone."""
    from consent.services import lpa_end
    from tests.factories import make_lpa

    def lpa_resources() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        body = _body(_get(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret))
        resources = [entry["resource"] for entry in body["entry"]]
        flags = [
            r for r in resources if r["resourceType"] == "Flag" and r["id"].endswith("-flag-lpa")
        ]
        people = [r for r in resources if r["id"].endswith("-rp-lpa")]
        return flags, people

    assert lpa_resources() == ([], [])
    lpa = make_lpa(actor=their_gp, patient=patient)
    flags, people = lpa_resources()
    assert len(flags) == len(people) == 1
    assert flags[0]["code"]["coding"][0]["code"] == "816361000000101"
    assert people[0]["name"] == [{"text": "Rosa Attwater"}]
    assert people[0]["telecom"] == [{"system": "phone", "value": "07700 900123"}]
    assert "not including life-sustaining treatment" in people[0]["relationship"][0]["text"]
    lpa_end(actor=their_gp, lpa=lpa, reason="Revoked by Winifred")
    assert lpa_resources() == ([], [])


def test_following_next_links_gives_the_same_resources_with_no_duplicates(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    url = f"{BASE}/Patient/{patient.public_id}/$everything"
    whole = [e["fullUrl"] for e in _body(_get(client, url, secret))["entry"]]
    paged: list[str] = []
    next_url: str | None = f"{url}?_count=1"
    for _ in range(100):
        if next_url is None:
            break
        body = _body(_get(client, next_url, secret))
        Bundle.model_validate(body)
        paged += [e["fullUrl"] for e in body["entry"]]
        next_url = next((link["url"] for link in body["link"] if link["relation"] == "next"), None)
    assert next_url is None
    assert paged == whole
    assert len(set(paged)) == len(paged)


def test_each_type_by_patient_and_by_id(
    client: Client, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    body = _body(_get(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret))
    for entry in body["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        read = _get(client, f"{BASE}/{kind}/{resource['id']}", secret)
        assert read.status_code == 200, kind
        assert _body(read) == resource
        if kind != "Patient":
            found = _body(_get(client, f"{BASE}/{kind}?patient={patient.public_id}", secret))
            Bundle.model_validate(found)
            assert resource["id"] in [e["resource"]["id"] for e in found["entry"]]


@pytest.mark.parametrize(
    ("url", "status", "expression"),
    [
        (f"{BASE}/Patient?identifier={NHS}|123", 400, "Patient.identifier"),
        (f"{BASE}/Patient?identifier=9434765919", 400, "Patient.identifier"),
        (f"{BASE}/Patient?identifier=https://example.org|9434765919", 400, "Patient.identifier"),
        (f"{BASE}/Patient/00000000-0000-0000-0000-000000000000", 404, ""),
        (f"{BASE}/Flag/not-a-version-id", 404, ""),
        (f"{BASE}/Flag/{'x' * 65}", 404, ""),
        (f"{BASE}/Patient/x/$validate", 404, ""),
        (f"{BASE}/Observation?patient=x", 404, ""),
        (f"{BASE}/Flag", 400, "patient"),
        (f"{BASE}/Patient/x/$everything?_count=0", 404, ""),
    ],
)
def test_bad_requests_are_operation_outcomes_naming_the_parameter(
    client: Client, secret: str, published: PublishedVersion, url: str, status: int, expression: str
) -> None:
    response = _get(client, url, secret)
    assert response.status_code == status
    body = _body(response)
    OperationOutcome.model_validate(body)
    if expression:
        assert body["issue"][0]["expression"] == [expression]


def test_writes_xml_strict_and_missing_or_revoked_tokens_are_refused(
    client: Client,
    secret: str,
    regional_admin: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    url = f"{BASE}/Patient/{patient.public_id}"
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 405
        OperationOutcome.model_validate(_body(response))
    assert _get(client, url, secret, HTTP_ACCEPT="application/fhir+xml").status_code == 406
    assert _get(client, f"{url}?_format=xml", secret).status_code == 406
    strict = _get(
        client,
        f"{BASE}/Patient?identifier={NHS}|{patient.nhs_number}&colour=blue",
        secret,
        HTTP_PREFER="handling=strict",
    )
    assert strict.status_code == 400
    assert _body(strict)["issue"][0]["expression"] == ["colour"]
    # Unsupported parameters are refused by default too: a filter silently ignored would
    # answer a question the client did not ask.
    default = _get(
        client, f"{BASE}/Patient?identifier={NHS}|{patient.nhs_number}&colour=blue", secret
    )
    assert default.status_code == 400
    assert _body(default)["issue"][0]["expression"] == ["colour"]
    lenient = _get(
        client,
        f"{BASE}/Patient?identifier={NHS}|{patient.nhs_number}&colour=blue",
        secret,
        HTTP_PREFER="handling=lenient",
    )
    assert lenient.status_code == 200
    assert client.get(url).status_code == 401
    assert _get(client, url, "oep_not-a-token").status_code == 401
    assert _get(client, url, secret).status_code == 200
    from organisations.models import ApiToken

    token_revoke(actor=regional_admin, token=ApiToken.objects.get())
    revoked = _get(client, url, secret)
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"].startswith("Bearer")


def test_a_clinician_reads_by_session_and_outsiders_meet_404(
    client: Client,
    their_gp: Membership,
    outsider_clinician: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    from tests.conftest import act_as

    url = f"{BASE}/Patient/{patient.public_id}/$everything"
    act_as(client, their_gp)
    assert client.get(url).status_code == 200
    act_as(client, outsider_clinician)
    refused = client.get(url)
    assert refused.status_code == 404
    assert patient.family_name not in refused.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id, user=outsider_clinician.user
    ).exists()


def test_an_outsider_token_meets_404_on_every_resource_and_search_and_is_recorded(
    client: Client, place: Place, secret: str, published: PublishedVersion, patient: Patient
) -> None:
    """A system of another region: every resource of the plan by id is an OperationOutcome
    404, and every search by patient an empty searchset, exactly as for a patient who does
    not exist; neither names anybody, and each refusal is recorded."""
    from tests.factories import make_member, make_token

    admin = make_member(place.other_region_practice, Role.REGIONAL_ADMIN, username="kernow-admin")
    outsider = make_token(
        actor=admin,
        organisation=place.other_region_ambulance,
        role=Role.URGENT_CARE,
        name="Kernow EPR",
    ).secret
    body = _body(_get(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret))
    reads = [f"{BASE}/Patient/{patient.public_id}/$everything"]
    searches = []
    for entry in body["entry"]:
        kind, ident = entry["resource"]["resourceType"], entry["resource"]["id"]
        reads.append(f"{BASE}/{kind}/{ident}")
        if kind != "Patient":
            searches.append(f"{BASE}/{kind}?patient={patient.public_id}")
            searches.append(f"{BASE}/{kind}?_id={ident}")
    before = AccessEvent.objects.filter(action=Action.DENIED).count()
    for url in reads:
        response = _get(client, url, outsider)
        assert response.status_code == 404, url
        OperationOutcome.model_validate(_body(response))
        assert patient.family_name not in response.content.decode()
    answers = {}
    for url in searches:
        response = _get(client, url, outsider)
        assert response.status_code == 200, url
        found = _body(response)
        Bundle.model_validate(found)
        assert (found["total"], found["entry"]) == (0, [])
        assert patient.family_name not in response.content.decode()
        answers[url] = found
    assert AccessEvent.objects.filter(action=Action.DENIED).count() == before + len(reads) + len(
        searches
    )
    # The caller's own patients' searches answer the same for someone who does not exist.
    unknown = str(uuid.UUID(int=1))
    for url, found in answers.items():
        if "?patient=" in url:
            same = _body(_get(client, url.replace(str(patient.public_id), unknown), secret))
            assert (same["total"], same["entry"], same["link"][0]["url"]) == (
                0,
                [],
                found["link"][0]["url"].replace(str(patient.public_id), unknown),
            )


def test_fhir_is_throttled_per_caller_with_retry_after_counting_with_rest(
    client: Client, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19, finding 5: 700 FHIR searches in 9 s from one token met no limit."""
    from organisations.rest import PerCallerThrottle

    monkeypatch.setattr(PerCallerThrottle, "rate", "3/minute", raising=False)
    url = f"{BASE}/Patient?identifier={NHS}|9434765919"
    assert [_get(client, url, secret).status_code for _ in range(2)] == [200, 200]
    assert (
        client.get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
        == 200
    )
    refused = _get(client, url, secret)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    OperationOutcome.model_validate(_body(refused))


def test_everything_recorded_in_the_plan_reaches_fhir_but_the_key_safe_code(
    client: Client,
    secret: str,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
) -> None:
    """Issue 20: FHIR dropped what its mapping did not name (allergies, home access, about
    me, awareness, who reviews, where documents are). The whole plan is now one
    QuestionnaireResponse built from the section definitions: every item the plan's own
    page shows is there, coded answers by code and term; the key safe code never is."""
    from careplans import services
    from careplans.sections import SECTION_BY_KEY, describe
    from tests.careplans.conftest import basis, complete

    services.section_save(
        actor=their_gp,
        patient=patient,
        key="home_access",
        data={"key_safe": "on", "key_safe_code": "4711", "access_instructions": "Side gate"},
    )
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="clinical",
        data={**complete()["clinical"], "functional_status": "60"},
    )
    version = services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    response = _get(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret)
    body = _body(response)
    Bundle.model_validate(body)
    assert "4711" not in json.dumps(body)
    [plan] = [
        entry["resource"]
        for entry in body["entry"]
        if entry["resource"]["id"] == f"{version.public_id}-qr-plan"
    ]
    answers = {item["linkId"]: item["answer"] for item in plan["item"]}
    [allergy_status] = answers["clinical.allergy_status"]
    assert allergy_status["valueCoding"]["system"] == "https://openepaccs.org/fhir/CodeSystem/local"
    assert allergy_status["valueCoding"]["code"] == "allergies-listed"
    assert allergy_status["valueCoding"]["display"]
    assert answers["clinical.allergies_and_adverse_reactions"] == [
        {"valueString": "Penicillin: rash"}
    ]
    assert answers["home_access.key_safe"] == [{"valueBoolean": True}]
    assert answers["home_access.access_instructions"] == [{"valueString": "Side gate"}]
    assert "home_access.key_safe_code" not in answers
    assert answers["review.planned_review_date"] == [
        {"valueDate": version.snapshot["sections"]["review"]["planned_review_date"]}
    ]
    assert [a["valueCoding"]["code"] for a in answers["medications.anticipatory_medicines"]] == [
        "871021000000106",
        "376201000000102",
    ]
    assert answers["treatment_escalation.respect_cpr_recommendation"] == [
        {"valueString": "CPR attempts not recommended"}
    ]
    # The Karnofsky score's code is the score itself: never sent as if it were SNOMED CT.
    assert answers["clinical.functional_status"] == [{"valueString": "60: occasional help needed"}]
    assert answers["key_contacts.0"] == [
        {"valueString": "Ann Attwater, Daughter, main carer, 07700 900982"}
    ]
    # Every item the plan's page shows, section by section, is an item here.
    for key, data in version.snapshot["sections"].items():
        if key == "key_contacts":
            continue
        section = SECTION_BY_KEY[key]
        shown = {
            label
            for label, _ in describe(section, data)
            if label != "Decided by" and label != "Key safe code"
        }
        exported = {
            item["text"].removeprefix(f"{section.title}: ")
            for item in plan["item"]
            if item["linkId"].startswith(f"{key}.")
        }
        assert exported == shown, key


def test_the_key_worker_and_named_gp_are_a_care_team_the_care_plan_references(
    client: Client,
    secret: str,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
    team_nurse: Membership,
) -> None:
    for kind, person, phone in (
        ("key_worker", team_nurse, "020 7946 0450"),
        ("named_gp", their_gp, "020 7946 0100"),
    ):
        key_contact_set(
            actor=their_gp,
            patient=patient,
            kind=kind,
            membership=person,
            phone=phone,
            reason="Agreed at the practice meeting",
        )
    body = _body(_get(client, f"{BASE}/Patient/{patient.public_id}/$everything", secret))
    Bundle.model_validate(body)
    resources = [entry["resource"] for entry in body["entry"]]
    [careplan] = [r for r in resources if r["resourceType"] == "CarePlan"]
    [team] = [r for r in resources if r["resourceType"] == "CareTeam"]
    CareTeam.model_validate(team)
    assert careplan["careTeam"] == [{"reference": f"CareTeam/{team['id']}"}]
    assert [p["role"][0]["text"] for p in team["participant"]] == ["Key worker", "Named GP"]
    [worker] = [c for c in team["contained"] if c["id"] == "key-worker"]
    assert worker["telecom"] == [{"system": "phone", "value": "020 7946 0450", "use": "work"}]
    assert worker["organization"]["display"] == team_nurse.organisation.name
    read = _get(client, f"{BASE}/CareTeam/{team['id']}", secret)
    assert _body(read) == team
    found = _body(_get(client, f"{BASE}/CareTeam?patient={patient.public_id}", secret))
    assert [e["resource"]["id"] for e in found["entry"]] == [team["id"]]
