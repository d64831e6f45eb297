"""A page whose service refuses (for tests/test_quiet_console.py): the view calls the real
patient_register as someone who may not register patients."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project_urls
from organisations.models import Membership
from patients import services


def refused(request: HttpRequest) -> HttpResponse:
    actor = Membership.objects.get(user__username=request.GET["as"])
    services.patient_register(actor=actor, details=None)  # type: ignore[arg-type]
    return HttpResponse("not reached")


urlpatterns = [path("refused/", refused), *project_urls.urlpatterns]  # the 403 page links to them
