from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from frontend.forms import NhsDateField, NhsForm
from organisations.models import Membership, Organisation
from patients.identifiers import (
    normalise_nhs_number,
    normalise_postcode,
    validate_date_of_birth,
    validate_nhs_number,
    validate_postcode,
)
from patients.models import (
    NhsNumberStatus,
    PhenotypicSex,
    StatedGender,
    validate_break_glass_reason,
)


class NhsNumberField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "NHS number")
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("help_text", "10 digits, for example 943 476 5919. Spaces are fine.")
        kwargs.setdefault("error_messages", {"required": "Enter the NHS number"})
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "nhsuk-input--width-10",
            }
        )

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value:
            validate_nhs_number(value)
            return normalise_nhs_number(value)
        return value


class PatientRegistrationForm(NhsForm):
    nhs_number = NhsNumberField()
    nhs_number_status = forms.ChoiceField(
        label="NHS number status", choices=NhsNumberStatus.choices, initial=NhsNumberStatus.VERIFIED
    )
    title = forms.CharField(max_length=35, required=False)
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    preferred_name = forms.CharField(
        max_length=100, required=False, help_text="What the person likes to be called"
    )
    date_of_birth = NhsDateField(
        label="Date of birth",
        help_text="For example, 15 3 1984",
        validators=[validate_date_of_birth],
        error_messages={"required": "Enter the date of birth"},
    )
    sex = forms.ChoiceField(choices=[("", "Not recorded"), *PhenotypicSex.choices], required=False)
    gender = forms.ChoiceField(
        label="Gender identity",
        choices=[("", "Not recorded"), *StatedGender.choices],
        required=False,
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=100,
        error_messages={"required": "Enter the first line of the address"},
    )
    address_line_2 = forms.CharField(label="Address line 2", max_length=100, required=False)
    address_line_3 = forms.CharField(label="Town or city", max_length=100, required=False)
    address_line_4 = forms.CharField(label="County", max_length=100, required=False)
    postcode = forms.CharField(max_length=10, error_messages={"required": "Enter the postcode"})
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    interpreter_required = forms.BooleanField(label="Needs an interpreter", required=False)
    preferred_language = forms.CharField(
        max_length=60, required=False, help_text="For example, English or Bengali"
    )
    registered_gp_practice: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Registered GP practice",
        queryset=Organisation.objects.none(),
        empty_label="Choose a GP practice",
        error_messages={"required": "Choose the registered GP practice"},
    )

    def __init__(self, *args: Any, gp_practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["registered_gp_practice"]).queryset = gp_practices
        self.fields["postcode"].widget.attrs.update(
            {"class": "nhsuk-input--width-10", "autocomplete": "postal-code"}
        )
        self.fields["phone"].widget.attrs.update({"class": "nhsuk-input--width-20", "type": "tel"})

    def clean_postcode(self) -> str:
        value = normalise_postcode(self.cleaned_data["postcode"])
        validate_postcode(value)
        return value


class IdentityLookupForm(NhsForm):
    """The details a lookup identifies a person by, all optional here: each lookup says
    which combinations are enough."""

    nhs_number = NhsNumberField(required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    date_of_birth = NhsDateField(
        label="Date of birth",
        required=False,
        help_text="For example, 15 3 1984",
        validators=[validate_date_of_birth],
    )


class FindPatientForm(IdentityLookupForm):
    """Find by NHS number, or by last name and date of birth when the number is not known."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("nhs_number"):
            return data
        if not data.get("family_name") and not data.get("date_of_birth"):
            raise ValidationError(
                "Enter an NHS number, or a last name and date of birth", code="empty"
            )
        if not data.get("family_name"):
            self.add_error("family_name", "Enter the last name as well as the date of birth")
        if not data.get("date_of_birth"):
            self.add_error("date_of_birth", "Enter the date of birth as well as the last name")
        return data


class EmergencySearchForm(IdentityLookupForm):
    """Urgent care's lookup: the NHS number, or last name, date of birth and postcode
    together. Nothing less, so that no one can browse."""

    postcode = forms.CharField(
        max_length=10, required=False, help_text="Of their home address, for example N19 5NF"
    )
    # Where the cursor starts on a fresh form: a crew types the NHS number at once.
    first_focus = "nhs_number"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields[self.first_focus].widget.attrs["autofocus"] = True
        self.fields["postcode"].widget.attrs.update(
            {"class": "nhsuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["family_name"].widget.attrs.update({"autocomplete": "off"})

    def clean_postcode(self) -> str:
        value = normalise_postcode(self.cleaned_data["postcode"])
        if value:
            validate_postcode(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        details = ("family_name", "date_of_birth", "postcode")
        if data.get("nhs_number") or any(n in self.errors for n in ("nhs_number", *details)):
            return data
        if not any(data.get(name) for name in details):
            raise ValidationError(
                "Enter an NHS number, or the last name, date of birth and postcode",
                code="empty",
            )
        for name, words in zip(
            details, ("the last name", "the date of birth", "the postcode"), strict=True
        ):
            if not data.get(name):
                self.add_error(name, f"Enter {words} as well, or search by NHS number")
        return data


class BreakGlassForm(EmergencySearchForm):
    reason = forms.CharField(
        label="Why do you need emergency access?",
        help_text="Your reason is recorded and shown to the person's care team.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_break_glass_reason],
        error_messages={"required": "Give the reason you need emergency access"},
    )
    field_order = ["reason", "nhs_number", "family_name", "date_of_birth", "postcode"]
    first_focus = "reason"


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class AddCareTeamMemberForm(NhsForm):
    organisation = OrganisationChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose an organisation to add"},
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(OrganisationChoiceField, self.fields["organisation"]).queryset = organisations


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        name = obj.user.get_full_name() or obj.user.get_username()
        return f"{name}, {obj.get_role_display()}, {obj.organisation.name}"


class KeyContactForm(NhsForm):
    membership = PersonChoiceField(
        label="Person",
        queryset=Membership.objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Choose the person to name"},
        to_field_name="public_id",
    )
    phone = forms.CharField(
        label="Phone number to reach them on",
        help_text="A direct line or the team's number that answers for them",
        max_length=40,
        error_messages={"required": "Enter the phone number to reach them on"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="Why this person",
        help_text="For example, agreed at the practice meeting; the person asked for them",
        error_messages={"required": "Say why this person was chosen"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["membership"]).queryset = candidates
