from __future__ import annotations

from django import forms

from frontend.forms import NhsDateField, NhsForm
from profiles.models import BereavementOutcome, ReadinessKind
from profiles.readiness import ACHIEVABLE, CARER_SITUATION, EQUIPMENT, YES_NO
from profiles.readiness_services import NOTE_MAX


class _Item(NhsForm):
    note = forms.CharField(
        label="Note",
        help_text="What is happening about it, and who is doing it",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MedicinesForm(_Item):
    prescribed_on = NhsDateField(label="Date prescribed", required=False)
    issued_on = NhsDateField(label="Date issued to the home", required=False)
    kept_at = forms.CharField(
        label="Where in the home they are kept",
        help_text="For example, in the kitchen, top cupboard, in a labelled box",
        max_length=200,
        required=False,
    )
    expires_on = NhsDateField(label="Expiry date", required=False)
    field_order = ["prescribed_on", "issued_on", "kept_at", "expires_on", "note"]


class EquipmentForm(_Item):
    needed = forms.MultipleChoiceField(
        label="Equipment needed",
        help_text="Select all that apply; none if nothing is needed",
        choices=list(EQUIPMENT.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    delivered = forms.MultipleChoiceField(
        label="Delivered and working",
        choices=list(EQUIPMENT.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    field_order = ["needed", "delivered", "note"]


def _radios(name: str, label: str, choices: dict[str, str]) -> type[_Item]:
    field = forms.ChoiceField(
        label=label, choices=list(choices.items()), widget=forms.RadioSelect, required=False
    )
    return type(f"{name.title()}Form", (_Item,), {name: field, "field_order": [name, "note"]})


FORMS: dict[ReadinessKind, type[_Item]] = {
    ReadinessKind.MEDICINES: MedicinesForm,
    ReadinessKind.EQUIPMENT: EquipmentForm,
    ReadinessKind.FORM_AT_HOME: _radios(
        "at_home", "Is a ReSPECT or CPR form at home, where a crew will find it?", YES_NO
    ),
    ReadinessKind.SPA_GIVEN: _radios(
        "given", "Have the person and family been given the number to call, day and night?", YES_NO
    ),
    ReadinessKind.CARER: _radios("situation", "The carer's situation", CARER_SITUATION),
    ReadinessKind.PREFERRED_PLACE: _radios(
        "achievable",
        "Is the preferred place of death achievable with the services available?",
        ACHIEVABLE,
    ),
}


class BereavementForm(NhsForm):
    outcome = forms.ChoiceField(
        label="How did the contact with the family go?",
        choices=BereavementOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome_note = forms.CharField(
        label="Note",
        help_text="Who you spoke to and anything agreed; no need to repeat the plan",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
