"""Demo data for the co-ordination centre: three providers with capacity, and a dozen
referrals across bands and waiting times, each made on the clock of its story (so that
waiting times and breaches are real). Safe to run twice: it does nothing once referrals
exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import time_machine
from django.utils import timezone

from coordination import services
from coordination.models import AllocationStatus, CapacitySlot, Provider, Referral, Service
from coordination.priority import Carer, Needs, Phase
from organisations.models import Membership, Organisation
from patients.models import Patient

PROVIDERS = {
    "Heathside Hospice at Home": (
        "020 7946 0901",
        [(Service.HOSPICE_AT_HOME, 3), (Service.NIGHT_SITTING, 2)],
    ),
    "Camden and Islington Home Care": (
        "020 7946 0902",
        [(Service.PERSONAL_CARE, 3), (Service.FAST_TRACK_CHC, 2)],
    ),
    "North London Community Equipment": (
        "020 7946 0903",
        [(Service.EQUIPMENT, 5), (Service.RAPID_RESPONSE, 2)],
    ),
}


def _ipos(*scores: tuple[int, int]) -> list[int | None]:
    """All 17 items 1 (slightly), except those given as (item number, score)."""
    values: list[int | None] = [1] * 17
    for item, score in scores:
        values[item - 1] = score
    return values


@dataclass(frozen=True)
class Story:
    hours_ago: int
    services: tuple[Service, ...]
    reason: str
    needs: Needs
    # What the centre did: "triage", then places as (service, final status).
    triaged: bool = False
    places: tuple[tuple[Service, AllocationStatus], ...] = field(default=())


STORIES = [
    Story(
        3,
        (Service.HOSPICE_AT_HOME, Service.NIGHT_SITTING),
        "Last days of life at home; family exhausted overnight.",
        Needs(Phase.DYING, 10, _ipos((1, 3), (2, 4), (12, 3)), Carer.STRUGGLING),
        triaged=True,
        places=((Service.NIGHT_SITTING, AllocationStatus.ACCEPTED),),
    ),
    Story(
        30,
        (Service.RAPID_RESPONSE,),
        "New severe pain, not controlled by the anticipatory medicines.",
        Needs(Phase.UNSTABLE, 30, _ipos((1, 4), (11, 3)), Carer.COPING),
        triaged=True,
    ),
    Story(
        48,
        (Service.PERSONAL_CARE,),
        "Needs help washing and dressing since last week.",
        Needs(Phase.DETERIORATING, 40, _ipos((3, 3), (10, 3)), Carer.COPING),
    ),
    Story(
        12 * 24,
        (Service.EQUIPMENT,),
        "Asks for a riser-recliner chair and a commode.",
        Needs(Phase.STABLE, 60, _ipos((10, 2)), Carer.LIVES_ALONE),
        triaged=True,
    ),
    Story(
        5,
        (Service.NIGHT_SITTING,),
        "Wife has not slept for three nights and says she cannot go on.",
        Needs(Phase.DETERIORATING, 30, _ipos((12, 4)), Carer.BREAKDOWN),
    ),
    Story(
        24,
        (Service.PERSONAL_CARE,),
        "Morning call for personal care while his daughter is away.",
        Needs(Phase.STABLE, 70, _ipos(), Carer.COPING),
        triaged=True,
        places=((Service.PERSONAL_CARE, AllocationStatus.ACCEPTED),),
    ),
    Story(
        6 * 24,
        (Service.NIGHT_SITTING,),
        "Respite nights for her husband, who is her carer.",
        Needs(Phase.STABLE, 50, _ipos((11, 2)), Carer.COPING),
        triaged=True,
        places=((Service.NIGHT_SITTING, AllocationStatus.DELIVERED),),
    ),
    Story(
        4 * 24,
        (Service.HOSPICE_AT_HOME,),
        "More breathless; would like to stay at home.",
        Needs(Phase.DETERIORATING, 50, _ipos((2, 3), (3, 3)), Carer.STRUGGLING),
        triaged=True,
    ),
    Story(
        20,
        (Service.SPECIALIST_REVIEW,),
        "Review of symptoms before the next GP visit; not yet assessed in full.",
        Needs(Phase.STABLE, None, [None] * 17, Carer.COPING),
    ),
    Story(
        10,
        (Service.FAST_TRACK_CHC,),
        "Rapidly deteriorating; fast track continuing healthcare certified today.",
        Needs(Phase.UNSTABLE, 20, _ipos((3, 3), (6, 3)), Carer.STRUGGLING),
        triaged=True,
        places=((Service.FAST_TRACK_CHC, AllocationStatus.OFFERED),),
    ),
    Story(
        22,
        (Service.PERSONAL_CARE,),
        "Lives alone; struggling with meals and medicines.",
        Needs(Phase.DETERIORATING, 40, _ipos((6, 2)), Carer.LIVES_ALONE),
    ),
    Story(
        3 * 24,
        (Service.EQUIPMENT,),
        "Pressure-relieving mattress.",
        Needs(Phase.STABLE, 80, _ipos(), Carer.COPING),
    ),
]


def load_referrals(
    *, referrer: Membership, coordinator: Membership, patients: list[Patient]
) -> None:
    centre_region = coordinator.organisation.region
    if Referral.objects.filter(centre__region=centre_region).exists():
        return
    slots = _providers(coordinator.organisation)
    now = timezone.now()
    for story, patient in zip(STORIES, patients, strict=False):
        with time_machine.travel(now - dt.timedelta(hours=story.hours_ago), tick=True):
            referral = services.referral_create(
                actor=referrer,
                patient=patient,
                services=[s.value for s in story.services],
                reason=story.reason,
                urgency="24h" if story.hours_ago < 24 else "3d",
                needs=story.needs,
            )
        later = now - dt.timedelta(hours=story.hours_ago) + dt.timedelta(minutes=40)
        with time_machine.travel(min(later, now), tick=True):
            if story.triaged:
                services.referral_triage(actor=coordinator, referral=referral)
            for service, status in story.places:
                allocation = services.allocation_offer(
                    actor=coordinator, referral=referral, slot=slots[service]
                )
                steps = {
                    AllocationStatus.OFFERED: [],
                    AllocationStatus.ACCEPTED: [AllocationStatus.ACCEPTED],
                    AllocationStatus.DELIVERED: [
                        AllocationStatus.ACCEPTED,
                        AllocationStatus.DELIVERED,
                    ],
                }[status]
                for step in steps:
                    allocation = services.allocation_update(
                        actor=coordinator, allocation=allocation, status=step
                    )


def _providers(centre: Organisation) -> dict[str, CapacitySlot]:
    today = timezone.localdate()
    slots: dict[str, CapacitySlot] = {}
    for name, (phone, offered) in PROVIDERS.items():
        provider = Provider.objects.create(region=centre.region, name=name, phone=phone)
        for service, capacity in offered:
            slots[service] = CapacitySlot.objects.create(
                provider=provider,
                service=service,
                starts_on=today - dt.timedelta(days=14),
                ends_on=today + dt.timedelta(days=28),
                capacity=capacity,
            )
    return slots
