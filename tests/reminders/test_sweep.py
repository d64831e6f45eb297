"""The daily sweep: what it raises, for whom, once; what resolves it; and that it reads
only the plans that are due."""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careplans import services as plan_services
from careplans.change_requests import change_request_create, change_request_update
from careplans.models import CarePlan, ChangeRequestStatus
from consent.models import GivenBy
from consent.services import consent_record
from organisations.demo import GIVEN_NAMES
from organisations.models import Membership, Organisation
from patients.models import Patient
from patients.services import care_team_add, key_contact_set
from portal.models import PatientAccount
from reminders.models import Delivery, EmailStatus, Kind, Notification
from reminders.services import reminders_sweep
from reminders.tasks import update_plan_reminders
from tests.careplans.conftest import basis
from tests.conftest import Place
from tests.factories import make_member, make_patient
from tests.reminders.conftest import date_boxes, plan_content, publish

LONDON = ZoneInfo("Europe/London")
FROZEN = dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
TODAY = FROZEN.date()


def _day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _open(plan: CarePlan | None = None) -> set[tuple[str, dt.date]]:
    notifications = Notification.objects.filter(resolved_at__isnull=True)
    if plan is not None:
        notifications = notifications.filter(plan=plan)
    return set(notifications.values_list("kind", "due_on"))


# The sweep's reminders about plans; the demo's practice-meeting actions are told to their
# owners when agreed, and the sweep leaves them alone (checked below), as it leaves the
# tasks raised as things happen (readiness gone red, a death and its follow-up).
TASKS = [Kind.MDT_ACTION, Kind.CARER_MESSAGE, Kind.READINESS_RED, Kind.BEREAVEMENT, Kind.DIED]
SWEPT = Notification.objects.exclude(kind__in=TASKS)


def _by_person(*kinds: str) -> set[tuple[str, str, dt.date]]:
    return {
        (given_name, kind, due_on)
        for given_name, kind, due_on in SWEPT.filter(
            resolved_at__isnull=True, kind__in=kinds or Kind.values
        ).values_list("plan__patient__given_name", "kind", "due_on")
    }


@pytest.mark.django_db
def test_demo_data_on_a_frozen_clock_the_whole_story(
    django_capture_on_commit_callbacks: object,
) -> None:
    """Issue 7's acceptance: the expected reminders; none more on a second run; publishing
    a review resolves them; 8 days overdue reaches the practice's lead."""
    with time_machine.travel(FROZEN, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        first = reminders_sweep()
    name = GIVEN_NAMES.__getitem__
    assert _by_person() == {
        (name(1), Kind.REVIEW_DUE, _day(6)),
        (name(2), Kind.REVIEW_DUE, _day(12)),
        (name(4), Kind.REVIEW_OVERDUE, _day(-3)),
        (name(4), Kind.CPR_REVIEW_DUE, _day(4)),
        (name(5), Kind.REVIEW_OVERDUE, _day(-10)),
        (name(5), Kind.REVIEW_ESCALATED, _day(-2)),
        (name(5), Kind.CPR_REVIEW_DUE, _day(-25)),
        (name(7), Kind.CPR_REVIEW_DUE, _day(9)),
        (name(20), Kind.AWAITING_APPROVAL, _day(-4)),
    }
    assert first.raised == 9
    gp = Membership.objects.get(user__username="gp")
    swept = Delivery.objects.exclude(notification__kind__in=TASKS)
    assert swept.filter(membership=gp).count() == 9
    practice = Organisation.objects.get(ods_code="Z90001")
    assert swept.filter(email=practice.team_email, membership=None).count() == 9
    # The demo's key worker (nurse) hears every reminder of her people but the lead's
    # escalation; the fourth of them (Harold, index 7) has no key worker yet.
    nurse = Membership.objects.get(user__username="nurse")
    assert swept.filter(membership=nurse).count() == 7
    actions = Notification.objects.filter(kind=Kind.MDT_ACTION)
    assert actions.count() == 3
    assert not actions.filter(resolved_at__isnull=False).exists()

    # Again, and again through the per-plan task: nothing new.
    with time_machine.travel(FROZEN, tick=False):
        again = reminders_sweep()
        for plan in CarePlan.objects.all():
            update_plan_reminders(str(plan.public_id))
    assert again.raised == 0
    assert SWEPT.count() == 9
    assert swept.count() == 9 + 9 + 7
    assert actions.count() == 3

    # The GP reviews the overdue, escalated plan and publishes it with new dates.
    overdue = CarePlan.objects.get(patient__given_name=name(5), patient__family_name__isnull=False)
    with (
        time_machine.travel(FROZEN + dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
    ):
        for key, field in (("review", "planned_review_date"), ("cpr_decision", "date_for_review")):
            data = dict(overdue.working_copy.sections.get(key=key).data)
            data.pop(field, None)
            plan_services.section_save(
                actor=gp,
                patient=overdue.patient,
                key=key,
                data={**_form_data(data), **date_boxes(field, _day(90))},
            )
        plan_services.careplan_publish(
            actor=gp, patient=overdue.patient, basis=basis(), acknowledged=_all_warnings()
        )
    assert _open(overdue) == set()
    resolved = Notification.objects.filter(plan=overdue)
    assert {n.resolution for n in resolved} == {
        "Reviewed: the plan was published with a new review date",
        "Reviewed: the CPR decision has a new review date",
    }

    # Eight days after Peter's review date (6 days away today), his practice's lead hears.
    peter = CarePlan.objects.get(patient__given_name=name(1))
    with time_machine.travel(FROZEN + dt.timedelta(days=6 + 8), tick=False):
        reminders_sweep()
    assert _open(peter) == {
        (Kind.REVIEW_OVERDUE, _day(6)),
        (Kind.REVIEW_ESCALATED, _day(14)),
    }
    escalation = Notification.objects.get(plan=peter, kind=Kind.REVIEW_ESCALATED)
    leads = {d.membership for d in escalation.deliveries.exclude(membership=None)}
    assert leads == {gp}
    assert gp.is_organisation_lead
    # "Due soon" gave way to "overdue".
    assert Notification.objects.get(plan=peter, kind=Kind.REVIEW_DUE).resolution == "Now overdue"


def _form_data(data: dict[str, object]) -> dict[str, object]:
    """A section's stored data as its form takes it back (dates as three boxes)."""
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            out.update(date_boxes(key, dt.date.fromisoformat(value)))
        else:
            out[key] = value
    return out


def _all_warnings() -> list[str]:
    from careplans import safety

    return [rule.name for rule in safety.RULES if not rule.blocking]


# --- who hears -----------------------------------------------------------------------------


def test_the_approver_and_the_team_mailbox_hear_and_the_email_names_nobody(
    their_gp: Membership, consented: Patient, django_capture_on_commit_callbacks: object
) -> None:
    their_gp.user.email = "their-gp@example.nhs.uk"
    their_gp.user.save()
    Organisation.objects.filter(pk=their_gp.organisation_id).update(team_email="team@nhs.net")
    plan = publish(their_gp, consented, review_in=5)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        reminders_sweep()
    notification = Notification.objects.get(plan=plan)
    assert notification.kind == Kind.REVIEW_DUE
    deliveries = {(d.membership, d.email, d.email_status) for d in notification.deliveries.all()}
    assert deliveries == {
        (their_gp, "their-gp@example.nhs.uk", EmailStatus.SENT),
        (None, "team@nhs.net", EmailStatus.SENT),
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["team@nhs.net", "their-gp@example.nhs.uk"]
    for message in mail.outbox:
        assert "review is due on" in message.body
        link = "/overdue-reviews/" if message.to == ["team@nhs.net"] else "/notifications/"
        assert f"http://127.0.0.1:8000{link}" in message.body
        for secret in (consented.family_name, consented.given_name, consented.nhs_number):
            assert secret not in message.body
            assert secret not in message.subject


def test_escalations_go_to_the_leads_and_reminders_to_the_approver(
    place: Place, consented: Patient, their_gp: Membership
) -> None:
    approver = make_member(place.practice, username="dr-approver", senior=True)
    plan = publish(approver, consented, review_in=90)
    CarePlan.objects.filter(pk=plan.pk).update(review_due_on=TODAY - dt.timedelta(days=9))
    reminders_sweep()
    overdue = Notification.objects.get(plan=plan, kind=Kind.REVIEW_OVERDUE)
    escalated = Notification.objects.get(plan=plan, kind=Kind.REVIEW_ESCALATED)
    assert {d.membership for d in overdue.deliveries.all()} == {approver}
    assert {d.membership for d in escalated.deliveries.all()} == {their_gp}


def test_the_key_worker_hears_the_review_reminders_but_not_the_escalations(
    place: Place, consented: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    approver = make_member(place.practice, username="dr-approver", senior=True)
    key_contact_set(
        actor=their_gp,
        patient=consented,
        kind="key_worker",
        membership=team_nurse,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
    plan = publish(approver, consented, review_in=90)
    CarePlan.objects.filter(pk=plan.pk).update(review_due_on=TODAY - dt.timedelta(days=9))
    reminders_sweep()
    overdue = Notification.objects.get(plan=plan, kind=Kind.REVIEW_OVERDUE)
    escalated = Notification.objects.get(plan=plan, kind=Kind.REVIEW_ESCALATED)
    assert {d.membership for d in overdue.deliveries.all()} == {approver, team_nurse}
    assert {d.membership for d in escalated.deliveries.all()} == {their_gp}


def test_when_the_approver_has_left_the_organisation_its_leads_hear(
    place: Place, consented: Patient, their_gp: Membership
) -> None:
    approver = make_member(place.practice, username="dr-leaving", senior=True)
    plan = publish(approver, consented, review_in=3)
    Membership.objects.filter(pk=approver.pk).update(ended_at=timezone.now())
    reminders_sweep()
    notification = Notification.objects.get(plan=plan)
    assert {d.membership for d in notification.deliveries.all()} == {their_gp}


def test_when_the_approving_team_has_left_the_care_team_the_gp_practice_is_responsible(
    place: Place, consented: Patient, their_gp: Membership
) -> None:
    care_team_add(actor=their_gp, patient=consented, organisation=place.hospice)
    hospice_doctor = make_member(place.hospice, username="hospice-doctor", senior=True)
    plan = publish(hospice_doctor, consented, review_in=3)
    assert plan.review_organisation == place.hospice
    consented.care_team.filter(organisation=place.hospice).update(ended_at=timezone.now())
    reminders_sweep()
    notification = Notification.objects.get(plan=plan)
    assert notification.organisation == place.practice
    assert {d.membership for d in notification.deliveries.all()} == {their_gp}


# --- once, and only what is due -------------------------------------------------------------


def test_the_database_refuses_a_second_notification_for_the_same_plan_kind_and_date(
    their_gp: Membership, consented: Patient
) -> None:
    plan = publish(their_gp, consented, review_in=3)
    reminders_sweep()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            plan=plan, kind=Kind.REVIEW_DUE, due_on=_today(3), organisation=their_gp.organisation
        )
    assert Notification.objects.filter(plan=plan).count() == 1


def _today(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_a_reminder_resolved_while_still_due_is_opened_again_and_unread(
    their_gp: Membership, consented: Patient
) -> None:
    plan = publish(their_gp, consented, review_in=3)
    reminders_sweep()
    Delivery.objects.update(read_at=timezone.now())
    Notification.objects.filter(plan=plan).update(resolved_at=timezone.now(), resolution="x")
    assert reminders_sweep().raised == 1
    notification = Notification.objects.get(plan=plan)
    assert (notification.resolved_at, notification.resolution) == (None, "")
    assert Delivery.objects.get(notification=notification).read_at is None
    assert Notification.objects.count() == 1


def test_a_review_date_set_back_reopens_its_reminder(
    their_gp: Membership, consented: Patient, django_capture_on_commit_callbacks: object
) -> None:
    """Published with a review in 5 days, then in 60, then in 5 again."""
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):  # type: ignore[operator]
        plan = publish(their_gp, consented, review_in=5)
    assert _open(plan) == {(Kind.REVIEW_DUE, _today(5))}
    with capture(execute=True):  # type: ignore[operator]
        publish(their_gp, consented, review_in=60)
    assert _open(plan) == set()
    with capture(execute=True):  # type: ignore[operator]
        publish(their_gp, consented, review_in=5)
    assert _open(plan) == {(Kind.REVIEW_DUE, _today(5))}
    assert Notification.objects.filter(plan=plan).count() == 1


def test_the_sweep_reads_only_due_plans_its_queries_do_not_grow_with_other_plans(
    place: Place, their_gp: Membership, team_nurse: Membership
) -> None:
    def plans(count: int, review_in: int) -> None:
        for _ in range(count):
            patient = make_patient(registered_by=their_gp, practice=place.practice)
            consent_record(
                actor=their_gp, patient=patient, given_by=GivenBy.PATIENT, given_on=_today(0)
            )
            publish(their_gp, patient, review_in=review_in)

    plans(2, review_in=5)
    with CaptureQueriesContext(connection) as few:
        reminders_sweep()
    Notification.objects.update(resolved_at=None)
    plans(6, review_in=120)
    with CaptureQueriesContext(connection) as many:
        assert reminders_sweep().raised == 0
    with CaptureQueriesContext(connection) as again:
        reminders_sweep()
    assert len(many) == len(again)
    # Reading: the same statements whether 2 or 8 plans exist; raising added some the first
    # time only.
    assert len(again) <= len(few)
    plan_reads = [q["sql"] for q in again if 'FROM "careplans_careplan"' in q["sql"]]
    assert plan_reads
    assert all("review_due_on" in sql or '"id" IN' in sql for sql in plan_reads), plan_reads


# --- waiting for people --------------------------------------------------------------------


def test_a_plan_awaiting_approval_for_more_than_3_days_reminds_and_publishing_resolves(
    their_gp: Membership,
    team_nurse: Membership,
    consented: Patient,
    django_capture_on_commit_callbacks: object,
) -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(days=4)):
        content = plan_content(review=_today(90), cpr_review=_today(60))
        for key, data in content.items():
            plan_services.section_save(actor=their_gp, patient=consented, key=key, data=data)
        plan_services.careplan_submit(actor=team_nurse, patient=consented)
    reminders_sweep()
    plan = CarePlan.objects.get(patient=consented)
    assert _open(plan) == {(Kind.AWAITING_APPROVAL, _today(-4))}
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        plan_services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    assert _open(plan) == set()
    assert Notification.objects.get(plan=plan).resolution == (
        "Approved, or no longer awaiting approval"
    )


def test_a_change_request_unanswered_for_more_than_5_days_reminds_until_answered(
    their_gp: Membership,
    consented: Patient,
    online_patient: PatientAccount,
    django_capture_on_commit_callbacks: object,
) -> None:
    plan = publish(their_gp, consented)
    with time_machine.travel(timezone.now() - dt.timedelta(days=6)):
        asked = change_request_create(
            actor=online_patient,
            section_key="about_me",
            what_should_change="Please add that I like the radio on",
        )
    reminders_sweep()
    assert _open(plan) == {(Kind.CHANGE_REQUEST_WAITING, _today(-6))}
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        change_request_update(
            actor=their_gp, change_request=asked, status=ChangeRequestStatus.IN_PROGRESS
        )
    assert _open(plan) == set()
    assert Notification.objects.get(plan=plan).resolution == "Answered"


def test_a_second_request_on_the_day_of_one_answered_is_still_reminded(
    their_gp: Membership,
    consented: Patient,
    online_patient: PatientAccount,
    django_capture_on_commit_callbacks: object,
) -> None:
    plan = publish(their_gp, consented)
    day = timezone.localtime() - dt.timedelta(days=6)
    morning = day.replace(hour=8, minute=0)
    with time_machine.travel(morning):
        first = change_request_create(
            actor=online_patient, section_key="about_me", what_should_change="Add the radio"
        )
    with time_machine.travel(morning + dt.timedelta(hours=1)):
        change_request_create(
            actor=online_patient, section_key="key_contacts", what_should_change="New number"
        )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        change_request_update(
            actor=their_gp, change_request=first, status=ChangeRequestStatus.IN_PROGRESS
        )
    reminders_sweep()
    assert _open(plan) == {(Kind.CHANGE_REQUEST_WAITING, morning.date())}


# --- who hears, when that changes ------------------------------------------------------------


def test_when_the_approver_leaves_after_the_reminder_the_leads_receive_it(
    place: Place, consented: Patient, their_gp: Membership
) -> None:
    approver = make_member(place.practice, username="dr-moving-on", senior=True)
    plan = publish(approver, consented, review_in=3)
    reminders_sweep()
    notification = Notification.objects.get(plan=plan)
    assert {d.membership for d in notification.deliveries.all()} == {approver}
    Membership.objects.filter(pk=approver.pk).update(ended_at=timezone.now())
    reminders_sweep()
    assert {d.membership for d in notification.deliveries.all()} == {approver, their_gp}
    assert Notification.objects.filter(plan=plan).count() == 1


def test_an_organisation_with_no_lead_tells_everyone_there_who_reads_plans(
    place: Place, consented: Patient, their_gp: Membership, caplog: pytest.LogCaptureFixture
) -> None:
    care_team_add(actor=their_gp, patient=consented, organisation=place.hospice)
    doctor = make_member(place.hospice, username="hospice-doctor", senior=True)
    nurse = make_member(place.hospice, username="hospice-nurse")
    plan = publish(doctor, consented, review_in=3)
    Membership.objects.filter(pk=doctor.pk).update(ended_at=timezone.now())
    reminders_sweep()
    notification = Notification.objects.get(plan=plan)
    assert {d.membership for d in notification.deliveries.all()} == {nurse}
    # And when there is nobody at all, the log says so (with the plan's id only).
    Membership.objects.filter(pk=nurse.pk).update(ended_at=timezone.now())
    with caplog.at_level(logging.WARNING, logger="reminders"):
        reminders_sweep()
    assert any("reach nobody" in r.getMessage() for r in caplog.records)
    assert all(consented.family_name not in r.getMessage() for r in caplog.records)


def test_each_week_overdue_the_leads_are_told_again_and_last_weeks_escalation_resolves(
    place: Place, consented: Patient, their_gp: Membership
) -> None:
    Organisation.objects.filter(pk=place.practice.pk).update(team_email="team@nhs.net")
    approver = make_member(place.practice, username="dr-busy", senior=True)
    plan = publish(approver, consented, review_in=90)
    due = _today(-9)
    CarePlan.objects.filter(pk=plan.pk).update(review_due_on=due)
    reminders_sweep()
    week_one = Notification.objects.get(plan=plan, kind=Kind.REVIEW_ESCALATED)
    assert week_one.due_on == due + dt.timedelta(days=8)
    reminders_sweep(now=timezone.now() + dt.timedelta(days=7))
    week_one.refresh_from_db()
    assert week_one.resolution == "Escalated again this week"
    week_two = Notification.objects.get(
        plan=plan, kind=Kind.REVIEW_ESCALATED, resolved_at__isnull=True
    )
    assert week_two.due_on == due + dt.timedelta(days=15)
    assert {(d.membership, d.email) for d in week_two.deliveries.all()} == {
        (their_gp, their_gp.user.email),
        (None, "team@nhs.net"),
    }


def test_the_rules_use_the_day_in_london_not_in_utc() -> None:
    from reminders.rules import PlanDates, reminders_due

    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    now = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    fortnight_from_london_today = dt.date(2026, 7, 15)
    dates = PlanDates(
        plan_id=1,
        review_due_on=fortnight_from_london_today,
        cpr_review_due_on=None,
        awaiting_approval_since=None,
    )
    assert reminders_due(dates, now=now) == {(Kind.REVIEW_DUE, fortnight_from_london_today)}


# --- faults --------------------------------------------------------------------------------


def test_a_task_for_a_plan_that_does_not_exist_does_nothing_and_says_so(
    caplog: pytest.LogCaptureFixture, db: None
) -> None:
    missing = str(uuid.uuid4())
    with caplog.at_level(logging.INFO, logger="reminders"):
        update_plan_reminders(missing)
    assert Notification.objects.count() == 0
    assert [r.getMessage() for r in caplog.records] == [
        f"reminders for plan {missing} not updated: no such plan; nothing to do"
    ]


def test_the_sweep_log_line_holds_counts_only(
    caplog: pytest.LogCaptureFixture, their_gp: Membership, consented: Patient
) -> None:
    publish(their_gp, consented, review_in=3)
    with caplog.at_level(logging.INFO, logger="reminders"):
        reminders_sweep()
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "1 reminders raised" in text
    for secret in (consented.family_name, consented.nhs_number, str(consented.public_id)):
        assert secret not in text
