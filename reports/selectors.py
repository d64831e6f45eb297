"""The reports' figures, computed in the database in one pass each, for the viewer's own
region only (DESIGN §8). Every figure is a count with its numerator and denominator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from careplans.models import CarePlan, Death, PublishedVersion
from careplans.sections import SECTIONS
from careplans.terminology import (
    DEATH_PLACE_CATEGORY,
    DIAGNOSIS_GROUPS,
    PLACE_CATEGORIES,
    PPD_CATEGORY,
)
from organisations.models import Membership, Organisation, OrganisationKind
from organisations.permissions import can_run_reports
from reports.figures import Row, make_row, suppress
from reports.periods import Period

AGE_BANDS = {
    "under_65": ("Under 65", 0, 64),
    "65_to_74": ("65 to 74", 65, 74),
    "75_to_84": ("75 to 84", 75, 84),
    "85_and_over": ("85 and over", 85, 200),
}
BREAKDOWNS = {
    "organisation": "GP practice",
    "diagnosis_group": "Diagnosis group",
    "age_band": "Age at death",
    "month": "Month of death",
}
# "... by GP practice", in running text.
BY = {
    "organisation": "by GP practice",
    "diagnosis_group": "by diagnosis group",
    "age_band": "by age at death",
    "month": "by month of death",
}


@dataclass(frozen=True)
class Filters:
    period: Period
    breakdown: str = "organisation"
    organisation: Organisation | None = None
    diagnosis_group: str = ""
    age_band: str = ""


def practices_of(viewer: Membership) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        region_id=viewer.organisation.region_id, kind=OrganisationKind.GP_PRACTICE
    ).order_by("name")


def _codes(mapping: dict[str, str], category: str) -> list[str]:
    return [code for code, c in mapping.items() if c == category]


PPD_RECORDED = Q(version_at_death__isnull=False) & Q(
    preferred_place_of_death__in=list(PPD_CATEGORY)
)
ACHIEVED = PPD_RECORDED & reduce(
    or_,
    (
        Q(preferred_place_of_death__in=_codes(PPD_CATEGORY, category))
        & Q(place_of_death__in=_codes(DEATH_PLACE_CATEGORY, category))
        for category in PLACE_CATEGORIES
    ),
)
IN_HOSPITAL = Q(place_of_death__in=_codes(DEATH_PLACE_CATEGORY, "hospital"))
AGE_BAND = Case(
    *(When(age_at_death__lte=high, then=Value(key)) for key, (_, _, high) in AGE_BANDS.items()),
    output_field=CharField(),
)


def _deaths(viewer: Membership, filters: Filters) -> QuerySet[Death]:
    if not can_run_reports(viewer):
        raise Http404
    deaths = Death.objects.filter(
        entered_in_error=False,
        region_id=viewer.organisation.region_id,
        date_of_death__gte=filters.period.start,
        date_of_death__lt=filters.period.end,
    )
    if filters.organisation is not None:
        deaths = deaths.filter(gp_practice=filters.organisation)
    if filters.diagnosis_group:
        deaths = deaths.filter(diagnosis_group=filters.diagnosis_group)
    if filters.age_band:
        _, low, high = AGE_BANDS[filters.age_band]
        deaths = deaths.filter(age_at_death__gte=low, age_at_death__lte=high)
    return deaths


@dataclass
class PpdReport:
    rows: list[Row]
    total: Row


def ppd_achievement(viewer: Membership, filters: Filters) -> PpdReport:
    """Deaths, those with a preferred place of death in a published plan, those who died
    there, deaths in hospital: by the chosen breakdown, in one grouped query."""
    group: Any = {
        "organisation": F("gp_practice_id"),
        "diagnosis_group": F("diagnosis_group"),
        "age_band": AGE_BAND,
        "month": TruncMonth("date_of_death"),
    }[filters.breakdown]
    found = (
        _deaths(viewer, filters)
        .annotate(group=group)
        .values("group")
        .annotate(  # counting a column of the index keeps the scan index-only
            deaths=Count("date_of_death"),
            with_ppd=Count("date_of_death", filter=PPD_RECORDED),
            achieved=Count("date_of_death", filter=ACHIEVED),
            in_hospital=Count("date_of_death", filter=IN_HOSPITAL),
        )
        .order_by("group")
    )
    names = (
        dict(practices_of(viewer).values_list("pk", "name"))
        if filters.breakdown == "organisation"
        else {}
    )
    rows = [
        make_row(
            str(item["group"]),
            names.get(item["group"]) or _label(filters.breakdown, item["group"]),
            item["deaths"],
            item["with_ppd"],
            item["achieved"],
            item["in_hospital"],
        )
        for item in found
    ]
    rows.sort(key=lambda row: _order(filters.breakdown, row))
    total = make_row(
        "total",
        "All",
        sum(r.counts["deaths"] for r in rows),
        sum(r.counts["with_ppd"] for r in rows),
        sum(r.counts["achieved"] for r in rows),
        sum(r.counts["in_hospital"] for r in rows),
    )
    suppress(rows, total)
    return PpdReport(rows=rows, total=total)


def _label(breakdown: str, value: object) -> str:
    if breakdown == "organisation":
        return "No registered GP practice" if value is None else "Another region's practice"
    if breakdown == "diagnosis_group":
        return DIAGNOSIS_GROUPS.get(str(value), str(value))
    if breakdown == "age_band":
        return AGE_BANDS[str(value)][0]
    if breakdown == "month" and isinstance(value, dt.date):
        return value.strftime("%B %Y")
    if breakdown == "month" and isinstance(value, str):  # SQLite
        return dt.date.fromisoformat(value[:10]).strftime("%B %Y")
    return str(value)


def _order(breakdown: str, row: Row) -> tuple[int, str]:
    keys = {"diagnosis_group": list(DIAGNOSIS_GROUPS), "age_band": list(AGE_BANDS)}.get(breakdown)
    if keys and row.key in keys:
        return (keys.index(row.key), row.key)
    return (0, row.label if breakdown == "organisation" else row.key)


# --- plan quality ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportion:
    label: str
    numerator: int
    denominator: int

    @property
    def hidden(self) -> bool:
        return self.numerator in range(1, 5) or (self.denominator - self.numerator) in range(1, 5)


@dataclass
class QualityReport:
    plans_created: int
    plans_first_published: int
    versions_published: int
    reviews: Proportion
    coverage: list[Proportion]
    plans_counted: int


def _mandatory_items() -> list[tuple[str, str, str]]:
    """(section key, item, label) for each mandatory item of the core content."""
    items = []
    for section in SECTIONS:
        form = section.form()
        for name in section.mandatory:
            label = str(form.fields[name].label or name) if name in form.fields else name.title()
            items.append((section.key, name, f"{section.title}: {label}"))
    return items


def _moment(day: dt.date) -> dt.datetime:
    """Midnight at the start of a day in London: periods are London days."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _coverage_filter(key: str, name: str) -> Q:
    """The item is filled in: read from the short list of missing items kept at publish,
    or from the snapshot for versions published before that list was kept."""
    kept = Q(mandatory_missing__isnull=False) & ~Q(mandatory_missing__contains=f"|{key}.{name}|")
    path = f"snapshot__sections__{key}__{name}"
    read = (
        Q(mandatory_missing__isnull=True)
        & Q(**{f"{path}__isnull": False})
        & ~Q(**{path: ""})
        & ~Q(**{path: []})
    )
    return kept | read


def plan_quality(viewer: Membership, filters: Filters) -> QualityReport:
    """Plans started and first published in the period; reviews that fell due in it (up to
    today) and were done on time (a later version published by the review date); and, of
    the versions published in the period, how often each mandatory item is filled in. One
    query for the plans, one for the versions, both through indexed ranges."""
    if not can_run_reports(viewer):
        raise Http404
    start, end = filters.period.start, filters.period.end
    start_at, end_at = _moment(start), _moment(end)
    of_region = Q(patient__home_region_id=viewer.organisation.region_id)
    if filters.organisation is not None:
        of_region &= Q(patient__registered_gp_practice=filters.organisation)
    plans_created = CarePlan.objects.filter(
        of_region, created_at__gte=start_at, created_at__lt=end_at
    ).count()
    in_period = Q(published_at__gte=start_at, published_at__lt=end_at)
    due_in_period = Q(
        planned_review_date__gte=start,
        planned_review_date__lt=min(end, timezone.localdate()),
    )
    reviewed_in_time = Exists(
        PublishedVersion.objects.filter(
            plan=OuterRef("plan"),
            number__gt=OuterRef("number"),
            published_at__date__lte=OuterRef("planned_review_date"),
        )
    )
    items = _mandatory_items()
    filled = {
        f"item_{index}": Count("id", filter=in_period & _coverage_filter(key, name))
        for index, (key, name, _) in enumerate(items)
    }
    versions = (
        PublishedVersion.objects.filter(_of_region_versions(viewer, filters))
        .filter(in_period | due_in_period)
        .aggregate(
            published=Count("id", filter=in_period),
            first_published=Count("id", filter=in_period & Q(number=1)),
            reviews_due=Count("id", filter=due_in_period),
            reviews_on_time=Count("id", filter=due_in_period & reviewed_in_time),
            **filled,
        )
    )
    return QualityReport(
        plans_created=plans_created,
        plans_first_published=versions["first_published"],
        versions_published=versions["published"],
        reviews=Proportion(
            "Reviews done on time", versions["reviews_on_time"], versions["reviews_due"]
        ),
        coverage=[
            Proportion(label, versions[f"item_{index}"], versions["published"])
            for index, (_, _, label) in enumerate(items)
        ],
        plans_counted=versions["published"],
    )


def _of_region_versions(viewer: Membership, filters: Filters) -> Q:
    where = Q(plan__patient__home_region_id=viewer.organisation.region_id)
    if filters.organisation is not None:
        where &= Q(plan__patient__registered_gp_practice=filters.organisation)
    return where
