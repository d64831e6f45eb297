"""The worklist's entries (careplans.WorklistEntry), kept by PostgreSQL's triggers: one for
each person in each organisation's care teams, following the care team, the person's name
and death, and the plan's CPR decision and review date, however each is changed; and the
list they give is the list the records themselves give."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction

from audit.models import AccessEvent, Action
from careplans import services
from careplans.models import CarePlan, PublishedVersion, WorklistEntry
from careplans.worklist import (
    LISTED_FILTERS,
    LISTED_SORTS,
    Criteria,
    _filtered,
    _listed,
    _ordered,
    worklist,
)
from organisations.models import Membership
from patients.models import CareTeamMember, Patient, PatientGroupObjectPermission
from patients.services import care_team_add, care_team_remove
from tests.careplans.conftest import basis, fill
from tests.conftest import Place
from tests.factories import make_patient


def _entry(member: Membership, patient: Patient) -> WorklistEntry | None:
    return WorklistEntry.objects.filter(
        group_id=member.organisation.group_id, patient_id=patient.pk
    ).first()


def _entries_match_the_grants() -> None:
    """Every care-team grant has its entry, copying what it should, and nothing else has."""
    expected = set()
    for grant in PatientGroupObjectPermission.objects.select_related(
        "content_object__care_plan"
    ).filter(permission__codename="view_patient"):
        patient = grant.content_object
        plan = getattr(patient, "care_plan", None)
        expected.add(
            (
                grant.group_id,
                patient.pk,
                patient.date_of_death is None,
                patient.family_name,
                patient.given_name,
                plan is not None and plan.cpr_decision == "450476008",
                plan.review_due_on if plan else None,
            )
        )
    found = set(
        WorklistEntry.objects.values_list(
            "group_id",
            "patient_id",
            "living",
            "family_name",
            "given_name",
            "not_for_cpr",
            "review_due_on",
        )
    )
    assert found == expected


def test_an_entry_follows_the_care_team_the_person_and_the_plan(
    place: Place, consented: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    patient = consented
    assert _entry(their_gp, patient) is not None  # registered: the practice's
    assert _entry(team_nurse, patient) is not None  # added to the care team
    _entries_match_the_grants()

    fill(their_gp, patient)
    services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    entry = _entry(their_gp, patient)
    assert entry is not None
    assert entry.not_for_cpr
    assert entry.review_due_on is not None
    _entries_match_the_grants()

    # Changed in SQL, past every service: the entries still follow.
    Patient.objects.filter(pk=patient.pk).update(family_name="Renamed", given_name="Ann")
    CarePlan.objects.filter(patient=patient).update(
        cpr_decision="", review_due_on=dt.date(2030, 1, 1)
    )
    _entries_match_the_grants()
    Patient.objects.filter(pk=patient.pk).update(date_of_death=dt.date(2026, 1, 1))
    entry = _entry(their_gp, patient)
    assert entry is not None
    assert not entry.living
    assert entry.family_name == "Renamed"
    _entries_match_the_grants()

    nursing = CareTeamMember.objects.get(patient=patient, organisation=team_nurse.organisation)
    care_team_remove(actor=their_gp, patient=patient, member=nursing)
    assert _entry(team_nurse, patient) is None
    care_team_add(actor=their_gp, patient=patient, organisation=team_nurse.organisation)
    assert _entry(team_nurse, patient) is not None
    _entries_match_the_grants()


def test_a_plan_made_after_the_person_joined_a_care_team_is_copied(
    place: Place, their_gp: Membership
) -> None:
    patient = make_patient(registered_by=their_gp, practice=place.practice)
    CarePlan.objects.create(patient=patient, review_due_on=dt.date(2027, 5, 1))
    entry = _entry(their_gp, patient)
    assert entry is not None
    assert entry.review_due_on == dt.date(2027, 5, 1)
    _entries_match_the_grants()


def test_a_grant_written_before_its_patient_gets_its_entry_when_the_patient_arrives(
    place: Place, their_gp: Membership
) -> None:
    """Foreign keys are checked at commit: a bulk load may write a grant first."""
    model = make_patient(registered_by=their_gp, practice=place.practice)
    grant = PatientGroupObjectPermission.objects.get(content_object=model)
    later = Patient.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    PatientGroupObjectPermission.objects.bulk_create(  # as a bulk load writes it
        [
            PatientGroupObjectPermission(
                group_id=grant.group_id, permission_id=grant.permission_id, content_object_id=later
            )
        ]
    )
    assert not WorklistEntry.objects.filter(patient_id=later).exists()
    arrival = Patient.objects.get(pk=model.pk)
    arrival.pk, arrival.public_id, arrival.nhs_number = later, uuid.uuid4(), "9434765919"
    arrival.family_name = "Arrived"
    arrival.save(force_insert=True)
    entry = WorklistEntry.objects.get(patient_id=later)
    assert entry.family_name == "Arrived"
    _entries_match_the_grants()


def test_emptying_the_grants_or_the_plans_empties_what_the_entries_copy(
    published: PublishedVersion, their_gp: Membership
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # nothing pending, as TRUNCATE asks
        cursor.execute("TRUNCATE careplans_careplan CASCADE")
    _entries_match_the_grants()
    assert WorklistEntry.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE patients_patientgroupobjectpermission")
    assert not WorklistEntry.objects.exists()


def test_an_entry_without_a_grant_shows_no_one(
    place: Place, their_gp: Membership, outsider_clinician: Membership
) -> None:
    """The entries order the list; who may be seen is still visible_patients' answer. An entry
    that no grant backs (written past the triggers) shows nobody, and the audit names no one."""
    stranger = make_patient(registered_by=outsider_clinician, practice=place.outsider_practice)
    WorklistEntry.objects.create(
        group_id=their_gp.organisation.group_id,
        patient_id=stranger.pk,
        living=True,
        family_name="Aaron",
        given_name="Stray",
        not_for_cpr=False,
    )
    found = worklist(their_gp, Criteria())
    assert [row.patient.pk for row in found.rows] == []
    shown = AccessEvent.objects.filter(action=Action.LIST).latest("pk").detail["shown"]
    assert str(stranger.public_id) not in shown


def _population(place: Place, their_gp: Membership) -> None:
    """Living and dead, shared family names, plans Not for CPR and not, dated and not."""
    for n, (family, given) in enumerate(
        [
            ("Adams", "Zoe"),
            ("Adams", "Amy"),
            ("Baker", "Ian"),
            ("Cole", "Eve"),
            ("Cole", "Eve"),
            ("Dunn", "Roy"),
            ("Evans", "Kay"),
            ("Moss", "Lee"),
        ]
    ):
        patient = make_patient(
            registered_by=their_gp, practice=place.practice, family_name=family, given_name=given
        )
        if n % 3:
            CarePlan.objects.create(
                patient=patient,
                cpr_decision="450476008" if n % 2 else "",
                review_due_on=dt.date(2027, 1, 1 + n % 4) if n != 4 else None,
            )
        if n in (2, 5):
            Patient.objects.filter(pk=patient.pk).update(date_of_death=dt.date(2026, 1, 1))


@pytest.mark.parametrize("filters", LISTED_FILTERS)
@pytest.mark.parametrize("sort", LISTED_SORTS)
@pytest.mark.parametrize("show", ["living", "died"])
def test_the_entries_give_the_list_the_records_give(
    monkeypatch: pytest.MonkeyPatch,
    place: Place,
    their_gp: Membership,
    show: str,
    sort: str,
    filters: dict[str, str],
) -> None:
    _population(place, their_gp)
    criteria = Criteria(show=show, sort=sort, filters=dict(filters))
    listed = _listed(their_gp, criteria)
    assert listed is not None
    read = _ordered(_filtered(their_gp, criteria), sort)
    assert listed[0:100] == read[0:100]
    assert listed.count_up_to(100) == read.count_up_to(100)
    # Page by page too, with pages that end inside the review order's parts.
    monkeypatch.setattr("careplans.worklist.PAGE_SIZE", 2)
    shown: list[int] = []
    for n in range(1, 6):
        found = worklist(their_gp, criteria, n)
        shown += [row.patient.pk for row in found.rows]
        if not found.page.has_next():
            break
    assert shown == read[0:100]


def test_anything_else_is_read_from_the_records(place: Place, their_gp: Membership) -> None:
    for criteria in (
        Criteria(search="Adams"),
        Criteria(show="all"),
        Criteria(sort="age"),
        Criteria(filters={"plan": "draft"}),
        Criteria(filters={"cpr": "not_for_cpr", "plan": "published"}),
    ):
        assert _listed(their_gp, criteria) is None


def test_the_entries_never_reach_another_organisation(
    published: PublishedVersion, outsider_clinician: Membership, paramedic: Membership
) -> None:
    """Not in this care team, or a role that sees no records: an empty list either way."""
    for outsider in (outsider_clinician, paramedic):
        assert _listed(outsider, Criteria()) is not None
        assert worklist(outsider, Criteria()).rows == []
        assert worklist(outsider, Criteria(filters={"cpr": "not_for_cpr"})).rows == []


@pytest.mark.django_db(transaction=True)
def test_a_grant_added_while_the_plan_changes_is_copied_as_both_left_it(
    place: Place, their_gp: Membership, team_nurse: Membership
) -> None:
    """Two connections: the nurses join the care team, and before that commits the plan's
    decision becomes Not for CPR. The nurses' entry must say so once both have committed."""
    patient = make_patient(registered_by=their_gp, practice=place.practice)
    CarePlan.objects.create(patient=patient)
    granted, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def join_the_team() -> None:
        try:
            with transaction.atomic():
                care_team_add(actor=their_gp, patient=patient, organisation=place.nursing)
                granted.set()
                time.sleep(0.5)  # the plan's change starts, and must wait for this commit
        except BaseException as error:
            failures.append(error)
        finally:
            granted.set()
            connections.close_all()
            done.set()

    joining = threading.Thread(target=join_the_team)
    joining.start()
    assert granted.wait(timeout=10)
    CarePlan.objects.filter(patient=patient).update(cpr_decision="450476008")
    assert done.wait(timeout=10)
    joining.join(timeout=10)
    assert failures == []
    entry = _entry(team_nurse, patient)
    assert entry is not None
    assert entry.not_for_cpr
    _entries_match_the_grants()
