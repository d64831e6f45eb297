"""The demo practice's palliative care register: people at each Gold Standards Framework
stage, how each was identified, and identification recorded for some who are not on it
yet (the people case finding will suggest). Through the services; safe to run again."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from careplans.selectors import summary_for
from organisations.models import Membership
from patients.models import Patient
from practice import selectors as practice_selectors
from practice import services as practice_services
from practice.models import Meeting, SearchImport
from register import services
from register.models import RegisterEntry, Route
from register.terminology import STAGE_A, STAGE_B, STAGE_C, STAGE_D, Phase

# (stage, route, phase) for the first people of the practice, by index.
ON_THE_REGISTER = [
    (STAGE_D, Route.SPECIALIST_ADVICE, Phase.DYING),
    (STAGE_C, Route.SURPRISE_QUESTION, Phase.DETERIORATING),
    (STAGE_C, Route.SPICT, Phase.UNSTABLE),
    (STAGE_B, Route.SURPRISE_QUESTION, Phase.DETERIORATING),
    (STAGE_B, Route.GSF_STAGE, Phase.STABLE),
    (STAGE_B, Route.SPICT, Phase.STABLE),
    (STAGE_B, Route.OWN_REQUEST, Phase.STABLE),
    (STAGE_A, Route.SURPRISE_QUESTION, Phase.STABLE),
    (STAGE_A, Route.SPICT, Phase.STABLE),
    (STAGE_A, Route.CASE_FINDING, Phase.STABLE),
    (STAGE_C, Route.SPECIALIST_ADVICE, Phase.DETERIORATING),
    (STAGE_A, Route.GSF_STAGE, Phase.STABLE),
]


def load_register(*, gp: Membership, patients: list[Patient]) -> None:
    if RegisterEntry.objects.filter(patient__in=patients).exists():
        return  # loaded already
    today = timezone.localdate()
    for index, patient in enumerate(patients):
        if patient.date_of_death:
            continue
        if index < len(ON_THE_REGISTER):
            stage, route, phase = ON_THE_REGISTER[index]
            asked = today - dt.timedelta(days=40 + 9 * index)
            if route == Route.SURPRISE_QUESTION:
                services.surprise_question_record(
                    actor=gp, patient=patient, would_be_surprised=False, asked_on=asked
                )
            if route == Route.SPICT:
                services.spict_record(
                    actor=gp,
                    patient=patient,
                    assessed_on=asked,
                    general=["unplanned_admissions", "depends_on_others"],
                    clinical=["heart.breathless"] if index % 2 else ["respiratory.oxygen"],
                )
            services.register_add(
                actor=gp,
                patient=patient,
                added_on=asked + dt.timedelta(days=2),
                route=route,
                stage=stage,
                note="Agreed at the practice meeting",
            )
            services.phase_record(
                actor=gp, patient=patient, phase=phase, assessed_on=today - dt.timedelta(days=5)
            )
        elif index in (20, 21):  # asked, not yet on it: for case finding
            services.surprise_question_record(
                actor=gp,
                patient=patient,
                would_be_surprised=False,
                asked_on=today - dt.timedelta(days=10),
            )
        elif index == 22:
            services.spict_record(
                actor=gp,
                patient=patient,
                assessed_on=today - dt.timedelta(days=12),
                general=["weight_loss"],
                clinical=["dementia_frailty.falls", "dementia_frailty.needs_help"],
            )


def load_case_finding(*, gp: Membership, paramedic: Membership, patients: list[Patient]) -> None:
    """The practice's own search, imported and confirmed (two people, with indicators), a
    crew that looked for the plan of someone who has none, and one person set aside for
    now. Safe to run again."""
    if SearchImport.objects.filter(practice=gp.organisation).exists():
        return
    summary_for(paramedic, patients[22].public_id, page="demo")
    rows = ["NHS number,Housebound,eFI severe frailty"]
    rows += [f"{patients[16].nhs_number},yes,yes", f"{patients[17].nhs_number},yes,no"]
    checked = practice_services.search_check(actor=gp, content="\n".join(rows).encode())
    if checked.search is not None:
        practice_services.search_confirm(actor=gp, search=checked.search)
    practice_services.not_now_record(
        actor=gp,
        patient=patients[23],
        reason="Talked with him: he would rather wait until after his next scan",
        ask_again_on=timezone.localdate() + dt.timedelta(days=60),
    )


def load_meetings(*, gp: Membership, patients: list[Patient]) -> None:
    """A practice meeting a month ago that reviewed three people, with actions for their
    district nurse, and the next one in two weeks. Safe to run again."""
    if Meeting.objects.filter(practice=gp.organisation).exists():
        return
    today = timezone.localdate()
    past = practice_services.meeting_schedule(
        actor=gp,
        held_on=today - dt.timedelta(days=28),
        attendees="Dr Amara Okafor (GP), Sam Price (district nurse), Heathside Hospice CNS",
    )
    for index, notes in (
        (0, "Deteriorating quickly. Family aware; wants to stay at home."),
        (1, "Stable this month. Check the carer is coping."),
        (3, "Anticipatory medicines to be prescribed before the weekend."),
    ):
        patient = patients[index]
        team = list(practice_selectors.care_team_members(patient))
        owner = next((m for m in team if m.organisation_id != gp.organisation_id), gp)
        practice_services.outcome_record(
            actor=gp,
            meeting=past,
            patient=patient,
            notes=notes,
            next_review_on=past.held_on + dt.timedelta(days=42),
            actions=[
                practice_services.ActionDetails(
                    what="Visit and review symptoms and the carer's needs",
                    owner=owner,
                    due_on=past.held_on + dt.timedelta(days=35),
                )
            ],
        )
    practice_services.meeting_schedule(
        actor=gp,
        held_on=today + dt.timedelta(days=14),
        attendees="Dr Amara Okafor (GP), Sam Price (district nurse), Heathside Hospice CNS",
    )
