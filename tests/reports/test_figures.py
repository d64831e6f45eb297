"""Small numbers, hidden: primary (1 to 4), complements in a row, a second cell in a column."""

from __future__ import annotations

from reports.figures import make_row, suppress


def test_nothing_is_hidden_when_every_count_is_0_or_at_least_5() -> None:
    rows = [make_row("a", "A", 20, 15, 10, 5), make_row("b", "B", 10, 5, 0, 5)]
    total = make_row("total", "All", 30, 20, 10, 10)
    suppress(rows, total)
    assert [r.hidden for r in (*rows, total)] == [set(), set(), set()]
    assert rows[0].shown("pct_achieved") == "67%"
    assert rows[1].shown("pct_achieved") == "0%"


def test_a_small_count_hides_its_complement_and_a_second_cell_of_its_column() -> None:
    rows = [make_row("a", "A", 30, 20, 17, 6), make_row("b", "B", 25, 20, 10, 5)]
    total = make_row("total", "All", 55, 40, 27, 11)
    suppress(rows, total)
    # A: 3 died elsewhere (hidden), so 17 who died where they wished is hidden too.
    assert rows[0].hidden == {"not_achieved", "achieved"}
    # B's cells in those columns are hidden, or A's would follow from the total.
    assert rows[1].hidden == {"not_achieved", "achieved"}
    assert total.hidden == set()
    assert rows[0].shown("pct_achieved") == "*"
    assert total.shown("pct_achieved") == "68%"


def test_a_hidden_whole_hides_one_of_its_parts() -> None:
    row = make_row("a", "A", 12, 9, 6, 0)  # 3 with no preferred place: hidden
    total = make_row("total", "All", 12, 9, 6, 0)
    suppress([row], total)
    assert {"no_ppd", "with_ppd"} <= row.hidden
    # 9 is hidden, so 6 + 3 must not both show.
    assert row.hidden & {"achieved", "not_achieved"}


def test_a_rate_of_nobody_is_not_applicable() -> None:
    row = make_row("a", "A", 6, 0, 0, 0)
    suppress([row], make_row("total", "All", 6, 0, 0, 0))
    assert row.shown("pct_achieved") == "n/a"
