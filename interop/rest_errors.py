"""Service errors as API errors (kept apart from rest.py, which DRF's settings import)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def handle_exception(error: Exception, context: dict[str, Any]) -> Response | None:
    """Service errors as API errors: ValidationError -> 400 by field, PermissionDenied ->
    403 (role-level: object-level refusals are 404 from the selectors)."""
    if isinstance(error, DjangoValidationError):
        detail = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {"non_field_errors": error.messages}
        )
        error = exceptions.ValidationError(detail)
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied()
    return exception_handler(error, context)
