"""Views that belong to no app: the home page, which gathers what needs doing from the apps
that own it, and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from careplans.selectors import approval_queue, open_change_requests
from organisations.acting import acting_membership, acting_patient_account
from organisations.decorators import acting_required, membership
from organisations.navigation import pages_for
from organisations.permissions import (
    Capability,
    can_handle_patient_requests,
    can_invite_patients,
    can_receive_reminders,
    has_capability,
)
from portal.selectors import waiting_account_requests
from reminders.selectors import open_counts


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and container health checks: the process answers. Touches no
    database, so it is also the trivial baseline in bench/summary.py."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff start here; patients and their attorneys have their own start page, and urgent
    care start on the summary search."""
    own = acting_patient_account(request) if acting_membership(request) is None else None
    if own is not None:
        return redirect("carers:home" if own.is_carer else "portal:home")
    return _staff_home(request)


@acting_required()
def _staff_home(request: HttpRequest) -> HttpResponse:
    acting = membership(request)
    if has_capability(acting, Capability.VIEW_SUMMARIES_OF_SERVED_REGIONS):
        return redirect("patients:emergency_find")  # urgent care's one task: find a summary
    counts: list[tuple[str, int, str]] = []
    if can_handle_patient_requests(acting):
        requests = open_change_requests(acting).count()
        if can_invite_patients(acting):
            requests += waiting_account_requests(acting).count()
        queue = reverse("portal:queue")
        counts += [
            ("Plans awaiting approval", approval_queue(acting).count(), queue),
            ("Requests from people and their families", requests, queue),
        ]
    if can_receive_reminders(acting):
        mine = open_counts(acting)
        notifications = reverse("reminders:notifications")
        counts += [
            ("Reviews due or overdue", mine["reviews"], notifications),
            ("Practice meeting actions for you", mine["actions"], notifications),
            ("Carers who say things are getting harder", mine["carers"], notifications),
            ("Missing at home (readiness gone red)", mine["readiness"], notifications),
            ("Families to contact after a death", mine["bereavement"], notifications),
        ]
    links = [(reverse(page.url_name), page.title, page.description) for page in pages_for(acting)]
    return render(request, "organisations/home.html", {"links": links, "counts": counts})
