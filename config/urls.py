from __future__ import annotations

from django.urls import include, path

from config.views import healthz, home

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("", include("organisations.urls")),
    path("patients/", include("patients.urls")),
    path("patients/", include("careplans.urls")),
    path("patients/", include("consent.urls")),
    path("patients/", include("deaths.urls")),
    path("patients/", include("register.urls")),
    path("", include("practice.urls")),
    path("", include("portal.urls")),
    path("", include("carers.urls")),
    path("", include("profiles.urls")),
    path("", include("reminders.urls")),
    path("reports/", include("reports.urls")),
    path("", include("coordination.urls")),
    path("fhir/R4/", include("interop.fhir.urls")),
    path("api/v1/", include(("config.api_urls", "api"))),
    # Passkeys (django-otp-webauthn): registering one, and proving it as a second factor.
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
]
