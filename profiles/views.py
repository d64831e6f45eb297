"""The region's care profile, kept by its regional admin or commissioner: see it, start a
draft, change a stage or a service, publish. Thin: the services refuse, the selectors read."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.forms import show_service_errors
from organisations.decorators import acting_required, membership
from organisations.permissions import can_keep_care_profile
from profiles import selectors, services
from profiles.forms import RevisionForm, ServiceForm, StageForm
from profiles.services import ServiceDetails
from profiles.terminology import Stage

keepers = acting_required(can_keep_care_profile)


def _stage(key: str) -> Stage:
    if key not in Stage.values:
        raise Http404("No such stage")
    return Stage(key)


def _overview(request: HttpRequest, problems: list[str] | None = None) -> HttpResponse:
    return render(
        request,
        "profiles/overview.html",
        {"keeping": selectors.keeping(membership(request)), "problems": problems or []},
        status=409 if problems else 200,
    )


@keepers
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request)


@keepers
@require_GET
def version(request: HttpRequest, number: int) -> HttpResponse:
    found = selectors.version_for_keeper(membership(request), number)
    if found is None:
        raise Http404("No such version")
    return render(request, "profiles/version.html", {"profile": found})


@keepers
@require_POST
def draft_start(request: HttpRequest) -> HttpResponse:
    services.draft_start(actor=membership(request))
    return redirect("profiles:overview")


def _draft(request: HttpRequest) -> selectors.Profile:
    draft = selectors.keeping(membership(request)).draft
    if draft is None:  # a link followed after the draft was published: start again
        raise Http404("No draft")
    return draft


@keepers
@require_http_methods(["GET", "POST"])
def stage_edit(request: HttpRequest, stage: str) -> HttpResponse:
    acting = membership(request)
    chosen = _stage(stage)
    draft = _draft(request)
    text = selectors.stage_text(draft.version, chosen)
    form = StageForm(
        request.POST if request.method == "POST" else None,
        stage=chosen,
        initial={
            "revision": draft.version.revision,
            "information": text.information if text else "",
            "to_discuss": text.to_discuss if text else [],
            "bereavement_from_days": draft.version.bereavement_from_days,
            "bereavement_to_days": draft.version.bereavement_to_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_save(
                actor=acting,
                revision=data["revision"],
                stage=chosen,
                information=data["information"],
                to_discuss=data["to_discuss"],
                bereavement_from_days=data.get("bereavement_from_days"),
                bereavement_to_days=data.get("bereavement_to_days"),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{chosen.label} is saved in the draft.")
            return redirect("profiles:overview")
    return render(
        request, "profiles/stage_form.html", {"form": form, "stage": chosen, "draft": draft}
    )


@keepers
@require_http_methods(["GET", "POST"])
def service_edit(
    request: HttpRequest, stage: str | None = None, service_id: UUID | None = None
) -> HttpResponse:
    acting = membership(request)
    draft = _draft(request)
    service = None
    if service_id is not None:
        service = selectors.draft_service(acting, service_id)
        if service is None:
            raise Http404("No such service in the draft")
    chosen = _stage(service.stage if service else stage or "")
    initial = {"revision": draft.version.revision}
    if service is not None:
        initial |= {
            name: getattr(service, name)
            for name in ServiceForm.base_fields
            if name not in ("revision",)
        }
    form = ServiceForm(
        request.POST if request.method == "POST" else None,
        region_id=acting.organisation.region_id,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            services.service_save(
                actor=acting,
                revision=revision,
                stage=chosen,
                details=ServiceDetails(**data),
                service_id=service.public_id if service else None,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.info(request, f"{data['name']} is saved in the draft ({chosen.label}).")
            return redirect("profiles:overview")
    return render(
        request,
        "profiles/service_form.html",
        {"form": form, "stage": chosen, "service": service, "draft": draft},
    )


def _revision_post(request: HttpRequest) -> int | None:
    form = RevisionForm(request.POST)
    return form.cleaned_data["revision"] if form.is_valid() else None


@keepers
@require_POST
def service_remove(request: HttpRequest, service_id: UUID) -> HttpResponse:
    acting = membership(request)
    service = selectors.draft_service(acting, service_id)
    if service is None:
        raise Http404("No such service in the draft")
    try:
        services.service_remove(
            actor=acting, revision=_revision_post(request) or 0, service_id=service.public_id
        )
    except ValidationError as error:
        return _overview(request, error.messages)
    messages.info(request, f"{service.name} is removed from the draft.")
    return redirect("profiles:overview")


@keepers
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        published = services.profile_publish(
            actor=membership(request), revision=_revision_post(request) or 0
        )
    except ValidationError as error:
        return _overview(request, error.messages)
    messages.info(request, f"Version {published.number} is published: everyone now sees it.")
    return redirect("profiles:overview")


@keepers
@require_POST
def discard(request: HttpRequest) -> HttpResponse:
    try:
        services.draft_discard(actor=membership(request), revision=_revision_post(request) or 0)
    except ValidationError as error:
        return _overview(request, error.messages)
    messages.info(request, "The draft is discarded. The published profile is unchanged.")
    return redirect("profiles:overview")
