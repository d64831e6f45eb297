"""Anyone may ask their GP practice for online access; nothing is made until a clinician of
that practice approves, and the invitation goes only to the email address on the record."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import Membership
from patients.models import Patient
from portal.models import AccountRequest, AccountRequestStatus, Invitation
from tests.conftest import Place, act_as

pytestmark = pytest.mark.django_db


def _ask(patient: Patient, place: Place, **overrides: str) -> object:
    data = {
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth_0": str(patient.date_of_birth.day),
        "date_of_birth_1": str(patient.date_of_birth.month),
        "date_of_birth_2": str(patient.date_of_birth.year),
        "nhs_number": patient.nhs_number,
        "email": "winifred@example.com",
        "practice": str(place.practice.pk),
    }
    return Client().post(reverse("portal:request_account"), {**data, **overrides})


@pytest.fixture
def with_email(patient: Patient) -> Patient:
    patient.email = "winifred@example.com"
    patient.save()
    return patient


def test_anyone_may_ask_and_is_told_the_same_whoever_they_are(
    patient: Patient, place: Place
) -> None:
    known = _ask(patient, place)
    unknown = _ask(patient, place, nhs_number="9434765919", email="someone@example.com")
    for response in (known, unknown):
        assert response.status_code == 200  # type: ignore[attr-defined]
        assert "Request sent" in response.content.decode()  # type: ignore[attr-defined]
    assert AccountRequest.objects.filter(status=AccountRequestStatus.PENDING).count() == 2
    assert not Invitation.objects.exists()
    assert AccessEvent.objects.filter(action=Action.ACCOUNT_REQUEST).count() == 2


def test_bad_input_is_a_clear_error_and_nothing_is_saved(patient: Patient, place: Place) -> None:
    response = _ask(patient, place, nhs_number="1234567890", email="nope")
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Enter an email address like name@example.com" in page
    assert "NHS number" in page
    assert not AccountRequest.objects.exists()


def test_the_practice_approves_and_the_invitation_goes_to_the_email_on_record(
    with_email: Patient,
    place: Place,
    their_gp: Membership,
    django_capture_on_commit_callbacks: object,
) -> None:
    _ask(with_email, place)
    request = AccountRequest.objects.get()
    gp = act_as(Client(), their_gp)
    assert with_email.given_name in gp.get(reverse("portal:queue")).content.decode()
    url = reverse("portal:account_request", kwargs={"request_id": request.public_id})
    assert gp.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = gp.post(url, {"decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.APPROVED
    assert request.invitation is not None
    assert request.invitation.patient == with_email
    assert mail.outbox[-1].to == ["winifred@example.com"]
    assert AccessEvent.objects.filter(
        action=Action.ACCOUNT_REQUEST_DECIDE, patient_public_id=with_email.public_id
    ).exists()


def test_an_email_that_is_not_on_the_record_is_not_invited(
    with_email: Patient, place: Place, their_gp: Membership
) -> None:
    """The NHS number and date of birth are on every letter: they alone must not hand the
    record to whoever typed them."""
    _ask(with_email, place, email="stranger@example.com")
    request = AccountRequest.objects.get()
    gp = act_as(Client(), their_gp)
    url = reverse("portal:account_request", kwargs={"request_id": request.public_id})
    response = gp.post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert "not the one on the patient" in response.content.decode()
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.PENDING
    assert not Invitation.objects.exists()


def test_no_matching_patient_cannot_be_approved(
    patient: Patient, place: Place, their_gp: Membership
) -> None:
    _ask(patient, place, nhs_number="9434765919")
    request = AccountRequest.objects.get()
    gp = act_as(Client(), their_gp)
    url = reverse("portal:account_request", kwargs={"request_id": request.public_id})
    assert "No patient of your practice" in gp.post(url, {"decision": "approve"}).content.decode()
    assert not Invitation.objects.exists()


def test_a_decline_keeps_the_reason_and_tells_the_person_only_to_contact_the_practice(
    patient: Patient,
    place: Place,
    their_gp: Membership,
    django_capture_on_commit_callbacks: object,
) -> None:
    _ask(patient, place)
    request = AccountRequest.objects.get()
    gp = act_as(Client(), their_gp)
    url = reverse("portal:account_request", kwargs={"request_id": request.public_id})
    empty = gp.post(url, {"decision": "decline", "reason": ""})
    assert "Say why" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        gp.post(url, {"decision": "decline", "reason": "Email differs from our records"})
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.DECLINED
    body = mail.outbox[-1].body
    assert "contact the practice" in body
    assert "Email differs" not in body


def test_another_practice_gets_404_and_nothing_changes(
    patient: Patient, place: Place, outsider_clinician: Membership, paramedic: Membership
) -> None:
    _ask(patient, place)
    request = AccountRequest.objects.get()
    url = reverse("portal:account_request", kwargs={"request_id": request.public_id})
    outsider = act_as(Client(), outsider_clinician)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"decision": "approve"}).status_code == 404
    assert patient.given_name not in outsider.get(reverse("portal:queue")).content.decode()
    crew = act_as(Client(), paramedic)
    assert crew.get(url).status_code == 403
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.PENDING


def test_anonymous_requests_for_online_access_are_limited_per_address(
    settings: Any, place: Place, patient: Patient
) -> None:
    """Issue 19, finding 11: 25 requests in 5 s from one address were all accepted."""
    settings.ACCOUNT_REQUESTS_PER_ADDRESS = "2/h"
    for email in ("one@example.org", "two@example.org"):
        assert _ask(patient, place, email=email).status_code == 200  # type: ignore[attr-defined]
    made = AccountRequest.objects.count()
    refused = _ask(patient, place, email="three@example.org")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "Too many requests have been sent from this address" in (
        refused.content.decode()  # type: ignore[attr-defined]
    )
    assert AccountRequest.objects.count() == made
