"""The REST API: the same selectors, permission table and audit as the pages. People by
session, systems by token; 400 with the field and the reason; 404 for what the caller may
not see; the schema and its docs page are served from here; every endpoint is exercised
from its OpenAPI schema by schemathesis, as a clinician and as an outsider."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from organisations.models import Membership, Role
from organisations.rest import PerCallerThrottle
from patients.models import Patient
from tests.conftest import Place, act_as
from tests.factories import make_token

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def gp_token(place: Place, regional_admin: Membership) -> str:
    return make_token(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    ).secret


@pytest.fixture
def outsider_token(place: Place, regional_admin: Membership) -> str:
    return make_token(
        actor=regional_admin,
        organisation=place.outsider_practice,
        role=Role.CLINICIAN,
        name="Another practice's system",
    ).secret


@pytest.fixture
def crew_token(place: Place, regional_admin: Membership) -> str:
    return make_token(
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


def test_after_a_death_the_plan_reads_completed_with_the_day_of_death(
    client: Client,
    gp_token: str,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
) -> None:
    from deaths.services import DeathDetails, death_record

    plan = _get(client, f"{API}/patients/{patient.public_id}/plan/", gp_token).json()
    assert (plan["plan_status"], plan["died_on"]) == ("active", None)
    died = timezone.localdate()
    death_record(actor=their_gp, patient=patient, details=DeathDetails(died, "876879006", ""))
    plan = _get(client, f"{API}/patients/{patient.public_id}/plan/", gp_token).json()
    assert (plan["plan_status"], plan["died_on"]) == ("completed", died.isoformat())
    summary = _get(client, f"{API}/patients/{patient.public_id}/summary/", gp_token).json()
    assert summary["died_on"] == died.isoformat()


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


def _send(client: Client, method: str, url: str, token: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_gp_system_edits_submits_and_publishes_with_a_consent_basis(
    client: Client, gp_token: str, published: PublishedVersion, patient: Patient
) -> None:
    base = f"{API}/patients/{patient.public_id}/plan"
    saved = _send(
        client,
        "put",
        f"{base}/sections/about_me/",
        gp_token,
        {"items": {"what_is_most_important_to_me": "Biscuit, and the garden"}},
    )
    assert saved.status_code == 200
    assert saved.json()["changed"] is True
    bad = _send(
        client,
        "put",
        f"{base}/sections/legal/",
        gp_token,
        {"items": {"lasting_power_of_attorney_health_and_welfare": True}},
    )
    assert bad.status_code == 400
    assert bad.json()["lasting_power_of_attorney_health_and_welfare"] == [
        "A lasting power of attorney is recorded as an LPA record, not in the plan"
    ]
    unknown = _send(
        client, "put", f"{base}/sections/legal/", gp_token, {"items": {"colour": "blue"}}
    )
    assert unknown.json() == {
        "colour": ["Not an item of the Legal: LPA, ADRT, advance statement section"]
    }
    review_on = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    review = _send(
        client,
        "put",
        f"{base}/sections/review/",
        gp_token,
        {"items": {"planned_review_date": review_on, "responsible_for_review": "Dr Okafor"}},
    )
    assert review.status_code == 200
    assert review.json()["items"]["planned_review_date"] == review_on
    not_a_date = _send(
        client,
        "put",
        f"{base}/sections/review/",
        gp_token,
        {"items": {"planned_review_date": "2026-13-45", "responsible_for_review": "Dr Okafor"}},
    )
    assert not_a_date.status_code == 400
    assert "planned_review_date" in not_a_date.json()
    # A CPR decision is a senior clinician's; this system's role is not one: 403.
    cpr = _send(
        client,
        "put",
        f"{base}/sections/cpr_decision/",
        gp_token,
        {"items": {"cpr_decision": "450475007", "date_of_decision": "2026-11-01"}},
    )
    assert cpr.status_code == 403
    assert (
        _send(client, "put", f"{base}/sections/nonsense/", gp_token, {"items": {}}).status_code
        == 404
    )
    submitted = _send(client, "post", f"{base}/submit/", gp_token, {})
    assert submitted.status_code == 200
    fingerprint = submitted.json()["fingerprint"]
    basis = {"kind": "patient", "with_whom": "Winifred", "discussed_on": "2026-11-01"}
    stale = _send(client, "post", f"{base}/publish/", gp_token, {"basis": basis, "approving": "x"})
    assert stale.status_code == 400
    assert "approving" in stale.json()
    body: dict[str, Any] = {"basis": basis, "approving": fingerprint}
    first = _send(client, "post", f"{base}/publish/", gp_token, body)
    if first.status_code == 400 and "acknowledged" in first.json():
        body["acknowledged"] = [w.split(":", 1)[0] for w in first.json()["acknowledged"]]
        first = _send(client, "post", f"{base}/publish/", gp_token, body)
    assert first.status_code == 201, first.json()
    assert first.json()["number"] == 2
    assert (
        AccessEvent.objects.filter(
            action=Action.PUBLISH, patient_public_id=patient.public_id
        ).count()
        == 2
    )


def test_consent_and_referrals_through_the_api(
    client: Client, gp_token: str, published: PublishedVersion, patient: Patient
) -> None:
    url = f"{API}/patients/{patient.public_id}"
    assert _get(client, f"{url}/consent/", gp_token).json()["given_by"] == "patient"
    refused = _send(client, "post", f"{url}/consent/", gp_token, {"given_by": "neighbour"})
    assert refused.status_code == 400
    assert {"given_by", "given_on"} <= set(refused.json())
    bad = _send(
        client,
        "post",
        f"{url}/referrals/",
        gp_token,
        {"services": ["night_sitting"], "reason": "x", "urgency": "24h", "needs": {"akps": 35}},
    )
    assert bad.status_code == 400
    assert "multiple of 10" in json.dumps(bad.json())
    made = _send(
        client,
        "post",
        f"{url}/referrals/",
        gp_token,
        {
            "services": ["night_sitting"],
            "reason": "Carer exhausted",
            "urgency": "24h",
            "needs": {"phase": "dying", "akps": 20},
        },
    )
    assert made.status_code == 201
    assert made.json()["band"] == "red"
    assert AccessEvent.objects.filter(action=Action.REFER).count() == 1


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


def test_a_section_saved_on_a_stale_fingerprint_is_a_409_and_nothing_changes(
    client: Client, gp_token: str, published: PublishedVersion, patient: Patient
) -> None:
    """Hazard H6 through the API: the stale base is refused, with what differs."""
    base = f"{API}/patients/{patient.public_id}/plan"
    read = _get(client, f"{base}/", gp_token).json()["sections"]["medications"]
    from careplans.sections import content_fingerprint

    stale = content_fingerprint(read)
    first = _send(
        client,
        "put",
        f"{base}/sections/medications/",
        gp_token,
        {"items": {**read, "anticipatory_medicines_location": "Bedroom drawer"}, "based_on": stale},
    )
    assert first.status_code == 200
    second = _send(
        client,
        "put",
        f"{base}/sections/medications/",
        gp_token,
        {"items": {**read, "anticipatory_medicines_location": "Hall"}, "based_on": stale},
    )
    assert second.status_code == 409
    body = second.json()
    assert body["conflicts"] == [
        {
            "item": "Where the anticipatory medicines are kept",
            "saved": "Bedroom drawer",
            "yours": "Hall",
        }
    ]
    now = _get(client, f"{base}/", gp_token).json()["sections"]["medications"]
    assert now["anticipatory_medicines_location"] == "Bedroom drawer"


def test_the_key_safe_code_never_leaves_through_the_api_but_in_urgent_care_s_summary(
    client: Client,
    place: Place,
    regional_admin: Membership,
    gp_token: str,
    crew_token: str,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
) -> None:
    """Security finding 2 of issue 19: the REST API gave the code to every care-team role."""
    from careplans import services
    from tests.careplans.conftest import basis

    services.section_save(
        actor=their_gp,
        patient=patient,
        key="home_access",
        data={"key_safe": "on", "key_safe_code": "4711", "access_instructions": "Side gate"},
    )
    services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    nurse_token = make_token(
        actor=regional_admin, organisation=place.nursing, role=Role.CLINICIAN, name="Nursing EPR"
    ).secret
    base = f"{API}/patients/{patient.public_id}"
    for token in (gp_token, nurse_token):
        for url in (f"{base}/plan/", f"{base}/versions/2/", f"{base}/summary/"):
            body = _get(client, url, token).content.decode()
            assert "4711" not in body, url
    plan = _get(client, f"{base}/plan/", gp_token).json()
    shown = plan["sections"]["home_access"]
    assert shown["key_safe_code"] == "Recorded: shown to urgent care only"
    # Sent back as read, with its fingerprint, it changes nothing: the code stays.
    saved = _send(
        client,
        "put",
        f"{base}/plan/sections/home_access/",
        gp_token,
        {"items": shown, "based_on": plan["section_fingerprints"]["home_access"]},
    )
    assert (saved.status_code, saved.json()["changed"]) == (200, False)
    from careplans.models import PlanSection

    assert PlanSection.objects.get(key="home_access").data["key_safe_code"] == "4711"
    crew = _get(client, f"{base}/summary/", crew_token).content.decode()
    assert "4711" in crew


def test_a_refused_write_is_recorded_as_a_refusal_never_as_a_read(
    client: Client,
    place: Place,
    regional_admin: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    """Security finding 6 of issue 19: a nurse's system saving the CPR decision was refused
    (403) but recorded as a successful read of the plan."""
    nurse_token = make_token(
        actor=regional_admin, organisation=place.nursing, role=Role.CLINICIAN, name="Nursing EPR"
    ).secret
    before = AccessEvent.objects.count()
    refused = _send(
        client,
        "put",
        f"{API}/patients/{patient.public_id}/plan/sections/cpr_decision/",
        nurse_token,
        {"items": {"cpr_decision": "450475007"}},
    )
    assert refused.status_code == 403
    events = list(AccessEvent.objects.order_by("id")[before:])
    assert [(e.action, e.patient_public_id) for e in events] == [(Action.DENIED, patient.public_id)]
    assert events[0].detail["method"] == "PUT"
    assert events[0].reason == "the acting role cannot do this"


def test_a_gp_system_reads_what_publishing_would_meet_and_publishes_with_it(
    client: Client,
    place: Place,
    their_gp: Membership,
    gp_token: str,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    """The approver's page and the API ask one service what publishing would meet
    (issue 20): the fingerprint to approve, what blocks, the warnings, the changes."""
    from careplans import services
    from organisations.models import OrganisationKind
    from patients.services import care_team_add
    from tests.factories import make_member, make_organisation

    base = f"{API}/patients/{patient.public_id}/plan"
    changed = "Biscuit, and the garden"
    _send(
        client,
        "put",
        f"{base}/sections/about_me/",
        gp_token,
        {"items": {"what_is_most_important_to_me": changed}},
    )
    preview = _get(client, f"{base}/publish/", gp_token)
    assert preview.status_code == 200
    shown = preview.json()
    page = services.careplan_publish_preview(actor=their_gp, patient=patient)
    assert shown["fingerprint"] == page.fingerprint != ""
    assert shown["latest_version"] == 1
    assert shown["blocking"] == []
    assert [w["rule"] for w in shown["warnings"]] == [w.rule for w in page.warnings]
    assert {
        "section": "About me",
        "item": "What is most important to me",
        "old": "Being at home with my cat, Biscuit",
        "new": changed,
    } in shown["changes"]
    assert AccessEvent.objects.filter(
        action=Action.VIEW_PLAN,
        patient_public_id=patient.public_id,
        detail__page="api publish preview",
    ).exists()
    body = {
        "basis": {
            "kind": "patient",
            "with_whom": "Winifred",
            "discussed_on": timezone.localdate().isoformat(),
        },
        "approving": shown["fingerprint"],
        "acknowledged": [w["rule"] for w in shown["warnings"]],
    }
    published_now = _send(client, "post", f"{base}/publish/", gp_token, body)
    assert published_now.status_code == 201, published_now.json()
    assert published_now.json()["number"] == 2
    # A social worker of the care team reads the plan but may not publish it: 403, recorded.
    social = make_organisation(kind=OrganisationKind.SOCIAL_CARE, region=place.region)
    care_team_add(actor=their_gp, patient=patient, organisation=social)
    act_as(client, make_member(social, Role.SOCIAL_WORKER))
    refused = client.get(f"{base}/publish/")
    assert refused.status_code == 403
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id, detail__method="GET"
    ).exists()
