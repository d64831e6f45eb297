"""The emergency summary: what an ambulance crew or a 111 call handler needs first, read
from one published version's snapshot (careplans/snapshot) and nothing else, so it always
shows exactly what a clinician approved. Page and PDF both render this."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from careplans import terminology as t
from careplans.models import PublishedVersion
from careplans.sections import (
    HIDDEN_FROM_PLAN,
    SECTION_BY_KEY,
    display_value,
    legacy_lpa_rows,
)
from consent.models import LastingPowerOfAttorney
from consent.selectors import active_lpas_of_plan
from organisations.models import Membership
from organisations.permissions import Capability, has_capability


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    phone: str = ""  # shown as a tel: link after the value

    @property
    def tel(self) -> str:
        """The link target: "07700 900 982" -> "tel:07700900982"."""
        return f"tel:{re.sub(r'[^0-9+]', '', self.phone)}" if self.phone else ""


@dataclass(frozen=True)
class Block:
    key: str
    heading: str
    rows: list[Row]


@dataclass(frozen=True)
class CprDecision:
    recorded: bool
    not_for_cpr: bool
    headline: str  # "Not for CPR", "For CPR", "No CPR decision recorded"
    explanation: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class EmergencySummary:
    version_number: int
    published_at: dt.datetime
    approved_by: str
    approved_by_organisation: str
    cpr: CprDecision
    blocks: list[Block]
    # What a crew must see on the first screen of a phone, beside the CPR decision.
    at_a_glance: list[Row]
    review_date: dt.date | None
    review_overdue: bool
    cpr_review_overdue: bool


# The order a crew reads in (the issue and DESIGN §5): after the CPR decision, where the
# person wants to be, what to do if they deteriorate, medicines, allergies, diagnosis, legal,
# who to call, how to get in, and how to talk with them.
_BLOCKS: tuple[tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "preferences",
        "Preferred place of care and of death",
        (
            (
                "preferences",
                (
                    "preferred_place_of_care",
                    "preferred_place_of_care_second",
                    "preferred_place_of_care_detail",
                    "preferred_place_of_death",
                    "preferred_place_of_death_second",
                    "preferred_place_of_death_detail",
                    "respect_preference",
                ),
            ),
        ),
    ),
    (
        "escalation",
        "If they become more unwell",
        (
            (
                "treatment_escalation",
                (
                    "ceiling_of_treatment",
                    "respect_cpr_recommendation",
                    "trigger_factors",
                    "what_should_happen",
                    "who_should_be_contacted",
                ),
            ),
        ),
    ),
    (
        "medicines",
        "Medicines",
        (
            (
                "medications",
                (
                    "anticipatory_medicines",
                    "anticipatory_medicines_statement",
                    "anticipatory_medicines_location",
                    "current_medication",
                ),
            ),
        ),
    ),
    ("allergies", "Allergies", ()),
    (
        "diagnosis",
        "Diagnosis and prognosis",
        (
            (
                "clinical",
                (
                    "primary_palliative_care_diagnosis",
                    "other_conditions",
                    "estimated_prognosis",
                    "awareness_of_diagnosis",
                    "awareness_of_prognosis",
                ),
            ),
        ),
    ),
    (
        "legal",
        "Lasting power of attorney and advance decisions",
        (("legal", ("advance_decision_to_refuse_treatment", "adrt_location_of_document")),),
    ),
    ("contacts", "Who to call", ()),
    (
        "access",
        "At home: who lives there, getting in, equipment",
        (
            (
                "home_access",
                (
                    "living_arrangement",
                    "household",
                    "key_safe",
                    "key_safe_code",
                    "access_instructions",
                ),
            ),
            ("equipment", ("equipment",)),
        ),
    ),
    (
        "about_me",
        "About the person",
        (
            (
                "about_me",
                (
                    "how_i_communicate_and_how_to_communicate_with_me",
                    "what_is_most_important_to_me",
                ),
            ),
        ),
    ),
)

_PHONE_FIELDS = frozenset({"lpa_contact_details", "responsible_contact_details"})
# Said in place of the key safe code where it is not shown (DESIGN §5: urgent care only).
KEY_SAFE_CODE_NOT_PRINTED = "Not printed: urgent care see it in the summary on screen"
KEY_SAFE_CODE_URGENT_CARE_ONLY = HIDDEN_FROM_PLAN["key_safe_code"]


def key_safe_code_on_screen(acting: Membership) -> str | None:
    """None to show the code; otherwise what to show instead (DESIGN §5)."""
    if has_capability(acting, Capability.VIEW_KEY_SAFE_CODE):
        return None
    return KEY_SAFE_CODE_URGENT_CARE_ONLY


def _row(section_key: str, name: str, data: dict[str, Any]) -> Row | None:
    if name not in data or data[name] in ("", None, []):
        return None
    form_field = SECTION_BY_KEY[section_key].form.base_fields[name]
    if name in _PHONE_FIELDS:
        return Row(str(form_field.label), "", data[name])
    return Row(str(form_field.label), display_value(form_field, data[name]))


def _contacts(sections: dict[str, dict[str, Any]]) -> list[Row]:
    rows = [
        Row(contact["name"], contact.get("relationship", ""), contact.get("phone", ""))
        for contact in sections.get("key_contacts", {}).get("contacts", [])
    ]
    review = sections.get("review", {})
    if review.get("responsible_for_review"):
        rows.append(
            Row(
                review["responsible_for_review"],
                "Responsible for this plan",
                review.get("responsible_contact_details", ""),
            )
        )
    return rows


def lpa_row(lpa: LastingPowerOfAttorney) -> Row:
    """One LPA from its record: who, what they may decide, whom to call, where it is."""
    parts = [
        f"{lpa.attorney_name} ({lpa.relationship}) may decide on {lpa.describe_scope()}",
        f"Registered {lpa.registered_on:%-d %B %Y}, reference {lpa.opg_reference}",
    ]
    if lpa.document_location:
        parts.append(f"The document is: {lpa.document_location}")
    return Row(
        "Lasting power of attorney for health and welfare", ". ".join(parts), lpa.attorney_phone
    )


def lpa_described(lpas: Iterable[LastingPowerOfAttorney]) -> list[tuple[str, str]]:
    """The LPA record's rows for the plan's pages and PDF: (label, plain English)."""
    return [
        (
            row.label + " (the LPA record)",
            f"{row.value}. Phone {row.phone}" if row.phone else row.value,
        )
        for row in map(lpa_row, lpas)
    ]


def _lpas(version: PublishedVersion, legal: dict[str, Any]) -> list[Row]:
    """The LPAs in force now, from the one LPA record (an LPA that ended must never be shown
    as in force); a version from before LPA records keeps what was typed in its plan."""
    lpas = active_lpas_of_plan(version.plan_id)
    if lpas:
        return [lpa_row(lpa) for lpa in lpas]
    return [Row(label, value) for label, value in legacy_lpa_rows(legal)]


ALLERGY_STATUS_IN_WORDS = {
    t.NO_KNOWN_ALLERGY: "No known allergies: the person was asked and has none",
    t.ALLERGIES_NOT_ASKED: "Not asked yet: nobody knows whether they have allergies",
}


def _allergies(data: dict[str, Any]) -> list[Row]:
    """Every allergy status in words, so that "none" is never mistaken for "not asked"."""
    status = data.get("allergy_status")
    listed = data.get("allergies_and_adverse_reactions", "")
    if status == t.ALLERGIES_LISTED or (listed and not status):
        return [Row("Allergies and adverse reactions", listed)]
    if status in ALLERGY_STATUS_IN_WORDS:
        rows = [Row("Allergy status", ALLERGY_STATUS_IN_WORDS[status])]
        if status == t.ALLERGIES_NOT_ASKED and data.get("allergy_status_reason"):
            rows.append(Row("Why not asked", data["allergy_status_reason"]))
        return rows
    return [Row("Allergy status", "Not recorded: it is not known whether they were asked")]


def _cpr(sections: dict[str, dict[str, Any]]) -> CprDecision:
    data = sections.get("cpr_decision", {})
    code = data.get("cpr_decision")
    rows = [
        row
        for name in ("date_of_decision", "mental_capacity", "location_of_document")
        if (row := _row("cpr_decision", name, data))
    ]
    if data.get("recorded_by"):
        decided_by = ", ".join(p for p in (data["recorded_by"], data.get("recorded_by_role")) if p)
        rows.insert(1, Row("Decided by", decided_by))
    review = _row("cpr_decision", "date_for_review", data)
    if review:
        rows.append(review)
    if code == t.NOT_FOR_CPR:
        return CprDecision(
            True, True, "Not for CPR", "Do not attempt cardiopulmonary resuscitation.", rows
        )
    if code == t.FOR_CPR:
        return CprDecision(True, False, "For CPR", "Attempt cardiopulmonary resuscitation.", rows)
    if isinstance(code, str) and code in t.CPR_NO_DECISION:
        why = [Row("Why there is no decision", data.get("reason_no_cpr_decision", ""))]
        recorded_by = [Row("Recorded by", r.value) for r in rows if r.label == "Decided by"]
        return CprDecision(
            False,
            False,
            "No CPR decision yet" if code == t.CPR_TO_DISCUSS else "No CPR decision",
            f"{t.CPR_NO_DECISION.plain(code)}. There is no decision not to attempt "
            "resuscitation: follow your usual clinical guidance.",
            why + recorded_by,
        )
    return CprDecision(
        False,
        False,
        "No CPR decision recorded",
        "This plan records no CPR decision, nor why there is none: follow your usual clinical "
        "guidance, and ask the person's care team.",
        rows,
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def build_summary(
    version: PublishedVersion, *, key_safe_code_withheld_as: str | None
) -> EmergencySummary:
    """The summary of one published version. `key_safe_code_withheld_as` is None to show
    the key safe code, or the words to show instead."""
    sections: dict[str, dict[str, Any]] = version.snapshot.get("sections", {})
    today = timezone.localdate()
    blocks = []
    for key, heading, parts in _BLOCKS:
        rows: list[Row] = []
        if key == "contacts":
            rows = _contacts(sections)
        elif key == "allergies":
            rows = _allergies(sections.get("clinical", {}))
        elif key == "legal":
            rows = _lpas(version, sections.get("legal", {}))
        for section_key, names in parts:
            data = sections.get(section_key, {})
            for name in names:
                row = _row(section_key, name, data)
                if row is None:
                    continue
                if name == "key_safe_code" and key_safe_code_withheld_as is not None:
                    row = Row(row.label, key_safe_code_withheld_as)
                rows.append(row)
        blocks.append(Block(key, heading, rows))
    review_date = _date(sections.get("review", {}).get("planned_review_date"))
    cpr_review = _date(sections.get("cpr_decision", {}).get("date_for_review"))
    allergies = _allergies(sections.get("clinical", {}))[0]
    escalation = sections.get("treatment_escalation", {})
    ceiling = _row("treatment_escalation", "ceiling_of_treatment", escalation)
    return EmergencySummary(
        version_number=version.number,
        published_at=version.published_at,
        approved_by=version.approved_by_name,
        approved_by_organisation=version.approved_by_organisation,
        cpr=_cpr(sections),
        blocks=blocks,
        at_a_glance=[
            Row("Allergies", allergies.value),
            Row("Ceiling of treatment", ceiling.value if ceiling else "Not recorded"),
        ],
        review_date=review_date,
        review_overdue=review_date is not None and review_date < today,
        cpr_review_overdue=cpr_review is not None and cpr_review < today,
    )
