"""Small safety counts are hidden, and so is any total that would give one back."""

import pytest

from houseboat.reports import suppression


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_counts_from_one_to_four_read_fewer_than_five(count):
    assert suppression.cell(count) == "fewer than 5"


@pytest.mark.parametrize("count", [0, 5, 6, 120])
def test_zero_and_five_or_more_are_shown_as_they_are(count):
    assert suppression.cell(count) == count


def test_a_total_over_a_hidden_count_is_withheld_so_it_cannot_be_subtracted_back():
    shown = suppression.group([("threat", 10), ("slur", 3), ("doxxing", 0)])
    assert shown.rows == [("threat", 10), ("slur", "fewer than 5"), ("doxxing", 0)]
    # 13 - 10 - 0 would give the 3 back.
    assert shown.total == "not shown (it would reveal a small count)"
    assert 13 not in [value for _label, value in shown.rows]


def test_a_total_over_counts_none_hidden_is_shown():
    assert suppression.group([("threat", 10), ("slur", 0), ("doxxing", 7)]).total == 17


def test_a_given_total_is_used_when_the_counts_overlap():
    # An alert of two kinds counts under both: the total is counted on its own.
    assert suppression.group([("threat", 6), ("doxxing", 6)], total=8).total == 8


def test_a_small_total_is_hidden_even_when_its_parts_are_zero():
    assert suppression.group([("threat", 0)], total=2).total == "fewer than 5"
