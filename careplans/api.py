"""REST API for plans: the working copy, the published versions, and the emergency summary,
through the pages' selectors (the care team for the plan; the summary's own rule for the
summary), each read recorded."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careplans import selectors
from careplans.models import PublishedVersion
from careplans.summary import build_summary, key_safe_code_on_screen
from interop.rest import acting


class VersionOut(serializers.ModelSerializer[PublishedVersion]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    consent_basis = serializers.CharField(source="consent_basis.get_kind_display")

    class Meta:
        model = PublishedVersion
        fields = [
            "id",
            "number",
            "published_at",
            "approved_by_name",
            "approved_by_organisation",
            "consent_basis",
            "cpr_decision",
            "planned_review_date",
        ]
        read_only_fields = fields


class VersionDetailOut(VersionOut):
    sections = serializers.SerializerMethodField()

    class Meta(VersionOut.Meta):
        fields = [*VersionOut.Meta.fields, "sections"]
        read_only_fields = fields

    def get_sections(self, version: PublishedVersion) -> dict[str, Any]:
        return dict(version.snapshot.get("sections", {}))


class WorkingCopyOut(serializers.Serializer[Any]):
    status = serializers.CharField()
    sections = serializers.DictField(child=serializers.DictField())


class SummaryOut(serializers.Serializer[Any]):
    shareable = serializers.BooleanField()
    died_on = serializers.DateField(allow_null=True)
    summary = serializers.DictField(allow_null=True)


class WorkingCopyView(APIView):
    @extend_schema(responses=WorkingCopyOut, operation_id="plan_working_copy")
    def get(self, request: Request, patient_id: UUID) -> Response:
        """The plan being edited: its status and sections as stored."""
        patient = selectors.plan_patient_for(acting(request), patient_id, page="api plan")
        copy = selectors.working_copy_of(patient)
        return Response(
            {
                "status": copy.status if copy is not None else "none",
                "sections": selectors.section_data(copy),
            }
        )


class VersionList(APIView):
    @extend_schema(responses=VersionOut(many=True), operation_id="plan_versions")
    def get(self, request: Request, patient_id: UUID) -> Response:
        patient = selectors.plan_patient_for(acting(request), patient_id, page="api versions")
        return Response(VersionOut(selectors.versions_of(patient), many=True).data)


class VersionDetail(APIView):
    @extend_schema(responses=VersionDetailOut, operation_id="plan_version")
    def get(self, request: Request, patient_id: UUID, number: int) -> Response:
        patient = selectors.plan_patient_for(acting(request), patient_id, page="api version")
        return Response(VersionDetailOut(selectors.version_for(patient, number)).data)


class Summary(APIView):
    @extend_schema(responses=SummaryOut, operation_id="emergency_summary")
    def get(self, request: Request, patient_id: UUID) -> Response:
        """The emergency summary of the current published version, if it may be shared."""
        viewer = acting(request)
        access = selectors.summary_for(viewer, patient_id, page="api summary")
        summary = (
            asdict(
                build_summary(
                    access.version, key_safe_code_withheld_as=key_safe_code_on_screen(viewer)
                )
            )
            if access.version
            else None
        )
        return Response(
            {"shareable": summary is not None, "died_on": access.died_on, "summary": summary}
        )
