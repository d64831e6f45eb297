"""A synthetic region for benchmarks: organisations, staff, patients with care teams, and
plans at every stage of their lifecycle, deterministic for a seed and written in bulk.

Section content comes from the demo plans, validated once through the section forms; rows
are then written in bulk (COPY on PostgreSQL), so synthetic rows have no history and no
audit events: nobody did anything to them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import JSONField, Model, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from psycopg.types.json import Jsonb

from careplans.demo import plan_sections
from careplans.models import CarePlan, Death, PlanSection, PublishedVersion, Status, WorkingCopy
from careplans.sections import SECTION_BY_KEY, mandatory_missing
from careplans.snapshot import build_snapshot
from careplans.terminology import PPD_CATEGORY, diagnosis_group
from consent.models import BasisKind, ConsentBasis, ConsentToShare, GivenBy
from organisations import services as organisation_services
from organisations.demo import FAMILY_NAMES, GIVEN_NAMES, NORTH_POSTCODES
from organisations.models import Membership, Organisation, OrganisationKind, Region, Role
from patients.dates import age_on
from patients.identifiers import nhs_number_check_digit
from patients.models import (
    CareTeamMember,
    CareTeamRelationship,
    Patient,
    PatientGroupObjectPermission,
)


def _uuid(rng: random.Random) -> uuid.UUID:
    """Public ids drawn from the seeded generator, so the same seed gives the same region."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def save_all(model: type[Model], objects: list[Any]) -> list[Any]:
    """Insert many new rows at once: COPY on PostgreSQL (ids taken from the table's sequence
    first, so that rows can refer to each other), bulk_create elsewhere."""
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects)
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        # COPY takes plain Python values (ints, text, dates, UUIDs); only JSON is wrapped.
        is_json = [isinstance(f, JSONField) for f in fields]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [
                        Jsonb(value) if json and value is not None else value
                        for f, json in zip(fields, is_json, strict=True)
                        for value in (f.pre_save(obj, True),)
                    ]
                )
    return objects


def insert_rows(model: type[Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows that nothing refers to yet, without building model instances: COPY on
    PostgreSQL, bulk_create elsewhere. `columns` are attribute names equal to the columns."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    statement = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _save_sections(rows: list[tuple[int, str, dict[str, Any]]], *, now: dt.datetime) -> None:
    """Nine rows a patient, most of them the same text: written as plain rows, with each
    distinct section serialised to JSON once."""
    if connection.vendor != "postgresql":
        PlanSection.objects.bulk_create(
            [PlanSection(working_copy_id=pk, key=key, data=data) for pk, key, data in rows]
        )
        return
    text: dict[int, str] = {}
    serialised = []
    for pk, key, data in rows:
        if id(data) not in text:
            text[id(data)] = json.dumps(data)
        serialised.append((pk, key, text[id(data)], now))
    insert_rows(PlanSection, ["working_copy_id", "key", "data", "updated_at"], serialised)


@dataclass(frozen=True)
class Summary:
    patients: int
    versions: int
    seconds: float

    @property
    def patients_per_second(self) -> float:
        return self.patients / self.seconds if self.seconds else 0.0


def _nhs_numbers(seed: int) -> Iterator[str]:
    """Valid, unique NHS numbers from a block of the number space chosen by the seed."""
    candidate = 900_000_000 + (seed % 90) * 1_000_000
    while True:
        candidate += 1
        check = nhs_number_check_digit(str(candidate))
        if check is not None:
            yield f"{candidate}{check}"


def _stored_templates(today: dt.date) -> list[dict[str, dict[str, Any]]]:
    """Three kinds of plan (for CPR; not for CPR at home; not for CPR elsewhere), each
    cleaned by the section forms exactly as a page would store it."""
    templates = []
    stub = Patient(given_name="Synthetic", family_name="Patient")
    for index in (0, 2, 1):
        stored = {}
        for key, data in plan_sections(index, stub, today).items():
            form = SECTION_BY_KEY[key].form(data)
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            stored[key] = form.cleaned_for_storage()
        stored["cpr_decision"]["recorded_by"] = "Synthetic Senior Clinician"
        stored["cpr_decision"]["recorded_by_senior_clinician"] = True
        templates.append(stored)
    return templates


def _organisations(region: Region, seed: int) -> dict[str, list[Organisation]]:
    letter = "ABCDEFGHJKLMNPQRSTUVWXY"[seed % 23]
    counter = iter(range(1, 10_000))

    def make(kind: str, count: int) -> list[Organisation]:
        made = []
        for _ in range(count):
            number = next(counter)
            code = (
                f"{letter}{seed % 10}{number:04d}"
                if kind == OrganisationKind.GP_PRACTICE
                else f"Q{letter}{seed % 100:02d}{number:03d}"
            )
            made.append(
                organisation_services.organisation_create(
                    actor=None,
                    name=f"Synthetic {OrganisationKind(kind).label} {number}",
                    ods_code=code,
                    kind=kind,
                    region=region,
                )
            )
        return made

    return {
        "gp": make(OrganisationKind.GP_PRACTICE, 20),
        "nursing": make(OrganisationKind.COMMUNITY_NURSING, 3),
        "hospice": make(OrganisationKind.HOSPICE, 2),
        "hospital": make(OrganisationKind.HOSPITAL, 2),
        "care_home": make(OrganisationKind.CARE_HOME, 2),
        "social": make(OrganisationKind.SOCIAL_CARE, 1),
        "urgent": make(OrganisationKind.AMBULANCE_SERVICE, 1) + make(OrganisationKind.NHS111, 1),
        "coordination": make(OrganisationKind.COORDINATION_CENTRE, 1),
    }


def _staff(organisations: dict[str, list[Organisation]], seed: int) -> list[Membership]:
    clinicians = []
    for index, practice in enumerate(organisations["gp"]):
        clinicians.append(
            organisation_services.membership_add(
                actor=None,
                organisation=practice,
                username=f"synthetic-{seed}-gp-{index}",
                role=Role.CLINICIAN,
                is_senior_clinician=True,
            )
        )
    organisation_services.membership_add(
        actor=None,
        organisation=organisations["coordination"][0],
        username=f"synthetic-{seed}-admin",
        role=Role.REGIONAL_ADMIN,
    )
    for index, urgent in enumerate(organisations["urgent"]):
        organisation_services.membership_add(
            actor=None,
            organisation=urgent,
            username=f"synthetic-{seed}-urgent-{index}",
            role=Role.URGENT_CARE,
        )
    return clinicians


@transaction.atomic
def generate(*, patients: int, seed: int, batch_size: int = 5000) -> Summary:
    """Create a region named after the seed and fill it. Refuses a seed already used."""
    name = f"Synthetic region {seed}"
    if Region.objects.filter(name=name).exists():
        raise ValidationError(f"{name} already exists: choose another seed")
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311  (made-up data, not security)
    today = timezone.localdate()
    now = timezone.now()
    region = organisation_services.region_create(name=name)
    organisations = _organisations(region, seed)
    clinicians = _staff(organisations, seed)
    templates = _stored_templates(today)
    view = Permission.objects.get(codename="view_patient", content_type__app_label="patients")
    numbers = _nhs_numbers(seed)
    versions = 0
    for start in range(0, patients, batch_size):
        versions += _batch(
            count=min(batch_size, patients - start),
            rng=rng,
            numbers=numbers,
            region=region,
            organisations=organisations,
            clinicians=clinicians,
            templates=templates,
            view_permission=view,
            today=today,
            now=now,
        )
    return Summary(patients, versions, time.perf_counter() - started)


def _batch(
    *,
    count: int,
    rng: random.Random,
    numbers: Iterator[str],
    region: Region,
    organisations: dict[str, list[Organisation]],
    clinicians: list[Membership],
    templates: list[dict[str, dict[str, Any]]],
    view_permission: Permission,
    today: dt.date,
    now: dt.datetime,
) -> int:
    practices = [rng.randrange(len(organisations["gp"])) for _ in range(count)]
    people = save_all(
        Patient,
        [
            Patient(
                public_id=_uuid(rng),
                nhs_number=next(numbers),
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                date_of_birth=dt.date(1925, 1, 1) + dt.timedelta(days=rng.randrange(365 * 70)),
                sex=rng.choice("12"),
                address_line_1=f"{rng.randrange(1, 300)} Synthetic Street",
                postcode=rng.choice(NORTH_POSTCODES),
                registered_gp_practice=organisations["gp"][practice],
                home_region=region,
            )
            for practice in practices
        ],
    )
    members: list[tuple[Any, ...]] = []
    grants: list[tuple[Any, ...]] = []
    for patient, practice in zip(people, practices, strict=True):
        team = [(organisations["gp"][practice], CareTeamRelationship.REGISTERED_GP)]
        team.append((rng.choice(organisations["nursing"]), CareTeamRelationship.COMMUNITY_NURSING))
        if rng.random() < 0.4:
            team.append((rng.choice(organisations["hospice"]), CareTeamRelationship.HOSPICE))
        if rng.random() < 0.1:
            team.append((rng.choice(organisations["care_home"]), CareTeamRelationship.CARE_HOME))
        for organisation, relationship in team:
            members.append((_uuid(rng), patient.pk, organisation.pk, relationship, now))
            grants.append((organisation.group_id, view_permission.pk, patient.pk))
    insert_rows(
        CareTeamMember,
        ["public_id", "patient_id", "organisation_id", "relationship", "joined_at"],
        members,
    )
    insert_rows(
        PatientGroupObjectPermission, ["group_id", "permission_id", "content_object_id"], grants
    )
    return _plans(
        people,
        practices,
        rng=rng,
        organisations=organisations,
        clinicians=clinicians,
        templates=templates,
        today=today,
        now=now,
    )


def _plans(
    people: list[Patient],
    practices: list[int],
    *,
    rng: random.Random,
    organisations: dict[str, list[Organisation]],
    clinicians: list[Membership],
    templates: list[dict[str, dict[str, Any]]],
    today: dt.date,
    now: dt.datetime,
) -> int:
    """Lifecycle mix: 10% no plan, 10% draft, 5% awaiting approval, 75% published (a fifth
    of those twice), 3% of the published with consent since withdrawn."""
    stages = [rng.random() for _ in people]
    planned = [
        (p, practice, stage)
        for p, practice, stage in zip(people, practices, stages, strict=True)
        if stage >= 0.10
    ]
    plans = save_all(CarePlan, [CarePlan(public_id=_uuid(rng), patient=p) for p, _, _ in planned])
    copies, sections, consents, bases, pending_versions = [], [], [], [], []
    for plan, (patient, practice, stage) in zip(plans, planned, strict=True):
        template = rng.choice(templates)
        # Sections other than these two are shared, unchanged, between patients.
        content = {
            **template,
            "review": dict(template["review"]),
            "key_contacts": copy.deepcopy(template["key_contacts"]),
        }
        review = today + dt.timedelta(days=rng.randrange(-30, 180))
        content["review"]["planned_review_date"] = review.isoformat()
        content["key_contacts"]["contacts"][0]["phone"] = f"07700 9{rng.randrange(10**5):05d}"
        published = stage >= 0.25
        twice = published and stage >= 0.85
        status = (
            Status.PUBLISHED
            if published
            else (Status.DRAFT if stage < 0.20 else Status.AWAITING_APPROVAL)
        )
        copies.append(WorkingCopy(plan=plan, status=status, revision=2 if twice else 1))
        if not published:
            content = {key: content[key] for key in ("about_me", "preferences", "clinical")}
        sections.append((plan, content))
        if published:
            clinician = clinicians[practice]
            consents.append(
                ConsentToShare(
                    public_id=_uuid(rng),
                    patient=patient,
                    given_by=GivenBy.PATIENT,
                    given_on=today - dt.timedelta(days=rng.randrange(1, 200)),
                    recorded_by_id=clinician.user_id,
                    withdrawn_at=now if stage >= 0.97 else None,
                    withdrawn_by_id=clinician.user_id if stage >= 0.97 else None,
                    withdrawal_reason="Synthetic: consent withdrawn" if stage >= 0.97 else "",
                )
            )
            for number in (1, 2) if twice else (1,):
                bases.append(
                    ConsentBasis(
                        public_id=_uuid(rng),
                        patient=patient,
                        kind=BasisKind.PATIENT,
                        with_whom=patient.full_name,
                        discussed_on=today,
                        recorded_by_id=clinician.user_id,
                    )
                )
                pending_versions.append((plan, patient, number, content, clinician))
    working_copies = save_all(WorkingCopy, copies)
    _save_sections(
        [
            (working_copy.pk, key, data)
            for working_copy, (_, content) in zip(working_copies, sections, strict=True)
            for key, data in content.items()
        ],
        now=now,
    )
    save_all(ConsentToShare, consents)
    saved_bases = save_all(ConsentBasis, bases)
    versions = []
    last_of_plan: dict[int, tuple[Any, ...]] = {}
    for basis, (plan, patient, number, content, clinician) in zip(
        saved_bases, pending_versions, strict=True
    ):
        organisation = clinician.organisation
        versions.append(
            PublishedVersion(
                public_id=_uuid(rng),
                plan=plan,
                number=number,
                snapshot=build_snapshot(
                    patient,
                    revision=number,
                    sections=content,
                    practice_label=f"{organisation.name} ({organisation.ods_code})",
                ),
                published_at=now - dt.timedelta(days=(2 - number) * 30),
                approved_by_id=clinician.user_id,
                approved_by_name=clinician.user.get_username(),
                approved_by_organisation=organisation.name,
                consent_basis=basis,
                cpr_decision=content["cpr_decision"]["cpr_decision"],
                preferred_place_of_death=content["preferences"].get("preferred_place_of_death", ""),
                planned_review_date=content["review"]["planned_review_date"],
                cpr_review_date=content["cpr_decision"].get("date_for_review"),
                mandatory_missing=mandatory_missing(content),
            )
        )
        last_of_plan[plan.pk] = (len(versions) - 1, patient, content, clinician)
    saved_versions = save_all(PublishedVersion, versions)
    latest = PublishedVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    # As careplan_publish does: the review dates and who reviews, on the plan itself.
    registered = Patient.objects.filter(pk=OuterRef("patient_id"))
    CarePlan.objects.filter(pk__in=[plan.pk for plan in plans]).update(
        current_version=Subquery(latest.values("pk")[:1]),
        review_due_on=Subquery(latest.values("planned_review_date")[:1]),
        cpr_review_due_on=Subquery(latest.values("cpr_review_date")[:1]),
        cpr_decision=Coalesce(Subquery(latest.values("cpr_decision")[:1]), Value("")),
        review_clinician=Subquery(latest.values("approved_by")[:1]),
        review_organisation=Subquery(registered.values("registered_gp_practice")[:1]),
    )
    _deaths(
        [
            (plan_id, saved_versions[index], patient, content, clinician)
            for plan_id, (index, patient, content, clinician) in last_of_plan.items()
        ],
        [patient for patient, _, stage in planned if stage < 0.25],
        clinicians=clinicians,
        rng=rng,
        today=today,
        now=now,
    )
    return len(versions)


# Where people died, by the category of the place they preferred.
_DIED_AT = {
    "home": "876879006",
    "care_home": "876884000",
    "hospice": "876882001",
    "hospital": "183676005",
    "other": "714342001",
}


def _deaths(
    published: list[tuple[Any, ...]],
    unpublished: list[Patient],
    *,
    clinicians: list[Membership],
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
) -> None:
    """A quarter of the people with a published plan died in the last 330 days, 7 in 10 of
    them where they wished; a few without one died, in hospital. As death_record would:
    the death with its facts, the patient's date of death, the plan closed."""
    deaths, closed = [], []
    for plan_id, version, patient, content, clinician in published:
        if rng.random() >= 0.25:
            continue
        preferred = content["preferences"].get("preferred_place_of_death", "")
        wished = PPD_CATEGORY.get(preferred, "other")
        place = _DIED_AT[wished] if rng.random() < 0.7 else _DIED_AT["hospital"]
        diagnosis = content["clinical"].get("primary_palliative_care_diagnosis", "")
        deaths.append(_death(patient, place, version, preferred, diagnosis, clinician, rng, today))
        closed.append(plan_id)
    for patient in unpublished:
        if rng.random() < 0.05:
            deaths.append(
                _death(patient, _DIED_AT["hospital"], None, "", "", clinicians[0], rng, today)
            )
    saved = save_all(Death, deaths)
    Patient.objects.filter(pk__in=[d.patient_id for d in saved]).update(
        date_of_death=Subquery(
            Death.objects.filter(patient=OuterRef("pk")).values("date_of_death")[:1]
        )
    )
    CarePlan.objects.filter(pk__in=closed).update(
        closed_at=now, review_due_on=None, cpr_review_due_on=None
    )


def _death(
    patient: Patient,
    place: str,
    version: PublishedVersion | None,
    preferred: str,
    diagnosis: str,
    clinician: Membership,
    rng: random.Random,
    today: dt.date,
) -> Death:
    day = today - dt.timedelta(days=rng.randrange(1, 330))
    return Death(
        public_id=_uuid(rng),
        patient=patient,
        region_id=patient.home_region_id,
        gp_practice_id=patient.registered_gp_practice_id,
        date_of_death=day,
        place_of_death=place,
        version_at_death=version,
        preferred_place_of_death=preferred,
        diagnosis_group=diagnosis_group(diagnosis),
        age_at_death=age_on(patient.date_of_birth, day),
        recorded_by_id=clinician.user_id,
        recorded_by_organisation_id=clinician.organisation_id,
        recorded_at=timezone.now(),
    )
