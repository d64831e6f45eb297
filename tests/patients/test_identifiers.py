from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from patients.identifiers import (
    format_nhs_number,
    is_valid_nhs_number,
    nhs_number_check_digit,
    normalise_postcode,
    validate_nhs_number,
    validate_postcode,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    first_nine = draw(nine_digits.filter(lambda d: nhs_number_check_digit(d) is not None))
    return f"{first_nine}{nhs_number_check_digit(first_nine)}"


@given(valid_nhs_numbers())
def test_valid_nhs_numbers_are_accepted_with_or_without_spaces(number: str) -> None:
    assert is_valid_nhs_number(number)
    validate_nhs_number(format_nhs_number(number))
    validate_nhs_number(f" {number[:3]}-{number[3:6]}-{number[6:]} ")


@given(
    valid_nhs_numbers(),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_is_rejected(number: str, position: int, shift: int) -> None:
    changed_digit = (int(number[position]) + shift) % 10
    changed = f"{number[:position]}{changed_digit}{number[position + 1 :]}"
    assert not is_valid_nhs_number(changed)
    with pytest.raises(ValidationError):
        validate_nhs_number(changed)


@st.composite
def nine_digits_with_no_check_digit(draw: st.DrawFn) -> str:
    """Nine digits whose weighted sum leaves remainder 1, so the check digit would be 10."""
    first_eight = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    partial = sum(int(d) * w for d, w in zip(first_eight, range(10, 2, -1), strict=True))
    ninth = next((d for d in range(10) if (partial + 2 * d) % 11 == 1), None)
    assume(ninth is not None)
    return f"{first_eight}{ninth}"


@given(nine_digits_with_no_check_digit(), st.integers(0, 9))
def test_numbers_whose_check_digit_would_be_ten_never_exist(first_nine: str, last: int) -> None:
    assert nhs_number_check_digit(first_nine) is None
    assert not is_valid_nhs_number(f"{first_nine}{last}")


@pytest.mark.parametrize("bad", ["", "123", "94347659199", "943476591X", "abc defg hij"])
def test_malformed_nhs_numbers_say_what_is_wrong(bad: str) -> None:
    with pytest.raises(ValidationError, match="10 digits"):
        validate_nhs_number(bad)


def test_a_wrong_check_digit_says_so() -> None:
    with pytest.raises(ValidationError, match="not a valid NHS number"):
        validate_nhs_number("943 476 5918")


def test_nhs_numbers_are_shown_as_three_three_four() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("N6 5AA", "N6 5AA"),
        (" ls1  4ap ", "LS1 4AP"),
        ("TR13LJ", "TR1 3LJ"),
    ],
)
def test_postcodes_are_normalised_and_accepted(typed: str, stored: str) -> None:
    assert normalise_postcode(typed) == stored
    validate_postcode(typed)


@pytest.mark.parametrize("bad", ["", "12345", "Q1 1AA", "SW1A 1A", "N6 5CI", "ABCDEFG"])
def test_malformed_postcodes_are_rejected(bad: str) -> None:
    with pytest.raises(ValidationError, match="real UK postcode"):
        validate_postcode(bad)
