"""Who to call: the key worker and the region's single point of access, shown the same on
the emergency summary, its PDF, the plan PDF and every page of the person's own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careplans.models import PublishedVersion
from organisations.models import Membership
from organisations.services import region_access_set
from patients.models import Patient
from patients.services import key_contact_set
from portal.models import PatientAccount
from tests.careplans.test_summary import pdf_text, summary_url
from tests.conftest import act_as

NUMBER = "020 7946 0999"


@pytest.fixture
def named(patient: Patient, their_gp: Membership, team_nurse: Membership) -> Patient:
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=team_nurse,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
    return patient


@pytest.fixture
def access_line(regional_admin: Membership) -> None:
    region_access_set(
        actor=regional_admin,
        name="Palliative Care Co-ordination Centre",
        phone=NUMBER,
        hours="24 hours a day, 7 days a week",
        what_for="Call if things change or you are worried, day or night",
    )


def _nurse(team_nurse: Membership) -> str:
    return team_nurse.user.get_full_name() or team_nurse.user.get_username()


@pytest.mark.usefixtures("access_line")
def test_the_crew_sees_the_key_worker_and_the_one_number_beside_the_decision(
    client: Client,
    paramedic: Membership,
    published: PublishedVersion,
    named: Patient,
    team_nurse: Membership,
) -> None:
    act_as(client, paramedic)
    page = client.get(summary_url(named)).content.decode()
    glance = page[page.index('data-testid="at-a-glance"') : page.index('data-testid="version"')]
    assert _nurse(team_nurse) in glance
    assert 'href="tel:02079460450"' in glance
    assert 'href="tel:02079460999"' in glance
    assert "24 hours a day, 7 days a week" in glance
    pdf = client.get(reverse("careplans:summary_pdf", kwargs={"patient_id": named.public_id}))
    first = pdf_text(pdf.content)[0]
    assert "Key worker" in first
    assert "020 7946 0450" in first
    assert NUMBER in first


@pytest.mark.usefixtures("access_line")
def test_without_a_shareable_plan_the_crew_still_has_someone_to_call(
    client: Client, paramedic: Membership, named: Patient
) -> None:
    act_as(client, paramedic)
    page = client.get(summary_url(named)).content.decode()
    assert "No shareable plan" in page
    assert 'href="tel:02079460450"' in page
    assert 'href="tel:02079460999"' in page


def test_no_key_worker_and_no_number_say_so(
    client: Client, paramedic: Membership, published: PublishedVersion
) -> None:
    act_as(client, paramedic)
    page = client.get(summary_url(published.plan.patient)).content.decode()
    assert "Not named yet" in page
    assert 'data-testid="single-point-of-access"' not in page


@pytest.mark.usefixtures("access_line")
def test_the_plan_pdf_names_the_key_worker_and_the_number(
    client: Client, their_gp: Membership, published: PublishedVersion, named: Patient
) -> None:
    act_as(client, their_gp)
    pdf = client.get(reverse("careplans:plan_pdf", kwargs={"patient_id": named.public_id}))
    text = "".join(pdf_text(pdf.content))
    assert "Who to call now" in text
    assert "020 7946 0450" in text
    assert NUMBER in text


@pytest.mark.usefixtures("access_line")
def test_the_person_and_their_attorney_see_their_key_worker_on_every_page_of_their_own(
    online_patient: PatientAccount,
    attorney: PatientAccount,
    named: Patient,
    team_nurse: Membership,
) -> None:
    for account in (online_patient, attorney):
        client = Client()
        client.force_login(account.user)
        for name in ("portal:home", "portal:consent", "portal:access_log"):
            page = client.get(reverse(name)).content.decode()
            # To the person, "your"; to their attorney, whose key worker it is not, plainly.
            words = "Your key worker" if account == online_patient else "<dt>Key worker</dt>"
            assert words in page, name
            assert _nurse(team_nurse) in page
            assert "Call if things change or you are worried" in page
