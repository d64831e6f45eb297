"""A region's co-ordination centre with its clinical lead and a case manager, a provider
with a slot of two places, and the people who must not see any of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from coordination import services
from coordination.models import CapacitySlot, Provider, Referral, Service
from coordination.priority import Carer, Needs, Phase
from organisations.models import Membership, OrganisationKind, Role
from patients.models import Patient
from tests.conftest import PASSWORD, Place
from tests.factories import make_member, make_organisation

# A frozen UTC clock: Monday 2 November 2026, 09:00.
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
STABLE = Needs(Phase.STABLE, 60, [1] * 17, Carer.COPING)
UNSTABLE = Needs(Phase.UNSTABLE, 40, [2] * 17, Carer.STRUGGLING)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lead(place: Place) -> Membership:
    return make_member(
        place.coordination,
        Role.COORDINATOR,
        username="clinical-lead",
        lead=True,
        password=PASSWORD,
    )


@pytest.fixture
def case_manager(place: Place) -> Membership:
    return make_member(place.coordination, Role.COORDINATOR, username="case-manager")


@pytest.fixture
def other_region_coordinator(place: Place) -> Membership:
    centre = make_organisation(
        kind=OrganisationKind.COORDINATION_CENTRE, region=place.other_region, name="Kernow Centre"
    )
    return make_member(centre, Role.COORDINATOR, username="kernow-coordinator", lead=True)


@pytest.fixture
def slot(place: Place) -> CapacitySlot:
    provider = Provider.objects.create(region=place.region, name="Heathside Hospice at Home")
    today = timezone.localdate()
    return CapacitySlot.objects.create(
        provider=provider,
        service=Service.NIGHT_SITTING,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        capacity=2,
    )


def refer(
    gp: Membership,
    patient: Patient,
    needs: Needs = STABLE,
    services_: tuple[str, ...] = (Service.NIGHT_SITTING,),
    urgency: str = "routine",
) -> Referral:
    """A referral ranked by its needs alone: a routine one, so that the referrer's urgency
    (which holds the band up until the centre assesses) does not lift it."""
    return services.referral_create(
        actor=gp,
        patient=patient,
        services=list(services_),
        reason="Carer exhausted at night",
        urgency=urgency,
        needs=needs,
    )


@pytest.fixture
def referral(their_gp: Membership, patient: Patient) -> Referral:
    return refer(their_gp, patient)
