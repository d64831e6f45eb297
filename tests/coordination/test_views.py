"""The co-ordination pages as their people meet them, and as outsiders do: every page
answers 404 (or 403 for a role that has no such page), leaks nothing, changes nothing and is
recorded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from coordination.models import Allocation, CapacitySlot, Referral, ServiceTarget, Status
from organisations.models import Membership
from patients.models import Patient
from tests.conftest import act_as
from tests.coordination.conftest import UNSTABLE, refer

pytestmark = pytest.mark.django_db

NEEDS_FORM = {
    "phase": "unstable",
    "akps": "30",
    "carer": "struggling",
    **{f"ipos_{i}": "2" for i in range(1, 18)},
}


def _referral_pages(referral: Referral, allocation: Allocation) -> list[tuple[str, str]]:
    """(method, url) of every page about one referral."""
    rid = referral.public_id
    return [
        ("get", reverse("coordination:referral", kwargs={"referral_id": rid})),
        ("post", reverse("coordination:triage", kwargs={"referral_id": rid})),
        ("get", reverse("coordination:assess", kwargs={"referral_id": rid})),
        ("post", reverse("coordination:assess", kwargs={"referral_id": rid})),
        ("get", reverse("coordination:override", kwargs={"referral_id": rid})),
        ("post", reverse("coordination:override", kwargs={"referral_id": rid})),
        ("get", reverse("coordination:offer", kwargs={"referral_id": rid})),
        ("post", reverse("coordination:offer", kwargs={"referral_id": rid})),
        ("get", reverse("coordination:close", kwargs={"referral_id": rid})),
        ("post", reverse("coordination:close", kwargs={"referral_id": rid})),
        ("get", reverse("coordination:allocation", kwargs={"allocation_id": allocation.public_id})),
        (
            "post",
            reverse("coordination:allocation", kwargs={"allocation_id": allocation.public_id}),
        ),
    ]


@pytest.fixture
def offered(referral: Referral, lead: Membership, slot: CapacitySlot) -> Allocation:
    from coordination.services import allocation_offer

    return allocation_offer(actor=lead, referral=referral, slot=slot)


def test_a_gp_refers_from_the_patient_s_page_and_follows_the_referral(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": patient.public_id}))
    referrals_url = reverse(
        "coordination:patient_referrals", kwargs={"patient_id": patient.public_id}
    )
    assert referrals_url in page.content.decode()
    assert "Refer for care" in client.get(referrals_url).content.decode()
    refer_url = reverse("coordination:refer", kwargs={"patient_id": patient.public_id})
    form = client.get(refer_url).content.decode()
    assert "IPOS 17: Practical problems addressed" in form
    response = client.post(
        refer_url,
        {
            **NEEDS_FORM,
            "services": ["night_sitting", "personal_care"],
            "urgency": "24h",
            "reason": "Carer exhausted",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.services == ["night_sitting", "personal_care"]
    assert referral.effective_band == "red"
    listed = client.get(referrals_url).content.decode()
    assert "Night sitting, Personal care" in listed
    assert "Received" in listed
    assert AccessEvent.objects.filter(
        action=Action.REFER, patient_public_id=patient.public_id
    ).exists()


def test_a_bad_referral_shows_clear_errors_and_saves_nothing(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    refer_url = reverse("coordination:refer", kwargs={"patient_id": patient.public_id})
    response = client.post(
        refer_url, {**NEEDS_FORM, "akps": "35", "ipos_1": "5", "urgency": "24h", "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Choose at least one service",
        "Say why you are referring",
        "AKPS must be a multiple of 10 from 0 to 100",
        "Pain: score from 0 to 4",
    ):
        assert message in page
    assert 'value="struggling" checked' in page  # what was entered is kept
    assert not Referral.objects.exists()


def test_the_coordinator_works_the_queue(
    client: Client,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    lead: Membership,
    slot: CapacitySlot,
) -> None:
    stable = refer(their_gp, patient)
    unstable = refer(their_gp, other_patient, UNSTABLE)
    act_as(client, lead)
    queue = client.get(reverse("coordination:queue")).content.decode()
    assert queue.index(other_patient.full_name) < queue.index(patient.full_name)
    assert "Unstable <strong>+30</strong>" in queue
    url = reverse("coordination:referral", kwargs={"referral_id": stable.public_id})
    page = client.get(url).content.decode()
    assert "number 2 of 2 in the queue" in page
    client.post(reverse("coordination:triage", kwargs={"referral_id": stable.public_id}))
    # A new assessment puts the stable one first.
    assess = reverse("coordination:assess", kwargs={"referral_id": stable.public_id})
    assert client.post(assess, {**NEEDS_FORM, "phase": "dying", "ipos_2": "4"}).status_code == 302
    queue = client.get(reverse("coordination:queue")).content.decode()
    assert queue.index(patient.full_name) < queue.index(other_patient.full_name)
    # The lead moves the unstable one to Amber, with a reason.
    band = reverse("coordination:override", kwargs={"referral_id": unstable.public_id})
    assert "Say why the band should change" in client.post(band, {"band": "amber"}).content.decode()
    assert client.post(band, {"band": "amber", "reason": "Settled overnight"}).status_code == 302
    unstable.refresh_from_db()
    assert unstable.effective_band == "amber"
    # A place, then the provider's answer.
    offer = reverse("coordination:offer", kwargs={"referral_id": stable.public_id})
    assert "Heathside Hospice at Home: Night sitting" in client.get(offer).content.decode()
    assert client.post(offer, {"slot": str(slot.public_id)}).status_code == 302
    allocation = Allocation.objects.get()
    answer = reverse("coordination:allocation", kwargs={"allocation_id": allocation.public_id})
    assert "Say why" in client.post(answer, {"status": "declined"}).content.decode()
    assert client.post(answer, {"status": "accepted"}).status_code == 302
    stable.refresh_from_db()
    assert stable.status == Status.ALLOCATED
    dashboard = client.get(reverse("coordination:dashboard")).content.decode()
    assert "Placed within target this week" in dashboard
    close = reverse("coordination:close", kwargs={"referral_id": unstable.public_id})
    assert client.post(close, {"note": "Admitted to the hospice"}).status_code == 302
    unstable.refresh_from_db()
    assert unstable.status == Status.CLOSED
    for action in (
        Action.VIEW_REFERRAL,
        Action.TRIAGE,
        Action.ASSESS_NEEDS,
        Action.PRIORITY_OVERRIDE,
        Action.ALLOCATE,
        Action.ALLOCATION_UPDATE,
        Action.REFERRAL_CLOSE,
    ):
        assert AccessEvent.objects.filter(action=action).exists(), action


def test_a_case_manager_who_is_not_the_lead_cannot_move_a_band(
    client: Client, referral: Referral, case_manager: Membership
) -> None:
    act_as(client, case_manager)
    url = reverse("coordination:override", kwargs={"referral_id": referral.public_id})
    assert client.get(url).status_code == 403
    assert client.post(url, {"band": "red", "reason": "x"}).status_code == 403
    referral.refresh_from_db()
    assert referral.override_band == ""
    assert AccessEvent.objects.filter(action=Action.DENIED).exists()


@pytest.mark.parametrize(
    "outsider",
    ["other_region_coordinator", "outsider_clinician", "their_gp", "paramedic", "regional_admin"],
)
def test_outsiders_meet_404_or_403_on_every_referral_page_and_nothing_changes(
    request: pytest.FixtureRequest,
    client: Client,
    referral: Referral,
    offered: Allocation,
    patient: Patient,
    outsider: str,
) -> None:
    membership: Membership = request.getfixturevalue(outsider)
    act_as(client, membership)
    before = (Referral.objects.get().status, Allocation.objects.get().status)
    for method, url in _referral_pages(referral, offered):
        data = {**NEEDS_FORM, "band": "red", "reason": "x", "note": "x", "status": "accepted"}
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code in (403, 404), (method, url)
        assert patient.family_name not in response.content.decode()
    for url in (
        reverse("coordination:queue"),
        reverse("coordination:dashboard"),
        reverse("coordination:propose"),
    ):
        response = client.get(url)
        assert response.status_code in (200, 403)
        assert patient.family_name not in response.content.decode()
    assert client.post(reverse("coordination:propose")).status_code in (200, 403)
    assert (Referral.objects.get().status, Allocation.objects.get().status) == before
    assert referral.assessments.count() == 1
    assert AccessEvent.objects.filter(action=Action.DENIED, user=membership.user).exists()


@pytest.mark.parametrize("outsider", ["outsider_clinician", "coordinator", "paramedic"])
def test_outsiders_meet_404_on_the_patient_s_referral_pages(
    request: pytest.FixtureRequest,
    client: Client,
    referral: Referral,
    patient: Patient,
    outsider: str,
) -> None:
    act_as(client, request.getfixturevalue(outsider))
    listing = reverse("coordination:patient_referrals", kwargs={"patient_id": patient.public_id})
    refer_url = reverse("coordination:refer", kwargs={"patient_id": patient.public_id})
    for response in (
        client.get(listing),
        client.get(refer_url),
        client.post(
            refer_url, {**NEEDS_FORM, "services": ["equipment"], "urgency": "24h", "reason": "x"}
        ),
    ):
        assert response.status_code == 404
        assert patient.family_name not in response.content.decode()
    assert Referral.objects.count() == 1
    assert (
        AccessEvent.objects.filter(
            action=Action.DENIED, patient_public_id=patient.public_id
        ).count()
        == 3
    )


def test_the_lead_edits_the_targets_and_a_case_manager_cannot(
    client: Client, lead: Membership, case_manager: Membership
) -> None:
    url = reverse("coordination:targets")
    act_as(client, case_manager)
    assert client.get(url).status_code == 403
    act_as(client, lead)
    page = client.get(url).content.decode()
    assert "Night sitting, Red, hours" in page
    form = {
        f"{service}_{band}": hours
        for service in (
            "hospice_at_home",
            "night_sitting",
            "personal_care",
            "rapid_response",
            "equipment",
            "fast_track_chc",
            "specialist_review",
        )
        for band, hours in (("red", "24"), ("amber", "72"), ("green", "240"))
    }
    refused = client.post(url, {**form, "night_sitting_red": "soon"}).content.decode()
    assert "Enter a whole number of hours from 1 to 2,000" in refused
    assert client.post(url, {**form, "night_sitting_red": "12"}).status_code == 302
    assert ServiceTarget.objects.get().hours == 12
