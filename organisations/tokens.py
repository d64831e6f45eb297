"""Tokens for other systems: made and revoked by a regional admin, each acting as its own
system user's membership of a named organisation and role. The token itself is shown once;
only its SHA-256 digest is kept (a 256-bit random secret needs no slow hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from organisations.models import ApiToken, Membership, Organisation
from organisations.permissions import can_manage_memberships_of
from organisations.services import membership_add, membership_end

PREFIX = "oep_"
SHOWN_PREFIX = 10
# Last use is noted at most this often: not a write on every call.
LAST_USED_EVERY = dt.timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def token_create(
    *, actor: Membership, organisation: Organisation, role: str, name: str
) -> NewToken:
    if not can_manage_memberships_of(actor, organisation):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the system, for example its supplier and product"})
    if len(name) > 200:
        raise ValidationError({"name": "Use 200 characters or fewer"})
    membership = membership_add(
        actor=actor,
        organisation=organisation,
        username=f"system-{uuid.uuid4().hex[:16]}",
        first_name=name[:150],
        last_name="(system)",
        role=role,
    )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership,
        name=name,
        prefix=secret[:SHOWN_PREFIX],
        digest=_digest(secret),
        created_by=actor.user,
    )
    record(
        actor=actor,
        action=Action.TOKEN_CREATE,
        detail={"token": str(token.public_id), "organisation": str(organisation.public_id)},
    )
    return NewToken(token, secret)


@transaction.atomic
def token_revoke(*, actor: Membership, token: ApiToken) -> ApiToken:
    """At once: the next call with it gets 401. Its system user's membership ends too."""
    if not can_manage_memberships_of(actor, token.membership.organisation):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor.user
        token.save(update_fields=["revoked_at", "revoked_by"])
        membership_end(actor=actor, membership=token.membership)
        record(actor=actor, action=Action.TOKEN_REVOKE, detail={"token": str(token.public_id)})
    return token


def membership_for_token(secret: str) -> Membership | None:
    """The membership a token acts as, if the token is known, not revoked and its
    membership active; else None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("membership__organisation", "membership__user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.membership.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.membership
