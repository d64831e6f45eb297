"""Pages: a person's notifications, marking them read, and an organisation lead's overdue
reviews."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from organisations.decorators import acting_required, membership
from organisations.permissions import can_receive_reminders, can_view_overdue_reviews
from reminders import selectors, services


@acting_required(can_receive_reminders)
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = selectors.notifications_for(membership(request), page_number=request.GET.get("page", 1))
    return render(
        request, "reminders/notifications.html", {"page": page, "today": timezone.localdate()}
    )


@acting_required(can_receive_reminders)
@require_POST
def mark_read(request: HttpRequest, delivery_id: UUID) -> HttpResponse:
    acting = membership(request)
    delivery = selectors.delivery_for(acting, delivery_id)
    services.delivery_mark_read(actor=acting, delivery=delivery)
    return redirect("reminders:notifications")


@acting_required(can_receive_reminders)
@require_GET
def open_delivery(request: HttpRequest, delivery_id: UUID) -> HttpResponse:
    """Open the plan a notification is about, marking the notification read: opening it is
    reading it. (Only the viewer's own notification, of a patient they may still see.)"""
    acting = membership(request)
    delivery = selectors.delivery_for(acting, delivery_id)
    if delivery.read_at is None:
        services.delivery_mark_read(actor=acting, delivery=delivery)
    return redirect("careplans:overview", patient_id=delivery.notification.subject.public_id)


@acting_required(can_receive_reminders)
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.deliveries_mark_all_read(actor=membership(request))
    messages.info(request, f"{marked} marked as read." if marked else "Nothing was unread.")
    return redirect("reminders:notifications")


@acting_required(can_view_overdue_reviews)
@require_GET
def overdue_reviews(request: HttpRequest) -> HttpResponse:
    acting = membership(request)
    rows, page = selectors.overdue_reviews(acting, page_number=request.GET.get("page", 1))
    return render(
        request,
        "reminders/overdue_reviews.html",
        {"rows": rows, "page": page, "organisation": acting.organisation},
    )
