from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from organisations.models import Membership, Organisation, OrganisationKind, Region
from patients.dates import age_on
from patients.identifiers import (
    format_nhs_number,
    normalise_nhs_number,
    normalise_postcode,
    validate_date_of_birth,
    validate_nhs_number,
    validate_postcode,
)


class NhsNumberStatus(models.TextChoices):
    """NHS Data Dictionary: NHS Number Status Indicator Code."""

    VERIFIED = "01", "Number present and verified"
    NOT_TRACED = "02", "Number present but not traced"
    TRACE_REQUIRED = "03", "Trace required"
    NO_MATCH = "04", "Trace attempted: no match or multiple match found"
    TO_RESOLVE = "05", "Trace needs to be resolved"
    IN_PROGRESS = "06", "Trace in progress"
    POSTPONED = "08", "Trace postponed (baby under six weeks old)"


class PhenotypicSex(models.TextChoices):
    """NHS Data Dictionary: Person Phenotypic Sex."""

    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate (unable to be classified as either male or female)"


class StatedGender(models.TextChoices):
    """NHS Data Dictionary: Person Stated Gender Code."""

    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate (unable to be classified as either male or female)"
    NOT_KNOWN = "X", "Not known"


class Patient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nhs_number = models.CharField(
        "NHS number", max_length=10, unique=True, validators=[validate_nhs_number]
    )
    nhs_number_status = models.CharField(
        "NHS number status",
        max_length=2,
        choices=NhsNumberStatus.choices,
        default=NhsNumberStatus.VERIFIED,
    )
    title = models.CharField(max_length=35, blank=True)
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=1, choices=PhenotypicSex.choices, blank=True)
    gender = models.CharField(max_length=1, choices=StatedGender.choices, blank=True)
    address_line_1 = models.CharField(max_length=100)
    address_line_2 = models.CharField(max_length=100, blank=True)
    address_line_3 = models.CharField("town or city", max_length=100, blank=True)
    address_line_4 = models.CharField("county", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, validators=[validate_postcode])
    phone = models.CharField("phone number", max_length=30, blank=True)
    email = models.EmailField(blank=True)
    interpreter_required = models.BooleanField(default=False)
    preferred_language = models.CharField(max_length=60, blank=True)
    registered_gp_practice = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="registered_patients",
        limit_choices_to={"kind": OrganisationKind.GP_PRACTICE},
        verbose_name="registered GP practice",
    )
    home_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="patients")
    # Set with the record of the death (deaths.services), which holds the detail.
    date_of_death = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name"),
            # The worklist's default order, read index-only: living people by name.
            models.Index(
                fields=["family_name", "given_name", "id"],
                condition=Q(date_of_death__isnull=True),
                name="patient_living_name",
            ),
            models.Index(fields=["date_of_birth"], name="patient_dob"),
            models.Index(
                fields=["home_region", "family_name", "date_of_birth"],
                name="patient_region_name_dob",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_number__regex=r"^[0-9]{10}$"), name="patient_nhs_number_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"Patient {self.public_id}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name.upper()) if p)

    @property
    def age(self) -> int:
        """Age in whole years today, or on the day they died."""
        return age_on(self.date_of_birth, self.date_of_death or timezone.localdate())

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number)

    @property
    def address_lines(self) -> list[str]:
        lines = [
            self.address_line_1,
            self.address_line_2,
            self.address_line_3,
            self.address_line_4,
            self.postcode,
        ]
        return [line for line in lines if line]

    def clean(self) -> None:
        self.nhs_number = normalise_nhs_number(self.nhs_number)
        self.postcode = normalise_postcode(self.postcode)
        if self.registered_gp_practice_id and (
            self.registered_gp_practice.kind != OrganisationKind.GP_PRACTICE
        ):
            raise ValidationError({"registered_gp_practice": "Choose a GP practice"})


class CareTeamRelationship(models.TextChoices):
    REGISTERED_GP = "registered_gp", "Registered GP practice"
    COMMUNITY_NURSING = "community_nursing", "Community nursing"
    HOSPICE = "hospice", "Hospice"
    HOSPITAL = "hospital", "Hospital"
    SPECIALIST_PALLIATIVE_CARE = "specialist_palliative_care", "Specialist palliative care"
    CARE_HOME = "care_home", "Care home"
    SOCIAL_CARE = "social_care", "Social care"


# The relationship an organisation of each kind has to a patient it cares for. Urgent care
# and co-ordination centres are never in a care team: they reach patients by region.
RELATIONSHIP_FOR_KIND: dict[str, CareTeamRelationship] = {
    OrganisationKind.GP_PRACTICE: CareTeamRelationship.REGISTERED_GP,
    OrganisationKind.COMMUNITY_NURSING: CareTeamRelationship.COMMUNITY_NURSING,
    OrganisationKind.HOSPICE: CareTeamRelationship.HOSPICE,
    OrganisationKind.HOSPITAL: CareTeamRelationship.HOSPITAL,
    OrganisationKind.SPECIALIST_PALLIATIVE_CARE: CareTeamRelationship.SPECIALIST_PALLIATIVE_CARE,
    OrganisationKind.CARE_HOME: CareTeamRelationship.CARE_HOME,
    OrganisationKind.SOCIAL_CARE: CareTeamRelationship.SOCIAL_CARE,
}

JOINABLE_KINDS = [kind for kind in RELATIONSHIP_FOR_KIND if kind != OrganisationKind.GP_PRACTICE]


class CareTeamMember(models.Model):
    """An organisation in a patient's care team. Leaving ends the row; it is never deleted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_team")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="care_team_places"
    )
    relationship = models.CharField(max_length=40, choices=CareTeamRelationship.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "organisation"],
                condition=Q(ended_at__isnull=True),
                name="care_team_one_active_place_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True, relationship="registered_gp"),
                name="care_team_one_registered_gp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()}: {self.organisation.name}"


class PatientGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct foreign key table: "my patients" is an indexed join on it (DESIGN §4)."""

    content_object = models.ForeignKey(Patient, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


BREAK_GLASS_DURATION = dt.timedelta(hours=4)


def validate_break_glass_reason(value: str) -> None:
    """A reason someone else can judge later: more than a word ("emergency" says nothing)."""
    words = (value or "").split()
    if not words:
        raise ValidationError("Give the reason you need emergency access", code="required")
    if len(words) < 2 or len(value.strip()) < 10:
        raise ValidationError(
            "Say why you need emergency access in a few words, for example "
            '"999 call, patient unresponsive at a friend\'s home"',
            code="too_short",
        )


class BreakGlassGrant(models.Model):
    """Emergency access to one patient's summary by someone outside their regions or care
    team: a stated reason, four hours, and a row the care team sees on the patient page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField(validators=[validate_break_glass_reason])
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["membership", "expires_at"], name="break_glass_active"),
            models.Index(fields=["patient", "-granted_at"], name="break_glass_of_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")),
                name="break_glass_expires_after_granted",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="break_glass_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Break-glass grant {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()


class AccessReview(models.Model):
    """A privacy officer's review of one use of emergency access, or of one access to
    patient records an admin asked for (the Summary Care Record's "emergency access" alert
    model): who reviewed it, when, and what they found."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    break_glass_grant = models.OneToOneField(
        BreakGlassGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="review"
    )
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="review"
    )
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(break_glass_grant__isnull=True, membership__isnull=False)
                | Q(break_glass_grant__isnull=False, membership__isnull=True),
                name="access_review_of_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"Access review {self.public_id}"


class KeyContactKind(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    NAMED_GP = "named_gp", "Named GP"


class KeyContact(models.Model):
    """The person's named key worker (the one person to contact, who co-ordinates the team)
    or named GP: a member of the care team. One current of each kind; naming someone else
    ends the row before, so the rows are the history. Never deleted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="key_contacts")
    kind = models.CharField(max_length=20, choices=KeyContactKind.choices)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField("phone number", max_length=30)
    reason = models.TextField()
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=Q(ended_at__isnull=True),
                name="key_contact_one_current_of_each_kind",
            )
        ]
        indexes = [models.Index(fields=["membership", "kind"], name="key_contact_membership")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.patient_id}"

    @property
    def name(self) -> str:
        user = self.membership.user
        return user.get_full_name() or user.get_username()


def contact_name(first_name: str, last_name: str, username: str) -> str:
    """KeyContact.name from the login's values, read without the login (careplans.worklist):
    the full name as User.get_full_name makes it, else the username."""
    return f"{first_name} {last_name}".strip() or username
