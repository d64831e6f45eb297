from __future__ import annotations

from django.apps import AppConfig


class CarersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "carers"
    verbose_name = "Carers"
