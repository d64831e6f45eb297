"""Every response carries a strict Content-Security-Policy (no inline script) and a
Permissions-Policy denying what the service does not use (issue 19, finding 8); no page
holds an inline script."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Membership
from tests.conftest import act_as


def _directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for part in header.split(";")
        if part.strip()
        for name, *values in [part.split()]
    }


@pytest.mark.django_db
def test_production_headers_forbid_inline_script_and_unused_browser_features(
    client: Client, settings: object, their_gp: Membership
) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    act_as(client, their_gp)
    for url in (reverse("organisations:sign_in"), reverse("home"), "/api/v1/docs/"):
        response = client.get(url, follow=True)
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy.get("script-src", [])
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions, url
        html = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert inline == [], url
