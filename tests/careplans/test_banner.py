"""The patient banner: who this is and where their plan stands, on every page about them."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from careplans import services
from careplans.models import CarePlan, PublishedVersion
from careplans.selectors import banner_for
from organisations.models import Membership
from patients.models import Patient
from patients.services import key_contact_set
from tests.careplans.conftest import basis, fill
from tests.conftest import act_as


def test_the_plan_status_in_words_at_each_step(
    consented: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    assert banner_for(consented).plan_status == "No plan"
    assert banner_for(consented).cpr == "No published plan"
    fill(their_gp, consented)
    assert banner_for(consented).plan_status == "Draft, never published"
    services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    banner = banner_for(consented)
    assert banner.plan_status == "Published version 1"
    assert banner.not_for_cpr
    assert banner.cpr.startswith("Not for CPR")
    services.section_save(
        actor=their_gp,
        patient=consented,
        key="about_me",
        data={"what_is_most_important_to_me": "My garden"},
    )
    assert banner_for(consented).plan_status == "Published version 1; changes in draft"
    services.careplan_submit(actor=team_nurse, patient=consented)
    assert banner_for(consented).plan_status == ("Published version 1; changes awaiting approval")


def test_an_overdue_review_and_the_key_worker_show(
    published: PublishedVersion, their_gp: Membership, team_nurse: Membership
) -> None:
    patient = published.plan.patient
    CarePlan.objects.filter(pk=published.plan_id).update(review_due_on=dt.date(2020, 1, 1))
    key_contact_set(
        actor=their_gp,
        patient=patient,
        kind="key_worker",
        membership=team_nurse,
        phone="020 7946 0450",
        reason="Agreed at the practice meeting",
    )
    banner = banner_for(patient)
    assert banner.review_overdue
    assert banner.key_worker is not None
    assert banner.key_worker.membership == team_nurse


def test_every_plan_and_section_page_shows_the_banner_with_a_death(
    client: Client, published: PublishedVersion, their_gp: Membership
) -> None:
    patient = published.plan.patient
    act_as(client, their_gp)
    for url in (
        reverse("patients:detail", kwargs={"patient_id": patient.public_id}),
        reverse("careplans:overview", kwargs={"patient_id": patient.public_id}),
        reverse(
            "careplans:section",
            kwargs={"patient_id": patient.public_id, "section_key": "about_me"},
        ),
        reverse("consent:consent", kwargs={"patient_id": patient.public_id}),
    ):
        page = client.get(url).content.decode()
        banner = page[page.index('data-testid="patient-banner"') :]
        assert "485 777 3457" in banner[:600], url
        assert "Published version 1" in banner, url
        assert "(aged " in banner, url
    Patient.objects.filter(pk=patient.pk).update(date_of_death=dt.date(2026, 1, 2))
    page = client.get(
        reverse("careplans:overview", kwargs={"patient_id": patient.public_id})
    ).content.decode()
    assert "Died on 2 January 2026" in page
