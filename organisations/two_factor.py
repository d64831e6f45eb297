"""Two-factor sign-in for staff, and confirming one's identity again before emergency access
or a system token.

After the password, a member of staff proves a second factor: a code from an authenticator
app (TOTP), a passkey or security key (WebAuthn, through django-otp-webauthn), or one of
their recovery codes. Until then they act as nobody (organisations.decorators). A lost
factor is reset by an admin, and only once a second person approves it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import Action
from audit.services import record
from organisations.models import Membership, TwoFactorReset
from organisations.permissions import can_approve_two_factor_reset, can_manage_memberships_of

RECOVERY_CODES = 10
REAUTHENTICATED_AT = "reauthenticated_at"


def needs_two_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff (anyone with a membership in force) prove a second factor, where required."""
    return bool(
        settings.STAFF_TWO_FACTOR
        and user.is_authenticated
        and Membership.objects.active().filter(user_id=user.pk).exists()
    )


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user_has_device(user, confirmed=True)


def has_passkey(user: AbstractBaseUser | AnonymousUser) -> bool:
    return WebAuthnCredential.objects.filter(user_id=user.pk, confirmed=True).exists()


def authenticator_app(user: AbstractBaseUser | AnonymousUser) -> TOTPDevice:
    """The authenticator app being set up: a new secret, until a code from it confirms it."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user_id=user.pk, name="Authenticator app", confirmed=False
    )


@transaction.atomic
def authenticator_app_confirm(*, request: HttpRequest, code: str) -> bool:
    """A code from the app being set up: True, the app confirmed and this session
    verified; else False (recorded)."""
    user = request.user
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        record(actor=None, user=user, action=Action.TWO_FACTOR_FAILED, detail={"step": "set up"})
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    record(actor=None, user=user, action=Action.TWO_FACTOR_SET_UP, detail={"factor": "app"})
    return True


def second_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """A code from the authenticator app or a recovery code (used once): True and this
    session verified; else False, recorded (django-otp throttles repeated failures)."""
    user = request.user
    device = match_token(user, _digits(code) or code.strip().lower())
    if device is None:
        record(actor=None, user=user, action=Action.TWO_FACTOR_FAILED, detail={"step": "sign in"})
        return False
    otp_login(request, device)
    return True


def _digits(code: str) -> str:
    """An app's code as typed ("123 456"), or "" for anything else (a recovery code)."""
    compact = code.replace(" ", "").strip()
    return compact if compact.isdigit() else ""


@transaction.atomic
def recovery_codes_issue(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """New recovery codes (the old ones stop working), each usable once: shown once."""
    device, _ = StaticDevice.objects.get_or_create(user_id=user.pk, name="Recovery codes")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    record(actor=None, user=user, action=Action.TWO_FACTOR_SET_UP, detail={"factor": "recovery"})
    return codes


def has_recovery_codes(user: AbstractBaseUser | AnonymousUser) -> bool:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).exists()


# --- confirming one's identity again ------------------------------------------------------


def reauthenticated(request: HttpRequest) -> bool:
    """The password was entered again (and, where required, a second factor) within
    REAUTHENTICATE_WITHIN."""
    at = request.session.get(REAUTHENTICATED_AT)
    if not at:
        return False
    return timezone.now() - dt.datetime.fromisoformat(at) <= settings.REAUTHENTICATE_WITHIN


def reauthenticate(*, request: HttpRequest, password: str, code: str = "") -> bool:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (signed in: the page requires it)
    ok = user.check_password(password)
    if ok and settings.STAFF_TWO_FACTOR and has_second_factor(user):
        ok = match_token(user, _digits(code) or code.strip().lower()) is not None
    if ok:
        request.session[REAUTHENTICATED_AT] = timezone.now().isoformat()
    record(
        actor=None,
        user=user,
        action=Action.REAUTHENTICATE if ok else Action.TWO_FACTOR_FAILED,
        detail={"step": "confirm identity"},
    )
    return ok


# --- resetting a lost second factor: an admin asks, someone else approves -------------------


@transaction.atomic
def two_factor_reset_request(
    *, actor: Membership, membership: Membership, reason: str
) -> TwoFactorReset:
    if not can_manage_memberships_of(actor, membership.organisation):
        raise PermissionDenied
    if actor.user_id == membership.user_id:
        raise ValidationError("Ask another admin to reset your own two-factor sign-in")
    text = reason.strip()
    if not text:
        raise ValidationError({"reason": "Say why the reset is needed, for example a lost phone"})
    reset = TwoFactorReset.objects.create(
        user_id=membership.user_id,
        region_id=membership.organisation.region_id,
        reason=text[:1000],
        requested_by=actor.user,
    )
    record(
        actor=actor,
        action=Action.TWO_FACTOR_RESET_REQUEST,
        reason=text[:1000],
        detail={"reset": str(reset.public_id), "for": membership.user.get_username()},
    )
    return reset


@transaction.atomic
def two_factor_reset_approve(*, actor: Membership, reset: TwoFactorReset) -> TwoFactorReset:
    """Another admin of the region, or its privacy officer, approves: every second factor of
    the person is removed, and they set up a new one at their next sign-in."""
    locked = TwoFactorReset.objects.select_for_update().get(pk=reset.pk)
    if not can_approve_two_factor_reset(actor, locked):
        raise PermissionDenied
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        model.objects.filter(user_id=locked.user_id).delete()
    locked.approved_by = actor.user
    locked.approved_at = timezone.now()
    locked.save(update_fields=["approved_by", "approved_at"])
    record(
        actor=actor,
        action=Action.TWO_FACTOR_RESET,
        detail={"reset": str(locked.public_id), "requested_by": locked.requested_by.get_username()},
    )
    return locked
