from __future__ import annotations

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Regions, organisations and memberships"

    def ready(self) -> None:
        from organisations import signals  # noqa: F401  (connects the sign-in receiver)
