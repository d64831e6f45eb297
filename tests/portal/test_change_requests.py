"""A person asks for a change; the care team sees it beside the current content and answers;
the person sees the status and the answer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import ChangeRequest, ChangeRequestStatus
from careplans.services import careplan_publish
from consent.services import consent_record
from organisations.models import Membership
from patients.models import Patient
from portal.models import PatientAccount
from tests.careplans.conftest import basis, fill, today
from tests.conftest import act_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(patient: Patient, their_gp: Membership) -> Patient:
    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    careplan_publish(actor=their_gp, patient=patient, basis=basis())
    return patient


def _signed_in(account: PatientAccount) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def _ask(client: Client, text: str = "I would now rather die at the hospice") -> object:
    return client.post(
        reverse("portal:change_new"), {"section_key": "preferences", "what_should_change": text}
    )


def test_an_empty_request_gets_a_clear_error_and_nothing_is_saved(
    online_patient: PatientAccount, published: Patient
) -> None:
    client = _signed_in(online_patient)
    response = client.post(reverse("portal:change_new"), {"section_key": "preferences"})
    assert response.status_code == 200
    assert "Say what should change" in response.content.decode()
    blank = client.post(
        reverse("portal:change_new"), {"section_key": "preferences", "what_should_change": "   "}
    )
    assert "Say what should change" in blank.content.decode()
    unknown = client.post(
        reverse("portal:change_new"), {"section_key": "nonsense", "what_should_change": "x"}
    )
    assert "Choose one of the parts listed" in unknown.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_request_reaches_the_care_team_beside_the_current_content_and_is_answered(
    online_patient: PatientAccount, published: Patient, their_gp: Membership
) -> None:
    person = _signed_in(online_patient)
    assert _ask(person).status_code == 302  # type: ignore[attr-defined]
    request = ChangeRequest.objects.get()
    assert request.status == ChangeRequestStatus.RECEIVED
    assert AccessEvent.objects.filter(
        action=Action.CHANGE_REQUEST, patient_public_id=published.public_id
    ).exists()
    listed = person.get(reverse("portal:changes")).content.decode()
    assert "Received" in listed
    assert "rather die at the hospice" in listed

    gp = act_as(Client(), their_gp)
    assert "Preferences" in gp.get(reverse("portal:queue")).content.decode()
    url = reverse(
        "careplans:change_request",
        kwargs={"patient_id": published.public_id, "request_id": request.public_id},
    )
    page = gp.get(url).content.decode()
    assert "rather die at the hospice" in page
    assert "In version 1 (published)" in page
    assert "Home" in page  # the current preferred place, in plain English beside the request

    gp.post(url, {"status": "in_progress", "response": "We will visit on Tuesday"})
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.IN_PROGRESS
    assert "We will visit on Tuesday" in person.get(reverse("portal:changes")).content.decode()

    gp.post(url, {"status": "done", "response": "Changed in version 2"})
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.DONE
    assert request.handled_by_organisation == "Highgate Hill Surgery"
    shown = person.get(reverse("portal:changes")).content.decode()
    assert "Done" in shown
    assert "Answer from Highgate Hill Surgery" in shown
    assert (
        AccessEvent.objects.filter(action=Action.CHANGE_REQUEST_UPDATE, user=their_gp.user).count()
        == 2
    )


def test_declining_needs_a_reason_the_person_sees(
    online_patient: PatientAccount, published: Patient, their_gp: Membership
) -> None:
    _ask(_signed_in(online_patient))
    request = ChangeRequest.objects.get()
    gp = act_as(Client(), their_gp)
    url = reverse(
        "careplans:change_request",
        kwargs={"patient_id": published.public_id, "request_id": request.public_id},
    )
    refused = gp.post(url, {"status": "declined", "response": ""})
    assert refused.status_code == 200
    assert "Say why the change will not be made" in refused.content.decode()
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.RECEIVED
    gp.post(url, {"status": "declined", "response": "Let us talk about this at your next visit"})
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.DECLINED
    shown = _signed_in(online_patient).get(reverse("portal:changes")).content.decode()
    assert "Declined" in shown
    assert "Let us talk about this at your next visit" in shown
    again = gp.post(url, {"status": "done", "response": ""})
    assert again.status_code == 200
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.DECLINED


def test_an_attorney_asks_for_the_person_they_represent(
    attorney: PatientAccount, published: Patient
) -> None:
    _ask(_signed_in(attorney))
    request = ChangeRequest.objects.get()
    assert request.patient == published
    assert request.requested_by_role == "lpa_proxy"


def test_a_clinician_outside_the_team_gets_404_and_nothing_changes(
    online_patient: PatientAccount, published: Patient, outsider_clinician: Membership
) -> None:
    _ask(_signed_in(online_patient))
    request = ChangeRequest.objects.get()
    outsider = act_as(Client(), outsider_clinician)
    url = reverse(
        "careplans:change_request",
        kwargs={"patient_id": published.public_id, "request_id": request.public_id},
    )
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"status": "declined", "response": "no"}).status_code == 404
    assert "rather die" not in outsider.get(reverse("portal:queue")).content.decode()
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.RECEIVED


def test_a_request_id_of_another_patient_is_404(
    online_patient: PatientAccount,
    published: Patient,
    other_patient: Patient,
    their_gp: Membership,
) -> None:
    _ask(_signed_in(online_patient))
    request = ChangeRequest.objects.get()
    gp = act_as(Client(), their_gp)
    url = reverse(
        "careplans:change_request",
        kwargs={"patient_id": other_patient.public_id, "request_id": request.public_id},
    )
    assert gp.get(url).status_code == 404
