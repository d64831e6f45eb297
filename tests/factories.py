"""Factories that build through the services, so object permissions and audit rows are real."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory

from organisations import services as organisation_services
from organisations.models import Membership, Organisation, OrganisationKind, Region, Role
from patients import services as patient_services
from patients.identifiers import nhs_number_check_digit
from patients.models import Patient

_nhs_numbers = itertools.count(400_000_000)
_ods_codes = itertools.count(1)


def next_nhs_number() -> str:
    while True:
        first_nine = str(next(_nhs_numbers))
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def next_ods_code(kind: str) -> str:
    number = next(_ods_codes)
    return f"T{number:05d}" if kind == OrganisationKind.GP_PRACTICE else f"TST{number:04d}"


def make_region(name: str) -> Region:
    return organisation_services.region_create(name=name)


def make_organisation(
    *, kind: str, region: Region, name: str | None = None, also_serves: tuple[Region, ...] = ()
) -> Organisation:
    return organisation_services.organisation_create(
        actor=None,
        name=name or f"{OrganisationKind(kind).label} {next(_ods_codes)}",
        ods_code=next_ods_code(kind),
        kind=kind,
        region=region,
        served_regions=also_serves,
    )


def make_member(
    organisation: Organisation,
    role: str = Role.CLINICIAN,
    *,
    username: str | None = None,
    senior: bool = False,
    lead: bool = False,
    password: str | None = None,
) -> Membership:
    return organisation_services.membership_add(
        actor=None,
        organisation=organisation,
        username=username or f"user{next(_ods_codes)}",
        first_name="Test",
        last_name=role.replace("_", " ").title(),
        role=role,
        is_senior_clinician=senior,
        is_organisation_lead=lead,
        password=password,
    )


class PatientDetailsFactory(factory.Factory):
    """What a clinician types to register a patient: the service's input, not the row."""

    class Meta:
        model = patient_services.PatientDetails

    nhs_number = factory.LazyFunction(next_nhs_number)
    given_name = factory.Iterator(["Edith", "Florence", "Mary", "Ernest", "Walter"])
    family_name = factory.Iterator(["Cavell", "Seacole", "Saunders", "Shackleton", "Tull"])
    date_of_birth = factory.Sequence(lambda n: dt.date(1930 + n % 60, 1 + n % 12, 1 + n % 28))
    address_line_1 = factory.Sequence(lambda n: f"{n + 1} Test Street")
    postcode = "N6 5AA"


def make_patient(*, registered_by: Membership, practice: Organisation, **overrides: Any) -> Patient:
    details = PatientDetailsFactory.build(registered_gp_practice=practice, **overrides)
    return patient_services.patient_register(actor=registered_by, details=details)


def invitation_link(*, actor: Membership, patient: Patient, email: str, lpa: Any = None) -> str:
    """Invite through the service and return the link from the email sent."""
    from django.core import mail
    from django.test import TestCase

    from portal.services import invitation_create

    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation_create(
            actor=actor, patient=patient, email=email, lpa=lpa, site="http://testserver"
        )
    body = str(mail.outbox[-1].body)
    return next(line for line in body.splitlines() if "/online/invitation/" in line).strip()


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def make_online_account(
    *, actor: Membership, patient: Patient, email: str, password: str, lpa: Any = None
) -> Any:
    """A patient's (or with `lpa`, an attorney's) online account, made as a person makes it:
    invited, then proving who they are through the link."""
    from portal.services import AcceptDetails, invitation_accept

    link = invitation_link(actor=actor, patient=patient, email=email, lpa=lpa)
    return invitation_accept(
        token=token_of(link),
        details=AcceptDetails(
            nhs_number=patient.nhs_number, date_of_birth=patient.date_of_birth, password=password
        ),
    )


def make_lpa(
    *,
    actor: Membership,
    patient: Patient,
    attorney_name: str = "Rosa Attwater",
    attorney_phone: str = "07700 900123",
) -> Any:
    from consent.services import LpaDetails, lpa_record

    return lpa_record(
        actor=actor,
        patient=patient,
        details=LpaDetails(
            attorney_name=attorney_name,
            relationship="Daughter",
            opg_reference="7000-1234-5678",
            registered_on=dt.date(2022, 3, 1),
            attorney_phone=attorney_phone,
        ),
    )


def approver_for(organisation: Organisation) -> Membership:
    """The region's privacy officer, who approves access an admin asked for."""
    from organisations.models import MULTI_REGION_KINDS

    home = (
        Organisation.objects.filter(region=organisation.region)
        .exclude(kind__in=MULTI_REGION_KINDS)
        .first()
    ) or make_organisation(kind=OrganisationKind.GP_PRACTICE, region=organisation.region)
    found = Membership.objects.active().filter(
        organisation__region=organisation.region, role=Role.PRIVACY_OFFICER
    )
    return found.first() or make_member(home, Role.PRIVACY_OFFICER)


def make_token(*, actor: Membership, organisation: Organisation, role: str, name: str) -> Any:
    """A system token an admin made, approved by the region's privacy officer: it works."""
    from organisations.services import membership_approve
    from organisations.tokens import token_create

    made = token_create(actor=actor, organisation=organisation, role=role, name=name)
    if made.token.membership.awaiting_approval:
        membership_approve(actor=approver_for(organisation), membership=made.token.membership)
    return made


def make_carer(
    *,
    person: Any,
    email: str = "carer@example.com",
    password: str = "a-long-carer-password",  # noqa: S107  (a test's carer)
    shared: tuple[str, ...] = ("about_me",),
    name: str = "Sally Attwater",
) -> Any:
    """A carer's account, made as a carer makes it: invited by the person online, then
    proving who they are (the person's NHS number and date of birth) through the link."""
    from django.core import mail
    from django.test import TestCase

    from portal.services import AcceptDetails, carer_invite, invitation_accept

    with TestCase.captureOnCommitCallbacks(execute=True):
        carer_invite(
            actor=person,
            name=name,
            email=email,
            relationship="Daughter",
            shared_sections=list(shared),
            site="http://testserver",
        )
    body = str(mail.outbox[-1].body)
    link = next(line for line in body.splitlines() if "/online/invitation/" in line).strip()
    patient = person.patient
    return invitation_accept(
        token=token_of(link),
        details=AcceptDetails(
            nhs_number=patient.nhs_number, date_of_birth=patient.date_of_birth, password=password
        ),
    )


def make_key_worker(*, by: Membership, patient: Patient, worker: Membership) -> None:
    """Name `worker` as the person's key worker, as the care team would."""
    patient_services.key_contact_set(
        actor=by,
        patient=patient,
        kind="key_worker",
        membership=worker,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
