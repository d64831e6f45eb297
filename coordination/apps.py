from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coordination"
    verbose_name = "Co-ordination centre"

    def ready(self) -> None:
        from careplans.signals import death_recorded

        death_recorded.connect(_close_referrals, dispatch_uid="coordination.death")


def _close_referrals(sender: Any, *, death: Any, actor: Any, **kwargs: Any) -> None:
    """A recorded death closes the person's referrals and cancels their places."""
    from coordination.services import referrals_close_on_death

    referrals_close_on_death(actor=actor, patient=death.patient)
