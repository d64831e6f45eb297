"""The practice's side of finding people who need a plan: its decisions not to add someone
for now, and the searches it imports from its own clinical system."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from organisations.models import Membership, Organisation
from patients.models import Patient


class NotNow(models.Model):
    """ "Not now": the person is left off the case-finding list until `ask_again_on`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    reason = models.TextField()
    ask_again_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name_plural = "not now decisions"
        indexes = [
            models.Index(fields=["patient", "practice", "ask_again_on"], name="notnow_lookup")
        ]

    def __str__(self) -> str:
        return f"Not now {self.public_id}"


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "Checked, waiting to be confirmed"
    CONFIRMED = "confirmed", "Confirmed"


class SearchImport(models.Model):
    """A search from the practice's clinical system (a CSV of NHS numbers with optional
    indicator columns). Only the rows that matched a patient of the practice are kept, and
    they count only once the person who uploaded it confirms them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    rows_read = models.PositiveIntegerField()
    rows_refused = models.PositiveIntegerField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"Search import {self.public_id}"


class SearchMatch(models.Model):
    search = models.ForeignKey(SearchImport, on_delete=models.CASCADE, related_name="matches")
    row_number = models.PositiveIntegerField()
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    indicators = models.JSONField(default=list)  # the columns marked for this person

    class Meta:
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(fields=["search", "patient"], name="search_match_once")
        ]
        indexes = [models.Index(fields=["patient", "search"], name="search_match_patient")]

    def __str__(self) -> str:
        return f"Row {self.row_number} of {self.search_id}"


# Actions agreed for one person at one meeting.
MAX_ACTIONS = 3


class Meeting(models.Model):
    """The practice's multidisciplinary meeting that reviews everyone on its register (the
    Gold Standards Framework asks for one at least every three months)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    attendees = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["practice", "held_on"], name="meeting_by_practice")]

    def __str__(self) -> str:
        return f"Meeting {self.public_id}"


class Outcome(models.Model):
    """What the meeting agreed for one person: discussed, notes, the next review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="outcomes")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "patient"], name="outcome_once_per_person")
        ]
        indexes = [models.Index(fields=["patient", "recorded_at"], name="outcome_patient")]

    def __str__(self) -> str:
        return f"Outcome {self.public_id}"


class MeetingAction(models.Model):
    """One thing to do, with its owner and date: it reaches the owner's notifications."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="actions")
    what = models.CharField(max_length=300)
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Action {self.public_id}"
