"""After a death: the key worker's follow-up with the family within the care profile's
window, every organisation of the care team told, equipment to collect, the outcome
recorded; all withdrawn if the death was recorded in error."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from careplans.models import Death
from deaths.services import DeathDetails, death_entered_in_error, death_record
from organisations.models import Membership
from patients.models import Patient
from practice.services import meeting_schedule
from profiles.models import BereavementFollowUp, ReadinessKind
from profiles.readiness_services import readiness_record
from profiles.services import draft_start, profile_publish, stage_save
from profiles.terminology import Stage
from register.services import register_add
from reminders.models import Delivery, Kind, Notification
from tests.conftest import act_as
from tests.factories import make_key_worker
from tests.profiles.conftest import publish_profile

AT_HOME = "876879006"


def _died(gp: Membership, patient: Patient, days_ago: int = 0) -> Death:
    return death_record(
        actor=gp,
        patient=patient,
        details=DeathDetails(timezone.localdate() - dt.timedelta(days=days_ago), AT_HOME),
    )


def test_a_death_opens_the_follow_up_for_the_key_worker_and_tells_the_care_team(
    patient: Patient,
    their_gp: Membership,
    team_nurse: Membership,
    regional_admin: Membership,
) -> None:
    draft = publish_profile(regional_admin)
    draft = draft_start(actor=regional_admin)
    draft = stage_save(
        actor=regional_admin,
        revision=draft.revision,
        stage=Stage.AFTER_DEATH,
        information="After a death",
        to_discuss=[],
        bereavement_from_days=14,
        bereavement_to_days=28,
    )
    profile_publish(actor=regional_admin, revision=draft.revision)
    make_key_worker(by=their_gp, patient=patient, worker=team_nurse)
    readiness_record(
        actor=their_gp,
        patient=patient,
        kind=ReadinessKind.EQUIPMENT,
        data={"needed": ["profiling_bed", "hoist"], "delivered": ["profiling_bed"]},
    )
    _died(their_gp, patient, days_ago=2)
    follow_up = BereavementFollowUp.objects.get(patient=patient)
    day = timezone.localdate() - dt.timedelta(days=2)
    assert (follow_up.due_from, follow_up.due_by) == (
        day + dt.timedelta(days=14),
        day + dt.timedelta(days=28),
    )
    assert follow_up.owner == team_nurse
    assert follow_up.equipment_to_collect == ["Profiling bed"]
    bereavement = Notification.objects.get(kind=Kind.BEREAVEMENT)
    assert list(bereavement.deliveries.values_list("membership", flat=True)) == [team_nurse.pk]
    died = Notification.objects.filter(kind=Kind.DIED, patient=patient)
    assert {n.organisation for n in died} == {their_gp.organisation, team_nurse.organisation}
    assert all("Collect the equipment: Profiling bed." in n.about for n in died)
    assert Delivery.objects.filter(notification__in=died, membership=their_gp).exists()


def test_the_key_worker_records_the_contact_and_the_task_is_done(
    client: Client, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    _died(their_gp, patient)
    act_as(client, team_nurse)
    detail = client.get(reverse("patients:detail", kwargs={"patient_id": patient.public_id}))
    assert 'data-testid="bereavement-follow-up"' in detail.content.decode()
    url = reverse("profiles:bereavement", kwargs={"patient_id": patient.public_id})
    assert "Choose how the contact went" in client.post(url, {"outcome": ""}).content.decode()
    response = client.post(url, {"outcome": "referred", "outcome_note": "Daughter, by phone"})
    assert response.status_code == 302
    follow_up = BereavementFollowUp.objects.get(patient=patient)
    assert follow_up.outcome == "referred"
    assert follow_up.done_by == team_nurse.user
    assert Notification.objects.get(kind=Kind.BEREAVEMENT).resolved_at is not None
    assert AccessEvent.objects.filter(
        action=Action.BEREAVEMENT_RECORD, patient_public_id=patient.public_id
    ).exists()
    page = client.get(url).content.decode()
    assert "Contacted and referred to bereavement support" in page
    assert client.post(url, {"outcome": "contacted"}).status_code == 404  # done already


def test_a_death_in_error_withdraws_the_follow_up_and_the_notices(
    patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    death = _died(their_gp, patient)
    death_entered_in_error(actor=their_gp, death=death, reason="The wrong person")
    follow_up = BereavementFollowUp.objects.get(patient=patient)
    assert follow_up.cancelled_at is not None
    assert not Notification.objects.filter(
        kind__in=[Kind.BEREAVEMENT, Kind.DIED], resolved_at__isnull=True
    ).exists()


def test_outsiders_meet_404_on_the_follow_up(
    client: Client, patient: Patient, their_gp: Membership, outsider_clinician: Membership
) -> None:
    _died(their_gp, patient)
    act_as(client, outsider_clinician)
    url = reverse("profiles:bereavement", kwargs={"patient_id": patient.public_id})
    response = client.post(url, {"outcome": "contacted"})
    assert response.status_code == 404
    assert "Attwater" not in response.content.decode()
    assert BereavementFollowUp.objects.get(patient=patient).done_at is None


def test_the_practice_meeting_lists_the_familys_follow_up_of_each_death(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    register_add(
        actor=their_gp, patient=patient, added_on=timezone.localdate(), route="own_request"
    )
    meeting = meeting_schedule(actor=their_gp, held_on=timezone.localdate(), attendees="Team")
    _died(their_gp, patient)
    act_as(client, their_gp)
    url = reverse("practice:meeting", kwargs={"meeting_id": meeting.public_id})
    family = client.get(url).content.decode().split('data-testid="died-family"')[1]
    assert "To contact" in family.split("</td>")[0]
