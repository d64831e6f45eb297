"""Emails that fail: the reminder stays in-app, the email is tried again later (doubling
delays), then given up and marked so; a sweep sends again what waited too long."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.models import Membership
from patients.models import Patient
from reminders.models import Delivery, EmailStatus, Notification
from reminders.services import reminders_sweep
from reminders.tasks import email_retry_delay, send_notification_email
from tests.conftest import act_as
from tests.reminders.conftest import publish


@pytest.fixture
def delivery(their_gp: Membership, consented: Patient) -> Delivery:
    """A reminder for the GP, its email not yet sent (nothing ran the queued task)."""
    their_gp.user.email = "their-gp@example.nhs.uk"
    their_gp.user.save()
    publish(their_gp, consented, review_in=4)
    reminders_sweep()
    return Delivery.objects.get(membership=their_gp)


@pytest.fixture
def mail_server_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("reminders.services.send_mail", refuse)


def test_the_email_is_sent_once_however_often_its_task_runs(delivery: Delivery) -> None:
    assert delivery.email_status == EmailStatus.PENDING
    for _ in range(3):
        send_notification_email.apply(args=(str(delivery.public_id),))
    delivery.refresh_from_db()
    assert delivery.email_status == EmailStatus.SENT
    assert delivery.email_attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("mail_server_down")
def test_a_failed_email_is_retried_with_growing_delays_and_the_reminder_stays_in_app(
    client: Client, delivery: Delivery, their_gp: Membership
) -> None:
    with pytest.raises(Retry) as first:
        send_notification_email.apply(args=(str(delivery.public_id),))
    assert first.value.when == settings.REMINDER_RETRY_FIRST_DELAY
    with pytest.raises(Retry) as third:
        send_notification_email.apply(args=(str(delivery.public_id),), retries=2)
    assert third.value.when == 4 * settings.REMINDER_RETRY_FIRST_DELAY
    assert email_retry_delay(30) == settings.REMINDER_RETRY_MAX_DELAY
    delivery.refresh_from_db()
    assert (delivery.email_status, delivery.email_attempts) == (EmailStatus.PENDING, 2)

    # The last try gives up, says so, and the reminder is still on the page.
    send_notification_email.apply(
        args=(str(delivery.public_id),), retries=settings.REMINDER_RETRY_LIMIT
    )
    delivery.refresh_from_db()
    assert (delivery.email_status, delivery.email_attempts) == (EmailStatus.FAILED, 3)
    page = act_as(client, their_gp).get(reverse("reminders:notifications"))
    assert "Plan review due soon" in page.content.decode()


def test_a_sweep_sends_again_an_email_that_waited_more_than_an_hour(
    delivery: Delivery, django_capture_on_commit_callbacks: Any
) -> None:
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    delivery.refresh_from_db()
    assert delivery.email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_an_email_for_a_reminder_resolved_before_it_went_is_not_sent(delivery: Delivery) -> None:
    Notification.objects.update(resolved_at=timezone.now(), resolution="Reviewed")
    send_notification_email.apply(args=(str(delivery.public_id),))
    delivery.refresh_from_db()
    assert delivery.email_status == EmailStatus.NOT_NEEDED
    assert mail.outbox == []


def test_an_address_the_server_refuses_is_given_up_at_once(
    delivery: Delivery, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPRecipientsRefused({"their-gp@example.nhs.uk": (550, b"No such user")})

    monkeypatch.setattr("reminders.services.send_mail", refuse)
    send_notification_email.apply(args=(str(delivery.public_id),))
    delivery.refresh_from_db()
    assert (delivery.email_status, delivery.email_attempts) == (EmailStatus.FAILED, 1)


def test_no_email_for_a_reminder_already_read_in_the_service(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(read_at=timezone.now())
    send_notification_email.apply(args=(str(delivery.public_id),))
    delivery.refresh_from_db()
    assert delivery.email_status == EmailStatus.NOT_NEEDED
    assert mail.outbox == []
