"""The FHIR R4 read API: JSON only, GET only. People call it with their session; systems
with a token (organisations.tokens). Errors are OperationOutcomes; an invisible patient is
the same as one that does not exist; every read and search is audited, refusals too."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from audit.models import Action
from audit.services import record
from interop.fhir import mapping, selectors
from interop.fhir.mapping import NHS_NUMBER, TYPES, Resource
from organisations.acting import acting_membership
from organisations.models import Membership
from organisations.tokens import membership_for_token
from patients.identifiers import is_valid_nhs_number, normalise_nhs_number
from patients.models import Patient
from patients.selectors import record_refusal

FHIR_JSON = "application/fhir+json"
DEFAULT_COUNT = 50
MAX_COUNT = 100
PAGING = {"_count", "_offset", "_format"}


class FhirError(Exception):
    def __init__(self, status: int, code: str, diagnostics: str, expression: str = "") -> None:
        super().__init__(diagnostics)
        self.status, self.code, self.diagnostics, self.expression = (
            status,
            code,
            diagnostics,
            expression,
        )


def _json(body: Resource, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, separators=(",", ":")),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def outcome(status: int, code: str, diagnostics: str, expression: str = "") -> HttpResponse:
    issue: Resource = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    response = _json({"resourceType": "OperationOutcome", "issue": [issue]}, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
    if status == 405:
        response["Allow"] = "GET"
    return response


def _accepts_json(request: HttpRequest) -> bool:
    wanted = request.GET.get("_format") or request.headers.get("Accept", "")
    if not wanted:
        return True
    kinds = [part.split(";")[0].strip().lower() for part in wanted.split(",")]
    return any(
        kind in {FHIR_JSON, "application/json", "json", "*/*", "application/*"} for kind in kinds
    )


def _caller(request: HttpRequest) -> Membership | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        return membership_for_token(secret.strip()) if scheme.lower() == "bearer" else None
    return acting_membership(request)


View = Callable[..., HttpResponse]


def fhir(*, open_to_all: bool = False) -> Callable[[View], View]:
    """GET only (405), JSON only (406), a caller (401), OperationOutcome for every error."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET":
                return outcome(405, "not-supported", "This API is read-only: use GET")
            if not _accepts_json(request):
                return outcome(406, "not-supported", "Only application/fhir+json is served")
            viewer = None if open_to_all else _caller(request)
            if viewer is None and not open_to_all:
                return outcome(401, "login", "Send a valid token: Authorization: Bearer …")
            try:
                return view(request, viewer, *args, **kwargs)
            except FhirError as error:
                return outcome(error.status, error.code, error.diagnostics, error.expression)
            except Http404:
                return outcome(404, "not-found", "No such resource")

        return wrapper

    return decorator


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:base"))


def _check_params(request: HttpRequest, known: set[str]) -> None:
    """Unknown search parameters are ignored, or refused with Prefer: handling=strict."""
    unknown = sorted(set(request.GET) - known - PAGING)
    if unknown and "handling=strict" in request.headers.get("Prefer", "").replace(" ", ""):
        raise FhirError(400, "not-supported", f"Unknown parameter: {unknown[0]}", unknown[0])


def _count(request: HttpRequest) -> tuple[int, int]:
    try:
        count = int(request.GET.get("_count", DEFAULT_COUNT))
        offset = int(request.GET.get("_offset", 0))
    except ValueError:
        raise FhirError(400, "invalid", "_count and _offset are whole numbers", "_count") from None
    if not 1 <= count <= MAX_COUNT or offset < 0:
        raise FhirError(400, "invalid", f"_count is from 1 to {MAX_COUNT}", "_count")
    return count, offset


def searchset(request: HttpRequest, resources: list[Resource]) -> Resource:
    """A searchset Bundle of one page, with self and next links."""
    base = _base(request)
    count, offset = _count(request)
    page = resources[offset : offset + count]
    params = {k: v for k, v in request.GET.items() if k != "_offset"}
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if offset + count < len(resources):
        query = urlencode({**params, "_count": count, "_offset": offset + count})
        links.append(
            {"relation": "next", "url": f"{request.build_absolute_uri(request.path)}?{query}"}
        )
    return {
        "resourceType": "Bundle",
        "id": _bundle_id(resources, offset),
        "meta": {"lastUpdated": timezone.now().isoformat()},
        "type": "searchset",
        "total": len(resources),
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in page
        ],
    }


def _bundle_id(resources: list[Resource], offset: int) -> str:
    first = resources[0]["id"] if resources else "none"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{first}/{len(resources)}/{offset}"))


def _audit(viewer: Membership, found: list[selectors.Shared], interaction: str) -> None:
    for item in found:
        record(
            actor=viewer,
            action=Action.API_READ,
            patient=item.patient,
            detail={"api": "fhir", "interaction": interaction, "version": item.version.number},
        )


@fhir(open_to_all=True)
def metadata(request: HttpRequest, viewer: None) -> HttpResponse:
    """Exactly what this server supports: read and search on these types, GET only."""
    resources = [
        {
            "type": kind,
            "profile": f"{mapping.UKCORE}{kind}",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": "identifier", "type": "token"}
                if kind == "Patient"
                else {"name": "patient", "type": "reference"}
            ],
        }
        for kind in TYPES
    ]
    resources[0]["operation"] = [
        {
            "name": "everything",
            "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        }
    ]
    return _json(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-23",
            "publisher": "OpenEPaCCS",
            "kind": "instance",
            "software": {"name": "OpenEPaCCS"},
            "implementation": {
                "description": "Published palliative and end of life care plans, read-only",
                "url": _base(request),
            },
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": "Authorization: Bearer <token> (made by a regional "
                        "admin), or a signed-in session",
                    },
                    "resource": resources,
                }
            ],
        }
    )


def _nhs_number(request: HttpRequest) -> str:
    raw = request.GET.get("identifier", "")
    system, bar, value = raw.partition("|")
    if not raw or not bar or system != NHS_NUMBER:
        raise FhirError(
            400,
            "invalid",
            f"identifier must be {NHS_NUMBER}|<NHS number>",
            "Patient.identifier",
        )
    number = normalise_nhs_number(value)
    if not is_valid_nhs_number(number):
        raise FhirError(400, "invalid", "identifier: not a valid NHS number", "Patient.identifier")
    return number


@fhir()
def patient_search(request: HttpRequest, viewer: Membership) -> HttpResponse:
    _check_params(request, {"identifier"})
    number = _nhs_number(request)
    found = selectors.by_nhs_number(viewer, number)
    if found:
        _audit(viewer, found, "search-type Patient")
    else:
        record(
            actor=viewer,
            action=Action.API_SEARCH,
            detail={"api": "fhir", "interaction": "search-type Patient", "found": 0},
        )
        for hidden in Patient.objects.filter(nhs_number=number).values_list("public_id", flat=True):
            record_refusal(viewer, hidden, page="fhir Patient search")
    bundle = searchset(request, [mapping.patient_resource(item.patient) for item in found])
    return _json(bundle)


def _patient(viewer: Membership, patient_id: str, page: str) -> selectors.Shared:
    try:
        public_id = UUID(patient_id)
    except ValueError:
        raise Http404 from None
    found = selectors.by_public_id(viewer, public_id)
    if found is None:
        record_refusal(viewer, public_id, page=page)
        raise Http404
    return found


@fhir()
def patient_read(request: HttpRequest, viewer: Membership, patient_id: str) -> HttpResponse:
    found = _patient(viewer, patient_id, "fhir Patient read")
    _audit(viewer, [found], "read Patient")
    return _json(mapping.patient_resource(found.patient))


@fhir()
def patient_everything(request: HttpRequest, viewer: Membership, patient_id: str) -> HttpResponse:
    """The latest published version, every resource of it, as a searchset Bundle."""
    _check_params(request, set())
    found = _patient(viewer, patient_id, "fhir Patient $everything")
    _audit(viewer, [found], "operation Patient/$everything")
    resources = mapping.everything(found.patient, found.version, found.consent)
    return _json(searchset(request, resources))


@fhir()
def type_search(request: HttpRequest, viewer: Membership, kind: str) -> HttpResponse:
    if kind not in TYPES or kind == "Patient":
        raise FhirError(404, "not-supported", f"{kind} is not served here")
    _check_params(request, {"patient"})
    reference = request.GET.get("patient", "")
    if not reference:
        raise FhirError(400, "required", "Search by patient: ?patient=<id>", "patient")
    found = _patient(viewer, reference.removeprefix("Patient/"), f"fhir {kind} search")
    _audit(viewer, [found], f"search-type {kind}")
    resources = [
        r
        for r in mapping.everything(found.patient, found.version, found.consent)
        if r["resourceType"] == kind
    ]
    return _json(searchset(request, resources))


@fhir()
def type_read(
    request: HttpRequest, viewer: Membership, kind: str, resource_id: str
) -> HttpResponse:
    if kind not in TYPES or kind == "Patient":
        raise FhirError(404, "not-supported", f"{kind} is not served here")
    version_id = mapping.version_id_of(resource_id)
    found = None
    if kind == "Consent":
        try:
            found = selectors.by_consent(viewer, UUID(resource_id))
        except ValueError:
            found = None
    elif version_id is not None:
        found = selectors.by_version(viewer, version_id)
    if found is None:
        record(
            actor=viewer,
            action=Action.DENIED,
            reason="not found, or not shared with the caller",
            detail={"page": f"fhir {kind} read", "requested": resource_id[:64]},
        )
        raise Http404
    match = next(
        (
            r
            for r in mapping.everything(found.patient, found.version, found.consent)
            if r["resourceType"] == kind and r["id"] == resource_id
        ),
        None,
    )
    if match is None:
        raise Http404
    _audit(viewer, [found], f"read {kind}")
    return _json(match)


@fhir()
def base(request: HttpRequest, viewer: Membership) -> HttpResponse:
    raise FhirError(400, "not-supported", "Name a resource type, or GET /metadata")


@fhir(open_to_all=True)
def not_found(request: HttpRequest, viewer: None) -> HttpResponse:
    return outcome(404, "not-found", "No such resource or operation here")
