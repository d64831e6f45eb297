"""Case finding: each reason lists a person and is shown in words, the register and "not
now" take them off the list, one query for a page however long, and the rule is pure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import CarePlan, PlanSection, WorkingCopy
from careplans.selectors import summary_for
from coordination import services as coordination
from coordination.priority import Carer, Needs
from organisations.models import Membership, OrganisationKind, Role
from patients.models import Patient
from patients.services import care_team_add
from practice import selectors
from practice.casefinding import Facts, Reason, find, latest_birthday_for_age
from practice.services import not_now_record
from register import services as register
from register.terminology import Phase
from tests.careplans.conftest import today
from tests.conftest import Place, act_as
from tests.factories import make_member, make_organisation, make_patient

pytestmark = pytest.mark.django_db


def _reasons(gp: Membership) -> dict[str, set[str]]:
    listed = selectors.case_finding(gp)
    return {
        c.patient.family_name: {t.reason.value for t in c.finding.terms} for c in listed.candidates
    }


def _person(gp: Membership, place: Place, family_name: str, **details: object) -> Patient:
    return make_patient(
        registered_by=gp, practice=place.practice, family_name=family_name, **details
    )


def test_each_reason_lists_the_person_with_it_and_the_register_takes_them_off(
    their_gp: Membership, place: Place, paramedic: Membership
) -> None:
    looked = _person(their_gp, place, "Looked")
    summary_for(paramedic, looked.public_id)  # urgent care looked; there is no plan
    referred = _person(their_gp, place, "Referred")
    coordination.referral_create(
        actor=their_gp,
        patient=referred,
        services=["night_sitting"],
        reason="Carer exhausted",
        urgency="routine",
        needs=Needs(Phase.STABLE, 60, [None] * 17, Carer.COPING),
    )
    weeks = _person(their_gp, place, "Weeks")
    copy = WorkingCopy.objects.create(plan=CarePlan.objects.create(patient=weeks))
    PlanSection.objects.create(
        working_copy=copy, key="clinical", data={"estimated_prognosis": "955231000000109"}
    )
    spict = _person(their_gp, place, "Spict")
    register.spict_record(
        actor=their_gp,
        patient=spict,
        assessed_on=today(),
        general=["weight_loss"],
        clinical=["kidney.ckd"],
    )
    general_only = _person(their_gp, place, "Generalonly")
    register.spict_record(
        actor=their_gp,
        patient=general_only,
        assessed_on=today(),
        general=["weight_loss"],
        clinical=[],
    )
    surprise = _person(their_gp, place, "Surprise")
    register.surprise_question_record(
        actor=their_gp, patient=surprise, would_be_surprised=False, asked_on=today()
    )
    would_be = _person(their_gp, place, "Wouldbe")
    register.surprise_question_record(
        actor=their_gp, patient=would_be, would_be_surprised=True, asked_on=today()
    )
    old = _person(their_gp, place, "Old", date_of_birth=dt.date(today().year - 90, 1, 1))
    home = make_organisation(kind=OrganisationKind.CARE_HOME, region=place.region)
    care_team_add(actor=their_gp, patient=old, organisation=home)
    young_in_home = _person(their_gp, place, "Younginhome", date_of_birth=dt.date(1960, 1, 1))
    care_team_add(actor=their_gp, patient=young_in_home, organisation=home)
    _person(their_gp, place, "Nothing")
    reasons = _reasons(their_gp)
    assert reasons == {
        "Looked": {Reason.URGENT_CARE},
        "Referred": {Reason.REFERRED},
        "Weeks": {Reason.PROGNOSIS},
        "Spict": {Reason.SPICT},
        "Surprise": {Reason.SURPRISE_QUESTION},
        "Old": {Reason.OLD_AND_FRAIL},
    }
    register.register_add(
        actor=their_gp, patient=surprise, added_on=today(), route="surprise_question"
    )
    not_now_record(
        actor=their_gp,
        patient=old,
        reason="Discussed with her daughter: not yet",
        ask_again_on=today() + dt.timedelta(days=90),
    )
    assert set(_reasons(their_gp)) == {"Looked", "Referred", "Weeks", "Spict"}
    assert AccessEvent.objects.filter(action=Action.NOT_NOW).count() == 1


def test_only_the_practices_own_living_patients_are_listed(
    their_gp: Membership, place: Place, outsider_clinician: Membership
) -> None:
    ours = _person(their_gp, place, "Ours")
    theirs = make_patient(
        registered_by=outsider_clinician, practice=place.outsider_practice, family_name="Theirs"
    )
    for person in (ours, theirs):
        register.surprise_question_record(
            actor=their_gp if person == ours else outsider_clinician,
            patient=person,
            would_be_surprised=False,
            asked_on=today(),
        )
    assert set(_reasons(their_gp)) == {"Ours"}
    assert set(_reasons(outsider_clinician)) == {"Theirs"}


def test_a_page_is_one_query_whatever_its_length(their_gp: Membership, place: Place) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.case_finding(their_gp)
        return len(captured)

    def more(count: int) -> None:
        for index in range(count):
            person = _person(their_gp, place, f"Person{index}x{count}")
            register.surprise_question_record(
                actor=their_gp, patient=person, would_be_surprised=False, asked_on=today()
            )
            register.spict_record(
                actor=their_gp,
                patient=person,
                assessed_on=today(),
                general=["weight_loss"],
                clinical=["heart.vascular"],
            )

    more(2)
    queries()  # the first read also starts the viewer's audit stream
    few = queries()
    more(12)
    assert queries() == few


def test_the_rule_is_pure_and_words_every_reason() -> None:
    born = dt.date(1930, 3, 1)
    day = dt.date(2027, 6, 1)
    assert not find(Facts(born=born), day)
    finding = find(
        Facts(
            born=born,
            urgent_care_looked=True,
            referred=True,
            prognosis="511401000000102",
            spict_general=("weight_loss",),
            spict_clinical=("dementia_frailty.falls",),
            surprise_no=True,
            search=("Housebound", "eFI severe frailty"),
            search_on=dt.date(2027, 5, 30),
        ),
        day,
    )
    assert [t.plain for t in finding.terms] == [
        "No plan, but urgent care looked for one or broke glass in the last 90 days",
        "Referred to the co-ordination centre",
        "The plan records a prognosis of last days of life",
        "SPICT: 1 general and 1 clinical indicator found",
        "Surprise question answered “no”",
        "Aged 97, frailty recorded",
        "In the practice's search of 30 May 2027: Housebound, eFI severe frailty",
    ]
    published = find(Facts(born=born, urgent_care_looked=True, has_published_plan=True), day)
    assert not published


@pytest.mark.parametrize(
    ("today_", "expected"),
    [
        (dt.date(2028, 2, 29), dt.date(1943, 2, 28)),
        (dt.date(2027, 3, 1), dt.date(1942, 3, 1)),
    ],
)
def test_the_age_limit_on_29_february(today_: dt.date, expected: dt.date) -> None:
    assert latest_birthday_for_age(today_, 85) == expected


def test_the_page_shows_each_person_with_reasons_and_actions_and_others_are_refused(
    client: Client,
    their_gp: Membership,
    place: Place,
    team_nurse: Membership,
    paramedic: Membership,
) -> None:
    person = _person(their_gp, place, "Listed")
    register.surprise_question_record(
        actor=their_gp, patient=person, would_be_surprised=False, asked_on=today()
    )
    act_as(client, their_gp)
    page = client.get(reverse("practice:case_finding")).content.decode()
    assert "Surprise question answered “no”" in page
    assert reverse("register:add", args=[person.public_id]) + "?from=case-finding" in page
    assert reverse("practice:not_now", args=[person.public_id]) in page
    assert AccessEvent.objects.filter(action=Action.LIST, detail__page="case_finding").exists()
    added = client.get(reverse("register:add", args=[person.public_id]) + "?from=case-finding")
    assert 'value="case_finding" checked' in added.content.decode()
    for other in (team_nurse, paramedic, make_member(place.coordination, Role.REGIONAL_ADMIN)):
        act_as(client, other)
        assert client.get(reverse("practice:case_finding")).status_code == 403


def test_not_now_needs_a_reason_and_a_date_within_a_year(
    client: Client, their_gp: Membership, place: Place
) -> None:
    person = _person(their_gp, place, "Later")
    act_as(client, their_gp)
    url = reverse("practice:not_now", args=[person.public_id])
    past = today() - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "reason": "",
            "ask_again_on_0": past.day,
            "ask_again_on_1": past.month,
            "ask_again_on_2": past.year,
        },
    )
    text = response.content.decode()
    assert "Say why not now" in text
    far = today() + dt.timedelta(days=400)
    response = client.post(
        url,
        {
            "reason": "Wants to wait",
            "ask_again_on_0": far.day,
            "ask_again_on_1": far.month,
            "ask_again_on_2": far.year,
        },
    )
    assert "must be within a year" in response.content.decode()
    assert "Wants to wait" in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.NOT_NOW).exists()
