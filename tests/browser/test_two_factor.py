"""Staff two-factor sign-in end to end in Chromium at 360 px (issue 19's controls): with an
authenticator app's code, and with a passkey on Chromium's virtual authenticator (WebAuthn
through the DevTools protocol), under the strict Content-Security-Policy."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.db import connections
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from careplans.models import PublishedVersion
from organisations.models import Membership
from tests.browser.conftest import serious_axe_violations
from tests.careplans.conftest import consented, published
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["consented", "published"]

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def two_factor(settings: Any, live_server: Any) -> str:
    settings.STAFF_TWO_FACTOR = True
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    connections.close_all()
    return str(live_server.url)


def _password(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("their-gp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _fits(page: Page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_an_authenticator_app_code_signs_staff_in(
    two_factor: str, browser: Browser, their_gp: Membership, published: PublishedVersion
) -> None:
    base = two_factor
    patient_page = f"{base}/patients/{published.plan.patient.public_id}/"
    context = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    _password(page, base)
    page.goto(patient_page)
    page.wait_for_url(re.compile(r".*/two-factor/set-up/.*"))
    problems = serious_axe_violations(page)
    _fits(page)
    secret = page.get_by_test_id("totp-secret").inner_text()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm the app").click()
    page.get_by_role("button", name="Get my recovery codes").click()
    assert len(page.get_by_test_id("recovery-codes").locator("code").all()) == 10
    problems += serious_axe_violations(page)
    _fits(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(patient_page)

    page.get_by_role("button", name="Sign out").click()
    _password(page, base)
    page.goto(patient_page)
    page.wait_for_url(re.compile(r".*/two-factor/\?next=.*"))
    problems += serious_axe_violations(page)
    _fits(page)
    # The code after the one that set the app up (each is accepted once), counted from the
    # step the device last accepted: a code for "now + 30 s" failed whenever the set-up
    # crossed a 30-second boundary, as the device then learnt a drift of one step back.
    last = TOTPDevice.objects.get(user=their_gp.user).last_t
    page.get_by_label("Code").fill(f"{hotp(key, last + 1):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(patient_page)
    context.close()
    assert problems == []


def test_a_passkey_signs_staff_in_on_a_virtual_authenticator(
    two_factor: str, browser: Browser, their_gp: Membership, published: PublishedVersion
) -> None:
    base = two_factor
    patient_page = f"{base}/patients/{published.plan.patient.public_id}/"
    context = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    _password(page, base)
    page.goto(patient_page)
    page.wait_for_url(re.compile(r".*/two-factor/set-up/.*"))
    page.get_by_role("button", name="Set up a passkey").click()
    page.wait_for_url(re.compile(r".*/two-factor/recovery-codes/.*"))
    page.get_by_role("link", name="Not now").click()
    page.wait_for_url(patient_page)

    page.get_by_role("button", name="Sign out").click()
    _password(page, base)
    page.goto(patient_page)
    page.wait_for_url(re.compile(r".*/two-factor/\?next=.*"))
    problems = serious_axe_violations(page)
    page.get_by_role("button", name="Use my passkey").click()
    page.wait_for_url(patient_page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()
    assert problems == []
