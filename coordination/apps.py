from __future__ import annotations

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coordination"
    verbose_name = "Co-ordination centre"
