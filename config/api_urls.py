"""/api/v1/: one view per operation, beside each app (api.py); the schema and its
documentation page, served from this service (drf-spectacular-sidecar: no CDN)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from careplans import api as careplans
from consent import api as consent
from coordination import api as coordination
from patients import api as patients
from reminders import api as reminders

urlpatterns = [
    path("patients/", patients.PatientFind.as_view(), name="patients"),
    path("patients/search/", patients.PatientSearch.as_view(), name="patients_search"),
    path("patients/<uuid:patient_id>/", patients.PatientDetail.as_view(), name="patient"),
    path("patients/<uuid:patient_id>/plan/", careplans.WorkingCopyView.as_view(), name="plan"),
    path("patients/<uuid:patient_id>/versions/", careplans.VersionList.as_view(), name="versions"),
    path(
        "patients/<uuid:patient_id>/versions/<int:number>/",
        careplans.VersionDetail.as_view(),
        name="version",
    ),
    path(
        "patients/<uuid:patient_id>/plan/sections/<str:key>/",
        careplans.SectionUpdate.as_view(),
        name="section",
    ),
    path("patients/<uuid:patient_id>/plan/submit/", careplans.Submit.as_view(), name="submit"),
    path("patients/<uuid:patient_id>/plan/publish/", careplans.Publish.as_view(), name="publish"),
    path("patients/<uuid:patient_id>/consent/", consent.Consent.as_view(), name="consent"),
    path("patients/<uuid:patient_id>/summary/", careplans.Summary.as_view(), name="summary"),
    path(
        "patients/<uuid:patient_id>/referrals/",
        coordination.PatientReferrals.as_view(),
        name="referrals",
    ),
    path("notifications/", reminders.Notifications.as_view(), name="notifications"),
    # The schema and its docs are public: they describe, they hold no patient data.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path(
        "docs/",
        # The split view serves its start-up script as a file: the CSP allows no inline script.
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
]
