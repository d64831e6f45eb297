from __future__ import annotations

from django.urls import path

from careplans import views

app_name = "careplans"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("<uuid:patient_id>/plan/", views.plan_overview, name="overview"),
    path("<uuid:patient_id>/plan/submit/", views.plan_submit, name="submit"),
    path("<uuid:patient_id>/plan/publish/", views.plan_publish, name="publish"),
    path("<uuid:patient_id>/plan/versions/", views.version_list, name="versions"),
    path("<uuid:patient_id>/plan/versions/<int:number>/", views.version_detail, name="version"),
    path("<uuid:patient_id>/plan/compare/", views.version_compare, name="compare"),
    path("<uuid:patient_id>/plan/pdf/", views.plan_pdf, name="plan_pdf"),
    path("<uuid:patient_id>/summary/", views.emergency_summary, name="summary"),
    path("<uuid:patient_id>/summary/pdf/", views.emergency_summary_pdf, name="summary_pdf"),
    path(
        "<uuid:patient_id>/plan/requests/<uuid:request_id>/",
        views.change_request_answer,
        name="change_request",
    ),
    path("<uuid:patient_id>/plan/<slug:section_key>/", views.section_edit, name="section"),
]
