"""The forms of the record of a death."""

from __future__ import annotations

from django import forms

from careplans.terminology import ACTUAL_PLACE_OF_DEATH
from deaths.services import DeathDetails
from frontend.forms import NhsDateField, NhsForm


class DeathForm(NhsForm):
    date_of_death = NhsDateField(
        label="Date of death",
        help_text="As on the death certificate, or as verified. For example, 27 3 2026",
        error_messages={"required": "Enter the date of death"},
    )
    place_of_death = forms.ChoiceField(
        label="Where did the person die?",
        choices=ACTUAL_PLACE_OF_DEATH.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where the person died",
            "invalid_choice": "Choose where the person died",
        },
    )
    place_name = forms.CharField(
        label="Name of the place (optional)",
        help_text="For example, the name of the hospice or hospital",
        required=False,
        max_length=200,
    )

    def details(self) -> DeathDetails:
        return DeathDetails(
            date_of_death=self.cleaned_data["date_of_death"],
            place_of_death=self.cleaned_data["place_of_death"],
            place_name=self.cleaned_data.get("place_name", ""),
        )


def _reason_field(label: str, help_text: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": required},
    )


class DeathCorrectionForm(DeathForm):
    reason = _reason_field(
        "Why is the record being corrected?",
        "For example, the date on the death certificate differs. It is kept with the record.",
        "Say why the record is being corrected",
    )


class DeathInErrorForm(NhsForm):
    reason = _reason_field(
        "Why was the death recorded in error?",
        "For example, recorded for the wrong person. The plan reopens; the mistaken record is "
        "kept, marked as made in error.",
        "Say why the death was recorded in error",
    )
