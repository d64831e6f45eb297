from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from careplans import services
from organisations.models import Membership
from organisations.rest import PerCallerThrottle
from patients.models import Patient
from tests.careplans.conftest import basis, complete, consented, fill, published
from tests.factories import make_lpa

__all__ = ["consented", "published"]


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test counts its own calls, REST and FHIR together (never flushing Redis)."""
    # LocMemCaches of one name share their store: a new name is a new, empty cache.
    fresh = LocMemCache(f"api-throttle-{uuid.uuid4()}", {})
    monkeypatch.setattr(PerCallerThrottle, "cache", fresh)


FOR_CPR, NOT_FOR_CPR = "450475007", "450476008"


@pytest.fixture
def for_cpr(consented: Patient, their_gp: Membership) -> Patient:
    """A person For CPR, with an LPA and an ADRT refusing other treatment: three flags."""
    plan = complete()
    plan["cpr_decision"]["cpr_decision"] = FOR_CPR
    plan["treatment_escalation"]["respect_cpr_recommendation"] = "recommended"
    plan["legal"] = {
        "advance_decision_to_refuse_treatment": "local:adrt-other",
        "adrt_location_of_document": "With the GP",
    }
    make_lpa(actor=their_gp, patient=consented)
    fill(their_gp, consented, plan)
    services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    return consented
