"""The README's demo section is true: its counts are load_demo's, every NHS number in it is
the demo patient it names, and each demo story shows what the table says to whoever the
table says to sign in as (signed in as them, on the page the table names)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from coordination.models import Referral
from organisations.models import Membership, Organisation, Region
from patients.models import Patient
from portal.models import PatientAccount
from tests.conftest import act_as, confirm_identity

README = Path(settings.BASE_DIR) / "README.md"
NHS_NUMBER = re.compile(r"(?<!\d)(999) ?(\d{3}) ?(\d{4})(?!\d)")


@dataclass(frozen=True)
class Story:
    who: str  # the username to sign in as
    opens: str  # the table's "Open" cell
    label: str  # the bold words that start "What you will see"
    sees: str


def stories() -> list[Story]:
    section = README.read_text().split("## Demo stories", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        label = re.match(r"\*\*(.+?)\*\*", cells[2])
        assert label, f"a story without a bold label: {line}"
        found.append(Story(cells[0].strip("`"), cells[1], label.group(1), cells[2]))
    return found


def _text(client: Client, url: str, **data: str) -> str:
    response = client.get(url, data)
    assert response.status_code == 200, url
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _signed_in(username: str) -> Client:
    client = Client()
    membership = Membership.objects.active().filter(user__username=username).first()
    if membership is None:  # a patient or an attorney online
        client.force_login(User.objects.get(username=username))
        return client
    return act_as(client, membership)


def _named(patient: Patient) -> str:
    return f"{patient.given_name} {patient.family_name}"


def _summary(client: Client, patient: Patient) -> str:
    return _text(client, reverse("careplans:summary", args=[patient.public_id]))


def _record(client: Client, patient: Patient) -> str:
    return _text(client, reverse("patients:detail", args=[patient.public_id]))


def _death(client: Client, patient: Patient) -> str:
    return _text(client, reverse("deaths:death", args=[patient.public_id]))


def _candidates(client: Client) -> str:
    return _text(client, reverse("practice:case_finding")).casefold()


def not_for_cpr(client: Client, patient: Patient) -> None:
    shown = _summary(client, patient)
    for words in ("CPR decision: Not for CPR", "Allergies", "Ceiling of treatment", "Key worker"):
        assert words in shown


def no_shareable_plan(client: Client, patient: Patient) -> None:
    shown = _summary(client, patient)
    assert "No shareable plan" in shown
    assert "Key worker" in shown


def break_glass(client: Client, patient: Patient) -> None:
    summary = reverse("careplans:summary", args=[patient.public_id])
    assert client.get(summary).status_code == 404
    found = client.post(reverse("patients:emergency_find"), {"nhs_number": patient.nhs_number})
    assert "No patient found" in found.content.decode()
    confirm_identity(client)
    opened = client.post(
        reverse("patients:break_glass"),
        {"nhs_number": patient.nhs_number, "reason": "Called to her home: collapsed"},
    )
    assert opened.status_code == 302
    assert opened["Location"] == summary
    assert "emergency access" in _text(client, summary).lower()


def awaiting_approval(client: Client, patient: Patient) -> None:
    assert "Plan Awaiting approval" in _record(client, patient)


def overdue_review(client: Client, patient: Patient) -> None:
    assert "Review Overdue since" in _record(client, patient)


def register_candidate(client: Client, patient: Patient) -> None:
    listed = _candidates(client)
    entry = listed.split(_named(patient).casefold(), 1)[1].split("actions", 1)[0]
    assert "no plan, but urgent care looked for one" in entry


def practice_search(client: Client, patient: Patient) -> None:
    listed = _candidates(client)
    entry = listed.split(_named(patient).casefold(), 1)[1].split("actions", 1)[0]
    assert "in the practice's search" in entry
    assert "housebound, efi severe frailty" in entry


def not_ready_for_home(client: Client, patient: Patient) -> None:
    shown = _text(client, reverse("profiles:readiness", args=[patient.public_id]))
    assert "Equipment Red" in shown
    assert "Stage C" in shown


def wish_met(client: Client, patient: Patient) -> None:
    shown = _death(client, patient)
    assert "Place of death At home" in shown
    assert "Preferred place of death Home Achieved: died where they wished" in shown


def wish_not_met(client: Client, patient: Patient) -> None:
    shown = _death(client, patient)
    assert "Place of death In hospital" in shown
    assert "Preferred place of death Nursing home Not achieved" in shown


def red_no_place(client: Client, patient: Patient) -> None:
    queue = _text(client, reverse("coordination:queue")).casefold()
    row = queue.split(_named(patient).casefold(), 1)[1].split("position", 1)[0]
    assert "band red" in row
    assert "status received" in row
    referral = Referral.objects.get(patient=patient, closed_at__isnull=True)
    assert not referral.allocations.exists()


def no_plan_yet(client: Client, patient: Patient) -> None:
    shown = _text(client, reverse("portal:home"))
    assert _named(patient) in shown
    assert "There is no plan yet" in shown
    assert "Start the plan" in shown


def attorney(client: Client, patient: Patient) -> None:
    shown = _text(client, reverse("portal:plan"))
    assert f"Attorney for {patient.given_name} {patient.family_name.upper()}" in shown
    assert "Version 1, approved" in shown


def died_where_chose(client: Client, patient: Patient | None) -> None:
    shown = _text(client, reverse("reports:report"))
    assert "Preferred place of death achieved" in shown
    assert "died in their preferred place" in shown


CHECKS: dict[str, Callable[[Client, Patient], None]] = {
    "Not for CPR": not_for_cpr,
    "No shareable plan": no_shareable_plan,
    "Break glass": break_glass,
    "Awaiting approval": awaiting_approval,
    "Overdue review": overdue_review,
    "Register candidate": register_candidate,
    "Found by the practice's search": practice_search,
    "Not ready for home": not_ready_for_home,
    "Wish met": wish_met,
    "Wish not met": wish_not_met,
    "Red, no place yet": red_no_place,
    "No plan yet": no_plan_yet,
    "Attorney": attorney,
}
WITHOUT_A_PATIENT = {"Died where they chose": died_where_chose}
# The stories the issue asked the demo to tell: the README may add, never drop, these.
REQUIRED = {
    "Not for CPR",
    "Awaiting approval",
    "Overdue review",
    "Break glass",
    "Red, no place yet",
    "Wish met",
    "Wish not met",
    "Register candidate",
    "No plan yet",
}


def _patient_of(story: Story) -> Patient:
    """The person the "Open" cell names (by NHS number, else by name), or the one the
    online account is for."""
    number = NHS_NUMBER.search(story.opens)
    if number:
        patient = Patient.objects.get(nhs_number="".join(number.groups()))
        assert _named(patient) in story.opens or f"({_named(patient)})" in story.opens
        return patient
    for patient in Patient.objects.all():
        if _named(patient) in story.opens:
            return patient
    return PatientAccount.objects.get(user__username=story.who).patient


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it (each test's own
    changes are rolled back by its own transaction, inside this one)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded: None, db: None) -> None:
    """A test's view of the demo as loaded."""


def test_the_readme_tables_every_required_story_and_checks_each() -> None:
    labels = [story.label for story in stories()]
    assert len(labels) == len(set(labels))
    assert set(labels) == set(CHECKS) | set(WITHOUT_A_PATIENT)
    assert set(labels) >= REQUIRED


@pytest.mark.parametrize("story", stories(), ids=lambda story: story.label)
def test_each_demo_story_shows_what_the_readme_says(demo: None, story: Story) -> None:
    client = _signed_in(story.who)
    if story.label in WITHOUT_A_PATIENT:
        WITHOUT_A_PATIENT[story.label](client, None)
        return
    CHECKS[story.label](client, _patient_of(story))


def test_the_readme_counts_are_the_demos(demo: None) -> None:
    text = README.read_text()
    counts = re.search(
        r"(\d+) organisations of every kind, and (\d+) patients: (\d+) living "
        r"\((\d+) in London, (\d+) in Cornwall\) and\s+(\d+) of",
        text,
    )
    assert counts, "the README's demo counts sentence has changed shape"
    organisations, patients, living, london, cornwall, died = map(int, counts.groups())
    alive = Patient.objects.filter(date_of_death__isnull=True)
    assert Region.objects.count() == 2
    assert organisations == Organisation.objects.count()
    assert patients == Patient.objects.count()
    assert living == alive.count()
    assert (
        london == alive.filter(registered_gp_practice__region__name="North Central London").count()
    )
    assert (
        cornwall
        == alive.exclude(registered_gp_practice__region__name="North Central London").count()
    )
    assert died == Patient.objects.filter(date_of_death__isnull=False).count()


def test_every_nhs_number_in_the_readme_is_the_demo_patient_it_names(demo: None) -> None:
    names = {_named(patient) for patient in Patient.objects.all()}
    seen = 0
    for line in README.read_text().splitlines():
        for number in NHS_NUMBER.finditer(line):
            patient = Patient.objects.filter(nhs_number="".join(number.groups())).first()
            assert patient is not None, f"{number.group(0)} is not a demo patient: {line}"
            named_here = {name for name in names if name in line}
            assert not named_here or _named(patient) in named_here, line
            seen += 1
    assert seen >= 10  # the table's, at least
