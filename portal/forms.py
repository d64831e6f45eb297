from __future__ import annotations

from typing import Any, cast

from django import forms

from careplans.sections import SECTIONS
from consent.forms import LACKS_CAPACITY_LABEL
from frontend.forms import NhsDateField, NhsForm
from organisations.models import Organisation
from patients.forms import NhsNumberField
from patients.identifiers import validate_date_of_birth, validate_phone

NHS_NUMBER_HELP = (
    "10 digits, for example 943 476 5919. It is on letters from your GP or in the NHS App."
)
EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address like name@example.com",
}


class AcceptInvitationForm(NhsForm):
    nhs_number = NhsNumberField(help_text=NHS_NUMBER_HELP)
    date_of_birth = NhsDateField(
        label="Date of birth",
        help_text="For example, 15 3 1944",
        validators=[validate_date_of_birth],
        error_messages={"required": "Enter the date of birth"},
    )
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 12 characters. Three or four unrelated words work well.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password"},
    )
    password_again = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def __init__(self, *args: Any, is_proxy: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_proxy:
            self.fields["nhs_number"].label = "Their NHS number"
            self.fields["date_of_birth"].label = "Their date of birth"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") != data["password"]:
            self.add_error("password_again", "The two passwords are different: type them again")
        return data


class AccountRequestForm(NhsForm):
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter your first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter your last name"}
    )
    date_of_birth = NhsDateField(
        label="Date of birth",
        help_text="For example, 15 3 1944",
        validators=[validate_date_of_birth],
        error_messages={"required": "Enter your date of birth"},
    )
    nhs_number = NhsNumberField(help_text=NHS_NUMBER_HELP)
    email = forms.EmailField(label="Email address", error_messages=EMAIL_ERRORS)
    practice: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Your GP practice",
        queryset=Organisation.objects.none(),
        empty_label="Choose your GP practice",
        error_messages={"required": "Choose your GP practice"},
    )

    def __init__(self, *args: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["practice"]).queryset = practices
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})


class InviteForm(NhsForm):
    email = forms.EmailField(
        label="Their email address",
        help_text="The link is sent here. It works once, for 7 days.",
        error_messages=EMAIL_ERRORS,
    )


class LpaForm(NhsForm):
    attorney_name = forms.CharField(
        label="Attorney's full name",
        max_length=200,
        error_messages={"required": "Enter the attorney's name"},
    )
    relationship = forms.CharField(
        label="Their relationship to the person",
        max_length=100,
        help_text="For example, daughter",
        error_messages={"required": "Enter their relationship to the person"},
    )
    opg_reference = forms.CharField(
        label="LPA reference",
        max_length=20,
        help_text="From the Office of the Public Guardian, for example 7000-1234-5678",
        error_messages={"required": "Enter the LPA reference"},
    )
    registered_on = NhsDateField(
        label="Date the LPA was registered",
        error_messages={"required": "Enter the date the LPA was registered"},
    )
    life_sustaining_treatment = forms.BooleanField(
        label="The LPA lets the attorney give or refuse consent to life-sustaining treatment",
        required=False,
    )
    restrictions = forms.CharField(
        label="Conditions or restrictions in the LPA",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attorney_phone = forms.CharField(
        label="Attorney's phone number",
        max_length=30,
        required=False,
        help_text="Shown to urgent care on the emergency summary",
        validators=[validate_phone],
    )
    document_location = forms.CharField(
        label="Where the LPA document is", max_length=300, required=False
    )
    email = forms.EmailField(
        label="Attorney's email address (optional)",
        required=False,
        help_text="To invite them to see the plan online: the link works once, for 7 days. "
        "Leave it blank to record the LPA only.",
        error_messages=EMAIL_ERRORS,
    )


class EndForm(NhsForm):
    reason = forms.CharField(
        label="Why has the lasting power of attorney ended?",
        help_text="For example, revoked by the person on 3 March. Their online access stops now.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the lasting power of attorney has ended"},
    )


class DeclineForm(NhsForm):
    reason = forms.CharField(
        label="Why can the request not be approved?",
        help_text="Kept in the practice's record. The person is told only that it could not "
        "be set up and to contact the practice.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why, for the practice's record"},
    )


SECTION_CHOICES = [(s.key, s.title) for s in SECTIONS]


class ChangeRequestForm(NhsForm):
    section_key = forms.ChoiceField(
        label="Which part of the plan should change?",
        choices=SECTION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the part of the plan you would like changed",
            "invalid_choice": "Choose one of the parts listed",
        },
    )
    what_should_change = forms.CharField(
        label="What should change?",
        help_text="In your own words. Your care team will read it and get back to you.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what should change"},
    )


class OnlineConsentForm(NhsForm):
    lacks_capacity_confirmed = forms.BooleanField(label=LACKS_CAPACITY_LABEL, required=False)
    reason = forms.CharField(
        label="Would you like to say why?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, is_proxy: bool, withdrawing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_proxy:
            del self.fields["lacks_capacity_confirmed"]
        if not withdrawing:
            del self.fields["reason"]


class ChooseAccountForm(NhsForm):
    account = forms.ChoiceField(
        label="Whose plan do you want to see?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whose plan you want to see"},
    )

    def __init__(self, *args: Any, accounts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["account"]).choices = [
            (str(a.public_id), a.patient.full_name + (" (as their attorney)" if a.is_proxy else ""))
            for a in accounts
        ]


def _shareable_choices() -> list[tuple[str, str]]:
    from portal.services import CARER_SHAREABLE

    return [(s.key, s.title) for s in SECTIONS if s.key in CARER_SHAREABLE]


class CarerInviteForm(NhsForm):
    name = forms.CharField(label="Their name", max_length=200, required=False)
    relationship = forms.CharField(
        label="Who they are to you",
        help_text="For example, daughter, husband, neighbour, friend",
        max_length=100,
        required=False,
    )
    email = forms.EmailField(
        label="Their email address",
        help_text="We email them a link that works once, for 7 days",
        error_messages={
            "required": "Enter the carer's email address",
            "invalid": "Enter an email address like name@example.com",
        },
    )
    shared_sections = forms.MultipleChoiceField(
        label="What they may see of your plan",
        help_text="They always see your key worker and the number to call. Your diagnosis, "
        "medicines, CPR decision and other clinical parts are never shown to a carer.",
        choices=_shareable_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CarerSharingForm(NhsForm):
    shared_sections = forms.MultipleChoiceField(
        label="What they may see of your plan",
        choices=_shareable_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
