"""Typing is never lost when a session ends (hazard H7): the save is held for the person
who typed it, for 30 minutes, and comes back on the page after they sign in again; an
htmx save sends the whole page to sign in; a long text is counted, never cut."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careplans.models import PlanSection
from frontend.unsaved import FIELD
from organisations.models import Membership
from patients.models import Patient
from tests.conftest import act_as
from tests.factories import make_member

TYPED = "Being in the garden with the grandchildren; music on in the evening"


def _url(patient: Patient) -> str:
    return reverse(
        "careplans:section", kwargs={"patient_id": patient.public_id, "section_key": "about_me"}
    )


def _note(page: str) -> str:
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _typed_then_signed_out(client: Client, patient: Patient, gp: Membership) -> str:
    """The form as shown to the GP, then their session ends before they press Save."""
    page = act_as(client, gp).get(_url(patient)).content.decode()
    client.logout()
    return _note(page)


def test_an_htmx_save_after_the_session_ended_sends_the_whole_page_to_sign_in_and_keeps_it(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    note = _typed_then_signed_out(client, patient, their_gp)
    response = client.post(
        _url(patient),
        {"what_is_most_important_to_me": TYPED, FIELD: note},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"].startswith(reverse("organisations:sign_in"))
    assert response["HX-Redirect"].endswith(f"?next={_url(patient)}")
    assert "Sign in" not in response.content.decode()
    assert not PlanSection.objects.exists()

    page = act_as(client, their_gp).get(_url(patient)).content.decode()
    assert 'data-testid="typing-restored"' in page
    assert "not saved yet" in page
    assert TYPED in page
    assert 'data-dirty="1"' in page
    assert not PlanSection.objects.exists()
    again = client.get(_url(patient)).content.decode()
    assert TYPED not in again
    assert 'data-testid="typing-restored"' not in again


def test_a_plain_save_after_the_session_ended_asks_to_sign_in_and_says_the_typing_is_kept(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    note = _typed_then_signed_out(client, patient, their_gp)
    response = client.post(
        _url(patient), {"what_is_most_important_to_me": TYPED, FIELD: note}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("organisations:sign_in"))
    assert "what you typed is kept for 30 minutes" in page
    act_as(client, their_gp)
    assert TYPED in client.get(_url(patient)).content.decode()


def test_someone_else_signing_in_on_that_computer_finds_nothing(
    client: Client, patient: Patient, their_gp: Membership, place: object
) -> None:
    colleague = make_member(their_gp.organisation, username="colleague-gp", senior=True)
    note = _typed_then_signed_out(client, patient, their_gp)
    client.post(_url(patient), {"what_is_most_important_to_me": TYPED, FIELD: note})
    assert TYPED not in act_as(client, colleague).get(_url(patient)).content.decode()


@pytest.mark.parametrize("note", ["", "42:forged:signature"])
def test_without_a_true_note_of_who_typed_it_nothing_is_kept(
    client: Client, patient: Patient, their_gp: Membership, note: str
) -> None:
    _typed_then_signed_out(client, patient, their_gp)
    client.post(_url(patient), {"what_is_most_important_to_me": TYPED, FIELD: note})
    assert TYPED not in act_as(client, their_gp).get(_url(patient)).content.decode()


def test_a_long_text_is_counted_on_the_page_and_refused_whole_never_cut(
    client: Client, patient: Patient, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    page = client.get(_url(patient)).content.decode()
    assert 'data-module="nhsuk-character-count" data-maxlength="4000" data-threshold="75"' in page
    assert "You can enter up to 4000 characters" in page
    assert ' maxlength="4000"' not in page  # the browser would cut the text off
    assert "data-warn-unsaved" in page
    long_text = "Music. " * 700  # 4,900 characters
    response = client.post(_url(patient), {"what_is_most_important_to_me": long_text})
    text = response.content.decode()
    assert "must be 4000 characters or fewer: it has 4899" in text  # stripped of its last space
    assert long_text.strip() in text
    assert not PlanSection.objects.exists()
