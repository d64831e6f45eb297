from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from organisations.validators import (
    GP_PRACTICE_ODS_CODE,
    normalise_ods_code,
    validate_ods_code,
)


class Region(models.Model):
    """The tenant: an ICB-sized area. Every patient has one home region."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120, unique=True)
    # The single point of access: one number for the person, their family and carers, and
    # services, kept by the regional admin; shown beside the key worker.
    access_phone = models.CharField("phone number", max_length=30, blank=True)
    access_name = models.CharField("service name", max_length=120, blank=True)
    access_hours = models.CharField("hours", max_length=120, blank=True)
    access_for = models.TextField("what to call it for", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    COMMUNITY_NURSING = "community_nursing", "Community nursing team"
    HOSPICE = "hospice", "Hospice"
    HOSPITAL = "hospital", "Hospital"
    SPECIALIST_PALLIATIVE_CARE = "specialist_palliative_care", "Specialist palliative care team"
    SOCIAL_CARE = "social_care", "Social care"
    CARE_HOME = "care_home", "Care home"
    AMBULANCE_SERVICE = "ambulance_service", "Ambulance service"
    NHS111 = "nhs111", "NHS 111"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours service"
    COORDINATION_CENTRE = "coordination_centre", "Co-ordination centre"


# Urgent care providers cover several regions; every other organisation belongs to one.
MULTI_REGION_KINDS = frozenset(
    {OrganisationKind.AMBULANCE_SERVICE, OrganisationKind.NHS111, OrganisationKind.OUT_OF_HOURS}
)


class Organisation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=10, unique=True, validators=[validate_ods_code]
    )
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations")
    # Regions an ambulance service, NHS 111 or out-of-hours provider serves, besides its own.
    served_regions = models.ManyToManyField(Region, blank=True, related_name="served_by")
    # The Django group that holds this organisation's object permissions (DESIGN §4).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation")
    # The team's shared mailbox: review reminders go here as well as to the person (§7).
    team_email = models.EmailField("team email", blank=True)
    # A GP practice's registered list: the denominator of its palliative care register.
    list_size = models.PositiveIntegerField("list size", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ods_code__regex=r"^[A-Z0-9]{3,10}$"),
                name="organisation_ods_code_format",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def serves_several_regions(self) -> bool:
        return self.kind in MULTI_REGION_KINDS

    def clean(self) -> None:
        self.ods_code = normalise_ods_code(self.ods_code or "")
        if self.kind == OrganisationKind.GP_PRACTICE and not GP_PRACTICE_ODS_CODE.match(
            self.ods_code
        ):
            raise ValidationError(
                {"ods_code": "A GP practice's ODS code is a letter and 5 numbers, like A81001"}
            )


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CARE_HOME_STAFF = "care_home_staff", "Care home staff"
    URGENT_CARE = "urgent_care", "Urgent care"
    COORDINATOR = "coordinator", "Co-ordinator"
    REGIONAL_ADMIN = "regional_admin", "Regional admin"
    # The region's Caldicott or privacy role: approves access to patient records that an
    # admin asked for, and reviews emergency access. No patient records of its own.
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer (Caldicott)"
    # Keeps the region's care profile (the services available at each stage) with the
    # regional admin. No patient records.
    COMMISSIONER = "commissioner", "Commissioner"
    PATIENT = "patient", "Patient"
    LPA_PROXY = "lpa_proxy", "Lasting power of attorney (health and welfare)"
    # Someone who looks after the person, invited by them: sees only what the person shares.
    CARER = "carer", "Carer"


# Which kinds of organisation each staff role may be held in. Patients and their proxies act
# for themselves and never hold a staff membership.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.CLINICIAN: frozenset(
        {
            OrganisationKind.GP_PRACTICE,
            OrganisationKind.COMMUNITY_NURSING,
            OrganisationKind.HOSPICE,
            OrganisationKind.HOSPITAL,
            OrganisationKind.SPECIALIST_PALLIATIVE_CARE,
            OrganisationKind.OUT_OF_HOURS,
        }
    ),
    Role.SOCIAL_WORKER: frozenset({OrganisationKind.SOCIAL_CARE}),
    Role.CARE_HOME_STAFF: frozenset({OrganisationKind.CARE_HOME}),
    Role.URGENT_CARE: frozenset(MULTI_REGION_KINDS),
    Role.COORDINATOR: frozenset({OrganisationKind.COORDINATION_CENTRE}),
    Role.REGIONAL_ADMIN: frozenset(set(OrganisationKind.values) - set(MULTI_REGION_KINDS)),
    Role.PRIVACY_OFFICER: frozenset(set(OrganisationKind.values) - set(MULTI_REGION_KINDS)),
    Role.COMMISSIONER: frozenset(set(OrganisationKind.values) - set(MULTI_REGION_KINDS)),
}
STAFF_ROLES = tuple(ROLE_ORGANISATION_KINDS)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        """In force: approved, not ended, the person's account enabled."""
        return self.filter(ended_at__isnull=True, user__is_active=True, approved_at__isnull=False)

    def awaiting_approval(self) -> MembershipQuerySet:
        return self.filter(ended_at__isnull=True, approved_at__isnull=True)


class Membership(models.Model):
    """A person's place in an organisation with one role. People act as one at a time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    # A GP, consultant or specialist nurse who may record or change a CPR decision.
    is_senior_clinician = models.BooleanField("senior clinician", default=False)
    # Receives the organisation's escalations and may see its overdue work.
    is_organisation_lead = models.BooleanField("organisation lead", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # A role that reads patient records, asked for by an admin, works only once a second,
    # clinical person approves it (organisations.permissions.can_approve_access).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_active_per_user_organisation_role",
            ),
            models.CheckConstraint(
                condition=Q(is_senior_clinician=False) | Q(role="clinician"),
                name="membership_senior_only_for_clinicians",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.organisation.name}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.user.is_active and self.approved_at is not None

    @property
    def awaiting_approval(self) -> bool:
        return self.ended_at is None and self.approved_at is None

    def clean(self) -> None:
        allowed = ROLE_ORGANISATION_KINDS.get(self.role)
        if allowed is None:
            raise ValidationError({"role": "Patients and proxies do not hold staff memberships"})
        if self.organisation_id and self.organisation.kind not in allowed:
            raise ValidationError(
                {
                    "role": f"The {self.get_role_display().lower()} role cannot be held in "
                    f"a {self.organisation.get_kind_display().lower()}"
                }
            )
        if self.is_senior_clinician and self.role != Role.CLINICIAN:
            raise ValidationError(
                {"is_senior_clinician": "Only a clinician can be a senior clinician"}
            )


class ApiToken(models.Model):
    """A key for another system (an ambulance service's patient record, a GP system): it
    acts as its own system user's membership, a named organisation and role, so that the
    API applies the same permission table, selectors and audit as the pages. Only the
    SHA-256 digest is stored; the token is shown once, when it is made."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="api_token"
    )
    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=12)  # the first characters, to tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.membership.is_active


class TwoFactorReset(models.Model):
    """An admin's request to remove someone's second factors (a lost phone or key): done
    only when another admin of the region, or its privacy officer, approves it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"Two-factor reset {self.public_id}"
