from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from careplans.terminology import DIAGNOSIS_GROUPS
from frontend.forms import NhsForm
from organisations.models import Organisation
from reports.periods import EXAMPLES, KINDS, Period, parse_period
from reports.selectors import AGE_BANDS, BREAKDOWNS, Filters


class ReportForm(NhsForm):
    """The report's filters, from the query string (a report is a GET: it can be shared
    and bookmarked, and it names no patient)."""

    period_kind = forms.ChoiceField(
        label="Period",
        choices=list(KINDS.items()),
        error_messages={"invalid_choice": "Choose a month, a quarter or a year"},
    )
    period = forms.CharField(
        label="Which one",
        max_length=20,
        help_text=f"A month like {EXAMPLES['month']}, a quarter like {EXAMPLES['quarter']}, "
        f"or a year like {EXAMPLES['year']}",
        error_messages={"required": "Enter the period, like 2026-Q3"},
    )
    breakdown = forms.ChoiceField(label="Show by", choices=list(BREAKDOWNS.items()))
    organisation = forms.ModelChoiceField(
        label="GP practice",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="All practices in the region",
        to_field_name="public_id",
        error_messages={"invalid_choice": "Choose a GP practice of your region"},
    )
    diagnosis_group = forms.ChoiceField(
        label="Diagnosis group",
        choices=[("", "All diagnosis groups"), *DIAGNOSIS_GROUPS.items()],
        required=False,
    )
    age_band = forms.ChoiceField(
        label="Age at death",
        choices=[("", "All ages"), *((key, band[0]) for key, band in AGE_BANDS.items())],
        required=False,
    )

    def __init__(self, *args: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = practices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, value = cleaned.get("period_kind"), cleaned.get("period")
        if kind and value:
            try:
                cleaned["parsed_period"] = parse_period(kind, value)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def filters(self) -> Filters:
        period: Period = self.cleaned_data["parsed_period"]
        return Filters(
            period=period,
            breakdown=self.cleaned_data["breakdown"],
            organisation=self.cleaned_data.get("organisation"),
            diagnosis_group=self.cleaned_data.get("diagnosis_group", ""),
            age_band=self.cleaned_data.get("age_band", ""),
        )
