"""Consent to share a person's plan, and the consent basis recorded for each published change
(DESIGN §5). Withdrawing consent ends it; the row is kept."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.identifiers import validate_phone
from patients.models import Patient


class GivenBy(models.TextChoices):
    PATIENT = "patient", "The person themselves"
    LPA = "lpa", "Their lasting power of attorney for health and welfare"
    BEST_INTERESTS = "best_interests", "A best-interests decision (the person lacks capacity)"


class ConsentToShareQuerySet(models.QuerySet["ConsentToShare"]):
    def active(self) -> ConsentToShareQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class ConsentToShare(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField(max_length=20, choices=GivenBy.choices)
    # The LPA's name, or for a best-interests decision the decision maker's name and role.
    given_by_name = models.CharField(max_length=200, blank=True)
    consulted = models.TextField(
        blank=True, help_text="For a best-interests decision: who was consulted"
    )
    given_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = ConsentToShareQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(given_by="patient") | ~Q(given_by_name=""),
                name="consent_names_the_lpa_or_decision_maker",
            ),
            models.CheckConstraint(
                condition=~Q(given_by="best_interests") | ~Q(consulted=""),
                name="consent_best_interests_names_who_was_consulted",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent to share {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def describe(self) -> str:
        """Plain words for pages and change reasons."""
        who = {
            GivenBy.PATIENT: "given by the person",
            GivenBy.LPA: f"given by their LPA, {self.given_by_name}",
            GivenBy.BEST_INTERESTS: f"best-interests decision by {self.given_by_name}",
        }[GivenBy(self.given_by)]
        return f"consent to share {who} on {self.given_on:%d %b %Y}"


class BasisKind(models.TextChoices):
    PATIENT = "patient", "Discussed and agreed with the person"
    LPA = "lpa", "Discussed and agreed with their LPA for health and welfare"
    BEST_INTERESTS = "best_interests", "Best-interests decision (the person lacks capacity)"


class ConsentBasis(models.Model):
    """On what basis one change to the plan was made: recorded when it is published."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_bases")
    kind = models.CharField(max_length=20, choices=BasisKind.choices)
    with_whom = models.CharField(max_length=200)
    discussed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        kind = BasisKind(self.kind).label
        return f"{kind}: {self.with_whom}, {self.discussed_on:%d %b %Y}"


def validate_opg_reference(value: str) -> None:
    """The Office of the Public Guardian's reference on a registered LPA: 7000-1234-5678
    today; older ones differ, so letters, digits and dashes, 6 to 20 of them."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 -]{4,18}[A-Za-z0-9]", value.strip()):
        raise ValidationError(
            "Enter the LPA's reference from the Office of the Public Guardian, like 7000-1234-5678"
        )


class LastingPowerOfAttorney(models.Model):
    """A registered lasting power of attorney for health and welfare: who the attorney is and
    what they may decide. An attorney may see the plan online only while it is active."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="lasting_powers_of_attorney"
    )
    attorney_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, help_text="For example, daughter")
    opg_reference = models.CharField(
        "Office of the Public Guardian reference",
        max_length=20,
        validators=[validate_opg_reference],
    )
    registered_on = models.DateField()
    # Section 11(8) of the Mental Capacity Act 2005: only if the LPA says so expressly.
    life_sustaining_treatment = models.BooleanField(
        "may give or refuse consent to life-sustaining treatment", default=False
    )
    restrictions = models.TextField("conditions or restrictions", blank=True)
    # What a crew needs at 3 a.m.: whom to call, and where the document is.
    attorney_phone = models.CharField(
        "attorney's phone number", max_length=30, blank=True, validators=[validate_phone]
    )
    document_location = models.CharField("where the LPA document is", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""),
                name="lpa_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Lasting power of attorney {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def describe_scope(self) -> str:
        scope = (
            "health and welfare, including life-sustaining treatment"
            if self.life_sustaining_treatment
            else "health and welfare, not including life-sustaining treatment"
        )
        return f"{scope}; {self.restrictions}" if self.restrictions else scope
