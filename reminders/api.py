"""REST API for the caller's own reminders."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations.rest import acting
from reminders.models import Delivery
from reminders.selectors import notifications_for


class NotificationOut(serializers.ModelSerializer[Delivery]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(source="notification.get_kind_display")
    due_on = serializers.DateField(source="notification.due_on")
    patient = serializers.UUIDField(source="notification.subject.public_id")
    resolved_at = serializers.DateTimeField(source="notification.resolved_at", allow_null=True)

    class Meta:
        model = Delivery
        fields = ["id", "kind", "due_on", "patient", "read_at", "resolved_at"]
        read_only_fields = fields


class Notifications(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("page", int, required=False)],
        responses=NotificationOut(many=True),
        operation_id="notifications",
    )
    def get(self, request: Request) -> Response:
        """One page (25) of the caller's reminders, open ones first."""
        page = notifications_for(acting(request), page_number=request.query_params.get("page", 1))
        return Response(NotificationOut(list(page.object_list), many=True).data)
