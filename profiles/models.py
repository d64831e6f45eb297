"""A region's care profile: for each stage of the end-of-life pathway, the services
available locally and what to talk about, published in versions that everyone sees alike.

Edits are made to one draft at a time; publishing it supersedes the version before, which
is kept. A change counts its revisions, so that an edit made on a draft that someone else
has changed or published since is refused rather than lost."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from coordination.models import Service as CentreService
from organisations.models import Organisation, Region
from profiles.terminology import BEREAVEMENT_FROM_DAYS, BEREAVEMENT_TO_DAYS, Stage


class CareProfile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="care_profile")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Care profile of {self.region}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    DISCARDED = "discarded", "Discarded"


class ProfileVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices)
    # Every saved change to a draft adds one; a form carries the revision it was made on.
    revision = models.PositiveIntegerField(default=1)
    bereavement_from_days = models.PositiveSmallIntegerField(default=BEREAVEMENT_FROM_DAYS)
    bereavement_to_days = models.PositiveSmallIntegerField(default=BEREAVEMENT_TO_DAYS)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="profile_version_number"),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status="draft"),
                name="profile_one_draft",
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status="published"),
                name="profile_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} ({self.get_status_display()})"


class StageText(models.Model):
    """What the person and their carers are told at a stage, and what to talk about."""

    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    information = models.TextField(blank=True)
    to_discuss = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "stage"], name="profile_stage_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of {self.version}"


class ProfileService(models.Model):
    """A service available locally at a stage: a provider organisation or a named service."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="services")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    name = models.CharField(max_length=120)
    provider = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what_it_does = models.TextField()
    who_for = models.TextField()
    hours = models.CharField(max_length=120)
    out_of_hours = models.BooleanField(default=False)
    phone = models.CharField(max_length=30, blank=True)
    how_to_reach = models.TextField(blank=True)
    # Referred through the region's co-ordination centre, for a service the centre provides.
    centre_service = models.CharField(max_length=30, blank=True, choices=CentreService.choices)
    response_time = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ReadinessKind(models.TextChoices):
    """What must be in place for a person to be cared for, and to die, at home."""

    MEDICINES = "medicines", "Just-in-case medicines"
    EQUIPMENT = "equipment", "Equipment"
    FORM_AT_HOME = "form_at_home", "ReSPECT or CPR form at home"
    SPA_GIVEN = "spa_given", "Number to call, day and night"
    CARER = "carer", "Carer's situation"
    KEY_WORKER = "key_worker", "Key worker"
    PREFERRED_PLACE = "preferred_place", "Preferred place of death achievable"


class ReadinessRecord(models.Model):
    """One check of one item, as recorded (append-only: the latest of each kind is the
    item now; the key worker is read from the key contacts, never recorded here)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="readiness_records"
    )
    kind = models.CharField(max_length=20, choices=ReadinessKind.choices)
    data = models.JSONField()
    note = models.TextField(blank=True)
    # Its colour when recorded: an item that turns red later (an expiry passes, the person
    # moves to stage C or D) is told of by the daily sweep.
    rag = models.CharField(max_length=10, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "kind", "-recorded_at"], name="readiness_latest")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.recorded_at:%Y-%m-%d}"


class BereavementOutcome(models.TextChoices):
    CONTACTED = "contacted", "Contacted the family"
    REFERRED = "referred", "Contacted and referred to bereavement support"
    DECLINED = "declined", "The family did not want contact"
    UNABLE = "unable", "Could not reach the family"


class BereavementFollowUp(models.Model):
    """After a death: the key worker contacts the family within the window of the region's
    care profile (3 to 6 weeks by default), and records how it went."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="bereavement_follow_ups"
    )
    date_of_death = models.DateField()
    due_from = models.DateField()
    due_by = models.DateField()
    owner = models.ForeignKey(
        "organisations.Membership", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Equipment delivered to the home, to be collected (names, from readiness for home).
    equipment_to_collect = models.JSONField(default=list)
    outcome = models.CharField(max_length=20, blank=True, choices=BereavementOutcome.choices)
    outcome_note = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)  # the death was an error
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="bereavement_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Bereavement follow-up due by {self.due_by}"
