from __future__ import annotations

from django import forms

from frontend.forms import NhsDateField, NhsForm


class NotNowForm(NhsForm):
    reason = forms.CharField(
        label="Why not now?",
        help_text="For example, discussed with the person, who would rather wait",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why not now"},
    )
    ask_again_on = NhsDateField(
        label="When to ask again",
        help_text="Within a year. For example, 1 6 2027",
        error_messages={"required": "Enter the date to ask again"},
    )


class SearchForm(NhsForm):
    file = forms.FileField(
        label="Upload the search as a CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="A column headed “NHS number”, and any indicator columns marked yes or no "
        "(or 1 or 0), as your clinical system exports a search",
        error_messages={
            "required": "Choose the CSV file of the search",
            "empty": "The file is empty. Nothing was imported.",
        },
    )
