"""Changing a region's care profile: one draft at a time, each change checked against the
revision the editor saw, published whole. The only place that refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core.phone import phone_problem
from organisations.models import Membership, Organisation
from organisations.permissions import can_keep_care_profile
from profiles.models import (
    CareProfile,
    ProfileService,
    ProfileVersion,
    StageText,
    VersionStatus,
)
from profiles.terminology import TO_DISCUSS, Stage

INFORMATION_MAX = 3_000
WINDOW_MAX_DAYS = 365


class DraftChanged(ValidationError):
    """The draft moved on (someone saved, published or discarded it) since the editor read
    it: nothing was saved, and the form keeps what they typed."""


def _profile(actor: Membership) -> CareProfile:
    if not can_keep_care_profile(actor):
        raise PermissionDenied
    region = actor.organisation.region
    CareProfile.objects.get_or_create(region=region)
    return CareProfile.objects.select_for_update().get(region=region)


def _who(version: ProfileVersion) -> str:
    user = version.changed_by
    return user.get_full_name() or user.get_username()


def _locked_draft(actor: Membership, revision: int) -> ProfileVersion:
    """The region's draft, locked, if it is still the one the editor saw."""
    profile = _profile(actor)
    draft = profile.versions.filter(status=VersionStatus.DRAFT).select_related("changed_by").first()
    if draft is None:
        last = profile.versions.select_related("changed_by").order_by("-changed_at").first()
        happened = (
            f" {_who(last)} {last.get_status_display().lower()} it at "
            f"{timezone.localtime(last.changed_at):%H:%M on %-d %B %Y}."
            if last is not None
            else ""
        )
        raise DraftChanged(
            f"The draft you were editing is no longer a draft.{happened} Nothing was saved: "
            "what you typed is below. Start a new draft to make the change."
        )
    if draft.revision != revision:
        raise DraftChanged(
            f"{_who(draft)} changed this draft at "
            f"{timezone.localtime(draft.changed_at):%H:%M} while you were editing. Nothing was "
            "saved: what you typed is below. Check the draft as it is now and save again."
        )
    return draft


def _changed(actor: Membership, draft: ProfileVersion, what: str, **detail: Any) -> None:
    draft.revision += 1
    draft.changed_by = actor.user
    draft.save(update_fields=["revision", "changed_by", "changed_at"])
    record(
        actor=actor,
        action=Action.CARE_PROFILE_CHANGE,
        detail={"profile_version": str(draft.public_id), "change": what, **detail},
    )


@transaction.atomic
def draft_start(*, actor: Membership) -> ProfileVersion:
    """The region's draft: the one being edited, or a copy of the published version (or
    an empty profile) to edit."""
    profile = _profile(actor)
    draft = profile.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    published = profile.versions.filter(status=VersionStatus.PUBLISHED).first()
    last = profile.versions.order_by("-number").first()
    draft = ProfileVersion.objects.create(
        profile=profile,
        number=(last.number + 1) if last else 1,
        status=VersionStatus.DRAFT,
        created_by=actor.user,
        changed_by=actor.user,
        bereavement_from_days=published.bereavement_from_days if published else 21,
        bereavement_to_days=published.bereavement_to_days if published else 42,
    )
    if published is not None:
        StageText.objects.bulk_create(
            StageText(
                version=draft,
                stage=text.stage,
                information=text.information,
                to_discuss=text.to_discuss,
            )
            for text in published.stages.all()
        )
        ProfileService.objects.bulk_create(
            ProfileService(
                **{
                    field.name: getattr(service, field.name)
                    for field in ProfileService._meta.concrete_fields
                    if field.name not in ("id", "public_id", "version")
                },
                version=draft,
            )
            for service in published.services.all()
        )
    record(
        actor=actor,
        action=Action.CARE_PROFILE_CHANGE,
        detail={"profile_version": str(draft.public_id), "change": "draft started"},
    )
    return draft


@transaction.atomic
def stage_save(
    *,
    actor: Membership,
    revision: int,
    stage: str,
    information: str,
    to_discuss: list[str],
    bereavement_from_days: int | None = None,
    bereavement_to_days: int | None = None,
) -> ProfileVersion:
    """What the person and carers are told at `stage`, and what to talk about; after a
    death, also when the key worker contacts the family (days after the death)."""
    draft = _locked_draft(actor, revision)
    errors: dict[str, str] = {}
    text = information.strip()
    if not text:
        errors["information"] = "Enter what the person and their carers should know at this stage"
    elif len(text) > INFORMATION_MAX:
        errors["information"] = f"Keep it to {INFORMATION_MAX:,} characters or fewer"
    unknown = [key for key in to_discuss if key not in TO_DISCUSS]
    if unknown:
        errors["to_discuss"] = "Choose from the list"
    if stage == Stage.AFTER_DEATH:
        first, last = bereavement_from_days, bereavement_to_days
        if first is None or last is None:
            errors["bereavement_from_days"] = "Enter when the family is contacted, in days"
        elif not 1 <= first < last <= WINDOW_MAX_DAYS:
            errors["bereavement_to_days"] = (
                f"The end must be after the start, and within {WINDOW_MAX_DAYS} days of the death"
            )
    if errors:
        raise ValidationError(errors)
    StageText.objects.update_or_create(
        version=draft,
        stage=stage,
        defaults={"information": text, "to_discuss": [k for k in TO_DISCUSS if k in to_discuss]},
    )
    if stage == Stage.AFTER_DEATH and bereavement_from_days and bereavement_to_days:
        draft.bereavement_from_days = bereavement_from_days
        draft.bereavement_to_days = bereavement_to_days
        draft.save(update_fields=["bereavement_from_days", "bereavement_to_days"])
    _changed(actor, draft, "stage", stage=stage)
    return draft


@dataclass(frozen=True)
class ServiceDetails:
    name: str
    what_it_does: str
    who_for: str
    hours: str
    out_of_hours: bool
    phone: str
    how_to_reach: str
    centre_service: str
    response_time: str
    provider: Organisation | None = None


def _clean(details: ServiceDetails, actor: Membership) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: " ".join(value.split())
        if name in ("name", "hours", "phone", "response_time")
        else value.strip()
        if isinstance(value, str)
        else value
        for name, value in details.__dict__.items()
    }
    errors: dict[str, str] = {}
    for name, message in (
        ("name", "Enter the service's name"),
        ("what_it_does", "Say what the service does"),
        ("who_for", "Say who the service is for"),
        ("hours", "Enter its hours, for example 8am to 8pm, 7 days a week"),
        ("response_time", "Enter how soon it responds, for example within 2 hours"),
    ):
        if not values[name]:
            errors[name] = message
    if not (values["phone"] or values["how_to_reach"] or values["centre_service"]):
        errors["phone"] = (
            "Give a way to reach the service: a phone number, how to refer, or referral "
            "through the co-ordination centre"
        )
    elif values["phone"] and (problem := phone_problem(values["phone"])):
        errors["phone"] = problem
    provider = values["provider"]
    if provider is not None and provider.region_id != actor.organisation.region_id:
        errors["provider"] = "Choose an organisation of your region"
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def service_save(
    *,
    actor: Membership,
    revision: int,
    stage: str,
    details: ServiceDetails,
    service_id: UUID | None = None,
) -> ProfileService:
    """Add a service to a stage of the draft, or change one."""
    draft = _locked_draft(actor, revision)
    if stage not in Stage.values:
        raise ValidationError("Choose a stage")
    values = _clean(details, actor)
    if service_id is None:
        service = ProfileService.objects.create(
            version=draft,
            stage=stage,
            position=draft.services.filter(stage=stage).count(),
            **values,
        )
    else:
        service = draft.services.get(public_id=service_id)
        for name, value in values.items():
            setattr(service, name, value)
        service.save()
    _changed(actor, draft, "service", stage=stage, service=str(service.public_id))
    return service


@transaction.atomic
def service_remove(*, actor: Membership, revision: int, service_id: UUID) -> None:
    draft = _locked_draft(actor, revision)
    service = draft.services.get(public_id=service_id)
    service.delete()
    _changed(actor, draft, "service removed", stage=service.stage, name=service.name)


def _gaps(draft: ProfileVersion) -> list[str]:
    texts = {text.stage for text in draft.stages.all() if text.information}
    served = set(draft.services.values_list("stage", flat=True))
    gaps = []
    for stage in Stage:
        missing = [
            words
            for words, present in (
                ("no services", stage.value in served),
                ("no information for the person", stage.value in texts),
            )
            if not present
        ]
        if missing:
            gaps.append(f"{stage.label} has {' and '.join(missing)}")
    return gaps


@transaction.atomic
def profile_publish(*, actor: Membership, revision: int) -> ProfileVersion:
    """Publish the draft as the version everyone sees; the version before is kept as
    superseded. Refused while any stage lacks services or information."""
    draft = _locked_draft(actor, revision)
    gaps = _gaps(draft)
    if gaps:
        raise ValidationError([f"{gap}: add it before publishing" for gap in gaps])
    profile = draft.profile
    now = timezone.now()
    profile.versions.filter(status=VersionStatus.PUBLISHED).update(status=VersionStatus.SUPERSEDED)
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = now
    draft.published_by = actor.user
    draft.changed_by = actor.user
    draft.save(update_fields=["status", "published_at", "published_by", "changed_by", "changed_at"])
    record(
        actor=actor,
        action=Action.CARE_PROFILE_PUBLISH,
        detail={"profile_version": str(draft.public_id), "number": draft.number},
    )
    return draft


@transaction.atomic
def draft_discard(*, actor: Membership, revision: int) -> None:
    draft = _locked_draft(actor, revision)
    draft.status = VersionStatus.DISCARDED
    draft.changed_by = actor.user
    draft.save(update_fields=["status", "changed_by", "changed_at"])
    record(
        actor=actor,
        action=Action.CARE_PROFILE_CHANGE,
        detail={"profile_version": str(draft.public_id), "change": "draft discarded"},
    )
