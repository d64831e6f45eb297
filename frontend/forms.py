"""Form pieces that render with the NHS.UK frontend: a day/month/year date input and a base
form whose fields carry the component classes and error state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class NhsDateWidget(forms.MultiWidget):
    """The NHS.UK date input: three numeric text boxes (day, month, year)."""

    PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = [
            forms.TextInput(attrs={"inputmode": "numeric", "maxlength": str(width)})
            for _, _, width in self.PARTS
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value: dt.date | str | None) -> list[str | None]:
        """Day, month and year of a date, or of an ISO date as stored in JSON."""
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if value:
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class NhsDateField(forms.MultiValueField):
    widget = NhsDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)
        self.error_messages["incomplete"] = (
            f"{self.label or 'Date'} must include a day, month and year"
        )

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(data_list):
            return None
        label = self.label or "Date"
        if not all(data_list):
            raise ValidationError(f"{label} must include a day, month and year", code="incomplete")
        try:
            day, month, year = (int(part) for part in data_list)
            if year < 1000:
                raise ValueError
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="invalid") from None


class NhsForm(forms.Form):
    """Renders each field through templates/forms/field.html with NHS.UK markup, and lists
    its errors in the page's error summary (templates/includes/error_summary.html)."""

    template_name = "forms/nhs_form.html"


def show_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors beside their fields, the
    rest in the error summary."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
