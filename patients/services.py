"""Every change to patients and their care teams: acting user first, audit in the same
transaction, object permissions kept in step with the care team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from audit.models import Action
from audit.services import record
from core.phone import phone_problem
from organisations.models import Membership, Organisation, OrganisationKind
from organisations.permissions import can_break_glass, can_register_patient, can_review_access
from patients.identifiers import normalise_nhs_number
from patients.models import (
    BREAK_GLASS_DURATION,
    JOINABLE_KINDS,
    RELATIONSHIP_FOR_KIND,
    AccessReview,
    BreakGlassGrant,
    CareTeamMember,
    CareTeamRelationship,
    KeyContact,
    KeyContactKind,
    Patient,
)
from patients.permissions import VIEW_PATIENT, can_manage_care_team
from patients.selectors import key_contact_candidates

PERMISSION = f"patients.{VIEW_PATIENT}"


@dataclass(frozen=True)
class PatientDetails:
    """What a person types to register a patient; validated by the service."""

    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    address_line_1: str
    postcode: str
    registered_gp_practice: Organisation
    title: str = ""
    preferred_name: str = ""
    sex: str = ""
    gender: str = ""
    address_line_2: str = ""
    address_line_3: str = ""
    address_line_4: str = ""
    phone: str = ""
    email: str = ""
    interpreter_required: bool = False
    preferred_language: str = ""
    nhs_number_status: str = "01"


def _join(
    *, patient: Patient, organisation: Organisation, added_by_id: int | None
) -> CareTeamMember:
    relationship = RELATIONSHIP_FOR_KIND[organisation.kind]
    member = CareTeamMember.objects.create(
        patient=patient,
        organisation=organisation,
        relationship=relationship,
        added_by_id=added_by_id,
    )
    assign_perm(PERMISSION, organisation.group, patient)
    return member


def patient_register(*, actor: Membership, details: PatientDetails) -> Patient:
    """Register a patient in the region of their GP practice. The practice joins the care
    team, and so does the registering organisation, so that it can see whom it registered.

    Raises ValidationError with field errors; nothing is saved then, except the audit
    record of an attempt to register an NHS number that is already registered.
    """
    if not can_register_patient(actor):
        raise PermissionDenied
    practice = details.registered_gp_practice
    if practice.kind != OrganisationKind.GP_PRACTICE or practice.region_id != (
        actor.organisation.region_id
    ):
        raise ValidationError({"registered_gp_practice": "Choose a GP practice in your region"})
    values = {
        field.name: value.strip() if isinstance(value, str) else value
        for field in fields(details)
        if (value := getattr(details, field.name)) is not None
    }
    values["nhs_number"] = normalise_nhs_number(details.nhs_number)
    patient = Patient(**values, home_region_id=practice.region_id)
    # Everything is validated before asking whether the number is registered: otherwise a
    # form with another mistake would answer differently for a registered number and a
    # new one, and tell anyone who the service holds.
    patient.full_clean(validate_unique=False)
    _refuse_if_registered(actor, patient.nhs_number)
    try:
        with transaction.atomic():
            patient._change_reason = "registered"  # type: ignore[attr-defined]
            patient.save()
            _join(patient=patient, organisation=practice, added_by_id=actor.user_id)
            own = actor.organisation
            if own.pk != practice.pk and own.kind in JOINABLE_KINDS:
                _join(patient=patient, organisation=own, added_by_id=actor.user_id)
            record(actor=actor, action=Action.REGISTER, patient=patient)
    except IntegrityError:
        # Registered by someone else between the check and the insert (a double submit).
        _refuse_if_registered(actor, patient.nhs_number)
        raise
    return patient


# A refused registration cannot hide that it was refused, but it does not say that the
# person has an end-of-life care record here, nor whose care team holds it.
NOT_REGISTERED_HERE = (
    "This NHS number cannot be registered by your organisation. If you care for this person, "
    "ask their GP practice to add your organisation to their care team."
)


def _refuse_if_registered(actor: Membership, nhs_number: str) -> None:
    existing = Patient.objects.filter(nhs_number=nhs_number).first()
    if existing is None:
        return
    # Recorded against the existing patient, whose care team may want to know.
    record(
        actor=actor,
        action=Action.DENIED,
        patient=existing,
        reason="tried to register an NHS number that is already registered",
    )
    raise ValidationError({"nhs_number": NOT_REGISTERED_HERE})


@transaction.atomic
def care_team_add(
    *, actor: Membership, patient: Patient, organisation: Organisation
) -> CareTeamMember:
    """Add an organisation of the patient's region to the care team and grant its group
    access to the patient."""
    if not can_manage_care_team(actor, patient):
        raise PermissionDenied
    if organisation.kind not in JOINABLE_KINDS:
        raise ValidationError(
            {
                "organisation": "Only care providers join a care team: not GP practices (use the "
                "registration), urgent care or co-ordination centres"
            }
        )
    if organisation.region_id != patient.home_region_id:
        raise ValidationError({"organisation": "Choose an organisation in the patient's region"})
    already = f"{organisation.name} is already in the care team"
    if CareTeamMember.objects.filter(
        patient=patient, organisation=organisation, ended_at__isnull=True
    ).exists():
        raise ValidationError({"organisation": already})
    try:
        with transaction.atomic():
            member = _join(patient=patient, organisation=organisation, added_by_id=actor.user_id)
    except IntegrityError:  # added by someone else a moment ago (a double submit)
        raise ValidationError({"organisation": already}) from None
    record(
        actor=actor,
        action=Action.CARE_TEAM_ADD,
        patient=patient,
        detail={"organisation": str(organisation.public_id), "relationship": member.relationship},
    )
    return member


@transaction.atomic
def care_team_remove(*, actor: Membership, patient: Patient, member: CareTeamMember) -> None:
    """End an organisation's place in the care team and revoke its group's access at once.
    The registered GP practice stays until the registration changes."""
    if not can_manage_care_team(actor, patient):
        raise PermissionDenied
    if member.patient_id != patient.pk or member.ended_at is not None:
        raise ValidationError("That organisation is not in this patient's care team")
    if member.relationship == CareTeamRelationship.REGISTERED_GP:
        raise ValidationError("The registered GP practice cannot be removed from the care team")
    member.ended_at = timezone.now()
    member.ended_by_id = actor.user_id
    member.save(update_fields=["ended_at", "ended_by"])
    remove_perm(PERMISSION, member.organisation.group, patient)
    # A key worker of an organisation that leaves the team is no longer theirs to call.
    ended = KeyContact.objects.filter(
        patient=patient, ended_at__isnull=True, membership__organisation=member.organisation
    ).update(
        ended_at=member.ended_at,
        ended_by_id=actor.user_id,
        end_reason=f"{member.organisation.name} left the care team",
    )
    record(
        actor=actor,
        action=Action.CARE_TEAM_REMOVE,
        patient=patient,
        detail={"organisation": str(member.organisation.public_id), "key_contacts_ended": ended},
    )


@transaction.atomic
def key_contact_set(
    *,
    actor: Membership,
    patient: Patient,
    kind: str,
    membership: Membership,
    phone: str,
    reason: str,
) -> KeyContact:
    """Name `membership` as the person's key worker or named GP from now, ending whoever
    it was (their row stays as history). Care-team clinicians only; the person named must
    be one `key_contact_candidates` offers."""
    if not can_manage_care_team(actor, patient):
        raise PermissionDenied
    # Two people naming at once queue on the person's row: the second sees the first's.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if kind not in KeyContactKind.values:
        raise ValidationError({"kind": "Choose key worker or named GP"})
    label = KeyContactKind(kind).label.lower()
    if patient.date_of_death is not None:
        raise ValidationError(f"{patient.full_name} has died: their {label} cannot change")
    errors: dict[str, str] = {}
    phone = " ".join(phone.split())
    reason = reason.strip()
    if not key_contact_candidates(patient, kind).filter(pk=membership.pk).exists():
        errors["membership"] = (
            "Choose a GP of the person's registered practice"
            if kind == KeyContactKind.NAMED_GP
            else "Choose a clinician of the care team or a case manager of the region's "
            "co-ordination centre"
        )
    if not phone:
        errors["phone"] = f"Enter the phone number to reach the {label} on"
    elif problem := phone_problem(phone):
        errors["phone"] = problem
    if not reason:
        errors["reason"] = f'Say why this person is the {label}, for example "agreed at MDT"'
    if errors:
        raise ValidationError(errors)
    current = (
        KeyContact.objects.select_for_update()
        .filter(patient=patient, kind=kind, ended_at__isnull=True)
        .first()
    )
    if current is not None and current.membership_id == membership.pk and current.phone == phone:
        raise ValidationError({"membership": f"They are already the {label}"})
    now = timezone.now()
    if current is not None:
        current.ended_at, current.ended_by_id, current.end_reason = now, actor.user_id, reason
        current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    contact = KeyContact.objects.create(
        patient=patient,
        kind=kind,
        membership=membership,
        phone=phone,
        reason=reason,
        started_at=now,
        started_by_id=actor.user_id,
    )
    record(
        actor=actor,
        action=Action.KEY_CONTACT_SET,
        patient=patient,
        detail={
            "kind": kind,
            "membership": str(membership.public_id),
            "previous": str(current.membership.public_id) if current else None,
        },
    )
    return contact


@transaction.atomic
def break_glass(*, actor: Membership, patient: Patient, reason: str) -> BreakGlassGrant:
    """Open `patient`'s emergency summary to `actor` for four hours on a stated reason.

    Precondition: `patient` came from `patient_for_break_glass`. Raises ValidationError
    (field "reason") for an empty or one-word reason, PermissionDenied for roles that may
    not break glass."""
    if not can_break_glass(actor):
        raise PermissionDenied
    now = timezone.now()
    grant = BreakGlassGrant(
        patient=patient,
        membership=actor,
        reason=" ".join((reason or "").split()),
        granted_at=now,
        expires_at=now + BREAK_GLASS_DURATION,
    )
    grant.full_clean()
    grant.save()
    record(
        actor=actor,
        action=Action.BREAK_GLASS,
        patient=patient,
        reason=grant.reason,
        detail={"grant": str(grant.public_id), "expires_at": grant.expires_at.isoformat()},
    )
    return grant


@transaction.atomic
def access_review_record(
    *,
    actor: Membership,
    note: str,
    grant: BreakGlassGrant | None = None,
    membership: Membership | None = None,
) -> AccessReview:
    """A privacy officer marks one use of emergency access, or one admin-made access,
    reviewed, with what they found."""
    if not can_review_access(actor) or (grant is None) == (membership is None):
        raise PermissionDenied
    if grant is not None:
        region = grant.patient.home_region_id
    else:
        assert membership is not None  # noqa: S101 (one of the two, checked above)
        region = membership.organisation.region_id
    if region != actor.organisation.region_id:
        raise PermissionDenied
    text = note.strip()
    if not text:
        raise ValidationError({"note": "Say what you found, for example 'appropriate: 999 call'"})
    if AccessReview.objects.filter(break_glass_grant=grant, membership=membership).exists():
        raise ValidationError("This has already been reviewed")
    review = AccessReview.objects.create(
        break_glass_grant=grant,
        membership=membership,
        note=text[:2000],
        reviewed_by=actor.user,
        reviewed_at=timezone.now(),
    )
    record(
        actor=actor,
        action=Action.ACCESS_REVIEW,
        patient=grant.patient if grant is not None else None,
        reason=text[:1000],
        detail={"review": str(review.public_id), "of": "break glass" if grant else "access"},
    )
    return review
