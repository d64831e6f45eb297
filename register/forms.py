"""The register's forms. Services validate again and decide."""

from __future__ import annotations

from django import forms

from frontend.forms import NhsDateField, NhsForm
from register.models import ROUTES_TO_CHOOSE, RemovalReason
from register.terminology import (
    GSF_STAGE,
    PHASE_PLAIN,
    SPICT_CLINICAL,
    SPICT_GENERAL,
    SURPRISE_QUESTION,
)


def _note(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "The note must be %(limit_value)d characters or fewer: it has "
            "%(show_value)d. Nothing was saved: shorten it and save again."
        },
    )


def _radios(label: str, choices: list[tuple[str, str]], required: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required, "invalid_choice": required},
    )


class AddForm(NhsForm):
    added_on = NhsDateField(
        label="Date added to the register",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date they were added"},
    )
    route = _radios(
        "How was the person identified?", ROUTES_TO_CHOOSE, "Choose how the person was identified"
    )
    stage = forms.ChoiceField(
        label="Gold Standards Framework prognostic stage",
        choices=[("", "Not assessed yet"), *GSF_STAGE.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the stages listed"},
    )
    note = _note("Note", "For example, agreed at the practice meeting")


class RemoveForm(NhsForm):
    removed_on = NhsDateField(
        label="Date removed from the register",
        error_messages={"required": "Enter the date they were removed"},
    )
    removal_reason = _radios(
        "Why is the person being removed?",
        RemovalReason.choices,
        "Choose why the person is being removed",
    )
    removal_note = _note("Note")


class SurpriseQuestionForm(NhsForm):
    would_be_surprised = _radios(
        SURPRISE_QUESTION,
        [("yes", "Yes, I would be surprised"), ("no", "No, I would not be surprised")],
        "Choose yes or no",
    )
    recorded_on = NhsDateField(
        label="Date asked", error_messages={"required": "Enter the date it was asked"}
    )

    def answer(self) -> bool:
        return self.cleaned_data["would_be_surprised"] == "yes"


class SpictForm(NhsForm):
    recorded_on = NhsDateField(
        label="Date of the assessment",
        error_messages={"required": "Enter the date of the assessment"},
    )
    general = forms.MultipleChoiceField(
        label="General indicators of deteriorating health",
        help_text="Tick any that apply",
        choices=list(SPICT_GENERAL.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _note("Note")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for group, (title, items) in SPICT_CLINICAL.items():
            self.fields[f"clinical_{group}"] = forms.MultipleChoiceField(
                label=title,
                choices=[(f"{group}.{key}", text) for key, text in items.items()],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        self.order_fields(["recorded_on", "general", *self.clinical_fields(), "note"])

    @staticmethod
    def clinical_fields() -> list[str]:
        return [f"clinical_{group}" for group in SPICT_CLINICAL]

    def clinical(self) -> list[str]:
        return [item for name in self.clinical_fields() for item in self.cleaned_data.get(name, [])]


class PhaseForm(NhsForm):
    phase = _radios(
        "Phase of illness", [(k.value, v) for k, v in PHASE_PLAIN.items()], "Choose the phase"
    )
    recorded_on = NhsDateField(
        label="Date of the assessment",
        error_messages={"required": "Enter the date of the assessment"},
    )
