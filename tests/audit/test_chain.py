from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AccessEvent, Action, AppendOnlyError, AuditStream
from audit.services import record, stream_key
from audit.verification import verify_all
from organisations.models import Membership
from patients.models import Patient


def _without_append_only_trigger(sql: str, params: list[str | int]) -> None:
    """What an attacker with the table owner's rights would do: switch the trigger off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_append_only"
            )
            cursor.execute(sql, params)
            cursor.execute(
                "ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER audit_accessevent_no_update")
            cursor.execute("DROP TRIGGER audit_accessevent_no_delete")
            cursor.execute(sql, params)


@pytest.fixture
def chain(patient: Patient, their_gp: Membership) -> list[AccessEvent]:
    return [
        record(actor=their_gp, action=Action.VIEW, patient=patient, detail={"page": str(i)})
        for i in range(3)
    ]


def test_events_chain_per_patient_and_verify(chain: list[AccessEvent], patient: Patient) -> None:
    stream = AuditStream.objects.get(key=f"patient:{patient.public_id}")
    events = list(AccessEvent.objects.filter(stream=stream).order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
    assert stream.head_hash == events[-1].hash
    assert stream.length == len(events)
    assert verify_all().intact
    call_command("verify_audit")


def test_events_without_a_patient_go_to_a_few_streams_by_actor(
    their_gp: Membership, team_nurse: Membership
) -> None:
    assert stream_key(actor=their_gp, patient_public_id=None).startswith("actor:")
    assert stream_key(actor=None, patient_public_id=None) == "system"
    keys = {stream_key(actor=m, patient_public_id=None) for m in (their_gp, team_nurse)}
    assert all(k.startswith("actor:") for k in keys)


def test_an_event_records_who_from_where(chain: list[AccessEvent], their_gp: Membership) -> None:
    event = chain[0]
    assert event.user == their_gp.user
    assert event.membership_public_id == their_gp.public_id
    assert event.organisation_public_id == their_gp.organisation.public_id
    assert event.role == "clinician"


def test_the_orm_refuses_to_change_or_remove_events(chain: list[AccessEvent]) -> None:
    event = chain[0]
    event.reason = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(reason="tampered")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_accessevent SET reason = 'x'", "DELETE FROM audit_accessevent"]
)
def test_the_database_refuses_to_change_or_remove_events(
    chain: list[AccessEvent], statement: str
) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AccessEvent.objects.filter(reason="x").count() == 0


@pytest.mark.django_db(transaction=True)
def test_verify_audit_names_an_edited_event(chain: list[AccessEvent]) -> None:
    victim = chain[1]
    _without_append_only_trigger(
        "UPDATE audit_accessevent SET reason = %s WHERE id = %s", ["edited", victim.pk]
    )
    result = verify_all()
    assert not result.intact
    assert result.first_break is not None
    assert result.first_break.event_id == victim.pk
    with pytest.raises(CommandError, match=f"event {victim.pk} .*changed"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_verify_audit_notices_a_removed_event(chain: list[AccessEvent]) -> None:
    removed, after = chain[1], chain[2]
    _without_append_only_trigger("DELETE FROM audit_accessevent WHERE id = %s", [removed.pk])
    with pytest.raises(CommandError, match=f"event {after.pk} .*removed"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_verify_audit_notices_a_removed_last_event(chain: list[AccessEvent]) -> None:
    _without_append_only_trigger("DELETE FROM audit_accessevent WHERE id = %s", [chain[-1].pk])
    with pytest.raises(CommandError, match="removed"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_stream_stay_in_order(
    patient: Patient, their_gp: Membership
) -> None:
    errors: list[BaseException] = []

    def append(count: int) -> None:
        try:
            for _ in range(count):
                with transaction.atomic():
                    record(actor=their_gp, action=Action.VIEW, patient=patient)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    before = AuditStream.objects.get(key=f"patient:{patient.public_id}").length
    threads = [threading.Thread(target=append, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    stream = AuditStream.objects.get(key=f"patient:{patient.public_id}")
    assert stream.length == before + 40
    assert verify_all().intact


def test_addresses_are_stored_and_hashed_in_canonical_form(
    client, patient: Patient, their_gp: Membership
) -> None:
    from tests.conftest import act_as

    act_as(client, their_gp)
    client.get(f"/patients/{patient.public_id}/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
    event = AccessEvent.objects.filter(action=Action.VIEW).latest("id")
    assert event.ip_address == "2001:db8::1"
    assert verify_all().intact


def test_a_malformed_forwarded_address_falls_back_to_the_peer(
    client, settings, patient: Patient, their_gp: Membership
) -> None:
    from tests.conftest import act_as

    settings.BEHIND_PROXY = True
    act_as(client, their_gp)
    response = client.get(f"/patients/{patient.public_id}/", HTTP_X_FORWARDED_FOR="1.2.3.4:5678")
    assert response.status_code == 200
    assert AccessEvent.objects.filter(action=Action.VIEW).latest("id").ip_address == "127.0.0.1"
    client.get(f"/patients/{patient.public_id}/", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.7")
    assert AccessEvent.objects.filter(action=Action.VIEW).latest("id").ip_address == "10.0.0.7"


@pytest.mark.parametrize(
    "detail", [{"x": 1.5}, {"when": __import__("datetime").date(2026, 1, 1)}, {1: "a"}]
)
def test_detail_that_would_not_survive_the_database_is_refused(
    their_gp: Membership, detail: dict
) -> None:
    with pytest.raises(TypeError):
        record(actor=their_gp, action=Action.LIST, detail=detail)


def test_without_the_key_nobody_can_make_a_valid_chain(chain: list[AccessEvent], settings) -> None:
    settings.AUDIT_CHAIN_KEY = "a-forger-who-does-not-know-the-key"
    assert not verify_all().intact


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_auditstream",
        "UPDATE audit_auditstream SET length = length - 1",
        "UPDATE audit_auditstream SET head_hash = 'x'",
    ],
)
def test_the_database_refuses_to_rewind_or_remove_a_stream_head(
    chain: list[AccessEvent], statement: str
) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("remote", "stored"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_verify_audit_passes_after_requests_from_ipv4_ipv6_and_ipv4_mapped_addresses(
    client: object, their_gp: Membership, patient: Patient, remote: str, stored: str
) -> None:
    """An IPv4-mapped address was hashed in Python's form (::ffff:cb00:7109) and stored in
    Django's (::ffff:203.0.113.9): the chain then read as tampered for ever."""
    from django.test import Client
    from django.urls import reverse

    from tests.conftest import act_as

    browser = act_as(Client(REMOTE_ADDR=remote), their_gp)
    assert browser.get(reverse("patients:detail", args=[patient.public_id])).status_code == 200
    event = AccessEvent.objects.filter(patient_public_id=patient.public_id).latest("id")
    assert event.ip_address == stored
    assert verify_all().intact


@pytest.mark.django_db(transaction=True)
def test_verify_audit_checks_every_stream_and_reports_each_break(
    patient: Patient, other_patient: Patient, their_gp: Membership
) -> None:
    first = record(actor=their_gp, action=Action.VIEW, patient=patient)
    second = record(actor=their_gp, action=Action.VIEW, patient=other_patient)
    for victim in (first, second):
        _without_append_only_trigger(
            "UPDATE audit_accessevent SET reason = %s WHERE id = %s", ["edited", victim.pk]
        )
    result = verify_all()
    assert {found.event_id for found in result.breaks} == {first.pk, second.pk}
    with pytest.raises(CommandError, match="broken in 2 of"):
        call_command("verify_audit")
