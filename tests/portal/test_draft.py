"""A person starts their own plan online, sends it, and the care team completes and
publishes it; the person sees the version. They never publish nor write the clinical parts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans import services
from careplans import terminology as t
from careplans.models import PlanSection, PublishedVersion, Status, WorkingCopy
from careplans.own_parts import OWN_PARTS, SAID_ONLINE
from careplans.selectors import section_data, working_copy_of
from careplans.terminology import PPD_DECLINED
from consent.services import consent_record
from organisations.models import Membership
from patients.models import Patient
from portal.models import PatientAccount
from portal.own_plan import TALK_FIRST
from tests.careplans.conftest import basis, complete, fill, today
from tests.conftest import act_as

pytestmark = pytest.mark.django_db


def _signed_in(account: PatientAccount) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def _part(slug: str) -> str:
    return reverse("portal:draft_part", kwargs={"slug": slug})


def test_every_part_of_the_draft_opens(online_patient: PatientAccount) -> None:
    client = _signed_in(online_patient)
    assert client.get(reverse("portal:draft")).status_code == 200
    for part in OWN_PARTS:
        page = client.get(_part(part.slug))
        assert page.status_code == 200, part.slug
        assert part.title in page.content.decode()


def test_the_person_writes_their_own_words_and_the_draft_starts(
    online_patient: PatientAccount, patient: Patient
) -> None:
    client = _signed_in(online_patient)
    response = client.post(
        _part("what-matters"),
        {
            "what_is_most_important_to_me": "Being at home with my cat, Biscuit",
            "how_i_communicate_and_how_to_communicate_with_me": "I am deaf in my left ear",
        },
    )
    assert response.status_code == 302
    data = section_data(working_copy_of(patient))
    assert data["about_me"]["what_is_most_important_to_me"] == "Being at home with my cat, Biscuit"
    assert working_copy_of(patient).status == Status.DRAFT  # type: ignore[union-attr]
    edit = AccessEvent.objects.get(action=Action.EDIT, patient_public_id=patient.public_id)
    assert edit.role == "patient"
    assert edit.organisation_name == ""
    draft = client.get(reverse("portal:draft")).content.decode()
    assert "Being at home with my cat" in draft


def test_rather_not_say_is_recorded_as_declined_with_its_reason(
    online_patient: PatientAccount, patient: Patient
) -> None:
    client = _signed_in(online_patient)
    client.post(
        _part("where"),
        {"preferred_place_of_care": "local:ppc-home", "preferred_place_of_death": PPD_DECLINED},
    )
    preferences = section_data(working_copy_of(patient))["preferences"]
    assert preferences["preferred_place_of_death"] == PPD_DECLINED
    assert preferences["preferred_place_of_death_detail"] == SAID_ONLINE
    assert preferences["preferred_place_of_care"] == "local:ppc-home"


def test_a_persons_part_keeps_what_clinicians_wrote_in_the_same_section(
    online_patient: PatientAccount, patient: Patient, their_gp: Membership
) -> None:
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="medications",
        data={
            "current_medication": "Paracetamol 1 g four times a day",
            "anticipatory_medicines_statement": "Morphine, midazolam",
            "anticipatory_medicines": ["871021000000106"],
        },
    )
    client = _signed_in(online_patient)
    client.post(_part("medicines"), {"anticipatory_medicines_location": "Top of the fridge"})
    medications = section_data(working_copy_of(patient))["medications"]
    assert medications["anticipatory_medicines_location"] == "Top of the fridge"
    assert medications["current_medication"] == "Paracetamol 1 g four times a day"
    assert medications["anticipatory_medicines"] == ["871021000000106"]


def test_the_persons_home_part_leaves_who_lives_with_them_to_the_care_team(
    online_patient: PatientAccount, patient: Patient, their_gp: Membership
) -> None:
    """The care team records whether the person lives alone (a third-person question):
    the person's own "Getting into my home" neither asks it nor changes it."""
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="home_access",
        data={"living_arrangement": "105529008", "access_instructions": "Side gate"},
    )
    client = _signed_in(online_patient)
    page = client.get(_part("home")).content.decode()
    assert "Does the person live alone?" not in page
    assert "Who lives with them" not in page
    client.post(_part("home"), {"access_instructions": "Back door, under the mat"})
    home = section_data(working_copy_of(patient))["home_access"]
    assert home["access_instructions"] == "Back door, under the mat"
    assert home["living_arrangement"] == "105529008"


def test_bad_input_is_shown_again_and_nothing_is_saved(online_patient: PatientAccount) -> None:
    client = _signed_in(online_patient)
    response = client.post(
        _part("people-to-contact"),
        {"contact_0_name": "Rosa", "contact_0_phone": "not a phone number"},
    )
    assert response.status_code == 200
    assert "Enter a phone number like" in response.content.decode()
    assert 'value="Rosa"' in response.content.decode()
    assert not PlanSection.objects.exists()
    other = client.post(_part("where"), {"preferred_place_of_care": "local:ppc-other"})
    assert "Say where you would like to be cared for" in other.content.decode()
    assert not PlanSection.objects.exists()


def test_an_unknown_part_is_404(online_patient: PatientAccount) -> None:
    assert _signed_in(online_patient).get(_part("cpr-decision")).status_code == 404


def test_sending_an_empty_draft_is_refused_with_a_reason(
    online_patient: PatientAccount,
) -> None:
    client = _signed_in(online_patient)
    response = client.post(reverse("portal:draft_submit"), follow=True)
    assert "Write at least one part" in response.content.decode()
    assert not WorkingCopy.objects.filter(status=Status.AWAITING_APPROVAL).exists()


def test_the_draft_goes_to_the_gp_queue_and_the_gp_completes_and_publishes_it(
    online_patient: PatientAccount, patient: Patient, their_gp: Membership
) -> None:
    person = _signed_in(online_patient)
    person.post(_part("what-matters"), {"what_is_most_important_to_me": "My garden"})
    sent = person.post(reverse("portal:draft_submit"))
    assert sent.status_code == 302
    assert working_copy_of(patient).status == Status.AWAITING_APPROVAL  # type: ignore[union-attr]
    assert "With the care team" in person.get(reverse("portal:home")).content.decode()

    # Once sent, the person's parts are closed to them: they ask for changes instead.
    late = person.post(_part("what-matters"), {"what_is_most_important_to_me": "Changed"})
    assert late.status_code == 302
    assert section_data(working_copy_of(patient))["about_me"] == {
        "what_is_most_important_to_me": "My garden"
    }

    gp = act_as(Client(), their_gp)
    queue = gp.get(reverse("portal:queue")).content.decode()
    assert patient.family_name.upper() in queue
    assert "The person or their attorney, online" in queue

    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient, {k: v for k, v in complete().items() if k != "about_me"})
    version = services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    assert version.number == 1
    assert version.snapshot["sections"]["about_me"]["what_is_most_important_to_me"] == "My garden"
    assert patient.family_name.upper() not in gp.get(reverse("portal:queue")).content.decode()

    plan = person.get(reverse("portal:plan")).content.decode()
    assert "Version 1" in plan
    assert "My garden" in plan
    assert "450476008" not in plan  # codes never shown bare
    assert t.CPR_DECISION.plain(t.NOT_FOR_CPR) in plan
    # After publication the person asks for a change rather than editing.
    assert person.get(_part("what-matters")).status_code == 302


def test_the_person_can_never_publish_nor_reach_clinical_sections(
    online_patient: PatientAccount, patient: Patient
) -> None:
    client = _signed_in(online_patient)
    client.post(_part("what-matters"), {"what_is_most_important_to_me": "My garden"})
    for url in (
        reverse("careplans:publish", kwargs={"patient_id": patient.public_id}),
        reverse(
            "careplans:section",
            kwargs={"patient_id": patient.public_id, "section_key": "cpr_decision"},
        ),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"cpr_decision": "450475007"}).status_code == 404
    assert not PublishedVersion.objects.exists()
    assert "cpr_decision" not in section_data(working_copy_of(patient))


def test_the_service_refuses_a_persons_part_for_someone_else(
    online_patient: PatientAccount, other_online_patient: PatientAccount, patient: Patient
) -> None:
    """Accounts write only their own person's plan: the account decides the patient."""
    client = _signed_in(other_online_patient)
    client.post(_part("what-matters"), {"what_is_most_important_to_me": "Not Winifred's"})
    assert working_copy_of(patient) is None
    assert working_copy_of(other_online_patient.patient) is not None


def test_a_prognosis_not_yet_discussed_is_not_shown_to_the_person_online(
    online_patient: PatientAccount, patient: Patient, their_gp: Membership
) -> None:
    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="clinical",
        data={
            **complete()["clinical"],
            "awareness_of_diagnosis": "local:aware",
            "awareness_of_prognosis": "local:not-discussed",
        },
    )
    services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    plan = _signed_in(online_patient).get(reverse("portal:plan")).content.decode()
    assert "Metastatic carcinoma of the pancreas" in plan  # aware of the diagnosis
    assert TALK_FIRST in plan
    assert t.PROGNOSIS.plain(complete()["clinical"]["estimated_prognosis"]) not in plan
