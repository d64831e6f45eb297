"""Thin tasks (STYLE rule 7): take ids, load, call one service. Safe to run twice; retries
only for the named faults, with the limits set once in settings."""

from __future__ import annotations

import logging
from smtplib import SMTPException, SMTPRecipientsRefused
from uuid import UUID

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError

from careplans.models import CarePlan
from reminders import services

logger = logging.getLogger(__name__)

# A database that is briefly away (failover, restart): try again later.
DATABASE_FAULTS = (OperationalError,)
# A mail server that refuses, or cannot be reached (including a timeout: EMAIL_TIMEOUT).
EMAIL_FAULTS = (SMTPException, OSError)
# ... except an address the server will never take: trying again cannot help.
EMAIL_FAULTS_FOR_GOOD = (SMTPRecipientsRefused,)

_RETRY = {
    "autoretry_for": DATABASE_FAULTS,
    "max_retries": settings.REMINDER_RETRY_LIMIT,
    "retry_backoff": settings.REMINDER_RETRY_FIRST_DELAY,
    "retry_backoff_max": settings.REMINDER_RETRY_MAX_DELAY,
    "retry_jitter": True,
}


def email_retry_delay(retries: int) -> int:
    """Seconds before the next try: doubling from the first delay, capped."""
    return int(
        min(settings.REMINDER_RETRY_FIRST_DELAY * 2**retries, settings.REMINDER_RETRY_MAX_DELAY)
    )


@shared_task(name="reminders.daily_sweep", **_RETRY)
def daily_sweep() -> None:
    services.reminders_sweep()


@shared_task(name="reminders.update_plan_reminders", **_RETRY)
def update_plan_reminders(plan_id: str) -> None:
    plan = CarePlan.objects.filter(public_id=plan_id).first()
    if plan is None:
        logger.info("reminders for plan %s not updated: no such plan; nothing to do", plan_id)
        return
    if plan.closed_at is not None:
        logger.info("plan %s is closed (the person has died): resolving its reminders", plan_id)
    services.plan_reminders_update(plan=plan)


@shared_task(
    bind=True, name="reminders.send_notification_email", max_retries=settings.REMINDER_RETRY_LIMIT
)
def send_notification_email(self: Task, delivery_id: str) -> None:
    try:
        services.delivery_email_send(delivery_id=UUID(delivery_id))
    except EMAIL_FAULTS as fault:
        retries = self.request.retries
        final = retries >= settings.REMINDER_RETRY_LIMIT or isinstance(fault, EMAIL_FAULTS_FOR_GOOD)
        services.delivery_email_failed(delivery_id=UUID(delivery_id), final=final)
        if final:
            logger.warning(
                "reminder email %s given up after %d tries (%s); it stays in-app",
                delivery_id,
                retries + 1,
                type(fault).__name__,
            )
            return
        raise self.retry(exc=fault, countdown=email_retry_delay(retries)) from fault
