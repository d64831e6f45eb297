from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from organisations.acting import CAN_SWITCH_KEY, SESSION_KEY
from organisations.selectors import active_memberships, membership_of
from organisations.signals import SIGNED_IN_AT

# A session is saved, and its 30 idle minutes (SESSION_COOKIE_AGE) start again, at most once
# a minute rather than on every page: a write saved on every request (a database session's
# is a transaction of its own) for an idle timeout of 29 to 30 minutes.
REFRESHED_AT = "refreshed_at"
REFRESH_EVERY = dt.timedelta(minutes=1)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, however active, and keeps an active one alive:
    idle sessions end 30 minutes (SESSION_COOKIE_AGE) after the last save, made at most
    REFRESH_EVERY apart. As SESSION_SAVE_EVERY_REQUEST did, this keeps alive any session the
    request used that holds something (a signed-in person's, or an invitation's link before
    sign-in), and never starts one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            too_old = started is None or (
                timezone.now() - dt.datetime.fromisoformat(started)
                > settings.SESSION_ABSOLUTE_LIFETIME
            )
            if too_old:
                logout(request)
                messages.info(request, "You have been signed out after 12 hours. Sign in again.")
                return redirect(settings.LOGIN_URL)
        response = self.get_response(request)
        session = request.session
        if session.accessed and not session.is_empty():
            refreshed = session.get(REFRESHED_AT)
            now = timezone.now()
            since = now - dt.datetime.fromisoformat(refreshed) if refreshed else None
            # A clock set back (another server's) refreshes too, rather than never.
            if since is None or not dt.timedelta(0) <= since < REFRESH_EVERY:
                session[REFRESHED_AT] = now.isoformat()  # saved, with a new expiry
        return response


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person are never kept by the browser: on a shared ward computer,
    Back after signing out must not show a patient's details again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class ActingMembershipMiddleware:
    """Sets request.membership: the membership chosen for this session, or the only one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            chosen = request.session.get(SESSION_KEY)
            if chosen:
                membership = membership_of(request.user, chosen)
                if membership is None:
                    # The chosen role has ended: ask again rather than switch silently, so
                    # that nothing open in this session goes on under another organisation.
                    request.session.pop(SESSION_KEY, None)
            else:
                only = list(active_memberships(request.user)[:2])
                membership = only[0] if len(only) == 1 else None
                if membership is not None:
                    request.session[SESSION_KEY] = str(membership.public_id)
                    request.session[CAN_SWITCH_KEY] = False
            request.membership = membership  # type: ignore[attr-defined]
        return self.get_response(request)
