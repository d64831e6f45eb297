"""The priority rule on its own: pure, versioned, explainable (issue 9's acceptance)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordination.priority import (
    AKPS_VALUES,
    IPOS_ITEMS,
    RULE_VERSION,
    Band,
    Carer,
    Needs,
    Phase,
    need,
    sort_key,
)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
TARGETS = {Band.RED: 24 * HOUR, Band.AMBER: 3 * DAY, Band.GREEN: 10 * DAY}

needs_strategy = st.builds(
    Needs,
    phase=st.none() | st.sampled_from(list(Phase)),
    akps=st.none() | st.sampled_from(AKPS_VALUES),
    ipos=st.lists(st.none() | st.integers(0, 4), min_size=17, max_size=17),
    carer=st.none() | st.sampled_from(list(Carer)),
)


def _key(needs: Needs, waited: dt.timedelta) -> int:
    priority = need(needs)
    return sort_key(priority.band, priority.score, waited, TARGETS[priority.band]).value


def test_the_issue_s_example_shows_every_term() -> None:
    priority = need(Needs(Phase.UNSTABLE, 30, [0] * 17, Carer.COPING))
    key = sort_key(priority.band, priority.score, 6 * HOUR, 24 * HOUR)
    shown = [str(term) for term in (*priority.terms, key.ageing)]
    assert shown == ["Unstable +30", "AKPS 30 +10", "waited 6 h of 24 h +25"]
    assert (priority.score, priority.band, key.value) == (40, Band.RED, 200 + 40 + 25)


def test_every_weight_of_the_rule() -> None:
    everything = need(Needs(Phase.DYING, 20, [4] + [2] * 16, Carer.BREAKDOWN))
    assert [(t.label, t.points) for t in everything.terms] == [
        ("Dying", 40),
        ("AKPS 20", 15),
        ("an IPOS item scored 4", 10),
        ("IPOS total 36 of 68", 8),  # round(15 x 36 / 68) = round(7.94)
        ("Carer breakdown", 15),
    ]
    assert everything.score == 88
    assert [t.points for t in need(Needs(akps=40)).terms] == [10]
    assert [t.points for t in need(Needs(akps=60)).terms] == [5]
    assert need(Needs(akps=70)).terms == ()
    assert [t.points for t in need(Needs(carer=Carer.STRUGGLING)).terms] == [8]
    assert [t.points for t in need(Needs(carer=Carer.LIVES_ALONE)).terms] == [10]
    assert [t.points for t in need(Needs(ipos=[3] + [0] * 16)).terms] == [5, 1]


def test_bands() -> None:
    assert need(Needs(Phase.DETERIORATING, 40, [2] * 17, Carer.COPING)).band == Band.AMBER
    assert need(Needs(Phase.STABLE, 80, [1] * 17, Carer.COPING)).band == Band.GREEN
    # 60 or more is Red whatever the reason: deteriorating 20 + AKPS 10 15 + IPOS 3 5
    # + round(15 x 51 / 68) 11 + lives alone 10 = 61.
    high = need(Needs(Phase.DETERIORATING, 10, [3] * 17, Carer.LIVES_ALONE))
    assert (high.score, high.band) == (61, Band.RED)
    assert high.red_because == ("score 61 of 60 or more",)


def test_an_earlier_stable_referral_ranks_below_a_later_unstable_one() -> None:
    stable = Needs(Phase.STABLE, 50, [2] * 17, Carer.STRUGGLING)
    unstable = Needs(Phase.UNSTABLE, 70, [1] * 17, Carer.COPING)
    # The stable one has waited two days longer.
    assert _key(unstable, HOUR) > _key(stable, 2 * DAY + HOUR)


@given(needs=needs_strategy)
def test_dying_an_ipos_item_of_4_or_carer_breakdown_always_gives_red(needs: Needs) -> None:
    for red in (
        Needs(Phase.DYING, needs.akps, needs.ipos, needs.carer),
        Needs(needs.phase, needs.akps, [4, *needs.ipos[1:]], needs.carer),
        Needs(needs.phase, needs.akps, needs.ipos, Carer.BREAKDOWN),
    ):
        assert need(red).band == Band.RED


@given(
    green=needs_strategy.filter(lambda n: need(n).band == Band.GREEN),
    red=needs_strategy.filter(lambda n: need(n).band == Band.RED),
    waited=st.integers(0, 1000).map(lambda days: days * DAY),
)
def test_a_green_never_passes_a_fresh_red_however_long_it_waits(
    green: Needs, red: Needs, waited: dt.timedelta
) -> None:
    assert _key(green, waited) < _key(red, dt.timedelta(0))


def test_a_green_waiting_twice_its_target_outranks_a_fresh_amber_of_equal_score() -> None:
    green = need(Needs(Phase.STABLE, 50, [2] * 17, Carer.STRUGGLING))
    assert green.band == Band.GREEN
    twice = sort_key(Band.GREEN, green.score, 2 * TARGETS[Band.GREEN], TARGETS[Band.GREEN])
    # The same score moved to Amber (a clinical lead's override), fresh:
    amber = sort_key(Band.AMBER, green.score, dt.timedelta(0), TARGETS[Band.AMBER])
    assert twice.value > amber.value
    # And the lowest Amber score, one more than the highest Green:
    lowest_amber = sort_key(Band.AMBER, 35, dt.timedelta(0), TARGETS[Band.AMBER])
    highest_green = sort_key(Band.GREEN, 34, 2 * TARGETS[Band.GREEN], TARGETS[Band.GREEN])
    assert highest_green.value > lowest_amber.value
    fresh_red = sort_key(Band.RED, 0, dt.timedelta(0), TARGETS[Band.RED])
    assert highest_green.value < fresh_red.value


def test_ageing_is_capped() -> None:
    key = sort_key(Band.GREEN, 10, 100 * DAY, 10 * DAY)
    assert key.ageing.points == 150
    assert key.breached


@given(needs=needs_strategy)
def test_the_terms_always_sum_to_the_score_and_the_same_inputs_give_the_same_score(
    needs: Needs,
) -> None:
    first = need(needs, RULE_VERSION)
    assert sum(term.points for term in first.terms) == first.score
    assert need(needs, RULE_VERSION) == first
    assert all(term.points > 0 for term in first.terms)


def test_missing_items_are_flagged_never_scored_as_0() -> None:
    nothing = need(Needs())
    assert nothing.missing == ("Phase of illness", "AKPS", "IPOS", "Carer situation")
    assert nothing.terms == ()
    # Ten items answered 3 each are scaled as if all 17 were: not as if 7 were 0.
    partial = need(Needs(ipos=[3] * 10 + [None] * 7))
    full = need(Needs(ipos=[3] * 17))
    assert partial.score == full.score
    assert "IPOS: 7 of 17 items" in partial.missing
    assert partial.terms[-1].label == "IPOS 30 over 10 items, scaled to 68"
    # Fewer than 9 items do not stand for the scale: no total, flagged; a 4 still counts.
    few = need(Needs(ipos=[4] + [None] * 16))
    assert [str(t) for t in few.terms] == ["an IPOS item scored 4 +10"]
    assert "IPOS total: only 1 of 17 items" in few.missing


@pytest.mark.parametrize(
    ("needs", "field", "message"),
    [
        (Needs(akps=35), "akps", "multiple of 10"),
        (Needs(akps=110), "akps", "multiple of 10"),
        (Needs(ipos=[5] + [0] * 16), "ipos_1", "Pain: score from 0 to 4"),
        (Needs(ipos=[0] * 16 + [-1]), "ipos_17", "score from 0 to 4"),
        (Needs(ipos=[0] * 16), "ipos", f"{len(IPOS_ITEMS)} items"),
    ],
)
def test_values_off_the_scales_are_refused(needs: Needs, field: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        need(needs)
    assert field in refused.value.args[0]
