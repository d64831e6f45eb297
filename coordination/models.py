"""The co-ordination centre (DESIGN §11): referrals for care, their needs assessments
(append-only), band overrides, providers with capacity, and allocations of that capacity."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from coordination.priority import (
    AKPS_VALUES,
    CARER_LABELS,
    PHASE_LABELS,
    Band,
    Carer,
    Phase,
    provisional_band,
)
from organisations.models import Organisation, Region
from patients.models import Patient

BANDS = [(band.value, band.label) for band in Band]


class Service(models.TextChoices):
    HOSPICE_AT_HOME = "hospice_at_home", "Hospice at home"
    NIGHT_SITTING = "night_sitting", "Night sitting"
    PERSONAL_CARE = "personal_care", "Personal care"
    RAPID_RESPONSE = "rapid_response", "Rapid response"
    EQUIPMENT = "equipment", "Equipment"
    FAST_TRACK_CHC = "fast_track_chc", "Fast track continuing healthcare"
    SPECIALIST_REVIEW = "specialist_review", "Specialist palliative care review"


class Urgency(models.TextChoices):
    """How urgent the referrer sees it: shown to the centre, not scored."""

    WITHIN_24_HOURS = "24h", "Within 24 hours"
    WITHIN_3_DAYS = "3d", "Within 3 days"
    ROUTINE = "routine", "Routine"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGED = "triaged", "Triaged"
    ALLOCATED = "allocated", "Allocated"
    ACTIVE = "active", "Care started"
    CLOSED = "closed", "Closed"
    DIED = "died", "Closed: the person died"


OPEN_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.ALLOCATED, Status.ACTIVE)


class Referral(models.Model):
    """A request to the centre for care. The centre is the co-ordination centre of the
    patient's home region. It ranks by its latest assessment, or by a clinical lead's
    override of that assessment's band (`override_band`, cleared by a new assessment)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    centre = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    services = models.JSONField()  # Service values, at least one
    reason = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    case_manager = models.ForeignKey(
        "organisations.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    latest_assessment = models.ForeignKey(
        "NeedsAssessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_band = models.CharField(max_length=10, choices=BANDS, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    # The latest message from a carer that things are getting harder (carers app): it
    # raises the referral in the queue until the centre assesses again.
    carer_concern_at = models.DateTimeField(null=True, blank=True)
    carer_concern = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(
                fields=["centre", "received_at"],
                condition=Q(closed_at__isnull=True),
                name="referral_open_by_centre",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, status__in=OPEN_STATUSES)
                | Q(closed_at__isnull=False, status__in=[Status.CLOSED, Status.DIED]),
                name="referral_closed_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.public_id}"

    @property
    def assessment(self) -> NeedsAssessment:
        if self.latest_assessment is None:
            raise RuntimeError("a referral is created with its first assessment")
        return self.latest_assessment

    @property
    def provisional(self) -> bool:
        """Not yet assessed by the centre: the referrer's urgency holds the band up."""
        return self.assessment.at_referral

    @property
    def computed_band(self) -> Band:
        band = Band(self.assessment.band)
        return provisional_band(band, self.urgency) if self.provisional else band

    @property
    def effective_band(self) -> Band:
        return Band(self.override_band) if self.override_band else self.computed_band

    @property
    def score(self) -> int:
        return self.assessment.score

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def service_labels(self) -> list[str]:
        return [Service(value).label for value in self.services]


class AppendOnlyError(RuntimeError):
    pass


class NeedsAssessment(models.Model):
    """One assessment of need, scored by the rule version named: never changed, so that the
    referral's ranking can always be explained. Missing inputs are null and flagged."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(max_length=20, blank=True, choices=[(p.value, p.value) for p in Phase])
    akps = models.PositiveSmallIntegerField(null=True, blank=True)
    ipos = models.JSONField()  # 17 scores 0-4, or null where not assessed
    carer = models.CharField(max_length=20, blank=True, choices=[(c.value, c.value) for c in Carer])
    rule_version = models.CharField(max_length=20)
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=10, choices=BANDS)
    terms = models.JSONField()  # [[label, points], ...]; they sum to the score
    missing = models.JSONField(default=list)
    red_because = models.JSONField(default=list)
    # The referrer's assessment, made with the referral; the centre's own come later.
    at_referral = models.BooleanField(default=False)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(akps__isnull=True) | Q(akps__in=AKPS_VALUES), name="akps_in_tens"
            ),
        ]

    def __str__(self) -> str:
        return f"Needs assessment {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("needs assessments are never changed: record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("needs assessments are never removed")

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[Phase(self.phase)] if self.phase else "Not assessed"

    @property
    def carer_label(self) -> str:
        return CARER_LABELS[Carer(self.carer)] if self.carer else "Not assessed"


class PriorityOverride(models.Model):
    """A clinical lead's move of a referral to another band, for one assessment, with the
    reason; the computed band and score are kept beside it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="overrides")
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.PROTECT, related_name="+")
    computed_band = models.CharField(max_length=10, choices=BANDS)
    computed_score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=10, choices=BANDS)
    reason = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Priority override {self.public_id}"


class ServiceTarget(models.Model):
    """A centre's own target for a band and service, in hours, in place of the rule's
    default for the band."""

    centre = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=30, choices=Service.choices)
    band = models.CharField(max_length=10, choices=BANDS)
    hours = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "service", "band"], name="one_target_per_service_band"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="target_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.band}: {self.hours} h"


class Provider(models.Model):
    """An organisation that delivers care packages for the region's centre (an agency, a
    hospice at home team); not necessarily a user of this service."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CapacitySlot(models.Model):
    """Places a provider offers for one service over a period: `capacity` people at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="slots")
    service = models.CharField(max_length=30, choices=Service.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    capacity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.get_service_display()}"


class AllocationStatus(models.TextChoices):
    OFFERED = "offered", "Offered to the provider"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DELIVERED = "delivered", "Care started"
    CANCELLED = "cancelled", "Cancelled"


# An allocation in one of these holds a place in its slot.
HOLDING = (AllocationStatus.OFFERED, AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED)
NEXT = {
    AllocationStatus.OFFERED: (
        AllocationStatus.ACCEPTED,
        AllocationStatus.DECLINED,
        AllocationStatus.CANCELLED,
    ),
    AllocationStatus.ACCEPTED: (AllocationStatus.DELIVERED, AllocationStatus.CANCELLED),
    AllocationStatus.DELIVERED: (AllocationStatus.CANCELLED,),
    AllocationStatus.DECLINED: (),
    AllocationStatus.CANCELLED: (),
}


class Allocation(models.Model):
    """A place in a provider's slot for one referral."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="allocations")
    slot = models.ForeignKey(CapacitySlot, on_delete=models.PROTECT, related_name="allocations")
    status = models.CharField(
        max_length=20, choices=AllocationStatus.choices, default=AllocationStatus.OFFERED
    )
    offered_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # declined or cancelled
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["offered_at", "id"]

    def __str__(self) -> str:
        return f"Allocation {self.public_id}"
