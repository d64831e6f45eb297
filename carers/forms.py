from __future__ import annotations

from django import forms

from carers.models import Harder, Urgency
from carers.services import DETAILS_MAX
from frontend.forms import NhsForm


class TellTheTeamForm(NhsForm):
    harder = forms.MultipleChoiceField(
        label="What is getting harder?",
        help_text="Choose all that apply",
        choices=Harder.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what is getting harder"},
    )
    urgency = forms.ChoiceField(
        label="How soon do you need someone?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how soon you need someone"},
    )
    details = forms.CharField(
        label="Anything else the team should know (optional)",
        max_length=DETAILS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
