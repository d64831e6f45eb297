from __future__ import annotations

from typing import Any, cast

from django import forms

from careplans.models import ChangeRequestStatus
from careplans.safety import Problem
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
