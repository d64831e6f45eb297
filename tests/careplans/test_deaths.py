"""Recording a death: the plan closes, reminders resolve, urgent care see it; bad input is
refused with nothing saved; a clinician corrects a mistaken record or marks it as made in
error, which reopens the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans import services
from careplans.models import CarePlan, Death, PublishedVersion
from deaths.services import DeathDetails, death_correct, death_entered_in_error, death_record
from organisations.models import Membership, OrganisationKind, Role
from patients.dates import age_on
from patients.models import Patient
from patients.services import care_team_add
from reminders.models import Notification
from reminders.services import reminders_sweep
from tests.careplans.conftest import basis, complete, date_fields, today
from tests.conftest import Place, act_as
from tests.factories import make_member, make_organisation

HOME = "876879006"
HOSPICE = "876882001"


def yesterday() -> dt.date:
    return today() - dt.timedelta(days=1)


@pytest.fixture
def care_home_staff(place: Place, patient: Patient, their_gp: Membership) -> Membership:
    home = make_organisation(kind=OrganisationKind.CARE_HOME, region=place.region)
    care_team_add(actor=their_gp, patient=patient, organisation=home)
    return make_member(home, Role.CARE_HOME_STAFF, username="care-home-staff")


def _died(actor: Membership, patient: Patient, **changes: object) -> Death:
    details = {"date_of_death": yesterday(), "place_of_death": HOME, "place_name": ""}
    details.update(changes)
    return death_record(actor=actor, patient=patient, details=DeathDetails(**details))  # type: ignore[arg-type]


def test_care_home_staff_record_a_death_and_the_plan_closes_with_the_facts_at_death(
    care_home_staff: Membership,
    published: PublishedVersion,
    patient: Patient,
    django_capture_on_commit_callbacks: object,
) -> None:
    plan = CarePlan.objects.get(patient=patient)
    assert plan.review_due_on is not None
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        death = _died(care_home_staff, patient, place_name="Holloway Gardens")
    plan.refresh_from_db()
    patient.refresh_from_db()
    assert plan.closed_at is not None
    assert (plan.review_due_on, plan.cpr_review_due_on) == (None, None)
    died = yesterday()
    assert patient.date_of_death == died
    assert death.version_at_death == published
    assert death.preferred_place_of_death == complete()["preferences"]["preferred_place_of_death"]
    assert death.diagnosis_group == "cancer"
    born = patient.date_of_birth
    assert death.age_at_death == died.year - born.year - (
        (died.month, died.day) < (born.month, born.day)
    )
    assert death.recorded_by_organisation == care_home_staff.organisation
    event = AccessEvent.objects.get(action=Action.DEATH_RECORD)
    assert event.patient_public_id == patient.public_id
    assert event.user == care_home_staff.user


def test_a_closed_plan_cannot_be_edited_or_published(
    their_gp: Membership, published: PublishedVersion, patient: Patient
) -> None:
    _died(their_gp, patient)
    with pytest.raises(services.PlanClosed):
        services.section_save(
            actor=their_gp,
            patient=patient,
            key="about_me",
            data={"what_is_most_important_to_me": "after death"},
        )
    with pytest.raises(PermissionDenied):
        services.careplan_publish(
            actor=their_gp, patient=Patient.objects.get(pk=patient.pk), basis=basis()
        )
    assert PublishedVersion.objects.count() == 1


def test_its_open_reminders_resolve_because_the_person_has_died(
    their_gp: Membership, consented: Patient, django_capture_on_commit_callbacks: object
) -> None:
    services.section_save(
        actor=their_gp, patient=consented, key="about_me", data=complete()["about_me"]
    )
    for key, data in complete().items():
        services.section_save(
            actor=their_gp,
            patient=consented,
            key=key,
            data={**data, **(date_fields("planned_review_date", 5) if key == "review" else {})},
        )
    services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    reminders_sweep()
    assert Notification.objects.filter(resolved_at__isnull=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _died(their_gp, consented)
    # The plan's reminder; the death's own tasks (the family, the care team) are new.
    notification = Notification.objects.get(plan__isnull=False)
    assert notification.resolution == "Closed: the person has died"
    assert reminders_sweep().raised == 0


def test_urgent_care_see_that_the_person_has_died(
    client: Client,
    their_gp: Membership,
    paramedic: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    death = _died(their_gp, patient)
    page = act_as(client, paramedic).get(reverse("careplans:summary", args=[patient.public_id]))
    text = page.content.decode()
    assert "This person has died" in text
    assert death.date_of_death.strftime("%-d %B %Y") in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # A callable is read when the test runs, on the clock then in force.
        (
            {"date_of_death": lambda: today() + dt.timedelta(days=1)},
            "date_of_death",
            "in the future",
        ),
        ({"date_of_death": dt.date(1940, 12, 3)}, "date_of_death", "before the person's date"),
        ({"date_of_death": None}, "date_of_death", "Enter the date of death"),
        ({"place_of_death": "110481000000108"}, "place_of_death", "Choose where"),
        ({"place_of_death": ""}, "place_of_death", "Choose where"),
    ],
)
def test_bad_details_are_refused_with_a_clear_error_and_nothing_saved(
    their_gp: Membership,
    published: PublishedVersion,
    patient: Patient,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    details = {name: value() if callable(value) else value for name, value in changes.items()}
    with pytest.raises(ValidationError) as refused:
        _died(their_gp, patient, **details)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Death.objects.exists()
    assert CarePlan.objects.get(patient=patient).closed_at is None


def test_the_death_keeps_the_region_and_practice_of_the_person_at_death(
    their_gp: Membership, patient: Patient
) -> None:
    death = _died(their_gp, patient)
    assert (death.region_id, death.gp_practice_id) == (
        patient.home_region_id,
        patient.registered_gp_practice_id,
    )
    assert death.gp_practice_id is not None


def test_a_death_recorded_twice_is_refused(their_gp: Membership, patient: Patient) -> None:
    _died(their_gp, patient)
    with pytest.raises(ValidationError) as twice:
        _died(their_gp, patient, place_of_death=HOSPICE)
    assert "already recorded" in twice.value.messages[0]
    assert Death.objects.get().place_of_death == HOME


def test_a_clinician_corrects_the_record_with_a_reason(
    their_gp: Membership, patient: Patient
) -> None:
    death = _died(their_gp, patient)
    details = DeathDetails(yesterday() - dt.timedelta(days=1), HOSPICE, "Heathside Hospice")
    with pytest.raises(ValidationError) as no_reason:
        death_correct(actor=their_gp, death=death, details=details, reason="  ")
    assert "Say why" in no_reason.value.message_dict["reason"][0]
    death_correct(
        actor=their_gp, death=death, details=details, reason="The certificate says 2 days ago"
    )
    death.refresh_from_db()
    assert (death.date_of_death, death.place_of_death) == (details.date_of_death, HOSPICE)
    assert death.history.count() == 2
    assert death.history.first().history_change_reason == "The certificate says 2 days ago"
    assert Patient.objects.get(pk=patient.pk).date_of_death == details.date_of_death
    assert AccessEvent.objects.filter(action=Action.DEATH_CORRECT).count() == 1


def test_only_a_clinician_corrects_a_death(care_home_staff: Membership, patient: Patient) -> None:
    death = _died(care_home_staff, patient)
    with pytest.raises(PermissionDenied):
        death_correct(
            actor=care_home_staff,
            death=death,
            details=DeathDetails(yesterday(), HOSPICE),
            reason="changed my mind",
        )
    with pytest.raises(PermissionDenied):
        death_entered_in_error(actor=care_home_staff, death=death, reason="not them")
    assert Death.objects.get().place_of_death == HOME


def test_a_death_recorded_in_error_reopens_the_plan_and_a_later_one_can_be_recorded(
    their_gp: Membership, published: PublishedVersion, patient: Patient
) -> None:
    death = _died(their_gp, patient)
    death_entered_in_error(actor=their_gp, death=death, reason="Recorded for the wrong person")
    plan = CarePlan.objects.get(patient=patient)
    assert plan.closed_at is None
    assert str(plan.review_due_on) == str(published.planned_review_date)
    assert Patient.objects.get(pk=patient.pk).date_of_death is None
    death.refresh_from_db()
    assert death.entered_in_error
    services.section_save(
        actor=their_gp,
        patient=Patient.objects.get(pk=patient.pk),
        key="about_me",
        data={"what_is_most_important_to_me": "Still here"},
    )
    _died(their_gp, Patient.objects.get(pk=patient.pk), date_of_death=today())
    assert Death.objects.filter(entered_in_error=False).count() == 1


# --- pages ---------------------------------------------------------------------------------


def test_recording_a_death_through_the_page(
    client: Client, their_gp: Membership, published: PublishedVersion, patient: Patient
) -> None:
    act_as(client, their_gp)
    url = reverse("deaths:death", args=[patient.public_id])
    page = client.get(reverse("patients:detail", args=[patient.public_id])).content.decode()
    assert "Record a death" in page
    future = today() + dt.timedelta(days=3)
    refused = client.post(
        url,
        {
            "date_of_death_0": str(future.day),
            "date_of_death_1": str(future.month),
            "date_of_death_2": str(future.year),
            "place_of_death": HOME,
        },
    )
    assert refused.status_code == 200
    assert "The date of death cannot be in the future" in refused.content.decode()
    assert not Death.objects.exists()
    died = yesterday()
    response = client.post(
        url,
        {
            "date_of_death_0": str(died.day),
            "date_of_death_1": str(died.month),
            "date_of_death_2": str(died.year),
            "place_of_death": HOSPICE,
            "place_name": "Heathside Hospice",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "The death is recorded" in text
    assert "In a hospice: Heathside Hospice" in text
    overview = client.get(reverse("careplans:overview", args=[patient.public_id])).content
    assert b"Plan closed" in overview
    assert reverse("careplans:section", args=[patient.public_id, "about_me"]).encode() not in (
        overview
    )
    detail = client.get(reverse("patients:detail", args=[patient.public_id])).content.decode()
    assert "Died on" in detail
    assert "Record a death" not in detail


@pytest.mark.parametrize(
    ("born", "died", "age"),
    [
        (dt.date(1940, 12, 4), dt.date(2026, 12, 3), 85),  # the day before the birthday
        (dt.date(1940, 12, 4), dt.date(2026, 12, 4), 86),  # on the birthday
        (dt.date(1940, 2, 29), dt.date(2027, 2, 28), 86),  # leap-day birthday, no 29th: not yet
        (dt.date(1940, 2, 29), dt.date(2027, 3, 1), 87),  # counts from 1 March
        (dt.date(1940, 2, 29), dt.date(2028, 2, 29), 88),  # on the day itself, in a leap year
        (dt.date(1940, 12, 31), dt.date(2027, 1, 1), 86),  # across the new year
    ],
)
def test_the_age_at_death_is_whole_years_and_a_leap_day_birthday_counts_from_1_march(
    born: dt.date, died: dt.date, age: int
) -> None:
    """The reports' age bands read the age at death: off by one on a birthday or a leap
    day would put a person in the wrong band."""
    assert age_on(born, died) == age
