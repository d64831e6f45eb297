from __future__ import annotations

from django.urls import path

from profiles import readiness_views, views

app_name = "profiles"
PROFILE = "region/care-profile/"
PATIENT = "patients/<uuid:patient_id>/readiness/"

urlpatterns = [
    path(PROFILE, views.overview, name="overview"),
    path(f"{PROFILE}versions/<int:number>/", views.version, name="version"),
    path(f"{PROFILE}draft/", views.draft_start, name="draft_start"),
    path(f"{PROFILE}draft/publish/", views.publish, name="publish"),
    path(f"{PROFILE}draft/discard/", views.discard, name="discard"),
    path(f"{PROFILE}draft/stages/<str:stage>/", views.stage_edit, name="stage_edit"),
    path(
        f"{PROFILE}draft/stages/<str:stage>/services/new/", views.service_edit, name="service_add"
    ),
    path(f"{PROFILE}draft/services/<uuid:service_id>/", views.service_edit, name="service_edit"),
    path(
        f"{PROFILE}draft/services/<uuid:service_id>/remove/",
        views.service_remove,
        name="service_remove",
    ),
    path(PATIENT, readiness_views.readiness, name="readiness"),
    path(
        "patients/<uuid:patient_id>/bereavement/",
        readiness_views.bereavement,
        name="bereavement",
    ),
    path(f"{PATIENT}<str:kind>/", readiness_views.readiness_item, name="readiness_item"),
]
