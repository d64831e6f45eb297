"""One LPA record (hazard H4): the registered lasting power of attorney recorded once is
what online access, the plan, the emergency summary, its PDF and FHIR all show; one that
ended is shown nowhere as in force."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from careplans import services
from careplans.models import PlanSection, PublishedVersion
from consent.models import LastingPowerOfAttorney
from consent.services import lpa_end
from organisations.models import Membership
from patients.models import Patient
from portal.models import Invitation
from tests.careplans.conftest import basis
from tests.conftest import act_as
from tests.factories import make_lpa


def _summary(client: Client, patient: Patient) -> str:
    url = reverse("careplans:summary", kwargs={"patient_id": patient.public_id})
    return client.get(url).content.decode()


def _legal_block(page: str) -> str:
    return page.split('id="legal"')[1].split("<h2")[0]


def test_an_lpa_recorded_after_publishing_reaches_the_summary_plan_and_pdf(
    client: Client,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
    paramedic: Membership,
) -> None:
    act_as(client, paramedic)
    assert "Nothing recorded" in _legal_block(_summary(client, patient))
    make_lpa(actor=their_gp, patient=patient)
    legal = _legal_block(_summary(client, patient))
    assert "Lasting power of attorney for health and welfare" in legal
    assert "Rosa Attwater (Daughter) may decide on health and welfare" in legal
    assert 'href="tel:07700900123"' in legal
    assert "Nothing recorded" not in legal
    pdf = client.get(reverse("careplans:summary_pdf", kwargs={"patient_id": patient.public_id}))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Rosa Attwater" in text
    act_as(client, their_gp)
    overview = client.get(reverse("careplans:overview", kwargs={"patient_id": patient.public_id}))
    assert "Rosa Attwater (Daughter) may decide on" in overview.content.decode()
    plan_pdf = client.get(reverse("careplans:plan_pdf", kwargs={"patient_id": patient.public_id}))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(plan_pdf.content)).pages)
    assert "Rosa Attwater" in text


def test_an_lpa_that_ended_is_not_shown_as_in_force(
    client: Client,
    published: PublishedVersion,
    patient: Patient,
    their_gp: Membership,
    paramedic: Membership,
) -> None:
    lpa = make_lpa(actor=their_gp, patient=patient)
    lpa_end(actor=their_gp, lpa=lpa, reason="Revoked by Winifred in front of her GP")
    assert "Rosa Attwater" not in _summary(act_as(client, paramedic), patient)


def test_an_lpa_typed_in_an_older_plan_is_still_shown_and_kept_on_saving(
    client: Client,
    consented: Patient,
    their_gp: Membership,
    paramedic: Membership,
) -> None:
    """Plans from before LPA records held the LPA as text: nothing of it is lost."""
    services.section_save(
        actor=their_gp,
        patient=consented,
        key="legal",
        data={"advance_decision_to_refuse_treatment": "local:adrt-none"},
    )
    section = PlanSection.objects.get(key="legal")
    section.data = {**section.data, "lasting_power_of_attorney_health_and_welfare": True}
    section.data["name_of_lpa"] = "Ann Attwater"
    section.save()
    services.section_save(
        actor=their_gp,
        patient=consented,
        key="legal",
        data={"advance_statement": "I would like to be at home with music on"},
    )
    assert PlanSection.objects.get(key="legal").data["name_of_lpa"] == "Ann Attwater"
    from tests.careplans.conftest import fill

    fill(their_gp, consented)
    services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    legal = _legal_block(_summary(act_as(client, paramedic), consented))
    assert "Name of the attorney (typed in the plan)" in legal
    assert "Ann Attwater" in legal


def test_the_legal_section_asks_for_no_lpa_and_points_to_the_record(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    url = reverse(
        "careplans:section", kwargs={"patient_id": patient.public_id, "section_key": "legal"}
    )
    page = client.get(url).content.decode()
    assert 'name="name_of_lpa"' not in page
    assert 'data-testid="lpa-record-note"' in page
    assert reverse("portal:online_access", kwargs={"patient_id": patient.public_id}) in page


def test_an_lpa_is_recorded_without_inviting_the_attorney(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.post(
        reverse("portal:lpa_add", kwargs={"patient_id": patient.public_id}),
        {
            "attorney_name": "Rosa Attwater",
            "relationship": "Daughter",
            "opg_reference": "7000-1234-5678",
            "registered_on_0": "1",
            "registered_on_1": "3",
            "registered_on_2": "2022",
            "attorney_phone": "07700 900123",
            "document_location": "Top drawer of the bureau",
        },
    )
    assert response.status_code == 302
    lpa = LastingPowerOfAttorney.objects.get()
    assert (lpa.attorney_phone, lpa.document_location) == (
        "07700 900123",
        "Top drawer of the bureau",
    )
    assert not Invitation.objects.exists()
