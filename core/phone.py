"""Phone numbers: the one rule for what a UK phone number typed into the service looks like
(patients.identifiers re-exports it for the forms and migrations that name it there)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


def validate_phone(value: str) -> None:
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value.strip()) or not 10 <= len(digits) <= 13:
        raise ValidationError("Enter a phone number like 01632 960 001 or 07700 900 982")
