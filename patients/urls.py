from __future__ import annotations

from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("find/", views.patient_find, name="find"),
    path("register/", views.patient_register, name="register"),
    path("emergency/", views.emergency_find, name="emergency_find"),
    path("emergency/break-glass/", views.break_glass, name="break_glass"),
    path("access-reviews/", views.access_reviews, name="access_reviews"),
    path("<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("<uuid:patient_id>/care-team/add/", views.care_team_add, name="care_team_add"),
    path("<uuid:patient_id>/contacts/<slug:kind>/", views.key_contact, name="key_contact"),
    path(
        "<uuid:patient_id>/care-team/<uuid:member_id>/remove/",
        views.care_team_remove,
        name="care_team_remove",
    ),
]
