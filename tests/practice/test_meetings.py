"""The practice meeting: everyone on the register by stage, with what changed since the
last meeting; outcomes once each; actions reach their owners; deaths reviewed apart."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AccessEvent, Action
from careplans.models import CarePlan, PlanSection, WorkingCopy
from careplans.selectors import summary_for
from deaths.services import DeathDetails, death_record
from organisations.models import Membership
from patients.models import Patient
from patients.services import key_contact_set
from practice import selectors, services
from practice.models import Meeting
from register import services as register
from register.terminology import STAGE_B, STAGE_D
from reminders.models import Kind
from reminders.selectors import notifications_for
from tests.careplans.conftest import today
from tests.conftest import Place, act_as
from tests.factories import make_patient

pytestmark = pytest.mark.django_db


def _meeting(gp: Membership, days: int = 0) -> Meeting:
    return services.meeting_schedule(
        actor=gp, held_on=today() + dt.timedelta(days=days), attendees="GP, district nurse"
    )


def _on_register(gp: Membership, place: Place, name: str, stage: str = STAGE_B) -> Patient:
    person = make_patient(registered_by=gp, practice=place.practice, family_name=name)
    register.register_add(
        actor=gp, patient=person, added_on=today(), route="surprise_question", stage=stage
    )
    return person


def test_scheduling_needs_a_date_within_a_year_and_who_attends(their_gp: Membership) -> None:
    with pytest.raises(ValidationError) as refused:
        services.meeting_schedule(
            actor=their_gp, held_on=today() + dt.timedelta(days=400), attendees=" "
        )
    assert refused.value.message_dict == {
        "held_on": ["The meeting must be within a year of today"],
        "attendees": ["Say who attends"],
    }
    assert not Meeting.objects.exists()


def test_the_list_groups_by_stage_with_what_changed_and_the_dead_apart(
    their_gp: Membership, place: Place, paramedic: Membership
) -> None:
    _meeting(their_gp, days=-30)
    meeting = _meeting(their_gp)
    dying = _on_register(their_gp, place, "Dying", STAGE_D)
    months = _on_register(their_gp, place, "Months", STAGE_B)
    summary_for(paramedic, months.public_id)
    died = _on_register(their_gp, place, "Died", STAGE_D)
    death_record(actor=their_gp, patient=died, details=DeathDetails(today(), "183676005"))
    listed = selectors.review_list(their_gp, meeting)
    assert [
        (stage, [r.entry.patient.family_name for r in rows]) for stage, rows, _ in listed.stages
    ] == [
        ("D (red): days", ["Dying"]),
        ("B (green): months", ["Months"]),
    ]
    changes = {r.entry.patient.family_name: r.changes for _, rows, _ in listed.stages for r in rows}
    assert changes["Months"] == ["Urgent care looked at the emergency summary or broke glass"]
    assert changes["Dying"] == []
    assert [
        (entry.patient.family_name, death.place_plain if death else None)
        for entry, death, _ in listed.died
    ] == [("Died", "In hospital")]
    assert AccessEvent.objects.filter(action=Action.LIST, detail__page="meeting").exists()
    assert dying.pk


def test_a_review_is_recorded_once_and_its_action_reaches_the_owner_without_a_name_by_email(
    their_gp: Membership, team_nurse: Membership, place: Place, patient: Patient
) -> None:
    register.register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
    team_nurse.user.email = "sam.price@example.nhs.uk"
    team_nurse.user.save(update_fields=["email"])
    meeting = _meeting(their_gp)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.outcome_record(
            actor=their_gp,
            meeting=meeting,
            patient=patient,
            notes="Wants to stay at home",
            next_review_on=today() + dt.timedelta(days=42),
            actions=[
                services.ActionDetails(
                    "Prescribe anticipatory medicines", team_nurse, today() + dt.timedelta(days=3)
                )
            ],
        )
    page = notifications_for(team_nurse)
    [delivery] = page.object_list
    assert delivery.notification.kind == Kind.MDT_ACTION
    assert delivery.notification.about == "Prescribe anticipatory medicines"
    assert delivery.notification.subject == patient
    [email] = mail.outbox
    assert patient.family_name not in email.body
    assert "anticipatory" not in email.body
    assert "practice meeting" in email.body
    with pytest.raises(ValidationError, match="recorded already"):
        services.outcome_record(
            actor=their_gp,
            meeting=meeting,
            patient=patient,
            notes="",
            next_review_on=None,
            actions=[],
        )
    assert AccessEvent.objects.filter(action=Action.MEETING_OUTCOME).count() == 1


def test_an_action_needs_an_owner_of_the_care_team_and_a_date_after_the_meeting(
    their_gp: Membership, outsider_clinician: Membership, patient: Patient
) -> None:
    register.register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
    meeting = _meeting(their_gp)
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(
            actor=their_gp,
            meeting=meeting,
            patient=patient,
            notes="",
            next_review_on=today() - dt.timedelta(days=1),
            actions=[
                services.ActionDetails("Visit", outsider_clinician, today() - dt.timedelta(days=1)),
                services.ActionDetails("", None, today()),
            ],
        )
    assert refused.value.message_dict == {
        "next_review_on": ["The next review must be after the meeting and within a year"],
        "action_1_owner": ["Choose who owns action 1"],
        "action_1_due_on": ["An action cannot be due before the meeting"],
        "action_2_what": ["Say what action 2 is"],
        "action_2_owner": ["Choose who owns action 2"],
    }


def test_the_list_is_a_few_queries_whatever_the_number_of_people(
    their_gp: Membership, place: Place
) -> None:
    meeting = _meeting(their_gp)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.review_list(their_gp, meeting)
        return len(captured)

    for index in range(2):
        _on_register(their_gp, place, f"Few{index}")
    queries()
    few = queries()
    for index in range(10):
        _on_register(their_gp, place, f"More{index}")
    assert queries() == few


def test_the_pages_schedule_list_and_record_and_keep_what_was_typed(
    client: Client, their_gp: Membership, team_nurse: Membership, patient: Patient
) -> None:
    register.register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
    act_as(client, their_gp)
    day = today() + dt.timedelta(days=7)
    scheduled = client.post(
        reverse("practice:meetings"),
        {"held_on_0": day.day, "held_on_1": day.month, "held_on_2": day.year, "attendees": "GP"},
    )
    meeting = Meeting.objects.get()
    assert scheduled["Location"] == reverse("practice:meeting", args=[meeting.public_id])
    listed = client.get(scheduled["Location"]).content.decode()
    review = reverse("practice:review", args=[patient.public_id, meeting.public_id])
    assert review in listed
    bad = client.post(review, {"notes": "Keep me", "action_1_what": "Visit"})
    assert "Choose who owns action 1" in bad.content.decode()
    assert "Keep me" in bad.content.decode()
    good = client.post(
        review,
        {
            "notes": "Keep me",
            "action_1_what": "Visit",
            "action_1_owner": str(team_nurse.public_id),
            "action_1_due_on_0": day.day,
            "action_1_due_on_1": day.month,
            "action_1_due_on_2": day.year,
        },
    )
    assert good.status_code == 302
    assert "Discussed" in client.get(scheduled["Location"]).content.decode()
    act_as(client, team_nurse)
    assert client.get(scheduled["Location"]).status_code == 403
    assert client.get(review).status_code == 404


def test_the_meeting_sheet_prints_the_list_and_never_a_key_safe_code(
    client: Client, their_gp: Membership, place: Place
) -> None:
    person = _on_register(their_gp, place, "Printed", STAGE_D)
    copy = WorkingCopy.objects.create(plan=CarePlan.objects.create(patient=person))
    PlanSection.objects.create(
        working_copy=copy, key="home_access", data={"key_safe": True, "key_safe_code": "4711"}
    )
    meeting = _meeting(their_gp)
    act_as(client, their_gp)
    response = client.get(reverse("practice:meeting_sheet", args=[meeting.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert "Printed" not in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Printed" in text.replace("PRINTED", "Printed")
    assert "D (red): days" in text
    assert "4711" not in text
    assert AccessEvent.objects.filter(action=Action.PRINT, detail__page="meeting_sheet").exists()


def test_the_meeting_sets_the_plans_review_date_through_the_plan_and_publishing_shares_it(
    their_gp: Membership, patient: Patient
) -> None:
    register.register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
    meeting = _meeting(their_gp)
    review_on = today() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as no_date:
        services.outcome_record(
            actor=their_gp,
            meeting=meeting,
            patient=patient,
            notes="",
            next_review_on=None,
            actions=[],
            set_plan_review=True,
        )
    assert "Enter the next review" in no_date.value.message_dict["next_review_on"][0]
    services.outcome_record(
        actor=their_gp,
        meeting=meeting,
        patient=patient,
        notes="",
        next_review_on=review_on,
        actions=[],
        set_plan_review=True,
    )
    review = PlanSection.objects.get(working_copy__plan__patient=patient, key="review")
    assert review.data["planned_review_date"] == review_on.isoformat()
    assert AccessEvent.objects.filter(action=Action.EDIT, detail__section="review").exists()


def test_an_action_left_unowned_goes_to_the_key_worker(
    client: Client, their_gp: Membership, team_nurse: Membership, patient: Patient
) -> None:
    register.register_add(actor=their_gp, patient=patient, added_on=today(), route="own_request")
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=team_nurse,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
    meeting = _meeting(their_gp)
    act_as(client, their_gp)
    review = reverse("practice:review", args=[patient.public_id, meeting.public_id])
    page = client.get(review).content.decode()
    assert "The key worker, " in page
    day = today() + dt.timedelta(days=3)
    response = client.post(
        review,
        {
            "notes": "",
            "action_1_what": "Visit and check the syringe driver",
            "action_1_due_on_0": day.day,
            "action_1_due_on_1": day.month,
            "action_1_due_on_2": day.year,
        },
    )
    assert response.status_code == 302
    [delivery] = notifications_for(team_nurse).object_list
    assert delivery.notification.about == "Visit and check the syringe driver"
