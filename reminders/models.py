"""Reminders about plans that need attention (DESIGN §7): one notification per plan, kind
and due date, whatever runs the sweep and however often; each delivered in-app and by email
to the people it is for."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from careplans.models import CarePlan
from organisations.models import Membership, Organisation
from patients.models import Patient


class Kind(models.TextChoices):
    REVIEW_DUE = "review_due", "Plan review due soon"
    REVIEW_OVERDUE = "review_overdue", "Plan review overdue"
    REVIEW_ESCALATED = "review_escalated", "Plan review overdue for more than 7 days"
    CPR_REVIEW_DUE = "cpr_review_due", "CPR decision due for review"
    AWAITING_APPROVAL = "awaiting_approval", "Plan awaiting approval for more than 3 days"
    CHANGE_REQUEST_WAITING = (
        "change_request_waiting",
        "Request for a change unanswered for more than 5 days",
    )
    MDT_ACTION = "mdt_action", "Action from the practice meeting"
    CARER_MESSAGE = "carer_message", "A carer says things are getting harder at home"
    READINESS_RED = "readiness_red", "Something needed at home is missing"
    BEREAVEMENT = "bereavement", "Contact the family after a death"
    DIED = "died", "A person in your care has died"


class Notification(models.Model):
    """Something about one plan that someone must act on. `due_on` is the date it is about:
    the review date, the CPR decision's review date, the day the plan was sent for approval
    or the change asked for; for an escalation, the day that week's escalation fell due."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        CarePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    # An action agreed at the practice meeting is about a person who may have no plan yet:
    # it names them directly, says what to do (in-app only) and which action it is.
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about = models.CharField(max_length=500, blank=True)
    source = models.UUIDField(null=True, blank=True, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    due_on = models.DateField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            # A re-run of the sweep, or a task delivered twice, can never remind twice.
            models.UniqueConstraint(
                fields=["plan", "kind", "due_on"], name="notification_once_per_plan_kind_due"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind"),
            models.CheckConstraint(
                condition=Q(plan__isnull=False) | Q(patient__isnull=False),
                name="notification_is_about_someone",
            ),
        ]
        indexes = [
            models.Index(
                fields=["plan"], condition=Q(resolved_at__isnull=True), name="notification_open"
            ),
            # A lead's overdue reviews: their organisation's open reminders of one kind.
            models.Index(
                fields=["organisation", "kind", "due_on"],
                condition=Q(resolved_at__isnull=True),
                name="notification_open_by_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on}) for plan {self.plan_id}"

    @property
    def subject(self) -> Patient:
        """Whom it is about: the person, or the person whose plan it is."""
        if self.patient is not None:
            return self.patient
        assert self.plan is not None  # noqa: S101  (notification_is_about_someone)
        return self.plan.patient

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def describe(self) -> str:
        """What needs doing, in plain words, naming no patient (emails use it too)."""
        when = self.due_on.strftime("%-d %B %Y")
        past = self.due_on < timezone.localdate()
        return {
            Kind.REVIEW_DUE: f"The plan's review is due on {when}.",
            Kind.REVIEW_OVERDUE: f"The plan's review was due on {when} and has not been done.",
            Kind.REVIEW_ESCALATED: (
                "The plan's review is more than 7 days overdue and has been escalated to the "
                "organisation's leads: please make sure someone reviews it."
            ),
            Kind.CPR_REVIEW_DUE: (
                f"The CPR decision {'was' if past else 'is'} due for review on {when}."
            ),
            Kind.AWAITING_APPROVAL: (
                f"The plan was sent for approval on {when} and nobody has approved it yet."
            ),
            Kind.CHANGE_REQUEST_WAITING: (
                f"The person asked for a change to their plan on {when} and nobody has "
                "answered yet."
            ),
            Kind.MDT_ACTION: f"An action agreed at the practice meeting is due on {when}.",
            Kind.CARER_MESSAGE: (
                f"A carer told the team on {when} that things are getting harder at home: "
                "contact them."
            ),
            Kind.READINESS_RED: (
                f"On {when} something needed to care for the person at home was found "
                "missing: see their readiness for home."
            ),
            Kind.BEREAVEMENT: (
                f"A person in your care has died: contact their family from {when}."
            ),
            Kind.DIED: (
                f"A person in your organisation's care died on {when}: cancel planned visits "
                "and collect any equipment."
            ),
        }[Kind(self.kind)]


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    NONE = "none", "No email address"
    NOT_NEEDED = "not_needed", "Not needed: resolved before it was sent"


class Delivery(models.Model):
    """One notification to one person (in-app, and by email), or to an organisation's
    team mailbox (email only)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="deliveries"
    )
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "membership"],
                condition=Q(membership__isnull=False),
                name="delivery_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["notification", "email"],
                condition=Q(membership__isnull=True),
                name="delivery_once_per_mailbox",
            ),
            models.CheckConstraint(
                condition=Q(membership__isnull=False) | ~Q(email=""),
                name="delivery_has_someone",
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=EmailStatus.values), name="delivery_email_status"
            ),
        ]
        indexes = [
            models.Index(
                fields=["membership"],
                condition=Q(read_at__isnull=True, membership__isnull=False),
                name="delivery_unread",
            ),
            # The sweep's "emails still waiting to go", a handful at any time.
            models.Index(
                fields=["notification"],
                condition=Q(email_status="pending"),
                name="delivery_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery of {self.notification_id}"
