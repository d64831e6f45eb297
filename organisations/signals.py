from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in)
def remember_sign_in_time(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """The start of the 12-hour limit enforced by SessionLifetimeMiddleware."""
    request.session[SIGNED_IN_AT] = timezone.now().isoformat()
