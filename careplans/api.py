"""REST API for plans: the working copy, the published versions, and the emergency summary,
through the pages' selectors (the care team for the plan; the summary's own rule for the
summary), each read recorded."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careplans import selectors, services
from careplans.models import PublishedVersion, WorkingCopy
from careplans.sections import (
    HIDDEN_FROM_PLAN,
    SECTION_BY_KEY,
    content_fingerprint,
    form_data_from_stored,
    unknown_items,
    without_key_safe_code,
)
from careplans.summary import build_summary, key_safe_code_on_screen
from consent.services import BasisDetails
from organisations.rest import acting
from patients.models import Patient


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
        return without_key_safe_code(dict(version.snapshot.get("sections", {})))


class WorkingCopyOut(serializers.Serializer[Any]):
    status = serializers.CharField()
    section_fingerprints = serializers.DictField(
        child=serializers.CharField(),
        help_text="Each section's fingerprint: send it as `based_on` when saving the section",
    )
    plan_status = serializers.CharField(
        help_text="active, or completed once the person has died (the plan is then closed)"
    )
    died_on = serializers.DateField(allow_null=True)
    fingerprint = serializers.CharField(help_text="Send it back as `approving` to publish")
    sections = serializers.DictField(child=serializers.DictField())


class SectionIn(serializers.Serializer[Any]):
    items = serializers.DictField(help_text="The section's items as stored (dates as ISO)")
    based_on = serializers.CharField(
        required=False, help_text="The section's fingerprint as read: a newer save is refused"
    )


class ConflictOut(serializers.Serializer[Any]):
    item = serializers.CharField()
    saved = serializers.CharField()
    yours = serializers.CharField()


class SectionConflictOut(serializers.Serializer[Any]):
    detail = serializers.CharField()
    based_on = serializers.ListField(child=serializers.CharField())
    conflicts = ConflictOut(many=True)


class SectionOut(serializers.Serializer[Any]):
    key = serializers.CharField()
    items = serializers.DictField()
    changed = serializers.BooleanField()


class BasisIn(serializers.Serializer[Any]):
    kind = serializers.CharField()
    with_whom = serializers.CharField()
    discussed_on = serializers.DateField()


class PublishIn(serializers.Serializer[Any]):
    basis = BasisIn()
    approving = serializers.CharField(help_text="The working copy's fingerprint as read")
    acknowledged = serializers.ListField(child=serializers.CharField(), required=False)


class ProblemOut(serializers.Serializer[Any]):
    rule = serializers.CharField()
    message = serializers.CharField()


class ChangeOut(serializers.Serializer[Any]):
    section = serializers.CharField()
    item = serializers.CharField()
    old = serializers.CharField(help_text="In plain English, as the version page shows it")
    new = serializers.CharField()


class PublishPreviewOut(serializers.Serializer[Any]):
    fingerprint = serializers.CharField(
        help_text="Send it back as `approving` to publish: empty when there is no working copy"
    )
    blocking = ProblemOut(many=True, help_text="Each must be put right before publishing")
    warnings = ProblemOut(
        many=True, help_text="Each must be acknowledged by its rule (`acknowledged`)"
    )
    latest_version = serializers.IntegerField(allow_null=True)
    changes = ChangeOut(many=True, help_text="Since the latest published version")


class SummaryOut(serializers.Serializer[Any]):
    shareable = serializers.BooleanField()
    died_on = serializers.DateField(allow_null=True)
    summary = serializers.DictField(allow_null=True)


def _working_copy_out(patient: Patient, copy: WorkingCopy | None) -> dict[str, Any]:
    sections = selectors.section_data(copy)
    return {
        "status": copy.status if copy is not None else "none",
        "plan_status": "completed" if patient.date_of_death else "active",
        "died_on": patient.date_of_death,
        "fingerprint": services.plan_fingerprint(copy) if copy is not None else "",
        "sections": without_key_safe_code(sections),
        "section_fingerprints": {k: content_fingerprint(v) for k, v in sections.items()},
    }


class WorkingCopyView(APIView):
    @extend_schema(responses=WorkingCopyOut, operation_id="plan_working_copy")
    def get(self, request: Request, patient_id: UUID) -> Response:
        """The plan being edited: its status and sections as stored."""
        patient = selectors.plan_patient_for(acting(request), patient_id, page="api plan")
        return Response(_working_copy_out(patient, selectors.working_copy_of(patient)))


class SectionUpdate(APIView):
    @extend_schema(
        request=SectionIn,
        responses={200: SectionOut, 409: SectionConflictOut},
        operation_id="plan_section_update",
    )
    def put(self, request: Request, patient_id: UUID, key: str) -> Response:
        """Save one section, validated as on its page (400 by item)."""
        viewer = acting(request)
        patient = selectors.plan_patient_for(viewer, patient_id, page="api section", action=None)
        if key not in SECTION_BY_KEY:
            raise NotFound("No such section")
        body = SectionIn(data=request.data)
        body.is_valid(raise_exception=True)
        stored = {**body.validated_data["items"]}
        if stored.get("key_safe_code") == HIDDEN_FROM_PLAN["key_safe_code"]:
            # Read back as words, sent back unchanged: the code recorded stays.
            del stored["key_safe_code"]
        unknown = unknown_items(key, stored)
        if unknown:
            raise ValidationError({name: [why] for name, why in unknown.items()})
        if "based_on" in body.validated_data:
            stored["based_on"] = body.validated_data["based_on"]
        try:
            saved = services.section_save(
                actor=viewer, patient=patient, key=key, data=form_data_from_stored(key, stored)
            )
        except services.SectionConflict as changed:
            # 409: nothing saved; the client reads the section again and decides.
            return Response(
                {
                    "detail": services.SECTION_CHANGED.format(title=SECTION_BY_KEY[key].title),
                    "based_on": ["Read the section again: its fingerprint has changed"],
                    "conflicts": [
                        {"item": c.item, "saved": c.theirs, "yours": c.mine} for c in changed.items
                    ],
                },
                status=409,
            )
        except services.SectionInvalid as invalid:
            raise ValidationError(
                {
                    field: [str(m) for m in messages]
                    for field, messages in invalid.form.errors.items()
                }
            ) from invalid
        data = (
            saved.data
            if saved is not None
            else selectors.section_data(selectors.working_copy_of(patient)).get(key, {})
        )
        items = without_key_safe_code({key: data})[key]
        return Response({"key": key, "items": items, "changed": saved is not None})


class Submit(APIView):
    @extend_schema(request=None, responses=WorkingCopyOut, operation_id="plan_submit")
    def post(self, request: Request, patient_id: UUID) -> Response:
        """Send the draft for approval."""
        viewer = acting(request)
        patient = selectors.plan_patient_for(viewer, patient_id, page="api submit", action=None)
        copy = services.careplan_submit(actor=viewer, patient=patient)
        return Response(_working_copy_out(patient, copy))


class Publish(APIView):
    @extend_schema(responses=PublishPreviewOut, operation_id="plan_publish_preview")
    def get(self, request: Request, patient_id: UUID) -> Response:
        """What publishing now would meet, as the approver's page shows it: the fingerprint
        to approve, blocking problems, warnings to acknowledge and the changes since the
        latest published version."""
        viewer = acting(request)
        patient = selectors.plan_patient_for(viewer, patient_id, page="api publish preview")
        preview = services.careplan_publish_preview(actor=viewer, patient=patient)
        return Response(
            PublishPreviewOut(
                {
                    "fingerprint": preview.fingerprint,
                    "blocking": preview.blocking,
                    "warnings": preview.warnings,
                    "latest_version": preview.latest.number if preview.latest else None,
                    "changes": preview.changes,
                }
            ).data
        )

    @extend_schema(request=PublishIn, responses={201: VersionOut}, operation_id="plan_publish")
    def post(self, request: Request, patient_id: UUID) -> Response:
        """Publish the working copy with a consent basis; warnings must be acknowledged by
        their rule, and blocking problems refuse it (400 either way, with the reasons)."""
        viewer = acting(request)
        patient = selectors.plan_patient_for(viewer, patient_id, page="api publish", action=None)
        body = PublishIn(data=request.data)
        body.is_valid(raise_exception=True)
        basis = body.validated_data["basis"]
        try:
            version = services.careplan_publish(
                actor=viewer,
                patient=patient,
                basis=BasisDetails(basis["kind"], basis["with_whom"], basis["discussed_on"]),
                acknowledged=body.validated_data.get("acknowledged", []),
                approving=body.validated_data["approving"],
            )
        except services.PlanChanged as changed:
            raise ValidationError({"approving": changed.messages}) from changed
        except services.PublishRefused as refused:
            raise ValidationError(
                {"non_field_errors": [p.message for p in refused.problems]}
            ) from refused
        except services.AcknowledgementNeeded as needed:
            raise ValidationError(
                {"acknowledged": [f"{w.rule}: {w.message}" for w in needed.warnings]}
            ) from needed
        return Response(VersionOut(version).data, status=201)


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
