"""Every change to referrals: refer, assess, triage, override, allocate, close; each one
checks permission, validates, writes and audits in one transaction, for an acting person.
Bad input is a ValidationError by field, with nothing saved."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from coordination import selectors
from coordination.models import (
    HOLDING,
    NEXT,
    OPEN_STATUSES,
    Allocation,
    AllocationStatus,
    CapacitySlot,
    NeedsAssessment,
    PriorityOverride,
    Referral,
    Service,
    ServiceTarget,
    Status,
    Urgency,
)
from coordination.permissions import can_manage_referral, can_override_referral, can_refer
from coordination.priority import (
    RULE_VERSION,
    RULES,
    Band,
    Needs,
    assessed_nothing,
    need,
    validate,
)
from core.actors import Actor
from organisations.models import Membership
from organisations.permissions import (
    Capability,
    can_manage_referrals,
    can_override_priority,
    has_capability,
)
from patients.models import Patient

MAX_TEXT = 2000
MAX_TARGET_HOURS = 2000


def _text(field: str, value: str, missing: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: f"Use {MAX_TEXT} characters or fewer"})
    return text


@transaction.atomic
def referral_create(
    *,
    actor: Membership,
    patient: Patient,
    services: Sequence[str],
    reason: str,
    urgency: str,
    needs: Needs,
) -> Referral:
    """Refer a patient of the actor's care team to their region's co-ordination centre,
    with the referrer's needs assessment, which ranks it."""
    if not can_refer(actor, patient):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not services:
        errors["services"] = "Choose at least one service"
    elif not set(services) <= set(Service.values):
        errors["services"] = "Choose services from the list"
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose how soon care is needed"
    if not reason.strip():
        errors["reason"] = "Say why you are referring"
    elif len(reason.strip()) > MAX_TEXT:
        errors["reason"] = f"Use {MAX_TEXT} characters or fewer"
    errors.update(validate(needs))
    if patient.date_of_death is not None:
        errors["__all__"] = "This person has died: they cannot be referred"
    centre = selectors.centre_of(patient.home_region_id)
    if centre is None:
        errors["__all__"] = "There is no co-ordination centre in the person's region yet"
    if errors or centre is None:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        patient=patient,
        centre=centre,
        services=[s for s in Service.values if s in set(services)],
        reason=reason.strip(),
        urgency=urgency,
        referred_by=actor.user,
        referred_by_organisation=actor.organisation,
        received_at=timezone.now(),
    )
    _assess(actor, referral, needs, at_referral=True)
    record(
        actor=actor,
        action=Action.REFER,
        patient=patient,
        detail={
            "referral": str(referral.public_id),
            "services": referral.services,
            "band": referral.effective_band,
        },
    )
    return referral


def _assess(
    actor: Membership, referral: Referral, needs: Needs, *, at_referral: bool = False
) -> NeedsAssessment:
    priority = need(needs)
    assessment = NeedsAssessment.objects.create(
        referral=referral,
        assessed_at=timezone.now(),
        assessed_by=actor.user,
        assessed_by_organisation=actor.organisation,
        phase=needs.phase or "",
        akps=needs.akps,
        ipos=list(needs.ipos),
        carer=needs.carer or "",
        rule_version=priority.rule_version,
        score=priority.score,
        band=priority.band,
        terms=[[term.label, term.points] for term in priority.terms],
        missing=list(priority.missing),
        red_because=list(priority.red_because),
        at_referral=at_referral,
    )
    referral.latest_assessment = assessment
    referral.override_band = ""  # an override was of the assessment before
    referral.save(update_fields=["latest_assessment", "override_band"])
    return assessment


def _locked(referral: Referral) -> Referral:
    """The referral, locked, still open; else a ValidationError."""
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("latest_assessment")
        .get(pk=referral.pk)
    )
    if not locked.is_open:
        raise ValidationError("This referral is closed")
    locked.patient = referral.patient
    locked.centre = referral.centre
    return locked


def _manage(actor: Membership, referral: Referral) -> Referral:
    if not can_manage_referral(actor, referral):
        raise PermissionDenied
    return _locked(referral)


@transaction.atomic
def assessment_record(*, actor: Membership, referral: Referral, needs: Needs) -> NeedsAssessment:
    """A new assessment: it re-ranks the referral; earlier ones are kept."""
    locked = _manage(actor, referral)
    if errors := validate(needs):
        raise ValidationError(errors)
    if assessed_nothing(needs):
        raise ValidationError(
            "Nothing was assessed. Assess at least one item: an assessment with every item "
            "'Not assessed' cannot rank a referral, and would drop it down the queue."
        )
    assessment = _assess(actor, locked, needs)
    record(
        actor=actor,
        action=Action.ASSESS_NEEDS,
        patient=locked.patient,
        detail={
            "referral": str(locked.public_id),
            "score": assessment.score,
            "band": assessment.band,
            "rule_version": assessment.rule_version,
        },
    )
    return assessment


@transaction.atomic
def referral_triage(*, actor: Membership, referral: Referral) -> Referral:
    """The co-ordinator has looked at it and takes it on as case manager."""
    locked = _manage(actor, referral)
    if locked.status != Status.RECEIVED:
        raise ValidationError("This referral has already been triaged")
    _triaged(actor, locked)
    return locked


def _triaged(actor: Membership, referral: Referral) -> None:
    referral.status = Status.TRIAGED
    referral.triaged_at = timezone.now()
    referral.case_manager = actor
    referral.save(update_fields=["status", "triaged_at", "case_manager"])
    record(
        actor=actor,
        action=Action.TRIAGE,
        patient=referral.patient,
        detail={"referral": str(referral.public_id), "band": referral.effective_band},
    )


@transaction.atomic
def priority_override(
    *, actor: Membership, referral: Referral, band: str, reason: str
) -> PriorityOverride:
    """A clinical lead moves the referral to another band, with a reason. The computed band
    and score stay on the assessment and beside the override."""
    if not can_override_referral(actor, referral):
        raise PermissionDenied
    locked = _locked(referral)
    if band not in {b.value for b in Band}:
        raise ValidationError({"band": "Choose Red, Amber or Green"})
    text = _text("reason", reason, "Say why the band should change")
    if Band(band) == locked.effective_band:
        raise ValidationError({"band": f"The referral is already {Band(band).label}"})
    assessment = locked.assessment
    override = PriorityOverride.objects.create(
        referral=locked,
        assessment=assessment,
        computed_band=locked.computed_band,
        computed_score=assessment.score,
        band=band,
        reason=text,
        made_by=actor.user,
        made_by_organisation=actor.organisation,
        made_at=timezone.now(),
    )
    locked.override_band = "" if band == locked.computed_band else band
    locked.save(update_fields=["override_band"])
    record(
        actor=actor,
        action=Action.PRIORITY_OVERRIDE,
        patient=locked.patient,
        reason=text,
        detail={
            "referral": str(locked.public_id),
            "from": locked.computed_band,
            "to": band,
            "score": assessment.score,
        },
    )
    return override


@transaction.atomic
def allocation_offer(*, actor: Membership, referral: Referral, slot: CapacitySlot) -> Allocation:
    """Offer the referral a place in a provider's slot. Refused when the slot is full, over,
    in another region, or for a service not asked for."""
    locked = _manage(actor, referral)
    slot = (
        CapacitySlot.objects.select_for_update(of=("self",))
        .select_related("provider")
        .get(pk=slot.pk)
    )
    if slot.provider.region_id != locked.centre.region_id:
        raise PermissionDenied
    if slot.service not in locked.services:
        raise ValidationError({"slot": "The referral did not ask for this service"})
    if slot.ends_on < timezone.localdate():
        raise ValidationError({"slot": "This slot is over: choose another"})
    held = slot.allocations.filter(status__in=HOLDING).count()
    if held >= slot.capacity:
        raise ValidationError({"slot": "This slot is full: choose another"})
    if locked.allocations.filter(slot__service=slot.service, status__in=HOLDING).exists():
        raise ValidationError({"slot": "The referral already has a place for this service"})
    if locked.status == Status.RECEIVED:
        _triaged(actor, locked)
    allocation = Allocation.objects.create(
        referral=locked, slot=slot, offered_at=timezone.now(), updated_by=actor.user
    )
    record(
        actor=actor,
        action=Action.ALLOCATE,
        patient=locked.patient,
        detail={
            "referral": str(locked.public_id),
            "allocation": str(allocation.public_id),
            "service": slot.service,
        },
    )
    return allocation


@transaction.atomic
def allocation_update(
    *, actor: Membership, allocation: Allocation, status: str, note: str = ""
) -> Allocation:
    """Record the provider's answer or the care's progress. Cancelling a place that was
    accepted or started withdraws care: only a clinical lead confirms it, with a reason."""
    locked = _manage(actor, allocation.referral)
    current = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if status not in AllocationStatus.values:
        raise ValidationError({"status": "Choose what happened"})
    new = AllocationStatus(status)
    if new not in NEXT[AllocationStatus(current.status)]:
        raise ValidationError(
            {
                "status": f"A place that is {current.get_status_display().lower()} cannot "
                f"become {new.label.lower()}"
            }
        )
    withdraws_care = (
        new == AllocationStatus.CANCELLED and current.status != AllocationStatus.OFFERED
    )
    if withdraws_care and not can_override_referral(actor, locked):
        raise PermissionDenied
    text = note.strip()
    if new in (AllocationStatus.DECLINED, AllocationStatus.CANCELLED):
        text = _text("note", note, "Say why")
    now = timezone.now()
    current.status = new
    current.note = text or current.note
    current.updated_by = actor.user
    if new == AllocationStatus.ACCEPTED:
        current.accepted_at = now
    if new in (AllocationStatus.DECLINED, AllocationStatus.CANCELLED):
        current.ended_at = now
    current.save()
    _follow(locked)
    record(
        actor=actor,
        action=Action.ALLOCATION_UPDATE,
        patient=locked.patient,
        reason=text,
        detail={
            "referral": str(locked.public_id),
            "allocation": str(current.public_id),
            "status": new.value,
        },
    )
    return current


def _follow(referral: Referral) -> None:
    """The referral's status follows its places: care started, a place accepted, or none."""
    statuses = set(referral.allocations.values_list("status", flat=True))
    if AllocationStatus.DELIVERED in statuses:
        status = Status.ACTIVE
    elif AllocationStatus.ACCEPTED in statuses:
        status = Status.ALLOCATED
    else:
        status = Status.TRIAGED
    if status != referral.status:
        referral.status = status
        referral.save(update_fields=["status"])


@transaction.atomic
def referral_close(*, actor: Membership, referral: Referral, note: str) -> Referral:
    """Close a referral that needs nothing more; its places still held are cancelled."""
    locked = _manage(actor, referral)
    text = _text("note", note, "Say why the referral is closing")
    if locked.allocations.filter(
        status__in=[AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED]
    ).exists() and not can_override_referral(actor, locked):
        raise ValidationError("Care is arranged or under way: a clinical lead closes this referral")
    _close(locked, Status.CLOSED, text, actor)
    record(
        actor=actor,
        action=Action.REFERRAL_CLOSE,
        patient=locked.patient,
        reason=text,
        detail={"referral": str(locked.public_id)},
    )
    return locked


def _close(referral: Referral, status: Status, note: str, actor: Membership) -> None:
    now = timezone.now()
    for allocation in referral.allocations.select_for_update().filter(status__in=HOLDING):
        allocation.status = AllocationStatus.CANCELLED
        allocation.ended_at = now
        allocation.note = note
        allocation.updated_by = actor.user
        allocation.save()
    referral.status = status
    referral.closed_at = now
    referral.closing_note = note
    referral.save(update_fields=["status", "closed_at", "closing_note"])


def referrals_close_on_death(*, actor: Membership, patient: Patient) -> int:
    """A recorded death closes the person's open referrals and cancels their places. Runs
    inside the death's recording, for the person who recorded it."""
    closed = 0
    for referral in Referral.objects.select_for_update().filter(
        patient=patient, status__in=OPEN_STATUSES
    ):
        referral.patient = patient
        _close(referral, Status.DIED, "The person died", actor)
        record(
            actor=actor,
            action=Action.REFERRAL_CLOSE,
            patient=patient,
            reason="the person died",
            detail={"referral": str(referral.public_id)},
        )
        closed += 1
    return closed


PROPOSALS_CHANGED = (
    "The queue or the free places changed since you looked: nothing was offered. Check the "
    "new list below, then confirm again."
)


@transaction.atomic
def allocations_propose(*, actor: Membership, confirming: str) -> list[Allocation]:
    """Offer the places the actor was shown (coordination.selectors.proposals), in queue
    order, and triage (by the actor) any referral not yet triaged. `confirming` is the
    fingerprint of the list shown: if the list is different now, nothing is offered. Never
    withdraws care: only free places are offered."""
    if not can_manage_referrals(actor):
        raise PermissionDenied
    plan = selectors.proposals(actor)
    if not plan or selectors.proposals_fingerprint(plan) != confirming:
        raise ValidationError(PROPOSALS_CHANGED)
    return [
        allocation_offer(actor=actor, referral=proposal.referral, slot=proposal.slot)
        for proposal in plan
    ]


@transaction.atomic
def targets_set(*, actor: Membership, hours: dict[tuple[str, str], int]) -> int:
    """The clinical lead sets the centre's target for each (service, band), in hours; a
    target equal to the rule's default is stored as no target of the centre's own."""
    if not can_override_priority(actor):
        raise PermissionDenied
    errors = {
        f"{service}_{band}": "Enter a whole number of hours from 1 to 2,000"
        for (service, band), value in hours.items()
        if service not in Service.values
        or band not in {b.value for b in Band}
        or not 1 <= value <= MAX_TARGET_HOURS
    }
    if errors:
        raise ValidationError(errors)
    centre = actor.organisation
    defaults = RULES[RULE_VERSION].target_hours
    changes: list[list[object]] = []
    for (service, band), value in hours.items():
        existing = ServiceTarget.objects.filter(centre=centre, service=service, band=band).first()
        before = existing.hours if existing else defaults[Band(band)]
        if value == before:
            continue
        changes.append([service, band, before, value])
        if value == defaults[Band(band)]:
            ServiceTarget.objects.filter(centre=centre, service=service, band=band).delete()
        else:
            ServiceTarget.objects.update_or_create(
                centre=centre, service=service, band=band, defaults={"hours": value}
            )
    record(actor=actor, action=Action.TARGETS_SET, detail={"changes": changes})
    return len(changes)


@transaction.atomic
def referrals_note_carer_concern(*, actor: Actor, patient: Patient, summary: str) -> int:
    """A carer told the team things are getting harder: each open referral of the person
    shows it and rises in its centre's queue until the centre assesses again. Precondition:
    the caller (carers.services) checked the carer may tell the team."""
    if not has_capability(actor, Capability.TELL_THE_TEAM):
        raise PermissionDenied
    now = timezone.now()
    referrals = list(
        Referral.objects.select_for_update().filter(patient=patient, closed_at__isnull=True)
    )
    for referral in referrals:  # saved one by one, so that the referral's history has it
        referral.carer_concern_at, referral.carer_concern = now, summary[:1000]
        referral.save(update_fields=["carer_concern_at", "carer_concern"])
    return len(referrals)
