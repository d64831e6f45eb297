"""The demo's deaths: people of the practice who died in the past months, each story told
through the services (registered, plan published some weeks before, death recorded), so
that the regional admin's report of place of death has something to say."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from careplans import terminology as t
from careplans.demo import fill, plan_sections, publish
from consent.models import GivenBy
from consent.services import consent_record
from deaths.services import DeathDetails, death_record
from organisations.models import Membership
from patients import services as patient_services
from patients.models import Patient

DECEASED_GIVEN = [
    "Eileen",
    "George",
    "Pauline",
    "Ronald",
    "Sylvia",
    "Norman",
    "Gwen",
    "Clifford",
    "Mavis",
    "Dennis",
    "Olive",
    "Trevor",
    "Brenda",
    "Kenneth",
    "Hilda",
    "Barry",
]
DECEASED_FAMILY = [
    "Ashworth",
    "Bello",
    "Carmody",
    "Duarte",
    "Ellison",
    "Farouk",
    "Grieve",
    "Hussain",
    "Ingram",
]
DECEASED = 48
# Where people died, by the category of the place they preferred.
DIED_AT = {
    "home": "876879006",
    "care_home": "876884000",
    "hospice": "876882001",
    "hospital": "183676005",
    "other": "714342001",
}


def load_deceased(*, clinician: Membership, nhs_numbers: list[str], postcodes: list[str]) -> None:
    """People of the practice who died in the past months, each story told on its own days
    through the services: registered, plan published some weeks before, death recorded.
    Most died where they wished; one in four in hospital; one in nine had no plan. So the
    regional admin's report has something to say. Safe to run again."""
    for index, nhs_number in enumerate(nhs_numbers[:DECEASED]):
        if Patient.objects.filter(nhs_number=nhs_number).exists():
            continue
        died = timezone.now() - dt.timedelta(days=12 + 4 * index)
        with time_machine.travel(died - dt.timedelta(days=60), tick=True):
            patient = patient_services.patient_register(
                actor=clinician,
                details=patient_services.PatientDetails(
                    nhs_number=nhs_number,
                    given_name=DECEASED_GIVEN[index % len(DECEASED_GIVEN)],
                    family_name=DECEASED_FAMILY[index % len(DECEASED_FAMILY)],
                    date_of_birth=dt.date(1930 + (index * 7) % 40, 1 + index % 12, 3),
                    sex="2" if index % 2 else "1",
                    gender="2" if index % 2 else "1",
                    address_line_1=f"{40 + index} Dartmouth Park Hill",
                    address_line_3="London",
                    postcode=postcodes[index % len(postcodes)],
                    registered_gp_practice=clinician.organisation,
                ),
            )
            has_plan = index % 9 != 8
            if has_plan:
                today = timezone.localdate()
                consent_record(
                    actor=clinician, patient=patient, given_by=GivenBy.PATIENT, given_on=today
                )
                fill(clinician, patient, plan_sections(index, patient, today))
                publish(clinician, patient)
        preferred = plan_sections(index, patient, timezone.localdate(died))["preferences"][
            "preferred_place_of_death"
        ]
        wished = t.PPD_CATEGORY.get(preferred, "other")
        place = DIED_AT["hospital"] if index % 4 == 3 or not has_plan else DIED_AT[wished]
        with time_machine.travel(died + dt.timedelta(hours=6), tick=True):
            death_record(
                actor=clinician,
                patient=patient,
                details=DeathDetails(timezone.localdate(), place),
            )
