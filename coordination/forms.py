"""Forms for referrals: the referral with its needs assessment, a new assessment, a band
override, a place with a provider and its progress, closing."""

from __future__ import annotations

from typing import Any

from django import forms

from coordination.models import AllocationStatus, CapacitySlot, Service, Urgency
from coordination.priority import (
    AKPS_VALUES,
    CARER_LABELS,
    IPOS_ITEMS,
    PHASE_LABELS,
    Band,
    Carer,
    Needs,
    Phase,
    needs_of,
)
from frontend.forms import NhsForm

NOT_ASSESSED = ("", "Not assessed")
IPOS_SCORES = [
    NOT_ASSESSED,
    ("0", "0: not at all"),
    ("1", "1: slightly"),
    ("2", "2: moderately"),
    ("3", "3: severely"),
    ("4", "4: overwhelmingly"),
]


def _ipos_name(index: int) -> str:
    return f"ipos_{index + 1}"


class NeedsForm(NhsForm):
    """Phase of Illness, AKPS, the 17 IPOS items and the carer's situation. Anything left
    "Not assessed" is flagged as missing, never scored as 0."""

    phase = forms.ChoiceField(
        label="Phase of illness",
        choices=[NOT_ASSESSED, *((p.value, PHASE_LABELS[p]) for p in Phase)],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a phase of illness from the list"},
    )
    akps = forms.ChoiceField(
        label="Australia-modified Karnofsky Performance Status (AKPS)",
        help_text="From 100 (normal, no complaints) to 10 (comatose or barely rousable)",
        choices=[NOT_ASSESSED, *((str(v), str(v)) for v in reversed(AKPS_VALUES))],
        required=False,
        error_messages={"invalid_choice": "AKPS must be a multiple of 10 from 0 to 100"},
    )
    carer = forms.ChoiceField(
        label="Carer situation",
        choices=[NOT_ASSESSED, *((c.value, CARER_LABELS[c]) for c in Carer)],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the carer's situation from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, item in enumerate(IPOS_ITEMS):
            self.fields[_ipos_name(index)] = forms.ChoiceField(
                label=f"IPOS {index + 1}: {item}",
                choices=IPOS_SCORES,
                required=False,
                error_messages={"invalid_choice": f"{item}: score from 0 to 4"},
            )

    def ipos_fields(self) -> list[forms.BoundField]:
        return [self[_ipos_name(index)] for index in range(len(IPOS_ITEMS))]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("phase", "akps", "carer")]

    def needs(self) -> Needs:
        data = self.cleaned_data
        return needs_of(
            data.get("phase"),
            int(data["akps"]) if data.get("akps") else None,
            [
                int(data[_ipos_name(i)]) if data.get(_ipos_name(i)) else None
                for i in range(len(IPOS_ITEMS))
            ],
            data.get("carer"),
        )


class ReferralForm(NeedsForm):
    services = forms.MultipleChoiceField(
        label="Services needed",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one service",
            "invalid_choice": "Choose services from the list",
        },
    )
    urgency = forms.ChoiceField(
        label="How soon do you think care is needed?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how soon care is needed"},
    )
    reason = forms.CharField(
        label="Reason for referral",
        help_text="What is happening, and what you are asking the centre to arrange",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you are referring"},
    )

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("services", "urgency", "reason", "phase", "akps", "carer")]


class OverrideForm(NhsForm):
    band = forms.ChoiceField(
        label="Move to band",
        choices=[(b.value, b.label) for b in Band],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose Red, Amber or Green"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Recorded with your name; the computed band and score are kept beside it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the band should change"},
    )


class SlotField(forms.ModelChoiceField):
    """A provider's slot, labelled with its free places (`free`: slot id -> places)."""

    free: dict[int, int] = {}

    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.provider.name}: {obj.get_service_display()}, "
            f"{obj.starts_on:%-d %b} to {obj.ends_on:%-d %b %Y} "
            f"({self.free.get(obj.pk, 0)} of {obj.capacity} free)"
        )


class OfferForm(NhsForm):
    slot = SlotField(
        label="Place",
        queryset=CapacitySlot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        to_field_name="public_id",
        error_messages={
            "required": "Choose a place",
            "invalid_choice": "That place is no longer free: choose another",
        },
    )

    def __init__(self, *args: Any, slots: list[CapacitySlot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, SlotField)  # noqa: S101
        field.queryset = CapacitySlot.objects.filter(pk__in=[s.pk for s in slots]).select_related(
            "provider"
        )
        field.free = {s.pk: s.capacity - s.held for s in slots}  # type: ignore[attr-defined]


class AllocationForm(NhsForm):
    status = forms.ChoiceField(
        label="What happened?",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what happened",
            "invalid_choice": "Choose what happened",
        },
    )
    note = forms.CharField(
        label="Note",
        help_text="Needed when the provider declines or the place is cancelled",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, choices: list[AllocationStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(c.value, c.label) for c in choices]


class CloseForm(NhsForm):
    note = forms.CharField(
        label="Why is the referral closing?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the referral is closing"},
    )


class TargetsForm(NhsForm):
    """Hours for each service and band: a field per pair, named service_band."""

    def __init__(
        self, *args: Any, initial_hours: dict[tuple[str, str], int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for (service, band), hours in initial_hours.items():
            self.fields[f"{service}_{band}"] = forms.IntegerField(
                label=f"{Service(service).label}, {Band(band).label}",
                min_value=1,
                max_value=2000,
                initial=hours,
                widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4"}),
                error_messages={
                    "required": "Enter a whole number of hours from 1 to 2,000",
                    "invalid": "Enter a whole number of hours from 1 to 2,000",
                    "min_value": "Enter a whole number of hours from 1 to 2,000",
                    "max_value": "Enter a whole number of hours from 1 to 2,000",
                },
            )
        self.pairs = list(initial_hours)

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (label, [self[f"{service}_{band.value}"] for band in Band])
            for service, label in Service.choices
        ]

    def hours(self) -> dict[tuple[str, str], int]:
        return {(s, b): self.cleaned_data[f"{s}_{b}"] for s, b in self.pairs}
