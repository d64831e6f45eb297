"""Everything a page needs is served by this service: no CDN, no remote font."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from unittest.mock import patch

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from organisations.models import Membership
from portal.models import PatientAccount
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


def _header(client: Client, path: str) -> str:
    page = client.get(path, follow=True).content.decode()
    return page[page.index("<header") : page.index("</header>")]


def test_the_header_signed_out_has_only_the_service_name(client: Client) -> None:
    header = _header(client, reverse("home"))
    assert f'class="nhsuk-header__service-logo" href="{reverse("home")}"' in header
    assert "Palliative care plans</span>" in header
    assert "nhsuk-header__account" not in header
    assert "nhsuk-header__navigation" not in header


def test_the_header_names_the_person_and_role_with_their_pages_and_a_working_sign_out(
    client: Client, their_gp: Membership
) -> None:
    User.objects.filter(pk=their_gp.user_id).update(first_name="<b>Ann", last_name="O'Hara")
    their_gp.organisation.name = "Hill & Vale <Surgery>"
    their_gp.organisation.save()
    act_as(client, their_gp)
    header = _header(client, reverse("careplans:worklist"))
    assert '<span data-testid="signed-in-as">&lt;b&gt;Ann O&#x27;Hara</span>' in header
    acting = f"{their_gp.get_role_display()}, Hill &amp; Vale &lt;Surgery&gt;"
    assert f'data-testid="acting-as">\n            {acting}\n' in header  # one role: no link
    assert "(switch role)" not in header
    assert f'href="{reverse("reminders:notifications")}">Notifications</a>' in header  # none unread
    current = (
        f'<a class="nhsuk-header__navigation-link" href="{reverse("careplans:worklist")}"'
        ' aria-current="page"><strong class="nhsuk-header__navigation-item-current-fallback">'
    )
    assert current in header
    assert header.count('aria-current="page"') == 1
    assert 'name="csrfmiddlewaretoken"' in header
    signed_out = Client(enforce_csrf_checks=True)
    act_as(signed_out, their_gp)
    page = signed_out.get(reverse("careplans:worklist")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = signed_out.post(
        reverse("organisations:sign_out"), {"csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_out.session


def test_the_header_offers_a_switch_of_role_and_counts_what_is_unread(
    client: Client, their_gp: Membership
) -> None:
    from organisations.acting import CAN_SWITCH_KEY

    act_as(client, their_gp)
    session = client.session
    session[CAN_SWITCH_KEY] = True
    session.save()
    with patch("reminders.context_processors.unread_count", return_value=3):
        header = _header(client, reverse("careplans:worklist"))
    assert f'href="{reverse("organisations:choose_membership")}">' in header
    assert '<span class="nhsuk-u-visually-hidden"> (switch role)</span></a>' in header
    assert (
        'Notifications <span class="app-count" data-testid="unread-count">3</span>'
        '<span class="nhsuk-u-visually-hidden"> unread</span></a>'
    ) in header


def test_the_header_of_an_attorney_names_whom_they_act_for(
    client: Client, attorney: PatientAccount
) -> None:
    patient = attorney.patient
    patient.given_name = "Winnie & <Win>"
    patient.save()
    client.force_login(attorney.user)
    header = _header(client, reverse("portal:home"))
    assert "Winnie &amp; &lt;Win&gt;" in header
    assert (
        f'href="{reverse("portal:choose_account")}">Attorney for {escape(patient.full_name)}'
        '<span class="nhsuk-u-visually-hidden"> (change)</span></a>'
    ) in header
    assert 'data-testid="acting-as"' not in header
    assert f'href="{reverse("portal:plan")}"' in header  # the person's own pages
