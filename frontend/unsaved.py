"""Nothing typed is lost when a session ends.

A form shown to a signed-in person carries a signed note of who they are
(`{% keep_if_signed_out %}`). If their session has ended by the time they press Save,
the request is anonymous; what they typed is then held for them, server-side, for a short
time, keyed by that person and the page, and they are sent to sign in. Back on the page
after signing in, they find their typing restored, not yet saved. Anyone else who signs in
on that computer finds nothing: the note names the person it was shown to, and it cannot
be forged (it is signed with the service's secret key).

An htmx request that meets an ended session is sent to sign in as a whole page, never
with the sign-in page swapped into the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django_htmx.http import HttpResponseClientRedirect

FIELD = "_kept_for"
KEPT_FOR = dt.timedelta(minutes=30)
_SALT = "frontend.unsaved"
_NOT_KEPT = frozenset({"csrfmiddlewaretoken", FIELD})
View = Callable[..., HttpResponse]


def owner_note(user_pk: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(user_pk))


def _owner(request: HttpRequest) -> str | None:
    try:
        return signing.TimestampSigner(salt=_SALT).unsign(
            request.POST.get(FIELD, ""), max_age=settings.SESSION_ABSOLUTE_LIFETIME
        )
    except signing.BadSignature:
        return None


def _key(owner: str, path: str) -> str:
    return f"unsaved:{owner}:{path}"


def keep(request: HttpRequest) -> bool:
    """Hold what an anonymous POST carried for the person its form was shown to."""
    owner = _owner(request) if request.method == "POST" else None
    if owner is None:
        return False
    typed = {name: request.POST.getlist(name) for name in request.POST if name not in _NOT_KEPT}
    cache.set(_key(owner, request.path), typed, timeout=int(KEPT_FOR.total_seconds()))
    return True


def take(request: HttpRequest) -> QueryDict | None:
    """What this signed-in person typed on this page before their session ended, once."""
    if not request.user.is_authenticated:
        return None
    key = _key(str(request.user.pk), request.path)
    typed: dict[str, list[str]] | None = cache.get(key)
    if typed is None:
        return None
    cache.delete(key)
    restored = QueryDict(mutable=True)
    for name, values in typed.items():
        restored.setlist(name, values)
    return restored


def signed_in_required(view: View) -> View:
    """Like login_required, but an ended session loses nothing and never lands the sign-in
    page inside an htmx fragment."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if keep(request):
            messages.info(
                request,
                "Your session ended before your changes were saved. Sign in again: what you "
                "typed is kept for 30 minutes and will be back on the page, not yet saved.",
            )
        target = request.path if request.method == "POST" else request.get_full_path()
        response = redirect_to_login(target, settings.LOGIN_URL)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response["Location"])
        return response

    return wrapper
