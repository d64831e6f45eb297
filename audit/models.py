"""The append-only access log, hash-chained per stream (DESIGN §6).

`audit` imports none of the other apps: events name people, organisations and patients by
their public ids and keep a snapshot of the names shown to patients.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    LIST = "list", "Listed patients"
    SEARCH = "search", "Searched for a patient"
    VIEW = "view", "Viewed the record"
    REGISTER = "register", "Registered the patient"
    CARE_TEAM_ADD = "care_team_add", "Added an organisation to the care team"
    CARE_TEAM_REMOVE = "care_team_remove", "Removed an organisation from the care team"
    KEY_CONTACT_SET = "key_contact_set", "Named the key worker or named GP"
    DENIED = "denied", "Was refused access"
    ORGANISATION_CREATE = "organisation_create", "Created an organisation"
    ORGANISATION_UPDATE = "organisation_update", "Changed an organisation's details"
    REGION_UPDATE = "region_update", "Changed the region's single point of access"
    CARE_PROFILE_CHANGE = "care_profile_change", "Changed a draft of the region's care profile"
    CARE_PROFILE_PUBLISH = "care_profile_publish", "Published the region's care profile"
    READINESS_RECORD = "readiness_record", "Recorded what is in place at home"
    BEREAVEMENT_RECORD = "bereavement_record", "Recorded the contact with the family after a death"
    MEMBERSHIP_ADD = "membership_add", "Added a membership"
    MEMBERSHIP_END = "membership_end", "Ended a membership"
    ACT_AS = "act_as", "Chose the role to act in"
    VIEW_PLAN = "view_plan", "Viewed the care plan"
    EDIT = "edit", "Edited the care plan"
    SUBMIT = "submit", "Sent the care plan for approval"
    PUBLISH = "publish", "Published the care plan"
    CONSENT_RECORD = "consent_record", "Recorded consent to share"
    CONSENT_WITHDRAW = "consent_withdraw", "Recorded that consent to share was withdrawn"
    VIEW_SUMMARY = "view_summary", "Viewed the emergency summary"
    BREAK_GLASS = "break_glass", "Used emergency access (break glass)"
    PRINT = "print", "Printed the care plan"
    INVITE = "invite", "Invited someone to see the record online"
    INVITATION_WITHDRAW = "invitation_withdraw", "Withdrew an invitation to see the record online"
    IDENTITY_CHECK_FAILED = "identity_check_failed", "Gave details that did not match"
    IDENTITY_MISMATCH = (
        "identity_mismatch",
        "Searched with an NHS number whose record has other details",
    )
    ACCOUNT_CREATE = "account_create", "Set up online access"
    ACCOUNT_END = "account_end", "Ended someone's online access"
    CARER_SHARING = "carer_sharing", "Changed what a carer sees"
    CARER_MESSAGE = "carer_message", "A carer told the team things are getting harder"
    ACCOUNT_REQUEST = "account_request", "Asked for online access"
    ACCOUNT_REQUEST_DECIDE = "account_request_decide", "Decided a request for online access"
    LPA_RECORD = "lpa_record", "Recorded a lasting power of attorney"
    LPA_END = "lpa_end", "Recorded that a lasting power of attorney ended"
    CHANGE_REQUEST = "change_request", "Asked for a change to the care plan"
    CHANGE_REQUEST_UPDATE = "change_request_update", "Answered a request for a change"
    VIEW_ACCESS_LOG = "view_access_log", "Looked at who viewed the record"
    DEATH_RECORD = "death_record", "Recorded the person's death"
    DEATH_CORRECT = "death_correct", "Corrected the record of the person's death"
    DEATH_IN_ERROR = "death_in_error", "Recorded that a death was recorded in error"
    RUN_REPORT = "run_report", "Ran a report"
    EXPORT = "export", "Exported a report"
    REFER = "refer", "Referred the person for care"
    VIEW_REFERRAL = "view_referral", "Viewed a referral for care"
    ASSESS_NEEDS = "assess_needs", "Recorded a needs assessment"
    TRIAGE = "triage", "Triaged a referral"
    PRIORITY_OVERRIDE = "priority_override", "Moved a referral to another priority band"
    ALLOCATE = "allocate", "Offered a place with a care provider"
    ALLOCATION_UPDATE = "allocation_update", "Updated a place with a care provider"
    REFERRAL_CLOSE = "referral_close", "Closed a referral"
    TARGETS_SET = "targets_set", "Changed the co-ordination centre's targets"
    TOKEN_CREATE = "token_create", "Made an API token for a system"
    TOKEN_REVOKE = "token_revoke", "Revoked a system's API token"
    ACCESS_APPROVE = "access_approve", "Approved access to patient records that an admin asked for"
    ACCESS_DECLINE = "access_decline", "Declined access to patient records that an admin asked for"
    TWO_FACTOR_SET_UP = "two_factor_set_up", "Set up two-factor sign-in"
    TWO_FACTOR_FAILED = "two_factor_failed", "Gave a wrong two-factor code"
    TWO_FACTOR_RESET_REQUEST = (
        "two_factor_reset_request",
        "Asked to reset someone's two-factor sign-in",
    )
    TWO_FACTOR_RESET = "two_factor_reset", "Reset someone's two-factor sign-in"
    REAUTHENTICATE = "reauthenticate", "Confirmed their identity again"
    ACCESS_REVIEW = "access_review", "Reviewed a use of emergency access or admin-made access"
    REGISTER_ADD = "register_add", "Added the person to the palliative care register"
    REGISTER_REMOVE = "register_remove", "Removed the person from the palliative care register"
    IDENTIFY = "identify", "Recorded whether the person may need palliative care"
    NOT_NOW = "not_now", "Decided not to add the person to the register for now"
    SEARCH_IMPORT = "search_import", "Imported a search from the practice's clinical system"
    MEETING_SCHEDULE = "meeting_schedule", "Scheduled a practice meeting"
    MEETING_OUTCOME = "meeting_outcome", "Recorded the practice meeting's review of the person"
    API_READ = "api_read", "Read the record through the API"
    API_SEARCH = "api_search", "Searched through the API"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditStream(models.Model):
    """The head of one hash chain. Appending locks only this row (SELECT ... FOR UPDATE).

    Keeping the head and length here also lets verification notice a removed last event.
    """

    key = models.CharField(max_length=80, unique=True)
    head_hash = models.CharField(max_length=64, default="")
    length = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.key


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")


class AccessEvent(models.Model):
    stream = models.ForeignKey(AuditStream, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    membership_public_id = models.UUIDField(null=True)
    organisation_public_id = models.UUIDField(null=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30, blank=True)
    patient_public_id = models.UUIDField(null=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=256, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "sequence"], name="audit_event_stream_seq")
        ]
        indexes = [
            models.Index(fields=["patient_public_id", "occurred_at"], name="audit_event_patient"),
            models.Index(fields=["user", "occurred_at"], name="audit_event_user"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.sequence} in {self.stream_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")
