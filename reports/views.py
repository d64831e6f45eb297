"""The PPD-achievement and plan-quality report for regional admins, and its CSV. Anyone
else meets a 404, and the refusal is recorded."""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import record
from organisations.decorators import acting_required, membership, record_denied
from organisations.models import Membership
from organisations.permissions import can_run_reports
from reports import selectors
from reports.figures import count_shown, proportion_cells
from reports.forms import ReportForm
from reports.periods import current_period

COLUMNS = {
    "deaths": "Deaths",
    "with_ppd": "Had a preferred place of death in a published plan",
    "achieved": "Died in their preferred place",
    "pct_achieved": "Died in their preferred place, %",
    "not_achieved": "Died elsewhere",
    "no_ppd": "No preferred place of death recorded",
    "in_hospital": "Died in hospital",
    "pct_in_hospital": "Died in hospital, %",
}


def _admin(request: HttpRequest) -> Membership:
    acting = membership(request)
    if not can_run_reports(acting):
        record_denied(acting, request, reason="only regional admins run reports")
        raise Http404
    return acting


def _form(request: HttpRequest, acting: Membership) -> ReportForm:
    default = current_period("year")
    data = request.GET.copy() if request.GET else None
    if data is not None:
        data.setdefault("breakdown", "organisation")
    return ReportForm(
        data,
        initial={"period_kind": "year", "period": default.value, "breakdown": "organisation"},
        practices=selectors.practices_of(acting),
    )


def _audit(acting: Membership, action: Action, form: ReportForm) -> None:
    filters = form.filters()
    record(
        actor=acting,
        action=action,
        detail={
            "report": "ppd_achievement",
            "period": filters.period.value,
            "breakdown": filters.breakdown,
            "organisation": str(filters.organisation.public_id) if filters.organisation else "",
            "diagnosis_group": filters.diagnosis_group,
            "age_band": filters.age_band,
        },
    )


@acting_required()
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    acting = _admin(request)
    form = _form(request, acting)
    if not form.is_bound:
        default = current_period("year")
        form = ReportForm(
            {"period_kind": "year", "period": default.value, "breakdown": "organisation"},
            practices=selectors.practices_of(acting),
        )
    context: dict[str, object] = {"form": form, "region": acting.organisation.region}
    if form.is_valid():
        filters = form.filters()
        ppd = selectors.ppd_achievement(acting, filters)
        context.update(
            filters=filters,
            ppd=ppd,
            quality=selectors.plan_quality(acting, filters),
            columns=COLUMNS,
            breakdown_label=selectors.BREAKDOWNS[filters.breakdown],
            by=selectors.BY[filters.breakdown],
            csv_query=request.GET.urlencode(),
        )
        _audit(acting, Action.RUN_REPORT, form)
    return render(request, "reports/report.html", context)


def _bad_filters(form: ReportForm) -> HttpResponse:
    return HttpResponse(
        "The filters are not valid: "
        + "; ".join(str(m) for messages in form.errors.values() for m in messages),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


# A cell a spreadsheet would read as a formula (an organisation named "=HYPERLINK(...)"):
# written with a leading apostrophe, so that it is shown as the text it is (OWASP's advice).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


class _SafeWriter:
    def __init__(self, response: HttpResponse) -> None:
        self._writer = csv.writer(response)

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([neutralised(cell) for cell in row])


def _csv(name: str) -> tuple[HttpResponse, _SafeWriter]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response, _SafeWriter(response)


@acting_required()
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    acting = _admin(request)
    form = _form(request, acting)
    if not form.is_bound or not form.is_valid():
        return _bad_filters(form)
    filters = form.filters()
    ppd = selectors.ppd_achievement(acting, filters)
    response, writer = _csv(f"ppd-achievement-{filters.period.value}-by-{filters.breakdown}.csv")
    writer.writerow([selectors.BREAKDOWNS[filters.breakdown], *COLUMNS.values()])
    for row in [*ppd.rows, ppd.total]:
        writer.writerow([row.label, *(row.shown(name) for name in COLUMNS)])
    _audit(acting, Action.EXPORT, form)
    return response


@acting_required()
@require_GET
def quality_csv(request: HttpRequest) -> HttpResponse:
    """The plan-quality figures of the page, each with its numerator and denominator."""
    acting = _admin(request)
    form = _form(request, acting)
    if not form.is_bound or not form.is_valid():
        return _bad_filters(form)
    filters = form.filters()
    quality = selectors.plan_quality(acting, filters)
    response, writer = _csv(f"plan-quality-{filters.period.value}.csv")
    writer.writerow(["Figure", "Count (numerator)", "Of (denominator)", "%"])
    for label, count in (
        ("Plans started", quality.plans_created),
        ("Plans published for the first time", quality.plans_first_published),
        ("Versions published", quality.versions_published),
    ):
        writer.writerow([label, count_shown(count), "", ""])
    for proportion in [quality.reviews, *quality.coverage]:
        writer.writerow([proportion.label, *proportion_cells(proportion)])
    _audit(acting, Action.EXPORT, form)
    return response
