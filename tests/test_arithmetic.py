"""Padding, dilation and transposed convolution: numbers against torch and an independent reference."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim.arithmetic import conv_out_formula, same_pads, transpose_out_formula

from .helpers import ROOT, torch_reference


def tensor(a):
    return torch.tensor(np.array(a, dtype=float))[None, None]


def reference_conv(image, kernel, stride, pads, mode, dil):
    """The course's formula as loops, with padding looked up index by index (no np.pad)."""
    (h, w), (kh, kw) = image.shape, kernel.shape
    top, bottom, left, right = pads

    def source(i, n, lo):
        j = i - lo
        if 0 <= j < n:
            return j
        if mode == "zeros":
            return None
        if mode == "replicate":
            return min(max(j, 0), n - 1)
        if mode == "circular":
            return j % n
        while not 0 <= j < n:  # reflect about the edge pixels
            j = -j if j < 0 else 2 * (n - 1) - j
        return j

    oh = (h + top + bottom - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (w + left + right - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((oh, ow))
    for a in range(oh):
        for b in range(ow):
            for i in range(kh):
                for j in range(kw):
                    r = source(a * stride[0] + i * dil[0], h, top)
                    c = source(b * stride[1] + j * dil[1], w, left)
                    if r is not None and c is not None:
                        out[a, b] += kernel[i, j] * image[r, c]
    return out


def reference_transpose(image, kernel, stride, pad, out_pad, dil):
    """Scatter each pixel's value × kernel, then crop the padding: loops only."""
    (h, w), (kh, kw) = image.shape, kernel.shape
    oh = (h - 1) * stride[0] - 2 * pad[0] + dil[0] * (kh - 1) + out_pad[0] + 1
    ow = (w - 1) * stride[1] - 2 * pad[1] + dil[1] * (kw - 1) + out_pad[1] + 1
    out = np.zeros((oh, ow))
    for r in range(h):
        for c in range(w):
            for i in range(kh):
                for j in range(kw):
                    y, x = r * stride[0] + i * dil[0] - pad[0], c * stride[1] + j * dil[1] - pad[1]
                    if 0 <= y < oh and 0 <= x < ow:
                        out[y, x] += image[r, c] * kernel[i, j]
    return out


@pytest.mark.parametrize("path", sorted((ROOT / "animations").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_equals_torch_and_the_size_formula(path):
    s = convanim.load(path)
    out = s.output()
    np.testing.assert_allclose(out, torch_reference(s), rtol=1e-12, atol=1e-12)
    if s.image.rank == 1:  # a signal: (L',) or (C, L'), its unit height left out
        assert out.shape[-1:] == s.output_shape[1:] and (out.ndim == 2) == s.layered
    else:
        assert out.shape[-2:] == s.output_shape and (out.ndim == 3) == s.layered


def test_torch_conv2d_module_agrees_with_named_padding():
    """padding="same" and a padding_mode, as torch.nn.Conv2d(padding=..., padding_mode=...) runs them."""
    image = np.arange(30.0).reshape(5, 6) % 7
    kernel = np.array([[1.0, -2.0], [3.0, 0.5]])  # even: the odd extra pad goes after (bottom/right)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        s = convanim.Scenario(image=image, kernel=kernel, padding="same", padding_mode=mode, dilation=2)
        conv = torch.nn.Conv2d(1, 1, 2, padding="same", padding_mode=mode, dilation=2, bias=False).double()
        with torch.no_grad():
            conv.weight[:] = tensor(kernel)
            expected = conv(tensor(image))[0, 0].numpy()
        np.testing.assert_allclose(s.output(), expected, rtol=1e-12, atol=1e-12)
        assert s.padding == (1, 1, 1, 1)  # d·(k−1) = 2: one each side
    s = convanim.Scenario(image=image, kernel=kernel, padding="same")
    assert s.padding == (0, 1, 0, 1)


def test_same_pads_put_the_odd_cell_after():
    assert same_pads(3) == (1, 1) and same_pads(4) == (1, 2) and same_pads(2, 3) == (1, 2)


def test_formulas_carry_the_numbers():
    assert conv_out_formula(7, 3, 2, (1, 1), 1) == "⌊(7 + 2·1 − 1·(3 − 1) − 1)/2⌋ + 1 = 4"
    assert conv_out_formula(10, 3, 1) == "⌊(10 − 3)/1⌋ + 1 = 8"
    assert conv_out_formula(5, 2, 1, (0, 1), 1) == "⌊(5 + 0 + 1 − 1·(2 − 1) − 1)/1⌋ + 1 = 5"
    assert transpose_out_formula(3, 3, 2, 1, 1, 1) == "(3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6"


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sr=st.integers(1, 3),
    sc=st.integers(1, 3),
    dr=st.integers(1, 3),
    dc=st.integers(1, 3),
    pads=st.tuples(*[st.integers(0, 3)] * 4),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**16),
)
def test_random_conv2d_with_padding_and_dilation(h, w, kh, kw, sr, sc, dr, dc, pads, mode, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    top, bottom, left, right = pads
    valid = (
        dr * (kh - 1) + 1 <= h + top + bottom
        and dc * (kw - 1) + 1 <= w + left + right
        and not (mode == "reflect" and max(top, bottom) >= h)
        and not (mode == "reflect" and max(left, right) >= w)
        and not (mode == "circular" and (max(top, bottom) > h or max(left, right) > w))
    )
    keys = dict(
        image=image, kernel=kernel, stride=[sr, sc], dilation=[dr, dc], padding=list(pads), padding_mode=mode
    )
    if not valid:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(**keys)
        return
    s = convanim.Scenario(**keys)
    out = s.output()
    ref = reference_conv(image, kernel, (sr, sc), pads, mode, (dr, dc))
    assert out.shape == ref.shape == s.output_shape
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(out, torch_reference(s), rtol=1e-10, atol=1e-10)
    assert len(s.computations[-1].steps) == out.size


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sr=st.integers(1, 3),
    sc=st.integers(1, 3),
    dr=st.integers(1, 2),
    dc=st.integers(1, 2),
    pr=st.integers(0, 2),
    pc=st.integers(0, 2),
    opr=st.integers(0, 2),
    opc=st.integers(0, 2),
    view=st.sampled_from(["scatter", "direct"]),
    seed=st.integers(0, 2**16),
)
def test_random_conv_transpose2d(h, w, kh, kw, sr, sc, dr, dc, pr, pc, opr, opc, view, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    oh = (h - 1) * sr - 2 * pr + dr * (kh - 1) + opr + 1
    ow = (w - 1) * sc - 2 * pc + dc * (kw - 1) + opc + 1
    valid = (
        opr < max(sr, dr)
        and opc < max(sc, dc)
        and oh >= 1
        and ow >= 1
        and (view == "scatter" or (pr <= dr * (kh - 1) and pc <= dc * (kw - 1)))
    )
    keys = dict(
        image=image,
        kernel=kernel,
        operation="conv_transpose2d",
        stride=[sr, sc],
        dilation=[dr, dc],
        padding=[pr, pc],
        output_padding=[opr, opc],
        transpose_view=view,
    )
    if not valid:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(**keys)
        return
    s = convanim.Scenario(**keys)
    ref = reference_transpose(image, kernel, (sr, sc), (pr, pc), (opr, opc), (dr, dc))
    assert s.output().shape == ref.shape == s.output_shape == (oh, ow)
    np.testing.assert_allclose(s.output(), ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(s.output(), torch_reference(s), rtol=1e-10, atol=1e-10)


def test_scatter_steps_accumulate_to_the_output():
    s = convanim.Scenario(
        image=np.array([[1.0, 2.0], [3.0, 4.0]]),
        kernel=np.ones((3, 3)),
        operation="conv_transpose2d",
        stride=2,
        padding=1,
    )
    steps = s.computations[-1].steps
    assert [st.src for st in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert (
        steps[1].value == 2.0 and steps[1].rows.tolist() == [-1, 0, 1] and steps[1].cols.tolist() == [1, 2, 3]
    )
    np.testing.assert_array_equal(steps[1].products, np.full((1, 3, 3), 2.0))
    # the centre tap of the second pixel lands on output[0,2], already holding 1 from the first pixel
    assert steps[1].totals[0, 1, 1] == 2.0 and steps[1].totals[0, 1, 0] == 1.0 + 2.0
    np.testing.assert_array_equal(s.output(), [[1, 3, 2], [4, 10, 6], [3, 7, 4]])


def test_direct_view_reads_the_zero_inserted_grid_with_the_rotated_kernel():
    kernel = np.arange(9.0).reshape(3, 3)
    s = convanim.Scenario(
        image=np.array([[1.0, 2.0], [3.0, 4.0]]),
        kernel=kernel,
        operation="conv_transpose2d",
        stride=2,
        padding=1,
        transpose_view="direct",
    )
    comp = s.computations[-1]
    np.testing.assert_array_equal(comp.weights, kernel[None, None, ::-1, ::-1])
    np.testing.assert_array_equal(
        comp.grid[0], [[0, 0, 0, 0, 0], [0, 1, 0, 2, 0], [0, 0, 0, 0, 0], [0, 3, 0, 4, 0], [0, 0, 0, 0, 0]]
    )
    assert comp.ghost.sum() == 25 - 4 and comp.origin[3, 3].tolist() == [1, 1]
    assert s.n_frames == len(comp.steps) + 3  # poster, rotation, steps, final


PADDING_RULES = [
    (
        {"padding": [1, 2, 3]},
        'padding: must be an integer, [rows, cols], [top, bottom, left, right], "valid", "same" or "full" (got [1, 2, 3])',
    ),
    (
        {"padding": "half"},
        'padding: must be an integer, [rows, cols], [top, bottom, left, right], "valid", "same" or "full" (got \'half\')',
    ),
    ({"padding": -1}, "padding: must be a non-negative integer (got -1)"),
    ({"padding": [0, 70]}, "padding[1]: must be at most 64 (got 70)"),
    (
        {"padding_mode": "mirror"},
        "padding_mode: must be one of 'zeros', 'reflect', 'replicate', 'circular' (got 'mirror')",
    ),
    (
        {"padding": 4, "padding_mode": "reflect"},
        "padding: reflect padding must be smaller than the image (top 4 with 4 rows)",
    ),
    (
        {"padding": [0, 5], "padding_mode": "circular"},
        "padding: circular padding must not exceed the image (left 5 with 4 columns)",
    ),
    ({"padding": "same", "stride": 2}, "padding: 'same' needs stride 1, as in PyTorch (got stride 2)"),
    ({"dilation": 0}, "dilation: must be a positive integer (got 0)"),
    (
        {"dilation": 2, "kernel": {"preset": "mean"}},
        "kernel.size: the 3×3 kernel (spanning 5×5 with dilation 2) is larger than the 4×4 image; "
        "padding = 1 would make it fit",
    ),
    (
        {"kernel": {"preset": "mean", "size": 7}, "padding": 1},
        "kernel.size: the 7×7 kernel is larger than the 6×6 padded image; padding = 2 would make it fit",
    ),
    ({"output_padding": 1}, "output_padding: does not apply to operation 'conv2d'"),
    ({"transpose_view": "direct"}, "transpose_view: does not apply to operation 'conv2d'"),
    (
        {"operation": "conv_transpose2d", "output_padding": 1},
        "output_padding: must be smaller than the stride or the dilation, as in PyTorch (got 1 with stride 1, dilation 1)",
    ),
    (
        {"operation": "conv_transpose2d", "padding": "same"},
        "padding: conv_transpose2d takes an integer or [rows, cols], as in PyTorch",
    ),
    (
        {"operation": "conv_transpose2d", "padding": [0, 1, 0, 0]},
        "padding: conv_transpose2d takes an integer or [rows, cols], as in PyTorch",
    ),
    (
        {"operation": "conv_transpose2d", "padding_mode": "reflect"},
        "padding_mode: does not apply to operation 'conv_transpose2d'",
    ),
    (
        {"operation": "conv_transpose2d", "padding": 4},
        "padding: leaves no output rows: (4 − 1)·1 − 2·4 + 1·(3 − 1) + 0 + 1 = −2",
    ),
    (
        {"operation": "conv_transpose2d", "padding": 3, "stride": 2, "transpose_view": "direct"},
        "transpose_view: 'direct' needs padding ≤ dilation·(kernel − 1) = 2 (got 3); use 'scatter'",
    ),
    ({"stride": 0}, "stride: must be a positive integer (got 0)"),
]


@pytest.mark.parametrize(
    ("keys", "message"),
    PADDING_RULES,
    ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(PADDING_RULES)],
)
def test_padding_rules(keys, message):
    base = {"image": {"pattern": "square", "size": 4}, "kernel": {"preset": "mean"}}
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(**{**base, **keys})
    assert str(err.value) == message
