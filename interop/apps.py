from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interop"
    verbose_name = "Other systems: REST API and FHIR R4 read API"

    def ready(self) -> None:
        from interop import schema  # noqa: F401  (registers the token scheme)
