from __future__ import annotations

from typing import Any, cast

from django import forms

from careplans.deaths import DeathDetails
from careplans.models import ChangeRequestStatus
from careplans.safety import Problem
from careplans.terminology import ACTUAL_PLACE_OF_DEATH
from consent.models import BasisKind
from frontend.forms import NhsDateField, NhsForm


class PublishForm(NhsForm):
    kind = forms.ChoiceField(
        label="On what basis was this change agreed?",
        choices=BasisKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the consent basis for this change"},
    )
    with_whom = forms.CharField(
        label="With whom was it discussed and agreed?",
        max_length=200,
        help_text="Their name, and role or relationship",
        error_messages={"required": "Say with whom the change was discussed and agreed"},
    )
    discussed_on = NhsDateField(
        label="When was it discussed?",
        error_messages={"required": "Enter the date of the discussion"},
    )
    approving = forms.CharField(widget=forms.HiddenInput, max_length=64)
    acknowledged = forms.MultipleChoiceField(
        label="I have considered these warnings",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, warnings: list[Problem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if warnings:
            field = cast(forms.MultipleChoiceField, self.fields["acknowledged"])
            field.choices = [(w.rule, w.message) for w in warnings]
        else:
            del self.fields["acknowledged"]


class ChangeRequestAnswerForm(NhsForm):
    status = forms.ChoiceField(
        label="What happens to this request?",
        choices=[
            (ChangeRequestStatus.IN_PROGRESS.value, "In progress: we are working on it"),
            (
                ChangeRequestStatus.DONE.value,
                "Done: the plan is changed (or the change is approved)",
            ),
            (ChangeRequestStatus.DECLINED.value, "Declined: the change will not be made"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens to this request"},
    )
    response = forms.CharField(
        label="Your reply to the person",
        help_text="They see this with the request. Needed when you decline: say why.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


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
