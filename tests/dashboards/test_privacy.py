"""Small-cell suppression on hand-written frames."""

import polars as pl

from pipelines.dashboards.privacy import (SUPPRESSED_LABEL, complementary_suppression, is_small, suppress_counts,
                                          suppress_derived)


def test_counts_from_1_to_10_are_nulled_and_labelled_zero_and_11_are_shown():
    frame = suppress_counts(pl.DataFrame({"cell": ["a", "b", "c", "d", "e"], "n": [0, 1, 10, 11, 12345]}), ["n"])
    assert frame["n"].to_list() == [0, None, None, 11, 12345]
    assert frame["n_label"].to_list() == ["0", SUPPRESSED_LABEL, SUPPRESSED_LABEL, "11", "12,345"]
    assert [is_small(v) for v in (None, 0, 1, 10, 11)] == [False, False, True, True, False]


def test_a_rate_goes_with_its_counts():
    frame = pl.DataFrame({
        "numerator": [5, 20, 0, 40, 12],
        "denominator": [50, 10, 40, 80, 0],
        "rate": [0.1, 2.0, 0.0, 0.5, None],
    })
    out = suppress_derived(frame, {"rate": "percent"}, counts=["numerator", "denominator"], denominator="denominator")
    # 5/50: numerator small; 20/10: denominator small; 0/40 shown (zero identifies nobody); 40/80 shown;
    # 12/0: a rate over nobody is not shown.
    assert out["rate"].to_list() == [None, None, 0.0, 0.5, None]
    assert out["rate_label"].to_list() == [SUPPRESSED_LABEL, SUPPRESSED_LABEL, "0.0%", "50.0%", SUPPRESSED_LABEL]
    assert out["numerator"].to_list() == [None, 20, 0, 40, 12]
    assert out["denominator"].to_list() == [50, None, 40, 80, 0]


def test_money_and_ratio_labels():
    frame = pl.DataFrame({"members": [11, 3], "pmpm": [123.456, 99.0], "oe": [1.234, 0.5]})
    out = suppress_derived(frame, {"pmpm": "money", "oe": "ratio"}, counts=["members"], denominator="members")
    assert out["pmpm_label"].to_list() == ["$123.46", SUPPRESSED_LABEL]
    assert out["oe_label"].to_list() == ["1.23", SUPPRESSED_LABEL]
    assert out["pmpm"].to_list() == [123.456, None]


def test_a_lone_suppressed_cell_takes_the_next_smallest_with_it():
    frame = suppress_counts(pl.DataFrame({
        "measure": ["A", "A", "A", "A", "B", "B", "B", "C", "C"],
        "pcp": ["p1", "p2", "p3", "p4", "p1", "p2", "p3", "p1", "p2"],
        "gaps": [4, 0, 30, 15, 3, 5, 40, 20, 25],
    }), ["gaps"])
    out = complementary_suppression(frame, "gaps", ["measure"])
    # A: 4 is alone; zero is no cover, so 15 goes too. B: two cells already hidden. C: nothing hidden.
    assert out["gaps"].to_list() == [None, 0, 30, None, None, None, 40, 20, 25]
    assert out["gaps_label"].to_list()[3] == SUPPRESSED_LABEL
