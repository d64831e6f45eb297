from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from frontend.forms import NhsForm
from organisations.models import (
    ROLE_ORGANISATION_KINDS,
    STAFF_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
)
from organisations.validators import normalise_ods_code, validate_ods_code


class SignInForm(AuthenticationForm):
    template_name = "forms/nhs_form.html"
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your organisation's lead.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class NhsSetPasswordForm(SetPasswordForm):
    template_name = "forms/nhs_form.html"


class ChooseMembershipForm(NhsForm):
    membership = forms.ChoiceField(
        label="Which role are you acting in?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the role you are acting in"},
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.public_id): m for m in memberships}
        cast(forms.ChoiceField, self.fields["membership"]).choices = [
            (key, f"{m.get_role_display()}, {m.organisation.name}")
            for key, m in self.memberships.items()
        ]

    def chosen(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]


class OrganisationForm(NhsForm):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter the organisation's name"}
    )
    ods_code = forms.CharField(
        label="ODS code",
        max_length=10,
        help_text="The Organisation Data Service code, like RRU or A81001",
        error_messages={"required": "Enter the ODS code"},
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of organisation"},
    )
    team_email = forms.EmailField(
        label="Team email (optional)",
        required=False,
        help_text="A shared mailbox, like an nhs.net team address. Reminders about plan "
        "reviews are sent here as well as to the clinician responsible.",
        error_messages={"invalid": "Enter an email address like team@nhs.net"},
    )

    def clean_ods_code(self) -> str:
        code = normalise_ods_code(self.cleaned_data["ods_code"])
        validate_ods_code(code)
        return code


class ListSizeForm(NhsForm):
    list_size = forms.IntegerField(
        label="Registered list size",
        help_text="How many patients the practice has: the register's share is of this",
        required=False,
        min_value=1,
        max_value=200_000,
        # NHS.UK: numbers in a text input with a numeric keypad, never type="number".
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the list size as a whole number, like 9500",
            "min_value": "Enter a list size between 1 and 200,000",
            "max_value": "Enter a list size between 1 and 200,000",
        },
    )


class MembershipForm(NhsForm):
    username = forms.CharField(
        max_length=150,
        help_text="An existing person's username, or a new one to create their account",
        error_messages={"required": "Enter a username"},
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="A new person is sent a link to set their password",
        error_messages={"invalid": "Enter an email address like name@example.nhs.uk"},
    )
    role = forms.ChoiceField(
        choices=[(r, Role(r).label) for r in STAFF_ROLES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    is_senior_clinician = forms.BooleanField(
        label="Senior clinician",
        required=False,
        help_text="A GP, consultant or specialist nurse who may record a CPR decision",
    )
    is_organisation_lead = forms.BooleanField(
        label="Organisation lead",
        required=False,
        help_text="Receives escalations when reviews are overdue",
    )


class ApiTokenForm(NhsForm):
    name = forms.CharField(
        label="Name of the system",
        help_text="Who will use it, for example: Capital Ambulance Service patient record",
        max_length=200,
        error_messages={"required": "Name the system, for example its supplier and product"},
    )
    role = forms.ChoiceField(
        label="It acts as",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the role it acts as"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [
            (role, label)
            for role, label in Role.choices
            if organisation.kind in ROLE_ORGANISATION_KINDS.get(role, ())
            and role != Role.REGIONAL_ADMIN
        ]


class AccessDecisionForm(NhsForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve: this access is needed for the person's or system's work"),
            ("decline", "Decline: it ends now, unused"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or decline"},
    )
    reason = forms.CharField(
        label="Why you decline it",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you decline. The admin who asked sees it in the audit.",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not str(data.get("reason", "")).strip():
            self.add_error("reason", "Say why this access is declined")
        return data


class TwoFactorCodeForm(NhsForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes",
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "nhsuk-input--width-10",
            }
        ),
    )


class ReauthenticateForm(NhsForm):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args: Any, asks_for_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if asks_for_code:
            self.fields["code"] = TwoFactorCodeForm.base_fields["code"]


class TwoFactorResetForm(NhsForm):
    reason = forms.CharField(
        label="Why the reset is needed",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, phone lost on 3 March; identity checked in person by me",
        error_messages={"required": "Say why the reset is needed"},
    )


class RegionAccessForm(NhsForm):
    """The region's single point of access. Left empty, none is shown."""

    name = forms.CharField(
        label="Service name",
        help_text="For example, North Central London Palliative Care Co-ordination",
        max_length=120,
        required=False,
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    hours = forms.CharField(
        label="Hours",
        help_text="For example, 24 hours a day, 7 days a week",
        max_length=120,
        required=False,
    )
    what_for = forms.CharField(
        label="What to call it for",
        help_text="In plain words, for the person, their family and carers, and services",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
