"""Every change to reminders: the daily sweep, the update after a plan changes, emails,
marking as read. The sweep and the update act for the system, not for a person; marking
as read acts for the person reading."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan
from core.tasks import queue_after_commit
from organisations.models import Membership, Organisation
from patients.models import Patient
from reminders import rules, selectors
from reminders.models import Delivery, EmailStatus, Kind, Notification
from reminders.selectors import Responsibility

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class Outcome:
    """What a sweep or an update did, in counts only (they go to the log)."""

    plans: int = 0
    raised: int = 0
    resolved: int = 0

    def __iadd__(self, other: Outcome) -> Outcome:
        self.plans += other.plans
        self.raised += other.raised
        self.resolved += other.resolved
        return self


def reminders_sweep(*, now: dt.datetime | None = None) -> Outcome:
    """Raise what is due and resolve what no longer is, for every plan that needs
    attention; safe to run again at any time (the unique constraint makes a repeat, or two
    sweeps at once, raise nothing twice)."""
    now = now or timezone.now()
    outcome = Outcome()
    due = sorted(selectors.plans_needing_attention(now))
    for start in range(0, len(due), BATCH_SIZE):
        outcome += _update(tuple(due[start : start + BATCH_SIZE]), now)
    waiting = selectors.emails_waiting(now)
    for delivery_id in waiting:
        queue_after_commit("reminders.send_notification_email", str(delivery_id))
    logger.info(
        "reminder sweep: %d plans needing attention, %d reminders raised, %d resolved, "
        "%d emails sent again",
        outcome.plans,
        outcome.raised,
        outcome.resolved,
        len(waiting),
    )
    return outcome


def plan_reminders_update(*, plan: CarePlan, now: dt.datetime | None = None) -> Outcome:
    """After the plan changed (published, answered): the same rules, for this plan only."""
    return _update((plan.pk,), now or timezone.now())


def _update(plan_ids: tuple[int, ...], now: dt.datetime) -> Outcome:
    batch = selectors.plan_batch(plan_ids)
    known = selectors.notifications_of_plans(plan_ids)
    open_by_plan: dict[int, list[Notification]] = defaultdict(list)
    for notification in known.values():
        if notification.is_open and notification.plan_id is not None:
            open_by_plan[notification.plan_id].append(notification)
    told = selectors.recipients_of(n.pk for ns in open_by_plan.values() for n in ns)
    outcome = Outcome(plans=len(batch.dates))
    for dates in batch.dates:
        due = rules.reminders_due(dates, now=now)
        if any((n.kind, n.due_on) not in due for n in open_by_plan.get(dates.plan_id, [])):
            outcome.resolved += _resolve_no_longer_due(dates.plan_id, now)
        responsible = batch.responsibility[dates.plan_id]
        if responsible.organisation is None:
            if due:
                logger.warning(
                    "reminders not raised for plan %s: no organisation responsible for it is "
                    "in the care team",
                    batch.public_ids[dates.plan_id],
                )
            continue
        for kind, due_on in sorted(due):
            found = known.get((dates.plan_id, kind, due_on))
            if found is None:
                found = _raise(dates.plan_id, Kind(kind), due_on, responsible)
                outcome.raised += found is not None
            elif not found.is_open:
                _reopen(found)
                told.update(selectors.recipients_of([found.pk]))
                outcome.raised += 1
            if found is not None:
                _deliver(found, responsible, told.get(found.pk, set()))
        nobody = not any(responsible.people_for(kind) for kind, _ in due)
        if due and nobody and not responsible.organisation.team_email:
            logger.warning(
                "reminders for plan %s reach nobody: its organisation has no one who reads "
                "plans and no team email",
                batch.public_ids[dates.plan_id],
            )
    return outcome


@transaction.atomic
def _resolve_no_longer_due(plan_id: int, now: dt.datetime) -> int:
    """Resolve the plan's open reminders that are no longer due, deciding on its dates as
    they are once its row is locked: a publish in flight (which locks the plan) finishes
    first, so a reminder raised for its new date is never taken for a stale one."""
    CarePlan.objects.select_for_update().filter(pk=plan_id).values_list("pk").first()
    dates, _ = selectors.plan_dates((plan_id,))
    due = rules.reminders_due(dates[0], now=now) if dates else set()
    closed = bool(dates) and dates[0].closed
    resolved = 0
    for notification in Notification.objects.filter(plan_id=plan_id, resolved_at__isnull=True):
        if (notification.kind, notification.due_on) not in due:
            resolved += Notification.objects.filter(
                pk=notification.pk, resolved_at__isnull=True
            ).update(
                resolved_at=now,
                resolution=rules.resolution(notification.kind, due, closed=closed),
            )
    return resolved


def _reopen(notification: Notification) -> None:
    """Due again (a review date set back to an earlier one; a second request asked on the
    day of one answered): open, and unread, once more."""
    Notification.objects.filter(pk=notification.pk).update(resolved_at=None, resolution="")
    Delivery.objects.filter(notification=notification).update(read_at=None)
    notification.resolved_at = None


@transaction.atomic
def _raise(
    plan_id: int, kind: Kind, due_on: dt.date, responsible: Responsibility
) -> Notification | None:
    """One notification; None if another sweep raised it first (the unique constraint)."""
    notification, created = Notification.objects.get_or_create(
        plan_id=plan_id,
        kind=kind,
        due_on=due_on,
        defaults={"organisation": responsible.organisation},
    )
    return notification if created else None


def _deliver(notification: Notification, responsible: Responsibility, told: set[int | str]) -> None:
    """Deliver to whoever is responsible now and has not had it: the people when it is
    raised, and anyone who became responsible since (the approver left; the team left the
    care team). Each new delivery is emailed."""
    organisation = responsible.organisation
    assert organisation is not None  # noqa: S101  (the caller checked)
    deliveries = [
        Delivery(
            notification=notification,
            membership=person,
            email=person.user.email,
            email_status=EmailStatus.PENDING if person.user.email else EmailStatus.NONE,
        )
        for person in responsible.people_for(notification.kind)
        if person.pk not in told
    ]
    if organisation.team_email and organisation.team_email not in told:
        deliveries.append(Delivery(notification=notification, email=organisation.team_email))
    if not deliveries:
        return
    with transaction.atomic():
        if notification.organisation_id != organisation.pk:
            Notification.objects.filter(pk=notification.pk).update(organisation=organisation)
        # Another sweep at the same moment may have delivered some: those are skipped.
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        for delivery in deliveries:
            if delivery.email_status == EmailStatus.PENDING:
                queue_after_commit("reminders.send_notification_email", str(delivery.public_id))


# --- email ---------------------------------------------------------------------------------


@transaction.atomic
def delivery_email_send(*, delivery_id: UUID) -> bool:
    """Email one delivery, once. The message names no patient: it says what kind of thing
    needs attention and links to the notifications page, behind sign-in. False when there
    is nothing to send (unknown, already sent, or resolved before it went)."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("notification__organisation", "membership__user")
        .filter(public_id=delivery_id)
        .first()
    )
    if delivery is None:
        logger.warning("reminder email %s not sent: no such delivery", delivery_id)
        return False
    if delivery.email_status != EmailStatus.PENDING:
        return False
    notification = delivery.notification
    gone = delivery.membership is not None and not delivery.membership.is_active
    if not notification.is_open or delivery.read_at is not None or gone:
        # Resolved, already read in the service, or sent to someone who has since left.
        delivery.email_status = EmailStatus.NOT_NEEDED
        delivery.save(update_fields=["email_status"])
        return False
    body = render_to_string(
        "reminders/email.txt",
        {
            "notification": notification,
            "what": notification.describe(),
            "link": settings.SITE_URL
            + reverse(
                "reminders:overdue_reviews"
                if delivery.membership_id is None
                else "reminders:notifications"
            ),
            "to_mailbox": delivery.membership_id is None,
        },
    )
    send_mail(
        f"Palliative care plans: {notification.get_kind_display().lower()}",
        body,
        None,
        [delivery.email],
    )
    delivery.email_status = EmailStatus.SENT
    delivery.email_attempts += 1
    delivery.emailed_at = timezone.now()
    delivery.save(update_fields=["email_status", "email_attempts", "emailed_at"])
    return True


def delivery_email_failed(*, delivery_id: UUID, final: bool) -> None:
    """Count a failed attempt; after the last one the email is given up. The reminder
    stays on the notifications page whatever happens to its email."""
    delivery = Delivery.objects.filter(public_id=delivery_id).first()
    if delivery is None:
        return
    delivery.email_attempts += 1
    if final:
        delivery.email_status = EmailStatus.FAILED
    delivery.save(update_fields=["email_attempts", "email_status"])


# --- people --------------------------------------------------------------------------------


def delivery_mark_read(*, actor: Membership, delivery: Delivery) -> None:
    """Precondition: `delivery` came from selectors.delivery_for(actor, ...)."""
    if delivery.membership_id != actor.pk:
        raise PermissionDenied
    Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=timezone.now())


def deliveries_mark_all_read(*, actor: Membership) -> int:
    return Delivery.objects.filter(membership=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- actions from the practice meeting -----------------------------------------------------


@transaction.atomic
def action_notify(
    *, owner: Membership, patient: Patient, due_on: dt.date, about: str, source: UUID
) -> Notification:
    """Tell the owner of an action agreed at the practice meeting, in-app (with what to do)
    and by email (without the person's name or the action's words). Once per action."""
    return task_notify(
        owners=[owner],
        organisation=owner.organisation,
        patient=patient,
        kind=Kind.MDT_ACTION,
        due_on=due_on,
        about=about,
        source=source,
    )


def task_notify(
    *,
    owners: list[Membership],
    organisation: Organisation,
    patient: Patient,
    kind: Kind,
    due_on: dt.date,
    about: str,
    source: UUID,
) -> Notification:
    """A task about a person for these people, in-app (with what it is about) and by email
    (without the person's name or the words); the organisation's team mailbox hears too.
    Once per source, however often it is asked."""
    notification, created = Notification.objects.get_or_create(
        source=source,
        defaults={
            "patient": patient,
            "kind": kind,
            "due_on": due_on,
            "about": about[:500],
            "organisation": organisation,
        },
    )
    if created:
        deliveries = [
            Delivery.objects.create(
                notification=notification,
                membership=owner,
                email=owner.user.email,
                email_status=EmailStatus.PENDING if owner.user.email else EmailStatus.NONE,
            )
            for owner in owners
        ]
        if not owners and organisation.team_email:  # nobody named: the team's mailbox
            deliveries.append(
                Delivery.objects.create(
                    notification=notification,
                    email=organisation.team_email,
                    email_status=EmailStatus.PENDING,
                )
            )
        for delivery in deliveries:
            if delivery.email_status == EmailStatus.PENDING:
                queue_after_commit("reminders.send_notification_email", str(delivery.public_id))
    return notification


def team_task_notify(
    *,
    patient: Patient,
    kind: Kind,
    due_on: dt.date,
    about: str,
    source: UUID,
    told: list[Membership] | None = None,
) -> Notification:
    """A task about the person for whoever must hear (selectors.who_must_hear: the key
    worker, else the practice's leads or clinicians), or with nobody, the practice's team
    mailbox."""
    owners = selectors.who_must_hear(patient) if told is None else told
    return task_notify(
        owners=owners,
        organisation=owners[0].organisation if owners else patient.registered_gp_practice,
        patient=patient,
        kind=kind,
        due_on=due_on,
        about=about,
        source=source,
    )


def action_resolve(*, source: UUID, resolution: str) -> None:
    Notification.objects.filter(source=source, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=resolution[:200]
    )
