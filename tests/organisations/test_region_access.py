"""The single point of access: the regional admin keeps one number for the region."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import Membership, Region
from organisations.services import region_access_set
from tests.conftest import Place, act_as

URL = reverse("organisations:region_access")
GOOD = {
    "name": "Palliative Care Co-ordination Centre",
    "phone": "020 7946 0999",
    "hours": "24 hours a day, 7 days a week",
    "what_for": "Call if things change or you are worried, day or night",
}


def test_the_admin_sets_the_number_on_the_page_and_it_is_audited(
    client: Client, place: Place, regional_admin: Membership
) -> None:
    act_as(client, regional_admin)
    assert "No single point of access is shown yet" in client.get(URL).content.decode()
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    region = Region.objects.get(pk=place.region.pk)
    assert (region.access_name, region.access_phone) == (GOOD["name"], GOOD["phone"])
    event = AccessEvent.objects.get(action=Action.REGION_UPDATE)
    assert event.detail == {
        "region": str(region.public_id),
        "access_name": GOOD["name"],
        "access_phone": GOOD["phone"],
        "access_hours": GOOD["hours"],
    }
    assert "Shown now" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("phone", "call the hospice", "Enter a phone number"),
        ("phone", "", "Enter the phone number"),
        ("hours", "", "Enter its hours"),
        ("what_for", "x" * 601, "600 characters or fewer"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(
    client: Client, place: Place, regional_admin: Membership, field: str, value: str, words: str
) -> None:
    act_as(client, regional_admin)
    page = client.post(URL, {**GOOD, field: value}).content.decode()
    assert words in page
    assert GOOD["what_for"] in page or field == "what_for"  # what was typed is kept
    assert Region.objects.get(pk=place.region.pk).access_phone == ""
    assert not AccessEvent.objects.filter(action=Action.REGION_UPDATE).exists()


def test_clearing_every_box_stops_showing_a_number(
    place: Place, regional_admin: Membership
) -> None:
    region_access_set(actor=regional_admin, **GOOD)
    region = region_access_set(actor=regional_admin, name="", phone="", hours="", what_for="")
    assert region.access_phone == ""


def test_only_a_regional_admin_sets_it_and_only_for_their_own_region(
    client: Client, place: Place, their_gp: Membership, regional_admin: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        region_access_set(actor=their_gp, **GOOD)
    act_as(client, their_gp)
    assert client.get(URL).status_code == 403
    assert client.post(URL, GOOD).status_code == 403
    region_access_set(actor=regional_admin, **GOOD)
    assert Region.objects.get(pk=place.other_region.pk).access_phone == ""
    with pytest.raises(ValidationError):
        region_access_set(actor=regional_admin, **{**GOOD, "name": ""})
