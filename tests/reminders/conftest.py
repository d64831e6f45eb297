"""Plans with review dates that fall due, built through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from careplans import services
from careplans.models import CarePlan
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import basis, complete, consented, fill, published

__all__ = ["consented", "published"]


def date_boxes(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def plan_content(
    *, review: dt.date, cpr_review: dt.date, decided: dt.date | None = None
) -> dict[str, dict[str, Any]]:
    content = complete()
    decided = decided or timezone.localdate() - dt.timedelta(days=1)
    content["cpr_decision"].update(date_boxes("date_of_decision", decided))
    content["review"].update(date_boxes("planned_review_date", review))
    content["cpr_decision"].update(date_boxes("date_for_review", cpr_review))
    return content


def publish(
    actor: Membership,
    patient: Patient,
    *,
    review_in: int = 90,
    cpr_review_in: int = 60,
) -> CarePlan:
    """Publish the patient's plan with reviews due in so many days from today."""
    today = timezone.localdate()
    fill(
        actor,
        patient,
        plan_content(
            review=today + dt.timedelta(days=review_in),
            cpr_review=today + dt.timedelta(days=cpr_review_in),
        ),
    )
    services.careplan_publish(actor=actor, patient=patient, basis=basis())
    return CarePlan.objects.get(patient=patient)
