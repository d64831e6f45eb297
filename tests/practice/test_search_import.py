"""Importing the practice's own search: every row checked and reported, nothing counts until
confirmed, and nobody of another practice is revealed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from organisations.models import Membership
from patients.models import Patient
from practice import selectors
from practice.models import ImportStatus, SearchImport, SearchMatch
from practice.services import NOT_A_PATIENT
from tests.conftest import Place, act_as
from tests.factories import make_patient, next_nhs_number

pytestmark = pytest.mark.django_db


def _upload(client: Client, content: bytes, name: str = "search.csv") -> str:
    response = client.post(
        reverse("practice:search_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    return response.content.decode()


def _listed(gp: Membership) -> set[str]:
    return {c.patient.family_name for c in selectors.case_finding(gp).candidates}


def test_every_row_is_checked_and_only_confirmed_matches_list_anyone(
    client: Client, their_gp: Membership, place: Place, outsider_clinician: Membership
) -> None:
    ours = make_patient(registered_by=their_gp, practice=place.practice, family_name="Ours")
    maybe = make_patient(registered_by=their_gp, practice=place.practice, family_name="Maybe")
    theirs = make_patient(
        registered_by=outsider_clinician, practice=place.outsider_practice, family_name="Theirs"
    )
    unknown = next_nhs_number()
    rows = [
        "NHS Number,Housebound,eFI severe frailty",
        f"{ours.nhs_number_display},yes,1",
        f"{theirs.nhs_number},1,0",
        f"{unknown},1,0",
        "1234567890,1,0",
        f"{ours.nhs_number},0,0",
        ",1,1",
        f"{maybe.nhs_number},maybe,1",
    ]
    act_as(client, their_gp)
    page = _upload(client, "\n".join(rows).encode())
    assert "7 rows read: <strong>1 matched</strong>" in page
    assert page.count(NOT_A_PATIENT) == 2  # another practice's patient and an unknown: the same
    assert theirs.family_name not in page
    assert "Not a valid NHS number" in page
    assert "Listed already on row 2" in page
    assert "No NHS number" in page
    assert "“maybe” under Housebound: use yes or no" in page
    assert "Housebound, eFI severe frailty" in page
    search = SearchImport.objects.get()
    assert (search.status, search.rows_read, search.rows_refused) == (ImportStatus.CHECKED, 7, 6)
    assert _listed(their_gp) == set()  # nothing counts until confirmed
    confirmed = client.post(reverse("practice:search_confirm", args=[search.public_id]))
    assert confirmed.status_code == 302
    assert _listed(their_gp) == {"Ours"}
    terms = selectors.case_finding(their_gp).candidates[0].finding.terms
    assert "Housebound, eFI severe frailty" in terms[-1].plain
    again = client.post(reverse("practice:search_confirm", args=[search.public_id]))
    assert again.status_code == 404
    events = AccessEvent.objects.filter(action=Action.SEARCH_IMPORT)
    assert [e.detail["status"] for e in events] == ["checked", "confirmed"]
    assert ours.nhs_number not in str(list(events.values_list("detail", flat=True)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Name,Date of birth\nAnn,1930-01-01\n", "one of them “NHS number”"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file"),
        (b"", "The file is empty. Nothing was imported."),
        (b"NHS number\n", "no rows under its header"),
        (
            ("NHS number\n" + "9990000026\n" * 100_000).encode(),
            "The file has 100,000 rows; one search may have at most 20,000",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_kept(
    client: Client, their_gp: Membership, content: bytes, message: str
) -> None:
    act_as(client, their_gp)
    page = _upload(client, content)
    assert message in page
    assert not SearchImport.objects.exists()
    assert not SearchMatch.objects.exists()


def test_someone_elses_search_cannot_be_confirmed(
    client: Client, their_gp: Membership, place: Place, patient: Patient
) -> None:
    colleague = Membership.objects.get(pk=their_gp.pk)
    from tests.factories import make_member

    other = make_member(place.practice)
    act_as(client, colleague)
    _upload(client, f"NHS number\n{patient.nhs_number}\n".encode())
    search = SearchImport.objects.get()
    act_as(client, other)
    assert (
        client.post(reverse("practice:search_confirm", args=[search.public_id])).status_code == 404
    )
    assert SearchImport.objects.get().status == ImportStatus.CHECKED
