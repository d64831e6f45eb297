"""Break-glass: emergency access outside one's regions or care teams, on a stated reason,
for four hours, audited and shown to the care team."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from organisations.models import Membership
from patients.models import BreakGlassGrant, Patient
from tests.conftest import Place, act_as, confirm_identity
from tests.factories import make_member

REASON = "999 call: collapsed at a friend's house in Truro, visiting from London"


def break_glass(client: Client, reason: str = REASON, nhs_number: str = "4857773457"):
    confirm_identity(client)  # emergency access asks for the password again
    return client.post(
        reverse("patients:break_glass"), {"reason": reason, "nhs_number": nhs_number}
    )


def summary_url(patient: Patient) -> str:
    return reverse("careplans:summary", kwargs={"patient_id": patient.public_id})


def test_outside_the_area_no_patient_is_found_and_the_summary_is_404_until_glass_is_broken(
    client: Client, out_of_area_paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, out_of_area_paramedic)
    found = client.post(reverse("patients:emergency_find"), {"nhs_number": "4857773457"})
    assert "No patient found" in found.content.decode()
    assert client.get(summary_url(patient)).status_code == 404

    response = break_glass(client)
    assert response.status_code == 302
    assert response["Location"] == summary_url(patient)
    page = client.get(summary_url(patient)).content.decode()
    assert "Not for CPR" in page
    assert "Emergency access until" in page
    assert "collapsed at a friend" in page

    grant = BreakGlassGrant.objects.get()
    assert grant.membership == out_of_area_paramedic
    assert grant.expires_at - grant.granted_at == dt.timedelta(hours=4)
    event = AccessEvent.objects.get(action=Action.BREAK_GLASS)
    assert event.patient_public_id == patient.public_id
    assert event.reason == REASON
    assert AccessEvent.objects.get(action=Action.VIEW_SUMMARY).detail["break_glass"] is True


def test_the_grant_ends_after_four_hours(
    client: Client, out_of_area_paramedic: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        act_as(client, out_of_area_paramedic)
        break_glass(client)
    with time_machine.travel(start + dt.timedelta(hours=3, minutes=59), tick=False):
        act_as(client, out_of_area_paramedic)
        assert client.get(summary_url(patient)).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=4, minutes=1), tick=False):
        act_as(client, out_of_area_paramedic)
        assert client.get(summary_url(patient)).status_code == 404


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason you need emergency access"),
        ("   ", "Give the reason you need emergency access"),
        ("emergency", "Say why you need emergency access in a few words"),
    ],
)
def test_an_empty_or_one_word_reason_is_refused_and_nothing_is_granted(
    client: Client,
    out_of_area_paramedic: Membership,
    published: PublishedVersion,
    reason: str,
    message: str,
) -> None:
    act_as(client, out_of_area_paramedic)
    response = break_glass(client, reason=reason)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.BREAK_GLASS).exists()


def test_an_unknown_person_is_not_found_and_nothing_is_granted(
    client: Client, out_of_area_paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, out_of_area_paramedic)
    page = break_glass(client, nhs_number="943 476 5919").content.decode()
    assert "No patient found" in page
    assert not BreakGlassGrant.objects.exists()


def test_the_care_team_sees_the_emergency_access_on_the_patient_page(
    client: Client,
    out_of_area_paramedic: Membership,
    team_nurse: Membership,
    published: PublishedVersion,
) -> None:
    patient = published.plan.patient
    act_as(client, out_of_area_paramedic)
    break_glass(client)
    act_as(client, team_nurse)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": patient.public_id}))
    text = page.content.decode()
    assert "Emergency access by <strong>Kernow Ambulance Service</strong>" in text
    assert timezone.localtime().strftime("%-d %B %Y") in text
    assert "collapsed at a friend" in text


def test_a_clinician_outside_the_care_team_breaks_glass_for_the_summary_only(
    client: Client, outsider_clinician: Membership, published: PublishedVersion
) -> None:
    patient = published.plan.patient
    act_as(client, outsider_clinician)
    assert client.get(summary_url(patient)).status_code == 404
    assert break_glass(client).status_code == 302
    assert client.get(summary_url(patient)).status_code == 200
    for name in ("careplans:overview", "patients:detail", "careplans:plan_pdf"):
        url = reverse(name, kwargs={"patient_id": patient.public_id})
        assert client.get(url).status_code == 404


def test_someone_who_can_already_open_the_summary_needs_no_grant(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, paramedic)
    response = break_glass(client)
    assert response["Location"] == summary_url(published.plan.patient)
    assert not BreakGlassGrant.objects.exists()


def test_the_grant_belongs_to_the_membership_it_was_made_in(
    client: Client,
    place: Place,
    out_of_area_paramedic: Membership,
    published: PublishedVersion,
) -> None:
    act_as(client, out_of_area_paramedic)
    break_glass(client)
    # The same person, also a GP in the other region, acting there.
    same_person_elsewhere = make_member(
        place.other_region_practice, username=out_of_area_paramedic.user.username
    )
    assert same_person_elsewhere.user == out_of_area_paramedic.user
    act_as(client, same_person_elsewhere)
    assert client.get(summary_url(published.plan.patient)).status_code == 404


@pytest.mark.parametrize("persona", ["regional_admin", "coordinator"])
def test_roles_without_break_glass_are_refused(
    client: Client, request: pytest.FixtureRequest, persona: str, published: PublishedVersion
) -> None:
    act_as(client, request.getfixturevalue(persona))
    assert client.get(reverse("patients:break_glass")).status_code == 403
    assert break_glass(client).status_code == 403
    assert not BreakGlassGrant.objects.exists()


def test_refusals_say_why_in_the_patients_own_stream(
    client: Client,
    out_of_area_paramedic: Membership,
    paramedic: Membership,
    published: PublishedVersion,
) -> None:
    patient = published.plan.patient
    act_as(client, out_of_area_paramedic)
    client.get(summary_url(patient))
    act_as(client, paramedic)
    client.get(reverse("careplans:overview", kwargs={"patient_id": patient.public_id}))
    reasons = dict(
        AccessEvent.objects.filter(
            action=Action.DENIED, patient_public_id=patient.public_id
        ).values_list("user__username", "reason")
    )
    assert reasons[out_of_area_paramedic.user.username] == (
        "outside the regions and care teams it may see, with no emergency access"
    )
    assert reasons[paramedic.user.username] == "the acting role cannot open this page"


def test_emergency_access_asks_for_the_password_again_first(
    client: Client, out_of_area_paramedic: Membership, published: PublishedVersion
) -> None:
    """Issue 19's controls: a session left open is not enough for emergency access."""
    out_of_area_paramedic.user.set_password("correct-horse-battery-staple")
    out_of_area_paramedic.user.save()
    act_as(client, out_of_area_paramedic)
    url = reverse("patients:break_glass")
    for response in (
        client.get(url),
        client.post(url, {"reason": REASON, "nhs_number": "4857773457"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("organisations:reauthenticate"))
    assert not BreakGlassGrant.objects.exists()
    confirm = client.post(
        f"{reverse('organisations:reauthenticate')}?next={url}",
        {"password": "wrong", "next": url},
    )
    assert "did not match" in confirm.content.decode()
    confirmed = client.post(
        reverse("organisations:reauthenticate"),
        {"password": "correct-horse-battery-staple", "next": url},
    )
    assert confirmed["Location"] == url
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(action=Action.REAUTHENTICATE).count() == 1
