"""The named people every test speaks of.

A patient registered at their GP practice with a community nurse in the care team; their GP;
a clinician outside the team (same region); a clinician in another region; a paramedic and
a 111 call handler whose services cover the region; a paramedic whose service does not; a
regional admin; a co-ordinator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import settings as hypothesis_settings

from organisations.acting import SESSION_KEY
from organisations.models import Membership, Organisation, OrganisationKind, Region, Role
from patients.models import Patient
from patients.services import care_team_add
from portal.models import PatientAccount
from tests.clock import parse_moment
from tests.factories import (
    make_lpa,
    make_member,
    make_online_account,
    make_organisation,
    make_patient,
    make_region,
)

PASSWORD = "correct-horse-battery-staple"

# The same examples on every run: tests are deterministic.
hypothesis_settings.register_profile("deterministic", derandomize=True, deadline=None)
hypothesis_settings.load_profile("deterministic")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="MOMENT",
        help="run the suite with the clock moved to MOMENT (London time, e.g. 2028-02-29T23:30), "
        "ticking from there",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module is imported: a moved clock is in force for everything."""
    text = config.getoption("--clock")
    if text:
        traveller = time_machine.travel(parse_moment(text), tick=True)
        traveller.start()
        config.stash[_MOVED_CLOCK] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_MOVED_CLOCK, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    text = config.getoption("--clock")
    return f"clock moved to {parse_moment(text).isoformat()} (ticking)" if text else None


_MOVED_CLOCK = pytest.StashKey[time_machine.travel]()


@pytest.fixture(autouse=True)
def _fresh_address_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits per client address count each test's own requests: every test client comes
    from 127.0.0.1, and the shared Redis is never flushed."""
    import uuid

    import django_ratelimit.core
    from django.core.cache.backends.locmem import LocMemCache

    # LocMemCaches of one name share their store: a new name is a new, empty cache.
    fresh = LocMemCache(f"address-limits-{uuid.uuid4()}", {})
    monkeypatch.setattr(django_ratelimit.core, "caches", {"default": fresh})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests sign people in and set passwords by the hundred: a deliberately slow hash
    would spend minutes on it. Production keeps Django's default (PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process() -> None:
    """Tasks queued by the code under test run at once, in the test, as in `make run`.
    The one test of a real worker on Redis (tests/reminders/test_worker.py) turns it off."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@dataclass
class Place:
    region: Region
    other_region: Region
    practice: Organisation
    nursing: Organisation
    hospice: Organisation
    outsider_practice: Organisation
    other_region_practice: Organisation
    ambulance: Organisation
    other_region_ambulance: Organisation
    nhs111: Organisation
    coordination: Organisation


def build_place() -> Place:
    """The regions and organisations every test speaks of (the `place` fixture; a shared
    world built once per module calls it too)."""
    region = make_region("North Central London")
    other = make_region("Cornwall and the Isles of Scilly")
    return Place(
        region=region,
        other_region=other,
        practice=make_organisation(
            kind=OrganisationKind.GP_PRACTICE, region=region, name="Highgate Hill Surgery"
        ),
        nursing=make_organisation(
            kind=OrganisationKind.COMMUNITY_NURSING,
            region=region,
            name="Islington Community Nursing",
        ),
        hospice=make_organisation(
            kind=OrganisationKind.HOSPICE, region=region, name="Heathside Hospice"
        ),
        outsider_practice=make_organisation(
            kind=OrganisationKind.GP_PRACTICE, region=region, name="Archway Medical Centre"
        ),
        other_region_practice=make_organisation(
            kind=OrganisationKind.GP_PRACTICE, region=other, name="Truro Riverside Surgery"
        ),
        ambulance=make_organisation(
            kind=OrganisationKind.AMBULANCE_SERVICE, region=region, also_serves=(other,)
        ),
        # Serves the other region only: our patient is outside its area.
        other_region_ambulance=make_organisation(
            kind=OrganisationKind.AMBULANCE_SERVICE, region=other, name="Kernow Ambulance Service"
        ),
        nhs111=make_organisation(kind=OrganisationKind.NHS111, region=region),
        coordination=make_organisation(kind=OrganisationKind.COORDINATION_CENTRE, region=region),
    )


# The named people, by fixture name: who they are and where they work.
PEOPLE: dict[str, Callable[[Place], Membership]] = {
    "their_gp": lambda place: make_member(
        place.practice, username="their-gp", senior=True, lead=True, password=PASSWORD
    ),
    "team_nurse": lambda place: make_member(place.nursing, username="team-nurse"),
    "outsider_clinician": lambda place: make_member(
        place.outsider_practice, username="outsider-gp", senior=True
    ),
    "other_region_clinician": lambda place: make_member(
        place.other_region_practice, username="other-region-gp", senior=True
    ),
    "paramedic": lambda place: make_member(place.ambulance, Role.URGENT_CARE, username="paramedic"),
    "out_of_area_paramedic": lambda place: make_member(
        place.other_region_ambulance, Role.URGENT_CARE, username="kernow-paramedic"
    ),
    "call_handler": lambda place: make_member(
        place.nhs111, Role.URGENT_CARE, username="call-handler"
    ),
    "regional_admin": lambda place: make_member(
        place.coordination, Role.REGIONAL_ADMIN, username="regional-admin"
    ),
    "coordinator": lambda place: make_member(
        place.coordination, Role.COORDINATOR, username="coordinator"
    ),
}


def build_patient(place: Place, their_gp: Membership) -> Patient:
    """Winifred, registered at their GP's practice, with the community nurses in her care
    team (the team nurse must exist first, to be part of it)."""
    patient = make_patient(
        registered_by=their_gp,
        practice=place.practice,
        given_name="Winifred",
        family_name="Attwater",
        nhs_number="4857773457",
        date_of_birth=dt.date(1940, 12, 4),
    )
    care_team_add(actor=their_gp, patient=patient, organisation=place.nursing)
    return patient


@pytest.fixture
def place(db: None) -> Place:
    return build_place()


@pytest.fixture
def their_gp(place: Place) -> Membership:
    return PEOPLE["their_gp"](place)


@pytest.fixture
def team_nurse(place: Place) -> Membership:
    return PEOPLE["team_nurse"](place)


@pytest.fixture
def patient(place: Place, their_gp: Membership, team_nurse: Membership) -> Patient:
    return build_patient(place, their_gp)


@pytest.fixture
def online_patient(patient: Patient, their_gp: Membership) -> PatientAccount:
    """Winifred herself, online."""
    return make_online_account(
        actor=their_gp, patient=patient, email="winifred@example.com", password=PASSWORD
    )


@pytest.fixture
def attorney(patient: Patient, their_gp: Membership) -> PatientAccount:
    """Winifred's daughter, her attorney (LPA for health and welfare), online."""
    lpa = make_lpa(actor=their_gp, patient=patient)
    return make_online_account(
        actor=their_gp, patient=patient, email="rosa@example.com", password=PASSWORD, lpa=lpa
    )


@pytest.fixture
def other_patient(place: Place, their_gp: Membership) -> Patient:
    return make_patient(
        registered_by=their_gp,
        practice=place.practice,
        given_name="Bartholomew",
        family_name="Quigley",
        date_of_birth=dt.date(1938, 6, 2),
    )


@pytest.fixture
def other_online_patient(other_patient: Patient, their_gp: Membership) -> PatientAccount:
    """Another patient of the same practice, online: a stranger to Winifred's record."""
    return make_online_account(
        actor=their_gp, patient=other_patient, email="bart@example.com", password=PASSWORD
    )


@pytest.fixture
def outsider_clinician(place: Place) -> Membership:
    return PEOPLE["outsider_clinician"](place)


@pytest.fixture
def other_region_clinician(place: Place) -> Membership:
    return PEOPLE["other_region_clinician"](place)


@pytest.fixture
def paramedic(place: Place) -> Membership:
    return PEOPLE["paramedic"](place)


@pytest.fixture
def out_of_area_paramedic(place: Place) -> Membership:
    return PEOPLE["out_of_area_paramedic"](place)


@pytest.fixture
def call_handler(place: Place) -> Membership:
    return PEOPLE["call_handler"](place)


@pytest.fixture
def regional_admin(place: Place) -> Membership:
    return PEOPLE["regional_admin"](place)


@pytest.fixture
def coordinator(place: Place) -> Membership:
    return PEOPLE["coordinator"](place)


OUTSIDERS = [
    "outsider_clinician",
    "other_region_clinician",
    "paramedic",
    "call_handler",
    "out_of_area_paramedic",
    "regional_admin",
    "coordinator",
]


def act_as(client: Client, membership: Membership) -> Client:
    """Sign in as the membership's person, acting in that membership."""
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = str(membership.public_id)
    session.save()
    return client


def confirm_identity(client: Client) -> Client:
    """As if the person had just entered their password again (organisations/two_factor.py):
    emergency access and system access ask for it."""
    from django.utils import timezone

    from organisations.two_factor import REAUTHENTICATED_AT

    session = client.session
    session[REAUTHENTICATED_AT] = timezone.now().isoformat()
    session.save()
    return client
