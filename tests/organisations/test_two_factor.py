"""Two-factor sign-in for staff (issue 19's controls): after the password, a code from an
authenticator app, a recovery code (once) or a passkey; nothing as staff before it; a lost
factor reset by an admin only once a second person approves; each step audited."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessEvent, Action
from organisations.models import Membership, Role
from organisations.two_factor import two_factor_reset_approve, two_factor_reset_request
from patients.models import Patient
from tests.conftest import Place, act_as
from tests.factories import approver_for, make_member

TWO_FACTOR = reverse("organisations:two_factor")
SET_UP = reverse("organisations:two_factor_set_up")


@pytest.fixture(autouse=True)
def _two_factor_required(settings: Any) -> None:
    settings.STAFF_TWO_FACTOR = True


def _patient_page(patient: Patient) -> str:
    return reverse("patients:detail", kwargs={"patient_id": patient.public_id})


def _code_for(secret: str, *, later: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, t0=-later):06d}"


def _after_a_wrong_try() -> time_machine.travel:
    """django-otp makes each device wait after a wrong code (1 s, then 2 s, ...): a brute
    force takes for ever. The tests move the clock on instead of sleeping."""
    return time_machine.travel(timezone.now() + dt.timedelta(seconds=5), tick=True)


def _set_up_app(client: Client) -> str:
    """The authenticator app set up as a person would: the key read off the page."""
    page = client.get(SET_UP).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    response = client.post(SET_UP, {"code": _code_for(secret.group(1)), "next": "/"})
    assert response["Location"].startswith(reverse("organisations:recovery_codes"))
    return secret.group(1)


def test_staff_set_up_an_authenticator_app_before_anything_and_get_recovery_codes(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    first = client.get(_patient_page(patient))
    assert first["Location"].startswith(TWO_FACTOR)
    assert client.get(first["Location"])["Location"].startswith(SET_UP)
    wrong = client.post(SET_UP, {"code": "000000"})
    assert "This code is not right" in wrong.content.decode()
    with _after_a_wrong_try():
        _set_up_app(client)
    codes = client.post(reverse("organisations:recovery_codes"), {"next": "/"}).content.decode()
    shown = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", codes)
    assert len(shown) == 10
    assert client.get(_patient_page(patient)).status_code == 200
    actions = list(AccessEvent.objects.filter(user=their_gp.user).values_list("action", flat=True))
    assert actions.count(Action.TWO_FACTOR_SET_UP) == 2  # the app, then recovery codes
    assert Action.TWO_FACTOR_FAILED in actions


def test_the_next_sign_in_asks_for_a_code_and_a_recovery_code_works_once(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    secret = _set_up_app(client)
    codes = re.findall(
        r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>",
        client.post(reverse("organisations:recovery_codes")).content.decode(),
    )
    again = act_as(Client(), their_gp)
    assert again.get(_patient_page(patient))["Location"].startswith(TWO_FACTOR)
    refused = again.post(TWO_FACTOR, {"code": "123456"})
    assert "This code is not right" in refused.content.decode()
    with _after_a_wrong_try():
        assert again.post(TWO_FACTOR, {"code": codes[0], "next": "/"}).status_code == 302
        assert again.get(_patient_page(patient)).status_code == 200
        third = act_as(Client(), their_gp)
        used = third.post(TWO_FACTOR, {"code": codes[0]}).content.decode()
        assert "This code is not right" in used
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=40), tick=True):
        assert third.post(TWO_FACTOR, {"code": _code_for(secret)}).status_code == 302
    assert StaticToken.objects.filter(device__user=their_gp.user).count() == 9


def test_htmx_and_the_api_meet_the_second_step_too(
    client: Client, their_gp: Membership, patient: Patient
) -> None:
    act_as(client, their_gp)
    section = reverse(
        "careplans:section", kwargs={"patient_id": patient.public_id, "section_key": "about_me"}
    )
    htmx = client.post(section, {"what_is_most_important_to_me": "x"}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(TWO_FACTOR)
    api = client.get(f"/api/v1/patients/{patient.public_id}/")
    assert api.status_code in (401, 403)
    fhir = client.get(f"/fhir/R4/Patient/{patient.public_id}")
    assert fhir.status_code == 401


def test_a_lost_factor_is_reset_only_when_a_second_person_approves(
    client: Client,
    settings: Any,
    place: Place,
    their_gp: Membership,
    regional_admin: Membership,
) -> None:
    act_as(client, their_gp)
    _set_up_app(client)
    reset = two_factor_reset_request(
        actor=regional_admin, membership=their_gp, reason="Phone lost on the bus; seen in person"
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        two_factor_reset_approve(actor=regional_admin, reset=reset)
    assert TOTPDevice.objects.filter(user=their_gp.user).exists()
    second_admin = make_member(place.coordination, Role.REGIONAL_ADMIN, username="second-admin")
    settings.STAFF_TWO_FACTOR = False  # the second admin's own sign-in is not the point here
    act_as(client, second_admin)
    listed = client.get(reverse("organisations:access_approvals")).content.decode()
    assert "Phone lost on the bus" in listed
    client.post(
        reverse("organisations:two_factor_reset_approve", kwargs={"reset_id": reset.public_id})
    )
    assert not TOTPDevice.objects.filter(user=their_gp.user).exists()
    events = AccessEvent.objects.filter(
        action__in=[Action.TWO_FACTOR_RESET_REQUEST, Action.TWO_FACTOR_RESET]
    ).values_list("action", "user")
    assert set(events) == {
        (Action.TWO_FACTOR_RESET_REQUEST, regional_admin.user_id),
        (Action.TWO_FACTOR_RESET, second_admin.user_id),
    }
    assert approver_for(place.practice).role == Role.PRIVACY_OFFICER


def test_an_admin_cannot_ask_to_reset_their_own(place: Place, regional_admin: Membership) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        two_factor_reset_request(actor=regional_admin, membership=regional_admin, reason="x")
