"""Real sizes (issue 17, item 2): a stage's maps are computed whole and equal, bit for bit, what its
step records add up (records are built only when read, a big layer band by band of output rows);
random wide models equal PyTorch in float64 with the bands forced small; the cost of a view counts
what it draws, so a ResNet stem and a four-level U-Net fit as networks, and a refusal says what
to change."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn

import convanim
from convanim import cost, records, steps
from convanim.errors import LimitError
from convanim.records import Map, Pool, Sample, Scatter, Step
from tests.test_trace import batch_norm, expected

BIG = convanim.Limits(10**9, 10**9, 10**12)  # the numbers only: no view is drawn
SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck)}


def stage_and_image(keys: dict, image: np.ndarray):
    s = convanim.Scenario(image=image, **keys, limits=BIG)
    return s.stages[0], s.image.values


def same_bits(a, b) -> bool:
    return np.asarray(a).tobytes() == np.asarray(b).tobytes()


# ---------------------------------------------------------------- numbers without records


@st.composite
def convolutions(draw):
    """A conv2d (or a transposed one drawn 'direct') with up to 12 input planes, and its image."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 4))
    h, w = draw(st.integers(2, 14)), draw(st.integers(2, 14))
    k = [draw(st.integers(1, 5)), draw(st.integers(1, 5))]
    keys = {
        "operation": draw(st.sampled_from(["conv2d", "conv2d", "conv_transpose2d"])),
        "out_channels": groups * draw(st.integers(1, 2)),
        "kernel_size": k,
        "groups": groups,
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 99)),
        "stride": [draw(st.integers(1, 3)), draw(st.integers(1, 3))],
        "dilation": [draw(st.integers(1, 2)), draw(st.integers(1, 2))],
        "padding": [draw(st.integers(0, 2)), draw(st.integers(0, 2))],
    }
    if keys["operation"] == "conv_transpose2d":
        keys["transpose_view"] = "direct"
    image = np.random.default_rng(draw(st.integers(0, 999))).normal(size=(cin, h, w)) * 3
    return keys, image


@settings(max_examples=80, **SETTINGS)
@given(case=convolutions())
def test_a_band_of_output_rows_sums_as_the_whole_map_bit_for_bit(case):
    keys, image = case
    try:
        stage, x = stage_and_image(keys, image)
    except convanim.ScenarioError:
        return
    whole = steps.compute(stage, x)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps, "BAND", 1)  # bands of two output rows (three for an odd last one)
        banded = steps.compute(stage, x)
        built = list(banded.steps)
    assert same_bits(whole.output, banded.output)
    for a, b in zip(whole.steps, built, strict=True):
        assert a.out == b.out and a.channel == b.channel and a.planes == b.planes
        assert same_bits(a.products, b.products) and same_bits(a.inputs, b.inputs)
        assert same_bits(a.sums, b.sums) and a.value == b.value == whole.output[a.channel][a.out]


@st.composite
def resamplings(draw):
    """A pool, an adaptive pool or an upsampling of a few planes of random values."""
    c, h, w = draw(st.integers(1, 3)), draw(st.integers(1, 11)), draw(st.integers(1, 11))
    op = draw(
        st.sampled_from(
            ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "upsample"]
        )
    )
    keys: dict = {"operation": op}
    if op in ("max_pool2d", "avg_pool2d"):
        k = [draw(st.integers(1, 4)), draw(st.integers(1, 4))]
        keys |= {
            "kernel_size": k,
            "stride": [draw(st.integers(1, 3)), draw(st.integers(1, 3))],
            "padding": [draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2))],
            "ceil_mode": draw(st.booleans()),
        }
        if op == "max_pool2d":
            keys["dilation"] = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
        else:
            keys["count_include_pad"] = draw(st.booleans())
    elif op == "upsample":
        keys["mode"] = draw(st.sampled_from(["nearest", "bilinear"]))
        keys["scale_factor"] = [draw(st.sampled_from([0.5, 1.0, 1.7, 2.0, 3.0])) for _ in range(2)]
    else:
        keys["output_size"] = [draw(st.integers(1, h + 2)), draw(st.integers(1, w + 2))]
    image = np.random.default_rng(draw(st.integers(0, 999))).normal(size=(c, h, w)) * 3
    return keys, image


@settings(max_examples=150, **SETTINGS)
@given(case=resamplings())
def test_vectorised_pools_and_upsampling_equal_their_records_bit_for_bit(case):
    """Each record computes its value from its own window (the per-step arithmetic of before),
    the map all at once: the same numbers."""
    keys, image = case
    try:
        stage, x = stage_and_image(keys, image)
    except convanim.ScenarioError:
        return
    comp = steps.compute(stage, x)
    assert len(comp.steps) == comp.output.size
    for r in comp.steps:
        assert isinstance(r, (Pool, Sample))
        assert same_bits(r.value, comp.output[r.channel][r.out])


@settings(max_examples=30, **SETTINGS)
@given(
    seed=st.integers(0, 999), stride=st.integers(1, 3), k=st.integers(1, 3), groups=st.sampled_from([1, 2])
)
def test_a_scatter_record_read_alone_equals_the_one_built_in_order(seed, stride, k, groups):
    x = np.random.default_rng(seed).normal(size=(2, 3, 4))
    keys = {"operation": "conv_transpose2d", "out_channels": 2, "kernel_size": k, "stride": stride}
    stage, _ = stage_and_image(keys | {"groups": groups, "bias": True, "seed": seed, "padding": 0}, x)
    stage = dataclasses.replace(stage, transpose_view="scatter")  # as a chain of pictures draws it
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(records, "CACHED", 0)  # every record built again when read
        comp = steps.compute(stage, x)
        in_order = list(comp.steps)
        for i, made in enumerate(in_order):
            alone = comp.steps[i]  # its running totals replayed from the bias
            assert isinstance(alone, Scatter) and alone.src == made.src and alone.targets == made.targets
            assert same_bits(alone.totals, made.totals) and same_bits(alone.products, made.products)
    last = in_order[-1]
    assert np.array_equal(last.totals[:, -1, -1], comp.output[list(last.targets), -1, -1])


def test_step_at_builds_the_record_of_one_cell():
    x = np.arange(2 * 5 * 5, dtype=float).reshape(2, 5, 5)
    layer = convanim.Scenario(image=x, operation="conv2d", out_channels=3, kernel_size=3, bias=True)
    comp = layer.computations[-1]
    step = comp.step_at(2, 1, 0)
    assert isinstance(step, Step) and (step.channel, step.out, step.planes) == (2, (1, 0), (0, 1))
    assert step.value == comp.output[2, 1, 0]
    np.testing.assert_array_equal(step.inputs, x[:, 1:4, 0:3])
    with pytest.raises(IndexError, match=r"cell \(3, 0, 0\) is outside the 3×3×3 output"):
        comp.step_at(3, 0, 0)
    pooled = convanim.Scenario(image=x, operation="max_pool2d", kernel_size=2).computations[-1]
    assert pooled.step_at(1, 0, 1).chosen == (1, 1) and pooled.step_at(1, 0, 1).value == 33.0
    relu = convanim.Scenario(image=x - 20, stages=[{"operation": "relu"}, {"operation": "tanh"}])
    assert isinstance(relu.computations[0].step_at(0, 0, 0), Map)
    scatter = convanim.Scenario(image=x[0], operation="conv_transpose2d", kernel=np.ones((2, 2)), stride=2)
    with pytest.raises(ValueError, match="transpose_view='direct'"):
        scatter.computations[-1].step_at(0, 0, 0)


def test_records_are_a_sequence_built_on_demand():
    made = []
    seq = records.Records(10_000, lambda i: made.append(i) or i * 2)
    assert len(seq) == 10_000 and seq[-1] == 19_998 and seq[3] == 6 and made == [9_999, 3]
    assert seq[2:5] == (4, 6, 8) and made == [9_999, 3, 2, 3, 4]
    with pytest.raises(IndexError):
        seq[10_000]
    small = records.Records(3, lambda i: made.append(i) or i)
    assert small[1] == 1 and list(small) == [0, 1, 2] and made[-3:] == [0, 1, 2]  # built once, kept
    assert pickle.loads(pickle.dumps(small)) == (0, 1, 2)  # as the tuple of its records


# ---------------------------------------------------------------- against PyTorch, wide and banded


@st.composite
def wide_models(draw):
    """A random chain with joins, wider and bigger than test_trace's: up to 12 channels, maps up
    to 20 rows, strided, dilated and grouped convolutions, a ConvTranspose2d that doubles the map,
    pools with padding, ceil mode and dilation, adaptive pools, upsampling, BatchNorm in eval
    mode, activations, cat and add."""
    c, h, w = draw(st.integers(1, 4)), draw(st.integers(6, 20)), draw(st.integers(6, 20))
    shapes, layers, joins = [(c, h, w)], [], []
    torch.manual_seed(draw(st.integers(0, 999)))
    for _ in range(draw(st.integers(2, 7))):
        ci, hi, wi = shapes[-1]
        kind = draw(
            st.sampled_from(["conv", "convt", "maxpool", "avgpool", "adaptive", "up", "bn", "act", "join"])
        )
        if kind == "conv":
            g = draw(st.sampled_from([g for g in (1, 2) if ci % g == 0]))
            co, k, s, d = (
                g * draw(st.integers(1, 6)),
                draw(st.integers(1, 5)),
                draw(st.integers(1, 2)),
                draw(st.integers(1, 2)),
            )
            p = draw(st.integers(0, k // 2))
            oh, ow = ((n + 2 * p - d * (k - 1) - 1) // s + 1 for n in (hi, wi))
            if min(oh, ow) < 1:
                continue
            layer, out = nn.Conv2d(ci, co, k, s, p, d, groups=g, bias=draw(st.booleans())), (co, oh, ow)
        elif kind == "convt":
            if max(hi, wi) > 16:
                continue
            co = draw(st.integers(1, 6))
            layer, out = nn.ConvTranspose2d(ci, co, 3, 2, 1, output_padding=1), (co, 2 * hi, 2 * wi)
        elif kind in ("maxpool", "avgpool") and min(hi, wi) < 5:
            continue
        elif kind == "maxpool":
            ceil = draw(st.booleans())
            layer = nn.MaxPool2d(3, 2, 1, dilation=draw(st.integers(1, 2)), ceil_mode=ceil)
            with torch.no_grad():
                out = tuple(layer(torch.zeros(1, ci, hi, wi)).shape[1:])
        elif kind == "avgpool":
            layer = nn.AvgPool2d(
                3, 2, 1, ceil_mode=draw(st.booleans()), count_include_pad=draw(st.booleans())
            )
            with torch.no_grad():
                out = tuple(layer(torch.zeros(1, ci, hi, wi)).shape[1:])
        elif kind == "adaptive":
            size = (draw(st.integers(1, hi)), draw(st.integers(1, wi)))
            layer = draw(st.sampled_from([nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d]))(size)
            out = (ci, *size)
        elif kind == "up":
            if max(hi, wi) > 12:
                continue
            layer = nn.Upsample(scale_factor=2, mode=draw(st.sampled_from(["nearest", "bilinear"])))
            out = (ci, 2 * hi, 2 * wi)
        elif kind == "bn":
            layer, out = batch_norm(ci, draw(st.integers(0, 99))), (ci, hi, wi)
        elif kind == "act":
            layer = draw(
                st.sampled_from(
                    [nn.ReLU(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh(), nn.GELU(), nn.ReLU6()]
                )
            )
            out = (ci, hi, wi)
        else:  # a join with the map before: cat when shapes allow, else add of a map with itself
            same = [j for j, sh in enumerate(shapes[:-1]) if sh[1:] == (hi, wi) and sh[0] + ci <= 12]
            j = draw(st.sampled_from(same)) if same else len(shapes) - 1
            joins.append((len(layers), j, "cat" if same else "add"))
            layers.append(None)
            shapes.append((shapes[j][0] + ci, hi, wi) if same else (ci, hi, wi))
            continue
        layers.append(layer)
        shapes.append(out)
    x = np.random.default_rng(draw(st.integers(0, 2**16))).uniform(-2, 2, (c, h, w))
    return Wide(layers, joins).eval(), x


class Wide(nn.Module):
    """Layers in a row; a None is a join of the last map with an earlier one (cat or add)."""

    def __init__(self, layers, joins):
        super().__init__()
        self.layers = nn.ModuleList([m if m is not None else nn.Identity() for m in layers])
        self.joins = {i: (j, how) for i, j, how in joins}

    def forward(self, x):
        maps = [x]
        for i, layer in enumerate(self.layers):
            if i in self.joins:
                j, how = self.joins[i]
                y = torch.cat([maps[-1], maps[j]], dim=1) if how == "cat" else maps[-1] + maps[j]
            else:
                y = layer(maps[-1])
            maps.append(y)
        return maps[-1]


@settings(max_examples=40, **SETTINGS)
@given(case=wide_models())
def test_random_wide_models_equal_pytorch_with_small_bands(case):
    model, x = case
    assume(len(model.layers) > 0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps, "BAND", 64)  # a few output rows a band: the banded path throughout
        s = convanim.from_torch(model, torch.tensor(x), limits=BIG)
        out = s.output() if s.layered else s.output()[None]
    np.testing.assert_allclose(out, expected(model, x), rtol=1e-12, atol=1e-12)


class Classifier(nn.Module):
    """A ResNet's end: global pooling, then a linear layer on the flattened vector."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.conv(x)), 1))


class Normed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.norm = nn.GroupNorm(2, 4)

    def forward(self, x):
        return self.norm(self.conv(x))


@pytest.mark.parametrize(
    ("model", "start"),
    [
        (Classifier, "from_torch: node 'flatten' (call_function torch.flatten) cannot be drawn; supported: "),
        (Normed, "from_torch: node 'norm' (call_module GroupNorm) cannot be drawn; supported: "),
    ],
)
def test_a_real_model_with_a_node_that_has_no_stage_fails_in_one_line_naming_it(model, start):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(model().eval(), torch.rand(3, 64, 64))
    assert "\n" not in str(err.value) and str(err.value).startswith(start)


# ---------------------------------------------------------------- the cost of a view


def stem_stages():
    torch.manual_seed(0)
    stem = nn.Sequential(nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
    return convanim.from_torch(stem.eval(), torch.rand(3, 224, 224), limits=BIG).stages


class UNet(nn.Module):
    """Four levels (8, 16, 32, 64 channels at 128, 64, 32, 16 rows), as bench/real_sizes.py."""

    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())

        self.enc = nn.ModuleList([block(3, 8), block(8, 16), block(16, 32), block(32, 64)])
        self.ups = nn.ModuleList([nn.ConvTranspose2d(2 * c, c, 2, stride=2) for c in (32, 16, 8)])
        self.dec = nn.ModuleList([block(2 * c, c) for c in (32, 16, 8)])
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        e1 = self.enc[0](x)
        e2 = self.enc[1](self.pool(e1))
        e3 = self.enc[2](self.pool(e2))
        y = self.enc[3](self.pool(e3))
        for up, dec, skip in zip(self.ups, self.dec, (e3, e2, e1), strict=True):
            y = dec(torch.cat([up(y), skip], dim=1))
        return y


def test_a_resnet_stem_and_a_unet_fit_as_networks_but_not_as_chains():
    stages = stem_stages()
    frames = len(stages) + 2
    net = cost.network_cost((3, 224, 224), stages, frames, panels=4)
    # the image's 3 channels (3 ≤ 4 + 1: all drawn), then 4 of the 64 channels of each map
    assert net.pixels == 3 * 224 * 224 + 2 * 4 * 112 * 112 + 4 * 56 * 56 == 263_424
    assert net.work == 6_586 + frames * cost.FRAME_WORK  # ⌈263,424 / 40⌉ + a fixed cost a frame
    cost.check(net, convanim.Limits(), "a 3×224×224 image")  # accepted
    chain = cost.chain_cost(stages, 100)
    with pytest.raises(LimitError) as err:
        cost.check(
            chain,
            convanim.Limits(),
            "a 3×224×224 image",
            ' or draw it as a network (render.view = "network")',
        )
    assert str(err.value) == (
        f"image: a 3×224×224 image needs {chain.cells:,} cells drawn (input, output and weights); the limit is "
        '50,000 (raise it with --max-cells or draw it as a network (render.view = "network"))'
    )
    torch.manual_seed(0)
    unet = convanim.from_torch(UNet().eval(), torch.rand(3, 128, 128), limits=BIG).stages
    cost.check(cost.network_cost((3, 128, 128), unet, len(unet) + 2, panels=4), convanim.Limits(), "")


def test_a_network_too_big_says_which_limit_and_how_to_change_it():
    stages = stem_stages()
    net = cost.network_cost((3, 224, 224), stages, len(stages) + 2, panels=4, composite=True)
    assert net.pixels == 263_424 + 224 * 224
    with pytest.raises(LimitError) as err:
        cost.check(net, convanim.Limits(max_cells=5_000), "a 3×224×224 image")
    assert str(err.value) == (
        "image: a 3×224×224 image needs 313,600 pixels of channel pictures in the network view; the limit "
        "is 200,000 (40 a cell of --max-cells: raise it, or give a smaller image)"
    )
    with pytest.raises(LimitError) as err:
        cost.check(net, convanim.Limits(max_work=5_000), "a 3×224×224 image")
    assert str(err.value) == (
        f"image: a 3×224×224 image needs {net.work:,} cells painted or written over its 3 steps (313,600 "
        "pixels of channel pictures at 40 a cell); the limit is 5,000 (raise it with --max-work)"
    )
    with pytest.raises(LimitError, match=r"needs 5 frames \(3 steps\); the limit is 4 "):
        cost.check(net, convanim.Limits(max_frames=4), "a 3×224×224 image")


def test_the_grid_and_chain_views_cost_what_they_did():
    """scenario.work is the grid or chain view's cost, as before the costs were per view."""
    s = convanim.Scenario(image=np.ones((6, 6)), operation="conv2d", kernel=np.ones((3, 3)))
    (st_,) = s.stages
    assert convanim.scenario.work(s.stages, s.n_frames, False) == st_.cells + st_.n_steps * (
        st_.step_work + cost.FRAME_WORK
    )
    assert convanim.scenario.work(s.stages, 10, True) == st_.cells + st_.n_steps + 10 * cost.ZOOM_WORK
