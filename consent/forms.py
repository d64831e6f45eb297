from __future__ import annotations

from django import forms

from consent.models import GivenBy
from frontend.forms import NhsDateField, NhsForm

LACKS_CAPACITY_LABEL = (
    "I confirm that they cannot make this decision themselves at the moment, and I am "
    "deciding in their best interests"
)


class ConsentForm(NhsForm):
    given_by = forms.ChoiceField(
        label="Who gave consent to share this plan?",
        choices=GivenBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who gave consent"},
    )
    given_by_name = forms.CharField(
        label="Name of the attorney, or of the person who made the best-interests decision",
        max_length=200,
        required=False,
    )
    consulted = forms.CharField(
        label="Who was consulted (best-interests decisions)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    given_on = NhsDateField(
        label="When was consent given?",
        error_messages={"required": "Enter the date consent was given"},
    )


class WithdrawForm(NhsForm):
    reason = forms.CharField(
        label="Why was consent withdrawn, and who said so?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why consent was withdrawn, and who said so"},
    )
