"""Impossible dates are never saved (hazard H5): one set of date rules (patients/dates.py)
for every form, service and the REST API: nothing before 1900, nothing about a person
before their birth, nothing in the future where the past is meant, and no LPA registered
before 1 October 2007."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.test import Client

from careplans import services
from careplans.models import PlanSection
from consent.models import ConsentToShare, GivenBy, LastingPowerOfAttorney
from consent.services import LpaDetails, consent_record, lpa_record
from organisations.models import Membership, Role
from organisations.rest import PerCallerThrottle
from patients.dates import EARLIEST, LPAS_BEGAN, date_problem, lpa_registration_problem
from patients.models import Patient
from portal.models import AccountRequest
from portal.services import RequestDetails, account_request_submit
from tests.careplans.conftest import consented, today
from tests.conftest import Place
from tests.factories import make_patient, make_token

__all__ = ["consented"]

BORN = dt.date(1940, 12, 4)  # Winifred's date of birth, in tests/conftest.py
LONG_AGO = dt.date(1800, 1, 1)


def _boxes(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def test_the_rules_name_what_is_wrong() -> None:
    assert "on or after 1 January 1900" in str(date_problem(LONG_AGO, what="The date"))
    assert "before the person's date of birth, 4 December 1940" in str(
        date_problem(dt.date(1939, 1, 1), what="The date", born=BORN)
    )
    tomorrow = today() + dt.timedelta(days=1)
    assert date_problem(tomorrow, what="The date") is None
    assert "today or in the past" in str(date_problem(tomorrow, what="The date", in_the_past=True))
    assert date_problem(EARLIEST, what="The date") is None
    assert "lasting powers of attorney began then" in str(
        lpa_registration_problem(LPAS_BEGAN - dt.timedelta(days=1))
    )
    assert lpa_registration_problem(LPAS_BEGAN) is None


@pytest.mark.parametrize(
    ("key", "data", "field", "message"),
    [
        (
            "cpr_decision",
            {"cpr_decision": "450476008", "mental_capacity": "local:has-capacity"}
            | _boxes("date_of_decision", LONG_AGO),
            "date_of_decision",
            "on or after 1 January 1900",
        ),
        (
            "cpr_decision",
            {"cpr_decision": "450476008", "mental_capacity": "local:has-capacity"}
            | _boxes("date_of_decision", dt.date(1939, 6, 1)),
            "date_of_decision",
            "before the person's date of birth",
        ),
        (
            "review",
            _boxes("planned_review_date", LONG_AGO),
            "planned_review_date",
            "on or after 1 January 1900",
        ),
    ],
)
def test_an_impossible_date_in_the_plan_is_refused_when_saved(
    patient: Patient, their_gp: Membership, key: str, data: dict, field: str, message: str
) -> None:
    with pytest.raises(services.SectionInvalid) as invalid:
        services.section_save(actor=their_gp, patient=patient, key=key, data=data)
    assert message in " ".join(str(e) for e in invalid.value.form.errors[field])
    assert not PlanSection.objects.exists()


def test_consent_given_in_1800_is_refused_and_nothing_is_active(
    patient: Patient, their_gp: Membership
) -> None:
    with pytest.raises(ValidationError) as refused:
        consent_record(actor=their_gp, patient=patient, given_by=GivenBy.PATIENT, given_on=LONG_AGO)
    assert "on or after 1 January 1900" in refused.value.message_dict["given_on"][0]
    assert not ConsentToShare.objects.exists()


def test_a_consent_basis_discussed_before_birth_is_refused_at_publish(
    consented: Patient, their_gp: Membership
) -> None:
    from consent.models import BasisKind
    from consent.services import BasisDetails
    from tests.careplans.conftest import fill

    fill(their_gp, consented)
    with pytest.raises(ValidationError) as refused:
        services.careplan_publish(
            actor=their_gp,
            patient=consented,
            basis=BasisDetails(BasisKind.PATIENT, "Winifred", dt.date(1939, 1, 1)),
        )
    assert "before the person's date of birth" in refused.value.message_dict["discussed_on"][0]


@pytest.mark.parametrize(
    ("registered_on", "message"),
    [
        (LONG_AGO, "on or after 1 October 2007"),
        (dt.date(2007, 9, 30), "lasting powers of attorney began then"),
    ],
)
def test_an_lpa_registered_before_lpas_existed_is_refused(
    patient: Patient, their_gp: Membership, registered_on: dt.date, message: str
) -> None:
    details = LpaDetails("Rosa Attwater", "Daughter", "7000-1234-5678", registered_on)
    with pytest.raises(ValidationError) as refused:
        lpa_record(actor=their_gp, patient=patient, details=details)
    assert message in refused.value.message_dict["registered_on"][0]
    assert not LastingPowerOfAttorney.objects.exists()


def test_a_date_of_birth_in_1800_is_refused_on_registration_and_online_requests(
    place: Place, their_gp: Membership
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_patient(registered_by=their_gp, practice=place.practice, date_of_birth=LONG_AGO)
    assert "on or after 1 January 1900" in refused.value.message_dict["date_of_birth"][0]
    with pytest.raises(ValidationError) as refused:
        account_request_submit(
            practice=place.practice,
            details=RequestDetails("Ada", "Lovelace", LONG_AGO, "9434765919", "ada@example.com"),
        )
    assert "on or after 1 January 1900" in refused.value.message_dict["date_of_birth"][0]
    assert not AccountRequest.objects.exists()


def test_the_rest_api_meets_the_same_rules(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    place: Place,
    regional_admin: Membership,
    patient: Patient,
) -> None:
    monkeypatch.setattr(PerCallerThrottle, "cache", LocMemCache("dates-throttle", {}))
    secret = make_token(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    ).secret
    base = f"/api/v1/patients/{patient.public_id}"
    consent = client.post(
        f"{base}/consent/",
        json.dumps({"given_by": "patient", "given_on": "1800-01-01"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert consent.status_code == 400
    assert "1900" in json.dumps(consent.json())
    section = client.put(
        f"{base}/plan/sections/review/",
        json.dumps({"items": {"planned_review_date": "1800-01-01"}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert section.status_code == 400
    assert "1900" in json.dumps(section.json()["planned_review_date"])
    assert not ConsentToShare.objects.exists()
    assert not PlanSection.objects.exists()
