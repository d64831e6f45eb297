"""A carer's own pages: what the person shares with them, and telling the team that things
are getting harder at home (which reaches the key worker, and the co-ordination centre if
the person is referred)."""

from __future__ import annotations

import uuid

from django.db import models

from patients.models import Patient
from portal.models import PatientAccount


class Harder(models.TextChoices):
    """What is getting harder, in a carer's words (after the Carer Support Needs Assessment
    Tool's domains and the reasons people are admitted at the end of life)."""

    SYMPTOMS = "symptoms", "Their symptoms are harder to manage (pain, breathlessness, agitation)"
    EATING = "eating", "They are eating or drinking much less"
    MOVING = "moving", "They are falling, or can no longer get about or out of bed"
    NIGHTS = "nights", "Nights are hard: neither of us is sleeping"
    MEDICINES = "medicines", "Medicines are running out or not helping"
    EQUIPMENT = "equipment", "We need equipment or more help at home"
    COPING = "coping", "I am finding it hard to cope with caring"
    OTHER = "other", "Something else"


class Urgency(models.TextChoices):
    TODAY = "today", "Today: we need someone soon"
    DAYS = "days", "In the next few days"


class CarerMessage(models.Model):
    """One message from a carer. Never changed; the key worker's task is a notification."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(PatientAccount, on_delete=models.PROTECT, related_name="+")
    harder = models.JSONField()  # Harder values
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    details = models.TextField(blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"Carer message {self.public_id}"

    @property
    def summary(self) -> str:
        """What the key worker's task says: the carer's choices in their words."""
        chosen = "; ".join(Harder(h).label for h in self.harder if h in Harder.values)
        urgency = Urgency(self.urgency).label
        return f"{urgency}. {chosen}." + (f" “{self.details}”" if self.details else "")
