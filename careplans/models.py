"""One plan per patient: a working copy of coded sections, and immutable published versions
(DESIGN §5). Urgent care and the summary read published versions only."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from careplans.sections import SECTION_BY_KEY
from careplans.terminology import (
    ACTUAL_PLACE_OF_DEATH,
    DEATH_PLACE_CATEGORY,
    NOT_FOR_CPR,
    PPD_CATEGORY,
    PREFERRED_PLACE_OF_DEATH,
)
from consent.models import ConsentBasis
from organisations.models import Organisation, Region
from patients.models import Patient


class ImmutableError(RuntimeError):
    """Raised when code tries to change or remove a published version."""


class CarePlan(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="care_plan")
    created_at = models.DateTimeField(auto_now_add=True)
    # The latest published version, set by careplan_publish in the same transaction: the
    # summary, API and reports reach it by one join instead of finding the highest number.
    current_version = models.OneToOneField(
        "PublishedVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_of",
    )
    # Who reviews the plan, and when: copied from the current version by careplan_publish
    # so that the daily reminder sweep reads only the plans that are due, through these
    # indexes, and never walks the versions (DESIGN §7). The organisation responsible is
    # the one whose clinician approved the current version; the clinician is that approver.
    review_due_on = models.DateField(null=True, blank=True)
    cpr_review_due_on = models.DateField(null=True, blank=True)
    review_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The current version's CPR decision (its SNOMED CT code, "" if none), copied by
    # careplan_publish as the review dates are: a clinician's list filters and sorts by it
    # through the plan alone, without reaching every person's version.
    cpr_decision = models.CharField(max_length=20, blank=True, default="")
    # Set when the person's death is recorded: nothing more is edited or published, and
    # reminders stop. Cleared only if the record of the death was made in error.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep's plans due by a day, and the worklist's people in review-date
            # order, read from the index alone.
            models.Index(
                fields=["review_due_on", "patient"],
                condition=Q(review_due_on__isnull=False),
                name="care_plan_review_patient",
            ),
            models.Index(
                fields=["cpr_review_due_on"],
                condition=Q(cpr_review_due_on__isnull=False),
                name="care_plan_cpr_review_due",
            ),
            models.Index(
                fields=["review_organisation", "review_due_on"],
                condition=Q(review_due_on__isnull=False),
                name="care_plan_review_by_org",
            ),
            # The worklist's "Not for CPR": the few people it keeps, by one index probe each.
            models.Index(
                fields=["patient"],
                condition=Q(cpr_decision=NOT_FOR_CPR),
                name="care_plan_not_for_cpr",
            ),
        ]

    def __str__(self) -> str:
        return f"Care plan {self.public_id}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    PUBLISHED = "published", "Published"


class WorkingCopy(models.Model):
    """The one copy people edit. Once published it matches the latest version until the
    next edit, which starts a new revision as a draft."""

    plan = models.OneToOneField(CarePlan, on_delete=models.PROTECT, related_name="working_copy")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="working_copy_status_valid"
            )
        ]
        indexes = [
            # The reminder sweep's "awaiting approval for more than 3 days".
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="awaiting_approval"),
                name="working_copy_awaiting",
            )
        ]

    def __str__(self) -> str:
        return f"Working copy of {self.plan_id} (revision {self.revision})"


class PlanSection(models.Model):
    """One section's content, as the section's form cleaned it (careplans/sections)."""

    working_copy = models.ForeignKey(WorkingCopy, on_delete=models.PROTECT, related_name="sections")
    key = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["working_copy", "key"], name="plan_section_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.working_copy_id}"


class PublishedVersionQuerySet(models.QuerySet["PublishedVersion"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError("published versions are never changed")

    def delete(self) -> NoReturn:
        raise ImmutableError("published versions are never removed")


class PublishedVersion(models.Model):
    """An approved plan, frozen. The latest number is current; earlier ones are superseded
    by it, so nothing here is ever updated."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by_name = models.CharField(max_length=200)
    approved_by_organisation = models.CharField(max_length=200)
    consent_basis = models.ForeignKey(ConsentBasis, on_delete=models.PROTECT, related_name="+")
    acknowledged_warnings = models.JSONField(default=list)
    # Copied out of the snapshot for the summary, reminders and reports to index.
    cpr_decision = models.CharField(max_length=20, blank=True)
    preferred_place_of_death = models.CharField(max_length=30, blank=True)
    planned_review_date = models.DateField(null=True)
    cpr_review_date = models.DateField(null=True)
    # careplans.sections.mandatory_missing of the snapshot, for reports; None on versions
    # published before it was kept (reports then read the snapshot).
    mandatory_missing = models.TextField(null=True, blank=True)  # noqa: DJ001  (None: unknown)

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="published_version_number_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="published_version_number_positive"
            ),
        ]
        indexes = [
            # Reports: versions published, and reviews falling due, in a period.
            models.Index(fields=["published_at"], name="published_version_at"),
            models.Index(fields=["planned_review_date"], name="published_version_review"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.plan_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("published versions are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("published versions are never removed")


class ChangeRequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


OPEN_CHANGE_REQUEST = (ChangeRequestStatus.RECEIVED, ChangeRequestStatus.IN_PROGRESS)


class ChangeRequest(models.Model):
    """A patient's (or their attorney's) request to change one part of their plan, in their
    own words. The care team answers it; a decline always says why."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="change_requests")
    section_key = models.CharField("part of the plan", max_length=40)
    what_should_change = models.TextField()
    status = models.CharField(
        max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.RECEIVED
    )
    response = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_by_role = models.CharField(max_length=30)
    requested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by_organisation = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="change_request_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChangeRequestStatus.values),
                name="change_request_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(response=""),
                name="change_request_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(what_should_change=""), name="change_request_says_what"
            ),
        ]

    def __str__(self) -> str:
        return f"Change request {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHANGE_REQUEST

    @property
    def section_title(self) -> str:
        section = SECTION_BY_KEY.get(self.section_key)
        return section.title if section else self.section_key


class Death(models.Model):
    """The person's death, as on the death certificate (PRSB "After death"), with the facts
    at death that reports need: the published version they died with, its preferred place
    of death, and their diagnosis group. A record made in error is kept, marked so."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="deaths")
    # Where the person belonged at death, kept so that reports count them there (and read
    # deaths alone, without the patients table).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    gp_practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_of_death = models.DateField()
    place_of_death = models.CharField(max_length=20)  # ACTUAL_PLACE_OF_DEATH
    place_name = models.CharField("name of the place", max_length=200, blank=True)
    version_at_death = models.ForeignKey(
        PublishedVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preferred_place_of_death = models.CharField(max_length=30, blank=True)
    diagnosis_group = models.CharField(max_length=20)
    age_at_death = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.TextField(blank=True)
    entered_in_error = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(entered_in_error=False),
                name="death_recorded_once",
            ),
            models.CheckConstraint(
                condition=Q(place_of_death__in=list(DEATH_PLACE_CATEGORY)),
                name="death_place_in_value_set",
            ),
            models.CheckConstraint(
                condition=Q(corrected_at__isnull=True) | ~Q(correction_reason=""),
                name="death_correction_has_reason",
            ),
        ]
        indexes = [
            # The PPD report reads this index alone (an index-only scan).
            models.Index(
                fields=["region", "date_of_death"],
                include=[
                    "gp_practice",
                    "place_of_death",
                    "preferred_place_of_death",
                    "version_at_death",
                    "diagnosis_group",
                    "age_at_death",
                ],
                condition=Q(entered_in_error=False),
                name="death_report",
            ),
        ]

    def __str__(self) -> str:
        return f"Death {self.public_id}"

    @property
    def place_plain(self) -> str:
        return ACTUAL_PLACE_OF_DEATH.plain(self.place_of_death)

    @property
    def preferred_plain(self) -> str:
        return PREFERRED_PLACE_OF_DEATH.plain(self.preferred_place_of_death)

    @property
    def wish_met(self) -> bool | None:
        """Died where they wished (the report's rule: the same category of place); None
        when no preferred place was recorded in a published plan."""
        wished = PPD_CATEGORY.get(self.preferred_place_of_death)
        if wished is None:
            return None
        return wished == DEATH_PLACE_CATEGORY.get(self.place_of_death)


class WorklistEntry(models.Model):
    """One person in one organisation's care teams, with what the worklist orders and filters
    by: so that a page of a long list is one read of an index, whatever the list's length
    (bench/worklist.py). Written only by PostgreSQL triggers (migration 0013), in the same
    transaction as the care-team grant, the patient or the plan it copies; never by the app.
    The rows shown are always read from the records themselves (careplans.worklist)."""

    group_id = models.IntegerField()  # the organisation's group, as the care-team grant's
    patient_id = models.BigIntegerField()
    living = models.BooleanField()
    family_name = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100)
    not_for_cpr = models.BooleanField()  # the plan's published decision (CarePlan.cpr_decision)
    review_due_on = models.DateField(null=True)  # CarePlan.review_due_on

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group_id", "patient_id"], name="worklist_entry_once")
        ]
        indexes = [
            models.Index(
                fields=["group_id", "living", "family_name", "given_name", "patient_id"],
                name="worklist_by_name",
            ),
            models.Index(
                fields=["group_id", "living", "family_name", "given_name", "patient_id"],
                condition=Q(not_for_cpr=True),
                name="worklist_not_for_cpr",
            ),
            models.Index(
                fields=[
                    "group_id",
                    "living",
                    "review_due_on",
                    "family_name",
                    "given_name",
                    "patient_id",
                ],
                condition=Q(review_due_on__isnull=False),
                name="worklist_by_review",
            ),
            models.Index(
                fields=["group_id", "living", "family_name", "given_name", "patient_id"],
                condition=Q(review_due_on__isnull=True),
                name="worklist_no_review",
            ),
            models.Index(fields=["patient_id"], name="worklist_of_patient"),  # the triggers'
        ]

    def __str__(self) -> str:
        return f"Worklist entry of {self.patient_id} for group {self.group_id}"
