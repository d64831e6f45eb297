from __future__ import annotations

import contextlib
import itertools
import threading
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import services
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
@pytest.mark.parametrize("in_a_transaction", [True, False])
def test_concurrent_appends_to_one_stream_stay_in_order(
    patient: Patient, their_gp: Membership, in_a_transaction: bool
) -> None:
    """Inside the callers' transactions, and on their own (each append its own)."""
    errors: list[BaseException] = []

    def append(count: int) -> None:
        try:
            for _ in range(count):
                with transaction.atomic() if in_a_transaction else contextlib.nullcontext():
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


def _stream(patient: Patient) -> AuditStream:
    return AuditStream.objects.get(key=f"patient:{patient.public_id}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the swap is PostgreSQL's")
def test_an_append_after_a_head_that_moved_on_writes_nothing(
    chain: list[AccessEvent], patient: Patient, their_gp: Membership
) -> None:
    stream = _stream(patient)
    stale = services._head(stream.key)
    assert stale is not None
    record(actor=their_gp, action=Action.VIEW, patient=patient)  # someone else's, first
    late = AccessEvent(occurred_at=chain[0].occurred_at, action=Action.VIEW)

    assert not services._swapped(late, stale)

    assert late.pk is None
    assert AccessEvent.objects.filter(stream=stream).count() == stale.length + 1
    assert chain[-1].sequence == stale.length
    assert _stream(patient).length == stale.length + 1
    assert verify_all().intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the swap is PostgreSQL's")
def test_an_append_that_meets_a_moved_head_reads_it_again_and_follows_it(
    chain: list[AccessEvent], patient: Patient, their_gp: Membership, monkeypatch
) -> None:
    """Another event lands between reading the head and moving it: the append tries again
    after the new head, so the chain has both, in order."""
    read = services._head
    interrupted: list[AccessEvent] = []

    def head_then_someone_else(key: str) -> services._Head | None:
        head = read(key)
        if not interrupted:
            monkeypatch.setattr(services, "_head", read)  # the other append reads it fresh
            interrupted.append(record(actor=their_gp, action=Action.VIEW, patient=patient))
            monkeypatch.setattr(services, "_head", head_then_someone_else)
        return head

    monkeypatch.setattr(services, "_head", head_then_someone_else)
    mine = record(actor=their_gp, action=Action.PRINT, patient=patient)

    last = chain[-1].sequence
    assert [interrupted[0].sequence, mine.sequence] == [last + 1, last + 2]
    assert mine.previous_hash == interrupted[0].hash
    assert mine.occurred_at >= interrupted[0].occurred_at  # timed when linked, in order
    assert _stream(patient).head_hash == mine.hash
    assert verify_all().intact


def test_a_head_that_keeps_moving_is_locked_and_waited_for_instead(
    chain: list[AccessEvent], patient: Patient, their_gp: Membership, monkeypatch
) -> None:
    tries: list[int] = []

    def always_beaten(event: AccessEvent, head: services._Head) -> bool:
        tries.append(head.length)
        return False

    monkeypatch.setattr(services, "_swapped", always_beaten)
    event = record(actor=their_gp, action=Action.VIEW, patient=patient)

    if connection.vendor == "postgresql":
        assert len(tries) == services.SWAP_TRIES
    assert event.sequence == chain[-1].sequence + 1
    assert _stream(patient).head_hash == event.hash
    assert verify_all().intact


def test_the_first_event_of_a_stream_makes_it(their_gp: Membership) -> None:
    someone = uuid.uuid4()
    assert not AuditStream.objects.filter(key=f"patient:{someone}").exists()
    event = record(actor=their_gp, action=Action.VIEW, patient_public_id=someone)
    assert (event.sequence, event.previous_hash) == (1, "")
    assert AuditStream.objects.get(key=f"patient:{someone}").length == 1
    assert AccessEvent.objects.get(pk=event.pk).hash == event.hash
    assert verify_all().intact
