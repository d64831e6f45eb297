"""A regional admin makes a token for a system in the browser: it is shown once, only its
digest is kept, it acts as a named organisation and role, and revoking it works at once.
Other regions' admins and everyone else meet 404 or 403."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import ApiToken, Membership, Role
from organisations.services import membership_approve
from organisations.tokens import membership_for_token
from tests.conftest import Place, act_as, confirm_identity
from tests.factories import approver_for, make_member, make_token

pytestmark = pytest.mark.django_db


def _page(place: Place) -> str:
    return reverse(
        "organisations:api_tokens", kwargs={"organisation_id": place.ambulance.public_id}
    )


def test_an_admin_makes_a_token_that_is_shown_once_and_revokes_it(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    confirm_identity(act_as(client, regional_admin))
    page = client.get(_page(place)).content.decode()
    assert "Make a token" in page
    refused = client.post(_page(place), {"name": " ", "role": Role.URGENT_CARE}).content.decode()
    assert "Name the system" in refused
    assert not ApiToken.objects.exists()
    made = client.post(_page(place), {"name": "Crew EPR", "role": Role.URGENT_CARE})
    assert "no-store" in made["Cache-Control"]
    marker = '<code class="app-token" id="new-token">'
    shown = made.content.decode().split(marker, 1)[1].split("<", 1)[0]
    token = ApiToken.objects.get()
    assert shown.startswith("oep_")
    assert token.digest == hashlib.sha256(shown.encode()).hexdigest()
    assert shown not in str(list(ApiToken.objects.values()))
    # It reads patient records: it works only once a second, clinical person approves it.
    assert 'data-testid="token-awaiting-approval"' in made.content.decode()
    assert membership_for_token(shown) is None
    membership_approve(actor=approver_for(place.ambulance), membership=token.membership)
    membership = membership_for_token(shown)
    assert membership is not None
    assert (membership.organisation, membership.role) == (place.ambulance, Role.URGENT_CARE)
    assert not membership.user.has_usable_password()
    assert shown not in client.get(_page(place)).content.decode()  # never again
    client.post(reverse("organisations:api_token_revoke", kwargs={"token_id": token.public_id}))
    assert membership_for_token(shown) is None
    assert AccessEvent.objects.filter(action=Action.TOKEN_CREATE).count() == 1
    assert AccessEvent.objects.filter(action=Action.TOKEN_REVOKE).count() == 1


def test_a_role_the_organisation_cannot_hold_is_refused(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    confirm_identity(act_as(client, regional_admin))
    page = client.post(_page(place), {"name": "EPR", "role": Role.CLINICIAN}).content.decode()
    assert "Select a valid choice" in page
    assert not ApiToken.objects.exists()


def test_other_admins_and_staff_cannot_make_or_revoke_tokens(
    client: Client, place: Place, regional_admin: Membership, their_gp: Membership
) -> None:
    made = make_token(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="EPR"
    )
    revoke = reverse("organisations:api_token_revoke", kwargs={"token_id": made.token.public_id})
    other_admin = make_member(
        place.other_region_practice, Role.REGIONAL_ADMIN, username="kernow-admin"
    )
    act_as(client, other_admin)
    assert client.get(_page(place)).status_code == 404
    assert client.post(revoke).status_code == 404
    act_as(client, their_gp)
    assert client.get(_page(place)).status_code == 403
    assert client.post(revoke).status_code == 403
    assert membership_for_token(made.secret) is not None
    assert ApiToken.objects.count() == 1


def test_making_a_token_asks_for_the_password_again(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    """Issue 19's controls: a session left open is not enough to make a system's access."""
    act_as(client, regional_admin)
    for response in (
        client.get(_page(place)),
        client.post(_page(place), {"name": "Crew EPR", "role": Role.URGENT_CARE}),
    ):
        assert response["Location"].startswith(reverse("organisations:reauthenticate"))
    assert not ApiToken.objects.exists()
