"""REST API for patients: find by NHS number, read one. The same selectors as the pages:
people outside the care team get an empty list or 404, and the attempt is recorded."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations.rest import acting
from patients.identifiers import validate_nhs_number
from patients.models import Patient
from patients.selectors import find_patients, patient_for


class PatientOut(serializers.ModelSerializer[Patient]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    registered_gp_practice = serializers.CharField(source="registered_gp_practice.name")
    region = serializers.CharField(source="home_region.name")

    class Meta:
        model = Patient
        fields = [
            "id",
            "nhs_number",
            "nhs_number_status",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "date_of_death",
            "registered_gp_practice",
            "region",
        ]
        read_only_fields = fields


class FindIn(serializers.Serializer[dict[str, str]]):
    nhs_number = serializers.CharField(validators=[validate_nhs_number])


class PatientFind(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("nhs_number", str, required=True)],
        responses=PatientOut(many=True),
        operation_id="patients_find",
    )
    def get(self, request: Request) -> Response:
        """Patients of the caller's care teams with this NHS number (none or one)."""
        query = FindIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = find_patients(acting(request), nhs_number=query.validated_data["nhs_number"])
        return Response(PatientOut(found, many=True).data)


class PatientSearch(APIView):
    @extend_schema(
        request=FindIn,
        responses=PatientOut(many=True),
        operation_id="patients_search",
        description="Preferred to GET /patients/?nhs_number=: the NHS number stays in the "
        "request body, out of URLs and the access logs of every proxy on the way.",
    )
    def post(self, request: Request) -> Response:
        """Patients of the caller's care teams with this NHS number (none or one)."""
        body = FindIn(data=request.data)
        body.is_valid(raise_exception=True)
        found = find_patients(acting(request), nhs_number=body.validated_data["nhs_number"])
        return Response(PatientOut(found, many=True).data)


class PatientDetail(APIView):
    @extend_schema(responses=PatientOut, operation_id="patients_read")
    def get(self, request: Request, patient_id: UUID) -> Response:
        patient = patient_for(acting(request), patient_id, page="api patient")
        return Response(PatientOut(patient).data)
