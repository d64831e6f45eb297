from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessEvent, Action
from organisations.models import Membership, Organisation, OrganisationKind, Role
from organisations.services import membership_add, membership_end, organisation_create
from tests.conftest import Place
from tests.factories import make_member


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [
        (OrganisationKind.HOSPICE, "R!", "Enter an ODS code"),
        (OrganisationKind.HOSPICE, "AB", "Enter an ODS code"),
        (OrganisationKind.HOSPICE, "ABCDEFGHIJK", "Enter an ODS code"),
        (OrganisationKind.GP_PRACTICE, "RRU", "letter and 5 numbers"),
        (OrganisationKind.GP_PRACTICE, "A8100", "letter and 5 numbers"),
    ],
)
def test_a_malformed_ods_code_is_a_field_error_and_nothing_is_saved(
    place: Place, regional_admin: Membership, kind: str, code: str, message: str
) -> None:
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as error:
        organisation_create(
            actor=regional_admin, name="New", ods_code=code, kind=kind, region=place.region
        )
    assert message in " ".join(error.value.message_dict["ods_code"])
    assert Organisation.objects.count() == before


def test_ods_codes_are_normalised_and_unique(place: Place, regional_admin: Membership) -> None:
    created = organisation_create(
        actor=regional_admin, name="A", ods_code=" a81001 ", kind="gp_practice", region=place.region
    )
    assert created.ods_code == "A81001"
    with pytest.raises(ValidationError) as error:
        organisation_create(
            actor=regional_admin,
            name="B",
            ods_code="A81001",
            kind="gp_practice",
            region=place.region,
        )
    assert "ods_code" in error.value.message_dict


def test_only_urgent_care_serves_other_regions_and_only_operators_say_so(
    place: Place, regional_admin: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        organisation_create(
            actor=regional_admin,
            name="A",
            ods_code="ZZZ05",
            kind="ambulance_service",
            region=place.region,
            served_regions=[place.other_region],
        )
    with pytest.raises(ValidationError) as error:
        organisation_create(
            actor=None,
            name="H",
            ods_code="ZZZ01",
            kind="hospice",
            region=place.region,
            served_regions=[place.other_region],
        )
    assert "served_regions" in error.value.message_dict


def test_an_admin_creates_organisations_only_in_their_region(
    place: Place, regional_admin: Membership, their_gp: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        organisation_create(
            actor=regional_admin,
            name="X",
            ods_code="ZZZ02",
            kind="hospice",
            region=place.other_region,
        )
    with pytest.raises(PermissionDenied):
        organisation_create(
            actor=their_gp, name="X", ods_code="ZZZ03", kind="hospice", region=place.region
        )


def test_organisation_creation_is_audited(place: Place, regional_admin: Membership) -> None:
    organisation_create(
        actor=regional_admin,
        name="New Hospice",
        ods_code="ZZZ04",
        kind="hospice",
        region=place.region,
    )
    event = AccessEvent.objects.filter(
        action=Action.ORGANISATION_CREATE, user=regional_admin.user
    ).get()
    assert event.detail["ods_code"] == "ZZZ04"


def test_a_role_must_fit_the_organisation(place: Place) -> None:
    with pytest.raises(ValidationError) as error:
        make_member(place.practice, Role.URGENT_CARE)
    assert "cannot be held in a gp practice" in " ".join(error.value.message_dict["role"])
    with pytest.raises(ValidationError):
        make_member(place.practice, Role.PATIENT)


def test_only_clinicians_are_senior(place: Place) -> None:
    with pytest.raises(ValidationError):
        make_member(place.ambulance, Role.URGENT_CARE, senior=True)


def test_a_new_person_is_emailed_a_single_use_link(
    place: Place, regional_admin: Membership, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_add(
            actor=regional_admin,
            organisation=place.hospice,
            username="new-nurse",
            email="new.nurse@example.nhs.uk",
            role=Role.CLINICIAN,
            set_password_email_from="127.0.0.1:8000",
        )
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/set-password/" in mail.outbox[0].body
    assert AccessEvent.objects.filter(action=Action.MEMBERSHIP_ADD).exists()


def test_an_admin_cannot_add_people_to_another_region(
    place: Place, regional_admin: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        membership_add(
            actor=regional_admin,
            organisation=place.other_region_practice,
            username="x",
            role=Role.CLINICIAN,
        )
    assert not User.objects.filter(username="x").exists()


def test_ending_a_membership_stops_it_at_once(
    place: Place, regional_admin: Membership, their_gp: Membership
) -> None:
    membership_end(actor=regional_admin, membership=their_gp)
    their_gp.refresh_from_db()
    assert not their_gp.is_active
    assert not Membership.objects.active().filter(pk=their_gp.pk).exists()
    with pytest.raises(ValidationError):
        membership_end(actor=regional_admin, membership=regional_admin)


def test_an_admin_cannot_give_themselves_a_role(place: Place, regional_admin: Membership) -> None:
    with pytest.raises(ValidationError) as error:
        membership_add(
            actor=regional_admin,
            organisation=place.practice,
            username=regional_admin.user.username,
            role=Role.CLINICIAN,
        )
    assert "cannot give yourself a role" in error.value.message_dict["username"][0]
    assert Membership.objects.filter(user=regional_admin.user).count() == 1


def test_an_admin_cannot_add_a_person_who_works_in_another_region(
    place: Place, regional_admin: Membership, other_region_clinician: Membership
) -> None:
    with pytest.raises(ValidationError) as error:
        membership_add(
            actor=regional_admin,
            organisation=place.practice,
            username=other_region_clinician.user.username,
            role=Role.CLINICIAN,
        )
    assert "another region" in error.value.message_dict["username"][0]
