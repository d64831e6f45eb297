"""The published profile is shown the same everywhere: the clinician's patient page and
plan, the person's own pages and the printed pack, for the person's stage now."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from careplans.models import PublishedVersion
from deaths.services import DeathDetails, death_record
from organisations.models import Membership
from patients.models import Patient
from portal.models import PatientAccount
from practice.services import meeting_schedule
from profiles.services import draft_start, profile_publish, stage_save
from profiles.terminology import Stage
from register.services import register_add
from register.terminology import STAGE_C
from tests.conftest import act_as
from tests.profiles.conftest import STAGE_C_WORDS, publish_profile


def _stage_c(gp: Membership, patient: Patient) -> None:
    register_add(
        actor=gp, patient=patient, added_on=timezone.localdate(), route="own_request", stage=STAGE_C
    )


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_same_published_text_on_the_clinicians_page_the_persons_page_and_the_pdf(
    client: Client,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
    regional_admin: Membership,
    online_patient: PatientAccount,
) -> None:
    publish_profile(regional_admin)
    _stage_c(their_gp, patient)
    act_as(client, their_gp)
    for name in ("patients:detail", "careplans:overview"):
        page = client.get(reverse(name, kwargs={"patient_id": patient.public_id})).content.decode()
        assert "What is available now, and what to discuss" in page
        assert STAGE_C_WORDS in page
        assert "C help" in page
        assert "A help" not in page  # another stage's services
    pdf = client.get(reverse("careplans:plan_pdf", kwargs={"patient_id": patient.public_id}))
    text = " ".join(_text(pdf.content).split())
    assert STAGE_C_WORDS in text
    assert "C help" in text
    client.force_login(online_patient.user)
    own = client.get(reverse("portal:home")).content.decode()
    assert "Help available to you now" in own
    assert STAGE_C_WORDS in own
    assert "Stage C" not in own  # plain words for the person: no staging shown


def test_a_new_profile_changes_what_is_shown_never_what_the_plan_recorded(
    client: Client,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
    regional_admin: Membership,
) -> None:
    publish_profile(regional_admin)
    _stage_c(their_gp, patient)
    snapshot = dict(published.snapshot)
    draft = draft_start(actor=regional_admin)
    draft = stage_save(
        actor=regional_admin,
        revision=draft.revision,
        stage=Stage.C,
        information="New words for weeks.",
        to_discuss=[],
    )
    profile_publish(actor=regional_admin, revision=draft.revision)
    act_as(client, their_gp)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": patient.public_id}))
    assert "New words for weeks." in page.content.decode()
    assert STAGE_C_WORDS not in page.content.decode()
    published.refresh_from_db()
    assert published.snapshot == snapshot


def test_no_stage_no_profile_and_after_a_death_the_after_death_part(
    client: Client, patient: Patient, their_gp: Membership, regional_admin: Membership
) -> None:
    publish_profile(regional_admin)
    act_as(client, their_gp)
    url = reverse("patients:detail", kwargs={"patient_id": patient.public_id})
    page = client.get(url).content.decode()
    assert "Gold Standards Framework stage on the palliative care register" in page
    death_record(
        actor=their_gp,
        patient=patient,
        details=DeathDetails(date_of_death=timezone.localdate(), place_of_death="876879006"),
    )
    page = client.get(url).content.decode()
    assert "What to know at After death." in page
    assert "after_death help" in page


def test_commissioners_see_no_patient_data(
    client: Client, patient: Patient, commissioner: Membership
) -> None:
    act_as(client, commissioner)
    assert client.get(reverse("profiles:overview")).status_code == 200
    assert client.get(reverse("careplans:worklist")).status_code == 403
    for name in ("patients:detail", "careplans:overview", "careplans:summary"):
        response = client.get(reverse(name, kwargs={"patient_id": patient.public_id}))
        assert response.status_code in (403, 404)
        assert "Attwater" not in response.content.decode()


def test_the_practice_meeting_shows_each_stages_profile_and_each_persons_readiness(
    client: Client, patient: Patient, their_gp: Membership, regional_admin: Membership
) -> None:
    publish_profile(regional_admin)
    _stage_c(their_gp, patient)
    meeting = meeting_schedule(actor=their_gp, held_on=timezone.localdate(), attendees="Team")
    act_as(client, their_gp)
    page = client.get(
        reverse("practice:meeting", kwargs={"meeting_id": meeting.public_id})
    ).content.decode()
    assert 'data-testid="meeting-profile"' in page
    assert STAGE_C_WORDS in page
    readiness = page.split('data-testid="meeting-readiness"')[1].split("</dd>")[0]
    assert "red" in readiness  # nothing checked yet at stage C
    assert "Just-in-case medicines: No just-in-case medicines prescribed" in readiness
