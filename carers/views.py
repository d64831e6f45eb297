"""A carer's pages: what the person shares, whom to call, and telling the team."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carers import selectors, services
from carers.forms import TellTheTeamForm
from frontend.forms import show_service_errors
from portal.decorators import account, carer_required


@carer_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "carers/home.html", {"view": selectors.shared_view(account(request))})


@carer_required
@require_http_methods(["GET", "POST"])
def tell(request: HttpRequest) -> HttpResponse:
    acting = account(request)
    form = TellTheTeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.carer_message_send(actor=acting, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(
                request,
                "Thank you. The care team has your message and will contact you. If you need "
                "help sooner, call the number below.",
            )
            return redirect("carers:home")
    return render(
        request, "carers/tell.html", {"form": form, "who": selectors.telling_page(acting)}
    )
