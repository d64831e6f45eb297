"""`{% worklist_rows worklist.rows readiness acting.pk %}`: the worklist's table rows; and
`{% worklist_selects criteria show_choices filter_choices sort_choices %}`: its filter and
sort form's selects.

Written in Python rather than as a loop in the template: 25 rows of eight cells took 6 ms in
the template engine, and 1 ms here (bench/worklist.py). Every value from the database passes
through `escape` on its way into the markup, which is the NHS.UK responsive table's, as in
worklist.html's header."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from uuid import UUID

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from careplans.worklist import Criteria, Row

register = template.Library()

NOBODY = UUID(int=0)
NOTHING = "\N{EN DASH}"  # a cell with nothing to say


# The date as the template's `date:"j M Y"` writes it ("4 Dec 1940"); the service is in
# English only. Formatting each date through Django took a fifth of the rows' time.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _cell(heading: str, html: str, testid: str = "") -> str:
    """One cell, starting with its heading, which the responsive table shows on a phone.
    `html` is already escaped."""
    tested = f' data-testid="{testid}"' if testid else ""
    return (
        f'<td class="nhsuk-table__cell"{tested}><span class="nhsuk-table-responsive__heading"'
        f' aria-hidden="true">{heading} </span>{html}</td>'
    )


def _name(row: Row, href: str) -> str:
    patient = row.patient
    died = (
        f'<br><strong class="nhsuk-tag nhsuk-tag--grey">Died {_day(patient.date_of_death)}</strong>'
        if patient.date_of_death
        else ""
    )
    return (
        f'<a href="{escape(href)}">{escape(patient.full_name)}</a><br>'
        f'<span class="nhsuk-body-s app-nhs-number">{escape(patient.nhs_number_display)}</span>'
        f"{died}"
    )


def _cpr(row: Row) -> str:
    if row.not_for_cpr:
        return f"<strong>{escape(row.cpr)}</strong>"
    return escape(row.cpr or "None published")


def _review(row: Row) -> str:
    if row.review_due_on is None:
        return "Not set"
    if row.review_overdue:
        return (
            f'<strong class="nhsuk-tag nhsuk-tag--red">Overdue: {_day(row.review_due_on)}</strong>'
        )
    return _day(row.review_due_on)


def _register(row: Row) -> str:
    if not row.on_register:
        return "No"
    return escape(f"Stage {row.stage}") if row.stage else "On the register"


def _key_worker(row: Row, viewer_id: int | None) -> str:
    if row.key_worker is None:
        return "Not named"
    return "You" if row.key_worker.membership_id == viewer_id else escape(row.key_worker.name)


def _at_home(ready: Any) -> str:
    if ready is None or not ready.applies:
        return NOTHING
    if not ready.red and not ready.amber:
        return '<strong class="nhsuk-tag nhsuk-tag--green">All in place</strong>'
    tags = []
    if ready.red:
        tags.append(f'<strong class="nhsuk-tag nhsuk-tag--red">{int(ready.red)} red</strong>')
    if ready.amber:
        tags.append(
            f'<strong class="nhsuk-tag nhsuk-tag--orange">{int(ready.amber)} amber</strong>'
        )
    return " ".join(tags)


@register.simple_tag
def worklist_rows(rows: list[Row], readiness: dict[int, Any], viewer_id: int | None) -> SafeString:
    """Precondition: the rows are the viewer's worklist, `readiness` its batch by patient id."""
    # One reversal for the page: each row's link differs only in the person's public id.
    link = reverse("patients:detail", kwargs={"patient_id": NOBODY})
    html = []
    for row in rows:
        patient = row.patient
        cells = (
            _cell("Name", _name(row, link.replace(str(NOBODY), str(patient.public_id)))),
            _cell("Born", f"{_day(patient.date_of_birth)} ({int(patient.age)})"),
            _cell("Plan", escape(row.plan_status)),
            _cell("CPR", _cpr(row)),
            _cell("Review", _review(row)),
            _cell("Register", _register(row)),
            _cell("Key worker", _key_worker(row, viewer_id)),
            _cell("At home", _at_home(readiness.get(patient.pk)), testid="worklist-readiness"),
        )
        html.append(f'<tr class="nhsuk-table__row">{"".join(cells)}</tr>')
    return mark_safe("\n".join(html))  # noqa: S308  (every value escaped above)


def _select(name: str, label: str, choices: dict[str, str], chosen: str, *, any_: bool) -> str:
    """One labelled select of the filter and sort form; `chosen` is selected."""
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
        f"{escape(words)}</option>"
        for value, words in choices.items()
    )
    if any_:
        options = f'<option value="">Any</option>\n          {options}'
    name = escape(name)
    return (
        '      <div class="nhsuk-form-group">\n'
        f'        <label class="nhsuk-label" for="filter-{name}">{escape(label)}</label>\n'
        f'        <select class="nhsuk-select" id="filter-{name}" name="{name}">\n'
        f"          {options}\n"
        "        </select>\n"
        "      </div>\n"
    )


@register.simple_tag
def worklist_selects(
    criteria: Criteria,
    show_choices: dict[str, str],
    filter_choices: list[tuple[str, str, dict[str, str], str]],
    sort_choices: dict[str, str],
) -> SafeString:
    """The filter and sort form's selects: whom to show, each filter (any, or one of its
    choices) and the order, each with the criteria's choice selected. Written in Python for
    the reason the rows are: about 50 options took 2 ms in the template engine."""
    selects = [_select("show", "Show", show_choices, criteria.show, any_=False)]
    selects += [
        _select(name, label, choices, chosen, any_=True)
        for name, label, choices, chosen in filter_choices
    ]
    selects.append(_select("sort", "Sort by", sort_choices, criteria.sort, any_=False))
    return mark_safe("".join(selects).strip())  # noqa: S308  (every value escaped above)
