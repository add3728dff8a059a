"""Layout geometry: cell size, and the visible pieces of a connector."""

import pytest

from convanim.layout import auto_cell, visible_parts


def test_visible_parts_cuts_out_covering_boxes():
    # A horizontal segment from x=0 to x=10 behind boxes [2, 4] and [6, 7].
    parts = visible_parts((0, 5), (10, 5), [(2, 0, 4, 10), (6, 0, 7, 10)])
    assert parts == [((0, 5), (2, 5)), ((4, 5), (6, 5)), ((7, 5), (10, 5))]


def test_visible_parts_of_a_diagonal_and_of_a_miss():
    parts = visible_parts((0, 0), (10, 10), [(0, 0, 5, 5)])
    assert parts == [((5, 5), (10, 10))]
    assert visible_parts((0, 0), (10, 0), [(0, 1, 10, 2)]) == [((0, 0), (10, 0))]
    assert visible_parts((0, 0), (10, 0), [(-1, -1, 11, 1)]) == []


@pytest.mark.parametrize(
    ("image", "kernel", "output", "cell"),
    [((10, 10), (3, 3), (8, 8), 35), ((34, 34), (3, 3), (32, 32), 12), ((3, 3), (3, 3), (1, 1), 48)],
)
def test_auto_cell_targets_900_px_within_bounds(image, kernel, output, cell):
    assert auto_cell(image, kernel, output) == cell
