"""Everything a page needs is served by this service: no CDN, no remote font."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from organisations.models import Membership
from tests.conftest import act_as

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
REMOTE = re.compile(r"""(?:src|href)=["'](?:https?:)?//""", re.IGNORECASE)


def test_pages_load_nothing_from_another_host(client: Client, their_gp: Membership) -> None:
    sign_in = client.get(reverse("organisations:sign_in")).content.decode()
    act_as(client, their_gp)
    home = client.get(reverse("home")).content.decode()
    for page in (sign_in, home):
        assert "/static/vendor/nhsuk/nhsuk.min.css" in page
        assert not REMOTE.search(page)


def test_the_stylesheet_and_scripts_refer_only_to_local_files() -> None:
    stylesheet = (VENDOR / "nhsuk" / "nhsuk.min.css").read_text()
    assert "@font-face" not in stylesheet
    assert "font-family:arial,sans-serif" in stylesheet
    urls = re.findall(r"url\(([^)]*)\)", stylesheet)
    assert urls
    for url in urls:
        assert "//" not in url, url
        assert (VENDOR / "nhsuk" / url.strip("\"'")).exists(), url
    for script in (VENDOR / "nhsuk" / "nhsuk-frontend.min.js", VENDOR / "htmx" / "htmx.min.js"):
        assert not re.search(r"""import\s*[^;]*from\s*["']https?:""", script.read_text())


def test_a_multiple_choice_field_renders_as_checkboxes_and_keeps_every_choice() -> None:
    from django import forms as django_forms

    from frontend.forms import NhsForm

    class Choices(NhsForm):
        many = django_forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=django_forms.CheckboxSelectMultiple
        )

    html = str(Choices({"many": ["a", "b"]}))
    assert html.count('type="checkbox"') == 2
    assert 'type="radio"' not in html
    assert html.count("checked") == 2


def test_the_health_check_answers_without_signing_in(client: Client) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
