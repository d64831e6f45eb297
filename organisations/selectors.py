"""Reads of organisations and memberships, limited to what the viewer may manage."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from organisations.models import ApiToken, Membership, Organisation
from organisations.permissions import can_manage_organisations


def active_memberships(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.active()
        .filter(user_id=user.pk)
        .select_related("organisation", "organisation__region", "user")
        .order_by("organisation__name", "role")
    )


def membership_of(
    user: AbstractBaseUser | AnonymousUser, public_id: UUID | str
) -> Membership | None:
    """One of the signed-in user's own active memberships, or None. Read on every request,
    so kept to one plain indexed query: the user is the one already signed in (the
    authentication backend refuses inactive users), and only the organisation is joined."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        found = list(
            Membership.objects.filter(user_id=user.pk, public_id=public_id, ended_at__isnull=True)
            .select_related("organisation")
            .order_by()[:1]
        )
    except (ValueError, ValidationError):  # a malformed id in a tampered session
        return None
    if not found:
        return None
    membership = found[0]
    membership.user = user  # type: ignore[assignment]
    return membership


def region_organisations(viewer: Membership) -> QuerySet[Organisation]:
    if not can_manage_organisations(viewer):
        return Organisation.objects.none()
    return Organisation.objects.filter(region_id=viewer.organisation.region_id).order_by("name")


def organisation_for_admin(viewer: Membership, public_id: UUID) -> Organisation:
    organisation = region_organisations(viewer).filter(public_id=public_id).first()
    if organisation is None:
        raise Http404("No such organisation")
    return organisation


def memberships_of(organisation: Organisation) -> QuerySet[Membership]:
    """Precondition: `organisation` came from `organisation_for_admin`."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )


def membership_for_admin(viewer: Membership, public_id: UUID) -> Membership:
    membership = (
        Membership.objects.active()
        .filter(public_id=public_id, organisation__in=region_organisations(viewer))
        .select_related("user", "organisation")
        .first()
    )
    if membership is None:
        raise Http404("No such membership")
    return membership


def api_tokens_of(organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership__organisation=organisation).select_related(
        "membership", "created_by"
    )


def api_token_for_admin(viewer: Membership, public_id: UUID) -> ApiToken:
    """A token of an organisation of the admin's region; else Http404."""
    token = (
        ApiToken.objects.filter(
            public_id=public_id,
            membership__organisation__region_id=viewer.organisation.region_id,
        )
        .select_related("membership__organisation")
        .first()
    )
    if token is None or not can_manage_organisations(viewer):
        raise Http404("No such token")
    return token
