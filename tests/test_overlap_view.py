"""The overlap view of a transposed convolution: the heat map's counts, step by step and at the end,
its labels, text inside the picture, alt text, from_torch and the messages."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim import ScenarioError
from convanim.display import Text
from convanim.frames import build

from .helpers import ROOT
from .test_text_fits import outside


def load(name: str) -> convanim.Scenario:
    return convanim.load(ROOT / "animations" / f"{name}.toml")


def heat_numbers(frames, k: int, grid) -> np.ndarray:
    """The counts written in the heat map (right of the output) in frame ``k``; −1 where none."""
    out = np.full((grid.rows, grid.cols), -1)
    for t in frames.visible(k):
        if isinstance(t, Text) and t.text.isdigit():
            c, r = (t.x - grid.x) / grid.cell, (t.y - grid.y) / grid.cell
            if 0 <= c < grid.cols and 0 <= r < grid.rows:
                out[int(r), int(c)] = int(t.text)
    return out


def heat_grid(frames, s):
    """Where the heat map lies: as the output grid, moved right of the drawn output."""
    from convanim.frames.overlap import OverlapBuilder

    return OverlapBuilder(s, s.computations[0]).heat


def test_kernel_3_stride_2_counts_1_2_4_like_a_checkerboard():
    s = load("overlap_kernel3_stride2")
    f = build(s)
    grid = heat_grid(f, s)
    line = np.array([1, 2, 1, 2, 1, 1])
    np.testing.assert_array_equal(heat_numbers(f, len(f) - 1, grid), np.outer(line, line))
    np.testing.assert_array_equal(convanim.overlap_counts(s), np.outer(line, line))
    np.testing.assert_array_equal(s.output(), np.outer(line, line))  # ones in, ones kernel: the counts
    # after the first step (input[0,0] lands rows −1..1, cols −1..1, the first row and column cropped)
    first = heat_numbers(f, 1, grid)
    assert (first[:2, :2] == 1).all() and (first[2:, :] == -1).all() and (first[:, 2:] == -1).all()
    texts = [t.text for t in f.visible(0) if isinstance(t, Text)]
    assert "overlap: taps per cell" in texts and "1 to 4; kernel 3, stride 2: uneven" in texts
    last = [t.text for t in f.visible(len(f) - 1) if isinstance(t, Text)]
    assert "output 6×6 complete: min 1, max 4; overlap 1 to 4 taps a cell" in last
    assert f.frames[-1].readout == "done: output 6×6; overlap 1 to 4 taps a cell"


def test_kernel_4_stride_2_is_even_inside():
    s = load("overlap_kernel4_stride2")
    f = build(s)
    counts = heat_numbers(f, len(f) - 1, heat_grid(f, s))
    assert (counts[1:-1, 1:-1] == 4).all() and counts[0, 0] == 1
    assert "1 to 4; kernel 4, stride 2: even" in [t.text for t in f.visible(0) if isinstance(t, Text)]


def test_resize_then_convolve_is_even():
    out = load("overlap_resize_then_convolve").output()
    assert (out[1:-1, 1:-1] == 9).all()


def test_alt_text_tells_the_overlap():
    assert load("overlap_kernel3_stride2").alt_text.endswith(
        "Beside it, a heat map counts the kernel taps landing on each output cell as the steps add them, "
        "ending with 1 to 4 taps a cell (unevenly, a checkerboard: the kernel is not a multiple of the stride)."
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.integers(1, 5))
def test_random_overlaps_count_right_and_stay_inside(k, stride, dilation, pad, n):
    try:
        s = convanim.Scenario(
            image=np.ones((n, n)),
            operation="conv_transpose2d",
            kernel=np.ones((k, k)),
            stride=stride,
            dilation=dilation,
            padding=pad,
            view="overlap",
        )
    except ScenarioError:
        return
    f = build(s)
    assert outside(f) == []
    np.testing.assert_array_equal(heat_numbers(f, len(f) - 1, heat_grid(f, s)), convanim.overlap_counts(s))


def test_from_torch_takes_the_view():
    layer = torch.nn.ConvTranspose2d(1, 1, 3, stride=2, bias=False)
    s = convanim.from_torch(layer, torch.ones(1, 3, 3), view="overlap")
    assert s.stages[0].view == "overlap" and s.frames()
    with pytest.raises(ScenarioError, match=r"^view: only applies to a layer with a ConvTranspose2d$"):
        convanim.from_torch(torch.nn.Conv2d(1, 1, 3), torch.ones(1, 5, 5), view="overlap")


def test_the_gallery_scenarios_render_as_gif_and_html():
    for name in ("overlap_kernel3_stride2", "overlap_kernel4_stride2"):
        s = load(name)
        assert s.to_bytes("gif")[:6] == b"GIF89a"
        assert "overlap: taps per cell" in s.to_html()


T = {"image": {"values": [[1, 1], [1, 1]]}, "kernel": {"values": [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}}


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"operation": "conv2d", "view": "overlap"},
            "view: 'overlap' applies to conv_transpose2d; conv2d has 'matrix'",
        ),
        (
            {"operation": "conv_transpose2d", "view": "heat"},
            "view: must be one of 'matrix', 'overlap' (got 'heat')",
        ),
        (
            {"operation": "conv_transpose2d", "view": "overlap", "transpose_view": "direct"},
            "view: 'overlap' is drawn over the scatter; use transpose_view 'scatter'",
        ),
        (
            {"operation": "conv_transpose2d", "view": "overlap", "bias": 1.0},
            "view: 'overlap' is drawn for one map without bias, not in a chain or photo",
        ),
    ],
)
def test_bad_views_are_one_line_naming_the_key(keys, message):
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(**{**T, **keys})
    assert str(err.value) == message


def test_a_view_in_a_chain_is_refused():
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(
            image=T["image"],
            stages=[
                {"operation": "relu"},
                {"operation": "conv_transpose2d", "kernel": T["kernel"], "view": "overlap"},
            ],
        )
    assert (
        str(err.value)
        == "stages[1].view: 'overlap' is drawn for one map without bias, not in a chain or photo"
    )
