"""Validation of Organisation Data Service (ODS) codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# ODS codes are 3 to 10 upper-case letters and digits. GP practices always have a letter
# followed by five digits (e.g. "A81001"); the kind-specific rule is checked in Organisation.clean.
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
GP_PRACTICE_ODS_CODE = re.compile(r"^[A-Z][0-9]{5}$")


def normalise_ods_code(value: str) -> str:
    return value.strip().upper()


def validate_ods_code(value: str) -> None:
    if not ODS_CODE.match(value):
        raise ValidationError(
            "Enter an ODS code of 3 to 10 letters and numbers, like RRU or A81001",
            code="invalid_ods_code",
        )
