"""Demo data for `make run` and for trying the service: safe to run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from careplans.demo import demo_clock, load_plan
from coordination.demo import load_referrals
from demo.contacts import load_key_contacts
from demo.deceased import DECEASED, load_deceased
from demo.profiles import load_care_profile, load_readiness
from demo.register import load_case_finding, load_meetings, load_register
from organisations import services as organisation_services
from organisations.demo import (
    CORNWALL,
    CORNWALL_POSTCODES,
    CORNWALL_STREETS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    NORTH,
    NORTH_POSTCODES,
    NORTH_STREETS,
    ORGANISATIONS,
    PEOPLE,
)
from organisations.models import Membership, Organisation, Region
from patients import services as patient_services
from patients.identifiers import nhs_number_check_digit
from patients.models import Patient
from patients.selectors import care_team_of
from portal.demo import load_online_accounts

PATIENTS = 30


def demo_nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers from the 999 test range, the same on every run."""
    numbers: list[str] = []
    candidate = 999_000_000
    while len(numbers) < count:
        candidate += 7
        check = nhs_number_check_digit(str(candidate))
        if check is not None:
            numbers.append(f"{candidate}{check}")
    return numbers


class Command(BaseCommand):
    help = "Load the demo regions, organisations, people and patients (safe to run twice)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # Every demo account has the one demo password: hashed once, not once per account
        # (each hash is half a second of PBKDF2, a third of the demo's loading time).
        self.password_hash = make_password(settings.DEMO_PASSWORD)
        regions = {name: self._region(name) for name in (NORTH, CORNWALL)}
        organisations: dict[str, Organisation] = {}
        for demo in ORGANISATIONS:
            organisation = Organisation.objects.filter(ods_code=demo.ods_code).first()
            if organisation is None:
                organisation = organisation_services.organisation_create(
                    actor=None,
                    name=demo.name,
                    ods_code=demo.ods_code,
                    kind=demo.kind,
                    region=regions[demo.region],
                    served_regions=[regions[r] for r in demo.also_serves],
                    team_email=demo.team_email,
                )
            organisations[demo.key] = organisation
        memberships: dict[str, Membership] = {}
        for person in PEOPLE:
            places = [(person.organisation, person.role), *person.also]
            for index, (key, role) in enumerate(places):
                membership = self._membership(person, organisations[key], role, first=index == 0)
                memberships.setdefault(person.username, membership)
        self._patients(memberships, organisations)
        load_deceased(
            clinician=memberships["gp"],
            nhs_numbers=demo_nhs_numbers(PATIENTS + DECEASED)[PATIENTS:],
            postcodes=NORTH_POSTCODES,
        )
        load_referrals(
            referrer=memberships["gp"],
            coordinator=memberships["coordinator"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)[4:16]],
        )
        load_register(
            gp=memberships["gp"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)],
        )
        load_case_finding(
            gp=memberships["gp"],
            paramedic=memberships["paramedic"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)],
        )
        load_meetings(
            gp=memberships["gp"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)],
        )
        for key, list_size in (("highgate", 9_500), ("archway", 6_200)):
            if organisations[key].list_size is None:
                organisation_services.organisation_list_size_set(
                    actor=memberships["admin"],
                    organisation=organisations[key],
                    list_size=list_size,
                )
        load_key_contacts(
            admin=memberships["admin"],
            gp=memberships["gp"],
            nurse=memberships["nurse"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)],
        )
        load_care_profile(admin=memberships["admin"], organisations=organisations)
        load_readiness(
            gp=memberships["gp"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)],
        )
        load_online_accounts(
            gp=memberships["gp"],
            patients=[Patient.objects.get(nhs_number=n) for n in demo_nhs_numbers(PATIENTS)],
            password_hash=self.password_hash,
        )
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Patient.objects.count()} patients "
                f"({Patient.objects.filter(date_of_death__isnull=False).count()} died). Sign in as "
                + ", ".join(p.username for p in PEOPLE)
                + ", and as patient or lpa (online accounts), with the DEMO_PASSWORD."
            )
        )

    def _region(self, name: str) -> Region:
        return Region.objects.filter(name=name).first() or organisation_services.region_create(
            name=name
        )

    def _membership(
        self, person: Any, organisation: Organisation, role: str, *, first: bool
    ) -> Membership:
        existing = (
            Membership.objects.active()
            .filter(user__username=person.username, organisation=organisation, role=role)
            .first()
        )
        if existing is not None:
            return existing
        membership = organisation_services.membership_add(
            actor=None,
            organisation=organisation,
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@example.nhs.uk",
            role=role,
            is_senior_clinician=person.senior and role == "clinician",
            is_organisation_lead=person.lead,
        )
        if first:
            User.objects.filter(pk=membership.user_id).update(password=self.password_hash)
        return membership

    def _patients(
        self, memberships: dict[str, Membership], organisations: dict[str, Organisation]
    ) -> None:
        numbers = demo_nhs_numbers(PATIENTS)
        for index, nhs_number in enumerate(numbers):
            with demo_clock(index):
                self._person(index, nhs_number, memberships, organisations)

    def _person(
        self,
        index: int,
        nhs_number: str,
        memberships: dict[str, Membership],
        organisations: dict[str, Organisation],
    ) -> None:
        if index < 24:
            practice, actor, region = "highgate", memberships["gp"], NORTH
        elif index < 27:
            practice, actor, region = "archway", memberships["nurse"], NORTH
        else:
            practice, actor, region = "truro", memberships["gp-other-region"], CORNWALL
        postcodes = NORTH_POSTCODES if region == NORTH else CORNWALL_POSTCODES
        streets = NORTH_STREETS if region == NORTH else CORNWALL_STREETS
        existing = Patient.objects.filter(nhs_number=nhs_number).first()
        if existing is not None:
            self._plan(index, existing, practice, memberships)
            return
        patient = patient_services.patient_register(
            actor=actor,
            details=patient_services.PatientDetails(
                nhs_number=nhs_number,
                given_name=GIVEN_NAMES[index],
                family_name=FAMILY_NAMES[index],
                date_of_birth=dt.date(1928 + index, 1 + index % 12, 1 + (index * 3) % 28),
                sex="2" if index % 2 == 0 else "1",
                gender="2" if index % 2 == 0 else "1",
                address_line_1=f"{10 + index} {streets[index % len(streets)]}",
                address_line_3="London" if region == NORTH else "Truro",
                postcode=postcodes[index % len(postcodes)],
                phone=f"020 7946 0{index:03d}" if region == NORTH else f"01872 960{index:03d}",
                preferred_language="Bengali" if index % 9 == 4 else "English",
                interpreter_required=index % 9 == 4,
                registered_gp_practice=organisations[practice],
            ),
        )
        if practice == "highgate":
            self._care_team(index, patient, actor, organisations)
        self._plan(index, patient, practice, memberships)

    def _care_team(
        self,
        index: int,
        patient: Patient,
        actor: Membership,
        organisations: dict[str, Organisation],
    ) -> None:
        team = {m.organisation_id for m in care_team_of(patient)}
        wanted = ["nursing"]
        wanted += ["hospice"] if index % 3 == 0 else []
        wanted += ["hospital"] if index % 4 == 1 else []
        wanted += ["carehome"] if index % 5 == 2 else []
        wanted += ["social"] if index % 6 == 3 else []
        for key in wanted:
            if organisations[key].pk not in team:
                patient_services.care_team_add(
                    actor=actor, patient=patient, organisation=organisations[key]
                )

    def _plan(
        self, index: int, patient: Patient, practice: str, memberships: dict[str, Membership]
    ) -> None:
        clinician = {"highgate": "gp", "archway": "nurse", "truro": "gp-other-region"}[practice]
        if practice == "archway":
            return  # Archway's patients are registered, with no plan yet
        load_plan(index, patient, clinician=memberships[clinician], nurse=memberships["nurse"])
