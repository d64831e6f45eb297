"""Reads for the co-ordination centre, limited to what the acting membership may see: the
one queue in priority order, a referral, free capacity, and the week's dashboard."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import Action
from audit.services import record
from coordination.models import (
    HOLDING,
    Allocation,
    AllocationStatus,
    CapacitySlot,
    Referral,
    Service,
    ServiceTarget,
)
from coordination.permissions import can_manage_referral
from coordination.priority import (
    RULE_VERSION,
    RULES,
    Band,
    Phase,
    SortKey,
    carer_concern,
    sort_key,
)
from organisations.models import Membership, Organisation, OrganisationKind, Region
from organisations.permissions import can_manage_referrals
from patients.models import Patient
from patients.permissions import can_view_patient

WEEK = dt.timedelta(days=7)


def centre_of(region: Region | int) -> Organisation | None:
    """The region's co-ordination centre (the first by name, if there are several)."""
    region_id = region if isinstance(region, int) else region.pk
    return (
        Organisation.objects.filter(region_id=region_id, kind=OrganisationKind.COORDINATION_CENTRE)
        .order_by("name")
        .first()
    )


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "patient", "latest_assessment", "centre", "case_manager__user", "referred_by_organisation"
    )


def region_referrals(viewer: Membership) -> QuerySet[Referral]:
    """The one answer to "whose referrals may this co-ordinator see?": those of the centres
    of their own region."""
    if not can_manage_referrals(viewer):
        return Referral.objects.none()
    return _referrals().filter(centre__region_id=viewer.organisation.region_id)


def referral_for(viewer: Membership, public_id: UUID, *, page: str) -> Referral:
    """The referral for a co-ordinator of its region, recorded in the patient's stream;
    else Http404, with the refusal recorded."""
    referral = region_referrals(viewer).filter(public_id=public_id).first()
    if referral is None:
        exists = Referral.objects.filter(public_id=public_id).values("patient__public_id").first()
        record(
            actor=viewer,
            action=Action.DENIED,
            patient_public_id=exists["patient__public_id"] if exists else None,
            reason="not a co-ordinator of the referral's region" if exists else "no such referral",
            detail={"page": page, "requested": str(public_id)},
        )
        raise Http404("No such referral")
    record(
        actor=viewer,
        action=Action.VIEW_REFERRAL,
        patient=referral.patient,
        detail={"page": page, "referral": str(referral.public_id)},
    )
    return referral


def referrals_of(viewer: Membership, patient: Patient) -> list[Referral]:
    """A patient's referrals, for their care team's patient page."""
    if not can_view_patient(viewer, patient):
        return []
    return list(
        _referrals()
        .filter(patient=patient)
        .order_by("-received_at")
        .prefetch_related("allocations__slot__provider")
    )


# --- targets and ranking -------------------------------------------------------------------


def targets_of(centre_ids: Iterable[int]) -> dict[tuple[int, str, str], int]:
    """(centre id, service, band) -> hours, where a centre has set its own."""
    return {
        (t.centre_id, t.service, t.band): t.hours
        for t in ServiceTarget.objects.filter(centre_id__in=set(centre_ids))
    }


def target_for(
    referral: Referral, band: Band, targets: dict[tuple[int, str, str], int]
) -> dt.timedelta:
    """The shortest target of the services asked for, for the band."""
    default = RULES[_version(referral)].target_hours[band]
    hours = min(
        targets.get((referral.centre_id, service, band.value), default)
        for service in referral.services
    )
    return dt.timedelta(hours=hours)


def _version(referral: Referral) -> str:
    return referral.assessment.rule_version


def key_of(
    referral: Referral, now: dt.datetime, targets: dict[tuple[int, str, str], int]
) -> SortKey:
    band = referral.effective_band
    assessment = referral.assessment
    concerned = (
        referral.carer_concern_at is not None and referral.carer_concern_at > assessment.assessed_at
    )
    return sort_key(
        band,
        referral.score,
        now - referral.received_at,
        target_for(referral, band, targets),
        _version(referral),
        carer_concern(assessment.carer, _version(referral)) if concerned else None,
    )


@dataclass
class QueueRow:
    referral: Referral
    key: SortKey
    placed_services: set[str]  # services with a place offered, accepted or started

    @property
    def unplaced(self) -> list[str]:
        return [s for s in self.referral.services if s not in self.placed_services]

    @property
    def placed(self) -> bool:
        """Every service asked for has a place."""
        return not self.unplaced

    @property
    def partly_placed(self) -> bool:
        return bool(self.placed_services) and not self.placed


def ranked(referrals: Iterable[Referral], now: dt.datetime) -> list[QueueRow]:
    """Highest key first; ties to the earlier referral."""
    referrals = list(referrals)
    targets = targets_of(r.centre_id for r in referrals)
    placed: dict[int, set[str]] = defaultdict(set)
    for referral_id, service in Allocation.objects.filter(
        referral__in=referrals, status__in=HOLDING
    ).values_list("referral_id", "slot__service"):
        placed[referral_id].add(service)
    rows = [QueueRow(r, key_of(r, now, targets), placed[r.pk]) for r in referrals]
    rows.sort(key=lambda row: (-row.key.value, row.referral.received_at, row.referral.pk))
    return rows


def open_ranked(viewer: Membership, now: dt.datetime | None = None) -> list[QueueRow]:
    """The queue, for work on it (not shown as a list: not recorded)."""
    return ranked(region_referrals(viewer).filter(closed_at__isnull=True), now or timezone.now())


def queue(viewer: Membership, now: dt.datetime | None = None) -> list[QueueRow]:
    """Every open referral of the region's centres, across all services, in priority
    order. The listing is recorded in the viewer's stream."""
    rows = open_ranked(viewer, now)
    record(
        actor=viewer,
        action=Action.LIST,
        detail={"page": "referral queue", "count": len(rows)},
    )
    return rows


# --- capacity ------------------------------------------------------------------------------


def slots_with_room(region_id: int, today: dt.date) -> QuerySet[CapacitySlot]:
    """Slots of the region's providers not yet over, with the places they hold (`held`)."""
    return (
        CapacitySlot.objects.filter(provider__region_id=region_id, ends_on__gte=today)
        .select_related("provider")
        .annotate(held=Count("allocations", filter=Q(allocations__status__in=HOLDING)))
        .order_by("starts_on", "provider__name", "id")
    )


def free_slots(viewer: Membership, services: Iterable[str] | None = None) -> list[CapacitySlot]:
    if not can_manage_referrals(viewer):
        return []
    slots = slots_with_room(viewer.organisation.region_id, timezone.localdate())
    if services is not None:
        slots = slots.filter(service__in=list(services))
    return [slot for slot in slots if slot.held < slot.capacity]  # type: ignore[attr-defined]


def allocation_for(viewer: Membership, public_id: UUID, *, page: str) -> Allocation:
    allocation = (
        Allocation.objects.filter(public_id=public_id)
        .select_related("referral__centre", "referral__patient", "slot__provider")
        .first()
    )
    if allocation is None or not can_manage_referral(viewer, allocation.referral):
        record(
            actor=viewer,
            action=Action.DENIED,
            reason="no such allocation in the acting region",
            detail={"page": page, "requested": str(public_id)},
        )
        raise Http404("No such allocation")
    record(
        actor=viewer,
        action=Action.VIEW_REFERRAL,
        patient=allocation.referral.patient,
        detail={"page": page, "referral": str(allocation.referral.public_id)},
    )
    return allocation


def ahead_needing(rows: list[QueueRow], referral: Referral) -> list[QueueRow]:
    """Referrals ranked above this one still waiting for a place in a service it needs."""
    ahead = []
    for row in rows:
        if row.referral.pk == referral.pk:
            break
        if set(row.unplaced) & set(referral.services):
            ahead.append(row)
    return ahead


# --- the dashboard -------------------------------------------------------------------------


@dataclass
class BandFigure:
    band: Band
    within: int
    counted: int
    waiting: int  # still within target, not yet placed: not counted

    @property
    def percent(self) -> str:
        return f"{100 * self.within / self.counted:.0f}%" if self.counted else "n/a"


@dataclass
class Alert:
    row: QueueRow
    services: list[str]  # labels of the services with no free place
    releasable: list[Allocation]  # places held by stable Green referrals for those services


@dataclass
class Dashboard:
    week_start: dt.datetime
    figures: list[BandFigure]
    breaches: list[QueueRow]
    alerts: list[Alert]


def dashboard(viewer: Membership, now: dt.datetime | None = None) -> Dashboard:
    """The last 7 days' share placed within target per band, breaches, and Red referrals that
    no free place can take (with the stable packages a clinical lead might release)."""
    now = now or timezone.now()
    start = now - WEEK
    referrals = region_referrals(viewer)
    week = list(referrals.filter(received_at__gte=start))
    open_rows = ranked(referrals.filter(closed_at__isnull=True), now)
    figures = _figures(week, now)
    record(
        actor=viewer,
        action=Action.LIST,
        detail={"page": "co-ordination dashboard", "count": len(open_rows)},
    )
    return Dashboard(
        week_start=start,
        figures=figures,
        breaches=[row for row in open_rows if row.key.breached and not row.placed],
        alerts=_alerts(viewer, open_rows),
    )


def _figures(week: list[Referral], now: dt.datetime) -> list[BandFigure]:
    targets = targets_of(r.centre_id for r in week)
    first_placed: dict[int, dt.datetime] = {}
    for referral_id, accepted_at in (
        Allocation.objects.filter(referral__in=week, accepted_at__isnull=False)
        .order_by("accepted_at")
        .values_list("referral_id", "accepted_at")
    ):
        if accepted_at is not None:
            first_placed.setdefault(referral_id, accepted_at)
    counts: dict[Band, list[int]] = {band: [0, 0, 0] for band in Band}
    for referral in week:
        band = referral.effective_band
        due = referral.received_at + target_for(referral, band, targets)
        placed = first_placed.get(referral.pk)
        figure = counts[band]
        if placed is not None:
            figure[0] += placed <= due
            figure[1] += 1
        elif (referral.closed_at or now) > due:  # a breach
            figure[1] += 1
        elif referral.is_open:
            figure[2] += 1
        # Closed within target and never placed (no longer needed, or died): not counted.
    return [BandFigure(band, *counts[band]) for band in Band]


def _alerts(viewer: Membership, rows: list[QueueRow]) -> list[Alert]:
    reds = [row for row in rows if row.key.band == Band.RED and not row.placed]
    if not reds:
        return []
    today = timezone.localdate()
    # A place that has not started yet does not meet a Red's need.
    free = {slot.service for slot in free_slots(viewer) if slot.starts_on <= today}
    stable_green = [
        row.referral.pk
        for row in rows
        if row.key.band == Band.GREEN
        and row.referral.latest_assessment is not None
        and row.referral.latest_assessment.phase == Phase.STABLE
    ]
    releasable: dict[str, list[Allocation]] = defaultdict(list)
    for allocation in (
        Allocation.objects.filter(
            referral_id__in=stable_green,
            status__in=[AllocationStatus.ACCEPTED, AllocationStatus.DELIVERED],
        )
        .select_related("slot__provider", "referral__patient")
        .order_by("offered_at")
    ):
        releasable[allocation.slot.service].append(allocation)
    alerts = []
    for row in reds:
        short = [s for s in row.unplaced if s not in free]
        if short:
            alerts.append(
                Alert(
                    row,
                    [Service(s).label for s in short],
                    [a for s in short for a in releasable.get(s, [])],
                )
            )
    return alerts


def centre_targets(viewer: Membership) -> dict[tuple[str, str], int]:
    """(service, band) -> hours for the viewer's centre: its own or the rule's default."""
    defaults = RULES[RULE_VERSION].target_hours
    own = targets_of([viewer.organisation.pk])
    return {
        (service, band.value): own.get(
            (viewer.organisation.pk, service, band.value), defaults[band]
        )
        for service in Service.values
        for band in Band
    }


# --- offering free places in queue order ----------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """One place the centre would offer: this referral, this service, in this slot."""

    referral: Referral
    service: str
    slot: CapacitySlot

    @property
    def service_label(self) -> str:
        return Service(self.service).label


def proposals(viewer: Membership) -> list[Proposal]:
    """What "offer free places in queue order" would do now, without doing it: each open
    referral, highest key first, gets the earliest free place for each service it asked for
    and has no place for, while places last."""
    if not can_manage_referrals(viewer):
        return []
    slots = free_slots(viewer)
    room = {slot.pk: slot.capacity - slot.held for slot in slots}  # type: ignore[attr-defined]
    plan = []
    for row in open_ranked(viewer):
        for service in row.unplaced:
            slot = next((s for s in slots if s.service == service and room[s.pk] > 0), None)
            if slot is not None:
                room[slot.pk] -= 1
                plan.append(Proposal(row.referral, service, slot))
    return plan


def proposals_shown(viewer: Membership) -> list[Proposal]:
    """The proposals, to show: the listing is recorded in the viewer's stream."""
    plan = proposals(viewer)
    record(
        actor=viewer,
        action=Action.LIST,
        detail={"page": "offer free places", "count": len(plan)},
    )
    return plan


def proposals_fingerprint(plan: Iterable[Proposal]) -> str:
    """Names exactly these offers: a confirmation of a list that has changed since is
    refused rather than carried out."""
    text = "|".join(f"{p.referral.public_id}:{p.service}:{p.slot.public_id}" for p in plan)
    return hashlib.sha256(text.encode()).hexdigest()
