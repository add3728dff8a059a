"""Graphs of stages from scenario files: `name` and `inputs`, cat and add, their shapes and
messages; the new operations (batch norm, activations, adaptive pools) against torch.nn.functional
in float64; and the topology helpers the steps, dependence and drawing walk."""

import io
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import convanim
from convanim import export, graph
from convanim.display import Line, Rect, Text
from convanim.export.html import fragment
from convanim.export.still import still_png
from convanim.frames.chain import ChainBuilder, frame_plan
from convanim.frames.chain_channels import ChannelChainBuilder
from convanim.steps import Map, Pool

from .helpers import ROOT
from .test_text_fits import outside

IMAGE = np.arange(16.0).reshape(4, 4)

UNET = {
    "image": {"values": IMAGE.tolist()},
    "stages": [
        {"name": "enc1", "operation": "conv2d", "kernel": {"values": [[1]]}},
        {"name": "down", "operation": "max_pool2d", "kernel_size": 2},
        {"name": "up1", "operation": "upsample", "scale_factor": 2},
        {"name": "skip", "operation": "cat", "inputs": ["enc1", "up1"]},
        {"name": "dec1", "operation": "conv2d", "filters": [{"values": [[[1]], [[-1]]]}]},
    ],
}


def test_a_unet_block_with_a_skip_cat_computes_its_numbers_by_hand():
    s = convanim.Scenario(**UNET)
    assert [st.name for st in s.stages] == ["enc1", "down", "up1", "skip", "dec1"]
    assert [st.inputs for st in s.stages] == [("input",), ("enc1",), ("down",), ("enc1", "up1"), ("skip",)]
    assert graph.sources(s.stages) == ((0,), (1,), (2,), (1, 3), (4,))
    skip = s.stages[3]
    assert (skip.in_channels, skip.out_channels, skip.input_channels, skip.output_shape) == (
        2,
        2,
        (1, 1),
        (4, 4),
    )
    assert s.operations == "conv2d → max_pool2d → upsample → cat(enc1, up1) → conv2d"
    up = [[5, 5, 7, 7], [5, 5, 7, 7], [13, 13, 15, 15], [13, 13, 15, 15]]
    np.testing.assert_array_equal(s.computations[3].output, [IMAGE, up])
    np.testing.assert_array_equal(s.output(), [IMAGE - np.array(up)])
    (step,) = s.computations[3].steps
    assert isinstance(step, Map) and not step.changed.any()
    np.testing.assert_array_equal(s.computations[3].grid, [IMAGE, up])  # what it reads: both maps


def test_a_residual_block_adds_the_input_to_the_convolution():
    image = np.array([[1.0, -2, 3], [-4, 5, -6], [7, -8, 9]])
    s = convanim.Scenario(
        image=image,
        stages=[
            {"operation": "conv2d", "kernel": np.array([[0, 0, 0], [0, 2, 0], [0, 0, 0]]), "padding": 1},
            {"operation": "add", "inputs": ["conv2d", "input"]},
            {"operation": "relu"},
        ],
    )
    assert [st.name for st in s.stages] == ["conv2d", "add", "relu"]
    np.testing.assert_array_equal(s.computations[1].output[0], 3 * image)
    np.testing.assert_array_equal(s.output(), np.maximum(3 * image, 0))
    assert s.title == "A graph of 3 stages" and not graph.is_chain(s.stages)
    assert graph.depths(s.stages) == (0, 1, 2, 3)
    assert graph.readers(s.stages) == ((0, 1), (1,), (2,), ())


def test_default_names_number_repeated_operations_and_avoid_given_ones():
    s = convanim.Scenario(
        image=IMAGE,
        stages=[
            {"operation": "relu"},
            {"operation": "relu", "name": "relu_1"},
            {"operation": "relu"},
            {"operation": "sigmoid"},
        ],
    )
    assert [st.name for st in s.stages] == ["relu", "relu_1", "relu_2", "sigmoid"]
    assert graph.is_chain(s.stages) and s.title == "A chain of 4 stages"
    single = convanim.Scenario(image=IMAGE, operation="relu")
    assert (single.stages[0].name, single.stages[0].inputs) == ("relu", ("input",))


def test_a_scenario_file_with_inputs(tmp_path):
    path = tmp_path / "unet.toml"
    path.write_text(
        """
[image]
values = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]

[[stages]]
name = "enc1"
operation = "conv2d"
kernel = { values = [[1]] }

[[stages]]
operation = "max_pool2d"
kernel_size = 2

[[stages]]
name = "up1"
operation = "upsample"
scale_factor = 2

[[stages]]
operation = "cat"
inputs = ["enc1", "up1"]

[[stages]]
operation = "add"
inputs = ["cat", "cat"]
"""
    )
    s = convanim.load(path)
    np.testing.assert_array_equal(s.output()[1], 2 * np.array(UNET_UP))
    assert s.output().shape == (2, 4, 4)


UNET_UP = [[5, 5, 7, 7], [5, 5, 7, 7], [13, 13, 15, 15], [13, 13, 15, 15]]


def stages_error(stages, image=IMAGE):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=image, stages=stages)
    return str(err.value)


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (
            [{"name": "enc1", "operation": "relu"}, {"name": "up1", "operation": "relu"},
             {"operation": "cat", "inputs": ["enc3", "up1"]}],
            "stages[2].inputs: unknown map 'enc3'; maps so far: input, enc1, up1 (did you mean 'enc1'?)",
        ),
        (
            [{"operation": "relu", "inputs": ["later"]}, {"name": "later", "operation": "relu"}],
            "stages[0].inputs: unknown map 'later'; maps so far: input",
        ),
        (
            [{"operation": "relu"}, {"operation": "relu", "inputs": ["relu", "input"]}],
            "stages[1].inputs: relu reads one map (got 2: relu, input); only cat and add read several",
        ),
        (
            [{"operation": "relu"}, {"operation": "add"}],
            'stages[1].inputs: add reads two maps (got 1: relu); name them, e.g. inputs = ["conv2d", "input"]',
        ),
        (
            [{"operation": "relu"}, {"operation": "cat", "inputs": ["relu"]}],
            "stages[1].inputs: cat reads two maps or more (got 1: relu)",
        ),
        (
            [{"name": "down", "operation": "max_pool2d", "kernel_size": 2},
             {"operation": "cat", "inputs": ["input", "down"]}],
            "stages[1].inputs: cat stacks maps of one size; 'input' is 4×4, 'down' is 2×2",
        ),
        (
            [{"name": "two", "operation": "conv2d", "out_channels": 2, "kernel_size": 1},
             {"operation": "add", "inputs": ["two", "input"]}],
            "stages[1].inputs: add needs two maps of one shape; 'two' is 2×4×4, 'input' is 1×4×4",
        ),
        (
            [{"name": "a", "operation": "relu"}, {"name": "a", "operation": "relu"}],
            "stages[1].name: 'a' is already the name of stages[0]",
        ),
        ([{"name": "input", "operation": "relu"}], "stages[0].name: 'input' is the image's name; choose another"),
        (
            [{"name": "2x", "operation": "relu"}],
            "stages[0].name: must be a name of letters, digits and _ (not starting with a digit, at most 40) "
            "(got '2x')",
        ),
        (
            [{"name": "side", "operation": "relu"}, {"operation": "sigmoid", "inputs": ["input"]}],
            "stages[0].name: map 'side' is never read; every map but the last feeds a later stage's `inputs`",
        ),
        (
            [{"operation": "relu", "input": ["x"]}],
            "stages[0].input: unknown key; did you mean `inputs`?",
        ),
        ([{"operation": "relu", "inputs": []}], "stages[0].inputs: must be a non-empty list of map names (got [])"),
        (
            [{"operation": "hardtanh", "min_val": 2, "max_val": 1}],
            "stages[0].max_val: must be at least min_val, as in PyTorch (got 2 > 1)",
        ),
        (
            [{"operation": "batch_norm", "running_mean": [0, 1]}],
            "stages[0].running_mean: 2 numbers, but the map has 1 channels",
        ),
        (
            [{"operation": "batch_norm", "running_var": -1, "eps": 0.5}],
            "stages[0].running_var: running_var + eps must be positive (channel 0: -1 + 0.5)",
        ),
        ([{"operation": "adaptive_avg_pool2d"}], "stages[0].output_size: is required by operation 'adaptive_avg_pool2d'"),
        ([{"operation": "sigmoid", "negative_slope": 0.1}], "stages[0].negative_slope: does not apply to operation 'sigmoid'"),
    ],
)  # fmt: skip
def test_graph_mistakes_are_one_line_naming_the_key(stages, message):
    text = stages_error(stages)
    assert "\n" not in text
    assert text.startswith(message) if message.endswith(",") else text == message


def test_every_independent_mistake_of_a_graph_is_reported():
    text = stages_error(
        [
            {"name": "a", "operation": "max_pool2d"},  # no kernel_size: map 'a' is unknown
            {"operation": "relu", "inputs": ["a"], "stride": 2},  # reads 'a': only its keys checked
            {"operation": "cat", "inputs": ["input", "nowhere"]},
        ]
    )
    assert text.split("\n") == [
        "stages[0].kernel_size: is required by operation 'max_pool2d'",
        "stages[1].stride: does not apply to operation 'relu'",
        "stages[2].inputs: unknown map 'nowhere'; maps so far: input",
    ]


def test_a_graph_may_have_more_stages_than_a_chain_had():
    stages = [{"operation": "identity"}] * 20
    s = convanim.Scenario(image=IMAGE, stages=stages)
    assert len(s.stages) == 20 and s.stages[-1].name == "identity_19"
    assert stages_error([{"operation": "relu"}] * 65) == "stages: at most 64 stages (got 65)"
    schema = convanim.schema()["properties"]["stages"]
    assert {"name", "inputs", "output_size", "running_mean"} <= set(schema["items"]["properties"])


# ---------------------------------------------------------------- operations against torch

values = st.integers(0, 2**16).map(
    lambda seed: np.random.default_rng(seed).uniform(-4, 4, (3, 5, 6)).round(3)
)


def torch_of(op, x, stage):
    t = torch.tensor(x)[None]
    if op == "leaky_relu":
        return F.leaky_relu(t, stage["negative_slope"])
    if op == "gelu":
        return F.gelu(t, approximate=stage["approximate"])
    if op == "hardtanh":
        return F.hardtanh(t, stage["min_val"], stage["max_val"])
    if op == "batch_norm":
        args = [
            torch.tensor(stage[k], dtype=torch.float64)
            for k in ("running_mean", "running_var", "weight", "bias")
        ]
        return F.batch_norm(t, *args, training=False, eps=stage["eps"])
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda v: v, "relu": F.relu}[op](t)


@settings(max_examples=60, deadline=None)
@given(
    x=values,
    op=st.sampled_from(
        ["leaky_relu", "gelu", "hardtanh", "batch_norm", "sigmoid", "tanh", "identity", "relu"]
    ),
    data=st.data(),
)
def test_elementwise_operations_equal_torch(x, op, data):
    stage = {"operation": op}
    if op == "leaky_relu":
        stage["negative_slope"] = data.draw(st.sampled_from([0.01, 0.2, -0.5, 2.0]))
    elif op == "gelu":
        stage["approximate"] = data.draw(st.sampled_from(["none", "tanh"]))
    elif op == "hardtanh":
        low = data.draw(st.floats(-3, 1))
        stage["min_val"], stage["max_val"] = low, low + data.draw(st.floats(0, 4))
    elif op == "batch_norm":
        rng = np.random.default_rng(data.draw(st.integers(0, 99)))
        stage.update(
            running_mean=rng.uniform(-2, 2, 3).tolist(),
            running_var=rng.uniform(0.1, 3, 3).tolist(),
            weight=rng.uniform(-2, 2, 3).tolist(),
            bias=rng.uniform(-2, 2, 3).tolist(),
            eps=data.draw(st.sampled_from([1e-5, 1e-3, 0.1])),
        )
    s = convanim.Scenario(image=x, stages=[stage])
    expected = torch_of(op, x, stage)[0].numpy()
    np.testing.assert_allclose(s.output(), expected, rtol=1e-13, atol=1e-14)
    (step,) = s.computations[0].steps
    assert isinstance(step, Map)
    np.testing.assert_array_equal(step.changed, s.output() != x)


def test_batch_norm_by_hand_and_its_defaults():
    x = np.array([[[1.0, 2.0]], [[3.0, 5.0]]])
    s = convanim.Scenario(
        image=x,
        stages=[
            {"operation": "batch_norm", "running_mean": [1, 4], "running_var": [4, 0.25], "eps": 0,
             "weight": [2, 1], "bias": [0, -1]}
        ],
    )  # fmt: skip
    # (x − mean)/√var · weight + bias: channel 0 (x − 1)/2·2, channel 1 (x − 4)/0.5 − 1
    np.testing.assert_array_equal(s.output(), [[[0.0, 1.0]], [[-3.0, 1.0]]])
    norm = s.stages[0].norm
    np.testing.assert_array_equal(norm.scale, [1.0, 2.0])
    np.testing.assert_array_equal(norm.shift, [-1.0, -9.0])
    plain = convanim.Scenario(image=x, stages=[{"operation": "batch_norm"}])  # a new BatchNorm2d
    np.testing.assert_allclose(plain.output(), x / math.sqrt(1 + 1e-5), rtol=1e-15)


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    oh=st.integers(1, 15),
    ow=st.integers(1, 15),
    is_max=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_adaptive_pools_equal_torch(h, w, oh, ow, is_max, seed):
    x = np.random.default_rng(seed).integers(-9, 10, (2, h, w)).astype(float) / 4
    op = "adaptive_max_pool2d" if is_max else "adaptive_avg_pool2d"
    s = convanim.Scenario(image=x, stages=[{"operation": op, "output_size": [oh, ow]}])
    fn = F.adaptive_max_pool2d if is_max else F.adaptive_avg_pool2d
    expected = fn(torch.tensor(x)[None], (oh, ow))[0].numpy()
    np.testing.assert_allclose(s.output(), expected, rtol=1e-15, atol=0)
    steps = s.computations[0].steps
    assert len(steps) == 2 * oh * ow and all(isinstance(p, Pool) for p in steps)
    a, b = oh - 1, ow - 1
    last = steps[-1]
    assert (last.channel, last.out) == (1, (a, b))
    assert last.rows.tolist() == list(range(a * h // oh, -(-(a + 1) * h // oh)))
    assert last.cols.tolist() == list(range(b * w // ow, -(-(b + 1) * w // ow)))
    assert s.stages[0].kernel_size == (max(len(p.rows) for p in steps), max(len(p.cols) for p in steps))


def test_adaptive_average_pool_by_hand():
    # 5 columns into 3: windows [0, 2), [1, 4), [3, 5), as PyTorch's start/end indices
    s = convanim.Scenario(
        image=np.array([[1.0, 2, 3, 4, 5]]), operation="adaptive_avg_pool2d", output_size=[1, 3]
    )
    np.testing.assert_array_equal(s.output(), [[1.5, 3.0, 4.5]])
    assert [p.divisor for p in s.computations[0].steps] == [2, 3, 2]


# ---------------------------------------------------------------- drawing


def texts(frames, frame=None):
    """Texts visible in ``frame`` (every text when None)."""
    return [
        it.shape.text
        for it in frames.items
        if isinstance(it.shape, Text) and (frame is None or it.first <= frame <= it.last)
    ]


def test_a_graph_is_drawn_with_its_names_the_maps_joined_and_a_skip_line():
    s = convanim.Scenario(**UNET)
    f = s.frames()
    shown = texts(f)
    for label in ("1. enc1", "3. up1", "4. skip", "cat(enc1, up1)", "channels stacked", "5. dec1"):
        assert label in shown
    plan = frame_plan(s)
    k = next(k for k, b in enumerate(plan, start=1) if b.stage == 3)
    assert "cat: the channels one after the other: enc1 → channel 0; up1 → channel 1" in texts(f, k)
    # one line from enc1's map (map 1) to the cat's box: the skip
    (skip,) = [it.shape for it in f.items if isinstance(it.shape, Line)]
    builder = ChannelChainBuilder(s)
    x, y = builder._map_anchor(1)
    assert skip.points[0] == (x, y + 3)
    ox, width, top = builder.layout.ops[3]
    assert skip.points[-1] == (ox + width / 2, top + builder._op_height(s.stages[3]) + 4)
    assert skip.points[1][1] == skip.points[2][1] > max(y, skip.points[-1][1])  # under the maps


def test_a_stage_reading_an_earlier_map_draws_its_window_there():
    pool = convanim.Scenario(
        image=IMAGE,
        stages=[
            {"name": "neg", "operation": "identity"},
            {"operation": "max_pool2d", "kernel_size": 2, "inputs": ["input"]},
            {"operation": "upsample", "scale_factor": 2},
            {"operation": "add", "inputs": ["upsample", "neg"]},
        ],
    )
    f = pool.frames()
    builder = ChainBuilder(pool)
    assert builder.src == (0, 0, 2, 3)
    assert "← input" in texts(f)
    k = next(k for k, b in enumerate(frame_plan(pool), start=1) if b.stage == 1)  # the pool's first step
    grid = builder.layout.maps[0]  # the image, not map 1
    outlines = [
        it.shape
        for it in f.items
        if isinstance(it.shape, Rect) and it.first == it.last == k and it.shape.fill is None
    ]
    assert (grid.x, grid.y, 2 * grid.cell, 2 * grid.cell) in [(r.x, r.y, r.w, r.h) for r in outlines]
    assert "zoom" not in " ".join(texts(f, k)) or "input[0:2, 0:2]" in texts(f, k)


@st.composite
def graphs(draw):
    """Random graphs of the new operations on a small image, as scenario stages."""
    c = draw(st.integers(1, 3))
    image = np.random.default_rng(draw(st.integers(0, 999))).uniform(-9, 9, (c, 6, 6)).round(1)
    shapes, stages = [(c, 6, 6)], []
    names = ["input"]
    for i in range(draw(st.integers(1, 6))):
        j = draw(st.integers(0, len(shapes) - 1))
        k = draw(st.integers(0, len(shapes) - 1))
        op = draw(
            st.sampled_from(["cat", "add", "batch_norm", "sigmoid", "gelu", "adaptive_max_pool2d", "conv2d"])
        )
        stage = {"name": f"m{i}", "operation": op}
        cj, hj, wj = shapes[j]
        if op == "cat" and shapes[k][1:] == (hj, wj):
            stage["inputs"], out = [names[j], names[k]], (cj + shapes[k][0], hj, wj)
        elif op == "add" and shapes[k] == shapes[j]:
            stage["inputs"], out = [names[j], names[k]], shapes[j]
        elif op == "adaptive_max_pool2d":
            stage["inputs"], stage["output_size"], out = [names[j]], [3, 2], (cj, 3, 2)
        elif op == "conv2d":
            stage.update(inputs=[names[j]], out_channels=2, kernel_size=1, seed=i)
            out = (2, hj, wj)
        else:
            stage["operation"] = op if op not in ("cat", "add") else "tanh"
            stage["inputs"], out = [names[j]], shapes[j]
        stages.append(stage)
        shapes.append(out)
        names.append(stage["name"])
    # every map feeds the last stage (a cat of the unread ones and the last, when they fit)
    return image, stages


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=graphs())
def test_random_graphs_draw_with_every_text_inside_the_picture(case):
    image, stages = case
    try:
        s = convanim.Scenario(image=image, stages=stages)
    except convanim.ScenarioError as err:
        assert "is never read" in str(err)  # the only refusal of these graphs
        return
    f = s.frames()
    assert outside(f) == []
    assert len(f) == s.n_frames


def test_the_gallery_graphs_render_in_every_format():
    for name in ("resnet_basic_block", "unet_skip_cat"):
        s = convanim.load(ROOT / "animations" / f"{name}.toml")
        frames = s.frames()
        assert outside(frames) == []
        buf = io.BytesIO()
        export.write_to(export.get("gif"), frames, buf, stem=name)
        with Image.open(buf) as gif:
            assert (gif.size, gif.n_frames > 10) == ((frames.width, frames.height), True)
        assert ("cat(enc1, up1)" if name == "unet_skip_cat" else "add(bn2, input)") in fragment(frames)
        with Image.open(io.BytesIO(still_png(frames))) as png:
            assert png.size == (frames.width, frames.height)


def test_receptive_fields_walk_the_graph_back_through_cat_and_add():
    s = convanim.Scenario(**UNET)
    # dec1 is 1×1 over the cat: output (0, 1, 1) reads skip (0 and 1, 1, 1), so enc1 (0, 1, 1) and
    # up1 (0, 1, 1), which reads down (0, 0, 0), which reads enc1's 2×2 corner
    masks = convanim.receptive_field(s, (0, 1, 1))
    assert [m.shape for m in masks] == [(1, 4, 4), (1, 4, 4), (1, 2, 2), (1, 4, 4), (2, 4, 4), (1, 4, 4)]
    assert [tuple(map(tuple, np.argwhere(m))) for m in masks[1:4]] == [
        ((0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)),
        ((0, 0, 0),),
        ((0, 1, 1),),
    ]
    assert np.argwhere(masks[4]).tolist() == [[0, 1, 1], [1, 1, 1]]
    np.testing.assert_array_equal(masks[0], masks[1])  # enc1 is a 1×1 convolution of the input
    residual = convanim.Scenario(
        image=IMAGE,
        stages=[
            {"operation": "max_pool2d", "kernel_size": 2, "stride": 1, "padding": 1},
            {"operation": "adaptive_avg_pool2d", "output_size": 4},
            {"operation": "add", "inputs": ["adaptive_avg_pool2d", "input"]},
        ],
    )
    masks = convanim.receptive_field(residual, (3, 3))
    # the add reads input (3, 3) itself and, through the pools, input rows and cols 2 to 3
    assert np.argwhere(masks[0]).tolist() == [[2, 2], [2, 3], [3, 2], [3, 3]]
    assert np.argwhere(masks[2]).tolist() == [[3, 3]]
    assert np.argwhere(masks[1]).tolist() == [[3, 3], [3, 4], [4, 3], [4, 4]]


GRAPH_FILE = """title = "A residual block"
[image]
pattern = "square"
size = 6

[[stages]]
name = "conv"
operation = "conv2d"
kernel = { preset = "laplacian" }
padding = 1

[[stages]]
operation = "batch_norm"
running_var = 4

[[stages]]
operation = "add"
inputs = ["batch_norm", "input"]

[timing]
step_ms = 100
"""


def test_the_command_line_writes_a_graph_in_every_format_and_refuses_a_bad_one(tmp_path, monkeypatch, capsys):
    from convanim.cli import main

    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "block.toml").write_text(GRAPH_FILE)
    monkeypatch.chdir(tmp_path)
    for fmt in ("gif", "html", "png"):
        assert main(["--jobs", "1", "--format", fmt, "-q"], root=tmp_path) == 0
    out = tmp_path / "output"
    with Image.open(out / "block.gif") as gif:
        assert gif.n_frames > 3
    assert "add(batch_norm, input)" in (out / "block.html").read_text(encoding="utf-8")
    assert (out / "block.png").stat().st_size > 0
    capsys.readouterr()
    bad = GRAPH_FILE.replace('inputs = ["batch_norm", "input"]', 'inputs = ["batchnorm", "input"]')
    (tmp_path / "animations" / "block.toml").write_text(bad)
    assert main(["--jobs", "1", "--format", "gif"], root=tmp_path) == 2
    err = capsys.readouterr().err
    assert err == (
        "animations/block.toml:18: stages[2].inputs: unknown map 'batchnorm'; maps so far: input, conv, "
        "batch_norm (did you mean 'batch_norm'?)\n"
    )
