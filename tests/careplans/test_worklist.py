"""My patients as a worklist: where each plan stands, filters, search, sort and pages, in a
few queries whatever the number of people, with nothing typed in a URL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from audit.models import AccessEvent, Action
from careplans import services
from careplans.models import CarePlan, PublishedVersion
from careplans.selectors import banner_for, plan_facts_read
from careplans.templatetags.worklist_rows import _day, worklist_rows
from careplans.worklist import Criteria, KeyWorker, Row, _rows_of, worklist
from core.db import FOR_ONE_PAGE
from organisations.models import Membership
from patients.models import KeyContact, Patient
from patients.services import key_contact_set
from profiles.models import ReadinessKind
from profiles.readiness_selectors import readiness_of
from profiles.readiness_services import readiness_record
from profiles.templatetags.care_profile import readiness_by_patient
from register.models import RegisterEntry
from register.services import register_add
from register.terminology import STAGE_C, STAGE_D
from tests.careplans.conftest import basis, complete, fill
from tests.conftest import Place, act_as
from tests.factories import make_key_worker, make_organisation, make_patient

URL = reverse("careplans:worklist")


def _names(viewer: Membership, **asked: str) -> list[str]:
    search = asked.pop("search", "")
    found = worklist(viewer, Criteria.from_query(asked, search))
    return [row.patient.family_name for row in found.rows]


def test_each_row_says_where_the_plan_stands(
    published: PublishedVersion, their_gp: Membership, team_nurse: Membership
) -> None:
    patient = published.plan.patient
    nurse = team_nurse.user
    nurse.first_name, nurse.last_name = "Nadia", "O'Kafor"  # not the GP's "Test Clinician"
    nurse.save()
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=team_nurse,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
    register_add(
        actor=their_gp,
        patient=patient,
        added_on=timezone.localdate(),
        route="own_request",
        stage=STAGE_C,
    )
    CarePlan.objects.filter(pk=published.plan_id).update(review_due_on=dt.date(2020, 1, 1))
    [row] = worklist(their_gp, Criteria()).rows
    assert row.plan_status == "Published version 1"
    assert row.cpr == "Not for CPR"
    assert row.review_overdue
    assert row.stage == "C (yellow): weeks"
    assert row.key_worker is not None
    assert row.key_worker.membership_id == team_nurse.pk
    # Only what a row shows was read of the key worker, and all of it was (no query more).
    with CaptureQueriesContext(connection) as captured:
        html = worklist_rows([row], readiness_by_patient([row]), their_gp.pk)
    assert len(captured) == 2  # the readiness: its records, and the needs assessments
    assert "</span>Nadia O&#x27;Kafor</td>" in html  # the key worker's cell, escaped


def test_the_rows_escape_what_people_typed(
    client: Client, place: Place, their_gp: Membership
) -> None:
    """The rows are written in Python (careplans/templatetags/worklist_rows.py), not by the
    template engine: every value from the database must still be escaped."""
    make_patient(registered_by=their_gp, practice=place.practice, given_name='<b>"Bo"</b>')
    act_as(client, their_gp)
    page = client.get(URL).content.decode()
    assert "&lt;b&gt;&quot;Bo&quot;&lt;/b&gt;" in page
    assert '<b>"Bo"' not in page


def test_at_home_shows_readiness_where_it_applies_as_the_person_s_own_page_does(
    client: Client, place: Place, their_gp: Membership
) -> None:
    """Staged on the register, or checked at least once: the red and amber counts of the
    person's own readiness page. Neither: a dash, with nothing judged."""
    staged = make_patient(registered_by=their_gp, practice=place.practice, family_name="Adams")
    register_add(
        actor=their_gp,
        patient=staged,
        added_on=timezone.localdate(),
        route="own_request",
        stage=STAGE_C,
    )
    checked = make_patient(registered_by=their_gp, practice=place.practice, family_name="Baker")
    readiness_record(
        actor=their_gp,
        patient=checked,
        kind=ReadinessKind.FORM_AT_HOME,
        data={"at_home": "no"},
    )
    make_patient(registered_by=their_gp, practice=place.practice, family_name="Cole")
    act_as(client, their_gp)
    page = client.get(URL).content.decode()
    cells = [
        re.sub(r"<[^>]+>", "", cell).replace("At home ", "").strip()
        for cell in re.findall(r'data-testid="worklist-readiness">(.*?)</td>', page)
    ]
    expected = []
    for person in (staged, checked):
        ready = readiness_of(person, timezone.localdate())
        assert ready.applies
        words = [f"{ready.red} red"] if ready.red else []
        words += [f"{ready.amber} amber"] if ready.amber else []
        expected.append(" ".join(words) or "All in place")
    assert cells == [*expected, "\N{EN DASH}"]


def test_the_rows_write_each_month_as_the_templates_do() -> None:
    for month in range(1, 13):
        day = dt.date(1940, month, 4)
        assert _day(day) == date_format(day, "j M Y")


def test_the_dead_are_behind_a_filter(place: Place, their_gp: Membership) -> None:
    make_patient(registered_by=their_gp, practice=place.practice, family_name="Alive")
    died = make_patient(registered_by=their_gp, practice=place.practice, family_name="Gone")
    Patient.objects.filter(pk=died.pk).update(date_of_death=dt.date(2026, 1, 1))
    assert _names(their_gp) == ["Alive"]
    assert _names(their_gp, show="died") == ["Gone"]
    assert _names(their_gp, show="all") == ["Alive", "Gone"]


def test_search_by_part_of_a_name_an_nhs_number_or_a_date_of_birth(
    place: Place, their_gp: Membership
) -> None:
    whitfield = make_patient(
        registered_by=their_gp,
        practice=place.practice,
        family_name="Whitfield",
        date_of_birth=dt.date(1928, 1, 1),
    )
    make_patient(registered_by=their_gp, practice=place.practice, family_name="Osei")
    assert _names(their_gp, search="whit") == ["Whitfield"]
    number = whitfield.nhs_number
    assert _names(their_gp, search=f"{number[:3]} {number[3:6]} {number[6:]}") == ["Whitfield"]
    assert _names(their_gp, search="1/1/1928") == ["Whitfield"]
    assert _names(their_gp, search="1 January 1928") == ["Whitfield"]
    assert _names(their_gp, search="Nobody") == []


def test_filters_and_sorts_by_each_column(
    place: Place, consented: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    fill(their_gp, consented)
    services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    draft = make_patient(registered_by=their_gp, practice=place.practice, family_name="Draft")
    services.section_save(
        actor=their_gp,
        patient=draft,
        key="about_me",
        data={"what_is_most_important_to_me": "My garden"},
    )
    make_patient(registered_by=their_gp, practice=place.practice, family_name="Aardvark")
    key_contact_set(
        actor=their_gp,
        patient=draft,
        kind="key_worker",
        membership=their_gp,
        phone="020 7946 0100",
        reason="Agreed at the practice meeting",
    )
    assert _names(their_gp, plan="published") == ["Attwater"]
    assert _names(their_gp, plan="draft") == ["Draft"]
    assert _names(their_gp, plan="none") == ["Aardvark"]
    assert _names(their_gp, cpr="not_for_cpr") == ["Attwater"]
    assert _names(their_gp, cpr="none") == ["Aardvark", "Draft"]
    assert _names(their_gp, key_worker="me") == ["Draft"]
    assert _names(their_gp, key_worker="none") == ["Aardvark", "Attwater"]
    assert _names(their_gp, register="on") == []
    assert _names(their_gp, sort="review")[0] == "Attwater"  # the only review date
    assert _names(their_gp, sort="key_worker")[0] == "Draft"
    assert _names(their_gp, sort="-name") == ["Draft", "Attwater", "Aardvark"]
    # Anything not offered is dropped, never an error.
    assert _names(their_gp, plan="everything", sort="; drop", show="x") == _names(their_gp)


def test_the_list_is_planned_as_one_page_of_a_long_list(
    published: PublishedVersion, their_gp: Membership
) -> None:
    with CaptureQueriesContext(connection) as captured:
        worklist(their_gp, Criteria(sort="age"))  # read from the records, not the entries
    statements = [query["sql"] for query in captured.captured_queries]
    first_select = next(i for i, sql in enumerate(statements) if sql.startswith("SELECT"))
    assert set(FOR_ONE_PAGE) <= set(statements[:first_select])
    assert all(setting.startswith("SET LOCAL ") for setting in FOR_ONE_PAGE)  # this list only


def test_the_cpr_filter_follows_each_new_version_through_the_plan(
    published: PublishedVersion, their_gp: Membership
) -> None:
    """The decision the list filters by is the current version's, kept on the plan at each
    publication: a new version that changes it moves the person between the filters."""
    patient = published.plan.patient
    assert CarePlan.objects.get(pk=published.plan_id).cpr_decision == "450476008"
    assert _names(their_gp, cpr="not_for_cpr") == ["Attwater"]
    changed = complete()
    changed["cpr_decision"]["cpr_decision"] = "450475007"  # for attempted CPR
    changed["treatment_escalation"].pop("respect_cpr_recommendation")
    fill(their_gp, patient, {"cpr_decision": changed["cpr_decision"]})
    fill(their_gp, patient, {"treatment_escalation": changed["treatment_escalation"]})
    second = services.careplan_publish(actor=their_gp, patient=patient, basis=basis())

    assert second.cpr_decision == "450475007"
    assert CarePlan.objects.get(pk=published.plan_id).cpr_decision == "450475007"
    assert _names(their_gp, cpr="not_for_cpr") == []
    assert _names(their_gp, cpr="for_cpr") == ["Attwater"]
    assert worklist(their_gp, Criteria()).rows[0].cpr == "For CPR"


def test_the_search_is_never_in_the_url_and_the_audit_says_only_that_there_was_one(
    client: Client, place: Place, their_gp: Membership
) -> None:
    make_patient(registered_by=their_gp, practice=place.practice, family_name="Whitfield")
    act_as(client, their_gp)
    response = client.post(URL, {"search": "Whitfield", "query": "show=living&sort=name"})
    assert response.status_code == 302
    assert "Whitfield" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "WHITFIELD" in page
    assert 'value="Whitfield"' in page
    event = AccessEvent.objects.filter(action=Action.LIST).last()
    assert event is not None
    assert event.detail["searched"] is True
    assert "Whitfield" not in str(event.detail)
    client.post(URL, {"clear": "1"})
    assert 'value="Whitfield"' not in client.get(URL).content.decode()


def _queries(client: Client, **query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize("sort", ["name", "review", "stage", "key_worker"])
def test_a_page_takes_the_same_queries_for_5_and_40_people(
    client: Client, place: Place, their_gp: Membership, sort: str
) -> None:
    act_as(client, their_gp)
    for _ in range(5):
        make_patient(registered_by=their_gp, practice=place.practice)
    client.get(URL)  # warm the session and the audit stream
    few = _queries(client, sort=sort)
    for _ in range(35):
        make_patient(registered_by=their_gp, practice=place.practice)
    many = _queries(client, sort=sort)
    assert few == many
    page = client.get(URL, {"sort": sort, "page": "2"}).content.decode()
    assert "Page 1 of 2" in page  # the previous page's link
    assert page.count('class="nhsuk-pagination__link') == 1  # no link per page


def test_roles_that_see_no_records_are_refused(
    client: Client, paramedic: Membership, regional_admin: Membership
) -> None:
    for persona in (paramedic, regional_admin):
        act_as(client, persona)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"search": "x"}).status_code == 403


def test_review_order_is_read_in_parts_and_pages_across_them(
    monkeypatch: pytest.MonkeyPatch, place: Place, their_gp: Membership
) -> None:
    """Those with a review date (soonest first), then everyone else by name: the same
    list page by page, wherever a page starts or ends."""
    monkeypatch.setattr("careplans.worklist.PAGE_SIZE", 2)
    due = {"Cole": dt.date(2026, 3, 1), "Adams": dt.date(2026, 3, 1), "Zeller": dt.date(2026, 2, 1)}
    for name in ("Young", "Cole", "Baker", "Zeller", "Adams", "Moss", "Evans"):
        patient = make_patient(registered_by=their_gp, practice=place.practice, family_name=name)
        if name in due:
            CarePlan.objects.create(patient=patient, review_due_on=due[name])
        elif name == "Moss":  # a plan without a review date is with the undated
            CarePlan.objects.create(patient=patient)
    pages = [
        [row.patient.family_name for row in worklist(their_gp, Criteria(sort="review"), n).rows]
        for n in (1, 2, 3, 4)
    ]
    assert pages == [["Zeller", "Adams"], ["Cole", "Baker"], ["Evans", "Moss"], ["Young"]]
    assert worklist(their_gp, Criteria(sort="review")).page.paginator.count == 7


def test_a_row_says_what_the_banner_says_at_each_step(
    consented: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    """The worklist reads each plan's state as values beside the person (PLAN_FACTS), the
    banner from the plan itself: both must say the same."""

    def both_say() -> tuple[str, str]:
        [row] = worklist(their_gp, Criteria(show="all")).rows
        banner = banner_for(consented)
        assert (row.not_for_cpr, row.review_due_on, row.review_overdue) == (
            banner.not_for_cpr,
            banner.review_due_on,
            banner.review_overdue,
        )
        return row.plan_status, banner.plan_status

    plans = CarePlan.objects.filter(patient=consented)
    assert both_say() == ("No plan", "No plan")
    fill(their_gp, consented)
    assert both_say() == ("Draft, never published",) * 2
    services.careplan_submit(actor=team_nurse, patient=consented)
    assert both_say() == ("Awaiting approval, never published",) * 2
    plans.update(closed_at=timezone.now())  # closed, and then opened again for what follows
    assert both_say() == ("Closed, never published",) * 2
    plans.update(closed_at=None)
    services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    plans.update(review_due_on=dt.date(2020, 1, 1))
    assert both_say() == ("Published version 1",) * 2
    services.section_save(
        actor=their_gp,
        patient=consented,
        key="about_me",
        data={"what_is_most_important_to_me": "My garden"},
    )
    assert both_say() == ("Published version 1; changes in draft",) * 2
    services.careplan_submit(actor=team_nurse, patient=consented)
    assert both_say() == ("Published version 1; changes awaiting approval",) * 2
    plans.update(closed_at=timezone.now())
    assert both_say() == ("Closed (version 1)",) * 2


def test_a_person_read_without_their_plan_is_never_said_to_have_none(consented: Patient) -> None:
    with pytest.raises(ValueError, match="PLAN_FACTS"):
        plan_facts_read(Patient.objects.get(pk=consented.pk))


def test_a_rows_register_and_key_worker_follow_the_rules_of_the_records(
    place: Place, their_gp: Membership, team_nurse: Membership, consented: Patient
) -> None:
    """Read beside the person in the rows' one query: on the register while an entry is
    open, with the stage of the newest open entry that has one; the key worker in force,
    named as KeyContact.name names them, and never one replaced, ended, whose membership
    ended or whose login was turned off."""

    def row() -> Row:
        [found] = worklist(their_gp, Criteria()).rows
        return found

    assert (row().on_register, row().stage_code, row().key_worker) == (False, "", None)
    staged = register_add(
        actor=their_gp,
        patient=consented,
        added_on=dt.date(2026, 1, 5),
        route="own_request",
        stage=STAGE_C,
    )
    assert (row().on_register, row().stage_code) == (True, STAGE_C)
    newer = RegisterEntry.objects.create(  # newer, open on another practice's register
        patient=consented,
        practice=make_organisation(kind="gp_practice", region=place.region),
        added_by=staged.added_by,
        added_on=dt.date(2026, 2, 5),
        route=staged.route,
    )
    assert (row().on_register, row().stage_code) == (True, STAGE_C)  # the newest with one
    RegisterEntry.objects.filter(pk=newer.pk).update(stage=STAGE_D)
    assert row().stage_code == STAGE_D
    RegisterEntry.objects.filter(pk=newer.pk).update(
        removed_on=dt.date(2026, 3, 1), removal_reason="moved_away"
    )
    assert (row().on_register, row().stage_code) == (True, STAGE_C)
    RegisterEntry.objects.filter(pk=staged.pk).update(
        removed_on=dt.date(2026, 3, 1), removal_reason="moved_away"
    )
    assert (row().on_register, row().stage_code) == (False, "")

    make_key_worker(by=their_gp, patient=consented, worker=team_nurse)
    worker = row().key_worker
    assert worker is not None
    assert (worker.membership_id, worker.name) == (team_nurse.pk, _current_key_worker(consented))
    assert worker.name == team_nurse.user.get_full_name()
    User.objects.filter(pk=team_nurse.user_id).update(first_name="", last_name="")
    assert row().key_worker == KeyWorker(team_nurse.pk, team_nurse.user.username)
    assert _current_key_worker(consented) == team_nurse.user.username
    User.objects.filter(pk=team_nurse.user_id).update(is_active=False)
    assert row().key_worker is None
    User.objects.filter(pk=team_nurse.user_id).update(is_active=True)
    Membership.objects.filter(pk=team_nurse.pk).update(ended_at=timezone.now())
    assert row().key_worker is None
    Membership.objects.filter(pk=team_nurse.pk).update(ended_at=None)
    make_key_worker(by=their_gp, patient=consented, worker=their_gp)  # replaces the nurse
    worker = row().key_worker
    assert worker is not None
    assert worker.membership_id == their_gp.pk
    KeyContact.objects.filter(patient=consented).update(ended_at=timezone.now())
    assert row().key_worker is None


def _current_key_worker(patient: Patient) -> str:
    return KeyContact.objects.get(patient=patient, ended_at__isnull=True).name


def test_the_rows_show_no_one_the_viewer_may_not_see(
    patient: Patient, their_gp: Membership, outsider_clinician: Membership
) -> None:
    """Whatever gave the ids (hazard H26): the rows' query keeps only the care team's."""
    assert [p.pk for p in _rows_of(their_gp, [patient.pk])] == [patient.pk]
    assert _rows_of(outsider_clinician, [patient.pk]) == []


def test_the_count_is_read_beside_the_page_and_stops_past_the_cap(
    monkeypatch: pytest.MonkeyPatch, place: Place, their_gp: Membership
) -> None:
    """A page's ids and the capped count come in one statement; a number past the counted
    pages, below 1 or too large for the database still finds the list's last page, and
    one that is not a number the first."""
    monkeypatch.setattr("careplans.worklist.PAGE_SIZE", 2)
    monkeypatch.setattr("careplans.worklist.COUNT_CAP", 5)
    names = ["Adams", "Baker", "Cole", "Evans", "Moss", "Young", "Zeller"]
    for name in names:
        make_patient(registered_by=their_gp, practice=place.practice, family_name=name)

    def shown(number: str) -> tuple[list[str], int, int]:
        with CaptureQueriesContext(connection) as captured:
            found = worklist(their_gp, Criteria(), number)
        counts = [q for q in captured if q["sql"].lstrip().upper().startswith("SELECT COUNT")]
        return (
            [row.patient.family_name for row in found.rows],
            found.page.paginator.count,
            len(counts),
        )

    # More than 5: counted up to 6 (three pages), beside the page read.
    assert shown("1") == (names[0:2], 6, 0)
    assert shown("3") == (names[4:6], 6, 0)
    assert shown("abc") == (names[0:2], 6, 0)
    # Any other number: counted first, as Django's paginator does, and its last page shown;
    # never a read as deep as the number asks.
    for beyond in ("4", "9", "0", "-1", "10000000000000000000"):
        assert shown(beyond) == (names[4:6], 6, 1), beyond
    monkeypatch.setattr("careplans.worklist.COUNT_CAP", 100)
    assert shown("2") == (names[2:4], 7, 0)
    assert shown("4") == (names[6:7], 7, 0)
