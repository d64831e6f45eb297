"""Referrals through the services: ranking by need on a frozen UTC clock, assessments kept,
overrides, allocation by capacity and in queue order, closing, death; bad input refused
with nothing saved; every action audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AccessEvent, Action
from careplans.models import Death
from coordination import selectors, services
from coordination.models import (
    Allocation,
    AllocationStatus,
    AppendOnlyError,
    CapacitySlot,
    NeedsAssessment,
    PriorityOverride,
    Referral,
    Service,
    ServiceTarget,
    Status,
)
from coordination.priority import Band, Carer, Needs, Phase
from deaths.services import DeathDetails, death_record
from organisations.models import Membership
from patients.models import Patient
from tests.conftest import Place
from tests.coordination.conftest import STABLE, UNSTABLE, refer
from tests.factories import make_patient

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _actions(action: Action) -> int:
    return AccessEvent.objects.filter(action=action).count()


def test_a_referral_goes_to_the_region_s_centre_ranked_by_the_referrer_s_assessment(
    place: Place, their_gp: Membership, patient: Patient
) -> None:
    referral = refer(their_gp, patient, UNSTABLE)
    assert referral.centre == place.coordination
    assert referral.status == Status.RECEIVED
    assessment = referral.latest_assessment
    assert assessment is not None
    assert (assessment.band, assessment.score, assessment.rule_version) == ("red", 56, "2026.1")
    assert sum(points for _, points in assessment.terms) == assessment.score
    assert _actions(Action.REFER) == 1


def test_an_earlier_stable_referral_ranks_below_a_later_unstable_one_on_a_frozen_clock(
    clock: time_machine.Traveller,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
) -> None:
    stable = refer(their_gp, patient, STABLE)
    clock.shift(30 * HOUR)
    unstable = refer(their_gp, other_patient, UNSTABLE)
    clock.shift(HOUR)
    assert [row.referral for row in selectors.queue(coordinator)] == [unstable, stable]


def test_a_new_assessment_re_ranks_and_the_history_is_kept(
    clock: time_machine.Traveller,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
) -> None:
    first = refer(their_gp, patient, Needs(Phase.DETERIORATING, 50, [2] * 17, Carer.COPING))
    second = refer(their_gp, other_patient, Needs(Phase.DETERIORATING, 40, [2] * 17, Carer.COPING))
    assert [row.referral for row in selectors.queue(coordinator)] == [second, first]
    services.assessment_record(
        actor=coordinator, referral=first, needs=Needs(Phase.DYING, 20, [3] * 17, Carer.STRUGGLING)
    )
    assert [row.referral for row in selectors.queue(coordinator)] == [first, second]
    assert first.assessments.count() == 2
    assert [a.band for a in first.assessments.all()] == ["red", "green"]
    assert _actions(Action.ASSESS_NEEDS) == 1


def test_an_assessment_is_never_changed_or_removed(referral: Referral) -> None:
    assessment = referral.assessments.get()
    assessment.score = 99
    with pytest.raises(AppendOnlyError):
        assessment.save()
    with pytest.raises(AppendOnlyError):
        assessment.delete()
    assert NeedsAssessment.objects.get().score == referral.score


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"services": []}, "services"),
        ({"services": ["massage"]}, "services"),
        ({"reason": "  "}, "reason"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"needs": Needs(akps=35)}, "akps"),
        ({"needs": Needs(ipos=[5] + [0] * 16)}, "ipos_1"),
    ],
)
def test_bad_referrals_are_refused_with_nothing_saved(
    their_gp: Membership, patient: Patient, changes: dict[str, object], field: str
) -> None:
    details: dict[str, object] = {
        "services": [Service.NIGHT_SITTING],
        "reason": "Carer exhausted",
        "urgency": "24h",
        "needs": STABLE,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.referral_create(actor=their_gp, patient=patient, **details)  # type: ignore[arg-type]
    assert field in refused.value.message_dict
    assert not Referral.objects.exists()
    assert not NeedsAssessment.objects.exists()


def test_only_the_care_team_refers(
    outsider_clinician: Membership, coordinator: Membership, patient: Patient
) -> None:
    for actor in (outsider_clinician, coordinator):
        with pytest.raises(PermissionDenied):
            refer(actor, patient)
    assert not Referral.objects.exists()


def test_a_person_who_has_died_is_not_referred(their_gp: Membership, patient: Patient) -> None:
    death_record(
        actor=their_gp,
        patient=patient,
        details=DeathDetails(timezone.localdate() - dt.timedelta(days=1), "876879006"),
    )
    with pytest.raises(ValidationError, match="has died"):
        refer(their_gp, patient)


def test_triage_makes_the_coordinator_the_case_manager_once(
    referral: Referral, coordinator: Membership
) -> None:
    services.referral_triage(actor=coordinator, referral=referral)
    referral.refresh_from_db()
    assert (referral.status, referral.case_manager) == (Status.TRIAGED, coordinator)
    with pytest.raises(ValidationError, match="already"):
        services.referral_triage(actor=coordinator, referral=referral)
    assert _actions(Action.TRIAGE) == 1


def test_a_clinical_lead_overrides_the_band_with_a_reason_and_the_score_is_kept(
    referral: Referral, lead: Membership, coordinator: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.priority_override(
            actor=coordinator, referral=referral, band="red", reason="Family in crisis"
        )
    with pytest.raises(ValidationError) as no_reason:
        services.priority_override(actor=lead, referral=referral, band="red", reason=" ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as no_band:
        services.priority_override(actor=lead, referral=referral, band="purple", reason="x")
    assert "band" in no_band.value.message_dict
    assert not PriorityOverride.objects.exists()
    services.priority_override(actor=lead, referral=referral, band="red", reason="Family in crisis")
    referral.refresh_from_db()
    override = PriorityOverride.objects.get()
    assert referral.effective_band == Band.RED
    assert (override.computed_band, override.computed_score) == ("green", referral.score)
    assert referral.assessment.band == "green"
    assert AccessEvent.objects.get(action=Action.PRIORITY_OVERRIDE).reason == "Family in crisis"
    # A new assessment ends the override: it was of the assessment before.
    services.assessment_record(actor=lead, referral=referral, needs=STABLE)
    referral.refresh_from_db()
    assert referral.effective_band == Band.GREEN


def test_a_place_beyond_the_slot_s_capacity_is_refused(
    place: Place,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
    slot: CapacitySlot,
) -> None:
    third_patient = make_patient(registered_by=their_gp, practice=place.practice)
    referrals = [refer(their_gp, p) for p in (patient, other_patient, third_patient)]
    for referral in referrals[:2]:
        services.allocation_offer(actor=coordinator, referral=referral, slot=slot)
    with pytest.raises(ValidationError, match="full"):
        services.allocation_offer(actor=coordinator, referral=referrals[2], slot=slot)
    assert Allocation.objects.count() == 2
    assert not referrals[2].allocations.exists()
    assert _actions(Action.ALLOCATE) == 2


def _propose(coordinator: Membership) -> list[Allocation]:
    """Offer what the coordinator was shown."""
    plan = selectors.proposals(coordinator)
    return services.allocations_propose(
        actor=coordinator, confirming=selectors.proposals_fingerprint(plan)
    )


def test_free_places_fill_in_queue_order(
    clock: time_machine.Traveller,
    place: Place,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
    slot: CapacitySlot,
) -> None:
    third_patient = make_patient(registered_by=their_gp, practice=place.practice)
    first = refer(their_gp, patient, STABLE)
    clock.shift(HOUR)
    second = refer(their_gp, other_patient, Needs(Phase.DETERIORATING, 40, [2] * 17))
    clock.shift(HOUR)
    third = refer(their_gp, third_patient, UNSTABLE)
    offered = _propose(coordinator)
    assert [a.referral for a in offered] == [third, second]
    assert not first.allocations.exists()


def test_the_provider_s_answers_move_the_referral_and_only_a_lead_withdraws_care(
    referral: Referral, coordinator: Membership, lead: Membership, slot: CapacitySlot
) -> None:
    allocation = services.allocation_offer(actor=coordinator, referral=referral, slot=slot)
    with pytest.raises(ValidationError) as skipped:
        services.allocation_update(actor=coordinator, allocation=allocation, status="delivered")
    assert "cannot become" in skipped.value.message_dict["status"][0]
    services.allocation_update(actor=coordinator, allocation=allocation, status="accepted")
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED
    services.allocation_update(actor=coordinator, allocation=allocation, status="delivered")
    referral.refresh_from_db()
    assert referral.status == Status.ACTIVE
    with pytest.raises(PermissionDenied):
        services.allocation_update(
            actor=coordinator, allocation=allocation, status="cancelled", note="Needed elsewhere"
        )
    with pytest.raises(ValidationError) as no_reason:
        services.allocation_update(actor=lead, allocation=allocation, status="cancelled")
    assert "note" in no_reason.value.message_dict
    services.allocation_update(
        actor=lead, allocation=allocation, status="cancelled", note="A dying patient needs it"
    )
    referral.refresh_from_db()
    assert referral.status == Status.TRIAGED
    assert Allocation.objects.get().status == AllocationStatus.CANCELLED
    assert _actions(Action.ALLOCATION_UPDATE) == 3


def test_a_recorded_death_closes_the_referral_and_cancels_its_places(
    their_gp: Membership,
    patient: Patient,
    referral: Referral,
    coordinator: Membership,
    slot: CapacitySlot,
) -> None:
    allocation = services.allocation_offer(actor=coordinator, referral=referral, slot=slot)
    services.allocation_update(actor=coordinator, allocation=allocation, status="accepted")
    death_record(
        actor=their_gp,
        patient=patient,
        details=DeathDetails(timezone.localdate() - dt.timedelta(days=1), "876879006"),
    )
    referral.refresh_from_db()
    assert (referral.status, referral.is_open) == (Status.DIED, False)
    assert Allocation.objects.get().status == AllocationStatus.CANCELLED
    assert selectors.queue(coordinator) == []
    assert _actions(Action.REFERRAL_CLOSE) == 1


def test_a_death_is_recorded_with_its_referrals_closed_or_not_at_all(
    their_gp: Membership, patient: Patient, referral: Referral, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction, no signal: if the referrals cannot be closed, the death is not
    recorded either, so no open referral is left for a person recorded as dead."""

    def fails(**kwargs: object) -> int:
        raise RuntimeError("the co-ordination centre's tables are locked")

    monkeypatch.setattr("deaths.services.referrals_close_on_death", fails)
    with pytest.raises(RuntimeError):
        death_record(
            actor=their_gp,
            patient=patient,
            details=DeathDetails(timezone.localdate(), "876879006"),
        )
    patient.refresh_from_db()
    referral.refresh_from_db()
    assert patient.date_of_death is None
    assert not Death.objects.filter(patient=patient).exists()
    assert referral.is_open
    assert _actions(Action.DEATH_RECORD) == 0


def test_closing_needs_a_reason_and_a_lead_when_care_is_under_way(
    referral: Referral, coordinator: Membership, lead: Membership, slot: CapacitySlot
) -> None:
    allocation = services.allocation_offer(actor=coordinator, referral=referral, slot=slot)
    services.allocation_update(actor=coordinator, allocation=allocation, status="accepted")
    with pytest.raises(ValidationError) as no_note:
        services.referral_close(actor=coordinator, referral=referral, note="")
    assert "note" in no_note.value.message_dict
    with pytest.raises(ValidationError, match="clinical lead"):
        services.referral_close(actor=coordinator, referral=referral, note="Not needed")
    services.referral_close(actor=lead, referral=referral, note="Moved to a hospice bed")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        services.assessment_record(actor=lead, referral=referral, needs=STABLE)


def test_a_coordinator_of_another_region_can_do_nothing(
    referral: Referral, other_region_coordinator: Membership, slot: CapacitySlot
) -> None:
    actor = other_region_coordinator
    for attempt in (
        lambda: services.assessment_record(actor=actor, referral=referral, needs=UNSTABLE),
        lambda: services.referral_triage(actor=actor, referral=referral),
        lambda: services.priority_override(actor=actor, referral=referral, band="red", reason="x"),
        lambda: services.allocation_offer(actor=actor, referral=referral, slot=slot),
        lambda: services.referral_close(actor=actor, referral=referral, note="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert selectors.queue(actor) == []
    assert referral.assessments.count() == 1
    assert not Allocation.objects.exists()


def test_equal_keys_go_to_the_earlier_referral(
    clock: time_machine.Traveller,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
) -> None:
    # Green 9 that has waited 24 h of 240 (+10) against a fresh Green 19: both 19.
    earlier = refer(their_gp, patient, Needs(Phase.STABLE, 70, [1] * 17, Carer.COPING))
    clock.shift(24 * HOUR)
    later = refer(their_gp, other_patient, Needs(Phase.STABLE, 70, [1] * 17, Carer.LIVES_ALONE))
    rows = selectors.queue(coordinator)
    assert [row.key.value for row in rows] == [19, 19]
    assert [row.referral for row in rows] == [earlier, later]


def test_a_referral_for_two_services_is_offered_a_place_for_each(
    place: Place,
    their_gp: Membership,
    patient: Patient,
    coordinator: Membership,
    slot: CapacitySlot,
) -> None:
    other = CapacitySlot.objects.create(
        provider=slot.provider,
        service=Service.HOSPICE_AT_HOME,
        starts_on=slot.starts_on,
        ends_on=slot.ends_on,
        capacity=1,
    )
    referral = refer(their_gp, patient, UNSTABLE, (Service.NIGHT_SITTING, Service.HOSPICE_AT_HOME))
    services.allocation_offer(actor=coordinator, referral=referral, slot=slot)
    [row] = selectors.queue(coordinator)
    assert (row.partly_placed, row.unplaced) == (True, ["hospice_at_home"])
    [offered] = _propose(coordinator)
    assert offered.slot == other


def test_targets_per_band_and_service_are_the_centre_s_own_when_set(
    clock: time_machine.Traveller, place: Place, referral: Referral, coordinator: Membership
) -> None:
    clock.shift(5 * 24 * HOUR)
    [row] = selectors.queue(coordinator)
    assert (row.key.ageing.label, row.key.ageing.points) == ("waited 5 days of 10 days", 50)
    ServiceTarget.objects.create(
        centre=place.coordination, service=Service.NIGHT_SITTING, band="green", hours=96
    )
    [row] = selectors.queue(coordinator)
    assert (row.key.ageing.points, row.key.breached) == (125, True)


def test_the_dashboard_counts_places_within_target_and_alerts_on_an_unplaced_red(
    clock: time_machine.Traveller,
    place: Place,
    their_gp: Membership,
    patient: Patient,
    other_patient: Patient,
    coordinator: Membership,
    slot: CapacitySlot,
) -> None:
    slot.capacity = 1
    slot.save()
    green = refer(their_gp, patient, Needs(Phase.STABLE, 70, [1] * 17, Carer.COPING))
    allocation = services.allocation_offer(actor=coordinator, referral=green, slot=slot)
    services.allocation_update(actor=coordinator, allocation=allocation, status="accepted")
    clock.shift(HOUR)
    red = refer(their_gp, other_patient, UNSTABLE)
    clock.shift(30 * HOUR)
    board = selectors.dashboard(coordinator)
    figures = {f.band: (f.within, f.counted, f.waiting) for f in board.figures}
    assert figures == {Band.RED: (0, 1, 0), Band.AMBER: (0, 0, 0), Band.GREEN: (1, 1, 0)}
    assert [row.referral for row in board.breaches] == [red]
    [alert] = board.alerts
    assert alert.row.referral == red
    assert alert.services == ["Night sitting"]
    assert [a.referral for a in alert.releasable] == [green]
    # Proposed, never withdrawn: the green's place still holds.
    assert Allocation.objects.get().status == AllocationStatus.ACCEPTED


def test_the_clinical_lead_sets_the_centre_s_targets(
    place: Place, lead: Membership, case_manager: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.targets_set(actor=case_manager, hours={("night_sitting", "red"): 12})
    with pytest.raises(ValidationError) as bad:
        services.targets_set(actor=lead, hours={("night_sitting", "red"): 0})
    assert "night_sitting_red" in bad.value.message_dict
    assert not ServiceTarget.objects.exists()
    assert services.targets_set(actor=lead, hours={("night_sitting", "red"): 12}) == 1
    assert selectors.centre_targets(lead)[("night_sitting", "red")] == 12
    # Back to the default: no target of the centre's own.
    services.targets_set(actor=lead, hours={("night_sitting", "red"): 24})
    assert not ServiceTarget.objects.exists()
    events = AccessEvent.objects.filter(action=Action.TARGETS_SET).order_by("occurred_at", "pk")
    assert [e.detail["changes"] for e in events] == [
        [["night_sitting", "red", 24, 12]],
        [["night_sitting", "red", 12, 24]],
    ]
