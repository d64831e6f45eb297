"""Printing: the emergency summary and the full published plan as PDF through WeasyPrint.
Every page carries the NHS number, the version and a "check for a newer version" notice,
because paper outlives the plan it was printed from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from organisations.models import Membership


@dataclass(frozen=True)
class PrintNotice:
    printed_at: Any
    printed_by: str
    organisation: str


def print_notice(actor: Membership) -> PrintNotice:
    user = actor.user
    return PrintNotice(
        printed_at=timezone.localtime(),
        printed_by=user.get_full_name() or user.get_username(),
        organisation=actor.organisation.name,
    )


def pdf_response(template: str, context: dict[str, Any], *, filename: str) -> HttpResponse:
    """Render `template` to a PDF download. `filename` must hold no patient data: it stays
    in the browser's download history."""
    html = render_to_string(template, context)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
