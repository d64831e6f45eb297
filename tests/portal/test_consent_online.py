"""The person gives or withdraws consent to share online; withdrawal takes effect at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.services import careplan_publish
from consent.models import ConsentToShare, GivenBy
from consent.selectors import active_consent
from consent.services import consent_record
from organisations.models import Membership
from patients.models import Patient
from portal.models import PatientAccount
from tests.careplans.conftest import basis, fill, today
from tests.conftest import act_as

pytestmark = pytest.mark.django_db


def _signed_in(account: PatientAccount) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def test_the_page_says_who_sees_what_in_plain_english(online_patient: PatientAccount) -> None:
    page = _signed_in(online_patient).get(reverse("portal:consent")).content.decode()
    assert "Ambulance crews, NHS 111" in page
    assert "The plan is not shared at the moment" in page


def test_the_person_gives_consent_online(online_patient: PatientAccount, patient: Patient) -> None:
    client = _signed_in(online_patient)
    assert client.post(reverse("portal:consent"), {}).status_code == 302
    consent = active_consent(patient)
    assert consent is not None
    assert consent.given_by == GivenBy.PATIENT
    assert consent.recorded_by == online_patient.user
    assert "The plan is shared" in client.get(reverse("portal:consent")).content.decode()


def test_withdrawal_stops_sharing_at_once(
    client: Client,
    online_patient: PatientAccount,
    patient: Patient,
    their_gp: Membership,
    paramedic: Membership,
) -> None:
    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    careplan_publish(actor=their_gp, patient=patient, basis=basis())
    summary = reverse("careplans:summary", kwargs={"patient_id": patient.public_id})
    crew = act_as(Client(), paramedic)
    assert "No shareable plan" not in crew.get(summary).content.decode()

    person = _signed_in(online_patient)
    person.post(reverse("portal:consent"), {"reason": "I want to talk to my family first"})
    assert active_consent(patient) is None
    withdrawn = ConsentToShare.objects.get()
    assert "the person themselves" in withdrawn.withdrawal_reason
    assert "talk to my family first" in withdrawn.withdrawal_reason
    assert "No shareable plan" in crew.get(summary).content.decode()
    assert AccessEvent.objects.filter(
        action=Action.CONSENT_WITHDRAW, user=online_patient.user
    ).exists()


def test_an_attorney_confirms_the_person_cannot_decide(
    attorney: PatientAccount, patient: Patient
) -> None:
    client = _signed_in(attorney)
    refused = client.post(reverse("portal:consent"), {})
    assert refused.status_code == 200
    assert "Confirm that they cannot make this decision themselves" in refused.content.decode()
    assert active_consent(patient) is None
    client.post(reverse("portal:consent"), {"lacks_capacity_confirmed": "on"})
    consent = active_consent(patient)
    assert consent is not None
    assert consent.given_by == GivenBy.LPA
    assert consent.given_by_name == "Rosa Attwater"
