"""The region's care profile, kept by its admin or commissioner: drafts, revisions that
refuse a stale edit without losing it, publishing whole, versions kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import Membership, Role
from profiles.models import ProfileService, ProfileVersion, VersionStatus
from profiles.selectors import published_profile
from profiles.services import (
    DraftChanged,
    draft_discard,
    draft_start,
    profile_publish,
    service_remove,
    service_save,
    stage_save,
)
from profiles.terminology import Stage
from tests.conftest import Place, act_as
from tests.factories import make_member, make_organisation
from tests.profiles.conftest import fill_profile, publish_profile, service

OVERVIEW = reverse("profiles:overview")


def test_a_published_profile_is_what_everyone_sees_and_a_new_draft_starts_from_it(
    place: Place, regional_admin: Membership
) -> None:
    first = publish_profile(regional_admin)
    assert first.number == 1
    profile = published_profile(place.region.pk)
    assert profile is not None
    part = profile.part(Stage.C)
    assert part is not None
    assert [s.name for s in part.services] == ["C help"]
    draft = draft_start(actor=regional_admin)
    assert draft.number == 2
    assert draft.services.count() == len(Stage)  # copied, to change
    service_save(
        actor=regional_admin, revision=draft.revision, stage=Stage.C, details=service("Night")
    )
    # Nobody sees the draft until it is published.
    part = published_profile(place.region.pk).part(Stage.C)  # type: ignore[union-attr]
    assert [s.name for s in part.services] == ["C help"]  # type: ignore[union-attr]
    draft.refresh_from_db()
    profile_publish(actor=regional_admin, revision=draft.revision)
    part = published_profile(place.region.pk).part(Stage.C)  # type: ignore[union-attr]
    assert [s.name for s in part.services] == ["C help", "Night"]  # type: ignore[union-attr]
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert first.services.count() == len(Stage)  # history kept as it was
    actions = AccessEvent.objects.filter(
        action__in=[Action.CARE_PROFILE_CHANGE, Action.CARE_PROFILE_PUBLISH]
    )
    assert actions.filter(action=Action.CARE_PROFILE_PUBLISH).count() == 2
    assert all(event.patient_public_id is None for event in actions)


def test_a_stage_without_services_or_information_is_not_published(
    regional_admin: Membership,
) -> None:
    draft = fill_profile(regional_admin)
    ProfileService.objects.filter(version=draft, stage=Stage.D).delete()
    with pytest.raises(ValidationError) as refused:
        profile_publish(actor=regional_admin, revision=draft.revision)
    assert refused.value.messages == [
        "Stage D (red): days has no services: add it before publishing"
    ]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_service_without_a_way_to_reach_it_is_refused_and_nothing_saved(
    regional_admin: Membership,
) -> None:
    draft = draft_start(actor=regional_admin)
    with pytest.raises(ValidationError) as refused:
        service_save(
            actor=regional_admin,
            revision=draft.revision,
            stage=Stage.C,
            details=service(phone="", how_to_reach="", centre_service=""),
        )
    assert "Give a way to reach the service" in refused.value.message_dict["phone"][0]
    assert not ProfileService.objects.exists()
    with pytest.raises(ValidationError) as refused:
        service_save(
            actor=regional_admin,
            revision=draft.revision,
            stage=Stage.C,
            details=service(phone="12"),
        )
    assert "phone" in refused.value.message_dict
    # Through the co-ordination centre is a way to reach it.
    service_save(
        actor=regional_admin,
        revision=draft.revision,
        stage=Stage.C,
        details=service(phone="", centre_service="night_sitting"),
    )


def test_an_edit_on_a_draft_someone_changed_or_published_meanwhile_is_refused(
    place: Place, regional_admin: Membership, commissioner: Membership
) -> None:
    draft = fill_profile(regional_admin)
    seen = draft.revision
    stage_save(
        actor=commissioner,
        revision=seen,
        stage=Stage.B,
        information="Changed by the commissioner",
        to_discuss=[],
    )
    with pytest.raises(DraftChanged, match="changed this draft"):
        stage_save(
            actor=regional_admin, revision=seen, stage=Stage.B, information="Mine", to_discuss=[]
        )
    draft.refresh_from_db()
    profile_publish(actor=commissioner, revision=draft.revision)
    with pytest.raises(DraftChanged, match="no longer a draft"):
        service_save(
            actor=regional_admin, revision=draft.revision, stage=Stage.A, details=service()
        )
    with pytest.raises(DraftChanged):
        profile_publish(actor=regional_admin, revision=draft.revision)
    assert ProfileVersion.objects.get().status == VersionStatus.PUBLISHED


def test_the_page_keeps_what_was_typed_when_the_draft_moved_on(
    client: Client, regional_admin: Membership, commissioner: Membership
) -> None:
    draft = fill_profile(regional_admin)
    act_as(client, regional_admin)
    url = reverse("profiles:stage_edit", kwargs={"stage": "B"})
    form = client.get(url).content.decode()
    assert f'name="revision" value="{draft.revision}"' in form
    stage_save(
        actor=commissioner,
        revision=draft.revision,
        stage=Stage.B,
        information="Changed meanwhile",
        to_discuss=[],
    )
    response = client.post(
        url, {"revision": draft.revision, "information": "My careful words", "to_discuss": []}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "while you were editing" in page
    assert "My careful words" in page  # nothing lost


def test_the_after_death_window_must_make_sense(regional_admin: Membership) -> None:
    draft = draft_start(actor=regional_admin)
    for first, last in ((42, 21), (0, 10), (10, 400), (None, 42)):
        with pytest.raises(ValidationError):
            stage_save(
                actor=regional_admin,
                revision=draft.revision,
                stage=Stage.AFTER_DEATH,
                information="After a death",
                to_discuss=["after_death"],
                bereavement_from_days=first,
                bereavement_to_days=last,
            )
    draft = stage_save(
        actor=regional_admin,
        revision=draft.revision,
        stage=Stage.AFTER_DEATH,
        information="After a death",
        to_discuss=["after_death", "made_up"][:1],
        bereavement_from_days=14,
        bereavement_to_days=28,
    )
    assert (draft.bereavement_from_days, draft.bereavement_to_days) == (14, 28)


def test_removing_a_service_and_discarding_a_draft(regional_admin: Membership) -> None:
    draft = fill_profile(regional_admin)
    first = draft.services.first()
    assert first is not None
    service_remove(actor=regional_admin, revision=draft.revision, service_id=first.public_id)
    draft.refresh_from_db()
    draft_discard(actor=regional_admin, revision=draft.revision)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DISCARDED
    assert draft_start(actor=regional_admin).number == 2


def test_the_admin_journey_through_the_pages(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    act_as(client, regional_admin)
    assert "Nothing is published yet" in client.get(OVERVIEW).content.decode()
    assert client.post(reverse("profiles:draft_start")).status_code == 302
    draft = ProfileVersion.objects.get()
    response = client.post(
        reverse("profiles:service_add", kwargs={"stage": "C"}),
        {
            "revision": draft.revision,
            "name": "Hospice at home",
            "provider": place.hospice.pk,
            "what_it_does": "Nurses at home",
            "who_for": "People at home",
            "hours": "24 hours",
            "out_of_hours": "on",
            "phone": "",
            "how_to_reach": "",
            "centre_service": "hospice_at_home",
            "response_time": "Within 4 hours",
        },
    )
    assert response.status_code == 302
    overview = client.get(OVERVIEW).content.decode()
    assert "Hospice at home" in overview
    assert "Heathside Hospice" in overview
    draft.refresh_from_db()
    refused = client.post(reverse("profiles:publish"), {"revision": draft.revision})
    assert refused.status_code == 409
    assert "Stage A (blue): a year or more has no services and no information" in (
        refused.content.decode()
    )


def test_only_those_who_keep_the_profile_reach_its_pages(
    client: Client,
    place: Place,
    their_gp: Membership,
    paramedic: Membership,
    coordinator: Membership,
    regional_admin: Membership,
) -> None:
    draft = fill_profile(regional_admin)
    first = draft.services.first()
    assert first is not None
    for persona in (their_gp, paramedic, coordinator):
        act_as(client, persona)
        for url in (
            OVERVIEW,
            reverse("profiles:version", kwargs={"number": 1}),
            reverse("profiles:stage_edit", kwargs={"stage": "C"}),
            reverse("profiles:service_edit", kwargs={"service_id": first.public_id}),
        ):
            assert client.get(url).status_code == 403
        assert (
            client.post(reverse("profiles:publish"), {"revision": draft.revision}).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            draft_start(actor=persona)
    # Another region's admin sees and changes only their own region's profile.
    other_centre = make_organisation(kind="coordination_centre", region=place.other_region)
    other_admin = make_member(other_centre, Role.REGIONAL_ADMIN)
    act_as(client, other_admin)
    assert client.get(reverse("profiles:version", kwargs={"number": 1})).status_code == 404
    assert (
        client.get(
            reverse("profiles:service_edit", kwargs={"service_id": first.public_id})
        ).status_code
        == 404
    )
    assert "Nothing is published yet" in client.get(OVERVIEW).content.decode()
