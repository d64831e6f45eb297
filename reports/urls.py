from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("ppd-achievement.csv", views.report_csv, name="report_csv"),
    path("plan-quality.csv", views.quality_csv, name="quality_csv"),
]
