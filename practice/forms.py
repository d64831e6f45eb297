from __future__ import annotations

from typing import Any

from django import forms

from frontend.forms import NhsDateField, NhsForm
from practice.models import MAX_ACTIONS


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


class MeetingForm(NhsForm):
    held_on = NhsDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"}
    )
    attendees = forms.CharField(
        label="Who attends",
        help_text="Names and roles, for example Dr A Okafor (GP), S Price (district nurse)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say who attends"},
    )


class OutcomeForm(NhsForm):
    notes = forms.CharField(
        label="What the meeting discussed and agreed",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_review_on = NhsDateField(
        label="Next review", help_text="Leave blank for the next meeting", required=False
    )
    set_plan_review = forms.BooleanField(
        label="Make this the plan's review date",
        help_text="It goes into the plan's working copy: publish the plan to share it",
        required=False,
    )

    def __init__(
        self, *args: Any, owners: list[tuple[str, str]], key_worker: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Most actions are the key worker's: left unchosen, an action goes to them.
        unchosen = (
            f"The key worker, {key_worker}" if key_worker else "Choose someone of the care team"
        )
        for index in range(1, MAX_ACTIONS + 1):
            self.fields[f"action_{index}_what"] = forms.CharField(
                label="What to do", max_length=300, required=False
            )
            self.fields[f"action_{index}_owner"] = forms.ChoiceField(
                label="Who does it",
                choices=[("", unchosen), *owners],
                required=False,
                error_messages={"invalid_choice": f"Choose who owns action {index}"},
            )
            self.fields[f"action_{index}_due_on"] = NhsDateField(label="Due by", required=False)

    def action_groups(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (i, [self[f"action_{i}_{part}"] for part in ("what", "owner", "due_on")])
            for i in range(1, MAX_ACTIONS + 1)
        ]
