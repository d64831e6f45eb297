"""The named key worker and named GP: who may be named, by whom, with history and audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import Membership, Role
from patients.models import KeyContact, Patient
from patients.selectors import key_contact_candidates, key_contacts_of
from patients.services import care_team_remove, key_contact_set
from tests.conftest import Place, act_as
from tests.factories import make_member


def _name(actor: Membership, patient: Patient, person: Membership, **overrides: str) -> KeyContact:
    fields = {
        "kind": "key_worker",
        "phone": "020 7946 0123",
        "reason": "Agreed at the practice meeting",
        **overrides,
    }
    return key_contact_set(actor=actor, patient=patient, membership=person, **fields)


def test_naming_a_key_worker_keeps_the_last_as_history_and_is_audited(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    first = _name(their_gp, patient, their_gp)
    second = _name(team_nurse, patient, team_nurse, reason="She visits every week")
    first.refresh_from_db()
    assert first.ended_at == second.started_at
    assert first.end_reason == "She visits every week"
    assert key_contacts_of(patient) == {"key_worker": second}
    events = AccessEvent.objects.filter(
        action=Action.KEY_CONTACT_SET, patient_public_id=patient.public_id
    )
    assert [e.detail["membership"] for e in events] == [
        str(their_gp.public_id),
        str(team_nurse.public_id),
    ]
    assert events.order_by("sequence").last().detail["previous"] == str(  # type: ignore[union-attr]
        their_gp.public_id
    )


def test_the_named_gp_is_a_clinician_of_the_registered_practice(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    assert list(key_contact_candidates(patient, "named_gp")) == [their_gp]
    with pytest.raises(ValidationError) as error:
        _name(their_gp, patient, team_nurse, kind="named_gp")
    assert "registered practice" in error.value.message_dict["membership"][0]
    _name(their_gp, patient, their_gp, kind="named_gp")
    assert set(key_contacts_of(patient)) == {"named_gp"}


def test_a_key_worker_is_a_clinician_of_the_care_team_or_a_case_manager_of_the_centre(
    place: Place, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    case_manager = make_member(place.coordination, Role.COORDINATOR)
    hospice_nurse = make_member(place.hospice)  # the hospice is not in the care team
    stranger = make_member(place.outsider_practice)
    candidates = set(key_contact_candidates(patient, "key_worker"))
    assert {their_gp, team_nurse, case_manager} <= candidates
    assert hospice_nurse not in candidates
    assert stranger not in candidates
    for person in (hospice_nurse, stranger):
        with pytest.raises(ValidationError):
            _name(their_gp, patient, person)
    assert not KeyContact.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"phone": ""}, "phone", "Enter the phone number"),
        ({"phone": "call reception"}, "phone", "Enter a phone number like"),
        ({"reason": "  "}, "reason", "Say why"),
    ],
)
def test_bad_input_is_a_clear_field_error_and_nothing_changes(
    patient: Patient, their_gp: Membership, overrides: dict, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _name(their_gp, patient, their_gp, **overrides)
    assert words in error.value.message_dict[field][0]
    assert not KeyContact.objects.exists()


def test_naming_the_same_person_again_is_refused(patient: Patient, their_gp: Membership) -> None:
    _name(their_gp, patient, their_gp)
    with pytest.raises(ValidationError, match="already the key worker"):
        _name(their_gp, patient, their_gp)
    assert KeyContact.objects.count() == 1


def test_only_the_care_team_names_one_and_never_after_a_death(
    place: Place, patient: Patient, their_gp: Membership, regional_admin: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        _name(make_member(place.outsider_practice), patient, their_gp)
    with pytest.raises(PermissionDenied):
        _name(regional_admin, patient, their_gp)
    Patient.objects.filter(pk=patient.pk).update(
        date_of_death=patient.date_of_birth.replace(year=2020)
    )
    patient.refresh_from_db()
    with pytest.raises(ValidationError, match="has died"):
        _name(their_gp, patient, their_gp)
    assert not KeyContact.objects.exists()


def test_a_key_worker_whose_organisation_leaves_the_team_is_no_longer_shown(
    place: Place, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    _name(their_gp, patient, team_nurse)
    nursing = patient.care_team.get(organisation=place.nursing, ended_at__isnull=True)
    care_team_remove(actor=their_gp, patient=patient, member=nursing)
    assert key_contacts_of(patient) == {}
    ended = KeyContact.objects.get()
    assert ended.end_reason == f"{place.nursing.name} left the care team"


def test_the_gp_names_the_nurse_on_the_page_and_the_patient_page_shows_her(
    client: Client, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    act_as(client, their_gp)
    url = reverse(
        "patients:key_contact", kwargs={"patient_id": patient.public_id, "kind": "key-worker"}
    )
    page = client.get(url).content.decode()
    assert "Name the key worker" in page
    response = client.post(url, {"membership": "", "phone": "", "reason": ""})
    page = response.content.decode()
    assert "Choose the person to name" in page
    assert "Enter the phone number" in page
    response = client.post(
        url,
        {
            "membership": str(team_nurse.public_id),
            "phone": "020 7946 0123",
            "reason": "Agreed at the practice meeting",
        },
    )
    detail = reverse("patients:detail", kwargs={"patient_id": patient.public_id})
    assert response.status_code == 302
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "team-nurse" in page or team_nurse.user.get_full_name() in page
    assert 'href="tel:02079460123"' in page
    assert AccessEvent.objects.filter(
        action=Action.VIEW,
        patient_public_id=patient.public_id,
        detail__page="key_contact_key-worker",
    ).exists()


def test_an_unknown_kind_is_404(client: Client, patient: Patient, their_gp: Membership) -> None:
    act_as(client, their_gp)
    url = reverse(
        "patients:key_contact", kwargs={"patient_id": patient.public_id, "kind": "butler"}
    )
    assert client.get(url).status_code == 404


def test_a_key_worker_who_has_left_their_organisation_is_no_longer_shown(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    _name(their_gp, patient, team_nurse)
    Membership.objects.filter(pk=team_nurse.pk).update(ended_at=patient.created_at)
    assert key_contacts_of(patient) == {}  # "Not named yet": name someone who is there
