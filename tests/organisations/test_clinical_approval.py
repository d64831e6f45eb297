"""A regional admin cannot make themselves a clinician (issue 19, finding 1): a system token
or a membership in a role that reads patient records, asked for by an admin, works only
once a second, clinical person approves it (the organisation's lead or the region's privacy
officer); nobody approves their own request; the audit names who made and who approved it,
and the person's access log names the system."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from careplans.models import PublishedVersion
from organisations.models import Membership, Role
from organisations.services import membership_add, membership_approve
from organisations.tokens import token_create
from patients.models import Patient
from tests.careplans.conftest import consented, published
from tests.conftest import PASSWORD, Place, act_as, confirm_identity
from tests.factories import approver_for, make_member

__all__ = ["consented", "published"]

APPROVALS = reverse("organisations:access_approvals")


def _decide(membership: Membership) -> str:
    return reverse("organisations:access_decide", kwargs={"membership_id": membership.public_id})


def _plan(client: Client, secret: str, patient: Patient) -> int:
    url = f"/api/v1/patients/{patient.public_id}/plan/"
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def test_a_clinician_token_an_admin_makes_reads_nothing_until_a_lead_approves_it(
    client: Client,
    place: Place,
    regional_admin: Membership,
    their_gp: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    made = token_create(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    )
    assert _plan(client, made.secret, patient) == 401
    # The admin may not approve it: it is not listed for them, and the service refuses.
    act_as(client, regional_admin)
    assert "GP system" not in client.get(APPROVALS).content.decode()
    with pytest.raises(PermissionDenied):
        membership_approve(actor=regional_admin, membership=made.token.membership)
    # The practice's lead clinician (their GP) approves it, knowing what it is for.
    confirm_identity(act_as(client, their_gp))
    listed = client.get(APPROVALS).content.decode()
    assert "System: GP system" in listed
    response = client.post(_decide(made.token.membership), {"decision": "approve"})
    assert response.status_code == 302
    client.logout()
    assert _plan(client, made.secret, patient) == 200
    made_event = AccessEvent.objects.get(action=Action.TOKEN_CREATE)
    approved = AccessEvent.objects.get(action=Action.ACCESS_APPROVE)
    assert (made_event.user, approved.user) == (regional_admin.user, their_gp.user)
    assert approved.detail["requested_by"] == regional_admin.user.get_username()


def test_a_clinician_the_admin_adds_cannot_act_until_approved_and_a_decline_ends_it(
    client: Client,
    place: Place,
    regional_admin: Membership,
    their_gp: Membership,
    published: PublishedVersion,
    patient: Patient,
) -> None:
    added = membership_add(
        actor=regional_admin,
        organisation=place.practice,
        username="admins-friend",
        email="friend@example.org",
        role=Role.CLINICIAN,
        is_senior_clinician=True,
        password=PASSWORD,
    )
    assert added.awaiting_approval
    friend = Client()
    friend.force_login(added.user)
    page = friend.get(reverse("patients:detail", kwargs={"patient_id": patient.public_id}))
    assert page.status_code in (302, 404)
    assert patient.family_name not in page.content.decode()
    confirm_identity(act_as(client, their_gp))
    refused = client.post(_decide(added), {"decision": "decline"}).content.decode()
    assert "Say why this access is declined" in refused
    client.post(_decide(added), {"decision": "decline", "reason": "Not known to the practice"})
    added.refresh_from_db()
    assert added.ended_at is not None
    assert AccessEvent.objects.get(action=Action.ACCESS_DECLINE).reason == (
        "Not known to the practice"
    )


def test_nobody_approves_their_own_request_even_as_the_organisation_s_lead(
    client: Client, place: Place, regional_admin: Membership, their_gp: Membership
) -> None:
    # The admin's own account is also a lead clinician of the practice (made on the command
    # line), and asks for a token there: they still cannot approve it.
    own_lead = membership_add(
        actor=None,
        organisation=place.practice,
        username=regional_admin.user.get_username(),
        role=Role.CLINICIAN,
        is_organisation_lead=True,
    )
    made = token_create(
        actor=regional_admin, organisation=place.practice, role=Role.CLINICIAN, name="GP system"
    )
    with pytest.raises(PermissionDenied):
        membership_approve(actor=own_lead, membership=made.token.membership)
    confirm_identity(act_as(client, own_lead))
    assert client.get(_decide(made.token.membership)).status_code == 404
    assert "GP system" not in client.get(APPROVALS).content.decode()


def test_the_privacy_officer_approves_across_the_region_but_not_another(
    place: Place, regional_admin: Membership
) -> None:
    made = token_create(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="Crew EPR"
    )
    elsewhere = make_member(place.other_region_practice, Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):
        membership_approve(actor=elsewhere, membership=made.token.membership)
    membership_approve(actor=approver_for(place.ambulance), membership=made.token.membership)
    made.token.membership.refresh_from_db()
    assert made.token.membership.is_active


def test_a_role_without_patient_records_needs_no_approval(
    place: Place, regional_admin: Membership
) -> None:
    added = membership_add(
        actor=regional_admin,
        organisation=place.coordination,
        username="second-admin",
        role=Role.REGIONAL_ADMIN,
    )
    assert added.is_active


def test_the_person_s_access_log_names_the_system_that_read_their_plan(
    client: Client,
    place: Place,
    regional_admin: Membership,
    published: PublishedVersion,
    patient: Patient,
    online_patient: object,
) -> None:
    from tests.factories import make_token

    secret = make_token(
        actor=regional_admin, organisation=place.ambulance, role=Role.URGENT_CARE, name="Crew EPR"
    ).secret
    url = f"/fhir/R4/Patient/{patient.public_id}/$everything"
    body = json.loads(client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").content)
    assert body["total"] > 0
    client.force_login(online_patient.user)  # type: ignore[attr-defined]
    log = client.get(reverse("portal:access_log")).content.decode()
    assert "through its system “Crew EPR”" in log
