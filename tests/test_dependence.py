"""Dependence: receptive fields against autograd on a structural twin of the chain, conv_matrix and
overlap_counts against torch, hand-computed cases and the argument messages."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import convanim
from convanim import Limits, ScenarioError
from convanim.stage import Stage

TOL = {"rtol": 1e-10, "atol": 1e-10}
MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
ROOMY = Limits(10**6, 10**7, 10**9)


def t(a) -> torch.Tensor:
    """A (C, H, W) array as a float64 batch of one."""
    return torch.tensor(np.array(a, dtype=float))[None]


def scenario(image: np.ndarray, *stages: dict) -> convanim.Scenario:
    return convanim.Scenario(image=image, stages=list(stages), limits=ROOMY)


def values(seed: int, shape) -> np.ndarray:
    return np.round(np.random.default_rng(seed).uniform(-3, 3, size=shape), 2)


# ---------------------------------------------------------------- the structural twin


def twin(stage: Stage, x: torch.Tensor) -> torch.Tensor:
    """The stage with every weight made positive, pools as sums over the window, ReLU as the
    identity: its gradient is nonzero exactly where the stage depends."""
    op = stage.operation
    if op == "conv2d":
        top, bottom, left, right = stage.padding
        x = F.pad(x, (left, right, top, bottom), mode=MODES[stage.padding_mode])
        w = torch.tensor(np.abs(stage.kernel.values) + 1)
        return F.conv2d(x, w, stride=stage.stride, dilation=stage.dilation, groups=stage.groups)
    if op == "conv_transpose2d":
        w = torch.tensor(np.abs(stage.kernel.values) + 1)
        pad = (stage.padding[0], stage.padding[2])
        return F.conv_transpose2d(
            x, w, None, stage.stride, pad, stage.output_padding, stage.groups, stage.dilation
        )
    if op in ("max_pool2d", "avg_pool2d"):  # a depthwise convolution with ones (dilation, ceil mode)
        c, (h, w), (oh, ow) = x.shape[1], stage.input_shape, stage.output_shape
        (kh, kw), (sr, sc), (dr, dc) = stage.kernel_size, stage.stride, stage.dilation
        pr, pc = stage.padding[0], stage.padding[2]
        more_r = max(0, (oh - 1) * sr + dr * (kh - 1) + 1 - (h + 2 * pr))
        more_c = max(0, (ow - 1) * sc + dc * (kw - 1) + 1 - (w + 2 * pc))
        x = F.pad(x, (pc, pc + more_c, pr, pr + more_r))
        y = F.conv2d(
            x, torch.ones(c, 1, kh, kw, dtype=x.dtype), stride=stage.stride, dilation=stage.dilation, groups=c
        )
        return y[..., :oh, :ow]
    if op == "upsample":
        how = {"size": stage.size} if stage.size is not None else {"scale_factor": stage.scale_factor}
        align = stage.align_corners if stage.mode == "bilinear" else None
        return F.interpolate(x, mode=stage.mode, align_corners=align, **how)
    return x.clone()  # relu


def autograd_field(s: convanim.Scenario, cell: tuple, stage: int) -> list[np.ndarray]:
    """Cells with a nonzero gradient of output ``cell`` of stage ``stage``, map by map."""
    x = t(s.image.values).requires_grad_(True)
    maps, y = [x], x
    for st_ in s.stages[: stage + 1]:
        y = twin(st_, y)
        y.retain_grad()
        maps.append(y)
    y[0][cell].backward()
    return [(m.grad[0].numpy() != 0) if m.grad is not None else np.zeros(m.shape[1:], bool) for m in maps]


# ---------------------------------------------------------------- random chains


@st.composite
def chain_stage(draw, shape: tuple[int, int, int]) -> dict:
    """A stage table valid (mostly) for a (C, H, W) input."""
    c = shape[0]
    op = draw(
        st.sampled_from(
            ["conv2d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "upsample", "relu"]
        )
    )
    seed = draw(st.integers(0, 1000))
    pair = lambda lo, hi: [draw(st.integers(lo, hi)), draw(st.integers(lo, hi))]  # noqa: E731
    if op in ("conv2d", "conv_transpose2d"):
        groups = draw(st.sampled_from([g for g in (1, 2, 3) if c % g == 0]))
        per = draw(st.integers(1, 2))
        k = pair(1, 3)
        weights = values(seed, (per * groups, c // groups, *k) if op == "conv2d" else (c, per, *k))
        weights[np.random.default_rng(seed).random(weights.shape) < 0.3] = 0  # zero weights still link
        table = {
            "operation": op,
            "kernel": weights,
            "groups": groups,
            "stride": pair(1, 2),
            "dilation": pair(1, 2),
        }
        if op == "conv2d":
            mode = draw(st.sampled_from(list(MODES)))
            table |= {"padding": pair(0, 2), "padding_mode": mode, "flip": draw(st.booleans())}
        else:
            # what a transposed layer allows: output_padding below the stride or the dilation, and
            # (drawn as its equivalent convolution) padding ≤ dilation·(kernel − 1)
            room = [max(s, d) - 1 for s, d in zip(table["stride"], table["dilation"], strict=True)]
            limit = [d * (n - 1) for d, n in zip(table["dilation"], k, strict=True)]
            table["output_padding"] = [draw(st.integers(0, r)) for r in room]
            table["padding"] = [draw(st.integers(0, n)) for n in limit]
        return table
    if op in ("max_pool2d", "avg_pool2d"):
        k = pair(1, 3)
        table = {
            "operation": op,
            "kernel_size": k,
            "stride": pair(1, 3),
            "padding": [draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2))],
            "ceil_mode": draw(st.booleans()),
        }
        if op == "max_pool2d":
            table["dilation"] = pair(1, 2)
        return table
    if op == "upsample":
        mode = draw(st.sampled_from(["nearest", "bilinear"]))
        table = {"operation": op, "mode": mode}
        if draw(st.booleans()):
            table["scale_factor"] = draw(st.sampled_from([1.5, 2.0, [2.0, 1.0], [0.6, 1.7]]))
        else:
            table["size"] = pair(2, 9)
        if mode == "bilinear":
            table["align_corners"] = draw(st.booleans())
        return table
    return {"operation": "relu"}


@st.composite
def chains(draw) -> convanim.Scenario:
    shape = (draw(st.integers(1, 3)), draw(st.integers(3, 8)), draw(st.integers(3, 8)))
    image = values(draw(st.integers(0, 1000)), shape)
    tables = []
    for _ in range(draw(st.integers(1, 3))):
        tables.append(draw(chain_stage(shape)))
        try:
            s = scenario(image, *tables)
        except ScenarioError:
            assume(False)
        last = s.stages[-1]
        shape = (last.out_channels, *last.output_shape)
    return s


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
@given(chains(), st.data())
def test_receptive_field_is_where_the_twin_has_a_gradient(s, data):
    stage = data.draw(st.integers(0, len(s.stages) - 1))
    for st_ in s.stages[: stage + 1]:
        event(st_.operation)
    last = s.stages[stage]
    cell = tuple(data.draw(st.integers(0, n - 1)) for n in (last.out_channels, *last.output_shape))
    field = convanim.receptive_field(s, cell, stage=stage)
    expected = autograd_field(s, cell, stage)
    assert len(field) == stage + 2
    for got, want in zip(field, expected, strict=True):
        assert got.dtype == bool
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- hand-computed fields


def test_two_3x3_convolutions_see_5x5():
    image = np.arange(81.0).reshape(9, 9)
    s = convanim.Scenario(image=image, stages=[{"kernel": np.ones((3, 3))}, {"kernel": np.ones((3, 3))}])
    field = convanim.receptive_field(s, (2, 2))
    assert [m.shape for m in field] == [(9, 9), (7, 7), (5, 5)]
    expected = np.zeros((9, 9), bool)
    expected[2:7, 2:7] = True
    np.testing.assert_array_equal(field[0], expected)
    assert field[1].sum() == 9 and field[1][2:5, 2:5].all()
    assert field[2].sum() == 1 and field[2][2, 2]


def test_stride_and_pool_grow_the_field():
    # conv 3×3 stride 2 after a 2×2 max pool: the field of one output is 6×6 of the input
    s = convanim.Scenario(
        image=np.zeros((12, 12)),
        stages=[{"operation": "max_pool2d", "kernel_size": 2}, {"kernel": np.ones((3, 3)), "stride": 2}],
    )
    field = convanim.receptive_field(s, (1, 1))
    rows, cols = np.nonzero(field[0])
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (4, 9, 4, 9) and field[0].sum() == 36


def test_zero_weights_still_connect_and_default_stage_is_last():
    kernel = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    s = convanim.Scenario(image=np.ones((5, 5)), kernel=kernel)
    field = convanim.receptive_field(s, (0, 0))
    assert field[0][:3, :3].all() and field[0].sum() == 9


def test_reflected_padding_cells_count_as_the_cells_they_copy():
    # 3×3 kernel, reflect padding 1: output (0, 0) reads rows −1..1 → reflected rows 1, 0, 1
    s = convanim.Scenario(image=np.ones((5, 5)), kernel=np.ones((3, 3)), padding=1, padding_mode="reflect")
    expected = np.zeros((5, 5), bool)
    expected[:2, :2] = True
    np.testing.assert_array_equal(convanim.receptive_field(s, (0, 0))[0], expected)
    circular = convanim.Scenario(
        image=np.ones((5, 5)), kernel=np.ones((3, 3)), padding=1, padding_mode="circular"
    )
    field = convanim.receptive_field(circular, (0, 0))[0]
    assert field[4, 4] and field[0, 0] and field.sum() == 9  # rows 4, 0, 1 × cols 4, 0, 1


def test_groups_connect_only_their_channels():
    weights = np.ones((2, 1, 1, 1))  # depthwise 1×1 over 2 channels
    s = convanim.Scenario(image=np.ones((2, 3, 3)), kernel=weights, groups=2)
    field = convanim.receptive_field(s, (1, 0, 2))
    assert field[0].shape == (2, 3, 3) and field[0].sum() == 1 and field[0][1, 0, 2]


def test_bilinear_neighbour_with_weight_zero_does_not_connect():
    # ×2 with align_corners: output 0 sits exactly on input 0 (its neighbour's weight is 0)
    s = convanim.Scenario(
        image=np.arange(9.0).reshape(3, 3),
        stages=[{"operation": "upsample", "mode": "bilinear", "size": 5, "align_corners": True}],
    )
    assert convanim.receptive_field(s, (0, 0))[0].sum() == 1
    assert convanim.receptive_field(s, (1, 1))[0].sum() == 4


# ---------------------------------------------------------------- conv_matrix


@st.composite
def conv_layers(draw) -> tuple[convanim.Scenario, np.ndarray]:
    groups = draw(st.integers(1, 3))
    cin, per = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    mode = draw(st.sampled_from(list(MODES)))
    pads = [draw(st.integers(0, 3)) for _ in range(4)]
    seed = draw(st.integers(0, 10_000))
    keys = {
        "kernel": values(seed, (per * groups, cin // groups, *k)),
        "groups": groups,
        "stride": [draw(st.integers(1, 3)), draw(st.integers(1, 3))],
        "padding": pads,
        "padding_mode": mode,
        "dilation": [draw(st.integers(1, 3)), draw(st.integers(1, 3))],
        "flip": draw(st.booleans()),
        "bias": values(seed + 1, per * groups).tolist(),
    }
    image = values(seed + 2, (cin, h, w))
    try:
        return convanim.Scenario(image=image, limits=ROOMY, **keys), image
    except ScenarioError:
        assume(False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(conv_layers())
def test_conv_matrix_times_input_is_the_conv2d_output(layer):
    s, image = layer
    stage = s.stages[0]
    top, bottom, left, right = stage.padding
    padded = F.pad(t(image), (left, right, top, bottom), mode=MODES[stage.padding_mode])
    weights = stage.kernel.values[..., ::-1, ::-1] if stage.flip else stage.kernel.values
    expected = F.conv2d(
        padded,
        torch.tensor(weights.copy()),
        torch.tensor(stage.bias),
        stage.stride,
        0,
        stage.dilation,
        stage.groups,
    )[0].numpy()
    matrix = convanim.conv_matrix(s)
    assert matrix.shape == (expected.size, image.size)
    bias = np.repeat(stage.bias, expected[0].size)
    np.testing.assert_allclose(matrix @ image.ravel() + bias, expected.ravel(), **TOL)
    np.testing.assert_allclose(s.output().ravel(), expected.ravel(), **TOL)


@st.composite
def transposed_layers(draw) -> convanim.Scenario:
    groups = draw(st.integers(1, 3))
    cin, per = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    dilation = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    out_pad = [draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)]
    seed = draw(st.integers(0, 10_000))
    keys = {
        "operation": "conv_transpose2d",
        "kernel": values(seed, (cin, per, *k)),
        "groups": groups,
        "stride": stride,
        "padding": [draw(st.integers(0, 3)), draw(st.integers(0, 3))],
        "dilation": dilation,
        "output_padding": out_pad,
        "bias": values(seed + 1, per * groups).tolist(),
    }
    image = values(seed + 2, (cin, draw(st.integers(1, 5)), draw(st.integers(1, 5))))
    try:
        return convanim.Scenario(image=image, limits=ROOMY, **keys)
    except ScenarioError:
        assume(False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(transposed_layers())
def test_transposed_matrix_is_the_convolutions_transposed(s):
    stage, image = s.stages[0], s.image.values
    expected = F.conv_transpose2d(
        t(image),
        torch.tensor(stage.kernel.values),
        torch.tensor(stage.bias),
        stage.stride,
        (stage.padding[0], stage.padding[2]),
        stage.output_padding,
        stage.groups,
        stage.dilation,
    )[0].numpy()
    matrix = convanim.conv_matrix(s)
    bias = np.repeat(stage.bias, expected[0].size)
    np.testing.assert_allclose(matrix @ image.ravel() + bias, expected.ravel(), **TOL)
    # the convolution with the same kernel, stride, padding and dilation, from the output's shape back
    back = convanim.Scenario(
        image=np.zeros(expected.shape),
        kernel=stage.kernel.values,
        groups=stage.groups,
        stride=list(stage.stride),
        padding=[stage.padding[0], stage.padding[2]],
        dilation=list(stage.dilation),
        limits=ROOMY,
    )
    # it maps back to the input's shape, or to more when output_padding ≥ stride (PyTorch allows
    # up to the dilation): then the transposed stage is the adjoint of its first rows and columns
    c, h, w = back.output().shape
    assert (c, h, w)[0] == image.shape[0] and h >= image.shape[1] and w >= image.shape[2]
    assert (h, w) == image.shape[1:] or max(stage.output_padding) >= min(stage.stride)
    kept = np.zeros((c, h, w), bool)
    kept[:, : image.shape[1], : image.shape[2]] = True
    np.testing.assert_array_equal(matrix, convanim.conv_matrix(back)[kept.ravel()].T)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(transposed_layers())
def test_overlap_counts_are_conv_transpose2d_of_ones(s):
    stage = s.stages[0]
    h, w = stage.input_shape
    ones = torch.ones(1, 1, h, w, dtype=torch.float64)
    kernel = torch.ones(1, 1, *stage.kernel_size, dtype=torch.float64)
    pad = (stage.padding[0], stage.padding[2])
    expected = F.conv_transpose2d(
        ones, kernel, None, stage.stride, pad, stage.output_padding, 1, stage.dilation
    )
    counts = convanim.overlap_counts(s)
    assert counts.dtype.kind == "i" and counts.shape == stage.output_shape
    np.testing.assert_array_equal(counts, expected[0, 0].numpy().astype(int))


def test_hand_computed_matrix_and_folded_reflection():
    # 1×3 input, kernel [1, 2], stride 1: rows [1 2 0], [0 1 2]
    s = convanim.Scenario(image=np.array([[1.0, 2.0, 3.0]]), kernel=np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(convanim.conv_matrix(s), [[1, 2, 0], [0, 1, 2]])
    # kernel [1, 2, 3] with reflect padding 1: the grid is x1 x0 x1 x2 x1, so a reflected x1 adds
    # its weight to x1's: rows [2, 1 + 3, 0], [1, 2, 3], [0, 1 + 3, 2]
    s = convanim.Scenario(
        image=np.array([[1.0, 2.0, 3.0]]),
        kernel=np.array([[1.0, 2.0, 3.0]]),
        padding=[0, 1],
        padding_mode="reflect",
    )
    np.testing.assert_array_equal(convanim.conv_matrix(s), [[2, 4, 0], [1, 2, 3], [0, 4, 2]])


def test_hand_computed_overlap_kernel_3_stride_2():
    s = convanim.Scenario(
        image=np.ones((3, 3)), operation="conv_transpose2d", kernel=np.ones((3, 3)), stride=2
    )
    line = np.array([1, 1, 2, 1, 2, 1, 1])
    np.testing.assert_array_equal(convanim.overlap_counts(s), np.outer(line, line))


# ---------------------------------------------------------------- bad arguments


def two_stage() -> convanim.Scenario:
    return convanim.Scenario(
        image=np.zeros((6, 6)),
        stages=[{"kernel": np.ones((3, 3))}, {"operation": "max_pool2d", "kernel_size": 2}],
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: convanim.receptive_field(s, (2, 0)),
            "cell: must be (row, col) inside the 2×2 output of stage 1 (max_pool2d); got (2, 0)",
        ),
        (lambda s: convanim.receptive_field(s, (0, 0, 0)), "cell: must be (row, col) inside"),
        (lambda s: convanim.receptive_field(s, (0, 0), stage=2), "stage: must be a stage index, 0 to 1"),
        (lambda s: convanim.receptive_field(s, (0, 0), stage=-3), "stage: must be a stage index"),
        (
            lambda s: convanim.conv_matrix(s, 1),
            "stage: conv_matrix applies to conv2d and conv_transpose2d; stage 1 is max_pool2d",
        ),
        (
            lambda s: convanim.overlap_counts(s, 0),
            "stage: overlap_counts applies to conv_transpose2d; stage 0 is conv2d",
        ),
    ],
)
def test_bad_arguments_are_one_line_naming_the_argument(call, message):
    with pytest.raises(ScenarioError) as err:
        call(two_stage())
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_a_huge_matrix_is_refused():
    s = convanim.Scenario(image=np.zeros((100, 100)), kernel=np.ones((1, 1)), limits=ROOMY)
    with pytest.raises(
        convanim.ConvanimError, match=r"conv_matrix: the dense matrix would be 10,000 × 10,000"
    ):
        convanim.conv_matrix(s)
