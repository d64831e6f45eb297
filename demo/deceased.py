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
from profiles.after_death import bereavement_record
from profiles.models import BereavementOutcome
from profiles.selectors import follow_up_of
from reminders.models import Delivery, Kind
from reminders.services import delivery_mark_read

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


OUTCOMES = [
    BereavementOutcome.CONTACTED,
    BereavementOutcome.REFERRED,
    BereavementOutcome.CONTACTED,
    BereavementOutcome.DECLINED,
]


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
        # The family was contacted a month after each death; the latest are still to do.
        contacted = died + dt.timedelta(days=30)
        follow_up = follow_up_of(patient)
        if contacted < timezone.now() and follow_up is not None:
            with time_machine.travel(contacted, tick=True):
                bereavement_record(
                    actor=clinician,
                    follow_up=follow_up,
                    outcome=OUTCOMES[index % len(OUTCOMES)],
                    note="Spoke to the next of kin by phone",
                )
                # The practice read the notice of the death long ago.
                for delivery in Delivery.objects.filter(
                    notification__patient=patient,
                    notification__kind=Kind.DIED,
                    membership=clinician,
                ):
                    delivery_mark_read(actor=clinician, delivery=delivery)
