"""The register report: the QOF measure and the GSF review, per practice, small numbers
hidden, for the practice and the regional admin only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import CarePlan, PlanSection, WorkingCopy
from organisations.models import Membership, Role
from organisations.services import organisation_list_size_set
from practice import selectors, services
from practice.figures import RegisterRow, suppress
from register import services as register
from tests.careplans.conftest import today
from tests.conftest import Place, act_as
from tests.factories import make_member, make_patient

pytestmark = pytest.mark.django_db


def _on_register(gp: Membership, place: Place, index: int, diagnosis: str) -> None:
    person = make_patient(registered_by=gp, practice=place.practice, family_name=f"P{index}")
    register.register_add(actor=gp, patient=person, added_on=today(), route="gsf_stage")
    copy = WorkingCopy.objects.create(plan=CarePlan.objects.create(patient=person))
    PlanSection.objects.create(
        working_copy=copy,
        key="clinical",
        data={"primary_palliative_care_diagnosis": diagnosis},
    )


def test_the_practice_sees_its_register_against_its_list_and_who_was_reviewed(
    client: Client, their_gp: Membership, place: Place
) -> None:
    admin = make_member(place.coordination, Role.REGIONAL_ADMIN)
    organisation_list_size_set(actor=admin, organisation=place.practice, list_size=2000)
    for index in range(12):
        _on_register(
            their_gp,
            place,
            index,
            "Metastatic carcinoma of the lung" if index < 6 else "End-stage heart failure",
        )
    meeting = services.meeting_schedule(actor=their_gp, held_on=today(), attendees="GP")
    for entry in list(register.RegisterEntry.objects.all()[:5]):
        services.outcome_record(
            actor=their_gp,
            meeting=meeting,
            patient=entry.patient,
            notes="",
            next_review_on=None,
            actions=[],
        )
    [row] = selectors.register_report(their_gp).rows
    assert row.counts == {
        "on_register": 12,
        "with_plan": 0,
        "with_ppd": 0,
        "reviewed": 5,
        "non_cancer": 6,
    }
    assert row.of_list == "0.60%"
    assert row.shown("pct_reviewed") == "42%"
    assert row.shown("pct_non_cancer") == "50%"
    act_as(client, their_gp)
    page = client.get(reverse("practice:register_report")).content.decode()
    assert "0.60%" in page
    assert AccessEvent.objects.filter(action=Action.RUN_REPORT).exists()


def test_small_numbers_are_hidden_and_cannot_be_worked_out_from_the_total() -> None:
    counts = {"on_register": 40, "with_plan": 3, "with_ppd": 20, "reviewed": 0, "non_cancer": 9}
    a = RegisterRow("a", "A", 5000, dict(counts))
    b = RegisterRow("b", "B", None, {**counts, "with_plan": 12})
    c = RegisterRow("c", "C", 100, {**counts, "with_plan": 30})
    total = RegisterRow(
        "total", "All", None, {k: a.counts[k] + b.counts[k] + c.counts[k] for k in counts}
    )
    suppress([a, b, c], total)
    assert a.shown("with_plan") == "*"
    assert a.shown("pct_with_plan") == "*"
    assert b.shown("with_plan") == "*"  # the next smallest, so A's cannot be worked out
    assert c.shown("with_plan") == "30"
    assert a.shown("reviewed") == "0"
    assert b.of_list == "List size not known"


def test_the_regional_admin_sees_every_practice_and_others_are_refused(
    client: Client,
    their_gp: Membership,
    place: Place,
    team_nurse: Membership,
    paramedic: Membership,
) -> None:
    admin = make_member(place.coordination, Role.REGIONAL_ADMIN)
    act_as(client, admin)
    page = client.get(reverse("practice:register_report")).content.decode()
    assert place.practice.name in page
    assert place.outsider_practice.name in page
    assert place.other_region_practice.name not in page
    for other in (team_nurse, paramedic):
        act_as(client, other)
        assert client.get(reverse("practice:register_report")).status_code == 403


def test_the_list_size_is_the_admins_to_set_with_a_clear_error(
    client: Client, place: Place
) -> None:
    admin = make_member(place.coordination, Role.REGIONAL_ADMIN)
    act_as(client, admin)
    url = reverse("organisations:organisation_detail", args=[place.practice.public_id])
    bad = client.post(url, {"list_size": "lots"})
    assert "Enter the list size as a whole number" in bad.content.decode()
    assert client.post(url, {"list_size": "9500"}).status_code == 302
    place.practice.refresh_from_db()
    assert place.practice.list_size == 9500
