from __future__ import annotations

from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("practice/case-finding/", views.case_finding, name="case_finding"),
    path("practice/case-finding/search/", views.search_upload, name="search_upload"),
    path(
        "practice/case-finding/search/<uuid:search_id>/confirm/",
        views.search_confirm,
        name="search_confirm",
    ),
    path("patients/<uuid:patient_id>/not-now/", views.not_now, name="not_now"),
    path("practice/meetings/", views.meetings, name="meetings"),
    path("practice/register-report/", views.register_report, name="register_report"),
    path("practice/meetings/<uuid:meeting_id>/", views.meeting, name="meeting"),
    path(
        "practice/meetings/<uuid:meeting_id>/sheet.pdf", views.meeting_sheet, name="meeting_sheet"
    ),
    path(
        "patients/<uuid:patient_id>/meetings/<uuid:meeting_id>/review/",
        views.review,
        name="review",
    ),
]
