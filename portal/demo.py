"""Demo online accounts for load_demo: `patient`, a patient of the demo GP's practice with no
plan yet (so they can start one), and `lpa`, the attorney of another demo patient."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from audit.models import Action
from audit.services import record
from consent.models import LastingPowerOfAttorney
from consent.services import LpaDetails, lpa_record
from organisations.models import Membership, Role
from patients.models import Patient
from portal.models import PatientAccount

# load_demo's patients: index 22 has no plan yet; index 0 has a published plan.
PATIENT_INDEX = 22
REPRESENTED_INDEX = 0


@transaction.atomic
def load_online_accounts(*, gp: Membership, patients: list[Patient], password_hash: str) -> None:
    """Safe to run again: people who already exist are left alone. `password_hash`: the demo
    password, hashed once for every demo account."""
    _account(
        username="patient",
        first_name=patients[PATIENT_INDEX].given_name,
        last_name=patients[PATIENT_INDEX].family_name,
        patient=patients[PATIENT_INDEX],
        password_hash=password_hash,
    )
    represented = patients[REPRESENTED_INDEX]
    lpa = LastingPowerOfAttorney.objects.filter(patient=represented, ended_at__isnull=True).first()
    if lpa is None:
        lpa = lpa_record(
            actor=gp,
            patient=represented,
            details=LpaDetails(
                attorney_name=f"Jane {represented.family_name}",
                relationship="Daughter",
                opg_reference="7000-1234-5678",
                registered_on=dt.date(2023, 5, 17),
                life_sustaining_treatment=True,
                attorney_phone="07700 900461",
                document_location="Copy in the purple folder on the kitchen table",
            ),
        )
    _account(
        username="lpa",
        first_name="Jane",
        last_name=represented.family_name,
        patient=represented,
        password_hash=password_hash,
        lpa=lpa,
    )


def _account(
    *,
    username: str,
    first_name: str,
    last_name: str,
    patient: Patient,
    password_hash: str,
    lpa: LastingPowerOfAttorney | None = None,
) -> None:
    if User.objects.filter(username=username).exists():
        return
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        first_name=first_name,
        last_name=last_name,
    )
    user.password = password_hash
    user.save(update_fields=["password"])
    account = PatientAccount.objects.create(
        user=user,
        patient=patient,
        role=Role.LPA_PROXY if lpa is not None else Role.PATIENT,
        lasting_power_of_attorney=lpa,
    )
    record(actor=account, action=Action.ACCOUNT_CREATE, patient=patient, detail={"demo": True})
