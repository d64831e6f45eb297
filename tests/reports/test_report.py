"""The PPD-achievement report on a hand-built set of 20 deaths: every figure, every hidden
cell, every CSV cell; filters, bad periods, and who may run it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans import services
from consent.models import GivenBy
from consent.services import consent_record
from deaths.services import DeathDetails, death_record
from organisations.models import Membership, Role
from patients.models import Patient
from tests.careplans.conftest import basis, complete, today
from tests.conftest import Place, act_as
from tests.factories import make_member, make_patient

REPORT = reverse("reports:report")
CSV = reverse("reports:report_csv")
HOME, HOSPICE, NURSING_HOME = "110481000000108", "108401000000102", "89761000000106"
DIED_AT_HOME, DIED_IN_HOSPICE = "876879006", "876882001"
DIED_IN_HOSPITAL, DIED_IN_NURSING_HOME = "183676005", "876884000"


def death_day() -> dt.date:
    """The day the twenty people died: yesterday, already past whatever the clock says. Reports
    ask for its year, which on 1 January is last year."""
    return today() - dt.timedelta(days=1)


def _died(clinician: Membership, preferred: str | None, place: str, born: int) -> Patient:
    patient = make_patient(
        registered_by=clinician,
        practice=clinician.organisation,
        date_of_birth=dt.date(born, 1, 1),
    )
    day = death_day()
    if preferred is not None:
        consent_record(actor=clinician, patient=patient, given_by=GivenBy.PATIENT, given_on=day)
        content = complete()
        content["preferences"]["preferred_place_of_death"] = preferred
        for key, data in content.items():
            services.section_save(actor=clinician, patient=patient, key=key, data=data)
        services.careplan_publish(actor=clinician, patient=patient, basis=basis())
    death_record(actor=clinician, patient=patient, details=DeathDetails(day, place, ""))
    return patient


@pytest.fixture
def twenty_deaths(place: Place, their_gp: Membership) -> None:
    """Highgate (15): 10 wished to die at home, 7 did and 3 died in hospital; 2 wished a
    hospice and died there; 3 had no plan and died in hospital. Archway (5): all wished to
    die in a nursing home and did."""
    archway_gp = make_member(place.outsider_practice, username="archway-gp", senior=True)
    for index in range(10):
        _died(their_gp, HOME, DIED_AT_HOME if index < 7 else DIED_IN_HOSPITAL, 1930)
    for _ in range(2):
        _died(their_gp, HOSPICE, DIED_IN_HOSPICE, 1950)
    for _ in range(3):
        _died(their_gp, None, DIED_IN_HOSPITAL, 1930)
    for _ in range(5):
        _died(archway_gp, NURSING_HOME, DIED_IN_NURSING_HOME, 1945)


@pytest.fixture
def admin(regional_admin: Membership, client: Client) -> Client:
    return act_as(client, regional_admin)


def _query(**changes: str) -> dict[str, str]:
    year = str(death_day().year)
    return {"period_kind": "year", "period": year, "breakdown": "organisation", **changes}


@pytest.mark.usefixtures("twenty_deaths")
def test_every_figure_every_hidden_cell_and_every_csv_cell(
    admin: Client, regional_admin: Membership
) -> None:
    from reports.periods import parse_period
    from reports.selectors import Filters, ppd_achievement

    year = str(death_day().year)
    report = ppd_achievement(regional_admin, Filters(parse_period("year", year)))
    counts = {row.label: row.counts for row in report.rows}
    assert counts == {
        "Archway Medical Centre": {
            "deaths": 5,
            "with_ppd": 5,
            "achieved": 5,
            "not_achieved": 0,
            "no_ppd": 0,
            "in_hospital": 0,
        },
        "Highgate Hill Surgery": {
            "deaths": 15,
            "with_ppd": 12,
            "achieved": 9,
            "not_achieved": 3,
            "no_ppd": 3,
            "in_hospital": 6,
        },
    }
    assert report.total.counts == {
        "deaths": 20,
        "with_ppd": 17,
        "achieved": 14,
        "not_achieved": 3,
        "no_ppd": 3,
        "in_hospital": 6,
    }

    response = admin.get(CSV, _query())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    cells = list(csv.reader(io.StringIO(response.content.decode())))
    assert cells == [
        [
            "GP practice",
            "Deaths",
            "Had a preferred place of death in a published plan",
            "Died in their preferred place",
            "Died in their preferred place, %",
            "Died elsewhere",
            "No preferred place of death recorded",
            "Died in hospital",
            "Died in hospital, %",
        ],
        # 3 died elsewhere and 3 had no preferred place at Highgate: hidden, with their
        # complements, and so are the totals of those columns (3 each, the same people),
        # so Archway's figures give nothing away.
        ["Archway Medical Centre", "5", "5", "5", "100%", "0", "0", "0", "0%"],
        ["Highgate Hill Surgery", "15", "*", "*", "*", "*", "*", "6", "40%"],
        ["All", "20", "*", "*", "*", "*", "*", "6", "30%"],
    ]
    assert AccessEvent.objects.filter(action=Action.EXPORT, user=regional_admin.user).exists()


@pytest.mark.usefixtures("twenty_deaths")
def test_by_diagnosis_group_for_one_age_band(admin: Client) -> None:
    cells = list(
        csv.reader(
            io.StringIO(
                admin.get(
                    CSV, _query(breakdown="diagnosis_group", age_band="85_and_over")
                ).content.decode()
            )
        )
    )
    # Aged 85 and over: the 13 born in 1930 at Highgate. The 10 with a plan have its cancer
    # diagnosis (7 died at home as they wished, 3 in hospital); the 3 without one are
    # "other" (all in hospital). Every group cell is 1 to 4 or would give one away.
    assert cells[1:] == [
        ["Cancer", *["*"] * 8],
        ["Other or not recorded", *["*"] * 8],
        ["All", "13", "*", "*", "*", "*", "*", "6", "46%"],
    ]
    assert cells[0][0] == "Diagnosis group"


@pytest.mark.usefixtures("twenty_deaths")
def test_the_page_shows_chart_table_definitions_and_is_audited(
    admin: Client, regional_admin: Membership
) -> None:
    died = death_day()
    page = admin.get(
        REPORT, _query(period_kind="quarter", period=f"{died.year}-Q{(died.month - 1) // 3 + 1}")
    )
    text = page.content.decode()
    assert page.status_code == 200
    for part in ('data-testid="chart"', 'data-testid="ppd-table"', 'data-testid="definitions"'):
        assert part in text
    assert "Counts of 1 to 4 are hidden" in text
    event = AccessEvent.objects.filter(action=Action.RUN_REPORT).latest("id")
    assert event.user == regional_admin.user
    assert event.detail["period"].startswith(str(died.year))
    assert event.patient_public_id is None


@pytest.mark.usefixtures("twenty_deaths")
def test_an_admin_of_another_region_sees_none_of_these_deaths(client: Client, place: Place) -> None:
    from organisations.models import OrganisationKind
    from tests.factories import make_organisation

    cornwall = make_organisation(
        kind=OrganisationKind.COORDINATION_CENTRE, region=place.other_region
    )
    other_admin = make_member(cornwall, Role.REGIONAL_ADMIN, username="cornwall-admin")
    act_as(client, other_admin)
    cells = list(csv.reader(io.StringIO(client.get(CSV, _query()).content.decode())))
    assert cells[1:] == [["All", "0", "0", "0", "n/a", "0", "0", "0", "n/a"]]
    page = client.get(REPORT, _query()).content.decode()
    assert "Highgate" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period_kind": "quarter", "period": "2026-Q5"}, "Enter the quarter like"),
        ({"period_kind": "month", "period": "2026-13"}, "A month is 01 to 12"),
        ({"period_kind": "fortnight", "period": "2026"}, "Choose a month, a quarter"),
        ({"period_kind": "year", "period": "1999"}, "Choose a year from 2000"),
        ({"period_kind": "year", "period": ""}, "Enter the period"),
    ],
)
def test_a_bad_period_is_a_clear_error_not_an_empty_report(
    admin: Client, query: dict[str, str], message: str
) -> None:
    page = admin.get(REPORT, {**query, "breakdown": "organisation"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in text
    assert message in text
    assert 'data-testid="ppd-table"' not in text
    refused = admin.get(CSV, {**query, "breakdown": "organisation"})
    assert refused.status_code == 400
    assert message in refused.content.decode()


@pytest.mark.parametrize(
    "persona", ["their_gp", "team_nurse", "paramedic", "call_handler", "coordinator"]
)
def test_everyone_but_regional_admins_meets_404_and_the_refusal_is_recorded(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    member: Membership = request.getfixturevalue(persona)
    act_as(client, member)
    for url in (REPORT, CSV):
        response = client.get(url, _query())
        assert response.status_code == 404
    assert AccessEvent.objects.filter(action=Action.DENIED, user=member.user).count() == 2
    assert not AccessEvent.objects.filter(action__in=[Action.RUN_REPORT, Action.EXPORT]).exists()


@pytest.mark.usefixtures("twenty_deaths")
def test_the_plan_figures_with_numerators_and_denominators_in_their_csv(admin: Client) -> None:
    # Plans count in the year they were published, today; the deaths were yesterday, which
    # on 1 January is last year.
    response = admin.get(reverse("reports:quality_csv"), _query(period=str(today().year)))
    assert response.status_code == 200
    cells = list(csv.reader(io.StringIO(response.content.decode())))
    assert cells[:5] == [
        ["Figure", "Count (numerator)", "Of (denominator)", "%"],
        ["Plans started", "17", "", ""],
        ["Plans published for the first time", "17", "", ""],
        ["Versions published", "17", "", ""],
        # Every review date is 90 days ahead: none fell due yet.
        ["Reviews done on time", "0", "0", "n/a"],
    ]
    coverage = cells[5:]
    assert coverage, "one row per mandatory item"
    assert all(row[2] == "17" for row in coverage)
    by_item = {row[0]: row[1:] for row in coverage}
    assert by_item["CPR decision: Cardiopulmonary resuscitation (CPR) decision"] == [
        "17",
        "17",
        "100%",
    ]
    assert by_item["Review: Planned review date"] == ["17", "17", "100%"]
    assert len(coverage) == 15


def test_coverage_reads_the_snapshot_of_versions_from_before_missing_items_were_kept(
    regional_admin: Membership, published: object
) -> None:
    """A version published before `mandatory_missing` was kept counts the same."""
    from careplans.models import PublishedVersion
    from reports.periods import parse_period
    from reports.selectors import Filters, plan_quality

    # Plan quality counts plans by the day they were published: today.
    filters = Filters(parse_period("year", str(today().year)))
    kept = [p.numerator for p in plan_quality(regional_admin, filters).coverage]
    version = PublishedVersion.objects.get()
    assert version.mandatory_missing == ""
    old = PublishedVersion(
        plan=version.plan,
        number=2,
        snapshot=version.snapshot,
        published_at=version.published_at,
        approved_by=version.approved_by,
        approved_by_name=version.approved_by_name,
        approved_by_organisation=version.approved_by_organisation,
        consent_basis=version.consent_basis,
        mandatory_missing=None,
    )
    old.save()
    both = [p.numerator for p in plan_quality(regional_admin, filters).coverage]
    assert both == [2 * count for count in kept]


@pytest.mark.usefixtures("twenty_deaths")
def test_an_organisation_named_like_a_formula_is_exported_as_text(
    admin: Client, place: Place
) -> None:
    """Security finding 7 of issue 19: a name a spreadsheet would run as a formula."""
    place.practice.name = '=HYPERLINK("http://example.org/x","Highgate")'
    place.practice.save(update_fields=["name"])
    cells = list(csv.reader(io.StringIO(admin.get(CSV, _query()).content.decode())))
    labels = [row[0] for row in cells]
    assert '\'=HYPERLINK("http://example.org/x","Highgate")' in labels
    assert not any(label.startswith(("=", "+", "-", "@")) for label in labels)
