"""FHIR search: which parameters each type supports, how a token matches, and what a search
actually applied.

A client cannot tell "no Not-for-CPR flag" from "the filter was not applied" unless the
server says which parameters it used. So a parameter this server does not support is
refused (400, naming it) unless the client sends `Prefer: handling=lenient`; then it is
left out of the `self` link and named in an OperationOutcome entry of the Bundle (search
mode `outcome`). Supported on every type but Patient: `patient` (or `subject`), `_id`,
`code`, `status`, `category`; on Patient: `identifier`, `_id`; everywhere `_count` (capped
at MAX_COUNT; 0 gives the total only), `_offset`, `_total`; on `$everything`: `_type`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

Resource = dict[str, Any]

DEFAULT_COUNT = 50
MAX_COUNT = 100
# Read by the API's decorator (_format) or answered by every search: the total is always
# an exact count, whatever `_total` asks (fhirpy's count() sends `_totalMethod=count`).
ALWAYS = frozenset({"_count", "_offset", "_format", "_total", "_totalMethod"})
# In the order the CapabilityStatement lists them.
PATIENT_PARAMETERS = ("identifier", "_id")
TYPE_PARAMETERS = ("patient", "subject", "_id", "code", "status", "category")
EVERYTHING_PARAMETERS = ("_type",)
PARAMETER_TYPES = {
    "identifier": "token",
    "_id": "token",
    "patient": "reference",
    "subject": "reference",
    "code": "token",
    "status": "token",
    "category": "token",
}


class SearchError(Exception):
    """A search this server will not answer: 400 with an OperationOutcome."""

    def __init__(self, code: str, diagnostics: str, expression: str) -> None:
        super().__init__(diagnostics)
        self.code, self.diagnostics, self.expression = code, diagnostics, expression


@dataclass(frozen=True)
class Token:
    """A token search value: `system|code`, `code` (any system), `|code` (no system) or
    `system|` (any code of the system)."""

    system: str | None
    code: str | None

    @classmethod
    def parse(cls, text: str) -> Token:
        if "|" not in text:
            return cls(None, text)
        system, _, code = text.partition("|")
        return cls(system, code or None)

    def matches(self, system: str | None, code: str) -> bool:
        if self.code is not None and self.code != code:
            return False
        if self.system is None:
            return True
        return (system or "") == self.system


def _codings(*concepts: Any) -> list[tuple[str | None, str]]:
    """(system, code) of every coding of CodeableConcepts, single or in lists."""
    found = []
    for item in concepts:
        for concept in item if isinstance(item, list) else [item]:
            if isinstance(concept, dict):
                found += [(c.get("system"), c.get("code", "")) for c in concept.get("coding", [])]
    return found


def _code(value: Any) -> list[tuple[str | None, str]]:
    return [(None, value)] if isinstance(value, str) else []


# What `code`, `status` and `category` read of each type: the element FHIR's own search
# parameter of that name reads. A type without the element matches no value.
ElementReader = Callable[[Resource], list[tuple[str | None, str]]]
CODE: dict[str, ElementReader] = {
    "Flag": lambda r: _codings(r.get("code")),
    "Condition": lambda r: _codings(r.get("code")),
    "ClinicalImpression": lambda r: _codings(r.get("code")),
    "MedicationStatement": lambda r: _codings(r.get("medicationCodeableConcept")),
    "RelatedPerson": lambda r: _codings(r.get("relationship")),
}
STATUS: dict[str, ElementReader] = {
    "CarePlan": lambda r: _code(r.get("status")),
    "Flag": lambda r: _code(r.get("status")),
    "Consent": lambda r: _code(r.get("status")),
    "MedicationStatement": lambda r: _code(r.get("status")),
    "QuestionnaireResponse": lambda r: _code(r.get("status")),
    "ClinicalImpression": lambda r: _code(r.get("status")),
    "Condition": lambda r: _codings(r.get("clinicalStatus")),
    "RelatedPerson": lambda r: _code("active" if r.get("active") else "inactive"),
}
CATEGORY: dict[str, ElementReader] = {
    "CarePlan": lambda r: _codings(r.get("category")),
    "Flag": lambda r: _codings(r.get("category")),
    "Condition": lambda r: _codings(r.get("category")),
    "Consent": lambda r: _codings(r.get("category")),
    "MedicationStatement": lambda r: _codings(r.get("category")),
}
TOKENS = {"code": CODE, "status": STATUS, "category": CATEGORY}


@dataclass(frozen=True)
class Search:
    """A parsed search: the filters applied, in the order asked, and what was not."""

    kind: str
    count: int
    offset: int
    applied: list[tuple[str, str]] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)
    patient: str | None = None
    ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    tokens: list[tuple[str, list[Token]]] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.applied if n == name), None)

    def matches(self, resource: Resource) -> bool:
        if resource["resourceType"] != self.kind and self.kind != "everything":
            return False
        if self.ids is not None and resource["id"] not in self.ids:
            return False
        if self.types is not None and resource["resourceType"] not in self.types:
            return False
        for name, wanted in self.tokens:
            reader = TOKENS[name].get(resource["resourceType"])
            codings = reader(resource) if reader else []
            # Values separated by commas are alternatives; a repeated parameter must hold too.
            if not any(token.matches(s, c) for token in wanted for s, c in codings):
                return False
        return True

    def select(self, resources: Iterable[Resource]) -> list[Resource]:
        return [r for r in resources if self.matches(r)]


def lenient(prefer: str) -> bool:
    """`Prefer: handling=lenient`, among any other preferences."""
    parts = (p.strip().replace(" ", "").lower() for p in prefer.replace(";", ",").split(","))
    return "handling=lenient" in parts


def _paging(params: QueryDict) -> tuple[int, int]:
    try:
        count = int(params.get("_count", DEFAULT_COUNT))
        offset = int(params.get("_offset", 0))
    except ValueError:
        raise SearchError("invalid", "_count and _offset are whole numbers", "_count") from None
    if count < 0 or offset < 0:
        raise SearchError("invalid", "_count and _offset cannot be negative", "_count")
    return min(count, MAX_COUNT), offset


def _reference(value: str) -> str:
    return value.removeprefix("Patient/")


def parse(kind: str, params: QueryDict, *, prefer: str = "") -> Search:
    """The search `params` ask of `kind` ("everything" for Patient/$everything). Raises
    SearchError naming the first unsupported parameter, unless handling is lenient."""
    supported = frozenset(
        {
            "Patient": PATIENT_PARAMETERS,
            "everything": EVERYTHING_PARAMETERS,
        }.get(kind, TYPE_PARAMETERS)
    )
    unknown = sorted(name for name in params if name not in supported | ALWAYS)
    if unknown and not lenient(prefer):
        raise SearchError(
            "not-supported",
            f"Search parameter not supported here: {unknown[0]}. Supported: "
            f"{', '.join(sorted(supported))}. Send Prefer: handling=lenient to have "
            "unsupported parameters left out (the self link lists what was applied).",
            unknown[0],
        )
    count, offset = _paging(params)
    applied: list[tuple[str, str]] = []
    patient = None
    ids = None
    types = None
    tokens: list[tuple[str, list[Token]]] = []
    for name in params:
        if name not in supported:
            continue
        for value in params.getlist(name):
            if not value:
                raise SearchError("invalid", f"{name} is empty: give a value", name)
            applied.append((name, value))
            if name in ("patient", "subject"):
                reference = _reference(value)
                if patient is not None and patient != reference:
                    raise SearchError(
                        "invalid", "patient and subject name different patients", name
                    )
                patient = reference
            elif name == "_id":
                asked = frozenset(v.strip() for v in value.split(","))
                ids = asked if ids is None else ids & asked
            elif name == "_type":
                asked = frozenset(v.strip() for v in value.split(","))
                types = asked if types is None else types & asked
            elif name in TOKENS:
                tokens.append((name, [Token.parse(v.strip()) for v in value.split(",")]))
    return Search(
        kind=kind,
        count=count,
        offset=offset,
        applied=applied,
        not_applied=unknown,
        patient=patient,
        ids=ids,
        types=types,
        tokens=tokens,
    )
