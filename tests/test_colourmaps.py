"""The default colormaps' tables equal matplotlib's colours at every level."""

import numpy as np
import pytest

from convanim.colourmaps import TABLES, table
from convanim.style import LEVELS, ColourScale


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_equal_matplotlib(name):
    import matplotlib
    from matplotlib.colors import to_hex

    expected = [to_hex(c) for c in matplotlib.colormaps[name](np.arange(LEVELS) / (LEVELS - 1))]
    assert table(name) == expected


def test_scale_uses_the_table_and_other_colormaps_still_work():
    values = np.array([0.0, 0.5, 1.0])
    assert ColourScale("gray", 0, 1)(values) == ["#000000", "#828282", "#ffffff"]
    assert ColourScale("viridis", 0, 1)(values) == ["#440154", "#20928c", "#fde725"]
    assert table("viridis") is None
