"""The suite passes on any day: nothing in it reads the calendar at import, the clock a run
asks for (`--clock`) is the clock in force, and Python's clock is the only "now"."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
import re

import pytest
from django.db import connection
from django.utils import timezone

from tests.clock import LONDON, parse_moment

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = [
    "config",
    "organisations",
    "patients",
    "audit",
    "frontend",
    "consent",
    "careplans",
    "portal",
    "reminders",
    "reports",
    "coordination",
    "interop",
]
# What reads the calendar: the clock itself, and the tests' helpers that count from today.
CLOCK_READS = {"now", "today", "localdate", "localtime", "utcnow"}
TEST_HELPERS = {"complete", "basis", "future", "date_fields", "yesterday", "death_day"}


def _sources(*folders: str) -> list[pathlib.Path]:
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


class _ImportTimeCalls(ast.NodeVisitor):
    """Calls made when a module is imported: at module or class level, in decorators (so in
    `pytest.mark.parametrize` lists) and in default values. A function's or lambda's body
    runs later, on the clock then in force."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.found: list[tuple[int, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for part in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if part is not None:
                self.visit(part)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for part in node.args.defaults:
            self.visit(part)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in self.names:
            self.found.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)


def _import_time_calls(paths: list[pathlib.Path], names: set[str]) -> list[str]:
    found = []
    for path in paths:
        visitor = _ImportTimeCalls(names)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        found += [f"{path.relative_to(ROOT)}:{line}: {code}" for line, code in visitor.found]
    return found


def test_no_test_reads_the_calendar_at_import() -> None:
    """A date taken once at import and used under a frozen or moved clock lies in that
    clock's future or past: every date a test needs is read when it runs."""
    assert _import_time_calls(_sources("tests", "bench"), CLOCK_READS | TEST_HELPERS) == []


def test_no_app_module_reads_the_calendar_at_import() -> None:
    assert _import_time_calls(_sources(*APPS), CLOCK_READS) == []


def test_the_finder_sees_a_date_in_a_parametrize_list_and_not_one_in_a_test_body() -> None:
    """The two checks above would pass on an empty list: show they would find one."""
    source = (
        "import pytest\n"
        "TODAY = timezone.localdate()\n"
        "@pytest.mark.parametrize('day', [today()])\n"
        "def test_x(day, when=dt.datetime.now()):\n"
        "    assert day <= timezone.localdate()\n"
        "    later = lambda: today()\n"
    )
    visitor = _ImportTimeCalls(CLOCK_READS | TEST_HELPERS)
    visitor.visit(ast.parse(source))
    assert [line for line, _ in visitor.found] == [2, 3, 4]


# A query that asks PostgreSQL for its own clock would disagree with a moved Python clock.
_DATABASE_CLOCK = re.compile(
    r"\bNow\(\)|\bdb_default\b|\bCURRENT_(DATE|TIMESTAMP|TIME)\b|\bnow\(\)\s*(::|-|\+|,|\))|"
    r"statement_timestamp|clock_timestamp|transaction_timestamp",
    re.IGNORECASE,
)


def test_python_s_clock_is_the_only_now() -> None:
    """Timestamps and "today" come from Python (timezone.now, localdate, auto_now), so the
    clock a test freezes or `--clock` moves is the one every query is given."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources(*APPS)
        + sorted(ROOT.glob("*/migrations/*.py"))
        + sorted((ROOT / "bench").glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _DATABASE_CLOCK.search(line.replace("timezone.now()", ""))
    ]
    assert found == []


@pytest.mark.django_db
def test_the_clock_in_force_is_the_one_the_run_asked_for(request: pytest.FixtureRequest) -> None:
    """Under `--clock` every "now" is the moved one, ticking; without it, Python's clock
    agrees with PostgreSQL's to the minute."""
    asked = request.config.getoption("--clock")
    now = timezone.now()
    if asked:
        moment = parse_moment(asked)
        # The clock has ticked since the run began: by no more than the run has taken.
        assert moment <= now < moment + dt.timedelta(hours=2)
        assert timezone.localdate() == now.astimezone(LONDON).date()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT CURRENT_TIMESTAMP")
            database_now = cursor.fetchone()[0]
        if isinstance(database_now, str):  # SQLite answers in text, in UTC
            database_now = dt.datetime.fromisoformat(database_now).replace(tzinfo=dt.UTC)
        assert abs(now - database_now) < dt.timedelta(minutes=1)


def test_a_moment_is_london_time_and_the_hour_that_happens_twice_means_the_first() -> None:
    assert parse_moment("2028-02-29T23:30") == dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC)
    summer = parse_moment("2027-07-01T00:30")
    assert summer.astimezone(dt.UTC) == dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)
    first = parse_moment("2027-10-31T01:30")
    assert first.astimezone(dt.UTC) == dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)
    second = parse_moment("2027-10-31T01:30+00:00")
    assert second.astimezone(dt.UTC) == dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-03-28T01:30", "does not happen in London"),
        ("next tuesday", "is not a moment"),
        ("2027-02-29T12:00", "is not a moment"),
    ],
)
def test_a_moment_that_is_not_one_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(pytest.UsageError, match=message):
        parse_moment(text)
