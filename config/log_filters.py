"""Log filters. The service's own logs never hold an NHS number: a request line with one in
its query string (a GET search by NHS number, which the POST searches make unnecessary) is
masked before it is written. A refused request is one line."""

from __future__ import annotations

import logging
import re
from pathlib import Path

# Ten digits, as typed or spaced 3 3 4 (with spaces, dashes or their URL encodings), not
# inside a longer run of digits (a UUID's last group has 12 hex characters; timestamps).
_NHS_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{3}(?:[ -]|%20|\+|%2D)?\d{3}(?:[ -]|%20|\+|%2D)?\d{4}(?![0-9A-Za-z])"
)
MASK = "[NHS number]"
# The repository: the innermost frame from a file in it (not from an installed package, even
# one installed inside it) is where a refusal was made. Read from where the code lies, so
# that a new app needs no entry here.
REPOSITORY = Path(__file__).resolve().parents[1]


def _in_repository(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(REPOSITORY) and "site-packages" not in path.parts


def without_nhs_numbers(text: str) -> str:
    return _NHS_NUMBER.sub(MASK, text)


class NhsNumberFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = without_nhs_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class OneLineRefusals(logging.Filter):
    """A refused request (403) is one line saying where it was refused, not a traceback:
    refusals are the permission table working, and a traceback for each buried real errors.
    The line names the code that refused (a module and function), never a person."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or not record.exc_info:
            return True
        _type, _error, trace = record.exc_info
        refused_in = ""
        while trace is not None:
            frame = trace.tb_frame
            if _in_repository(frame.f_code.co_filename):
                refused_in = f"{frame.f_globals.get('__name__', '')}.{frame.f_code.co_name}"
            trace = trace.tb_next
        record.exc_info, record.exc_text = None, None
        if refused_in:
            record.msg, record.args = f"{record.getMessage()} (refused in {refused_in})", None
        return True
