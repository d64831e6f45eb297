from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from careplans import services
from careplans.models import PlanSection, PublishedVersion, Status, WorkingCopy
from consent.models import ConsentToShare
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import complete, minimum_to_publish, today
from tests.conftest import act_as


def _url(name: str, patient: Patient, **kwargs: object) -> str:
    return reverse(name, kwargs={"patient_id": patient.public_id, **kwargs})


def _publish_data(patient: Patient, **extra: object) -> dict[str, object]:
    """The publish form as the page fills it, approving what the working copy holds now."""
    working_copy = WorkingCopy.objects.get(plan__patient=patient)
    return {
        "approving": services.plan_fingerprint(working_copy),
        "kind": "patient",
        "with_whom": "Winifred Attwater",
        "discussed_on_0": str(today().day),
        "discussed_on_1": str(today().month),
        "discussed_on_2": str(today().year),
        **extra,
    }


def test_a_gp_completes_publishes_edits_republishes_and_compares(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.post(
        _url("consent:consent", patient),
        {
            "given_by": "patient",
            "given_on_0": str(today().day),
            "given_on_1": str(today().month),
            "given_on_2": str(today().year),
        },
    )
    assert response.status_code == 302
    for key, data in complete().items():
        response = client.post(_url("careplans:section", patient, section_key=key), data)
        assert response.status_code == 302, (key, response.content.decode()[:2000])
    overview = client.get(_url("careplans:overview", patient)).content.decode()
    assert "Not for CPR: do not attempt resuscitation" in overview
    assert "450476008" not in overview  # codes are never shown bare
    response = client.post(_url("careplans:publish", patient), _publish_data(patient))
    assert response.status_code == 302
    assert PublishedVersion.objects.get().number == 1
    preferences = {**complete()["preferences"], "preferred_place_of_death": "108401000000102"}
    client.post(_url("careplans:section", patient, section_key="preferences"), preferences)
    client.post(
        _url("careplans:publish", patient),
        _publish_data(patient, with_whom="Ann Attwater, daughter"),
    )
    assert PublishedVersion.objects.count() == 2
    page = client.get(_url("careplans:compare", patient)).content.decode()
    assert "1 change" in page
    assert "Preferred place of death" in page
    assert "Home" in page
    assert "Hospice" in page
    assert "Ann Attwater, daughter" in page
    assert "Test Clinician" in page or their_gp.user.get_username() in page


def test_publishing_warnings_must_be_acknowledged(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    from consent.services import consent_record

    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    act_as(client, their_gp)
    client.post(
        _url("careplans:section", patient, section_key="preferences"),
        {"preferred_place_of_death": "110481000000108"},
    )
    # What every published plan must say, however little else it holds.
    for key, data in minimum_to_publish().items():
        client.post(_url("careplans:section", patient, section_key=key), data)
    page = client.get(_url("careplans:publish", patient)).content.decode()
    assert "no anticipatory medicines are recorded" in page
    response = client.post(_url("careplans:publish", patient), _publish_data(patient))
    assert "Tick each warning" in response.content.decode()
    assert not PublishedVersion.objects.exists()
    response = client.post(
        _url("careplans:publish", patient),
        _publish_data(
            patient,
            acknowledged=[
                "home_death_without_anticipatory_medicines",
                "no_key_contact_with_phone",
                "ceiling_of_treatment_missing",
            ],
        ),
    )
    assert response.status_code == 302
    assert PublishedVersion.objects.get().acknowledged_warnings == [
        "home_death_without_anticipatory_medicines",
        "no_key_contact_with_phone",
        "ceiling_of_treatment_missing",
    ]


def test_publishing_without_consent_is_refused_with_a_clear_message(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    client.post(_url("careplans:section", patient, section_key="about_me"), complete()["about_me"])
    page = client.get(_url("careplans:publish", patient)).content.decode()
    assert "This plan cannot be published yet" in page
    assert "no active consent to share" in page
    client.post(_url("careplans:publish", patient), _publish_data(patient))
    assert not PublishedVersion.objects.exists()
    assert not ConsentToShare.objects.exists()


def test_htmx_saves_a_section_without_leaving_the_page(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.post(
        _url("careplans:section", patient, section_key="about_me"),
        complete()["about_me"],
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "About me saved" in page
    assert "<html" not in page  # a fragment, swapped into the page
    bad = client.post(
        _url("careplans:section", patient, section_key="key_contacts"),
        {"contact_0_name": "Ann", "contact_0_phone": "12"},
        HTTP_HX_REQUEST="true",
    )
    assert "Enter a phone number" in bad.content.decode()


def test_a_bad_section_shows_errors_and_keeps_what_was_typed(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.post(
        _url("careplans:section", patient, section_key="key_contacts"),
        {"contact_0_name": "Ann Attwater", "contact_0_phone": "12"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_contact_0_phone"' in page
    assert 'value="Ann Attwater"' in page


def test_submit_for_approval(
    client: Client, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    act_as(client, team_nurse)
    client.post(_url("careplans:section", patient, section_key="about_me"), complete()["about_me"])
    client.post(_url("careplans:submit", patient))
    assert WorkingCopy.objects.get().status == Status.AWAITING_APPROVAL
    assert "Awaiting approval" in client.get(_url("careplans:overview", patient)).content.decode()


def test_a_nurse_gets_403_on_the_cpr_section_and_nothing_changes(
    client: Client, patient: Patient, team_nurse: Membership
) -> None:
    act_as(client, team_nurse)
    url = _url("careplans:section", patient, section_key="cpr_decision")
    assert client.get(url).status_code == 403
    assert client.post(url, complete()["cpr_decision"]).status_code == 403
    assert not WorkingCopy.objects.exists()


def test_an_unknown_section_is_404(client: Client, patient: Patient, their_gp: Membership) -> None:
    act_as(client, their_gp)
    assert client.get(_url("careplans:section", patient, section_key="nonsense")).status_code == 404


def test_compare_with_bad_numbers_explains(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.get(_url("careplans:compare", patient), {"old": "x", "new": "99"})
    assert response.status_code == 200
    assert (
        "only one published version" in response.content.decode()
        or "Choose two" in response.content.decode()
    )


def test_a_saved_section_opens_again_with_its_answers(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    client.post(
        _url("careplans:section", patient, section_key="cpr_decision"), complete()["cpr_decision"]
    )
    page = client.get(
        _url("careplans:section", patient, section_key="cpr_decision")
    ).content.decode()
    decided = complete()["cpr_decision"]
    assert f'value="{decided["date_of_decision_2"]}"' in page
    assert 'value="450476008" checked' in page
    assert page.count("checked") >= 3  # decision, capacity, who was involved


def test_a_change_made_while_the_approver_reviews_is_never_published_unseen(
    client: Client, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    from consent.services import consent_record
    from tests.careplans.conftest import fill

    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    act_as(client, their_gp)
    reviewed = _publish_data(patient)  # what the GP's publish page showed
    contacts = {**complete()["key_contacts"], "contact_0_phone": "07700 900111"}
    services.section_save(actor=team_nurse, patient=patient, key="key_contacts", data=contacts)

    response = client.post(_url("careplans:publish", patient), reviewed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone changed the plan while you were reviewing it" in page
    assert not PublishedVersion.objects.exists()
    assert "07700 900111" in page  # the change is shown, in what is being approved

    response = client.post(_url("careplans:publish", patient), _publish_data(patient))
    assert response.status_code == 302
    version = PublishedVersion.objects.get()
    assert version.snapshot["sections"]["key_contacts"]["contacts"][0]["phone"] == "07700 900111"


def test_the_publish_page_lists_the_changes_since_the_current_version(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    from consent.services import consent_record
    from tests.careplans.conftest import basis, fill

    consent_record(actor=their_gp, patient=patient, given_by="patient", given_on=today())
    fill(their_gp, patient)
    services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    preferences = {**complete()["preferences"], "preferred_place_of_death": "108401000000102"}
    services.section_save(actor=their_gp, patient=patient, key="preferences", data=preferences)
    act_as(client, their_gp)
    page = client.get(_url("careplans:publish", patient)).content.decode()
    assert "1 change since version 1" in page
    assert "Preferred place of death" in page
    assert "Hospice" in page


def test_the_care_plan_page_says_when_it_shows_changes_not_yet_approved(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    client.post(_url("careplans:section", patient, section_key="about_me"), complete()["about_me"])
    page = client.get(_url("careplans:overview", patient)).content.decode()
    assert "Not yet approved" in page
    assert "nothing here is shared with urgent care" in page


def test_a_comparison_with_odd_version_numbers_is_an_answer_not_an_error(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.get(_url("careplans:compare", patient) + "?old=%C2%B2&new=1")
    assert response.status_code == 200


def _based_on(page: str) -> str:
    found = re.search(r'name="based_on" value="([0-9a-f]{64})"', page)
    assert found is not None
    return found.group(1)


def test_a_save_on_top_of_someone_elses_newer_save_is_refused_and_loses_nothing(
    client: Client, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    """Hazard H6: the stale form is never accepted; the page shows theirs beside mine, and
    the form it shows holds both changes, so saving it keeps both."""
    url = _url("careplans:section", patient, section_key="medications")
    act_as(client, their_gp)
    client.post(url, complete()["medications"])
    based_on = _based_on(client.get(url).content.decode())

    nurse = Client()
    act_as(nurse, team_nurse)
    theirs = {**complete()["medications"], "anticipatory_medicines_location": "Bedroom drawer"}
    nurse_based_on = _based_on(nurse.get(url).content.decode())
    assert nurse.post(url, {**theirs, "based_on": nurse_based_on}).status_code == 302

    mine = {**complete()["medications"], "current_medication": "Paracetamol 1 g four times a day"}
    response = client.post(url, {**mine, "based_on": based_on})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved Medicines while you were editing it" in page
    assert 'data-testid="conflict-items"' in page
    # The form now holds my change and theirs.
    assert "Paracetamol 1 g four times a day</textarea>" in page
    assert 'value="Bedroom drawer"' in page
    for ticked in complete()["medications"]["anticipatory_medicines"]:
        assert f'type="checkbox" value="{ticked}" checked' in page
    stored = PlanSection.objects.get(key="medications").data
    assert stored["anticipatory_medicines_location"] == "Bedroom drawer"
    assert "current_medication" not in stored

    # The stale form again: refused again, nothing of theirs reverted.
    assert client.post(url, {**mine, "based_on": based_on}).status_code == 200
    assert PlanSection.objects.get(key="medications").data == stored

    # The form as the page shows it now: both changes are saved.
    shown = {**theirs, "current_medication": "Paracetamol 1 g four times a day"}
    assert client.post(url, {**shown, "based_on": _based_on(page)}).status_code == 302
    stored = PlanSection.objects.get(key="medications").data
    assert stored["current_medication"] == "Paracetamol 1 g four times a day"
    assert stored["anticipatory_medicines_location"] == "Bedroom drawer"


def test_an_item_both_people_changed_keeps_theirs_in_the_form_and_shows_mine_beside_it(
    client: Client, patient: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    url = _url("careplans:section", patient, section_key="medications")
    act_as(client, their_gp)
    client.post(url, complete()["medications"])
    based_on = _based_on(client.get(url).content.decode())
    nurse = Client()
    act_as(nurse, team_nurse)
    theirs = {**complete()["medications"], "anticipatory_medicines_location": "Bedroom drawer"}
    nurse.post(url, {**theirs, "based_on": _based_on(nurse.get(url).content.decode())})

    mine = {**complete()["medications"], "anticipatory_medicines_location": "Hall cupboard"}
    page = client.post(url, {**mine, "based_on": based_on}).content.decode()
    table = page.split('data-testid="conflict-items"')[1].split("</table>")[0]
    assert "Bedroom drawer" in table
    assert "Hall cupboard" in table
    assert "you both changed it" in table
    form = page.split("<h1>Medicines</h1>")[1]
    assert 'value="Bedroom drawer"' in form
    assert 'value="Hall cupboard"' not in form
    assert PlanSection.objects.get(key="medications").data["anticipatory_medicines_location"] == (
        "Bedroom drawer"
    )


def test_the_overview_asks_the_care_team_once_for_all_the_sections(
    client: Client, their_gp: Membership, published: PublishedVersion
) -> None:
    """Issue 20: each section's edit link asked the care team again (eleven lookups for
    eleven sections). The sections a person may edit are now decided with one lookup."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient = published.plan.patient
    act_as(client, their_gp)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url("careplans:overview", patient)).content.decode()
    care_team_lookups = [
        q["sql"] for q in queries if "patientgroupobjectpermission" in q["sql"].lower()
    ]
    # Opening the record, the editable sections, "submit" and "publish": four, never one per
    # section (it was fifteen); and the header's unread count, in its one statement.
    assert len(care_team_lookups) == 5, care_team_lookups
    assert sum("reminders_delivery" in sql for sql in care_team_lookups) == 1
    from careplans.sections import SECTIONS

    # A senior GP of the care team may edit every section: each has its link.
    assert page.count('Edit<span class="nhsuk-u-visually-hidden">') == len(SECTIONS)
