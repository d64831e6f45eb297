from __future__ import annotations

from django.urls import path

from coordination import views

app_name = "coordination"

urlpatterns = [
    path(
        "patients/<uuid:patient_id>/referrals/", views.patient_referrals, name="patient_referrals"
    ),
    path("patients/<uuid:patient_id>/refer/", views.refer, name="refer"),
    path("coordination/", views.queue, name="queue"),
    path("coordination/dashboard/", views.dashboard, name="dashboard"),
    path("coordination/propose/", views.propose, name="propose"),
    path("coordination/targets/", views.targets, name="targets"),
    path("coordination/referrals/<uuid:referral_id>/", views.referral, name="referral"),
    path("coordination/referrals/<uuid:referral_id>/triage/", views.triage, name="triage"),
    path("coordination/referrals/<uuid:referral_id>/assess/", views.assess, name="assess"),
    path("coordination/referrals/<uuid:referral_id>/band/", views.override, name="override"),
    path("coordination/referrals/<uuid:referral_id>/offer/", views.offer, name="offer"),
    path("coordination/referrals/<uuid:referral_id>/close/", views.close, name="close"),
    path("coordination/places/<uuid:allocation_id>/", views.allocation, name="allocation"),
]
