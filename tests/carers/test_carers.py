"""Carers: invited by the person, they see only the non-clinical parts the person shares,
whom to call, and tell the team when things get harder; the person ends it at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from careplans.services import careplan_publish
from carers.models import CarerMessage
from carers.services import carer_message_send
from consent.services import consent_record
from coordination.models import Referral
from coordination.selectors import open_ranked
from organisations.models import Membership, Role
from patients.models import Patient
from patients.services import key_contact_set
from portal.models import PatientAccount
from portal.services import carer_access_end, carer_invite, carer_sharing_set
from reminders.models import Delivery, Kind, Notification
from tests.careplans.conftest import basis, fill, today
from tests.conftest import Place
from tests.coordination.conftest import refer
from tests.factories import make_carer, make_member

HOME = reverse("carers:home")
TELL = reverse("carers:tell")


def _signed_in(account: PatientAccount) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


@pytest.fixture
def published(patient: Patient, their_gp: Membership) -> PublishedVersion:
    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    return careplan_publish(actor=their_gp, patient=patient, basis=basis())


@pytest.fixture
def open_referral(their_gp: Membership, patient: Patient) -> Referral:
    return refer(their_gp, patient)


@pytest.fixture
def carer(online_patient: PatientAccount, published: PublishedVersion) -> PatientAccount:
    return make_carer(person=online_patient, shared=("about_me", "key_contacts"))


def test_the_carer_sees_only_what_the_person_shares_and_never_a_clinical_part(
    carer: PatientAccount, published: PublishedVersion
) -> None:
    client = _signed_in(carer)
    assert client.get(reverse("home"))["Location"] == HOME
    page = client.get(HOME).content.decode()
    assert 'data-testid="shared-about_me"' in page
    assert 'data-testid="shared-key_contacts"' in page
    for hidden in ("Not for CPR", "Metastatic", "Morphine", "Diagnosis", "4711"):
        assert hidden not in page, hidden
    # Whatever was stored, a clinical section is never shown to a carer.
    PatientAccount.objects.filter(pk=carer.pk).update(shared_sections=["cpr_decision", "about_me"])
    page = _signed_in(carer).get(HOME).content.decode()
    assert "CPR decision" not in page
    assert 'data-testid="shared-about_me"' in page


def test_the_carer_meets_404_on_every_page_of_the_persons_own_and_every_staff_page(
    carer: PatientAccount, published: PublishedVersion
) -> None:
    client = _signed_in(carer)
    patient = carer.patient
    for name in (
        "portal:home",
        "portal:plan",
        "portal:draft",
        "portal:changes",
        "portal:consent",
        "portal:access_log",
        "portal:carers",
    ):
        assert client.get(reverse(name)).status_code == 404, name
    for name in ("careplans:overview", "careplans:summary", "patients:detail"):
        url = reverse(name, kwargs={"patient_id": patient.public_id})
        assert client.get(url).status_code in (302, 403, 404), name
    assert AccessEvent.objects.filter(
        action=Action.DENIED, patient_public_id=patient.public_id, role="carer"
    ).exists()


def test_staff_and_the_person_meet_404_on_the_carers_pages(
    client: Client, their_gp: Membership, online_patient: PatientAccount, carer: PatientAccount
) -> None:
    person = _signed_in(online_patient)
    assert person.get(HOME).status_code == 404
    assert person.get(TELL).status_code == 404
    client.force_login(their_gp.user)
    assert client.get(HOME).status_code in (302, 404)


def test_telling_the_team_reaches_the_key_worker_and_raises_the_referral(
    carer: PatientAccount,
    their_gp: Membership,
    team_nurse: Membership,
    patient: Patient,
    open_referral: Referral,
    coordinator: Membership,
) -> None:
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=team_nurse,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
    before = next(r for r in open_ranked(coordinator) if r.referral == open_referral).key.value
    response = _signed_in(carer).post(
        TELL, {"harder": ["nights", "coping"], "urgency": "today", "details": "Up every hour"}
    )
    assert response.status_code == 302
    message = CarerMessage.objects.get()
    notification = Notification.objects.get(kind=Kind.CARER_MESSAGE)
    assert notification.patient == patient
    assert {d.membership for d in notification.deliveries.all()} == {team_nurse}
    assert "Nights are hard" in notification.about
    assert "Up every hour" in notification.about
    row = next(r for r in open_ranked(coordinator) if r.referral == open_referral)
    assert row.key.concern is not None
    assert row.key.value > before
    event = AccessEvent.objects.get(action=Action.CARER_MESSAGE)
    assert event.detail["message"] == str(message.public_id)
    assert event.detail["referrals_raised"] == 1
    assert "Up every hour" not in str(event.detail)  # the words stay with the team


def test_with_no_key_worker_the_practice_leads_hear(
    carer: PatientAccount, their_gp: Membership
) -> None:
    carer_message_send(actor=carer, harder=["symptoms"], urgency="days", details="")
    delivery = Delivery.objects.get(notification__kind=Kind.CARER_MESSAGE)
    assert delivery.membership == their_gp


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"harder": [], "urgency": "today"}, "harder"),
        ({"harder": ["nights"], "urgency": "tomorrow"}, "urgency"),
        ({"harder": ["other"], "urgency": "days", "details": " "}, "details"),
        ({"harder": ["nights"], "urgency": "days", "details": "x" * 1001}, "details"),
    ],
)
def test_a_message_that_says_too_little_is_a_clear_error_and_nothing_is_sent(
    carer: PatientAccount, data: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        carer_message_send(
            actor=carer,
            harder=data["harder"],
            urgency=data["urgency"],
            details=data.get("details", ""),
        )
    assert field in error.value.message_dict
    assert not CarerMessage.objects.exists()
    assert not Notification.objects.filter(kind=Kind.CARER_MESSAGE).exists()


def test_the_person_changes_what_the_carer_sees_and_ends_it_at_once(
    online_patient: PatientAccount, carer: PatientAccount
) -> None:
    client = _signed_in(carer)
    carer_sharing_set(actor=online_patient, carer=carer, shared_sections=[])
    page = client.get(HOME).content.decode()
    assert 'data-testid="shared-about_me"' not in page
    carer_access_end(actor=online_patient, carer=carer)
    assert client.get(HOME).status_code == 403  # told their access ended
    with pytest.raises(PermissionDenied):
        carer_message_send(
            actor=PatientAccount.objects.get(pk=carer.pk),
            harder=["nights"],
            urgency="days",
            details="",
        )
    log = _signed_in(online_patient).get(reverse("portal:access_log")).content.decode()
    assert "A carer you invited, online" in log


def test_the_person_invites_from_their_page_with_clear_errors(
    online_patient: PatientAccount,
) -> None:
    client = _signed_in(online_patient)
    url = reverse("portal:carers")
    page = client.post(url, {"name": "", "relationship": "", "email": "nope"}).content.decode()
    assert "Enter an email address like name@example.com" in page
    page = client.post(
        url, {"name": "", "relationship": "", "email": "sally@example.com"}
    ).content.decode()
    assert "Enter the carer&#x27;s name" in page or "Enter the carer's name" in page
    response = client.post(
        url,
        {
            "name": "Sally",
            "relationship": "Daughter",
            "email": "sally@example.com",
            "shared_sections": ["about_me"],
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Sally" in page
    with pytest.raises(ValidationError, match="already invited"):
        carer_invite(
            actor=online_patient,
            name="Sally",
            email="SALLY@example.com",
            relationship="Daughter",
            shared_sections=[],
            site="http://testserver",
        )
    with pytest.raises(ValidationError):
        carer_invite(
            actor=online_patient,
            name="X",
            email="x@example.com",
            relationship="Friend",
            shared_sections=["cpr_decision"],
            site="http://testserver",
        )


def test_another_person_meets_404_on_my_carers_and_my_carer_meets_nothing_of_theirs(
    online_patient: PatientAccount,
    other_online_patient: PatientAccount,
    carer: PatientAccount,
) -> None:
    other = _signed_in(other_online_patient)
    url = reverse("portal:carer", kwargs={"carer_id": carer.public_id})
    assert other.get(url).status_code == 404
    assert other.post(url, {"end": "1"}).status_code == 404
    carer.refresh_from_db()
    assert carer.ended_at is None
    assert "Sally" not in other.get(reverse("portal:carers")).content.decode()
    page = _signed_in(carer).get(HOME).content.decode()
    assert other_online_patient.patient.family_name.upper() not in page


def test_every_carer_page_is_recorded_in_the_persons_stream(carer: PatientAccount) -> None:
    client = _signed_in(carer)
    client.get(HOME)
    client.get(TELL)
    pages = set(
        AccessEvent.objects.filter(
            patient_public_id=carer.patient.public_id, role="carer"
        ).values_list("detail__page", flat=True)
    )
    assert {"carer_home", "carer_tell"} <= pages


def test_a_case_manager_key_worker_cannot_read_notifications_so_the_practice_hears(
    place: Place, carer: PatientAccount, their_gp: Membership, patient: Patient
) -> None:
    case_manager = make_member(place.coordination, Role.COORDINATOR)
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=case_manager,
        phone="020 7946 0999",
        reason="Case manager at the centre",
    )
    carer_message_send(actor=carer, harder=["symptoms"], urgency="today", details="In pain")
    delivery = Delivery.objects.get(notification__kind=Kind.CARER_MESSAGE)
    assert delivery.membership == their_gp
    assert "Sally" in delivery.notification.about  # whom to contact
    assert "carer@example.com" in delivery.notification.about
    assert "In pain" in delivery.notification.about


def test_the_key_workers_home_counts_carers_messages(
    client: Client, carer: PatientAccount, their_gp: Membership
) -> None:
    carer_message_send(actor=carer, harder=["nights"], urgency="days", details="")
    client.force_login(their_gp.user)
    from tests.conftest import act_as

    act_as(client, their_gp)
    home = client.get(reverse("home")).content.decode()
    assert (
        '<span class="nhsuk-u-visually-hidden">1 </span>Carers who say things are getting harder'
        in home
    )


def test_staff_see_a_carer_as_a_carer_on_the_online_access_page(
    client: Client, carer: PatientAccount, their_gp: Membership, patient: Patient
) -> None:
    from tests.conftest import act_as

    act_as(client, their_gp)
    page = client.get(
        reverse("portal:online_access", kwargs={"patient_id": patient.public_id})
    ).content.decode()
    assert "Carer (Daughter), invited by the person" in page
