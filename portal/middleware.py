from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal.acting import SESSION_KEY, open_accounts


class PatientAccountMiddleware:
    """Sets request.patient_account for someone signed in with no staff role: the account
    chosen in this session, or their first. Runs after ActingMembershipMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.patient_account = None  # type: ignore[attr-defined]
        if request.user.is_authenticated and getattr(request, "membership", None) is None:
            accounts = list(open_accounts(request.user))
            chosen = request.session.get(SESSION_KEY)
            account = next((a for a in accounts if str(a.public_id) == chosen), None) or next(
                # Unchosen: the first whose LPA (if any) is still in force.
                (a for a in accounts if a.lpa_is_active),
                accounts[0] if accounts else None,
            )
            if account is not None:
                request.session[SESSION_KEY] = str(account.public_id)
            request.patient_account = account  # type: ignore[attr-defined]
        return self.get_response(request)
