"""Channels: every layer's numbers against torch.nn.functional (Python arrays, scenario dicts and
files, from_torch), hand-computed step records, the validation messages and the limits."""

import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import convanim
from convanim.cli import main
from convanim.kernels import make_kernel
from convanim.steps import Map, Pool, Sample, Scatter, Step

from .helpers import ROOT

TOL = {"rtol": 1e-10, "atol": 1e-10}
MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def t(a) -> torch.Tensor:
    """A (C, H, W) array as a float64 batch of one."""
    return torch.tensor(np.array(a, dtype=float))[None]


def rng_values(seed: int, shape) -> np.ndarray:
    """Random values with two decimals, so that sums are easy to read in a failure."""
    return np.round(np.random.default_rng(seed).uniform(-3, 3, size=shape), 2)


def steps(s: convanim.Scenario, stage: int = 0):
    return s.computations[stage].steps


def check_window_records(s: convanim.Scenario) -> None:
    """Every window step's record adds up to the value drawn: Σ products per plane = sums, Σ sums +
    bias = value = output[channel][out]; filter by filter, row-major."""
    comp = s.computations[0]
    stage = s.stages[0]
    n = comp.output.shape[1] * comp.output.shape[2]
    cin = comp.grid.shape[0] // stage.groups
    for i, step in enumerate(comp.steps):
        assert isinstance(step, Step)
        assert step.index == i and step.channel == i // n
        assert step.out == divmod(i % n, comp.output.shape[2])
        group = step.channel // (comp.output.shape[0] // stage.groups)
        assert step.planes == tuple(range(group * cin, (group + 1) * cin))
        np.testing.assert_allclose(step.products.sum(axis=(1, 2)), step.sums, **TOL)
        assert step.value == comp.output[step.channel][step.out]
        assert step.value == pytest.approx(sum(step.sums) + (step.bias or 0.0), rel=1e-10, abs=1e-10)
        expected_bias = None if stage.bias is None else float(stage.bias[step.channel])
        assert step.bias == expected_bias


# ---------------------------------------------------------------- conv2d against torch


@st.composite
def conv_layers(draw):
    """A random conv2d layer: channels, groups (depthwise included), bias, padding, padding mode,
    stride, dilation; and its input."""
    groups = draw(st.integers(1, 3))
    depthwise = draw(st.booleans())
    cin = groups if depthwise else groups * draw(st.integers(1, 3))
    cout = groups * draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    mode = draw(st.sampled_from(list(MODES)))
    pads = draw(
        st.one_of(
            st.tuples(st.integers(0, 2), st.integers(0, 2)).map(lambda p: (p[0], p[0], p[1], p[1])),
            st.tuples(*[st.integers(0, 2)] * 4),
            st.just("same") if stride == (1, 1) else st.just((0, 0, 0, 0)),
        )
    )
    seed = draw(st.integers(0, 2**16))
    bias = rng_values(seed + 2, cout) if draw(st.booleans()) else None
    x = rng_values(seed, (cin, h, w))
    weights = rng_values(seed + 1, (cout, cin // groups, kh, kw))
    return x, weights, bias, groups, stride, dilation, mode, pads


def resolved_pads(pads, weights, dilation):
    """(top, bottom, left, right), "same" as torch places it (the odd cell after)."""
    if pads != "same":
        return pads
    out = []
    for k, d in zip(weights.shape[2:], dilation, strict=True):
        total = d * (k - 1)
        out += [total // 2, total - total // 2]
    return tuple(out)


def torch_conv(x, weights, bias, groups, stride, dilation, mode, pads):
    """torch.nn.Conv2d's computation: F.pad in the padding mode, then F.conv2d."""
    top, bottom, left, right = resolved_pads(pads, weights, dilation)
    padded = F.pad(t(x), (left, right, top, bottom), mode=MODES[mode])
    b = None if bias is None else torch.tensor(bias)
    out = F.conv2d(padded, torch.tensor(weights), b, stride=stride, dilation=dilation, groups=groups)
    return out[0].numpy()


def conv_valid(x, weights, stride, dilation, mode, pads) -> bool:
    """Whether torch accepts the layer (padding within the image for reflect/circular, a kernel
    that fits the padded image)."""
    top, bottom, left, right = resolved_pads(pads, weights, dilation)
    (_, h, w), (kh, kw) = x.shape, weights.shape[2:]
    if mode == "reflect" and (max(top, bottom) >= h or max(left, right) >= w):
        return False
    if mode == "circular" and (max(top, bottom) > h or max(left, right) > w):
        return False
    return dilation[0] * (kh - 1) + 1 <= h + top + bottom and dilation[1] * (kw - 1) + 1 <= w + left + right


def conv_keys(weights, bias, groups, stride, dilation, mode, pads) -> dict:
    keys = {"stride": list(stride), "dilation": list(dilation), "padding_mode": mode, "groups": groups}
    keys["padding"] = pads if pads == "same" else list(pads)
    if bias is not None:
        keys["bias"] = bias.tolist()
    return keys


@settings(max_examples=120, deadline=None)
@given(layer=conv_layers(), batch_axis=st.booleans())
def test_conv2d_with_channels_equals_torch_from_arrays(layer, batch_axis):
    """3-D image and 4-D weights, as numpy arrays (the bias as an array too)."""
    x, weights, bias, groups, stride, dilation, mode, pads = layer
    keys = conv_keys(weights, bias, groups, stride, dilation, mode, pads)
    if bias is not None:
        keys["bias"] = bias
    if not conv_valid(x, weights, stride, dilation, mode, pads):
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=x, kernel=weights, **keys)
        return
    s = convanim.Scenario(image=x, kernel=weights, **keys)
    expected = torch_conv(x, weights, bias, groups, stride, dilation, mode, pads)
    assert s.output().shape == expected.shape == (weights.shape[0], *s.output_shape)
    np.testing.assert_allclose(s.output(), expected, **TOL)
    assert s.n_steps == expected.size and s.n_frames == expected.size + 2
    check_window_records(s)


@settings(max_examples=80, deadline=None)
@given(layer=conv_layers())
def test_conv2d_with_channels_equals_torch_from_filter_tables(layer):
    """The same layers written as a scenario file would: image planes as nested lists, one
    `filters` table per filter with a plane per channel it reads and its bias."""
    x, weights, bias, groups, stride, dilation, mode, pads = layer
    keys = conv_keys(weights, None, groups, stride, dilation, mode, pads)
    filters = [{"values": w.tolist()} for w in weights]
    if bias is not None:
        for table, b in zip(filters, bias, strict=True):
            table["bias"] = float(b)
    scenario = {"image": {"values": x.tolist()}, "filters": filters, **keys}
    if not conv_valid(x, weights, stride, dilation, mode, pads):
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(**scenario)
        return
    s = convanim.Scenario(**scenario)
    np.testing.assert_allclose(
        s.output(), torch_conv(x, weights, bias, groups, stride, dilation, mode, pads), **TOL
    )
    np.testing.assert_array_equal(s.kernel.values, weights)


@settings(max_examples=40, deadline=None)
@given(
    cin=st.integers(1, 4),
    per_group_out=st.integers(1, 3),
    depthwise=st.booleans(),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    with_bias=st.booleans(),
)
def test_out_channels_random_init_is_seeded_torch_like_and_computed_as_torch(
    cin, per_group_out, depthwise, k, seed, with_bias
):
    """`out_channels` draws weights uniform in ±1/√fan_in (PyTorch's default), rounded to two
    decimals, the same for the same seed; the output is conv2d with them."""
    groups = cin if depthwise else 1
    keys = {
        "image": {"pattern": "random", "size": 5, "channels": cin, "seed": seed % 1000},
        "out_channels": groups * per_group_out,
        "kernel_size": k,
        "seed": seed,
        "groups": groups,
        "padding": "same",
    }
    if with_bias:
        keys["bias"] = True
    s = convanim.Scenario(**keys)
    w = s.kernel.values
    assert w.shape == (groups * per_group_out, cin // groups, k, k)
    bound = 1 / np.sqrt(cin // groups * k * k)
    assert np.all(np.abs(w) <= round(bound, 2) + 1e-12)
    np.testing.assert_array_equal(np.round(w, 2), w)  # what is drawn is what is used
    assert (s.bias is not None) == with_bias
    if with_bias:
        assert s.bias.shape == (groups * per_group_out,) and np.all(np.abs(s.bias) <= round(bound, 2) + 1e-12)
    again = convanim.Scenario(**keys)
    np.testing.assert_array_equal(again.kernel.values, w)
    b = None if s.bias is None else torch.tensor(np.array(s.bias))
    pads = resolved_pads("same", w, (1, 1))
    expected = F.conv2d(
        F.pad(t(s.image.values), (pads[2], pads[3], pads[0], pads[1])),
        torch.tensor(np.array(w)),
        b,
        groups=groups,
    )[0].numpy()
    np.testing.assert_allclose(s.output(), expected, **TOL)


def test_out_channels_seeds_give_different_weights_and_a_fixed_golden_draw():
    one = convanim.Scenario(image=np.zeros((2, 3, 3)), out_channels=2, kernel_size=1, seed=0)
    two = convanim.Scenario(image=np.zeros((2, 3, 3)), out_channels=2, kernel_size=1, seed=1)
    assert not np.array_equal(one.kernel.values, two.kernel.values)
    expected = np.round(np.random.default_rng(0).uniform(-1 / np.sqrt(2), 1 / np.sqrt(2), (2, 2, 1, 1)), 2)
    np.testing.assert_array_equal(one.kernel.values, expected + 0.0)


# ---------------------------------------------------------------- conv_transpose2d against torch


@st.composite
def transposed_layers(draw):
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 2))
    per_group_out = draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    out_pad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True))
    seed = draw(st.integers(0, 2**16))
    bias = rng_values(seed + 2, groups * per_group_out) if draw(st.booleans()) else None
    x = rng_values(seed, (cin, h, w))
    weights = rng_values(seed + 1, (cin, per_group_out, kh, kw))
    return x, weights, bias, groups, stride, dilation, padding, out_pad


@settings(max_examples=120, deadline=None)
@given(layer=transposed_layers(), view=st.sampled_from(["scatter", "direct"]), tables=st.booleans())
def test_conv_transpose2d_with_channels_equals_torch_in_both_views(layer, view, tables):
    """'direct' alone on grids of numbers; 'scatter' in a chain (then ReLU), the picture view that
    draws a transposed layer with channels that way."""
    x, weights, bias, groups, stride, dilation, padding, out_pad = layer
    sizes = [
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, s, p, d, k, op in zip(
            x.shape[1:], stride, padding, dilation, weights.shape[2:], out_pad, strict=True
        )
    ]
    stage = {
        "operation": "conv_transpose2d",
        "stride": list(stride),
        "dilation": list(dilation),
        "padding": list(padding),
        "output_padding": list(out_pad),
        "groups": groups,
        "transpose_view": view,
    }
    if tables:  # one filter table per input channel, each with C_out/groups planes
        image = {"values": x.tolist()}
        stage["filters"] = [{"values": plane.tolist()} for plane in weights]
        if bias is not None:
            stage["bias"] = bias.tolist()
    else:
        image, stage["kernel"] = x, weights
        if bias is not None:
            stage["bias"] = bias
    if view == "direct":
        keys = {"image": image, **stage}
    else:
        keys = {"image": image, "stages": [stage, {"operation": "relu"}]}
    direct_ok = all(p <= d * (k - 1) for p, d, k in zip(padding, dilation, weights.shape[2:], strict=True))
    if min(sizes) < 1 or (view == "direct" and not direct_ok):
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(**keys)
        return
    s = convanim.Scenario(**keys)
    b = None if bias is None else torch.tensor(bias)
    expected = F.conv_transpose2d(t(x), torch.tensor(weights), b, stride, padding, out_pad, groups, dilation)
    expected = expected[0].numpy()
    out = s.computations[0].output
    assert out.shape == expected.shape == (s.stages[0].out_channels, *sizes)
    np.testing.assert_allclose(out, expected, **TOL)
    records = steps(s)
    if view == "scatter":
        np.testing.assert_allclose(s.output(), np.maximum(expected, 0), **TOL)
        assert len(records) == x.size and all(isinstance(r, Scatter) for r in records)
        per_group = weights.shape[1]
        for i, r in enumerate(records):
            ch, rest = divmod(i, x.shape[1] * x.shape[2])
            assert (r.index, r.channel, r.src) == (i, ch, divmod(rest, x.shape[2]))
            g = ch // (x.shape[0] // groups)
            assert r.targets == tuple(range(g * per_group, (g + 1) * per_group))
            np.testing.assert_allclose(r.products, x[ch][r.src] * weights[ch], **TOL)
    else:
        np.testing.assert_allclose(s.output(), expected, **TOL)
        check_window_records(s)


# ---------------------------------------------------------------- per-channel pools, upsampling, ReLU


@settings(max_examples=80, deadline=None)
@given(
    c=st.integers(1, 3),
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    s=st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    p=st.integers(0, 1),
    d=st.integers(1, 2),
    ceil=st.booleans(),
    op=st.sampled_from(["max", "avg"]),
    cip=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_pools_run_per_channel_as_torch(c, h, w, k, s, p, d, ceil, op, cip, seed):
    x = rng_values(seed, (c, h, w))
    keys = {"operation": f"{op}_pool2d", "kernel_size": list(k), "padding": p, "ceil_mode": ceil}
    if s is not None:
        keys["stride"] = list(s)
    if op == "max":
        keys["dilation"] = d
        call = lambda: F.max_pool2d(t(x), k, s, p, d, ceil_mode=ceil)  # noqa: E731
    else:
        keys["count_include_pad"] = cip
        call = lambda: F.avg_pool2d(t(x), k, s, p, ceil_mode=ceil, count_include_pad=cip)  # noqa: E731
    try:
        expected = call()[0].numpy()
    except RuntimeError:  # torch refuses the layer: so must convanim
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=x, **keys)
        return
    sc = convanim.Scenario(image=x, **keys)
    assert sc.output().shape == expected.shape
    np.testing.assert_allclose(sc.output(), expected, **TOL)
    per_plane = expected.shape[1] * expected.shape[2]
    for i, step in enumerate(steps(sc)):
        assert isinstance(step, Pool) and step.index == i and step.channel == i // per_plane
        assert step.value == sc.output()[step.channel][step.out]


@settings(max_examples=60, deadline=None)
@given(
    c=st.integers(1, 3),
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    mode=st.sampled_from(["nearest", "bilinear"]),
    align=st.booleans(),
    factor=st.sampled_from([1.5, 2, 3, [2, 1], [1.5, 2.5]]),
    size=st.tuples(st.integers(1, 8), st.integers(1, 8)),
    by_size=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_upsampling_runs_per_channel_as_torch(c, h, w, mode, align, factor, size, by_size, seed):
    x = rng_values(seed, (c, h, w))
    keys, torch_keys = {"operation": "upsample", "mode": mode}, {"mode": mode}
    if mode == "bilinear":
        keys["align_corners"] = torch_keys["align_corners"] = align
    if by_size:
        keys["size"], torch_keys["size"] = list(size), size
    else:
        pair = tuple(float(v) for v in factor) if isinstance(factor, list) else (float(factor),) * 2
        keys["scale_factor"], torch_keys["scale_factor"] = factor, pair
    expected = F.interpolate(t(x), **torch_keys)[0].numpy()
    if 0 in expected.shape:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=x, **keys)
        return
    sc = convanim.Scenario(image=x, **keys)
    np.testing.assert_allclose(sc.output(), expected, **TOL)
    per_plane = expected.shape[1] * expected.shape[2]
    for i, step in enumerate(steps(sc)):
        assert isinstance(step, Sample) and step.channel == i // per_plane
        blend = sum(wt * x[step.channel][cell] for cell, wt in zip(step.cells, step.weights, strict=True))
        assert blend == pytest.approx(step.value, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(c=st.integers(1, 4), h=st.integers(1, 5), w=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_relu_runs_on_every_channel_as_torch(c, h, w, seed):
    x = rng_values(seed, (c, h, w))
    sc = convanim.Scenario(image=x, operation="relu")
    np.testing.assert_array_equal(sc.output(), F.relu(t(x))[0].numpy())
    (step,) = steps(sc)
    assert isinstance(step, Map)
    np.testing.assert_array_equal(step.changed, x < 0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), groups=st.sampled_from([1, 2]), view=st.sampled_from(["scatter"]))
def test_a_chain_with_channels_equals_torch_applied_in_order(seed, groups, view):
    """conv 2 → 4 (groups, bias, reflect) → ReLU → max pool → transposed 4 → 2 → upsample →
    avg pool, from a scenario dict with `out_channels` random init and filter tables."""
    x = rng_values(seed, (2, 7, 6))
    tables = [{"values": rng_values(seed + i, (2 // groups, 2, 2)).tolist()} for i in range(4)]
    s = convanim.Scenario(
        image=x,
        stages=[
            {"operation": "conv2d", "out_channels": 4, "kernel_size": 3, "seed": seed, "bias": True,
             "groups": groups, "padding": 1, "padding_mode": "reflect"},
            {"operation": "relu"},
            {"operation": "max_pool2d", "kernel_size": 2, "ceil_mode": True},
            {"operation": "conv_transpose2d", "filters": tables, "stride": 2, "groups": groups,
             "transpose_view": view, "bias": [0.5, -0.25]},
            {"operation": "upsample", "mode": "bilinear", "scale_factor": 1.5},
            {"operation": "avg_pool2d", "kernel_size": 2, "padding": 1, "count_include_pad": False},
        ],
    )  # fmt: skip
    first, _, _, third = s.stages[:4]
    y = F.pad(t(x), (1, 1, 1, 1), mode="reflect")
    y = F.conv2d(
        y, torch.tensor(np.array(first.kernel.values)), torch.tensor(np.array(first.bias)), groups=groups
    )
    y = F.max_pool2d(F.relu(y), 2, ceil_mode=True)
    w = torch.tensor(np.array([tb["values"] for tb in tables]))
    y = F.conv_transpose2d(y, w, torch.tensor([0.5, -0.25]), stride=2, groups=groups)
    y = F.interpolate(y, scale_factor=1.5, mode="bilinear", align_corners=False)
    y = F.avg_pool2d(y, 2, padding=1, count_include_pad=False)
    assert third.out_channels == 2 and s.output().shape == y[0].shape
    np.testing.assert_allclose(s.output(), y[0].numpy(), **TOL)


# ---------------------------------------------------------------- hand-computed


HAND_X = [[[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]]]
HAND_W = [[[[1, 0], [0, -1]], [[0, 1], [1, 0]]], [[[1, 1], [1, 1]], [[-1, 0], [0, 2]]]]
HAND_B = [0.5, -1.0]
# (channel, out, per-plane sums, value): filter 0 sweeps the image, then filter 1
HAND_STEPS = [
    (0, (0, 0), (0.0, 3.0), 3.5),  # 1·1 − 1·1 = 0 in plane 0; 1 + 2 = 3 in plane 1; + 0.5
    (0, (0, 1), (-1.0, 1.0), 0.5),  # 2 − 3; 1 + 0
    (0, (1, 0), (0.0, 1.0), 1.5),  # 0 − 0; 0 + 1
    (0, (1, 1), (0.0, 2.0), 2.5),  # 1 − 1; 1 + 1
    (1, (0, 0), (4.0, 0.0), 3.0),  # 1 + 2 + 0 + 1; −0 + 2·0; − 1
    (1, (0, 1), (6.0, 1.0), 6.0),  # 2 + 0 + 1 + 3; −1 + 2·1
    (1, (1, 0), (3.0, 0.0), 2.0),  # 0 + 1 + 2 + 0; −2 + 2·1
    (1, (1, 1), (5.0, 0.0), 4.0),  # 1 + 3 + 0 + 1; −0 + 2·0
]
HAND_TOML = """
[image]
values = [[[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]]]
names = ["A", "B"]

[[filters]]
values = [[[1, 0], [0, -1]], [[0, 1], [1, 0]]]
bias = 0.5

[[filters]]
values = [[[1, 1], [1, 1]], [[-1, 0], [0, 2]]]
bias = -1
"""


def hand_scenarios(tmp_path):
    path = tmp_path / "hand.toml"
    path.write_text(HAND_TOML)
    api = convanim.Scenario(image=np.array(HAND_X, float), kernel=np.array(HAND_W, float), bias=HAND_B)
    return api, convanim.load(path)


def test_a_two_channel_layer_computed_by_hand(tmp_path):
    for s in hand_scenarios(tmp_path):
        np.testing.assert_array_equal(s.output(), [[[3.5, 0.5], [1.5, 2.5]], [[3.0, 6.0], [2.0, 4.0]]])
        records = steps(s)
        assert [(r.channel, r.out, r.sums, r.value) for r in records] == HAND_STEPS
        assert [r.index for r in records] == list(range(8))
        assert all(r.planes == (0, 1) for r in records)
        assert [r.bias for r in records] == [0.5] * 4 + [-1.0] * 4
        five = records[5]  # filter 1 at (0, 1)
        np.testing.assert_array_equal(five.rows, [0, 1])
        np.testing.assert_array_equal(five.cols, [1, 2])
        np.testing.assert_array_equal(five.inputs, [[[2, 0], [1, 3]], [[1, 1], [0, 1]]])
        np.testing.assert_array_equal(five.products, [[[2, 0], [1, 3]], [[-1, 0], [0, 2]]])
        assert s.n_steps == 8 and s.n_frames == 10
        assert s.layered and s.stages[0].out_channels == 2
    assert hand_scenarios(tmp_path)[1].image.names == ("A", "B")


def test_depthwise_and_pointwise_layers_computed_by_hand():
    x = np.array(HAND_X, float)
    depthwise = convanim.Scenario(
        image=x, kernel=np.array([[[[1, 0], [0, -1]]], [[[-1, 0], [0, 2]]]], float), groups=2
    )
    np.testing.assert_array_equal(depthwise.output(), [[[0, -1], [0, 0]], [[0, 1], [0, 0]]])
    assert [r.planes for r in steps(depthwise)] == [(0,)] * 4 + [(1,)] * 4
    assert [r.sums for r in steps(depthwise)][5] == (1.0,)
    # one `kernel` plane with groups = channels: the same plane on every channel
    shared = convanim.Scenario(image={"values": HAND_X}, kernel={"values": [[1, 1], [1, 1]]}, groups=2)
    np.testing.assert_array_equal(shared.output(), [[[4, 6], [3, 5]], [[3, 3], [4, 2]]])
    # 1×1: a weighted sum across the channels at each pixel, 2·A − B + 0.5
    pointwise = convanim.Scenario(
        image={"values": HAND_X}, filters=[{"values": [[[2]], [[-1]]], "bias": 0.5}]
    )
    np.testing.assert_array_equal(
        pointwise.output(), [[[2.5, 3.5, -0.5], [-1.5, 2.5, 5.5], [3.5, -0.5, 2.5]]]
    )
    assert steps(pointwise)[4].sums == (2.0, -0.0) and steps(pointwise)[4].value == 2.5


def test_filter_presets_per_plane_and_one_preset_for_every_plane():
    x = np.array(HAND_X, float)
    s = convanim.Scenario(
        image=x, filters=[{"presets": ["sobel_x", "sobel_y"]}, {"preset": "mean"}], padding=1
    )
    w = np.stack([
        np.stack([make_kernel("sobel_x", (3, 3), 1.0), make_kernel("sobel_y", (3, 3), 1.0)]),
        np.stack([make_kernel("mean", (3, 3), 1.0)] * 2),
    ])  # fmt: skip
    np.testing.assert_array_equal(s.kernel.values, w)
    np.testing.assert_allclose(s.output(), F.conv2d(t(x), torch.tensor(w), padding=1)[0].numpy(), **TOL)


def test_a_transposed_layer_with_channels_computed_by_hand():
    """Two input pixels (one per channel) scatter onto two output maps: out[k] = Σ_c x[c]·w[c][k] + b[k].
    On grids of numbers it is drawn as the equivalent convolution of the zero-inserted input."""
    x = np.array([[[2.0]], [[-1.0]]])
    w = np.array([[[[1, 2]], [[0, 1]]], [[[3, 0]], [[1, 1]]]], float)  # (C_in 2, C_out 2, 1, 2)
    keys = {"kernel": w, "bias": [0.25, 0.0], "operation": "conv_transpose2d"}
    s = convanim.Scenario(image=x, **keys)
    # out[0] = 2·[1, 2] − [3, 0] + 0.25; out[1] = 2·[0, 1] − [1, 1]
    np.testing.assert_array_equal(s.output(), [[[-0.75, 4.25]], [[-1.0, 1.0]]])
    # direct view: grid [0, 2, 0] and [0, −1, 0]; filter k's plane c is w[c][k] rotated
    assert s.transpose_view == "direct"
    np.testing.assert_array_equal(s.computations[-1].grid, [[[0, 2, 0]], [[0, -1, 0]]])
    records = [(r.channel, r.out, r.sums, r.value, r.bias) for r in steps(s)]
    assert records == [
        (0, (0, 0), (2.0, -3.0), -0.75, 0.25),  # [0, 2]·[2, 1]; [0, −1]·[0, 3]
        (0, (0, 1), (4.0, 0.0), 4.25, 0.25),  # [2, 0]·[2, 1]; [−1, 0]·[0, 3]
        (1, (0, 0), (0.0, -1.0), -1.0, 0.0),  # [0, 2]·[1, 0]; [0, −1]·[1, 1]
        (1, (0, 1), (2.0, -1.0), 1.0, 0.0),  # [2, 0]·[1, 0]; [−1, 0]·[1, 1]
    ]
    # scatter view, in a chain: each pixel adds value × its weights onto both maps
    chain = convanim.Scenario(image=x, stages=[{**keys, "transpose_view": "scatter"}, {"operation": "relu"}])
    first, second = steps(chain)
    assert (first.channel, first.targets, first.value) == (0, (0, 1), 2.0)
    np.testing.assert_array_equal(first.totals, [[[2.25, 4.25]], [[0, 2]]])
    np.testing.assert_array_equal(second.products, [[[-3, 0]], [[-1, -1]]])
    np.testing.assert_array_equal(second.totals, s.output())
    np.testing.assert_array_equal(chain.output(), [[[0.0, 4.25]], [[0.0, 1.0]]])


# ---------------------------------------------------------------- from_torch


def run(layer, x):
    """layer(x) in float64 (torch warns once about even kernels with padding="same")."""
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return layer.double()(x.double()).numpy()


def sample(c, h=6, w=5, seed=0):
    return torch.tensor(rng_values(seed, (c, h, w)))


MODULES = [
    lambda: nn.Conv2d(3, 4, 3),
    lambda: nn.Conv2d(3, 4, (2, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2), bias=False),
    lambda: nn.Conv2d(3, 6, 3, padding="same", padding_mode="reflect", groups=3),
    lambda: nn.Conv2d(4, 2, 2, padding="same", padding_mode="circular", dilation=2, groups=2),
    lambda: nn.Conv2d(3, 2, 3, stride=2, padding=2, padding_mode="replicate"),
    lambda: nn.Conv2d(3, 2, 1),
    lambda: nn.Conv2d(3, 2, 3, padding="valid"),
    lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
    lambda: nn.ConvTranspose2d(4, 2, (2, 3), stride=(1, 2), dilation=(2, 1), groups=2, bias=False),
    lambda: nn.MaxPool2d(2),
    lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
    lambda: nn.MaxPool2d((2, 3), stride=(1, 2), dilation=(2, 1)),
    lambda: nn.AvgPool2d(2),
    lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    lambda: nn.Upsample(scale_factor=2),
    lambda: nn.Upsample(scale_factor=(1.5, 2), mode="bilinear"),
    lambda: nn.Upsample(size=(7, 4), mode="bilinear", align_corners=True),
    lambda: nn.Upsample(size=9),
    lambda: nn.Upsample(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True),
    lambda: nn.Upsample(scale_factor=1.7, mode="nearest", recompute_scale_factor=True),
    lambda: nn.ReLU(),
]


@pytest.mark.parametrize("make", MODULES)
@pytest.mark.parametrize("batch", [False, True])
def test_from_torch_equals_the_module(make, batch):
    torch.manual_seed(0)
    layer = make().double()
    x = sample(getattr(layer, "in_channels", 3))
    s = convanim.from_torch(layer, x[None] if batch else x)
    expected = run(layer, x[None])[0]
    assert s.output().shape == expected.shape
    np.testing.assert_allclose(s.output(), expected, rtol=1e-12, atol=1e-12)
    if not isinstance(layer, nn.Upsample):  # which reads a 3-D tensor as a batch of 1-D signals
        np.testing.assert_allclose(s.output(), run(layer, x), rtol=1e-12, atol=1e-12)


def test_from_torch_reads_the_layer_settings_into_the_scenario():
    torch.manual_seed(1)
    layer = nn.Conv2d(
        4, 6, (3, 2), stride=(1, 2), padding=(2, 1), dilation=2, groups=2, padding_mode="reflect"
    )
    s = convanim.from_torch(layer, sample(4, 7, 7))
    np.testing.assert_array_equal(s.kernel.values, layer.weight.detach().double().numpy())
    np.testing.assert_array_equal(s.bias, layer.bias.detach().double().numpy())
    assert s.kernel.values.dtype == np.float64 and s.bias.dtype == np.float64
    assert (s.stride, s.padding, s.dilation, s.groups, s.padding_mode) == (
        (1, 2),
        (2, 2, 1, 1),
        (2, 2),
        2,
        "reflect",
    )
    assert (s.image.channels, s.stages[0].out_channels, s.operations) == (4, 6, "conv2d")
    # a float32 layer: its weights as float64, the numbers those of the float64 layer
    with torch.no_grad():
        expected = layer.double()(sample(4, 7, 7)).numpy()
    np.testing.assert_allclose(s.output(), expected, rtol=1e-12, atol=1e-12)
    # x as a numpy array, or a tensor that requires grad: the same scenario
    np.testing.assert_array_equal(convanim.from_torch(layer, sample(4, 7, 7).numpy()).output(), s.output())
    graded = sample(4, 7, 7).requires_grad_(True)
    np.testing.assert_array_equal(convanim.from_torch(layer, graded).output(), s.output())


def test_from_torch_a_sequential_equals_the_network_and_keeps_the_scenario_keys():
    torch.manual_seed(2)
    net = nn.Sequential(
        nn.Conv2d(3, 5, 3, padding=1), nn.ReLU(), nn.Conv2d(5, 2, 3), nn.ReLU(), nn.MaxPool2d(2)
    )
    x = torch.rand(1, 3, 8, 8)  # float32, a batch of one
    s = convanim.from_torch(
        net,
        x,
        title="3 → 5 → 2",
        caption="as PyTorch",
        name="net",
        timing={"step_ms": 80},
        render={"values": False},
    )
    with torch.no_grad():
        expected = net.double()(x.double())[0].numpy()
    assert s.output().shape == (2, 3, 3)
    np.testing.assert_allclose(s.output(), expected, rtol=1e-12, atol=1e-12)
    assert s.operations == "conv2d → relu → conv2d → relu → max_pool2d" and s.picture
    assert (s.title, s.caption, s.name, s.timing.step_ms, s.render.values) == (
        "3 → 5 → 2",
        "as PyTorch",
        "net",
        80,
        False,
    )
    assert [st.out_channels for st in s.stages] == [5, 5, 2, 2, 2]
    np.testing.assert_array_equal(s.stages[2].kernel.values, net[2].weight.detach().double().numpy())


def test_from_torch_flattens_nested_sequentials_and_draws_a_transposed_layer_directly():
    torch.manual_seed(3)
    net = nn.Sequential(
        nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU()), nn.Sequential(nn.Upsample(scale_factor=2))
    )
    x = sample(2)
    s = convanim.from_torch(net, x)
    assert s.operations == "conv2d → relu → upsample"
    np.testing.assert_allclose(s.output(), run(net, x[None])[0], rtol=1e-12, atol=1e-12)
    one = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    direct = convanim.from_torch(one, x, transpose_view="direct")
    assert direct.transpose_view == "direct"
    np.testing.assert_allclose(direct.output(), run(one, x), rtol=1e-12, atol=1e-12)
    single = convanim.from_torch(nn.Sequential(one), x)  # a Sequential of one layer: a grid of numbers
    assert not single.picture
    np.testing.assert_allclose(single.output(), run(one, x), rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(layer=conv_layers(), transposed=transposed_layers(), which=st.booleans())
def test_from_torch_random_convolutions_equal_the_module(layer, transposed, which):
    if which:
        x, weights, bias, groups, stride, dilation, mode, pads = layer
        if pads != "same" and (pads[0] != pads[1] or pads[2] != pads[3]):
            pads = (pads[0], pads[0], pads[2], pads[2])  # Conv2d pads symmetrically
        module = nn.Conv2d(
            x.shape[0], weights.shape[0], weights.shape[2:], stride, pads if pads == "same" else (pads[0], pads[2]),
            dilation, groups, bias is not None, mode,
        )  # fmt: skip
        if not conv_valid(x, weights, stride, dilation, mode, pads):  # torch refuses it too
            with pytest.raises(RuntimeError):
                run(module, torch.tensor(x))
            with pytest.raises(convanim.ScenarioError):
                convanim.from_torch(module, torch.tensor(x))
            return
    else:
        x, weights, bias, groups, stride, dilation, padding, out_pad = transposed
        module = nn.ConvTranspose2d(
            x.shape[0], weights.shape[1] * groups, weights.shape[2:], stride, padding, out_pad, groups,
            bias is not None, dilation,
        )  # fmt: skip
        sizes = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in zip(
            x.shape[1:], stride, padding, dilation, weights.shape[2:], out_pad, strict=True)]  # fmt: skip
        if min(sizes) < 1:
            with pytest.raises(convanim.ScenarioError, match="leaves no output"):
                convanim.from_torch(module, torch.tensor(x))
            return
        layered = x.shape[0] > 1 or weights.shape[1] * groups > 1 or bias is not None
        too_far = any(p > d * (k - 1) for p, d, k in zip(padding, dilation, weights.shape[2:], strict=True))
        if layered and too_far:  # drawn as the equivalent convolution, which cannot crop more
            with pytest.raises(convanim.ScenarioError, match=r"^padding: a transposed layer with channels"):
                convanim.from_torch(module, torch.tensor(x))
            return
    with torch.no_grad():
        module.weight.copy_(torch.tensor(weights))
        if bias is not None:
            module.bias.copy_(torch.tensor(bias))
    s = convanim.from_torch(module, torch.tensor(x))
    np.testing.assert_allclose(s.output(), run(module, torch.tensor(x)), **TOL)


class Doubler(nn.Module):
    def forward(self, x):
        return 2 * x


SUPPORTED = (
    "supported: Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Conv1d, ConvTranspose1d, MaxPool1d, "
    "AvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Hardtanh, ReLU6, Identity, Dropout, BatchNorm2d"
)
GRAPH_SUPPORTED = SUPPORTED.replace("supported: ", "supported: modules ") + (
    "; functions torch.cat, torch.concat, +, torch.add, F.relu, F.relu6, F.leaky_relu, F.gelu, "
    "F.hardtanh, torch.sigmoid, torch.tanh, F.dropout (eval), F.max_pool2d, F.avg_pool2d, F.max_pool1d, "
    "F.avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_max_pool2d, F.interpolate, F.conv2d, "
    "F.conv_transpose2d, F.conv1d, F.conv_transpose1d, F.batch_norm (eval); methods relu, sigmoid, tanh, add, contiguous, clone"
)


@pytest.mark.parametrize(
    ("layer", "x", "message"),
    [
        (
            lambda: nn.Sequential(nn.Conv2d(3, 3, 1), nn.ReLU(), nn.BatchNorm2d(3)),
            (3, 4, 4),
            "from_torch: node '_2' (call_module BatchNorm2d) in training mode normalises by the batch's "
            "statistics; call model.eval() first",
        ),
        (lambda: nn.Linear(4, 2), (3, 4, 4), f"from_torch: Linear cannot be drawn; {SUPPORTED}"),
        (
            lambda: nn.Sequential(nn.ReLU(), nn.Sequential(nn.ReLU(), nn.Flatten())),
            (3, 4, 4),
            f"from_torch: node '_1_1' (call_module Flatten) cannot be drawn; {SUPPORTED}",
        ),
        (
            lambda: nn.Sequential(Doubler()),
            (3, 4, 4),
            f"from_torch: node 'mul' (call_function *) cannot be drawn; {GRAPH_SUPPORTED}",
        ),
        (
            lambda: nn.ReLU(),
            (2, 3, 4, 4),
            "from_torch: x is a batch of 2 (shape (2, 3, 4, 4)); give one sample, (C, H, W) or (1, C, H, W)",
        ),
        (lambda: nn.ReLU(), (4, 4), "from_torch: x must have shape (C, H, W) or (1, C, H, W) (got (4, 4))"),
        (
            lambda: nn.AvgPool2d(2, divisor_override=3),
            (3, 4, 4),
            "from_torch: AvgPool2d with divisor_override=3 cannot be drawn; the mean divides by the window "
            "(count_include_pad chooses whether padding counts)",
        ),
        (
            lambda: nn.Sequential(nn.MaxPool2d(2, return_indices=True)),
            (3, 4, 4),
            "from_torch: node '_0' (call_module MaxPool2d) with return_indices=True cannot be drawn; the indices "
            "are not a picture",
        ),
        (
            lambda: nn.Upsample(scale_factor=2, mode="bicubic"),
            (3, 4, 4),
            "from_torch: Upsample with mode 'bicubic' cannot be drawn; supported: nearest, bilinear (linear on a signal)",
        ),
        (
            lambda: nn.Sequential(nn.Conv2d(3, 5, 3), nn.Conv2d(4, 2, 1)),
            (3, 4, 4),
            "from_torch: node '_1' (call_module Conv2d) takes 4 input channels, but its input has 5",
        ),
        (
            lambda: nn.Sequential(),
            (3, 4, 4),
            "from_torch: the Sequential is empty; give it at least one layer",
        ),
        (
            lambda: nn.Sequential(nn.ReLU(), nn.Upsample()),
            (3, 4, 4),
            "from_torch: node '_1' (call_module Upsample) has neither size nor scale_factor; give one, as torch needs",
        ),
        (
            lambda: nn.LazyConv2d(2, 3),
            (3, 4, 4),
            "from_torch: LazyConv2d is not initialised yet; run it once on an input first",
        ),
        (
            lambda: nn.Conv2d(3, 2, 5),
            (3, 4, 4),
            "kernel.values: the 5×5 kernel is larger than the 4×4 image; padding = 1 would make it fit",
        ),
        (
            lambda: nn.Sequential(nn.Conv2d(3, 3, 1), nn.MaxPool2d(2, padding=2)),
            (3, 4, 4),
            "stages[1].padding: must be at most half the window, as in PyTorch (2 > 1 for a 2-wide window)",
        ),
    ],
)
def test_from_torch_refuses_what_it_cannot_draw_in_one_line(layer, x, message):
    with pytest.raises(convanim.ConvanimError) as err:
        convanim.from_torch(layer(), torch.zeros(x))
    assert str(err.value) == message


def test_from_torch_refuses_keys_that_the_layer_sets_and_big_values_and_big_layers():
    conv = nn.Conv2d(2, 3, 2).double()
    x = torch.zeros(2, 4, 4)
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(conv, x, stride=2)
    assert str(err.value) == "from_torch: `stride` comes from the layer and its input; it cannot be given too"
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(conv, x, transpose_view="direct")
    assert str(err.value) == "transpose_view: only applies to a layer with a ConvTranspose2d"
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(conv, torch.zeros(2, 4, 4, dtype=torch.complex64))
    assert str(err.value) == "from_torch: x must hold real numbers (got dtype torch.complex64)"
    with torch.no_grad():
        conv.weight[1, 0, 1, 0] = -2e12
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(nn.Sequential(nn.ReLU(), conv), x)
    assert str(err.value) == "stages[1].kernel[1][0][1][0]: must be between -1e12 and 1e12 (got -2e+12)"
    with torch.no_grad():
        conv.weight[1, 0, 1, 0], conv.bias[2] = 0.0, 1e13
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(conv, x)
    assert str(err.value) == "bias[2]: must be between -1e12 and 1e12, so sums stay exact enough (got 1e+13)"
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(nn.ReLU(), torch.full((1, 2, 2), float("nan")))
    assert str(err.value) == "image[0][0][0]: must be a finite number (got nan)"
    with pytest.raises(convanim.LimitError) as err:
        convanim.from_torch(nn.Conv2d(3, 64, 3), torch.zeros(3, 40, 40))
    assert str(err.value) == (
        "image: a 3×40×40 image needs 92,418 frames (92,416 steps); the limit is 5,000 (raise it with --max-frames)"
    )
    big = convanim.from_torch(
        nn.Conv2d(3, 64, 3), torch.zeros(3, 40, 40), limits=convanim.Limits(100_000, 10**6, 10**8)
    )
    assert big.n_steps == 64 * 38 * 38


def test_torch_is_imported_only_by_from_torch():
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        import convanim
        s = convanim.Scenario(image=np.ones((3, 4, 4)), out_channels=2, kernel_size=3, bias=True)
        s.output(), s.to_bytes("gif"), s.to_html()
        import convanim.cli, convanim.export
        assert "torch" not in sys.modules, "torch was imported"
        try:
            convanim.from_torch(None, None)
        except Exception:
            pass
        assert "torch" in sys.modules
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


# ---------------------------------------------------------------- validation messages

RGB = "[image]\nvalues = [[[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]], [[1, 1, 1], [0, 0, 0], [1, 0, 1]]]\n"
P3 = "[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[1, 1], [0, 0]]"  # three 2×2 planes
P2 = "[[1, 0], [0, 1]], [[0, 1], [1, 0]]"
P1 = "[[1, 0], [0, 1]]"


def rgb(text: str) -> str:
    """A scenario file on the 3-channel image: ``text``'s top-level keys first, then its tables."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
    return "\n".join(lines[:first]) + "\n" + RGB + "\n".join(lines[first:])


RULES = [
    (rgb(f"[[filters]]\nvalues = [{P3}]\n[[filters]]\nvalues = [{P2}]\n"),
     "filters[1].values: 2 planes, but the input has 3 channels (groups = 1)"),
    (rgb(f"groups = 3\n[[filters]]\nvalues = [{P2}]\n"),
     "filters[0].values: 2 planes, but each group reads 1 of the input's 3 channels (groups = 3)"),
    (rgb('[[filters]]\npresets = ["mean", "mean"]\n'),
     "filters[0].presets: 2 planes, but the input has 3 channels (groups = 1)"),
    (rgb(f"groups = 2\n[[filters]]\nvalues = [{P3}]\n"),
     "groups: must divide the input's 3 channels (got groups = 2)"),
    (rgb(f"groups = 3\n[[filters]]\nvalues = [{P1}]\n[[filters]]\nvalues = [{P1}]\n"),
     "filters: 2 filters, but groups = 3 needs a multiple of 3"),
    (rgb(f"bias = [1, 2, 3]\n[[filters]]\nvalues = [{P3}]\n[[filters]]\nvalues = [{P3}]\n"),
     "bias: 3 values, but the layer has 2 output channels"),
    (rgb(f"[[filters]]\nvalues = [{P3}]\nbias = 1\n[[filters]]\nvalues = [{P3}]\n"),
     "filters[1].bias: is missing; give every filter a bias, or none"),
    (rgb(f"bias = [1]\n[[filters]]\nvalues = [{P3}]\nbias = 1\n"),
     "bias: is given in each filter table already"),
    (rgb(f"bias = true\n[[filters]]\nvalues = [{P3}]\n"),
     "bias: true/false only applies to random weights; give the numbers"),
    (rgb('out_channels = 2\nkernel_size = 2\n[kernel]\npreset = "mean"\n'),
     "out_channels: give only one of `kernel`, `filters` or `out_channels` (got `kernel` and `out_channels`)"),
    (rgb(f"out_channels = 2\n[[filters]]\nvalues = [{P3}]\n"),
     "out_channels: give only one of `kernel`, `filters` or `out_channels` (got `filters` and `out_channels`)"),
    (rgb("out_channels = 2\n"), "kernel_size: is required with `out_channels` (the filters' size)"),
    (rgb(f"seed = 3\n[[filters]]\nvalues = [{P3}]\n"), "seed: only applies to random weights (`out_channels`)"),
    (rgb(f"kernel_size = 2\n[[filters]]\nvalues = [{P3}]\n"),
     "kernel_size: does not apply to operation 'conv2d' unless `out_channels` is given"),
    (rgb("groups = 3\nout_channels = 4\nkernel_size = 2\n"), "out_channels: must be a multiple of groups = 3 (got 4)"),
    (rgb('[kernel]\npreset = "mean"\n'),
     "kernel: one plane, but the input has 3 channels (groups = 1); give `filters` with one plane per input channel"),
    (rgb(f"[[filters]]\nvalues = [{P3}]\n[[filters]]\npreset = \"mean\"\n"),
     "filters[1]: is 3×3, but filters[0] is 2×2; every filter has one size"),
    (rgb("filters = []\n"), "filters: must be a non-empty list of tables (got [])"),
    (RGB + "[[filters]]\nbias = 1\n", "filters[0]: give exactly one of `values`, `preset` or `presets` (got none)"),
    (RGB + f"[[filters]]\nvalues = [{P3}]\nsize = 3\n", "filters[0].size: only applies to a `preset`; `values` set the kernel"),
    (rgb('operation = "conv_transpose2d"\n' + f"[[filters]]\nvalues = [{P1}]\n[[filters]]\nvalues = [{P1}]\n"),
     "filters: 2 filters, but a transposed convolution has one per input channel (3)"),
    (rgb('operation = "max_pool2d"\nkernel_size = 2\ngroups = 3\n'), "groups: does not apply to operation 'max_pool2d'"),
    (rgb("out_channels = 1\nkernel_size = 1\n").replace("[image]\n", '[image]\nnames = ["R", "G"]\n'),
     "image.names: 2 names, but the image has 3 channels"),
    ('[image]\ncolor = "rgb"\nvalues = [[1, 2], [3, 4]]\n[kernel]\nvalues = [[1]]\n',
     "image.color: does not apply to an image given by `values`"),
    ('[image]\ncolor = "rgb"\npattern = "square"\nsize = 4\n[kernel]\nvalues = [[1]]\n',
     "image.color: does not apply to an image given by `pattern`"),
    ("[image]\nchannels = 2\nvalues = [[1, 2], [3, 4]]\n[kernel]\nvalues = [[1]]\n",
     "image.channels: does not apply to an image given by `values`"),
    ("[image]\nvalues = [[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]]\n[kernel]\nvalues = [[1]]\n",
     "image.values[1]: is 2×3 but plane 0 is 2×2; planes must have one size"),
    ("[[image.planes]]\nvalues = [[1, 2], [3, 4]]\n[[image.planes]]\nvalues = [[1, 2, 3], [4, 5, 6]]\n"
     "[[filters]]\nvalues = [[[1]], [[1]]]\n",
     "image.planes[1]: is 2×3 but plane 0 is 2×2; planes must have one size"),
    ('[[image.planes]]\nvalues = [[1, 2], [3, 4]]\n[[image.planes]]\npattern = "random"\n[[filters]]\nvalues = [[[1]], [[1]]]\n',
     "image.size: is required with pattern 'random'"),
    ("[[image.planes]]\nlow = 1\n[[filters]]\nvalues = [[[1]]]\n", "image.planes[0]: give exactly one of `values` or `pattern` (got none)"),
    ("[image]\nplanes = []\n[kernel]\nvalues = [[1]]\n", "image.planes: must be a non-empty list of tables (got [])"),
    (rgb('operation = "conv_transpose2d"\ntranspose_view = "scatter"\n' + f"[[filters]]\nvalues = [{P1}]\n" * 3),
     "transpose_view: 'scatter' is drawn for one channel without bias; a layer with channels is 'direct'"),
    (rgb('operation = "conv_transpose2d"\nstride = 2\npadding = 2\n' + f"[[filters]]\nvalues = [{P1}]\n" * 3),
     "padding: a transposed layer with channels or a bias is drawn as its equivalent convolution, which "
     "needs padding ≤ dilation·(kernel − 1) = 1 (got 2)"),
    (RGB + "[[stages]]\noperation = \"conv2d\"\nout_channels = 5\nkernel_size = 1\n[[stages]]\noperation = \"relu\"\n"
     f"[[stages]]\noperation = \"conv2d\"\n[[stages.filters]]\nvalues = [{P2}, {P2}]\n",
     "stages[2].filters[0].values: 4 planes, but the input has 5 channels (groups = 1)"),
]  # fmt: skip


def load_error(tmp_path, text: str) -> str:
    path = tmp_path / "case.toml"
    path.write_text(text)
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.load(path)
    return str(err.value)


@pytest.mark.parametrize(
    ("text", "message"), RULES, ids=[m.split(":")[0] + str(i) for i, (_, m) in enumerate(RULES)]
)
def test_each_channel_rule_has_its_one_line_message(tmp_path, text, message):
    assert load_error(tmp_path, text) == message


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"image": np.zeros((3, 4, 4)), "kernel": np.ones((2, 2, 3, 3))},
         "kernel: 2 planes per filter, but the input has 3 channels (groups = 1)"),
        ({"image": np.zeros((4, 4, 4)), "kernel": np.ones((3, 2, 3, 3)), "groups": 2},
         "groups: must divide the 3 filters (got groups = 2)"),
        ({"image": np.zeros((3, 4, 4)), "kernel": np.ones((2, 1, 3, 3)), "operation": "conv_transpose2d"},
         "kernel: has 2 filters, but the input has 3 channels (a transposed convolution's weights are (C_in, C_out/groups, kh, kw))"),
        ({"image": np.zeros((1, 4, 4)), "kernel": np.ones((2, 1, 3, 3)), "bias": [1.0]},
         "bias: 1 values, but the layer has 2 output channels"),
        ({"image": np.zeros((1, 4, 4)), "kernel": np.ones((1, 1, 3, 3)), "bias": np.array([np.inf])},
         "bias[0]: must be a finite number (got inf)"),
    ],
)  # fmt: skip
def test_each_array_rule_has_its_one_line_message(keys, message):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(**keys)
    assert str(err.value) == message


@pytest.mark.parametrize(("case", "line"), [(0, 7), (22, 5)])
def test_the_command_line_reports_a_channel_rule_on_one_line_with_exit_2(
    tmp_path, monkeypatch, capsys, case, line
):
    text, message = RULES[case]
    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "bad.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    code = main(["--jobs", "1", "--format", "gif"], root=tmp_path)
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"animations/bad.toml:{line}: {message}\n")  # the key's line
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


def test_a_random_layer_with_numbers_for_its_bias_uses_them():
    s = convanim.Scenario(image=np.ones((2, 3, 3)), out_channels=2, kernel_size=1, bias=[0.5, -0.5])
    np.testing.assert_array_equal(s.bias, [0.5, -0.5])
    np.testing.assert_allclose(s.output()[:, 0, 0], np.add(s.kernel.values.sum(axis=(1, 2, 3)), [0.5, -0.5]))


# ---------------------------------------------------------------- limits


def test_limits_count_every_channel_and_refuse_before_any_work(monkeypatch):
    """Frames and cells grow with the channels; a big layer is refused with its numbers before
    the image is made or a step computed."""
    import convanim.image_table
    import convanim.steps

    def boom(*args, **kwargs):
        raise AssertionError("work done before the limits were checked")

    monkeypatch.setattr(convanim.image_table, "make_pattern", boom)
    monkeypatch.setattr(convanim.steps, "compute", boom)
    image = {"pattern": "random", "size": 30, "channels": 3}
    # 8 filters × 28×28 outputs = 6,272 steps, 6,274 frames with the poster and the final frame
    with pytest.raises(convanim.LimitError) as err:
        convanim.Scenario(image=image, out_channels=8, kernel_size=3)
    assert str(err.value) == (
        "image: a 3×30×30 image needs 6,274 frames (6,272 steps); the limit is 5,000 (raise it with --max-frames)"
    )
    # one filter: 784 steps, but cells 3·30·30 input + 1·28·28 output + 3·3·3 weights = 3,511
    with pytest.raises(convanim.LimitError) as err:
        convanim.Scenario(image=image, out_channels=1, kernel_size=3, limits=convanim.Limits(max_cells=3_510))
    assert str(err.value) == (
        "image: a 3×30×30 image needs 3,511 cells drawn (input, output and weights); the limit is 3,510 "
        "(raise it with --max-cells)"
    )
    # a pool keeps the channels (its 3 maps are drawn as pictures): 3·30·30 input + 3·15·15 output
    with pytest.raises(convanim.LimitError) as err:
        convanim.Scenario(
            image=image, operation="max_pool2d", kernel_size=2, limits=convanim.Limits(max_cells=3_374)
        )
    assert str(err.value) == (
        "image: a 3×30×30 image needs 3,375 cells drawn (input, output and weights); the limit is 3,374 "
        "(raise it with --max-cells)"
    )
    # a chain (picture view): every channel of every stage's input and output is drawn
    with pytest.raises(convanim.LimitError) as err:
        convanim.Scenario(
            image=image, stages=[{"out_channels": 64, "kernel_size": 1}, {"operation": "relu"}],
            render={"view": "chain"},
        )  # fmt: skip
    cells = (3 * 900 + 64 * 900 + 64 * 3) + (64 * 900 + 64 * 900)
    assert str(err.value) == (
        f"image: a 3×30×30 image needs {cells:,} cells drawn (input, output and weights); the limit is 50,000 "
        '(raise it with --max-cells or draw it as a network: render.view = "network")'
    )


def test_an_rgb_photo_and_pattern_planes_through_random_layers_equal_torch(tmp_path):
    """image.color = "rgb" reads the R, G, B planes (as Pillow does); image.planes and a
    multi-channel pattern give the planes they say; a 3 → 4 → 2 chain with seeded random weights
    (the transposed one too) is torch applied in order."""
    from PIL import Image as PILImage

    photo = ROOT / "animations" / "photos" / "grace_hopper.jpg"
    (tmp_path / "photo.jpg").write_bytes(photo.read_bytes())
    (tmp_path / "chain.toml").write_text(
        textwrap.dedent(
            """
            [image]
            file = "photo.jpg"
            color = "rgb"
            crop = [40, 100, 360, 320]
            resize = [18, 16]

            [[stages]]
            out_channels = 4
            kernel_size = 3
            seed = 7
            bias = true

            [[stages]]
            operation = "relu"

            [[stages]]
            operation = "conv_transpose2d"
            out_channels = 2
            groups = 2
            kernel_size = 2
            stride = 2
            seed = 8
            """
        )
    )
    s = convanim.load(tmp_path / "chain.toml")
    with PILImage.open(photo) as im:
        rgb = im.convert("RGB").crop((100, 40, 420, 400)).resize((16, 18), PILImage.Resampling.LANCZOS)
    np.testing.assert_array_equal(s.image.values, np.asarray(rgb, dtype=float).transpose(2, 0, 1))
    assert s.image.names == ("R", "G", "B") and s.image.channels == 3
    conv, _, up = s.stages
    assert conv.kernel.values.shape == (4, 3, 3, 3) and up.kernel.values.shape == (4, 1, 2, 2)
    assert np.all(np.abs(up.kernel.values) <= round(1 / 2, 2))  # fan_in = C_out/groups · kh · kw = 4
    y = F.relu(
        F.conv2d(
            t(s.image.values), torch.tensor(np.array(conv.kernel.values)), torch.tensor(np.array(conv.bias))
        )
    )
    y = F.conv_transpose2d(y, torch.tensor(np.array(up.kernel.values)), stride=2, groups=2)
    assert s.output().shape == (2, 32, 28)
    np.testing.assert_allclose(s.output(), y[0].numpy(), rtol=1e-10, atol=1e-9)

    planes = convanim.Scenario(
        image={"planes": [{"values": [[1, 2], [3, 4]]}, {"pattern": "checkerboard", "period": 1}], "size": 2},
        operation="relu",
    )
    np.testing.assert_array_equal(planes.image.values, [[[1, 2], [3, 4]], [[0, 9], [9, 0]]])
    three = convanim.Scenario(
        image={"pattern": "random", "size": 4, "channels": 3, "seed": 5}, operation="relu"
    )
    for c in range(3):  # plane c is the random pattern of seed 5 + c
        one = convanim.Scenario(image={"pattern": "random", "size": 4, "seed": 5 + c}, operation="relu")
        np.testing.assert_array_equal(three.image.values[c], one.image.values[0])
    assert not np.array_equal(three.image.values[0], three.image.values[1])


def test_a_from_torch_scenario_exports_as_gif_and_html_player():
    from PIL import Image as PILImage

    torch.manual_seed(4)
    s = convanim.from_torch(
        nn.Conv2d(3, 2, 3, padding=1), sample(3, 4, 4), timing={"step_ms": 100}, name="ft"
    )
    assert s.n_frames == 2 * 16 + 2
    html = s.to_html()
    assert f'data-frames="{s.n_frames}"' in html and 'aria-label="2-D convolution"' in html
    with PILImage.open(io.BytesIO(s.to_bytes("gif"))) as im:
        total = 0
        for k in range(im.n_frames):
            im.seek(k)
            total += im.info["duration"]
    assert total == sum(info.duration_ms for info in s.frames().frames) == 1500 + 32 * 100 + 3000
