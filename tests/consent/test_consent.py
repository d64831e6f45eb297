from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessEvent, Action
from consent.models import ConsentToShare, GivenBy
from consent.services import consent_record, consent_withdraw
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import today


def test_consent_given_by_the_patient_then_withdrawn_keeps_the_record(
    patient: Patient, their_gp: Membership
) -> None:
    consent = consent_record(
        actor=their_gp, patient=patient, given_by=GivenBy.PATIENT, given_on=today()
    )
    assert consent.is_active
    consent_withdraw(actor=their_gp, patient=patient, reason="She asked us to stop sharing")
    consent.refresh_from_db()
    assert not consent.is_active
    assert consent.withdrawn_by == their_gp.user
    assert ConsentToShare.objects.filter(patient=patient).count() == 1
    actions = set(
        AccessEvent.objects.filter(patient_public_id=patient.public_id).values_list(
            "action", flat=True
        )
    )
    assert {Action.CONSENT_RECORD, Action.CONSENT_WITHDRAW} <= actions


def test_a_best_interests_decision_names_who_decided_and_who_was_consulted(
    patient: Patient, their_gp: Membership
) -> None:
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=their_gp, patient=patient, given_by=GivenBy.BEST_INTERESTS, given_on=today()
        )
    assert set(error.value.message_dict) == {"given_by_name", "consulted"}
    consent = consent_record(
        actor=their_gp,
        patient=patient,
        given_by=GivenBy.BEST_INTERESTS,
        given_on=today(),
        given_by_name="Dr A Okafor, GP",
        consulted="Daughter (Ann) and district nurse",
    )
    assert "best-interests decision by Dr A Okafor" in consent.describe()


def test_an_lpa_is_named(patient: Patient, their_gp: Membership) -> None:
    with pytest.raises(ValidationError, match="attorney"):
        consent_record(actor=their_gp, patient=patient, given_by=GivenBy.LPA, given_on=today())


def test_bad_consent_input_saves_nothing(patient: Patient, their_gp: Membership) -> None:
    with pytest.raises(ValidationError):
        consent_record(
            actor=their_gp,
            patient=patient,
            given_by=GivenBy.PATIENT,
            given_on=today() + dt.timedelta(days=1),
        )
    consent_record(actor=their_gp, patient=patient, given_by=GivenBy.PATIENT, given_on=today())
    with pytest.raises(ValidationError, match="already recorded"):
        consent_record(actor=their_gp, patient=patient, given_by=GivenBy.PATIENT, given_on=today())
    with pytest.raises(ValidationError):
        consent_withdraw(actor=their_gp, patient=patient, reason="  ")
    assert ConsentToShare.objects.active().count() == 1


@pytest.mark.parametrize("persona", ["outsider_clinician", "paramedic", "regional_admin"])
def test_outsiders_cannot_record_or_withdraw_consent(
    request: pytest.FixtureRequest, patient: Patient, persona: str
) -> None:
    other: Membership = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        consent_record(actor=other, patient=patient, given_by=GivenBy.PATIENT, given_on=today())
    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=other, patient=patient, reason="x")
    assert not ConsentToShare.objects.exists()
