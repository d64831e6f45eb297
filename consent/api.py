"""REST API for consent to share: read the current consent, record it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.models import ConsentToShare, GivenBy
from consent.selectors import active_consent
from consent.services import consent_record
from organisations.permissions import Capability
from organisations.rest import acting
from patients.selectors import patient_for


class ConsentOut(serializers.ModelSerializer[ConsentToShare]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = ConsentToShare
        fields = ["id", "given_by", "given_by_name", "given_on", "recorded_at", "withdrawn_at"]
        read_only_fields = fields


class ConsentIn(serializers.Serializer[Any]):
    given_by = serializers.ChoiceField(choices=GivenBy.choices)
    given_on = serializers.DateField()
    given_by_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    consulted = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class Consent(APIView):
    @extend_schema(responses=ConsentOut, operation_id="consent_read")
    def get(self, request: Request, patient_id: UUID) -> Response:
        """The consent to share in force (404 if there is none)."""
        patient = patient_for(acting(request), patient_id, page="api consent")
        consent = active_consent(patient)
        if consent is None:
            return Response({"detail": "No consent to share is recorded"}, status=404)
        return Response(ConsentOut(consent).data)

    @extend_schema(request=ConsentIn, responses={201: ConsentOut}, operation_id="consent_record")
    def post(self, request: Request, patient_id: UUID) -> Response:
        viewer = acting(request)
        patient = patient_for(
            viewer,
            patient_id,
            page="api consent",
            action=None,
            capability=Capability.RECORD_CONSENT,
        )
        body = ConsentIn(data=request.data)
        body.is_valid(raise_exception=True)
        consent = consent_record(actor=viewer, patient=patient, **body.validated_data)
        return Response(ConsentOut(consent).data, status=201)
