"""Co-ordination never buries the most urgent (hazard H8): an assessment with nothing
assessed is refused; the referrer's urgency holds the band up until the centre assesses;
offering free places shows what it will do and waits for a confirmation of that list."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from coordination import selectors, services
from coordination.models import Allocation, CapacitySlot, Referral
from coordination.priority import IPOS_ITEMS, Band, Carer, Needs, Phase
from organisations.models import Membership
from patients.models import Patient
from tests.conftest import Place, act_as
from tests.coordination.conftest import refer
from tests.factories import make_patient

NOTHING = Needs(None, None, [None] * len(IPOS_ITEMS), None)
AMBER_40 = Needs(Phase.DETERIORATING, 40, [2] * 17, Carer.COPING)


def test_an_assessment_with_nothing_assessed_is_refused_and_the_band_stays(
    clock: time_machine.Traveller, their_gp: Membership, patient: Patient, coordinator: Membership
) -> None:
    referral = refer(their_gp, patient, AMBER_40)
    assert (referral.effective_band, referral.score) == (Band.AMBER, 38)
    with pytest.raises(ValidationError, match="Nothing was assessed"):
        services.assessment_record(actor=coordinator, referral=referral, needs=NOTHING)
    referral.refresh_from_db()
    assert referral.assessments.count() == 1
    assert (referral.effective_band, referral.score) == (Band.AMBER, 38)


def test_the_page_refuses_an_empty_assessment_with_the_reason(
    client: Client,
    clock: time_machine.Traveller,
    their_gp: Membership,
    patient: Patient,
    coordinator: Membership,
) -> None:
    referral = refer(their_gp, patient, AMBER_40)
    act_as(client, coordinator)
    url = reverse("coordination:assess", kwargs={"referral_id": referral.public_id})
    page = client.post(url, {}).content.decode()
    assert "Nothing was assessed" in page
    assert referral.assessments.count() == 1


@pytest.mark.parametrize(
    ("urgency", "band"), [("24h", Band.RED), ("3d", Band.AMBER), ("routine", Band.GREEN)]
)
def test_the_referrer_s_urgency_sets_a_provisional_band_until_the_centre_assesses(
    clock: time_machine.Traveller,
    their_gp: Membership,
    patient: Patient,
    coordinator: Membership,
    urgency: str,
    band: Band,
) -> None:
    referral = refer(their_gp, patient, NOTHING, urgency=urgency)
    assert (referral.effective_band, referral.score, referral.provisional) == (band, 0, True)
    [row] = selectors.queue(coordinator)
    assert row.key.band == band
    services.assessment_record(
        actor=coordinator, referral=referral, needs=Needs(Phase.STABLE, 80, [0] * 17, Carer.COPING)
    )
    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.provisional, referral.effective_band) == (False, Band.GREEN)


def test_a_24_hour_referral_without_assessment_ranks_above_an_assessed_amber(
    clock: time_machine.Traveller,
    place: Place,
    their_gp: Membership,
    patient: Patient,
    coordinator: Membership,
) -> None:
    assessed = refer(their_gp, patient, AMBER_40)
    other = make_patient(registered_by=their_gp, practice=place.practice)
    urgent = refer(their_gp, other, NOTHING, urgency="24h")
    rows = selectors.queue(coordinator)
    assert [row.referral for row in rows] == [urgent, assessed]


def test_offering_free_places_shows_the_list_and_offers_exactly_it_on_confirmation(
    client: Client,
    clock: time_machine.Traveller,
    place: Place,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
    slot: CapacitySlot,
) -> None:
    refer(their_gp, patient, AMBER_40)
    refer(their_gp, other_patient, AMBER_40)
    act_as(client, coordinator)
    url = reverse("coordination:propose")
    preview = client.get(url).content.decode()
    assert 'data-testid="proposals"' in preview
    assert patient.full_name in preview
    assert other_patient.full_name in preview
    assert "Offer these 2 places" in preview
    assert not Allocation.objects.exists()
    shown = AccessEvent.objects.filter(action=Action.LIST, user=coordinator.user).latest("id")
    assert shown.detail == {"page": "offer free places", "count": 2}

    stale = client.post(url, {"confirming": "0" * 64}).content.decode()
    assert "changed since you looked" in stale
    assert not Allocation.objects.exists()

    confirming = selectors.proposals_fingerprint(selectors.proposals(coordinator))
    response = client.post(url, {"confirming": confirming})
    assert response.status_code == 302
    assert Allocation.objects.count() == 2
