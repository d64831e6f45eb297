"""Inviting a person or their attorney, and the link: single use, 7 days, proving who you are
with the NHS number and date of birth, locked after 5 wrong tries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from careplans.models import ChangeRequest, PlanSection
from consent.models import ConsentToShare
from consent.services import lpa_end
from organisations.models import Membership
from patients.models import Patient
from portal.models import Invitation, PatientAccount
from tests.conftest import PASSWORD, act_as
from tests.factories import invitation_link, make_lpa

pytestmark = pytest.mark.django_db

STRONG = "tidal-kettle-orchard-92"


def _details(patient: Patient, **overrides: str) -> dict[str, str]:
    data = {
        "nhs_number": patient.nhs_number_display,
        "date_of_birth_0": str(patient.date_of_birth.day),
        "date_of_birth_1": str(patient.date_of_birth.month),
        "date_of_birth_2": str(patient.date_of_birth.year),
        "password": STRONG,
        "password_again": STRONG,
    }
    return {**data, **overrides}


def _path(link: str) -> str:
    return link.removeprefix("http://testserver")


SET_UP = reverse("portal:accept_form")


def _open(client: Client, link: str) -> Any:
    """Open the emailed link: it moves its token into the session and continues at SET_UP."""
    return client.get(_path(link), follow=True)


def _submit(client: Client, link: str, data: dict[str, str]) -> Any:
    _open(client, link)
    return client.post(SET_UP, data)


def test_a_gp_invites_the_patient_from_the_online_access_page(
    client: Client, their_gp: Membership, patient: Patient, django_capture_on_commit_callbacks
) -> None:
    act_as(client, their_gp)
    url = reverse("portal:online_access", kwargs={"patient_id": patient.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Winifred@Example.com"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(patient=patient)
    assert invitation.email == "winifred@example.com"
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    sent = mail.outbox[-1]
    assert sent.to == ["winifred@example.com"]
    assert "/online/invitation/" in sent.body
    # The email may reach the wrong inbox: no name, NHS number or health detail in it.
    for secret in (patient.family_name, patient.given_name, patient.nhs_number):
        assert secret not in sent.body
    # Only a hash of the token is stored.
    token = sent.body.split("/online/invitation/")[1].split("/")[0]
    assert token not in invitation.token_hash
    assert AccessEvent.objects.filter(
        action=Action.INVITE, patient_public_id=patient.public_id, user=their_gp.user
    ).exists()
    assert "winifred@example.com" in client.get(url).content.decode()


def test_the_person_proves_who_they_are_sets_a_password_and_is_signed_in(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    link = invitation_link(actor=their_gp, patient=patient, email="winifred@example.com")
    page = _open(client, link)
    assert page.status_code == 200
    assert page.redirect_chain == [(SET_UP, 302)]  # the token does not stay in the address
    assert "You have been invited to see your care plan" in page.content.decode()
    response = _submit(client, link, _details(patient))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    account = PatientAccount.objects.get(patient=patient)
    assert account.role == "patient"
    assert account.user.username == "winifred@example.com"
    assert account.user.check_password(STRONG)
    home = client.get(reverse("portal:home"))
    assert "Your care plan" in home.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.ACCOUNT_CREATE, patient_public_id=patient.public_id
    ).exists()


def test_a_link_works_once(client: Client, their_gp: Membership, patient: Patient) -> None:
    link = invitation_link(actor=their_gp, patient=patient, email="winifred@example.com")
    _submit(client, link, _details(patient))
    other = Client()
    again = _open(other, link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    posted = _submit(other, link, _details(patient, password="other-words-entirely-7"))
    assert posted.status_code == 410
    assert PatientAccount.objects.count() == 1


def test_a_link_expires_after_7_days(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    link = invitation_link(actor=their_gp, patient=patient, email="winifred@example.com")
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = _submit(client, link, _details(patient))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not PatientAccount.objects.exists()
    assert not User.objects.filter(username="winifred@example.com").exists()


def test_wrong_details_say_how_many_tries_are_left_and_lock_at_the_fifth(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    link = invitation_link(actor=their_gp, patient=patient, email="winifred@example.com")
    wrong = _details(patient, date_of_birth_0="5")
    for tries_left in (4, 3, 2, 1):
        response = _submit(client, link, wrong)
        assert response.status_code == 200
        assert f"{tries_left} tr" in response.content.decode()
    locked = _submit(client, link, wrong)
    assert locked.status_code == 410
    assert "locked" in locked.content.decode()
    # Locked means locked: the right details no longer work either.
    right = _submit(client, link, _details(patient))
    assert right.status_code == 410
    assert not PatientAccount.objects.exists()
    invitation = Invitation.objects.get()
    assert invitation.failed_attempts == 5
    assert invitation.locked_at is not None
    assert (
        AccessEvent.objects.filter(
            action=Action.IDENTITY_CHECK_FAILED, patient_public_id=patient.public_id
        ).count()
        == 5
    )


def test_a_wrong_nhs_number_counts_as_a_wrong_try(
    client: Client, their_gp: Membership, patient: Patient, other_patient: Patient
) -> None:
    link = invitation_link(actor=their_gp, patient=patient, email="winifred@example.com")
    response = _submit(client, link, _details(patient, nhs_number=other_patient.nhs_number))
    assert "does not match" in response.content.decode()
    assert Invitation.objects.get().failed_attempts == 1


def test_a_weak_or_mistyped_password_is_refused_without_counting_a_try(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    link = invitation_link(actor=their_gp, patient=patient, email="winifred@example.com")
    short = _submit(client, link, _details(patient, password="cat", password_again="cat"))
    assert short.status_code == 200
    assert "too short" in short.content.decode()
    mistyped = _submit(client, link, _details(patient, password_again="something-else-9"))
    assert "different" in mistyped.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.failed_attempts == 0
    assert invitation.used_at is None
    assert not PatientAccount.objects.exists()


def test_a_new_invitation_replaces_the_one_waiting(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    first = invitation_link(actor=their_gp, patient=patient, email="old@example.com")
    invitation_link(actor=their_gp, patient=patient, email="new@example.com")
    response = _open(client, first)
    assert response.status_code == 410
    assert "replaced by a newer one" in response.content.decode()


def test_an_unknown_link_is_a_clear_message(client: Client) -> None:
    response = client.get(
        reverse("portal:accept", kwargs={"token": "not-a-real-token"}), follow=True
    )
    assert response.status_code == 410
    assert "not recognised" in response.content.decode()


def test_an_attorney_is_invited_with_their_lpa_and_proves_the_persons_details(
    client: Client, their_gp: Membership, patient: Patient, django_capture_on_commit_callbacks
) -> None:
    act_as(client, their_gp)
    url = reverse("portal:lpa_add", kwargs={"patient_id": patient.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "attorney_name": "Rosa Attwater",
                "relationship": "Daughter",
                "opg_reference": "7000-1234-5678",
                "registered_on_0": "1",
                "registered_on_1": "3",
                "registered_on_2": "2022",
                "life_sustaining_treatment": "on",
                "email": "rosa@example.com",
            },
        )
    assert response.status_code == 302
    lpa = patient.lasting_powers_of_attorney.get()
    assert lpa.life_sustaining_treatment
    assert AccessEvent.objects.filter(action=Action.LPA_RECORD, user=their_gp.user).exists()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/online/invitation/" in line)
    attorney = Client()
    page = _open(attorney, link.strip()).content.decode()
    assert "Their NHS number" in page
    _submit(attorney, link.strip(), _details(patient))
    account = PatientAccount.objects.get(patient=patient)
    assert account.role == "lpa_proxy"
    assert account.lasting_power_of_attorney == lpa


def test_an_lpa_form_with_bad_details_saves_nothing(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    url = reverse("portal:lpa_add", kwargs={"patient_id": patient.public_id})
    response = client.post(
        url,
        {
            "attorney_name": "Rosa Attwater",
            "relationship": "Daughter",
            "opg_reference": "!",
            "registered_on_0": "1",
            "registered_on_1": "3",
            "registered_on_2": str(timezone.localdate().year + 1),
            "email": "not an email",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter an email address like name@example.com" in page
    assert not patient.lasting_powers_of_attorney.exists()
    assert not Invitation.objects.exists()


def test_an_invitation_for_an_lpa_that_has_since_ended_cannot_be_used(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    lpa = make_lpa(actor=their_gp, patient=patient)
    link = invitation_link(actor=their_gp, patient=patient, email="rosa@example.com", lpa=lpa)
    lpa_end(actor=their_gp, lpa=lpa, reason="Revoked by Winifred on 1 November")
    response = _submit(client, link, _details(patient))
    assert response.status_code == 410
    assert "no longer recorded as in force" in response.content.decode()
    assert not PatientAccount.objects.exists()


def test_an_attorney_whose_lpa_ends_is_told_and_sees_nothing(
    client: Client, their_gp: Membership, patient: Patient, attorney: PatientAccount
) -> None:
    client.force_login(attorney.user)
    assert client.get(reverse("portal:plan")).status_code == 200
    gp = act_as(Client(), their_gp)
    response = gp.post(
        reverse(
            "portal:lpa_end",
            kwargs={
                "patient_id": patient.public_id,
                "lpa_id": attorney.lasting_power_of_attorney.public_id,  # type: ignore[union-attr]
            },
        ),
        {"reason": "Revoked by Winifred on 1 November"},
    )
    assert response.status_code == 302
    attorney.refresh_from_db()
    assert attorney.ended_at is not None  # ending the LPA ends the attorney's access
    for name in ("portal:home", "portal:plan", "portal:consent", "portal:access_log"):
        page = client.get(reverse(name))
        assert page.status_code == 403
        assert "no longer recorded as in force" in page.content.decode()
        assert "Version" not in page.content.decode()


def test_a_gp_ends_someones_online_access(
    client: Client, their_gp: Membership, patient: Patient, online_patient: PatientAccount
) -> None:
    act_as(client, their_gp)
    response = client.post(
        reverse(
            "portal:account_end",
            kwargs={"patient_id": patient.public_id, "account_id": online_patient.public_id},
        )
    )
    assert response.status_code == 302
    online_patient.refresh_from_db()
    assert online_patient.ended_at is not None
    person = Client()
    person.force_login(online_patient.user)
    ended = person.get(reverse("portal:home"))
    assert ended.status_code == 403
    assert "ended by the care team" in ended.content.decode()
    assert patient.family_name not in ended.content.decode().split("</header>")[1]


def test_the_person_cannot_be_invited_twice_while_they_have_access(
    client: Client, their_gp: Membership, patient: Patient, online_patient: PatientAccount
) -> None:
    act_as(client, their_gp)
    url = reverse("portal:online_access", kwargs={"patient_id": patient.public_id})
    response = client.post(url, {"email": "another@example.com"})
    assert response.status_code == 200
    assert "already have online access" in response.content.decode()
    assert Invitation.objects.filter(email="another@example.com").count() == 0


def _counts() -> tuple[int, int, int]:
    return (
        ConsentToShare.objects.count(),
        ChangeRequest.objects.count(),
        PlanSection.objects.count(),
    )


def test_an_attorney_whose_lpa_ends_can_change_nothing(
    client: Client, their_gp: Membership, patient: Patient, attorney: PatientAccount
) -> None:
    client.force_login(attorney.user)
    lpa_end(
        actor=their_gp,
        lpa=attorney.lasting_power_of_attorney,  # type: ignore[arg-type]
        reason="Revoked by Winifred on 1 November",
    )
    before = (
        ConsentToShare.objects.count(),
        ChangeRequest.objects.count(),
        PlanSection.objects.count(),
    )
    client.post(reverse("portal:consent"), {"lacks_capacity_confirmed": "on"})
    client.post(
        reverse("portal:change_new"), {"section_key": "about_me", "what_should_change": "x"}
    )
    client.post(
        reverse("portal:draft_part", kwargs={"slug": "what-matters"}),
        {"what_is_most_important_to_me": "x"},
    )
    after = (
        ConsentToShare.objects.count(),
        ChangeRequest.objects.count(),
        PlanSection.objects.count(),
    )
    assert after == before


def test_an_existing_online_login_adds_a_second_persons_access_with_its_own_password(
    client: Client, their_gp: Membership, other_patient: Patient, attorney: PatientAccount
) -> None:
    """Rosa is Winifred's attorney; now she is invited for Bartholomew too, at the same
    address. A new password is refused; her own adds the access to her login."""
    lpa = make_lpa(actor=their_gp, patient=other_patient, attorney_name="Rosa Attwater")
    link = invitation_link(actor=their_gp, patient=other_patient, email="rosa@example.com", lpa=lpa)
    refused = _submit(client, link, _details(other_patient))
    assert "Enter its password" in refused.content.decode()
    accepted = _submit(
        client, link, _details(other_patient, password=PASSWORD, password_again=PASSWORD)
    )
    assert accepted.status_code == 302
    assert PatientAccount.objects.filter(user=attorney.user, ended_at__isnull=True).count() == 2
    chooser = client.get(reverse("portal:choose_account")).content.decode()
    assert "Winifred" in chooser
    assert "Bartholomew" in chooser


def test_a_staff_login_never_takes_a_patients_account(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    their_gp.user.username = "gp@example.com"
    their_gp.user.save()
    link = invitation_link(actor=their_gp, patient=patient, email="gp@example.com")
    response = _submit(client, link, _details(patient, password=PASSWORD, password_again=PASSWORD))
    assert response.status_code == 200
    assert not PatientAccount.objects.exists()


def test_guessing_an_existing_login_s_password_is_counted_recorded_and_locks_the_link(
    client: Client, their_gp: Membership, other_patient: Patient, attorney: PatientAccount
) -> None:
    """Issue 19, finding 9: the link holder could guess Rosa's password without limit."""
    lpa = make_lpa(actor=their_gp, patient=other_patient, attorney_name="Rosa Attwater")
    link = invitation_link(actor=their_gp, patient=other_patient, email="rosa@example.com", lpa=lpa)
    for tries_left in (4, 3, 2, 1):
        page = _submit(client, link, _details(other_patient)).content.decode()
        assert f"You have {tries_left} tr" in page
    locked = _submit(client, link, _details(other_patient))
    assert "locked" in locked.content.decode().lower()
    assert Invitation.objects.get(lasting_power_of_attorney=lpa).locked_at is not None
    guesses = AccessEvent.objects.filter(
        action=Action.IDENTITY_CHECK_FAILED, patient_public_id=other_patient.public_id
    )
    assert guesses.count() == 5
    assert {g.reason for g in guesses} == {
        "wrong password of an existing login on an invitation link"
    }
    # Even the right password does nothing now.
    _submit(client, link, _details(other_patient, password=PASSWORD, password_again=PASSWORD))
    assert PatientAccount.objects.filter(user=attorney.user, ended_at__isnull=True).count() == 1
