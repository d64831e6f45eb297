""" "Who looked at my record": everyone else's access, organisation and role but never the
member of staff, newest first, paginated; break-glass highlighted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from audit.services import record
from careplans.services import careplan_publish
from consent.services import consent_record
from organisations.models import Membership
from patients.models import Patient
from patients.services import break_glass
from portal.models import PatientAccount
from portal.selectors import ACCESS_LOG_PAGE_SIZE
from tests.careplans.conftest import basis, fill, today
from tests.conftest import act_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(patient: Patient, their_gp: Membership) -> Patient:
    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    careplan_publish(actor=their_gp, patient=patient, basis=basis())
    return patient


def _log(account: PatientAccount, page: int = 1) -> str:
    client = Client()
    client.force_login(account.user)
    response = client.get(reverse("portal:access_log"), {"page": page})
    assert response.status_code == 200
    return response.content.decode()


def test_the_gps_and_a_paramedics_views_are_listed_by_organisation_not_by_name(
    online_patient: PatientAccount,
    published: Patient,
    their_gp: Membership,
    paramedic: Membership,
) -> None:
    act_as(Client(), their_gp).get(
        reverse("careplans:overview", kwargs={"patient_id": published.public_id})
    )
    act_as(Client(), paramedic).get(
        reverse("careplans:summary", kwargs={"patient_id": published.public_id})
    )
    page = _log(online_patient)
    assert "Highgate Hill Surgery" in page
    assert "Viewed the care plan" in page
    assert paramedic.organisation.name in page
    assert "Viewed the emergency summary" in page
    assert "Urgent care" in page
    assert "Approved and published the care plan" in page
    for member in (their_gp, paramedic):
        for name in (member.user.get_username(), member.user.get_full_name()):
            if name:
                assert name not in page
    # Newest first: the paramedic looked last.
    assert page.index("Viewed the emergency summary") < page.index("Viewed the care plan")
    assert AccessEvent.objects.filter(
        action=Action.VIEW_ACCESS_LOG, user=online_patient.user
    ).exists()


def test_the_persons_own_actions_are_not_listed_but_their_attorneys_are(
    online_patient: PatientAccount, attorney: PatientAccount, published: Patient
) -> None:
    person = Client()
    person.force_login(online_patient.user)
    person.get(reverse("portal:plan"))
    proxy = Client()
    proxy.force_login(attorney.user)
    proxy.get(reverse("portal:plan"))
    page = _log(online_patient)
    assert "Their attorney (lasting power of attorney), online" in page
    own = _log(attorney)
    assert "The person themselves, online" in own


def test_break_glass_is_highlighted(
    online_patient: PatientAccount, published: Patient, out_of_area_paramedic: Membership
) -> None:
    break_glass(
        actor=out_of_area_paramedic,
        patient=published,
        reason="999 call, unresponsive at a friend's house",
    )
    page = _log(online_patient)
    assert "Used emergency access (break glass)" in page
    assert "app-access-break-glass" in page
    assert "Kernow Ambulance Service" in page


def test_refused_attempts_are_listed(
    online_patient: PatientAccount, published: Patient, outsider_clinician: Membership
) -> None:
    act_as(Client(), outsider_clinician).get(
        reverse("careplans:overview", kwargs={"patient_id": published.public_id})
    )
    page = _log(online_patient)
    assert "Tried to open the record and was refused" in page
    assert "Archway Medical Centre" in page


def test_the_log_is_paginated(
    online_patient: PatientAccount, patient: Patient, their_gp: Membership
) -> None:
    for _ in range(ACCESS_LOG_PAGE_SIZE + 3):
        record(actor=their_gp, action=Action.VIEW, patient=patient, detail={"page": "patient"})
    first = _log(online_patient)
    assert "Older" in first
    second = _log(online_patient, 2)
    assert "Newer" in second


def test_each_person_sees_only_their_own_record_log(
    online_patient: PatientAccount,
    other_online_patient: PatientAccount,
    published: Patient,
    their_gp: Membership,
) -> None:
    act_as(Client(), their_gp).get(
        reverse("careplans:overview", kwargs={"patient_id": published.public_id})
    )
    stranger = _log(other_online_patient)
    assert "Viewed the care plan" not in stranger
    assert published.family_name.upper() not in stranger


def test_staff_get_404_on_every_patients_own_page(
    their_gp: Membership, online_patient: PatientAccount
) -> None:
    gp = act_as(Client(), their_gp)
    for name in (
        "portal:home",
        "portal:plan",
        "portal:draft",
        "portal:changes",
        "portal:change_new",
        "portal:consent",
        "portal:access_log",
    ):
        assert gp.get(reverse(name)).status_code == 404
    assert gp.get(reverse("portal:draft_part", kwargs={"slug": "where"})).status_code == 404
    assert gp.get(reverse("portal:choose_account")).status_code == 404
    assert gp.post(reverse("portal:consent"), {}).status_code == 404
    assert gp.post(reverse("portal:draft_submit")).status_code == 404


def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("portal:access_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisations:sign_in"))
