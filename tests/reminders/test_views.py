"""The notifications page, the header's unread count, marking as read, and a lead's overdue
reviews: as their people meet them, and as outsiders do (nothing leaked, nothing changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import CarePlan
from organisations.models import Membership
from patients.models import Patient
from portal.models import PatientAccount
from reminders.models import Delivery
from reminders.services import reminders_sweep
from tests.conftest import Place, act_as
from tests.factories import make_member
from tests.reminders.conftest import publish

NOTIFICATIONS = reverse("reminders:notifications")
OVERDUE = reverse("reminders:overdue_reviews")


@pytest.fixture
def reminded(their_gp: Membership, consented: Patient) -> CarePlan:
    """Winifred's plan: review 10 days overdue (so also escalated to the GP, a lead) and
    her CPR decision due for review in 5 days."""
    plan = publish(their_gp, consented, review_in=30, cpr_review_in=5)
    CarePlan.objects.filter(pk=plan.pk).update(
        review_due_on=plan.review_due_on - dt.timedelta(days=40)  # type: ignore[operator]
    )
    reminders_sweep()
    return plan


def _unread(client: Client) -> str | None:
    page = client.get(reverse("careplans:worklist")).content.decode()
    marker = 'data-testid="unread-count">'
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split("<", 1)[0]


def test_the_gp_sees_their_reminders_with_the_count_in_the_header_and_it_is_audited(
    client: Client, their_gp: Membership, reminded: CarePlan, consented: Patient
) -> None:
    act_as(client, their_gp)
    assert _unread(client) == "3"
    page = client.get(NOTIFICATIONS).content.decode()
    for text in (
        "Plan review overdue",
        "Plan review overdue for more than 7 days",
        "CPR decision due for review",
        consented.full_name,
        "485 777 3457",
    ):
        assert text in page
    event = AccessEvent.objects.filter(user=their_gp.user, action=Action.LIST).latest("id")
    assert event.detail["page"] == "notifications"
    assert event.detail["shown"] == [str(consented.public_id)]


def test_marking_one_and_then_all_as_read(
    client: Client, their_gp: Membership, reminded: CarePlan
) -> None:
    act_as(client, their_gp)
    first = Delivery.objects.filter(membership=their_gp).first()
    assert first is not None
    response = client.post(reverse("reminders:mark_read", args=[first.public_id]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert _unread(client) == "2"
    client.post(reverse("reminders:mark_all_read"))
    assert _unread(client) is None
    assert not Delivery.objects.filter(membership=their_gp, read_at__isnull=True).exists()


def test_opening_the_plan_from_a_notification_marks_it_read_and_home_counts_it(
    client: Client, their_gp: Membership, reminded: CarePlan, consented: Patient
) -> None:
    act_as(client, their_gp)
    home = client.get(reverse("home")).content.decode()
    counts = home[home.index('data-testid="home-counts"') :]
    assert '<span class="nhsuk-u-visually-hidden">3 </span>Reviews due or overdue' in counts
    delivery = Delivery.objects.filter(membership=their_gp).first()
    assert delivery is not None
    page = client.get(NOTIFICATIONS).content.decode()
    assert reverse("reminders:open", args=[delivery.public_id]) in page
    response = client.get(reverse("reminders:open", args=[delivery.public_id]))
    assert response["Location"] == reverse(
        "careplans:overview", kwargs={"patient_id": consented.public_id}
    )
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert _unread(client) == "2"


def test_someone_else_cannot_see_or_mark_the_gps_reminders(
    client: Client,
    their_gp: Membership,
    team_nurse: Membership,
    outsider_clinician: Membership,
    reminded: CarePlan,
    consented: Patient,
) -> None:
    delivery = Delivery.objects.filter(membership=their_gp).first()
    assert delivery is not None
    for person in (team_nurse, outsider_clinician):
        act_as(client, person)
        page = client.get(NOTIFICATIONS).content.decode()
        assert consented.family_name.lower() not in page.lower()
        assert consented.nhs_number not in page.replace(" ", "")
        assert "You have no notifications" in page
        assert _unread(client) is None
        response = client.post(reverse("reminders:mark_read", args=[delivery.public_id]))
        assert response.status_code == 404
        assert client.get(reverse("reminders:open", args=[delivery.public_id])).status_code == 404
        client.post(reverse("reminders:mark_all_read"))
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_a_reminder_about_a_patient_the_gp_can_no_longer_see_is_not_shown(
    client: Client, their_gp: Membership, reminded: CarePlan, consented: Patient
) -> None:
    """Access is checked when the page is read, not only when the reminder was raised."""
    from patients.models import PatientGroupObjectPermission

    PatientGroupObjectPermission.objects.filter(
        content_object=consented, group=their_gp.organisation.group
    ).delete()
    act_as(client, their_gp)
    page = client.get(NOTIFICATIONS).content.decode()
    assert consented.family_name.lower() not in page.lower()
    assert _unread_count_on(page) is None


def _unread_count_on(page: str) -> str | None:
    marker = 'data-testid="unread-count">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else None


@pytest.mark.parametrize("persona", ["paramedic", "call_handler", "regional_admin", "coordinator"])
def test_roles_that_read_no_plans_have_no_notifications_page(
    client: Client, persona: str, request: pytest.FixtureRequest, reminded: CarePlan
) -> None:
    member: Membership = request.getfixturevalue(persona)
    act_as(client, member)
    assert client.get(NOTIFICATIONS).status_code == 403
    assert client.get(OVERDUE).status_code == 403
    assert 'data-testid="notifications-link"' not in client.get("/").content.decode()
    assert AccessEvent.objects.filter(
        user=member.user, action=Action.DENIED, detail__path=NOTIFICATIONS
    ).exists()


def test_patients_online_meet_404_and_signed_out_people_sign_in(
    client: Client, online_patient: PatientAccount, reminded: CarePlan, their_gp: Membership
) -> None:
    delivery = Delivery.objects.filter(membership=their_gp).first()
    assert delivery is not None
    client.force_login(online_patient.user)
    assert client.get(NOTIFICATIONS).status_code == 404
    assert client.post(reverse("reminders:mark_read", args=[delivery.public_id])).status_code == (
        404
    )
    assert client.get(OVERDUE).status_code == 404
    client.logout()
    for url in (NOTIFICATIONS, OVERDUE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("organisations:sign_in"))
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_the_lead_sees_overdue_reviews_oldest_first_with_who_is_responsible(
    client: Client,
    place: Place,
    their_gp: Membership,
    reminded: CarePlan,
    consented: Patient,
) -> None:
    act_as(client, their_gp)
    page = client.get(OVERDUE).content.decode()
    assert "Overdue reviews" in page
    assert consented.family_name.upper() in page.upper()
    assert "Dr Test Clinician, GP" in page
    assert "10 days overdue" in page
    event = AccessEvent.objects.filter(user=their_gp.user, action=Action.LIST).latest("id")
    assert event.detail == {
        "page": "overdue_reviews",
        "number": 1,
        "shown": [str(consented.public_id)],
    }
    home = client.get("/").content.decode()
    assert OVERDUE in home


def test_who_is_not_a_lead_or_leads_elsewhere_sees_no_overdue_reviews_of_this_practice(
    client: Client,
    place: Place,
    team_nurse: Membership,
    reminded: CarePlan,
    consented: Patient,
) -> None:
    act_as(client, team_nurse)
    assert client.get(OVERDUE).status_code == 403
    other_lead = make_member(place.outsider_practice, username="other-lead", lead=True)
    act_as(client, other_lead)
    page = client.get(OVERDUE).content.decode()
    assert consented.family_name.lower() not in page.lower()
    assert "No reviews are overdue" in page


def test_overdue_reviews_longest_overdue_first_in_a_fixed_number_of_queries(
    client: Client, place: Place, their_gp: Membership, reminded: CarePlan
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consent.models import GivenBy
    from consent.services import consent_record
    from tests.factories import make_patient

    act_as(client, their_gp)
    client.get(OVERDUE)  # warm: the session, the acting membership
    with CaptureQueriesContext(connection) as one:
        client.get(OVERDUE)
    names = []
    for days_overdue in (3, 20):
        other = make_patient(registered_by=their_gp, practice=place.practice)
        consent_record(
            actor=their_gp,
            patient=other,
            given_by=GivenBy.PATIENT,
            given_on=dt.date.today(),  # noqa: DTZ011
        )
        plan = publish(their_gp, other, review_in=30)
        CarePlan.objects.filter(pk=plan.pk).update(
            review_due_on=dt.date.today() - dt.timedelta(days=days_overdue)  # noqa: DTZ011
        )
        names.append(other.full_name)
    reminders_sweep()
    with CaptureQueriesContext(connection) as three:
        page = client.get(OVERDUE).content.decode()
    assert len(three) == len(one)
    order = [page.index(names[1]), page.index("Winifred"), page.index(names[0])]
    assert order == sorted(order), "20, then 10, then 3 days overdue"
    assert "20 days overdue, escalated to leads" in page
    assert "3 days overdue<" in page.replace("</strong>", "<")


def test_the_unread_count_is_of_open_unread_reminders_to_the_viewer_about_people_they_see(
    their_gp: Membership,
    team_nurse: Membership,
    reminded: CarePlan,
    consented: Patient,
    other_patient: Patient,
) -> None:
    """Whom a reminder is about is the person it names, or the plan's person; it counts only
    while the viewer may see them."""
    from django.utils import timezone

    from patients.models import PatientGroupObjectPermission
    from reminders.models import Kind, Notification
    from reminders.selectors import unread_count

    assert unread_count(their_gp) == 3  # the plan's three reminders
    today = timezone.localdate()

    def remind(about: Patient, to: Membership, **delivery: object) -> Notification:
        notification = Notification.objects.create(
            patient=about, kind=Kind.MDT_ACTION, due_on=today, organisation=to.organisation
        )
        Delivery.objects.create(notification=notification, membership=to, **delivery)
        return notification

    remind(consented, their_gp)
    remind(other_patient, their_gp)
    remind(consented, their_gp, read_at=timezone.now())
    remind(consented, team_nurse)
    resolved = remind(consented, their_gp)
    Notification.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    assert unread_count(their_gp) == 5
    assert unread_count(team_nurse) == 1

    PatientGroupObjectPermission.objects.filter(
        content_object=other_patient, group=their_gp.organisation.group
    ).delete()
    assert unread_count(their_gp) == 4
    PatientGroupObjectPermission.objects.filter(
        content_object=consented, group=their_gp.organisation.group
    ).delete()
    assert unread_count(their_gp) == 0
