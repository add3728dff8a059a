"""The layer view's slots (frames/layer_slots.py): the layer's step program sums as numpy does in
its steps (per plane in the window view's order, then across planes, then the bias), bit for bit,
and every value-dependent text of the layer view is its slot's text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim.display import Text
from convanim.frames import layer_slots as ls
from convanim.frames.layer import LayerBuilder

from .helpers import ROOT

GALLERY = ["layer_3_to_2", "layer_depthwise", "layer_pointwise", "layer_rgb_bias", "layer_three_filters"]


def builder(s: convanim.Scenario) -> LayerBuilder:
    b = LayerBuilder(s, s.computations[-1])
    b.frames()
    return b


@settings(max_examples=80, deadline=None)
@given(
    groups=st.integers(1, 2),
    per_in=st.integers(1, 3),
    per_out=st.integers(1, 2),
    size=st.integers(3, 6),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    stride=st.integers(1, 2),
    dilation=st.integers(1, 2),
    pad=st.integers(0, 1),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_layer_program_sums_as_numpy(
    groups, per_in, per_out, size, kh, kw, stride, dilation, pad, bias, seed
):
    rng = np.random.default_rng(seed)
    cin, cout = groups * per_in, groups * per_out
    if (max(kh, kw) - 1) * dilation + 1 > size + 2 * pad:
        return
    s = convanim.Scenario(
        image=(rng.normal(size=(cin, size, size)) * 10 ** rng.uniform(-2, 2, size=(cin, size, size))),
        kernel=rng.normal(size=(cout, per_in, kh, kw)),
        bias=rng.normal(size=cout).tolist() if bias else None,
        groups=groups,
        stride=stride,
        dilation=dilation,
        padding=pad,
    )
    if not s.stages[0].has_channels:
        return
    v = builder(s).vals
    if v.program.order is None:  # numpy adds a run of 8 or more pairwise: not followed
        return
    out, sums = ls.evaluate(v.program, v.grid, v.weights, v.bias)
    assert out.tobytes() == s.output().ravel().tobytes()
    assert sums.tobytes() == v.sums.tobytes()


def test_gallery_layers_sum_as_numpy():
    for name in GALLERY:
        v = builder(convanim.load(ROOT / "animations" / f"{name}.toml")).vals
        out, sums = ls.evaluate(v.program, v.grid, v.weights, v.bias)
        assert out.tobytes() == v.output.tobytes(), name
        assert sums.tobytes() == v.sums.tobytes(), name


def test_rgb_bias_texts_are_slot_texts():
    """The bias, a plane's sum, a step's equation, the readout and the summary of layer_rgb_bias
    are their recipes' texts, and they change with the values the slots read."""
    s = convanim.load(ROOT / "animations" / "layer_rgb_bias.toml")
    b = builder(s)
    v = b.vals
    frames = s.frames()
    k = b.at(0)
    shown = [t.text for t in frames.visible(k) if isinstance(t, Text)]
    assert ls.text(["+ b = ", ("lb", 0)], v) in shown
    assert ls.text(["\u03a3 ", ("ls", 0, 0)], v) in shown
    assert ls.text(("le", 0), v) in shown
    assert frames.frames[k].readout == ls.text(
        ["step ", ("s",), f"/{s.n_steps}: out[0][0,0] = ", ("o",)], v, 0
    )
    assert ls.text(("lb", 0), v) == v.fmt_out(float(s.bias[0]))
    assert ls.text(("lo", 0, 0), v) == v.fmt_out(float(s.output()[0, 0, 0]))
    assert ls.text(("li", 0, 0), v) == v.fmt_in(float(s.computations[-1].grid[0, 0, 0]))
