"""Frames of a layer with channels on grids of numbers: stacked planes, the filter's planes,
per-plane sums, Σ and the bias, the output maps; steps filter by filter."""

import numpy as np
import pytest

import convanim
from convanim.display import Rect, Text
from convanim.frames import build
from convanim.textsize import text_width

from .helpers import ROOT

#: A 3 → 2 layer small enough to check by hand: 2×2 filters on 3×3 planes, a bias each.
X = np.array(
    [
        [[1, 2, 0], [0, 1, 3], [2, 0, 1]],
        [[0, 1, 1], [2, 0, 0], [1, 1, 2]],
        [[1, 0, 0], [0, 1, 1], [1, 0, 2]],
    ],
    float,
)
W = np.array(
    [
        [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[1, 1], [0, 0]]],
        [[[0, 0], [1, 1]], [[1, 0], [0, -1]], [[0, 1], [0, 1]]],
    ],
    float,
)
B = np.array([0.5, -1.0])


def layer(**keys) -> convanim.Scenario:
    return convanim.Scenario(**{"image": X, "kernel": W, "bias": B, "title": "layer", **keys})


def texts(frames, k):
    return [s.text for s in frames.visible(k) if isinstance(s, Text)]


def test_steps_go_filter_by_filter_with_their_sums_and_bias():
    s = layer()
    steps = s.computations[-1].steps
    assert [(st.channel, st.out) for st in steps[:5]] == [
        (0, (0, 0)),
        (0, (0, 1)),
        (0, (1, 0)),
        (0, (1, 1)),
        (1, (0, 0)),
    ]
    # out[0][0,1]: R 2·1 + 3·1 = 5, G 1 + 0 = 1, B 0 + 0 = 0, + 0.5
    assert steps[1].sums == (5.0, 1.0, 0.0) and steps[1].bias == 0.5 and steps[1].value == 6.5
    assert s.output().shape == (2, 2, 2) and s.output()[0, 0, 1] == 6.5


def test_frames_show_the_sums_the_bias_and_the_filter_being_applied():
    s = layer()
    f = build(s)
    assert len(f) == s.n_frames == 8 + 2
    step2 = texts(f, 2)
    assert "out[0][0,1] = Σ₀ + Σ₁ + Σ₂ + b = 5.0 + 1.0 + 0.0 + 0.5 = 6.5" in step2
    assert {"Σ 5.0", "Σ 1.0", "Σ 0.0", "+ b = 0.5", "filter 0 → out[0]"} <= set(step2)
    step5 = texts(f, 5)  # the first step of filter 1
    assert "filter 1 → out[1]" in step5 and "+ b = −1.0" in step5 and "filter 0 → out[0]" not in step5
    assert f.frames[5].readout == "step 5/8: out[1][0,0] = 1.0" and f.frames[5].channel == 1
    assert len(f.output_grids) == 2 and f.output_grids[1].y > f.output_grids[0].y


def test_the_final_frame_writes_every_output_value():
    s = layer()
    f = build(s)
    final = f.visible(len(f) - 1)
    for k, g in enumerate(f.output_grids):
        inside = {
            (int((t.y - g.y) // g.cell), int((t.x - g.x) // g.cell)): t.text
            for t in final
            if isinstance(t, Text) and g.x < t.x < g.x + g.cols * g.cell and g.y < t.y < g.y + g.rows * g.cell
        }
        expected = {(r, c): f"{v:.1f}".replace("-", "−") for (r, c), v in np.ndenumerate(s.output()[k])}
        assert inside == expected


def test_a_depthwise_filter_covers_the_planes_it_does_not_read():
    s = convanim.load(ROOT / "animations" / "layer_depthwise.toml")
    f = build(s)
    first = texts(f, 1)
    assert first.count("not read by filter 0") == 2 and "Σ(R)" not in " ".join(first)
    assert "out[0][0,0] = 1/9 · (0 + 0 + 0 + 0 + 9 + 9 + 0 + 9 + 9) = 4.0" in first
    covers = [r for r in f.visible(1) if isinstance(r, Rect) and r.fill and r.w > 3 * f.output_grid.cell]
    assert [round(r.y) for r in covers] == [round(g) for g in sorted({c.y for c in covers})]
    assert s.computations[-1].steps[9].planes == (1,) and texts(f, 10).count("not read by filter 1") == 2


def test_a_pointwise_layer_is_a_weighted_sum_across_channels():
    s = convanim.load(ROOT / "animations" / "layer_pointwise.toml")
    f = build(s)
    assert "out[k][a,b] = Σc w[k,c] · in[c][a,b]: a weighted sum across channels" in texts(f, 0)
    assert "out[0][1,0] = 0.5·9 + 0.25·0 + 0.25·0 = 4.50" in texts(f, 5)
    assert "out[1][0,2] = 1·0 + 0·9 + (−1)·0 = 0.00" in texts(f, 1 + 16 + 2)


def test_a_transposed_layer_with_channels_is_drawn_as_its_direct_convolution():
    s = convanim.load(ROOT / "animations" / "layer_transposed.toml")
    assert s.transpose_view == "direct" and s.output().shape == (2, 3, 3)
    f = build(s)
    assert "out[0][1,1] = Σ₀ + Σ₁ = 5 + 1 = 6" in texts(f, 2 + 4)
    with pytest.raises(convanim.ScenarioError, match="transpose_view: 'scatter' is drawn for one channel"):
        convanim.load(ROOT / "animations" / "layer_transposed.toml", transpose_view="scatter")


@pytest.mark.parametrize("name", [p.stem for p in sorted((ROOT / "animations").glob("layer_*.toml"))])
def test_every_text_of_a_shipped_layer_stays_inside_the_picture(name):
    f = build(convanim.load(ROOT / "animations" / f"{name}.toml"))
    for item in f.items:
        t = item.shape
        if isinstance(t, Text):
            width = text_width(t.text, t.size, t.bold)
            left = {"start": t.x, "middle": t.x - width / 2, "end": t.x - width}[t.anchor]
            assert left >= 0 and left + width <= f.width, (t.text, left, width, f.width)
            assert t.y <= f.height


def test_many_channels_are_summarised_not_shrunk():
    s = convanim.Scenario(
        image={"pattern": "random", "size": 5, "channels": 16},
        out_channels=12,
        kernel_size=3,
        bias=True,
        title="wide",
    )
    f = build(s)
    assert len(f) == s.n_frames == 12 * 9 + 2
    poster = texts(f, 0)
    assert "… and 13 more channels" in poster and "… and 7 more maps" in poster
    assert [t for t in poster if t.startswith("in[")] == ["in[0]", "in[1]", "in[2]"]
    assert len(f.output_grids) == 5 and f.output_grids[0].cell >= 20  # readable cells, not shrunk
    eq = next(t for t in texts(f, 1 + 8 * 9 + 2) if t.startswith("out[8][0,2] = "))
    assert "…" in eq and eq.endswith(f"= {s.output()[8, 0, 2]:.2f}".replace("-", "−"))


def test_random_weights_read_as_decimals_a_mean_as_fractions():
    s = convanim.Scenario(
        image={"pattern": "random", "size": 4, "channels": 2}, out_channels=2, kernel_size=2
    )
    labels = [t for t in texts(build(s), 1) if t.startswith(("0.", "−0."))]
    assert labels and not any("/" in t for t in texts(build(s), 1) if len(t) < 6)
    mean = build(convanim.load(ROOT / "animations" / "layer_depthwise.toml"))
    assert texts(mean, 1).count("1/9") == 9
