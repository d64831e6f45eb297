"""Two public FHIR clients, as a system supplier would use them, against a live server:
fhirpy (its count() sends `_count=0`, its get() searches by `_id`) and fhirclient (its
where() builds the search). Each asks "is there an active Not-for-CPR flag?" of a person
who is For CPR and must hear "no" (hazard H1), and finds the For CPR flag when asked."""

from __future__ import annotations

from typing import Any

import pytest
from fhirclient.models.flag import Flag
from fhirclient.server import FHIRServer
from fhirpy import SyncFHIRClient

from organisations.models import Membership, Role
from patients.models import Patient
from tests.conftest import Place
from tests.factories import make_token
from tests.interop.conftest import FOR_CPR, NOT_FOR_CPR

pytestmark = pytest.mark.django_db(transaction=True)

SNOMED = "http://snomed.info/sct"


@pytest.fixture
def endpoint(live_server: Any, place: Place, regional_admin: Membership) -> tuple[str, str]:
    secret = make_token(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="Crew EPR"
    ).secret
    return f"{live_server.url}/fhir/R4", secret


def test_fhirpy_count_get_by_id_and_search_by_code(
    endpoint: tuple[str, str], for_cpr: Patient
) -> None:
    url, secret = endpoint
    fhir = SyncFHIRClient(url, authorization=f"Bearer {secret}")
    flags = fhir.resources("Flag").search(patient=str(for_cpr.public_id))
    assert flags.count() == 3
    not_for_cpr = flags.search(code=f"{SNOMED}|{NOT_FOR_CPR}", status="active")
    assert not_for_cpr.count() == 0
    assert not_for_cpr.fetch_all() == []
    [cpr] = flags.search(code=f"{SNOMED}|{FOR_CPR}", status="active").fetch_all()
    assert cpr["code"]["coding"][0]["code"] == FOR_CPR
    same = fhir.resources("Flag").search(_id=cpr["id"]).get()
    assert same["id"] == cpr["id"]
    assert fhir.resources("Flag").search(_id=f"{cpr['id'][:36]}-flag-none").count() == 0
    everything = fhir.resources("CarePlan").search(patient=str(for_cpr.public_id)).fetch_all()
    assert [plan["status"] for plan in everything] == ["active"]


def test_fhirclient_where_search_by_code(endpoint: tuple[str, str], for_cpr: Patient) -> None:
    url, secret = endpoint
    server = FHIRServer(None, base_uri=f"{url}/")
    server.session.headers["Authorization"] = f"Bearer {secret}"
    try:
        patient = str(for_cpr.public_id)
        asked = Flag.where(
            {"patient": patient, "code": f"{SNOMED}|{NOT_FOR_CPR}", "status": "active"}
        )
        assert list(asked.perform_resources_iter(server)) == []
        [cpr] = Flag.where(
            {"patient": patient, "code": f"{SNOMED}|{FOR_CPR}"}
        ).perform_resources_iter(server)
        assert cpr.code.coding[0].code == FOR_CPR
        assert cpr.status == "active"
        assert len(list(Flag.where({"patient": patient}).perform_resources_iter(server))) == 3
    finally:
        # A kept-alive connection would keep the live server's request thread, and its
        # database connection, open after the test.
        server.session.close()
