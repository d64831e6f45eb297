"""The privacy officer's view (issue 19's controls): emergency access and admin-made access
across the region, each marked reviewed with a note; nobody else sees it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from organisations.models import Membership, Role
from organisations.tokens import token_create
from patients.models import AccessReview, BreakGlassGrant
from patients.services import break_glass
from tests.careplans.conftest import consented, published
from tests.conftest import Place, act_as
from tests.factories import approver_for, make_member

__all__ = ["consented", "published"]

URL = reverse("patients:access_reviews")


@pytest.fixture
def uses(
    place: Place,
    published: PublishedVersion,
    out_of_area_paramedic: Membership,
    regional_admin: Membership,
    their_gp: Membership,
) -> BreakGlassGrant:
    from organisations.services import membership_approve

    made = token_create(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    )
    membership_approve(actor=their_gp, membership=made.token.membership)
    return break_glass(
        actor=out_of_area_paramedic,
        patient=published.plan.patient,
        reason="999 call: collapsed at a friend's house in Truro",
    )


def test_the_privacy_officer_reviews_emergency_and_admin_made_access_with_a_note(
    client: Client, place: Place, uses: BreakGlassGrant
) -> None:
    officer = approver_for(place.practice)
    act_as(client, officer)
    page = client.get(URL).content.decode()
    assert "999 call: collapsed at a friend" in page
    assert "System: GP system" in page
    refused = client.post(URL, {"item": str(uses.public_id), "note": " "})
    assert "Say what you found" in refused.content.decode()
    client.post(URL, {"item": str(uses.public_id), "note": "Appropriate: 999 call, out of area"})
    review = AccessReview.objects.get(break_glass_grant=uses)
    assert (review.reviewed_by, review.note) == (officer.user, "Appropriate: 999 call, out of area")
    event = AccessEvent.objects.get(action=Action.ACCESS_REVIEW)
    assert event.patient_public_id == uses.patient.public_id
    again = client.post(URL, {"item": str(uses.public_id), "note": "Twice"})
    assert "already been reviewed" in again.content.decode()
    assert AccessReview.objects.count() == 1


@pytest.mark.parametrize("persona", ["regional_admin", "their_gp", "paramedic", "coordinator"])
def test_nobody_else_sees_the_review_page(
    client: Client, request: pytest.FixtureRequest, uses: BreakGlassGrant, persona: str
) -> None:
    act_as(client, request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code in (403, 404)
    assert "collapsed at a friend" not in response.content.decode()


def test_another_region_s_privacy_officer_sees_none_of_it(
    client: Client, place: Place, uses: BreakGlassGrant
) -> None:
    act_as(client, make_member(place.other_region_practice, Role.PRIVACY_OFFICER))
    page = client.get(URL).content.decode()
    assert "collapsed at a friend" not in page
    assert "GP system" not in page
