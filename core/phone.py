"""Phone numbers: the one rule for what a UK phone number typed into the service looks like
(patients.identifiers re-exports it for the forms and migrations that name it there)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


PHONE_PROBLEM = "Enter a phone number like 01632 960 001 or 07700 900 982"


def phone_problem(value: str) -> str | None:
    """What is wrong with a typed phone number, in words for the person; None if nothing.
    For services that gather every field's error before refusing."""
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value.strip()) or not 10 <= len(digits) <= 13:
        return PHONE_PROBLEM
    return None


def validate_phone(value: str) -> None:
    if problem := phone_problem(value):
        raise ValidationError(problem)
