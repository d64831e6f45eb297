"""The practice's palliative care register (QOF PC001) and the records that identify people
for it: the surprise question, a SPICT assessment and the Phase of Illness. Each is dated and
attributed; nothing is ever deleted (a removal ends an entry, with its reason)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from organisations.models import Organisation
from patients.models import Patient
from register.terminology import GSF_STAGE, Phase


class Route(models.TextChoices):
    """How the person was identified as needing palliative care."""

    SURPRISE_QUESTION = "surprise_question", "The surprise question was answered “no”"
    SPICT = "spict", "SPICT indicators"
    GSF_STAGE = "gsf_stage", "Gold Standards Framework prognostic stage"
    SPECIALIST_ADVICE = "specialist_advice", "Specialist palliative care advice"
    OWN_REQUEST = "own_request", "The person asked"
    CASE_FINDING = "case_finding", "A practice search (case finding)"
    # Only for plans that had the box ticked before the register existed (migration 0002).
    CARE_PLAN = "care_plan", "Ticked in the care plan before the register was kept here"


ROUTES_TO_CHOOSE = [choice for choice in Route.choices if choice[0] != Route.CARE_PLAN]


class RemovalReason(models.TextChoices):
    DIED = "died", "Died"
    MOVED_AWAY = "moved_away", "Moved away or left the practice"
    NO_LONGER_APPROPRIATE = "no_longer_appropriate", "No longer appropriate"


class RegisterEntry(models.Model):
    """A person's time on one practice's register: from `added_on` until `removed_on`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="register_entries")
    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    route = models.CharField(max_length=30, choices=Route.choices)
    stage = models.CharField(
        "Gold Standards Framework stage",
        max_length=20,
        blank=True,
        choices=GSF_STAGE.choices,
    )
    note = models.TextField(blank=True)
    removed_on = models.DateField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.CharField(max_length=30, blank=True, choices=RemovalReason.choices)
    removal_note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-added_on", "-id"]
        verbose_name_plural = "register entries"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "practice"],
                condition=Q(removed_on__isnull=True),
                name="register_one_open_entry_per_practice",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | ~Q(removal_reason=""),
                name="register_removal_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "patient"],
                condition=Q(removed_on__isnull=True),
                name="register_open_by_practice",
            )
        ]

    def __str__(self) -> str:
        return f"Register entry {self.public_id}"

    @property
    def stage_plain(self) -> str:
        return GSF_STAGE.plain(self.stage) or "No stage recorded"


class Identification(models.Model):
    """What every identification record has: whose, when, who."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.public_id}"


class SurpriseQuestion(Identification):
    """'Would you be surprised if this person died in the next 12 months?' A "no" is a
    trigger to assess, not a prognosis."""

    would_be_surprised = models.BooleanField()

    class Meta(Identification.Meta):
        indexes = [models.Index(fields=["patient", "-recorded_on"], name="sq_patient_latest")]

    @property
    def answer_plain(self) -> str:
        return (
            "Yes, would be surprised" if self.would_be_surprised else "No, would not be surprised"
        )


class SpictAssessment(Identification):
    """The SPICT items found, as listed by the tool: never a score."""

    general = models.JSONField(
        default=list, blank=True
    )  # keys of register.terminology.SPICT_GENERAL
    clinical = models.JSONField(
        default=list, blank=True
    )  # "group.item" keys of SPICT_CLINICAL_ITEMS
    note = models.TextField(blank=True)

    class Meta(Identification.Meta):
        indexes = [models.Index(fields=["patient", "-recorded_on"], name="spict_patient_latest")]


class PhaseOfIllness(Identification):
    phase = models.CharField(max_length=20, choices=[(p.value, p.value) for p in Phase])

    class Meta(Identification.Meta):
        verbose_name_plural = "phases of illness"
        indexes = [models.Index(fields=["patient", "-recorded_on"], name="phase_patient_latest")]
