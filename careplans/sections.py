"""The plan's sections (DESIGN §5): for each, its form (field names after the PRSB standard,
coded answers validated against their value sets), who may edit it, and which items the
standard or the core content (ISB 1580) makes mandatory, for the completeness shown on the
overview. Section data is stored as the form cleaned it: codes, text, ISO dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django import forms

from careplans import terminology as t
from frontend.forms import NhsDateField, NhsDateWidget, NhsForm
from organisations.permissions import Capability
from patients.dates import date_problem
from patients.identifiers import validate_phone


def text_field(
    label: str, help_text: str = "", *, lines: int = 3, required: bool = False
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": lines}),
        error_messages={
            "max_length": f"{label} must be %(limit_value)d characters or fewer: it has "
            "%(show_value)d. Nothing was cut off: shorten it and save again."
        },
    )


def _coded(
    value_set: t.ValueSet,
    label: str,
    help_text: str = "",
    *,
    required: bool = False,
    required_message: str = "",
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=required,
        choices=value_set.choices if required else [("", "Not recorded"), *value_set.choices],
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose one of the options listed",
            "required": required_message or f"Choose {label[0].lower()}{label[1:]}",
        },
    )


def content_fingerprint(content: Any) -> str:
    """A short, stable digest of stored content, to tell whether it changed meanwhile."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class SectionForm(NhsForm):
    # The fingerprint of the section as it was when the form was shown: a save on top of
    # someone else's newer save is refused rather than silently overwriting it.
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Dates that say when something happened (never after today); every date of the plan
    # is checked by the one set of date rules (patients/dates.py).
    past_dates: frozenset[str] = frozenset()
    # The person's date of birth, set by the service that saves the form.
    born: dt.date | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, NhsDateField) and isinstance(value, dt.date):
                problem = date_problem(
                    value,
                    what=f"The {str(field.label)[0].lower()}{str(field.label)[1:]}",
                    in_the_past=name in self.past_dates,
                    born=self.born,
                )
                if problem:
                    self.add_error(name, problem)
        return data

    def cleaned_for_storage(self) -> dict[str, Any]:
        """What is stored: blanks dropped, dates as ISO text, lists as lists."""
        stored: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], False) or name == "based_on":
                continue
            stored[name] = value.isoformat() if isinstance(value, dt.date) else value
        return stored


class AboutMeForm(SectionForm):
    what_is_most_important_to_me = text_field("What is most important to me")
    people_who_are_important_to_me = text_field("People who are important to me")
    how_i_communicate_and_how_to_communicate_with_me = text_field(
        "How I communicate and how to communicate with me"
    )
    please_do_and_please_dont = text_field("Please do and please don't")
    also_worth_knowing_about_me = text_field("Also worth knowing about me")


class PreferencesForm(SectionForm):
    preferred_place_of_care = forms.ChoiceField(
        label="Preferred place of care",
        choices=[("", "Not recorded"), *t.PREFERRED_PLACE_OF_CARE.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    preferred_place_of_care_second = forms.ChoiceField(
        label="Second choice of place of care",
        choices=[("", "None")]
        + [c for c in t.PREFERRED_PLACE_OF_CARE.choices if c[0] not in t.PPC_NOT_A_PLACE],
        required=False,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    preferred_place_of_care_detail = text_field(
        "About the preferred place of care",
        "Say where, if somewhere else; or why there is no preference recorded",
        lines=2,
    )
    preferred_place_of_death = forms.ChoiceField(
        label="Preferred place of death",
        choices=[("", "Not recorded"), *t.PREFERRED_PLACE_OF_DEATH.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    preferred_place_of_death_second = forms.ChoiceField(
        label="Second choice of place of death",
        choices=[("", "None")]
        + [c for c in t.PREFERRED_PLACE_OF_DEATH.choices if c[0] not in t.PPD_NOT_A_PLACE],
        required=False,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    preferred_place_of_death_detail = text_field(
        "About the preferred place of death",
        "The name of the place; or why no preference could be recorded",
        lines=2,
    )
    respect_preference = _coded(
        t.RESPECT_PREFERENCE,
        "What matters more to the person (ReSPECT)",
        "Where their priorities lie between sustaining life and comfort",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix, needs_reason, not_a_place, name in (
            ("preferred_place_of_care", t.PPC_NEEDS_REASON, t.PPC_NOT_A_PLACE, "place of care"),
            ("preferred_place_of_death", t.PPD_NEEDS_REASON, t.PPD_NOT_A_PLACE, "place of death"),
        ):
            first = data.get(prefix)
            second = data.get(f"{prefix}_second")
            if first in needs_reason and not data.get(f"{prefix}_detail"):
                self.add_error(f"{prefix}_detail", f"Say why no preferred {name} was recorded")
            if second and (not first or first in not_a_place):
                self.add_error(
                    f"{prefix}_second", f"Record a first choice of {name} before a second"
                )
            elif second and second == first:
                self.add_error(f"{prefix}_second", "The second choice must differ from the first")
        if data.get("preferred_place_of_care") == "local:ppc-other" and not data.get(
            "preferred_place_of_care_detail"
        ):
            self.add_error(
                "preferred_place_of_care_detail", "Say where the person would like to be cared for"
            )
        return data


class ClinicalForm(SectionForm):
    primary_palliative_care_diagnosis = forms.CharField(
        label="Primary palliative care diagnosis",
        max_length=500,
        required=False,
        help_text="For example, metastatic carcinoma of the pancreas",
    )
    other_conditions = text_field("Other conditions", "One per line", lines=3)
    estimated_prognosis = _coded(t.PROGNOSIS, "Estimated prognosis")
    gsf_prognostic_indicator_stage = _coded(t.GSF_STAGE, "Gold Standards Framework stage")
    awareness_of_diagnosis = _coded(t.AWARENESS, "Is the person aware of their diagnosis?")
    awareness_of_prognosis = _coded(t.AWARENESS, "Is the person aware of their prognosis?")
    family_awareness_of_diagnosis = _coded(t.AWARENESS, "Is their family aware of the diagnosis?")
    family_awareness_of_prognosis = _coded(t.AWARENESS, "Is their family aware of the prognosis?")
    allergy_status = _coded(
        t.ALLERGY_STATUS,
        "Allergies",
        "A crew giving a medicine needs to know whether the person was asked",
    )
    allergies_and_adverse_reactions = text_field(
        "Allergies and adverse reactions",
        "What causes a reaction and what happens",
        lines=2,
    )
    allergy_status_reason = text_field(
        "Why nobody has asked yet",
        "Needed when nobody has asked yet. For example, too unwell to ask; family not reached",
        lines=2,
    )
    functional_status = forms.ChoiceField(
        label="Functional status (Australia-modified Karnofsky Performance Status)",
        choices=[("", "Not recorded"), *t.AKPS.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("allergy_status")
        listed = data.get("allergies_and_adverse_reactions")
        if status == t.ALLERGIES_LISTED and not listed:
            self.add_error("allergies_and_adverse_reactions", "List the allergies and reactions")
        elif status == t.NO_KNOWN_ALLERGY and listed:
            self.add_error(
                "allergies_and_adverse_reactions",
                "Remove the allergies listed, or choose that the person has allergies",
            )
        elif status == t.ALLERGIES_NOT_ASKED and not data.get("allergy_status_reason"):
            self.add_error("allergy_status_reason", "Say why nobody has asked about allergies yet")
        elif not status and listed:
            self.add_error("allergy_status", "Choose whether the person has allergies")
        if status != t.ALLERGIES_NOT_ASKED and data.get("allergy_status_reason"):
            data["allergy_status_reason"] = ""
        return data


class CprDecisionForm(SectionForm):
    cpr_decision = _coded(
        t.CPR_DECISION_OR_STATUS,
        "Cardiopulmonary resuscitation (CPR) decision",
        "If there is no decision yet, say why: a crew must never read 'no decision' as "
        "'nobody asked'",
        required=True,
        required_message="Choose the CPR decision",
    )
    reason_no_cpr_decision = text_field(
        "Why there is no decision yet",
        "Needed when there is no decision yet. For example, waiting for the family meeting on "
        "Friday; too unwell to discuss it today",
        lines=2,
    )
    date_of_decision = NhsDateField(label="Date of decision", required=False)
    involvement_in_cpr_decision = forms.MultipleChoiceField(
        label="Who was involved in the decision",
        choices=t.CPR_DISCUSSION.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people_involved = forms.CharField(
        label="Names of the people involved", max_length=500, required=False
    )
    mental_capacity = _coded(t.CAPACITY, "The person's capacity for this decision")
    location_of_document = forms.CharField(
        label="Where the signed form is kept",
        max_length=300,
        required=False,
        help_text="For example, the red folder in the kitchen drawer",
    )
    date_for_review = NhsDateField(label="Date for review", required=False)

    past_dates = frozenset({"date_of_decision"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cpr_decision") in t.CPR_DECISION:
            if not data.get("date_of_decision") and "date_of_decision" not in self.errors:
                self.add_error("date_of_decision", "Enter the date of the decision")
            if not data.get("mental_capacity") and "mental_capacity" not in self.errors:
                self.add_error("mental_capacity", "Choose the person's capacity for this decision")
            data["reason_no_cpr_decision"] = ""
        elif data.get("cpr_decision") in t.CPR_NO_DECISION and not data.get(
            "reason_no_cpr_decision"
        ):
            self.add_error("reason_no_cpr_decision", "Say why there is no CPR decision yet")
        decided = data.get("date_of_decision")
        review = data.get("date_for_review")
        if decided and review and review < decided:
            self.add_error("date_for_review", "The review date must be after the decision")
        return data


class TreatmentEscalationForm(SectionForm):
    ceiling_of_treatment = _coded(t.CEILING_OF_TREATMENT, "Ceiling of treatment")
    respect_cpr_recommendation = forms.ChoiceField(
        label="CPR recommendation on the ReSPECT form",
        choices=[
            ("", "No ReSPECT form"),
            ("recommended", "CPR attempts recommended"),
            ("not_recommended", "CPR attempts not recommended"),
        ],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    trigger_factors = text_field("What would show the person is deteriorating", lines=2)
    what_should_happen = text_field("What should happen if they deteriorate", lines=3)
    who_should_be_contacted = text_field("Who to call, with their phone number", lines=2)


class MedicationsForm(SectionForm):
    current_medication = text_field("Current medication", "Name, dose and how often", lines=4)
    anticipatory_medicines = forms.MultipleChoiceField(
        label="Anticipatory (just in case) medicines",
        choices=t.ANTICIPATORY_MEDICINES.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    anticipatory_medicines_statement = text_field("Which anticipatory medicines", lines=2)
    anticipatory_medicines_location = forms.CharField(
        label="Where the anticipatory medicines are kept", max_length=300, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("anticipatory_medicines") and not data.get("anticipatory_medicines_statement"):
            self.add_error("anticipatory_medicines_statement", "Say which anticipatory medicines")
        if "376201000000102" in (data.get("anticipatory_medicines") or []) and not data.get(
            "anticipatory_medicines_location"
        ):
            self.add_error(
                "anticipatory_medicines_location", "Say where the issued medicines are kept"
            )
        return data


class LegalForm(SectionForm):
    """The advance decision and statement. A lasting power of attorney is not typed here:
    it is the LPA record (consent.LastingPowerOfAttorney), which the plan, the summary, the
    PDFs, FHIR and online access all read."""

    advance_decision_to_refuse_treatment = _coded(
        t.ADRT, "Advance decision to refuse treatment (ADRT)"
    )
    adrt_location_of_document = forms.CharField(
        label="Where the ADRT is", max_length=300, required=False
    )
    advance_statement = text_field("Advance statement of wishes", lines=3)
    mental_capacity_assessment = text_field("Mental capacity assessment", lines=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        adrt = data.get("advance_decision_to_refuse_treatment")
        if adrt and adrt != "local:adrt-none" and not data.get("adrt_location_of_document"):
            self.add_error("adrt_location_of_document", "Say where the ADRT is kept")
        return data


# Before the LPA record was the one source, the legal section held the LPA as typed text.
# Plans and versions that have it keep showing it, read-only, under these labels.
LEGACY_LPA_ITEMS = {
    "lasting_power_of_attorney_health_and_welfare": (
        "Has a lasting power of attorney for health and welfare (typed in the plan)"
    ),
    "name_of_lpa": "Name of the attorney (typed in the plan)",
    "lpa_contact_details": "Attorney's phone number (typed in the plan)",
    "lpa_location_of_document": "Where the LPA document is (typed in the plan)",
}


# Before the practice's register was kept here (register app), the plan had a tick box.
# Plans and versions that have it keep showing it, read-only; the register is the truth.
LEGACY_CLINICAL_ITEMS = {
    "on_palliative_care_register": (
        "On the palliative care register (ticked in the plan, before the register was kept here)"
    ),
}


def legacy_rows(items: dict[str, str], data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (label, "Yes" if data[name] is True else str(data[name]))
        for name, label in items.items()
        if data.get(name) not in (None, "", False)
    ]


def legacy_lpa_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    return legacy_rows(LEGACY_LPA_ITEMS, data)


MAX_CONTACTS = 8


class KeyContactsForm(SectionForm):
    """Up to eight contacts, personal (family, carers) and professional, each a name, their
    relationship or role, and a phone number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(MAX_CONTACTS):
            self.fields[f"contact_{index}_name"] = forms.CharField(
                label="Name", max_length=200, required=False
            )
            self.fields[f"contact_{index}_relationship"] = forms.CharField(
                label="Relationship or role",
                max_length=200,
                required=False,
                help_text="For example, daughter and main carer; or district nurse",
            )
            self.fields[f"contact_{index}_phone"] = forms.CharField(
                label="Phone number",
                max_length=30,
                required=False,
                validators=[validate_phone],
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(MAX_CONTACTS):
            name = data.get(f"contact_{index}_name")
            other = data.get(f"contact_{index}_relationship") or data.get(f"contact_{index}_phone")
            if other and not name:
                self.add_error(f"contact_{index}_name", f"Enter the name of contact {index + 1}")
        return data

    def cleaned_for_storage(self) -> dict[str, Any]:
        contacts = []
        for index in range(MAX_CONTACTS):
            name = self.cleaned_data.get(f"contact_{index}_name")
            if name:
                contacts.append(
                    {
                        "name": name,
                        "relationship": self.cleaned_data.get(f"contact_{index}_relationship", ""),
                        "phone": self.cleaned_data.get(f"contact_{index}_phone", ""),
                    }
                )
        return {"contacts": contacts} if contacts else {}

    def contact_groups(self) -> list[tuple[int, list[forms.BoundField]]]:
        """Fieldsets for the page: every recorded contact and two empty ones."""
        filled = [
            i
            for i in range(MAX_CONTACTS)
            if self[f"contact_{i}_name"].value()
            or self[f"contact_{i}_phone"].value()
            or self[f"contact_{i}_name"].errors
            or self[f"contact_{i}_phone"].errors
        ]
        shown = min(MAX_CONTACTS, max(filled, default=-1) + 3)
        return [
            (i + 1, [self[f"contact_{i}_{part}"] for part in ("name", "relationship", "phone")])
            for i in range(shown)
        ]

    @staticmethod
    def initial_from(data: dict[str, Any]) -> dict[str, Any]:
        initial = {}
        for index, contact in enumerate(data.get("contacts", [])[:MAX_CONTACTS]):
            for part in ("name", "relationship", "phone"):
                initial[f"contact_{index}_{part}"] = contact.get(part, "")
        return initial


class HomeAccessForm(SectionForm):
    # PRSB "Social context": whether anyone is at home to open the door or to help.
    living_arrangement = _coded(t.LIVING_ARRANGEMENT, "Does the person live alone?")
    household = forms.CharField(
        label="Who lives with them",
        max_length=150,
        required=False,
        help_text="For example, husband, who is frail; daughter stays at night",
    )
    key_safe = forms.BooleanField(label="There is a key safe", required=False)
    key_safe_code = forms.CharField(
        label="Key safe code",
        max_length=20,
        required=False,
        help_text="Shown only to urgent care. Leave blank to keep the code already recorded.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    access_instructions = text_field(
        "How to get in", "For example, side gate; dog in the kitchen", lines=2
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("living_arrangement") == t.LIVES_ALONE and data.get("household"):
            self.add_error(
                "household",
                "Remove who lives with them, or choose that the person lives with others",
            )
        return data


class EquipmentForm(SectionForm):
    equipment = text_field(
        "Equipment in the home", "For example, hospital bed, hoist, oxygen", lines=3
    )
    other_documents = text_field("Other documents and where they are", lines=2)


class ReviewForm(SectionForm):
    planned_review_date = NhsDateField(label="Planned review date", required=False)
    responsible_for_review = forms.CharField(
        label="Who is responsible for the review",
        max_length=200,
        required=False,
        help_text="Name and role, for example Dr A Okafor, GP",
    )
    responsible_contact_details = forms.CharField(
        label="Their phone number", max_length=30, required=False, validators=[validate_phone]
    )


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    form: type[SectionForm]
    capability: Capability
    mandatory: tuple[str, ...]


CLINICAL = Capability.EDIT_CLINICAL_SECTIONS
NON_CLINICAL = Capability.EDIT_NON_CLINICAL_SECTIONS

SECTIONS: tuple[Section, ...] = (
    Section("about_me", "About me", AboutMeForm, NON_CLINICAL, ("what_is_most_important_to_me",)),
    Section(
        "preferences",
        "Preferences",
        PreferencesForm,
        CLINICAL,
        ("preferred_place_of_care", "preferred_place_of_death"),
    ),
    Section(
        "clinical",
        "Diagnosis and prognosis",
        ClinicalForm,
        CLINICAL,
        ("primary_palliative_care_diagnosis", "estimated_prognosis", "allergy_status"),
    ),
    Section(
        "cpr_decision",
        "CPR decision",
        CprDecisionForm,
        Capability.RECORD_CPR_DECISION,
        ("cpr_decision", "date_of_decision", "mental_capacity"),
    ),
    Section(
        "treatment_escalation",
        "If they become more unwell",
        TreatmentEscalationForm,
        CLINICAL,
        ("ceiling_of_treatment", "what_should_happen"),
    ),
    Section(
        "medications", "Medicines", MedicationsForm, CLINICAL, ("anticipatory_medicines_statement",)
    ),
    Section("legal", "Legal: LPA, ADRT, advance statement", LegalForm, CLINICAL, ()),
    Section("key_contacts", "Key contacts", KeyContactsForm, NON_CLINICAL, ("contacts",)),
    Section("home_access", "Home: who lives there, and getting in", HomeAccessForm, CLINICAL, ()),
    Section("equipment", "Equipment and documents", EquipmentForm, NON_CLINICAL, ()),
    Section(
        "review", "Review", ReviewForm, CLINICAL, ("planned_review_date", "responsible_for_review")
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


def display_value(field: forms.Field, value: Any) -> str:
    """A stored value in plain English: a coded answer by its plain term, a date in words."""
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return "; ".join(str(choices.get(v, v)) for v in value)
    if choices:
        return str(choices.get(value, value))
    if isinstance(field, NhsDateField) and value:
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")
    return str(value)


HIDDEN_FROM_PLAN = {"key_safe_code": "Recorded: shown to urgent care only"}


def without_key_safe_code(sections: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Sections as every output but the emergency summary gives them (pages, PDFs, REST,
    FHIR, anything sent to another system): the key safe code is for urgent care reading
    the summary only (careplans.summary.key_safe_code_on_screen), so it is replaced by
    words saying it is recorded."""
    access = sections.get("home_access")
    if not access or "key_safe_code" not in access:
        return sections
    return {
        **sections,
        "home_access": {**access, "key_safe_code": HIDDEN_FROM_PLAN["key_safe_code"]},
    }


def describe(section: Section, data: dict[str, Any]) -> list[tuple[str, str]]:
    """Each recorded item as (label, plain English), in the form's order. Codes are never
    shown bare."""
    if section.key == "key_contacts":
        return [
            (
                contact["name"],
                ", ".join(p for p in (contact.get("relationship"), contact.get("phone")) if p),
            )
            for contact in data.get("contacts", [])
        ]
    form = section.form()
    rows = []
    for name, field in form.fields.items():
        if name not in data:
            continue
        value = HIDDEN_FROM_PLAN.get(name) or display_value(field, data[name])
        rows.append((str(field.label), value))
    if section.key == "legal":
        rows = legacy_lpa_rows(data) + rows
    if section.key == "clinical":
        rows += legacy_rows(LEGACY_CLINICAL_ITEMS, data)
    if section.key == "cpr_decision" and data.get("recorded_by"):
        # Recorded by the service from the acting senior clinician, not typed in the form.
        decided_by = ", ".join(p for p in (data["recorded_by"], data.get("recorded_by_role")) if p)
        rows.insert(2, ("Decided by", decided_by))
    return rows


def form_initial(section_key: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a form for this section starts from: what is recorded (never the key safe code,
    which is write-only) and the fingerprint of it that a save is based on."""
    if section_key == "key_contacts":
        initial = KeyContactsForm.initial_from(data)
    else:
        initial = {k: v for k, v in data.items() if k != "key_safe_code"}
    return {**initial, "based_on": content_fingerprint(data)}


def describe_all(sections: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every section of a plan (a published snapshot's sections) in plain English."""
    return [{"section": s, "rows": describe(s, sections.get(s.key, {}))} for s in SECTIONS]


def completeness(section: Section, data: dict[str, Any]) -> tuple[int, int]:
    """(mandatory items recorded, mandatory items) for the overview."""
    return sum(1 for item in section.mandatory if data.get(item)), len(section.mandatory)


def mandatory_missing(sections: dict[str, dict[str, Any]]) -> str:
    """The mandatory items of the core content left empty, as "|section.item|..." ("" when
    none is): kept on each published version so that reports count coverage without
    reading every snapshot."""
    missing = [
        f"{section.key}.{name}"
        for section in SECTIONS
        for name in section.mandatory
        if sections.get(section.key, {}).get(name) in (None, "", [])
    ]
    return f"|{'|'.join(missing)}|" if missing else ""


def missing_labels(missing: str | None) -> list[str]:
    """A published version's `mandatory_missing` ("|section.item|...") in words."""
    labels = []
    for key in (missing or "").strip("|").split("|"):
        if "." not in key:
            continue
        section_key, item = key.split(".", 1)
        section = SECTION_BY_KEY.get(section_key)
        field = section.form.base_fields.get(item) if section else None
        labels.append(str(field.label) if field is not None else item.replace("_", " "))
    return labels


# Items the service records itself (who made the CPR decision): read back, never taken.
SERVER_ITEMS = frozenset({"recorded_by", "recorded_by_role", "recorded_by_senior_clinician"})


def unknown_items(section_key: str, stored: dict[str, Any]) -> dict[str, str]:
    """Items of a stored-shape input that the section does not have, each with why: a
    client must hear that an item was not saved, not find out later."""
    section = SECTION_BY_KEY[section_key]
    known = (
        {"contacts"}
        if section_key == "key_contacts"
        else set(section.form.base_fields) - {"based_on"}
    )
    return {
        name: (
            "A lasting power of attorney is recorded as an LPA record, not in the plan"
            if name in LEGACY_LPA_ITEMS
            else "The palliative care register is kept by the practice, not in the plan"
            if name in LEGACY_CLINICAL_ITEMS
            else f"Not an item of the {section.title} section"
        )
        for name in sorted(set(stored) - known - SERVER_ITEMS)
    }


def form_data_from_stored(section_key: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A section's form data from its stored shape (the API's input): contacts as their
    numbered fields, ISO dates as the date input's day, month and year boxes."""
    section = SECTION_BY_KEY[section_key]
    data = KeyContactsForm.initial_from(stored) if section_key == "key_contacts" else dict(stored)
    if "based_on" in stored:
        data["based_on"] = stored["based_on"]
    for name, field in section.form.base_fields.items():
        if isinstance(field, NhsDateField) and isinstance(data.get(name), str):
            value = data.pop(name)
            parts = NhsDateWidget().decompress(value)
            if parts[0] is None:  # not an ISO date: left in the year box for the form to refuse
                parts = ["", "", value]
            data.update({f"{name}_{index}": part for index, part in enumerate(parts)})
    return data
