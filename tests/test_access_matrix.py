"""Every persona meets every URL that takes a patient id.

The URLs come from the resolver, so a new patient URL that is missing from PATIENT_URLS
fails `test_every_patient_url_is_in_the_matrix` until someone says how to exercise it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AccessEvent, Action
from careplans.change_requests import change_request_create
from careplans.models import (
    CarePlan,
    ChangeRequest,
    Death,
    PlanSection,
    PublishedVersion,
    WorkingCopy,
)
from careplans.services import careplan_publish
from consent.models import ConsentToShare, LastingPowerOfAttorney
from consent.services import consent_record
from coordination.models import Referral
from organisations.models import Membership, Role
from patients.models import (
    BreakGlassGrant,
    CareTeamMember,
    KeyContact,
    Patient,
    PatientGroupObjectPermission,
)
from patients.selectors import key_contact_candidates
from patients.services import key_contact_set
from portal.models import Invitation, PatientAccount
from practice.models import Meeting, MeetingAction, NotNow, Outcome
from practice.services import meeting_schedule
from profiles.models import ReadinessRecord
from register.models import PhaseOfIllness, RegisterEntry, SpictAssessment, SurpriseQuestion
from register.services import register_add
from tests.careplans.conftest import basis, fill, today
from tests.conftest import (
    OUTSIDERS,
    PASSWORD,
    PEOPLE,
    Place,
    act_as,
    build_patient,
    build_place,
)
from tests.factories import invitation_link, make_lpa, make_online_account


@dataclass(frozen=True)
class Exercise:
    """How to call one URL: extra URL arguments and the form data to post."""

    extra_kwargs: Callable[[Patient, Place], dict[str, Any]] = lambda patient, place: {}
    post: Callable[[Patient, Place], dict[str, Any]] | None = None
    methods: tuple[str, ...] = field(default=("get",))
    # Personas of OUTSIDERS who may use this URL all the same: urgent care whose services
    # cover the patient's region read the emergency summary without a care-team relationship.
    insiders: tuple[str, ...] = ()
    # The care team members who reach it: the practice's register is for its own clinicians.
    care_team: tuple[str, ...] = ("their_gp", "team_nurse")


URGENT_CARE_OF_THE_REGION = ("paramedic", "call_handler")
PRACTICE = ("their_gp",)


def _nurse_place(patient: Patient, place: Place) -> dict[str, Any]:
    member = patient.care_team.get(organisation=place.nursing, ended_at__isnull=True)
    return {"member_id": member.public_id}


def _section(patient: Patient, place: Place) -> dict[str, Any]:
    return {"section_key": "about_me"}


def _lpa(patient: Patient, place: Place) -> dict[str, Any]:
    return {"lpa_id": patient.lasting_powers_of_attorney.get().public_id}


def _account(patient: Patient, place: Place) -> dict[str, Any]:
    return {"account_id": patient.online_accounts.filter(role="patient").get().public_id}


def _invitation(patient: Patient, place: Place) -> dict[str, Any]:
    return {"invitation_id": patient.invitations.get(used_at__isnull=True).public_id}


def _change_request(patient: Patient, place: Place) -> dict[str, Any]:
    return {"request_id": patient.change_requests.get().public_id}


def _practice_form(date: str, *, year: str = "2026", **fields: object) -> Exercise:
    """A page of the practice's register (its own clinicians only): a dated form."""
    data = {f"{date}_0": "1", f"{date}_1": "1", f"{date}_2": year, **fields}
    return Exercise(post=lambda patient, place: data, methods=("get", "post"), care_team=PRACTICE)


LPA_FORM = {
    "attorney_name": "An Outsider",
    "relationship": "Friend",
    "opg_reference": "7000-0000-0001",
    "registered_on_0": "1",
    "registered_on_1": "1",
    "registered_on_2": "2020",
    "email": "outsider@example.com",
}

PATIENT_URLS: dict[str, Exercise] = {
    "careplans:overview": Exercise(),
    "careplans:section": Exercise(
        extra_kwargs=_section,
        post=lambda patient, place: {"what_is_most_important_to_me": "changed by an outsider"},
        methods=("get", "post"),
    ),
    "careplans:submit": Exercise(post=lambda patient, place: {}, methods=("post",)),
    "careplans:publish": Exercise(
        post=lambda patient, place: {
            "kind": "patient",
            "with_whom": "outsider",
            "discussed_on_0": "1",
            "discussed_on_1": "1",
            "discussed_on_2": "2026",
        },
        methods=("get", "post"),
    ),
    "careplans:versions": Exercise(),
    "careplans:version": Exercise(extra_kwargs=lambda patient, place: {"number": 1}),
    "careplans:compare": Exercise(),
    "careplans:plan_pdf": Exercise(),
    "profiles:readiness": Exercise(),
    # The world's patient is living: the page says there is nothing to follow up.
    "profiles:bereavement": Exercise(),
    "profiles:readiness_item": Exercise(
        extra_kwargs=lambda patient, place: {"kind": "form_at_home"},
        post=lambda patient, place: {"at_home": "yes", "note": "by an outsider"},
        methods=("get", "post"),
    ),
    "careplans:summary": Exercise(insiders=URGENT_CARE_OF_THE_REGION),
    "careplans:summary_pdf": Exercise(insiders=URGENT_CARE_OF_THE_REGION),
    "consent:consent": Exercise(
        post=lambda patient, place: {
            "given_by": "patient",
            "given_on_0": "1",
            "given_on_1": "1",
            "given_on_2": "2026",
        },
        methods=("get", "post"),
    ),
    "consent:withdraw": Exercise(
        post=lambda patient, place: {"reason": "an outsider says so"}, methods=("get", "post")
    ),
    "careplans:change_request": Exercise(
        extra_kwargs=_change_request,
        post=lambda patient, place: {"status": "declined", "response": "an outsider says no"},
        methods=("get", "post"),
    ),
    "portal:online_access": Exercise(
        post=lambda patient, place: {"email": "outsider@example.com"}, methods=("get", "post")
    ),
    "portal:lpa_add": Exercise(post=lambda patient, place: LPA_FORM, methods=("get", "post")),
    "portal:lpa_end": Exercise(
        extra_kwargs=_lpa,
        post=lambda patient, place: {"reason": "an outsider says so"},
        methods=("get", "post"),
    ),
    "portal:account_end": Exercise(
        extra_kwargs=_account, post=lambda patient, place: {}, methods=("post",)
    ),
    "portal:invitation_withdraw": Exercise(
        extra_kwargs=_invitation, post=lambda patient, place: {}, methods=("post",)
    ),
    "patients:detail": Exercise(),
    "deaths:death": Exercise(
        post=lambda patient, place: {
            "date_of_death_0": "1",
            "date_of_death_1": "1",
            "date_of_death_2": "2026",
            "place_of_death": "876879006",
        },
        methods=("get", "post"),
    ),
    "deaths:death_correct": Exercise(
        post=lambda patient, place: {
            "date_of_death_0": "1",
            "date_of_death_1": "1",
            "date_of_death_2": "2026",
            "place_of_death": "876879006",
            "reason": "an outsider says so",
        },
        methods=("get", "post"),
    ),
    "deaths:death_in_error": Exercise(
        post=lambda patient, place: {"reason": "an outsider says so"}, methods=("get", "post")
    ),
    "coordination:patient_referrals": Exercise(),
    "coordination:refer": Exercise(
        post=lambda patient, place: {
            "services": "night_sitting",
            "urgency": "24h",
            "reason": "an outsider says so",
            "phase": "dying",
        },
        methods=("get", "post"),
    ),
    # The REST API: the same rules as the pages (urgent care of the region read the summary).
    "api:patient": Exercise(),
    "api:plan": Exercise(),
    "api:versions": Exercise(),
    "api:version": Exercise(extra_kwargs=lambda patient, place: {"number": 1}),
    "api:summary": Exercise(insiders=URGENT_CARE_OF_THE_REGION),
    "api:referrals": Exercise(
        post=lambda patient, place: {
            "services": ["night_sitting"],
            "reason": "an outsider says so",
            "urgency": "24h",
            "needs": {"phase": "dying"},
        },
        methods=("get", "post"),
    ),
    "api:section": Exercise(
        extra_kwargs=lambda patient, place: {"key": "about_me"},
        post=lambda patient, place: {"items": {"what_is_most_important_to_me": "an outsider"}},
        methods=("put",),
    ),
    "api:submit": Exercise(post=lambda patient, place: {}, methods=("post",)),
    "api:publish": Exercise(
        post=lambda patient, place: {
            "basis": {"kind": "patient", "with_whom": "outsider", "discussed_on": "2026-01-01"},
            "approving": "x",
        },
        methods=("get", "post"),
    ),
    "api:consent": Exercise(
        post=lambda patient, place: {"given_by": "patient", "given_on": "2026-01-01"},
        methods=("get", "post"),
    ),
    # The palliative care register: the person's own practice only (the team nurse, of the
    # community nursing team, meets 404 like any outsider).
    "register:register": Exercise(care_team=PRACTICE),
    "register:add": _practice_form("added_on", route="own_request"),
    "register:remove": _practice_form("removed_on", removal_reason="moved_away"),
    "register:surprise_question": _practice_form("recorded_on", would_be_surprised="no"),
    "register:spict": _practice_form("recorded_on", general=["weight_loss"]),
    "register:phase": _practice_form("recorded_on", phase="dying"),
    "practice:not_now": _practice_form("ask_again_on", year="2099", reason="an outsider says so"),
    "practice:review": Exercise(
        extra_kwargs=lambda patient, place: {"meeting_id": Meeting.objects.get().public_id},
        post=lambda patient, place: {"notes": "an outsider says so"},
        methods=("get", "post"),
        care_team=PRACTICE,
    ),
    "patients:care_team_add": Exercise(
        post=lambda patient, place: {"organisation": str(place.hospice.public_id)},
        methods=("get", "post"),
    ),
    "patients:key_contact": Exercise(
        extra_kwargs=lambda patient, place: {"kind": "key-worker"},
        post=lambda patient, place: {
            "membership": str(
                key_contact_candidates(patient, "key_worker")
                .get(user__username="their-gp")
                .public_id
            ),
            "phone": "020 7946 0999",
            "reason": "an outsider says so",
        },
        methods=("get", "post"),
    ),
    "patients:care_team_remove": Exercise(
        extra_kwargs=_nurse_place, post=lambda patient, place: {}, methods=("get", "post")
    ),
}


def _routes(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", route


def patient_url_names() -> set[str]:
    return {
        name for name, route in _routes(get_resolver().url_patterns) if "<uuid:patient_id>" in route
    }


def test_every_patient_url_is_in_the_matrix() -> None:
    found = patient_url_names()
    assert found, "the resolver should have patient URLs"
    assert found == set(PATIENT_URLS), (
        f"add these to PATIENT_URLS: {sorted(found - set(PATIENT_URLS))}; "
        f"remove these: {sorted(set(PATIENT_URLS) - found)}"
    )


def _url(name: str, patient: Patient, place: Place) -> str:
    kwargs = {"patient_id": patient.public_id, **PATIENT_URLS[name].extra_kwargs(patient, place)}
    return reverse(name, kwargs=kwargs)


def _call(client: Client, name: str, method: str, url: str, patient: Patient, place: Place) -> Any:
    """GET, or send the exercise's data: as a form to a page, as JSON to the API."""
    exercise = PATIENT_URLS[name]
    if method == "get":
        return client.get(url)
    assert exercise.post is not None
    data = exercise.post(patient, place)
    if name.startswith("api:"):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _state(patient: Patient) -> tuple[Any, ...]:
    return (
        Patient.objects.count(),
        Patient.objects.filter(pk=patient.pk).values().get(),
        list(CareTeamMember.objects.order_by("pk").values()),
        PatientGroupObjectPermission.objects.count(),
        list(WorkingCopy.objects.values()),
        list(PlanSection.objects.order_by("pk").values()),
        list(PublishedVersion.objects.values_list("pk", flat=True)),
        list(ConsentToShare.objects.values()),
        BreakGlassGrant.objects.count(),
        list(LastingPowerOfAttorney.objects.values()),
        list(PatientAccount.objects.order_by("pk").values()),
        list(Invitation.objects.order_by("pk").values()),
        list(ChangeRequest.objects.values()),
        list(Death.objects.values()),
        list(CarePlan.objects.values()),
        list(Referral.objects.values()),
        list(RegisterEntry.objects.values()),
        list(SurpriseQuestion.objects.values()),
        list(SpictAssessment.objects.values()),
        list(PhaseOfIllness.objects.values()),
        list(NotNow.objects.values()),
        list(Outcome.objects.values()),
        list(MeetingAction.objects.values()),
        list(KeyContact.objects.values()),
        list(ReadinessRecord.objects.values()),
    )


@dataclass(frozen=True)
class World:
    place: Place
    people: dict[str, Membership]
    patient: Patient


MATRIX_PEOPLE = ("their_gp", "team_nurse", *OUTSIDERS)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The patient with consent and a published plan, so every page has something to leak;
    online access too (the person's account, their attorney's LPA with an invitation
    waiting, a request for a change); their care team and every outsider.

    Built once for the module, inside a transaction that is rolled back when the module
    ends: each test runs in a savepoint within it (pytest-django's `db`), so what one test
    changes the next never sees, exactly as if the world were built for each test."""
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        place = build_place()
        people = {name: PEOPLE[name](place) for name in MATRIX_PEOPLE}
        their_gp = people["their_gp"]
        patient = build_patient(place, their_gp)
        consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
        fill(their_gp, patient)
        careplan_publish(actor=their_gp, patient=patient, basis=basis())
        own = make_online_account(
            actor=their_gp, patient=patient, email="winifred@example.com", password=PASSWORD
        )
        invitation_link(
            actor=their_gp,
            patient=patient,
            email="rosa@example.com",
            lpa=make_lpa(actor=their_gp, patient=patient),
        )
        change_request_create(
            actor=own, section_key="about_me", what_should_change="Add my cat, Biscuit"
        )
        register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
        meeting_schedule(actor=their_gp, held_on=today(), attendees="The practice team")
        key_contact_set(
            actor=their_gp,
            patient=patient,
            kind="key_worker",
            membership=people["team_nurse"],
            phone="020 7946 0123",
            reason="Agreed at the practice meeting",
        )
        yield World(place, people, patient)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _each_test_starts_from_the_world_as_built(world: World, db: None) -> None:
    """The shared world's guard: a refusal recorded by an earlier test would let a later
    one pass without refusing anything, so none may be there."""
    assert not AccessEvent.objects.filter(action=Action.DENIED).exists()


@pytest.fixture
def place(world: World, db: None) -> Place:
    return world.place


@pytest.fixture
def patient(world: World, db: None) -> Patient:
    # Loaded afresh: nothing one test caches on the instance reaches the next.
    return Patient.objects.get(pk=world.patient.pk)


@pytest.fixture
def their_gp(world: World, db: None) -> Membership:
    return world.people["their_gp"]


CASES = [
    (persona, name, method)
    for name, exercise in PATIENT_URLS.items()
    for method in exercise.methods
    for persona in (*OUTSIDERS, "team_nurse")
    if persona not in exercise.insiders and persona not in exercise.care_team
]


@pytest.mark.parametrize(("persona", "name", "method"), CASES)
def test_outsiders_get_404_nothing_leaks_nothing_changes_and_the_refusal_is_audited(
    client: Client,
    world: World,
    place: Place,
    patient: Patient,
    persona: str,
    name: str,
    method: str,
) -> None:
    outsider = world.people[persona]
    url = _url(name, patient, place)
    before = _state(patient)
    act_as(client, outsider)
    response = _call(client, name, method, url, patient, place)
    assert response.status_code == 404
    page = response.content.decode()
    for secret in (
        patient.family_name,
        patient.given_name,
        patient.nhs_number,
        patient.nhs_number_display,
    ):
        assert secret.lower() not in page.lower()
    assert _state(patient) == before
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id, user=outsider.user
    ).exists()


READABLE = [name for name, exercise in PATIENT_URLS.items() if "get" in exercise.methods]
PAGES = [name for name in READABLE if not name.startswith("api:")]
API = [name for name in READABLE if name.startswith("api:")]


CARE_TEAM_READS = [(persona, name) for name in READABLE for persona in PATIENT_URLS[name].care_team]


@pytest.mark.parametrize(("persona", "name"), CARE_TEAM_READS)
def test_the_care_team_reaches_every_patient_url_and_each_view_is_audited(
    client: Client,
    world: World,
    place: Place,
    patient: Patient,
    persona: str,
    name: str,
) -> None:
    _reaches_and_is_audited(
        client,
        world.people[persona],
        _url(name, patient, place),
        patient,
        [Action.VIEW, Action.VIEW_PLAN, Action.VIEW_SUMMARY, Action.PRINT],
    )


def _reaches_and_is_audited(
    client: Client, member: Membership, url: str, patient: Patient, actions: list[Action]
) -> None:
    act_as(client, member)
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(
        action__in=actions, patient_public_id=patient.public_id, user=member.user
    ).exists()


@pytest.mark.parametrize("name", PAGES)
def test_signed_out_people_are_sent_to_sign_in(
    client: Client, place: Place, patient: Patient, name: str
) -> None:
    response = client.get(_url(name, patient, place))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisations:sign_in"))


@pytest.mark.parametrize("name", API)
def test_signed_out_callers_of_the_api_get_401(
    client: Client, place: Place, patient: Patient, name: str
) -> None:
    response = client.get(_url(name, patient, place))
    assert response.status_code == 401
    assert patient.family_name not in response.content.decode()


SUMMARY_URLS = [name for name, exercise in PATIENT_URLS.items() if exercise.insiders]


@pytest.mark.parametrize("persona", URGENT_CARE_OF_THE_REGION)
@pytest.mark.parametrize("name", SUMMARY_URLS)
def test_urgent_care_of_the_region_reach_the_summary_urls_and_are_audited(
    client: Client,
    world: World,
    place: Place,
    patient: Patient,
    persona: str,
    name: str,
) -> None:
    _reaches_and_is_audited(
        client,
        world.people[persona],
        _url(name, patient, place),
        patient,
        [Action.VIEW_SUMMARY, Action.PRINT],
    )


ONLINE_CASES = [
    (name, method) for name, exercise in PATIENT_URLS.items() for method in exercise.methods
]


@pytest.mark.parametrize(("name", "method"), ONLINE_CASES)
def test_patients_and_attorneys_get_404_on_every_staff_page_and_nothing_changes(
    client: Client,
    place: Place,
    patient: Patient,
    other_online_patient: PatientAccount,
    name: str,
    method: str,
) -> None:
    """The person's own account, and another patient's, meet staff pages about this person:
    404 for both, nothing leaked to the stranger, nothing changed, the refusal recorded."""
    own = patient.online_accounts.get(role="patient")
    url = _url(name, patient, place)
    for account in (own, other_online_patient):
        before = _state(patient)
        client.force_login(account.user)
        response = _call(client, name, method, url, patient, place)
        assert response.status_code == 404
        if account == other_online_patient:
            page = response.content.decode().lower()
            assert patient.family_name.lower() not in page
            assert patient.nhs_number not in page
        assert _state(patient) == before
        assert AccessEvent.objects.filter(
            action=Action.DENIED, user=account.user, detail__path=url
        ).exists()


ALL_CALLS = [
    (name, method) for name, exercise in PATIENT_URLS.items() for method in exercise.methods
]


@pytest.mark.parametrize(("name", "method"), ALL_CALLS)
def test_a_clinical_system_an_admin_made_reaches_no_patient_url_until_approved(
    client: Client,
    place: Place,
    world: World,
    patient: Patient,
    name: str,
    method: str,
) -> None:
    """The regional-admin-turned-system persona (issue 19, finding 1): a clinician token of
    the patient's own GP practice, made by the admin and not yet approved by a clinical
    lead or the privacy officer. By its token (the API) or its membership (the pages), no
    patient URL answers, nothing leaks and nothing changes."""
    from organisations.tokens import token_create

    made = token_create(
        actor=world.people["regional_admin"],
        organisation=place.practice,
        role=Role.CLINICIAN,
        name="GP system",
    )
    url = _url(name, patient, place)
    before = _state(patient)
    if name.startswith("api:"):
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {made.secret}"
    else:
        act_as(client, made.token.membership)
    response = _call(client, name, method, url, patient, place)
    assert response.status_code in (302, 401, 404), response.status_code
    page = response.content.decode().lower()
    for secret in (patient.family_name, patient.given_name, patient.nhs_number):
        assert secret.lower() not in page
    assert _state(patient) == before
    assert (
        not AccessEvent.objects.filter(
            patient_public_id=patient.public_id, user=made.token.membership.user
        )
        .exclude(action=Action.DENIED)
        .exists()
    )
