from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from patients.selectors import who_to_call
from portal.acting import patient_account

PAGES = [
    ("portal:home", "Home"),
    ("portal:plan", "My plan"),
    ("portal:changes", "Ask for a change"),
    ("portal:consent", "Sharing"),
    ("portal:access_log", "Who looked at my record"),
    ("portal:carers", "My carers"),
]
# A carer's own pages: nothing of the person's other pages.
CARER_PAGES = [("carers:home", "Home"), ("carers:tell", "Tell the team")]


def patient_account_context(request: HttpRequest) -> dict[str, Any]:
    account = patient_account(request)
    if account is None:
        return {"patient_account": None}
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {
        "patient_account": account,
        # Every page of the person's own shows whom to contact: read only when shown.
        "who": SimpleLazyObject(lambda: who_to_call(account.patient)),
        "navigation": [
            {"href": reverse(name), "text": text, "current": name == current}
            for name, text in (CARER_PAGES if account.is_carer else PAGES)
        ],
    }
