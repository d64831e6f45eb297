from __future__ import annotations

from typing import Any, cast

from django import forms

from coordination.models import Service as CentreService
from frontend.forms import NhsForm
from organisations.models import Organisation
from profiles.services import INFORMATION_MAX
from profiles.terminology import TO_DISCUSS, Stage


class RevisionForm(NhsForm):
    """Every change carries the draft's revision the editor saw."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StageForm(RevisionForm):
    information = forms.CharField(
        label="What the person and their carers should know at this stage",
        help_text="In plain words: it is shown to the person, their family and carers, and "
        "to every professional, exactly as written",
        max_length=INFORMATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter what the person and their carers should know at this stage"
        },
    )
    to_discuss = forms.MultipleChoiceField(
        label="What to talk about at this stage",
        help_text="Select all that apply",
        choices=list(TO_DISCUSS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    bereavement_from_days = forms.IntegerField(
        label="Contact the family from (days after the death)",
        help_text="For example, 21 (3 weeks)",
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
    )
    bereavement_to_days = forms.IntegerField(
        label="Contact the family by (days after the death)",
        help_text="For example, 42 (6 weeks)",
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stage != Stage.AFTER_DEATH:
            del self.fields["bereavement_from_days"]
            del self.fields["bereavement_to_days"]


class ServiceForm(RevisionForm):
    name = forms.CharField(
        label="Service name",
        max_length=120,
        error_messages={"required": "Enter the service's name"},
    )
    provider = forms.ModelChoiceField(
        label="Provided by",
        help_text="An organisation of your region, if the service is one of theirs",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="A named service (no organisation)",
    )
    what_it_does = forms.CharField(
        label="What it does",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the service does"},
    )
    who_for = forms.CharField(
        label="Who it is for",
        help_text="Who is eligible, for example adults at home in Camden and Islington",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say who the service is for"},
    )
    hours = forms.CharField(
        label="Hours",
        help_text="For example, 8am to 8pm, 7 days a week",
        max_length=120,
        error_messages={"required": "Enter its hours, for example 8am to 8pm, 7 days a week"},
    )
    out_of_hours = forms.BooleanField(
        label="Available out of hours (nights, weekends and bank holidays)", required=False
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    how_to_reach = forms.CharField(
        label="How to refer or reach it",
        help_text="For example, the GP or district nurse refers by email to the hospice",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    centre_service = forms.ChoiceField(
        label="Referred through the co-ordination centre as",
        choices=[("", "Not through the co-ordination centre"), *CentreService.choices],
        required=False,
    )
    response_time = forms.CharField(
        label="How soon it responds",
        help_text="For example, within 2 hours, or the next working day",
        max_length=120,
        error_messages={"required": "Enter how soon it responds, for example within 2 hours"},
    )

    def __init__(self, *args: Any, region_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["provider"])
        field.queryset = Organisation.objects.filter(region_id=region_id).order_by("name")
