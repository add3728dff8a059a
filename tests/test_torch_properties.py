"""Differential property tests against torch.nn.functional: non-integer scale factors and sizes that
hit PyTorch's special paths (an unchanged axis, exactly twice the input, one output pixel), and every
padding rule of pooling: what PyTorch refuses, we refuse; what it computes, we compute bit for bit."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st

import convanim
from convanim.steps import _source, _taps


def tensor(a):
    return torch.tensor(np.array(a, dtype=float))[None, None]


def upsample(image, mode, align, how):
    keys = {"operation": "upsample", "mode": mode}
    torch_keys = {"mode": mode}
    if mode == "bilinear":
        keys["align_corners"] = torch_keys["align_corners"] = align
    if isinstance(how, tuple) and all(isinstance(v, int) for v in how):
        keys["size"], torch_keys["size"] = list(how), how
    else:
        keys["scale_factor"], torch_keys["scale_factor"] = list(how), how
    return keys, torch_keys


FACTORS = st.one_of(
    st.floats(0.3, 16.0, allow_nan=False).map(lambda v: round(v, 3)),
    st.sampled_from([1.0, 2.0, 2.2, 1.9, 3.7, 0.5, 1.5, 2.5, 1.0001, 1.9999, 7.3]),
)


@st.composite
def sizes(draw, h, w):
    """Output sizes, often the special ones: unchanged, exactly twice, one pixel, or any."""

    def one(n):
        return draw(st.one_of(st.just(n), st.just(2 * n), st.just(1), st.integers(1, 3 * n + 2)))

    return (one(h), one(w))


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    mode=st.sampled_from(["nearest", "bilinear"]),
    align=st.booleans(),
    by_size=st.booleans(),
    factors=st.tuples(FACTORS, FACTORS),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
@example(h=1, w=2, mode="nearest", align=False, by_size=False, factors=(1.0, 2.2), data=None, seed=0)
@example(h=1, w=11, mode="nearest", align=False, by_size=False, factors=(1.0, 3.7), data=None, seed=0)
@example(h=9, w=3, mode="nearest", align=False, by_size=False, factors=(14.0, 1.0001), data=None, seed=0)
def test_upsampling_equals_torch_bit_for_bit(h, w, mode, align, by_size, factors, data, seed):
    image = np.random.default_rng(seed).normal(size=(h, w)) * 10
    how = data.draw(sizes(h, w)) if by_size and data is not None else factors
    keys, torch_keys = upsample(image, mode, align, how)
    shape = how if by_size and data is not None else (math.floor(h * how[0]), math.floor(w * how[1]))
    if min(shape) < 1:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=image, **keys)
        return
    sc = convanim.Scenario(image=image, **keys, limits=convanim.Limits(10**6, 10**6, 10**9))
    expected = F.interpolate(tensor(image), **torch_keys)[0, 0].numpy()
    if mode == "nearest":
        np.testing.assert_array_equal(sc.output(), expected)
    else:  # the blend's last bit depends on how the compiled kernel orders its sums; see below
        np.testing.assert_allclose(sc.output(), expected, rtol=1e-12, atol=1e-12)
        assert_torch_weights(sc, h, w, torch_keys)
    for step in sc.computations[-1].steps:  # the blend the frame shows is the value drawn
        assert all(0 <= r < h and 0 <= c < w for r, c in step.cells)
        assert sum(step.weights) == pytest.approx(1.0)
        assert sum(wt * image[c] for c, wt in zip(step.cells, step.weights, strict=True)) == pytest.approx(
            step.value, abs=1e-9
        )


def assert_torch_weights(sc, h, w, torch_keys):
    """Along each axis, every output index reads the input indices PyTorch reads with PyTorch's
    weights, bit for bit (float32 floor, fused multiply-add, clamping): interpolating a one-hot row
    gives PyTorch's weight of that pixel at every output position."""
    oh, ow = sc.output_shape
    factors = torch_keys.get("scale_factor") or (None, None)
    align = torch_keys["align_corners"]
    for n, m, factor in ((h, oh, factors[0]), (w, ow, factors[1])):
        ours = np.zeros((m, n))
        for dst in range(m):
            for i, wt in _taps(_source(dst, n, m, factor, "bilinear", align), n, n == m):
                ours[dst, i] += wt
        how = {"scale_factor": (1.0, factor)} if factor is not None else {"size": (1, m)}
        for i in range(n):
            hot = np.zeros((1, n))
            hot[0, i] = 1.0
            theirs = F.interpolate(tensor(hot), mode="bilinear", align_corners=align, **how)[0, 0, 0].numpy()
            np.testing.assert_array_equal(ours[:, i], theirs, err_msg=f"weights of input index {i} of {n}")


def test_nearest_reproducers_of_issue_11():
    two = convanim.Scenario(
        image=np.array([[1.0, 2.0]]), operation="upsample", mode="nearest", scale_factor=2.2
    )
    assert two.output().tolist() == [[1, 1, 2, 2], [1, 1, 2, 2]]  # torch: dst >> 1 at exactly 2×
    ramp = convanim.Scenario(
        image=np.arange(11.0).reshape(1, 11), operation="upsample", mode="nearest", scale_factor=[1, 3.7]
    )
    assert ramp.output()[0, 37] == 10  # float32 index arithmetic, as torch


def torch_pool(op, image, k, s, p, d, ceil, cip):
    """PyTorch's result, or None when it refuses the combination (or leaves no output)."""
    try:
        if op == "max":
            out = F.max_pool2d(tensor(image), k, s, p, d, ceil_mode=ceil)
        else:
            out = F.avg_pool2d(tensor(image), k, s, p, ceil_mode=ceil, count_include_pad=cip)
    except RuntimeError:
        return None
    return out[0, 0].numpy() if out.numel() else None


@settings(max_examples=200, deadline=None)
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    p=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    d=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    ceil=st.booleans(),
    op=st.sampled_from(["max", "avg"]),
    cip=st.booleans(),
    seed=st.integers(0, 2**16),
)
@example(h=7, w=7, k=(3, 3), s=(1, 1), p=(2, 2), d=(3, 3), ceil=False, op="max", cip=True, seed=0)
def test_pooling_refuses_what_torch_refuses_and_equals_the_rest(h, w, k, s, p, d, ceil, op, cip, seed):
    image = np.random.default_rng(seed).integers(-9, 9, size=(h, w)).astype(float)
    keys = {"operation": f"{op}_pool2d", "kernel_size": list(k), "stride": list(s), "padding": list(p)}
    keys["ceil_mode"] = ceil
    if op == "max":
        keys["dilation"] = list(d)
    else:
        d, keys["count_include_pad"] = (1, 1), cip
    expected = torch_pool(op, image, k, s, p, d, ceil, cip)
    if expected is None:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=image, **keys)
        return
    sc = convanim.Scenario(image=image, **keys)
    np.testing.assert_array_equal(sc.output(), expected)


def test_max_pool_padding_limit_is_on_the_undilated_kernel():
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(
            image={"pattern": "square", "size": 7},
            operation="max_pool2d",
            kernel_size=3,
            padding=2,
            dilation=3,
        )
    assert str(err.value) == (
        "padding: must be at most half the window, as in PyTorch (2 > 1 for a 3-wide window)"
    )
