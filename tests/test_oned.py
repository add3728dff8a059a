"""1-D convolution: signals as maps of height 1. Numbers against torch.nn.functional (conv1d,
conv_transpose1d, max_pool1d, avg_pool1d, interpolate), from_torch for each 1-D module, one-line
errors naming the key, the signal view's last frame, text inside the picture, and alt text."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convanim
from convanim.display import Rect, Text
from convanim.errors import LimitError, ScenarioError
from convanim.from_torch import from_torch

from .helpers import ROOT
from .test_text_fits import outside

SIGNAL = [1, 0, 2, 1, 0, 1, 8, 9, 7, 9, 8, 9]


def t(a):
    return torch.tensor(np.asarray(a, dtype=float))


def torch_pad(x, pad, mode):
    """conv1d's padding as nn.Conv1d(padding_mode=...) applies it."""
    if mode == "zeros" or pad == 0:
        return x, pad
    return F.pad(x, (pad, pad), mode=mode), 0


# ---------------------------------------------------------------- numbers against torch


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k, d, s = draw(st.integers(1, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 3))
    n = draw(st.integers(d * (k - 1) + 1, 14))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    pad = draw(st.integers(0, min(3, n - 1)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = np.round(rng.uniform(-5, 5, (cin, n)), 2)
    w = np.round(rng.uniform(-1, 1, (cout, cin // groups, k)), 2)
    b = np.round(rng.uniform(-1, 1, cout), 2) if draw(st.booleans()) else None
    return x, w, b, s, pad, d, groups, mode


@settings(max_examples=80, deadline=None)
@given(case=conv_cases())
def test_conv1d_equals_torch(case):
    x, w, b, s, pad, d, groups, mode = case
    keys = {"kernel": w, "stride": s, "padding": pad, "dilation": d, "groups": groups, "padding_mode": mode}
    if b is not None:
        keys["bias"] = b
    ours = convanim.Scenario(image=x, operation="conv1d", **keys).output()
    xp, p = torch_pad(t(x)[None], pad, mode)
    ref = F.conv1d(xp, t(w), None if b is None else t(b), stride=s, padding=p, dilation=d, groups=groups)[0]
    assert ours.shape == tuple(ref.shape)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=conv_cases(), out_pad=st.integers(0, 2))
def test_conv_transpose1d_equals_torch(case, out_pad):
    x, _, b, s, pad, d, groups, _ = case
    cin, k = x.shape[0], 3
    rng = np.random.default_rng(int(abs(x).sum() * 100) % 2**16)
    w = np.round(rng.uniform(-1, 1, (cin, 2, k)), 2)
    out_pad = min(out_pad, max(s, d) - 1)
    pad = min(pad, d * (k - 1))  # the signal view draws the equivalent convolution
    bias = None if b is None else np.round(rng.uniform(-1, 1, 2 * groups), 2)
    keys = {
        "kernel": w,
        "stride": s,
        "padding": pad,
        "dilation": d,
        "groups": groups,
        "output_padding": out_pad,
    }
    if bias is not None:
        keys["bias"] = bias
    # the numbers only: the drawn dilated signal may pass the 48 samples a legible picture allows
    wide = convanim.Limits(max_cells=200_000)
    ours = convanim.Scenario(image=x, operation="conv_transpose1d", limits=wide, **keys).output()
    ref = F.conv_transpose1d(t(x)[None], t(w), None if bias is None else t(bias), s, pad, out_pad, groups, d)[
        0
    ]
    np.testing.assert_allclose(ours, ref.numpy(), rtol=0, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 16),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    pad=st.integers(0, 2),
    d=st.integers(1, 2),
    ceil=st.booleans(),
    include=st.booleans(),
    seed=st.integers(0, 2**16),
    is_max=st.booleans(),
)
def test_pools_equal_torch(n, k, s, pad, d, ceil, include, seed, is_max):
    x = np.round(np.random.default_rng(seed).uniform(-5, 5, (2, n)), 2)
    keys = {"kernel_size": k, "stride": s, "padding": pad, "ceil_mode": ceil}
    if is_max:
        keys["dilation"] = d
        call = lambda: F.max_pool1d(t(x)[None], k, s, pad, d, ceil_mode=ceil)[0]  # noqa: E731
    else:
        keys["count_include_pad"] = include
        call = lambda: F.avg_pool1d(t(x)[None], k, s, pad, ceil_mode=ceil, count_include_pad=include)[0]  # noqa: E731
    try:
        ref = call().numpy()
    except RuntimeError:
        with pytest.raises(ScenarioError):
            convanim.Scenario(image=x, operation="max_pool1d" if is_max else "avg_pool1d", **keys)
        return
    ours = convanim.Scenario(image=x, operation="max_pool1d" if is_max else "avg_pool1d", **keys).output()
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


@settings(max_examples=120, deadline=None)
@given(
    n=st.integers(1, 20),
    mode=st.sampled_from(["nearest", "linear"]),
    align=st.booleans(),
    how=st.one_of(st.integers(1, 40), st.sampled_from([0.5, 1.5, 2.0, 2.5, 3.7, 1.0001, 7.3])),
    seed=st.integers(0, 2**16),
)
def test_upsample_equals_interpolate(n, mode, align, how, seed):
    x = np.round(np.random.default_rng(seed).uniform(-5, 5, (2, n)), 2)
    keys, torch_keys = {"mode": mode}, {"mode": mode}
    if mode == "linear":
        keys["align_corners"] = torch_keys["align_corners"] = align
    if isinstance(how, int):
        keys["size"] = torch_keys["size"] = how
    else:
        if int(np.floor(n * how)) < 1:
            return
        keys["scale_factor"] = torch_keys["scale_factor"] = how
    ref = F.interpolate(t(x)[None], **torch_keys)[0].numpy()
    ours = convanim.Scenario(
        image={"values": x.tolist()},
        # a 1-wide max pool (a copy) says the (C, L) values are a signal, not an image
        stages=[{"operation": "upsample", **keys}, {"operation": "max_pool1d", "kernel_size": 1}],
    ).output()
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)  # linear: within an ulp or two


def test_relu_on_a_signal_and_the_output_shapes():
    s = convanim.Scenario(image={"values": [1, -2, 3]}, operation="relu")
    assert s.image.rank == 1 and s.output().tolist() == [1, 0, 3]
    one = convanim.Scenario(image={"values": SIGNAL}, operation="conv1d", kernel={"values": [1, 1, 1]})
    assert one.output().shape == (10,) and one.output()[0] == 3
    layered = convanim.Scenario(image={"values": [SIGNAL]}, operation="conv1d", kernel={"values": [1, 1, 1]})
    assert layered.output().shape == (1, 10)
    assert one.image.values.shape == (1, 1, 12) and one.stages[0].kernel.values.shape == (1, 1, 1, 3)
    assert one.operation == "conv1d" and one.stages[0].operation == "conv2d" and one.stages[0].rank == 1


def test_hand_computed_smoothing_with_same_padding():
    s = convanim.Scenario(
        image={"values": [0, 3, 6, 3, 0]}, operation="conv1d", kernel={"preset": "mean"}, padding="same"
    )
    np.testing.assert_allclose(s.output(), [1, 3, 4, 3, 1])


def test_patterns_for_signals():
    copy = {"operation": "max_pool1d", "kernel_size": 1}
    step = convanim.Scenario(image={"pattern": "step", "size": 6}, **copy)
    assert step.output().tolist() == [0, 0, 0, 9, 9, 9]
    sine = convanim.Scenario(image={"pattern": "sine", "size": 4, "high": 1}, **copy)
    assert sine.output().tolist() == [0.5, 1.0, 0.5, 0.0]


# ---------------------------------------------------------------- from_torch


def modules():
    torch.manual_seed(0)
    return [
        torch.nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2, padding_mode="reflect").double(),
        torch.nn.Conv1d(4, 2, 2, padding="same", dilation=2).double(),
        torch.nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1).double(),
        torch.nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True),
        torch.nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False),
        torch.nn.Sequential(
            torch.nn.Conv1d(4, 3, 3).double(),
            torch.nn.ReLU(),
            torch.nn.Upsample(scale_factor=2, mode="linear"),
            torch.nn.MaxPool1d(2),
        ),
    ]


@pytest.mark.parametrize("index", range(6))
def test_from_torch_equals_the_module(index):
    module = modules()[index]
    x = torch.randn(4, 11, dtype=torch.float64, generator=torch.Generator().manual_seed(index))
    s = from_torch(module, x)
    ref = module(x[None])[0].detach().numpy()
    assert s.output().shape == ref.shape
    np.testing.assert_allclose(s.output(), ref, rtol=0, atol=1e-12)
    assert s.image.rank == 1


def test_from_torch_refuses_an_image_for_a_1d_layer():
    with pytest.raises(ScenarioError, match=r"^from_torch: x must have shape \(C, L\)"):
        from_torch(torch.nn.Conv1d(1, 1, 3), torch.zeros(1, 4, 4, 4))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"operation": "conv1d", "kernel": {"values": [[1, 2], [3, 4]]}},
            "kernel.values: conv1d takes a list of k weights (got a list of rows: a 2-D kernel; use conv2d)",
        ),
        (
            {"operation": "conv1d", "kernel": {"values": [1, 2]}, "stride": [1, 2]},
            "stride: conv1d takes one integer, as in PyTorch (got [1, 2])",
        ),
        (
            {"operation": "conv1d", "kernel": {"values": [1] * 7}},
            "kernel.values: the 7-tap kernel is larger than the 5-sample signal",
        ),
        (
            {"operation": "conv1d", "kernel": {"values": [1] * 9}, "padding": 1},
            "kernel.values: the 9-tap kernel is larger than the 7-sample padded signal",
        ),
        (
            {"operation": "conv2d", "kernel": {"values": [[1]]}},
            "operation: conv2d takes a 2-D image, but the input is a 1-D signal; use conv1d",
        ),
        (
            {"operation": "max_pool1d", "kernel_size": 7},
            "kernel_size: the 7-sample window is larger than the 5-sample signal",
        ),
        (
            {"operation": "max_pool1d", "kernel_size": 2, "padding": "same"},
            "padding: max_pool1d takes an integer, as in PyTorch",
        ),
        (
            {"operation": "conv1d", "kernel": {"preset": "sobel_x"}},
            "kernel.preset: 'sobel_x' is a 2-D kernel; a signal takes mean, gaussian, identity",
        ),
        (
            {"operation": "upsample", "mode": "bilinear", "scale_factor": 2},
            "mode: 'bilinear' is for 2-D images; a signal takes 'nearest' or 'linear'",
        ),
        (
            {"operation": "upsample", "scale_factor": 2, "align_corners": True},
            "align_corners: only applies to mode 'linear', as in PyTorch",
        ),
        (
            {"operation": "conv1d", "kernel": {"values": [1, 1]}, "padding": 5, "padding_mode": "reflect"},
            "padding: reflect padding must be smaller than the signal (left 5 with 5 samples)",
        ),
        (
            {"operation": "conv_transpose1d", "kernel": {"values": [1, 1]}, "transpose_view": "scatter"},
            "transpose_view: a signal is drawn 'direct' (the equivalent convolution); 'scatter' is 2-D only",
        ),
    ],
)
def test_bad_1d_keys_are_one_line_naming_the_key(keys, message):
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(image={"values": [1, 2, 3, 4, 5]}, **keys)
    assert str(err.value) == message


def test_an_image_for_conv1d_and_a_signal_for_conv2d():
    with pytest.raises(
        ScenarioError, match=r"^image.values: conv1d takes a list of samples .* use conv2d\)$"
    ):
        convanim.Scenario(image={"values": [[[1, 2], [3, 4]]]}, operation="conv1d", kernel={"values": [1]})
    with pytest.raises(ScenarioError, match=r"^image.file: a photograph is 2-D"):
        convanim.Scenario(image={"file": "x.png"}, operation="conv1d", kernel={"values": [1]})
    with pytest.raises(ScenarioError, match=r"^image.size: a signal's size is its length"):
        convanim.Scenario(image={"pattern": "step", "size": [2, 4]}, operation="max_pool1d", kernel_size=2)
    with pytest.raises(ScenarioError, match=r"^image.values\[2\]: must be a number"):
        convanim.Scenario(image={"values": [1, 2, "a"]}, operation="max_pool1d", kernel_size=2)
    with pytest.raises(ScenarioError, match=r"^stages\[0\].operation: max_pool2d takes a 2-D image, but"):
        convanim.Scenario(
            image=np.ones((3, 3)),
            stages=[
                {"operation": "max_pool2d", "kernel_size": 2},
                {"operation": "conv1d", "kernel": {"values": [1]}},
            ],
        )


def test_a_long_signal_is_refused_before_any_work():
    with pytest.raises(LimitError, match=r"^image: the signal view draws 100 samples in a row"):
        convanim.Scenario(image={"values": list(range(100))}, operation="max_pool1d", kernel_size=2)


# ---------------------------------------------------------------- the view


def texts(frames, frame):
    return [s.text for s in frames.visible(frame) if isinstance(s, Text)]


def test_the_last_frame_writes_every_output_value():
    s = convanim.Scenario(image={"values": SIGNAL}, operation="conv1d", kernel={"preset": "mean"}, padding=1)
    frames = s.frames()
    shown = texts(frames, len(frames) - 1)
    grid = frames.output_grid
    cells = [
        t.text
        for t in (sh for sh in frames.visible(len(frames) - 1) if isinstance(sh, Text))
        if grid.y <= t.y <= grid.y + grid.cell and grid.x <= t.x <= grid.x + grid.cols * grid.cell
    ]
    assert cells == [
        "0.33",
        "1.00",
        "1.00",
        "1.00",
        "0.67",
        "3.00",
        "6.00",
        "8.00",
        "8.33",
        "8.00",
        "8.67",
        "5.67",
    ]
    assert [f"{v:.2f}" for v in s.output()] == cells
    assert "output 12 samples complete: min 0.33, max 8.67" in shown
    assert "output[4] = 1/3 · (1 + 0 + 1) = 0.67" in texts(frames, 5)
    assert frames.frames[5].out == (0, 4) and (grid.rows, grid.cols) == (1, 12)


def test_channels_write_the_plane_sums_and_the_bias():
    s = convanim.load(ROOT / "animations" / "conv1d_channels_stride.toml")
    frames = s.frames()
    step = texts(frames, 1)
    assert any(t.startswith("out[0][0] = Σ(") and "+ bias =" in t for t in step)
    assert sum(t.startswith("Σ ") for t in step) == 2
    assert len(frames.output_grids) == 2


@st.composite
def signals(draw):
    op = draw(
        st.sampled_from(["conv1d", "conv1d", "conv_transpose1d", "max_pool1d", "avg_pool1d", "upsample"])
    )
    n = draw(st.integers(1, 14))
    scale = draw(st.sampled_from([1.0, 9.0, 1e5, 1e12]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    c = draw(st.integers(1, 3))
    x = np.round(rng.uniform(-1, 1, (c, n)) * scale, 2)
    keys = {"image": {"values": x.tolist() if c > 1 else x[0].tolist()}, "operation": op}
    if op in ("conv1d", "conv_transpose1d"):
        k = draw(st.integers(1, min(n, 4)))
        if c > 1 or draw(st.booleans()):
            keys["out_channels"], keys["kernel_size"] = draw(st.integers(1, 3)), k
            keys["bias"] = draw(st.booleans())
        else:
            keys["kernel"] = {"values": np.round(rng.uniform(-1, 1, k), 2).tolist()}
        keys["stride"] = draw(st.integers(1, 2))
    elif op in ("max_pool1d", "avg_pool1d"):
        keys["kernel_size"] = draw(st.integers(1, n))
    else:
        keys["mode"] = draw(st.sampled_from(["nearest", "linear"]))
        keys["scale_factor"] = draw(st.sampled_from([1.5, 2, 3]))
    if draw(st.booleans()):
        keys["caption"] = "a caption " * draw(st.integers(1, 12))
    return keys


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=signals())
def test_no_text_extends_past_a_signal_picture(keys):
    try:
        s = convanim.Scenario(**keys)
    except ScenarioError:
        return
    frames = s.frames()
    assert outside(frames) == []
    bottom = max(sh.y for it in frames.items if isinstance((sh := it.shape), Text))
    assert bottom <= frames.height


def test_every_text_is_legible_on_a_1920_screen():
    """Scaled to fit 1920×1080, no text of a gallery signal is under 14 px (bar the cell values,
    which fit their cells, and the weights written in them)."""
    for path in sorted((ROOT / "animations").glob("*1d*.toml")):
        s = convanim.load(path)
        if len(s.stages) > 1:  # a chain is scaled up to fit too: tests/test_legible.py checks it
            continue
        frames = s.frames()
        fit = min(1920 / frames.width, 1080 / frames.height, 1.0)
        sizes = {it.shape.size for it in frames.items if isinstance(it.shape, Text)}
        assert min(sizes) * fit >= 14, path.stem


# ---------------------------------------------------------------- alt text


ALT = {
    "conv1d_smoothing": (
        "A 3-tap mean filter slides along a 16-sample signal (values 0 to 9), with zero padding of 1 on each "
        "side; drawn as bars over a row of numbers with the weights under the window, the 16-sample output "
        "fills in sample by sample (values 0.33 to 8.67)."
    ),
    "conv1d_relu_max_pool1d": (
        "A chain of 3 stages on a 12-sample signal (values −0.2 to 2.3): 1. conv1d, 3 taps, with zero "
        "padding of 1 on each side, 1 to 2 channels (12 to 12 samples); 2. relu (12 to 12 samples); "
        "3. max_pool1d, 2 taps (12 to 6 samples). The maps stand side by side as strips and each stage "
        "fills its output in turn, step by step, with a zoomed inset of the window and its numbers; the "
        "final 2×6 output has values 0.1 to 3.2."
    ),
}


@pytest.mark.parametrize("name", sorted(ALT))
def test_alt_text_of_the_gallery_signals(name):
    assert convanim.load(ROOT / "animations" / f"{name}.toml").alt_text == ALT[name]


def test_alt_text_of_each_1d_operation():
    pool = convanim.Scenario(image={"values": [3, 1, 4, 1, 5]}, operation="max_pool1d", kernel_size=2)
    assert pool.alt_text == (
        "A 2-sample max pooling window slides along a 5-sample signal (values 1 to 5); each sample of the "
        "2-sample output is the largest sample of its window, which is outlined, and the output fills in "
        "sample by sample (values 3 to 4)."
    )
    up = convanim.Scenario(image={"values": [0, 4]}, operation="upsample", mode="linear", scale_factor=2)
    assert up.alt_text == (
        "Linear upsampling ×2 of a 2-sample signal (values 0 to 4): each sample of the 4-sample output in "
        "turn blends the two input samples around where it falls, weighted by nearness; the output fills "
        "in sample by sample (values 0 to 4)."
    )
    relu = convanim.Scenario(image={"values": [1, -2]}, operation="relu")
    assert relu.alt_text == (
        "ReLU on a 2-sample signal (values −2 to 1): in one step every negative sample becomes 0 (1 of 2) "
        "and the rest pass unchanged; the 2-sample output has values 0 to 1."
    )


# ---------------------------------------------------------------- the player


def test_hover_on_a_signal_s_output_jumps_to_its_step(open_page):
    from .test_player_browser import page_of

    one = convanim.load(ROOT / "animations" / "conv1d_smoothing.toml")
    layer = convanim.load(ROOT / "animations" / "conv1d_channels_stride.toml").restyled(scale=1.5)
    w = open_page(page_of(one, layer))
    for n, (s, channel, j, want) in enumerate(
        [(one, 0, 4, (5, "step 5/16: output[4] = 0.67")), (layer, 1, 2, (8, "step 8/10: out[1][2] = 3.5"))]
    ):
        frames = s.frames()
        p = w.player(n)
        w.page.set_viewport_size({"width": 1100, "height": 1600})  # the whole picture on screen
        p.root.locator(".convanim-stage > svg").scroll_into_view_if_needed()
        box = p.root.locator(".convanim-stage > svg").bounding_box()
        scale = box["width"] / frames.width
        g = (frames.output_grids or (frames.output_grid,))[channel]
        w.page.mouse.move(
            box["x"] + (g.x + (j + 0.5) * g.cell) * scale, box["y"] + (g.y + 0.5 * g.cell) * scale
        )
        assert (p.frame(), p.readout()) == want
    w.assert_clean()


def test_the_limits_count_the_signal_view():
    """A signal's step repaints its bars, cells and kernel row (4 cells a tap) and the strip down
    to its output (2 a sample): more than the same step on a grid of numbers."""
    x = np.zeros((4, 48))
    keys = {"operation": "conv1d", "out_channels": 8, "kernel_size": 5, "bias": True}
    st = convanim.Scenario(image=x, **keys).stages[0]
    assert st.step_work == 4 * (4 * 5 + 5) + 4 + 2 * 48
    flat = convanim.Scenario(image=x[:, None, :], **{**keys, "operation": "conv2d", "kernel_size": [1, 5]})
    flat = flat.stages[0]
    assert flat.step_work == 4 * (5 + 5) + 4
    with pytest.raises(LimitError) as err:
        convanim.Scenario(image=x, **{**keys, "out_channels": 12})
    assert str(err.value) == (
        "image: a 4×48 signal needs 118,080 cells painted or written over its 528 steps (up to 200 a "
        "step: the window's cells and its taps); the limit is 100,000 (raise it with --max-work)"
    )


def test_every_1d_mistake_of_a_stage_is_reported_at_once():
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(
            image={"values": [1, 2, 3, 4, 5]},
            operation="conv1d",
            stride=[1, 2],
            kernel={"values": [[1, 2], [3, 4]]},
        )
    assert str(err.value).splitlines() == [
        "stride: conv1d takes one integer, as in PyTorch (got [1, 2])",
        "kernel.values: conv1d takes a list of k weights (got a list of rows: a 2-D kernel; use conv2d)",
    ]


@settings(max_examples=30, deadline=None)
@given(case=conv_cases())
def test_flip_is_true_convolution(case):
    """flip = true equals conv1d with the kernel reversed, same stride, padding and dilation."""
    x, w, _, s, pad, d, groups, _ = case
    keys = {"kernel": w, "stride": s, "padding": pad, "dilation": d, "groups": groups, "flip": True}
    ours = convanim.Scenario(image=x, operation="conv1d", **keys)
    ref = F.conv1d(t(x)[None], t(w[..., ::-1].copy()), None, stride=s, padding=pad, dilation=d, groups=groups)
    np.testing.assert_allclose(ours.output(), ref[0].numpy(), rtol=0, atol=1e-12)
    frames = ours.frames()
    assert len(frames) == ours.n_frames == ours.stages[0].n_steps + 4  # poster, 2 turn frames, final


def test_the_kernel_turns_before_it_slides():
    s = convanim.Scenario(
        image={"values": [0, 1, 3, 2]}, operation="conv1d", kernel={"values": [1, 2, -1]}, flip=True
    )
    frames = s.frames()
    assert "true convolution turns the kernel: first the weights as given" in texts(frames, 1)
    assert texts(frames, 1)[-4:-1] != texts(frames, 2)[-4:-1]
    assert "output[0] = (−1)·0 + 2·1 + 1·3 = 5" in texts(frames, 3)
    assert s.output().tolist() == [5, 7]


def test_the_2d_views_are_refused_for_a_signal():
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(
            image={"values": [1, 2, 3]}, operation="conv1d", kernel={"values": [1]}, view="matrix"
        )
    assert str(err.value) == "view: 'matrix' is drawn for 2-D maps; a signal has its own view"


# ---------------------------------------------------------------- concepts on signals


def test_receptive_field_conv_matrix_and_overlap_of_a_signal():
    x = [0, 1, 3, 2, 5, 4, 1, 0]
    chain = convanim.Scenario(
        image={"values": x},
        stages=[
            {"operation": "conv1d", "kernel": {"values": [1, 2, -1]}, "padding": 1},
            {"operation": "max_pool1d", "kernel_size": 2},
        ],
    )
    field = convanim.receptive_field(chain, (1,))
    assert [m.shape for m in field] == [(8,), (8,), (4,)]
    assert np.flatnonzero(field[0]).tolist() == [1, 2, 3, 4] and np.flatnonzero(field[1]).tolist() == [2, 3]
    one = convanim.Scenario(image={"values": x}, operation="conv1d", kernel={"values": [1, 2, -1]}, padding=1)
    m = convanim.conv_matrix(one)
    assert m.shape == (8, 8)
    np.testing.assert_allclose(m @ np.array(x, float), one.output())
    up = convanim.Scenario(
        image={"values": x[:4]}, operation="conv_transpose1d", kernel={"values": [1, 1, 1]}, stride=2
    )
    ones = F.conv_transpose1d(torch.ones(1, 1, 4), torch.ones(1, 1, 3), stride=2)[0, 0]
    assert convanim.overlap_counts(up).tolist() == ones.int().tolist()
    with pytest.raises(ScenarioError, match=r"^cell: must be \(sample,\) inside the 4 output of stage 1"):
        convanim.receptive_field(chain, (0, 1))


def test_the_last_frame_of_a_layer_writes_every_map():
    s = convanim.load(ROOT / "animations" / "conv1d_channels_stride.toml")
    frames = s.frames()
    last = [sh for sh in frames.visible(len(frames) - 1) if isinstance(sh, Text)]
    for k, g in enumerate(frames.output_grids):
        cells = [t.text for t in last if g.y <= t.y <= g.y + g.cell and g.x <= t.x <= g.x + g.cols * g.cell]
        assert cells == [f"{v:.1f}" for v in s.output()[k]]
    assert s.output().tolist() == [[2, 3, 2, 2, 3], [1.5, 2.5, 3.5, 5.5, 6.5]]


# ---------------------------------------------------------------- chains of signals


def chain_texts(s) -> set[str]:
    frames = s.frames()
    return {sh.text for i in range(len(frames)) for sh in frames.visible(i) if isinstance(sh, Text)}


def test_a_chain_of_signals_reads_as_signals():
    """Samples and taps, [c][i] indices: no 2-D index, no "1×2" size, no "rows"."""
    s = convanim.load(ROOT / "animations" / "conv1d_relu_max_pool1d.toml")
    texts = chain_texts(s)
    assert {"input", "L = 12", "1. conv1d", "2 × 12 samples", "3. max_pool1d", "2 × 6 samples"} <= texts
    assert {
        "conv 1→2, 3 taps",
        "padding 1",
        "max, 2 taps",
        "output 2 × 6 samples: min 0.10, max 3.20",
    } <= texts
    assert "out[0][5] = Σ(in[0]) = 2.30" in texts and "out[1][2] = max of the window = 0.95" in texts
    assert "zoom: input, samples −1 to 1 (outside the map: padding) in its channel" in texts
    assert "zoom: the result's numbers, samples 1 to 3, in each channel" in texts
    for text in texts:
        assert not re.search(r"\d\s*,\s*\d+\]|\d×\d|\brows?\b|\bcols?\b", text), text


def test_the_last_frame_of_a_chain_of_signals_writes_the_output():
    s = convanim.load(ROOT / "animations" / "conv1d_relu_max_pool1d.toml")
    frames = s.frames()
    last = [sh for sh in frames.visible(len(frames) - 1) if isinstance(sh, Text)]
    out = s.output()
    assert out.shape == (2, 6)
    np.testing.assert_allclose(out, [[0.1, 0.2, 2.3, 1.8, 0.1, 0.1], [0.2, 0.15, 0.95, 3.05, 3.2, 3.1]])
    # the zoom writes the result's samples 1 to 3 of each channel, left to right, channel by channel
    zoomed = [t.text for t in sorted(last, key=lambda t: (t.x, t.y)) if re.fullmatch(r"−?\d+\.\d\d", t.text)]
    assert zoomed == [f"{v:.2f}" for v in out[:, 1:4].ravel()]
    assert outside(frames) == []


def test_the_result_strip_of_a_chain_of_signals_is_not_oversized():
    """As much area as the longest map (the legibility rule), not stretched to its length."""
    from convanim.frames.chain_channels import ChannelChainBuilder

    s = convanim.load(ROOT / "animations" / "conv1d_relu_max_pool1d.toml")
    grids = ChannelChainBuilder(s).layout.grids
    cell = grids[0].cell
    assert grids[-1].cols == 6 and grids[-1].cell == int(np.ceil(cell * np.sqrt(2)))


def test_from_torch_sequential_draws_a_chain_of_signals():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.ReLU(), torch.nn.MaxPool1d(2)).double()
    x = torch.linspace(-1, 1, 10, dtype=torch.float64)[None]
    s = from_torch(net, x)
    np.testing.assert_allclose(s.output(), net(x[None])[0].detach().numpy(), rtol=0, atol=1e-12)
    texts = chain_texts(s)
    assert {"L = 10", "1. conv1d", "2 × 8 samples", "3. max_pool1d", "2 × 4 samples", "max, 2 taps"} <= texts
    assert "conv 1→2, 3 taps" in texts and any(t.startswith("output 2 × 4 samples: min ") for t in texts)
    assert any(t.startswith("out[1][3] = ") for t in texts)
    for text in texts:
        assert not re.search(r"\d\s*,\s*\d+\]|\d×\d|\brows?\b|\bcols?\b", text), text
    assert "samples" in s.alt_text and "rows" not in s.alt_text


def test_a_one_channel_chain_of_signals_reads_as_signals():
    """The plainer chain view: conv1d's name, an upsample's ×2, blends of samples, L = 20."""
    s = convanim.Scenario(
        image={"values": [0, 1, 3, 2, 5, 4, 1, 0, 2, 3]},
        stages=[
            {"operation": "conv1d", "kernel": {"values": [1, 2, -1]}, "padding": 1},
            {"operation": "upsample", "scale_factor": 2, "mode": "linear"},
            {"operation": "max_pool1d", "kernel_size": 2},
        ],
    )
    texts = chain_texts(s)
    assert {"input (L = 10)", "2. upsample (L = 20)", "conv1d kernel, 3 taps", "×2", "max, 2 taps"} <= texts
    assert {"output[5] = blend of 2 samples = 4.25", "zoom: the result's numbers, samples 2 to 6"} <= texts
    assert "input, samples 2 to 4" in texts and any(t.startswith("output L = 10: min ") for t in texts)
    for text in texts:
        assert not re.search(r"\d\s*,\s*\d+\]|\d×\d|\brows?\b|\bcols?\b|pixel|conv2d", text), text


def test_a_signal_chains_filters_overview_is_legible():
    """Before and after a layer's own frames its box shows every filter as colour; a signal's
    filter has one row of taps, and the box still gives each tap a cell a projector shows."""
    frames = convanim.load(ROOT / "animations" / "conv1d_relu_max_pool1d.toml").frames()
    cells = [i.shape for i in frames.items if isinstance(i.shape, Rect) and i.shape.fill and i.visible(0)]
    assert min(min(r.w, r.h) for r in cells) >= 13
