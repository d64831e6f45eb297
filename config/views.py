"""Views that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and container health checks: the process answers. Touches no
    database, so it is also the trivial baseline in bench/summary.py."""
    return HttpResponse("ok", content_type="text/plain")
