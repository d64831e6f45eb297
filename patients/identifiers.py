"""NHS numbers, postcodes and phone numbers: the one place each is validated and formatted."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

# The one phone rule lives in core.phone; forms and migrations name it here.
from core.phone import validate_phone as validate_phone
from patients.dates import date_problem

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit for nine digits, or None when no valid number has them."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and dashes people type ("943 476 5919", "943-476-5919")."""
    return re.sub(r"[\s-]", "", value or "")


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    return nhs_number_check_digit(digits[:9]) == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(
            "Enter an NHS number with 10 digits, like 943 476 5919", code="format"
        )
    if not is_valid_nhs_number(digits):
        raise ValidationError(
            "This is not a valid NHS number: check each digit, like 943 476 5919",
            code="check_digit",
        )


def format_nhs_number(value: str) -> str:
    """Shown as 3 3 4: "943 476 5919"."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10:
        return value
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def validate_date_of_birth(value: dt.date | None) -> None:
    problem = value and date_problem(value, what="Date of birth", in_the_past=True)
    if problem:
        raise ValidationError(problem, code="date_of_birth")


# UK postcodes: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "sw1a1aa" -> "SW1A 1AA"."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if not _POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real UK postcode, like LS1 4AP", code="invalid_postcode")
