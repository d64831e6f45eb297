"""Log filters. The service's own logs never hold an NHS number: a request line with one in
its query string (a GET search by NHS number, which the POST searches make unnecessary) is
masked before it is written."""

from __future__ import annotations

import logging
import re

# Ten digits, as typed or spaced 3 3 4 (with spaces, dashes or their URL encodings), not
# inside a longer run of digits (a UUID's last group has 12 hex characters; timestamps).
_NHS_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{3}(?:[ -]|%20|\+|%2D)?\d{3}(?:[ -]|%20|\+|%2D)?\d{4}(?![0-9A-Za-z])"
)
MASK = "[NHS number]"


def without_nhs_numbers(text: str) -> str:
    return _NHS_NUMBER.sub(MASK, text)


class NhsNumberFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = without_nhs_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
