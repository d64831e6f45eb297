"""Patients and their attorneys online: their accounts, the invitations that create them, and
requests for an account waiting in a GP practice's queue."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from careplans.sections import SECTION_BY_KEY
from consent.models import LastingPowerOfAttorney
from organisations.models import Organisation, Role
from patients.models import Patient

INVITATION_LIFETIME = dt.timedelta(days=7)
IDENTITY_TRIES = 5

ONLINE_ROLES = [
    (Role.PATIENT.value, "The person themselves"),
    (Role.LPA_PROXY.value, Role.LPA_PROXY.label),
    (Role.CARER.value, "A carer the person invited"),
]
# Only an attorney's account or invitation holds an LPA.
_LPA_ONLY_FOR_ATTORNEYS = Q(
    role__in=[Role.PATIENT, Role.CARER], lasting_power_of_attorney__isnull=True
) | Q(role=Role.LPA_PROXY, lasting_power_of_attorney__isnull=False)


class PatientAccount(models.Model):
    """Online access to one person's record, for themselves or for their attorney. Acts for no
    organisation; its role (patient or LPA proxy) is in the one role table."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_accounts"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="online_accounts")
    role = models.CharField(max_length=30, choices=ONLINE_ROLES)
    lasting_power_of_attorney = models.ForeignKey(
        LastingPowerOfAttorney,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_accounts",
    )
    # A carer's: who they are to the person, and the parts of the plan the person shares.
    relationship = models.CharField(max_length=100, blank=True)
    shared_sections = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[Role.PATIENT, Role.LPA_PROXY, Role.CARER]),
                name="patient_account_role_valid",
            ),
            models.CheckConstraint(
                condition=_LPA_ONLY_FOR_ATTORNEYS, name="patient_account_proxy_has_lpa"
            ),
            models.UniqueConstraint(
                fields=["user", "patient"],
                condition=Q(ended_at__isnull=True),
                name="patient_account_once_per_user_and_patient",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True, role=Role.PATIENT),
                name="patient_account_one_own_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Online account {self.public_id}"

    @property
    def organisation(self) -> None:
        """Patients and attorneys act for no organisation (the audit log names none)."""
        return None

    @property
    def is_proxy(self) -> bool:
        return self.role == Role.LPA_PROXY

    @property
    def is_own(self) -> bool:
        """The person themselves (not their attorney or carer)."""
        return self.role == Role.PATIENT

    @property
    def is_carer(self) -> bool:
        return self.role == Role.CARER

    @property
    def shared_titles(self) -> list[str]:
        """A carer's shared parts of the plan, by their titles."""
        return [SECTION_BY_KEY[key].title for key in self.shared_sections if key in SECTION_BY_KEY]

    @property
    def lpa_is_active(self) -> bool:
        lpa = self.lasting_power_of_attorney
        return lpa is None or lpa.is_active

    @property
    def is_active(self) -> bool:
        """Not ended, the person's login not disabled, and for an attorney, the LPA in force."""
        return self.ended_at is None and self.user.is_active and self.lpa_is_active


class Invitation(models.Model):
    """A single-use link, valid for 7 days, by which a person sets up online access after
    proving who they are with the NHS number and date of birth (locked after 5 wrong tries).
    Only a hash of the link's token is kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(max_length=30, choices=ONLINE_ROLES)
    email = models.EmailField()
    lasting_power_of_attorney = models.ForeignKey(
        LastingPowerOfAttorney,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_by_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A carer's invitation: the name the person gave, who they are to them, what they share.
    name = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(max_length=100, blank=True)
    shared_sections = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    account = models.OneToOneField(
        PatientAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="invitation"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_created",
            ),
            models.CheckConstraint(
                condition=_LPA_ONLY_FOR_ATTORNEYS, name="invitation_proxy_has_lpa"
            ),
            # Staff invite on behalf of their organisation; the person invites their carer.
            models.CheckConstraint(
                condition=Q(role=Role.CARER) | Q(invited_by_organisation__isnull=False),
                name="invitation_staff_name_their_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.public_id}"

    @property
    def state(self) -> str:
        """One of: pending, used, locked, withdrawn, expired."""
        if self.used_at:
            return "used"
        if self.locked_at:
            return "locked"
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def tries_left(self) -> int:
        return max(IDENTITY_TRIES - self.failed_attempts, 0)


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the practice"
    APPROVED = "approved", "Approved: invitation sent"
    DECLINED = "declined", "Declined"


class AccountRequest(models.Model):
    """Someone asking their GP practice for online access. No account exists until a
    clinician of the practice matches them to a registered patient and invites them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="account_requests"
    )
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField()
    nhs_number = models.CharField("NHS number", max_length=10)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=AccountRequestStatus.choices, default=AccountRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["practice", "status", "created_at"], name="account_request_queue")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AccountRequestStatus.values),
                name="account_request_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="account_request_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Account request {self.public_id}"
