"""Service errors as API errors (kept apart from rest.py, which DRF's settings import)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from audit.models import Action
from audit.services import record
from organisations.models import Membership


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
        _record_refusal(context)
        error = exceptions.PermissionDenied()
    return exception_handler(error, context)


def _record_refusal(context: dict[str, Any]) -> None:
    """A service refused the caller: recorded as a refusal, in the patient's stream when
    the request names one, as the pages' refusals are (organisations.decorators.refuse)."""
    request = context.get("request")
    membership = getattr(request, "auth", None)
    if request is None or not isinstance(membership, Membership):
        return
    patient_id = context.get("kwargs", {}).get("patient_id")
    record(
        actor=membership,
        action=Action.DENIED,
        patient_public_id=patient_id if isinstance(patient_id, UUID) else None,
        reason="the acting role cannot do this",
        detail={"api": "rest", "path": request.path, "method": request.method},
    )
