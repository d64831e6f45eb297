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
from interop.fhir import mapping, search, selectors
from interop.fhir.mapping import NHS_NUMBER, TYPES, Resource
from organisations.acting import acting_membership
from organisations.models import Membership
from organisations.rest import caller_throttled
from organisations.tokens import membership_for_token
from organisations.two_factor import is_verified, needs_two_factor
from patients.identifiers import is_valid_nhs_number, normalise_nhs_number
from patients.models import Patient
from patients.selectors import record_refusal, record_search_refusals

FHIR_JSON = "application/fhir+json"


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
    if needs_two_factor(request.user) and not is_verified(request):
        return None
    return acting_membership(request)


View = Callable[..., HttpResponse]


def fhir(*, open_to_all: bool = False, method: str = "GET") -> Callable[[View], View]:
    """GET only (or POST for a search), JSON only (406), a caller (401), OperationOutcome
    for every error."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != method:
                refused = outcome(
                    405,
                    "not-supported",
                    "This API is read-only: use GET"
                    if method == "GET"
                    else "Send the search as POST, with its parameters in the body",
                )
                refused["Allow"] = method
                return refused
            if not _accepts_json(request):
                return outcome(406, "not-supported", "Only application/fhir+json is served")
            viewer = None if open_to_all else _caller(request)
            if viewer is None and not open_to_all:
                return outcome(401, "login", "Send a valid token: Authorization: Bearer …")
            wait = caller_throttled(request, viewer.user_id if viewer is not None else None)
            if wait is not None:
                slow_down = outcome(429, "throttled", f"Too many calls: try again in {wait} s")
                slow_down["Retry-After"] = str(wait)
                return slow_down
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


def _search(request: HttpRequest, kind: str) -> search.Search:
    """The search's parameters: the query string, or the form body of a POST _search."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        return search.parse(kind, params, prefer=request.headers.get("Prefer", ""))
    except search.SearchError as error:
        raise FhirError(400, error.code, error.diagnostics, error.expression) from None


def searchset(request: HttpRequest, asked: search.Search, matched: list[Resource]) -> Resource:
    """A searchset Bundle of one page. The self and next links carry only the parameters
    applied; what lenient handling left out is named in an OperationOutcome entry."""
    base = _base(request)
    # A POST _search is answered with the links of the same search by GET.
    here = request.build_absolute_uri(request.path.removesuffix("/_search"))

    def link(offset: int) -> str:
        query = urlencode([*asked.applied, ("_count", asked.count), ("_offset", offset)])
        return f"{here}?{query}"

    page = matched[asked.offset : asked.offset + asked.count]
    links = [{"relation": "self", "url": link(asked.offset)}]
    if asked.count and asked.offset + asked.count < len(matched):
        links.append({"relation": "next", "url": link(asked.offset + asked.count)})
    entries: list[Resource] = [
        {
            "fullUrl": f"{base}{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in page
    ]
    if asked.not_applied:
        entries.append(
            {
                "resource": {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {
                            "severity": "warning",
                            "code": "not-supported",
                            "diagnostics": f"Search parameter not applied: {name}",
                            "expression": [name],
                        }
                        for name in asked.not_applied
                    ],
                },
                "search": {"mode": "outcome"},
            }
        )
    return {
        "resourceType": "Bundle",
        "id": _bundle_id(matched, asked.offset),
        "meta": {"lastUpdated": timezone.now().isoformat()},
        "type": "searchset",
        "total": len(matched),
        "link": links,
        "entry": entries,
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
                {"name": name, "type": search.PARAMETER_TYPES[name]}
                for name in (
                    search.PATIENT_PARAMETERS if kind == "Patient" else search.TYPE_PARAMETERS
                )
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


def _nhs_number(raw: str) -> str:
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


def _found_nothing(viewer: Membership, interaction: str) -> None:
    record(
        actor=viewer,
        action=Action.API_SEARCH,
        detail={"api": "fhir", "interaction": interaction, "found": 0},
    )


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _shared_patient(viewer: Membership, patient_id: str, page: str) -> selectors.Shared | None:
    """The patient's shared plan, or None (recorded as a refusal) whether the patient does
    not exist, is not the caller's, or has nothing shared: the three look the same."""
    public_id = _uuid(patient_id)
    found = selectors.by_public_id(viewer, public_id) if public_id else None
    if found is None:
        if public_id is not None:
            record_refusal(viewer, public_id, page=page)
        else:
            _refuse_resource(viewer, page, patient_id)
    return found


def _refuse_resource(viewer: Membership, page: str, requested: str) -> None:
    record(
        actor=viewer,
        action=Action.DENIED,
        reason="not found, or not shared with the caller",
        detail={"page": page, "requested": requested[:64]},
    )


def _shared_by_resource_id(
    viewer: Membership, kind: str, resource_id: str
) -> selectors.Shared | None:
    """The shared plan a resource id belongs to: a Consent's own id, or any other
    resource's version id prefix (only current versions are served)."""
    if kind == "Consent":
        consent_id = _uuid(resource_id)
        return selectors.by_consent(viewer, consent_id) if consent_id else None
    version_id = mapping.version_id_of(resource_id)
    return selectors.by_version(viewer, version_id) if version_id else None


@fhir(method="POST")
def patient_search_post(request: HttpRequest, viewer: Membership) -> HttpResponse:
    """POST Patient/_search: the preferred way, keeping the NHS number out of URLs."""
    return _patient_search(request, viewer)


@fhir(method="POST")
def type_search_post(request: HttpRequest, viewer: Membership, kind: str) -> HttpResponse:
    return _type_search(request, viewer, kind)


@fhir()
def patient_search(request: HttpRequest, viewer: Membership) -> HttpResponse:
    return _patient_search(request, viewer)


def _patient_search(request: HttpRequest, viewer: Membership) -> HttpResponse:
    """By NHS number (identifier) or by id (_id)."""
    asked = _search(request, "Patient")
    number = asked.value("identifier")
    if number is not None:
        number = _nhs_number(number)
        found = selectors.by_nhs_number(viewer, number)
    elif asked.ids is not None:
        found = [
            shared
            for text in sorted(asked.ids)
            if (shared := _shared_patient(viewer, text, "fhir Patient search")) is not None
        ]
    else:
        raise FhirError(
            400, "required", "Search by identifier=<system>|<NHS number> or by _id", "identifier"
        )
    resources = asked.select(mapping.patient_resource(item.patient) for item in found)
    ids = {resource["id"] for resource in resources}
    matched = [item for item in found if str(item.patient.public_id) in ids]
    if matched:
        _audit(viewer, matched, "search-type Patient")
    else:
        _found_nothing(viewer, "search-type Patient")
    if number is not None and not found:
        hidden = list(Patient.objects.filter(nhs_number=number).values_list("public_id", flat=True))
        record_search_refusals(viewer, hidden, detail={"page": "fhir Patient search"})
    return _json(searchset(request, asked, resources))


def _patient(viewer: Membership, patient_id: str, page: str) -> selectors.Shared:
    found = _shared_patient(viewer, patient_id, page)
    if found is None:
        raise Http404
    return found


@fhir()
def patient_read(request: HttpRequest, viewer: Membership, patient_id: str) -> HttpResponse:
    found = _patient(viewer, patient_id, "fhir Patient read")
    _audit(viewer, [found], "read Patient")
    return _json(mapping.patient_resource(found.patient))


@fhir()
def patient_everything(request: HttpRequest, viewer: Membership, patient_id: str) -> HttpResponse:
    """The latest published version, every resource of it, as a searchset Bundle (`_type`
    narrows it to some types)."""
    asked = _search(request, "everything")
    found = _patient(viewer, patient_id, "fhir Patient $everything")
    _audit(viewer, [found], "operation Patient/$everything")
    resources = mapping.everything(
        found.patient, found.version, found.consent, found.lpas, found.key_contacts
    )
    return _json(searchset(request, asked, asked.select(resources)))


@fhir()
def type_search(request: HttpRequest, viewer: Membership, kind: str) -> HttpResponse:
    return _type_search(request, viewer, kind)


def _type_search(request: HttpRequest, viewer: Membership, kind: str) -> HttpResponse:
    """By patient (or subject), by _id, or both; narrowed by code, status and category. A
    patient who is unknown, not the caller's, or has nothing shared gives an empty
    searchset, the same in each case."""
    if kind not in TYPES or kind == "Patient":
        raise FhirError(404, "not-supported", f"{kind} is not served here")
    asked = _search(request, kind)
    page = f"fhir {kind} search"
    if asked.patient is not None:
        shared = _shared_patient(viewer, asked.patient, page)
        found = [shared] if shared is not None else []
    elif asked.ids is not None:
        found = []
        for resource_id in sorted(asked.ids):
            shared = _shared_by_resource_id(viewer, kind, resource_id)
            if shared is None:
                _refuse_resource(viewer, page, resource_id)
            elif shared.patient.pk not in {f.patient.pk for f in found}:
                found.append(shared)
    else:
        raise FhirError(400, "required", "Search by patient: ?patient=<id>, or by _id", "patient")
    if found:
        _audit(viewer, found, f"search-type {kind}")
    else:
        _found_nothing(viewer, f"search-type {kind}")
    resources = [
        resource
        for item in found
        for resource in mapping.everything(
            item.patient, item.version, item.consent, item.lpas, item.key_contacts
        )
    ]
    return _json(searchset(request, asked, asked.select(resources)))


@fhir()
def type_read(
    request: HttpRequest, viewer: Membership, kind: str, resource_id: str
) -> HttpResponse:
    if kind not in TYPES or kind == "Patient":
        raise FhirError(404, "not-supported", f"{kind} is not served here")
    found = _shared_by_resource_id(viewer, kind, resource_id)
    if found is None:
        _refuse_resource(viewer, f"fhir {kind} read", resource_id)
        raise Http404
    match = next(
        (
            r
            for r in mapping.everything(
                found.patient, found.version, found.consent, found.lpas, found.key_contacts
            )
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
