"""REST API for a patient's referrals, for their care team."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.models import Referral
from coordination.selectors import referrals_of
from interop.rest import acting
from patients.selectors import patient_for


class ReferralOut(serializers.ModelSerializer[Referral]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    band = serializers.CharField(source="effective_band")
    score = serializers.IntegerField()

    class Meta:
        model = Referral
        fields = ["id", "services", "urgency", "status", "received_at", "band", "score"]
        read_only_fields = fields


class PatientReferrals(APIView):
    @extend_schema(responses=ReferralOut(many=True), operation_id="patient_referrals")
    def get(self, request: Request, patient_id: UUID) -> Response:
        viewer = acting(request)
        patient = patient_for(viewer, patient_id, page="api referrals")
        return Response(ReferralOut(referrals_of(viewer, patient), many=True).data)
