from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from organisations.acting import SESSION_KEY
from organisations.middleware import REFRESHED_AT
from organisations.models import Membership, Organisation, Role
from organisations.signals import SIGNED_IN_AT
from tests.conftest import PASSWORD, Place, act_as
from tests.factories import make_member

SIGN_IN = reverse("organisations:sign_in")


def test_sign_in_with_one_membership_lands_on_the_start_page(
    client: Client, their_gp: Membership
) -> None:
    response = client.post(SIGN_IN, {"username": "their-gp", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clinician, Highgate Hill Surgery" in page
    assert "Sign out" in page
    assert client.session[SESSION_KEY] == str(their_gp.public_id)


def test_a_wrong_password_gets_a_clear_error(client: Client, their_gp: Membership) -> None:
    response = client.post(SIGN_IN, {"username": "their-gp", "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Enter a correct username and password" in response.content.decode()


def test_failed_sign_ins_are_throttled(client: Client, their_gp: Membership) -> None:
    for _ in range(5):
        client.post(SIGN_IN, {"username": "their-gp", "password": "wrong"})
    response = client.post(SIGN_IN, {"username": "their-gp", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_person_with_several_memberships_chooses_and_can_switch(
    client: Client, place: Place
) -> None:
    first = make_member(place.nursing, username="two-hats", password=PASSWORD)
    second = make_member(place.hospice, username="two-hats")
    response = client.post(SIGN_IN, {"username": "two-hats", "password": PASSWORD}, follow=True)
    assert "Choose the role you are acting in" in response.content.decode()
    assert response.resolver_match.url_name == "choose_membership"
    response = client.post(
        reverse("organisations:choose_membership"),
        {"membership": str(second.public_id)},
        follow=True,
    )
    assert "Clinician, Heathside Hospice" in response.content.decode()
    assert "(switch role)" in response.content.decode()
    client.post(reverse("organisations:choose_membership"), {"membership": str(first.public_id)})
    assert client.session[SESSION_KEY] == str(first.public_id)


def test_choosing_someone_elses_membership_is_an_error(
    client: Client, place: Place, their_gp: Membership
) -> None:
    make_member(place.nursing, username="two-hats")
    mine = make_member(place.hospice, username="two-hats")
    client.force_login(mine.user)
    response = client.post(
        reverse("organisations:choose_membership"), {"membership": str(their_gp.public_id)}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_person_without_membership_cannot_sign_in(client: Client, place: Place) -> None:
    from organisations.services import membership_end

    member = make_member(place.nursing, username="leaver", password=PASSWORD)
    membership_end(actor=None, membership=member)
    client.post(SIGN_IN, {"username": "leaver", "password": PASSWORD})
    response = client.get(reverse("home"), follow=True)
    assert "do not have an active role" in response.content.decode()


def test_sessions_end_after_thirty_idle_minutes(client: Client, their_gp: Membership) -> None:
    act_as(client, their_gp)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 30 * 60


def test_an_active_session_is_saved_at_most_once_a_minute(
    client: Client, their_gp: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each save starts the 30 idle minutes again; saving on every page was a write per
    request for nothing."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    saves: list[str] = []
    save = store.save

    def counted(self: Any, must_create: bool = False) -> None:
        saves.append(self.get(REFRESHED_AT, ""))
        save(self, must_create)

    act_as(client, their_gp)
    monkeypatch.setattr(store, "save", counted)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("home"))
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        client.get(reverse("home"))
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        client.get(reverse("home"))
        assert client.session.get_expiry_age() == 30 * 60
    assert saves == [start.isoformat(), (start + dt.timedelta(seconds=61)).isoformat()], saves


def test_a_session_before_sign_in_is_kept_alive_too_and_none_is_started(
    client: Client,
) -> None:
    """An invitation's link waits in the session until its person signs in: used, it lives
    on as SESSION_SAVE_EVERY_REQUEST kept it. A visitor with nothing kept gets no session."""
    client.get(reverse(settings.LOGIN_URL))
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    session = client.session
    session["waiting"] = "something"
    session.save()
    client.get(reverse(settings.LOGIN_URL))
    assert REFRESHED_AT in client.session


def test_sessions_end_twelve_hours_after_sign_in(client: Client, their_gp: Membership) -> None:
    act_as(client, their_gp)
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - dt.timedelta(hours=12, minutes=1)).isoformat()
    session.save()
    response = client.get(reverse("careplans:worklist"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in client.session


def test_signed_out_people_are_sent_to_sign_in(client: Client, place: Place) -> None:
    response = client.get(reverse("careplans:worklist"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_an_admin_manages_their_regions_organisations(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    act_as(client, regional_admin)
    page = client.get(reverse("organisations:organisation_list")).content.decode()
    assert "Highgate Hill Surgery" in page
    assert "Truro Riverside Surgery" not in page
    response = client.post(
        reverse("organisations:organisation_create"),
        {"name": "Camden Hospice", "ods_code": "zhs09", "kind": "hospice"},
    )
    created = Organisation.objects.get(ods_code="ZHS09")
    assert response["Location"] == reverse(
        "organisations:organisation_detail", kwargs={"organisation_id": created.public_id}
    )
    assert created.region == place.region


def test_a_bad_ods_code_is_shown_beside_the_field_and_nothing_is_saved(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    act_as(client, regional_admin)
    before = Organisation.objects.count()
    response = client.post(
        reverse("organisations:organisation_create"),
        {"name": "Bad", "ods_code": "R!", "kind": "gp_practice"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_ods_code"' in page
    assert "nhsuk-error-message" in page
    assert Organisation.objects.count() == before


def test_an_admin_adds_and_ends_a_membership(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    act_as(client, regional_admin)
    url = reverse(
        "organisations:membership_add", kwargs={"organisation_id": place.hospice.public_id}
    )
    client.post(url, {"username": "new-nurse", "email": "nn@example.nhs.uk", "role": "clinician"})
    membership = Membership.objects.get(user__username="new-nurse")
    assert membership.organisation == place.hospice
    response = client.post(
        reverse("organisations:membership_end", kwargs={"membership_id": membership.public_id})
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert AccessEvent.objects.filter(action=Action.MEMBERSHIP_END).exists()


def test_a_wrong_role_for_the_organisation_is_a_field_error(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    act_as(client, regional_admin)
    url = reverse(
        "organisations:membership_add", kwargs={"organisation_id": place.practice.public_id}
    )
    response = client.post(url, {"username": "x", "role": Role.URGENT_CARE})
    assert "cannot be held in a gp practice" in response.content.decode()
    assert not Membership.objects.filter(user__username="x").exists()


def test_an_admin_of_another_region_gets_404(client: Client, place: Place) -> None:
    other_admin = make_member(place.other_region_practice, Role.REGIONAL_ADMIN)
    act_as(client, other_admin)
    for url in (
        reverse(
            "organisations:organisation_detail",
            kwargs={"organisation_id": place.practice.public_id},
        ),
        reverse(
            "organisations:membership_add", kwargs={"organisation_id": place.practice.public_id}
        ),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["their_gp", "paramedic", "coordinator"])
def test_other_roles_cannot_use_the_admin_pages(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    act_as(client, request.getfixturevalue(persona))
    assert client.get(reverse("organisations:organisation_list")).status_code == 403
    assert (
        client.post(
            reverse("organisations:organisation_create"),
            {"name": "X", "ods_code": "ZZZ99", "kind": "hospice"},
        ).status_code
        == 403
    )
    assert not Organisation.objects.filter(ods_code="ZZZ99").exists()


def test_the_set_password_link_works_once(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    member = make_member(place.hospice, username="invited")
    uid = urlsafe_base64_encode(force_bytes(member.user.pk))
    token = default_token_generator.make_token(member.user)
    url = reverse("organisations:set_password", kwargs={"uidb64": uid, "token": token})
    response = client.get(url, follow=True)
    form_url = response.redirect_chain[-1][0]
    new_password = "a-long-new-password-2026"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    member.user.refresh_from_db()
    assert member.user.check_password(new_password)
    assert "expired or was already used" in client.get(url, follow=True).content.decode()


def test_a_signed_in_person_sent_back_to_sign_in_lands_on_the_start_page(
    client: Client, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    response = client.get(SIGN_IN, {"next": SIGN_IN})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_signed_in_pages_are_never_cached(client: Client, their_gp: Membership) -> None:
    act_as(client, their_gp)
    assert "no-store" in client.get(reverse("careplans:worklist"))["Cache-Control"]


def test_when_the_chosen_role_ends_the_person_is_asked_again_not_switched(
    client: Client, place: Place
) -> None:
    from organisations.services import membership_end

    first = make_member(place.nursing, username="two-hats")
    make_member(place.hospice, username="two-hats")
    act_as(client, first)
    membership_end(actor=None, membership=first)
    response = client.get(reverse("careplans:worklist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisations:choose_membership"))


def test_choosing_a_role_and_refusals_are_audited(
    client: Client, place: Place, their_gp: Membership
) -> None:
    act_as(client, their_gp)
    client.post(reverse("organisations:choose_membership"), {"membership": str(their_gp.public_id)})
    assert AccessEvent.objects.filter(action=Action.ACT_AS, user=their_gp.user).count() == 1
    assert client.get(reverse("organisations:organisation_list")).status_code == 403
    refusal = AccessEvent.objects.get(action=Action.DENIED, user=their_gp.user)
    assert refusal.detail == {"path": reverse("organisations:organisation_list")}


def test_failed_sign_ins_from_one_address_across_usernames_are_limited(
    client: Client, settings: Any, place: Place
) -> None:
    """Issue 19, finding 12: password spraying (one password, many usernames) met only the
    per-username lockout."""
    settings.SIGN_IN_FAILURES_PER_ADDRESS = "3/15m"
    url = reverse("organisations:sign_in")
    for name in ("anna", "bob", "cara"):
        response = client.post(url, {"username": name, "password": "Winter2026!"})
        assert response.status_code == 200
    refused = client.post(url, {"username": "dev", "password": "Winter2026!"})
    assert refused.status_code == 429
    assert "too many failed attempts from it" in refused.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.DENIED, reason__startswith="too many failed sign-ins"
    ).exists()
    elsewhere = Client(REMOTE_ADDR="203.0.113.7")
    assert elsewhere.post(url, {"username": "dev", "password": "x"}).status_code == 200


def test_the_acting_membership_is_read_whole_with_its_organisation_and_only_while_in_force(
    place: Place, their_gp: Membership, team_nurse: Membership
) -> None:
    """membership_of, read by hand-written SQL on every request: the same membership and
    organisation, field for field, as the ORM reads; nobody else's, and none that ended,
    was never approved, or is named by a malformed id."""
    from django.contrib.auth.models import AnonymousUser

    from organisations.selectors import membership_of

    user = their_gp.user
    found = membership_of(user, str(their_gp.public_id))
    assert found is not None
    expected = Membership.objects.select_related("organisation").get(pk=their_gp.pk)
    for model, read, stored in (
        (Membership, found, expected),
        (Organisation, found.organisation, expected.organisation),
    ):
        for field in model._meta.concrete_fields:
            value, expected_value = getattr(read, field.attname), getattr(stored, field.attname)
            assert value == expected_value, field.name
            assert type(value) is type(expected_value), field.name  # a bool, not SQLite's 1
    assert found.user is user
    assert not found._state.adding

    assert membership_of(user, str(team_nurse.public_id)) is None  # someone else's
    assert membership_of(AnonymousUser(), str(their_gp.public_id)) is None
    for tampered in ("not-a-uuid", "", "1' OR '1'='1"):
        assert membership_of(user, tampered) is None
    Membership.objects.filter(pk=their_gp.pk).update(approved_at=None)
    assert membership_of(user, their_gp.public_id) is None
    Membership.objects.filter(pk=their_gp.pk).update(
        approved_at=timezone.now(), ended_at=timezone.now()
    )
    assert membership_of(user, their_gp.public_id) is None
