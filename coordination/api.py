"""REST API for a patient's referrals, for their care team."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.models import Referral, Service, Urgency
from coordination.priority import IPOS_ITEMS, Carer, Phase, needs_of
from coordination.selectors import referrals_of
from coordination.services import referral_create
from organisations.permissions import Capability
from organisations.rest import acting
from patients.selectors import patient_for


class ReferralOut(serializers.ModelSerializer[Referral]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    band = serializers.CharField(source="effective_band")
    score = serializers.IntegerField()

    class Meta:
        model = Referral
        fields = ["id", "services", "urgency", "status", "received_at", "band", "score"]
        read_only_fields = fields


class NeedsIn(serializers.Serializer[Any]):
    """Anything left out (or null) is "not assessed": flagged, never scored as 0."""

    phase = serializers.ChoiceField(
        choices=[p.value for p in Phase], required=False, allow_null=True
    )
    akps = serializers.IntegerField(required=False, allow_null=True)
    ipos = serializers.ListField(
        child=serializers.IntegerField(allow_null=True),
        min_length=len(IPOS_ITEMS),
        max_length=len(IPOS_ITEMS),
        required=False,
    )
    carer = serializers.ChoiceField(
        choices=[c.value for c in Carer], required=False, allow_null=True
    )


class ReferralIn(serializers.Serializer[Any]):
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices), min_length=1
    )
    reason = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    needs = NeedsIn()


class PatientReferrals(APIView):
    @extend_schema(responses=ReferralOut(many=True), operation_id="patient_referrals")
    def get(self, request: Request, patient_id: UUID) -> Response:
        viewer = acting(request)
        patient = patient_for(viewer, patient_id, page="api referrals")
        return Response(ReferralOut(referrals_of(viewer, patient), many=True).data)

    @extend_schema(request=ReferralIn, responses={201: ReferralOut}, operation_id="refer")
    def post(self, request: Request, patient_id: UUID) -> Response:
        """Refer the patient to their region's co-ordination centre, ranked by the needs."""
        viewer = acting(request)
        patient = patient_for(
            viewer,
            patient_id,
            page="api refer",
            action=None,
            capability=Capability.REFER_FOR_CARE,
        )
        body = ReferralIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        needs = data["needs"]
        referral = referral_create(
            actor=viewer,
            patient=patient,
            services=data["services"],
            reason=data["reason"],
            urgency=data["urgency"],
            needs=needs_of(
                needs.get("phase"), needs.get("akps"), needs.get("ipos"), needs.get("carer")
            ),
        )
        return Response(ReferralOut(referral).data, status=201)
