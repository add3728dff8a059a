"""The picture view with channels: panels per map, the window on every plane a step reads, the
zoom and the equation of per-channel sums and bias, a photograph in colour, and the limits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convanim
from convanim import style
from convanim.display import Rect, Text
from convanim.errors import LimitError
from convanim.frames import build
from convanim.frames.chain import ChainBuilder
from convanim.frames.chain_channels import ChannelChainBuilder, has_channels
from convanim.layout import PAD, SMALL_PX
from convanim.scenario import Limits
from convanim.textsize import text_width

from .helpers import ROOT

PHOTO = ROOT / "animations" / "photos" / "grace_hopper.jpg"
R = np.arange(16.0).reshape(4, 4)
ONES, CENTRE = np.ones((3, 3)), np.pad([[1.0]], 1)
CORNERS = np.array([[1.0, 0, 0], [0, 0, 0], [0, 0, -1]])
ZERO = np.zeros((3, 3))


def rgb_chain() -> convanim.Scenario:
    """R = 0…15, G = 2, B = 15…0 through two hand-written filters with a bias, then ReLU."""
    return convanim.Scenario(
        image={
            "values": [R.tolist(), np.full((4, 4), 2.0).tolist(), (15 - R).tolist()],
            "names": ["R", "G", "B"],
        },
        stages=[
            {
                "operation": "conv2d",
                "filters": [
                    {"values": [ONES.tolist(), CENTRE.tolist(), ZERO.tolist()], "bias": 0.5},
                    {"values": [ZERO.tolist(), ZERO.tolist(), CORNERS.tolist()], "bias": -1},
                ],
            },
            {"operation": "relu"},
        ],
    )


def texts(frames, k: int) -> list[str]:
    return [s.text for s in frames.visible(k) if isinstance(s, Text)]


def inside(s: Rect, g) -> bool:
    return g.x <= s.x < g.x + g.cols * g.cell and g.y <= s.y < g.y + g.rows * g.cell


def test_every_map_is_a_labelled_set_of_panels():
    sc = rgb_chain()
    assert has_channels(sc) and sc.picture
    f = build(sc)
    assert len(f) == sc.n_frames == 1 + 8 + 1 + 1
    poster = texts(f, 0)
    for label in ("input", "3×4×4", "1. conv2d", "2×2×2", "2. relu", "conv 3→2, 3×3", "filters 0–1"):
        assert label in poster
    # the poster shows every filter, numbered as its map; each step, the filter at work with its bias
    assert "filter 0" in texts(f, 1) and "bias 0.5" in texts(f, 1) and "filter 0" not in poster
    labels = [
        s.text
        for s in f.visible(0)
        if isinstance(s, Text) and s.size == SMALL_PX and s.color == style.MUTED and s.anchor == "start"
    ]
    assert labels[:-1] == ["3×4×4", "R", "G", "B", "2×2×2", "0", "1", "2×2×2", "0", "1"]
    assert labels[-1] == "zoom: the input's numbers, rows 0 to 2, cols 0 to 2, in each channel"
    assert "bias −1.0" not in poster  # filter 1's bias shows while filter 1 works
    assert "bias −1.0" in texts(f, 5) and "filter 1" in texts(f, 5)
    b = ChannelChainBuilder(sc)
    assert [len(m.panels) for m in b.layout.maps] == [3, 2, 2]
    assert f.output_grid == b.layout.maps[-1].panels[0].grid


def test_the_window_is_outlined_on_every_plane_read_and_the_cell_on_its_channel():
    sc = rgb_chain()
    b = ChannelChainBuilder(sc)
    f = b.frames()
    frame = 1 + 5  # step 5: filter 1, out[0,1]
    outlines = [
        it.shape
        for it in f.items
        if it.first == it.last == frame and isinstance(it.shape, Rect) and it.shape.width == b.stroke
    ]
    (r, g, bl), (_, one) = b.layout.maps[0].panels, b.layout.maps[1].panels
    c = b.layout.cell
    expected = [
        Rect(p.grid.x + c, p.grid.y, 3 * c, 3 * c, stroke=sc.render.palette.highlight, width=b.stroke)
        for p in (r, g, bl)
    ]
    expected.append(
        Rect(one.grid.x + c, one.grid.y, c, c, stroke=sc.render.palette.highlight, width=b.stroke)
    )
    assert outlines == expected


def test_the_equation_sums_each_plane_then_adds_the_bias():
    f = build(rgb_chain())
    assert "out[0][0,0] = Σ(R) + Σ(G) + Σ(B) + b = 45.0 + 2.0 + 0.0 + 0.5 = 47.5" in texts(f, 1)
    assert "out[1][0,0] = Σ(R) + Σ(G) + Σ(B) + b = 0.0 + 0.0 + 10.0 − 1.0 = 9.0" in texts(f, 5)
    zoom = texts(f, 1)
    assert [t for t in zoom if t.startswith("Σ =")] == ["Σ = 45.0", "Σ = 2.0", "Σ = 0.0"]
    assert "zoom: input, rows 0 to 2, cols 0 to 2 in every plane" in zoom
    assert "ReLU: max(0, x) replaces 0 negative values with 0 in 2 maps" in texts(f, 9)


def test_the_final_frame_writes_the_output_of_every_channel():
    sc = rgb_chain()
    b = ChannelChainBuilder(sc)
    f = b.frames()
    last = len(f) - 1
    out = sc.output()
    np.testing.assert_array_equal(out, [[[47.5, 56.5], [83.5, 92.5]], [[9, 9], [9, 9]]])
    for panel, plane in zip(b.layout.maps[-1].panels, out, strict=True):
        g = panel.grid
        written = [s.text for s in f.visible(last) if isinstance(s, Text) and inside(s, g)]
        assert written == [b.fmts[-1](v) for v in plane.ravel()]
        assert [float(t) for t in written] == plane.ravel().tolist()
    assert "output 2×2×2: min 9.0, max 92.5" in texts(f, last)


def test_many_channels_are_summarised_not_shrunk():
    sc = convanim.Scenario(
        image={"pattern": "random", "size": 4, "channels": 7},
        stages=[
            {"operation": "conv2d", "out_channels": 11, "kernel_size": 3, "padding": 1, "bias": True},
            {"operation": "relu"},
        ],
    )
    b = ChannelChainBuilder(sc)
    f = b.frames()
    assert len(f) == sc.n_frames
    poster = texts(f, 0)
    assert poster.count("… and 3 more channels") == 2
    assert [len(m.panels) for m in b.layout.maps] == [7, 8, 8]
    assert [p.label for p in b.layout.maps[1].panels] == [str(c) for c in range(8)]
    assert b.layout.cell >= 16  # panels stay readable
    plan = b.plan
    frame = next(k for k, beat in enumerate(plan, start=1) if beat.last == 9 * 16)  # channel 9 starts
    shown = texts(f, frame)
    # the zoom writes each window's weights beside it (the filter's planes are colour): 4 fit
    assert "now: channel 9" in shown and "… and 3 more planes" in shown
    assert [t for t in shown if t.startswith("Σ =")].__len__() == 4
    equation = next(t for t in shown if t.startswith("out[9][0,0] = "))
    # whole where the (wider, legible) picture has room for it, else shortened
    assert ("…" in equation or equation.count("Σ(") == 7) and text_width(equation, 16) <= f.width - 2 * PAD


def test_an_rgb_photograph_is_shown_in_colour_beside_its_planes():
    sc = convanim.load(ROOT / "animations" / "chain_rgb_photo.toml")
    b = ChannelChainBuilder(sc)
    f = b.frames()
    assert len(f) == sc.n_frames == 206
    poster = texts(f, 0)
    for label in ("RGB", "R", "G", "B", "3×24×24", "5×24×24", "2×24×24", "2×12×12", "5. max_pool2d"):
        assert label in poster
    colour = b.layout.maps[0].panels[0]
    assert colour.channel is None and colour.label == "RGB"
    fills = [s.fill for s in f.visible(0) if isinstance(s, Rect) and s.fill and inside(s, colour.grid)]
    assert len(fills) == 24 * 24 and 20 < len(set(fills)) <= 48
    # filter by filter: no frame mixes two channels; the first shows its first row step by step
    comp = sc.computations[0]
    ones = [0] * 5
    for beat in b.plan:
        if beat.stage == 0:
            assert comp.steps[beat.first].channel == comp.steps[beat.last].channel
            ones[comp.steps[beat.last].channel] += beat.first == beat.last
    assert ones == [24, 3, 3, 3, 3]


def test_the_photo_equation_is_torchs_sum_per_plane():
    sc = convanim.load(ROOT / "animations" / "chain_rgb_photo.toml")
    f = build(sc)
    st = sc.stages[0]
    x = torch.tensor(np.array(sc.image.values))[None]
    w, bias = torch.tensor(np.array(st.kernel.values)), torch.tensor(np.array(st.bias))
    per_plane = [F.conv2d(x[:, p : p + 1], w[:1, p : p + 1], padding=1)[0, 0, 0, 0].item() for p in range(3)]
    total = F.conv2d(x, w, bias, padding=1)[0, 0, 0, 0].item()
    eq = next(t for t in texts(f, 1) if t.startswith("out[0][0,0] = "))
    head, numbers, result = eq.split(" = ")[1:]
    assert head == "Σ(R) + Σ(G) + Σ(B) + b"
    assert result == f"{total:.2f}".replace("-", "−")
    signed = numbers.replace(" − ", " + −").replace("−", "-").split(" + ")
    assert [float(v) for v in signed] == [round(v, 2) for v in [*per_plane, bias[0].item()]]


def test_one_channel_chains_keep_their_picture():
    sc = convanim.load(ROOT / "animations" / "chain_photo.toml")
    assert not has_channels(sc)
    assert build(sc).items == ChainBuilder(sc).frames().items


def test_every_text_stays_inside_the_picture():
    for sc in (rgb_chain(), convanim.load(ROOT / "animations" / "chain_rgb_photo.toml")):
        f = build(sc)
        for it in f.items:
            s = it.shape
            if isinstance(s, Text):
                w = text_width(s.text, s.size, s.bold)
                left = {"start": s.x, "middle": s.x - w / 2, "end": s.x - w}[s.anchor]
                assert left >= 0 and left + w <= f.width and 0 < s.y <= f.height, s


def test_limits_count_the_colour_panel_of_a_photograph():
    keys = {
        "image": {"file": str(PHOTO), "color": "rgb", "resize": 8},
        "stages": [{"operation": "conv2d", "out_channels": 2, "kernel_size": 3}, {"operation": "relu"}],
    }
    probe = convanim.Scenario(**keys)
    cells = sum(st.cells for st in probe.stages) + 8 * 8
    convanim.Scenario(**keys, limits=Limits(max_cells=cells))
    with pytest.raises(LimitError, match=f"a 3×8×8 image needs {cells:,} cells drawn"):
        convanim.Scenario(**keys, limits=Limits(max_cells=cells - 1))


def test_bias_true_with_random_weights_draws_a_bias():
    sc = convanim.Scenario(
        image={"pattern": "random", "size": 4, "channels": 3},
        stages=[
            {"operation": "conv2d", "out_channels": 2, "kernel_size": 3, "bias": True},
            {"operation": "relu"},
        ],
    )
    assert sc.stages[0].bias is not None and sc.stages[0].bias.shape == (2,)


def outlines(f, frame: int, stroke: float) -> list[Rect]:
    return [
        it.shape
        for it in f.items
        if it.first == it.last == frame and isinstance(it.shape, Rect) and it.shape.width == stroke
    ]


def test_a_depthwise_filter_reads_only_its_own_plane():
    sc = convanim.Scenario(
        image={"values": [R.tolist(), (2 * R).tolist(), (15 - R).tolist()], "names": ["R", "G", "B"]},
        stages=[
            {"operation": "conv2d", "kernel": {"preset": "sobel_x"}, "groups": 3},
            {"operation": "relu"},
        ],
    )
    b = ChannelChainBuilder(sc)
    f = b.frames()
    frame = 1 + 4  # step 4: filter 1 (reads G only), out[0,0]
    c, hl = b.layout.cell, sc.render.palette.highlight
    g, one = b.layout.maps[0].panels[1].grid, b.layout.maps[1].panels[1].grid
    assert outlines(f, frame, b.stroke) == [
        Rect(g.x, g.y, 3 * c, 3 * c, stroke=hl, width=b.stroke),
        Rect(one.x, one.y, c, c, stroke=hl, width=b.stroke),
    ]
    assert "out[1][0,0] = Σ(G) = 16.0" in texts(f, frame)  # 2 × (2 + 4 + 2) sobel on 2·R
    assert "conv 3→3, 3×3" in texts(f, 0) and "groups 3" in texts(f, 0)


def test_a_pointwise_layer_is_a_weighted_sum_of_the_channels():
    sc = convanim.Scenario(
        image={"values": [R.tolist(), (2 * R).tolist(), (15 - R).tolist()], "names": ["R", "G", "B"]},
        stages=[
            {"operation": "conv2d", "filters": [{"values": [[[1]], [[0.5]], [[-1]]], "bias": 2}]},
            {"operation": "relu"},
        ],
    )
    f = build(sc)
    assert "a weighted sum of the channels" in texts(f, 0)
    # pixel (0,1): R = 1, G = 2, B = 14
    assert "out[0][0,1] = Σ(R) + Σ(G) + Σ(B) + b = 1.0 + 1.0 − 14.0 + 2.0 = −10.0" in texts(f, 2)


def test_a_transposed_step_outlines_where_it_adds_on_every_target_channel():
    sc = convanim.Scenario(
        image={"values": [[[1.0, 2], [3, 4]], [[5.0, 6], [7, 8]]]},
        stages=[
            {"operation": "conv_transpose2d", "out_channels": 3, "kernel_size": 2, "stride": 2},
            {"operation": "relu"},
        ],
    )
    b = ChannelChainBuilder(sc)
    f = b.frames()
    assert len(f) == sc.n_frames == 1 + 8 + 1 + 1
    frame = 1 + 5  # step 5: channel 1, pixel (0,1), adding onto output rows 0–1, cols 2–3
    c, hl = b.layout.cell, sc.render.palette.highlight
    src = b.layout.maps[0].panels[1].grid
    expected = [Rect(src.x + c, src.y, c, c, stroke=hl, width=b.stroke)]
    for p in b.layout.maps[1].panels:
        expected.append(Rect(p.grid.x + 2 * c, p.grid.y, 2 * c, 2 * c, stroke=hl, width=b.stroke))
    assert outlines(f, frame, b.stroke) == expected
    assert "input[1][0,1] = 6 adds 6 × filter 1 onto channels 0, 1, 2" in texts(f, frame)


def test_a_random_transposed_layer_has_a_bias_per_output_channel():
    sc = convanim.Scenario(
        image={"pattern": "random", "size": 3, "channels": 2},
        stages=[
            {"operation": "conv_transpose2d", "out_channels": 3, "kernel_size": 2, "stride": 2, "bias": True},
            {"operation": "relu"},
        ],
    )
    st = sc.stages[0]
    assert st.bias.shape == (3,)
    x = torch.tensor(np.array(sc.image.values))[None]
    w, b = torch.tensor(np.array(st.kernel.values)), torch.tensor(np.array(st.bias))
    expected = F.relu(F.conv_transpose2d(x, w, b, stride=2))[0].numpy()
    np.testing.assert_allclose(sc.output(), expected, rtol=1e-12, atol=1e-12)
    assert len(sc.frames()) == sc.n_frames


def test_rounded_sums_are_said_to_be_approximate():
    sc = convanim.load(ROOT / "animations" / "chain_rgb_photo.toml")
    f = build(sc)
    step = sc.computations[2].steps[0]  # conv 5 → 2 reads values with four decimals
    assert step.sums[0] == pytest.approx(-0.445) and step.value == pytest.approx(16.9701)
    assert (
        "out[0][0,0] = Σ(0) + Σ(1) + Σ(2) + Σ(3) + Σ(4) + b = −0.44 + 5.96 + 9.09 + 0.17 + 2.05 + 0.14 ≈ 16.97"
        in texts(f, 101)
    )
    assert "out[0][0,0] = Σ(R) + Σ(G) + Σ(B) + b = −2.04 − 1.55 + 20.48 + 0.10 = 16.99" in texts(f, 1)


def test_a_one_channel_layer_with_a_bias_shows_the_bias():
    sc = convanim.Scenario(
        image={"values": R.tolist()},
        stages=[
            {"operation": "conv2d", "filters": [{"values": ONES.tolist(), "bias": 0.5}]},
            {"operation": "relu"},
        ],
    )
    assert has_channels(sc)
    f = build(sc)
    assert "out[0][0,0] = Σ(in[0]) + b = 45.0 + 0.5 = 45.5" in texts(f, 1)
    assert "bias 0.5" in texts(f, 0)
