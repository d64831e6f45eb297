from __future__ import annotations

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<uuid:delivery_id>/read/", views.mark_read, name="mark_read"),
    path("notifications/<uuid:delivery_id>/open/", views.open_delivery, name="open"),
    path("overdue-reviews/", views.overdue_reviews, name="overdue_reviews"),
]
