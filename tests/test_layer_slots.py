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


def texts_and_slots(s: convanim.Scenario) -> tuple[list[str | None], LayerBuilder]:
    b = builder(s)
    return [it.shape.text if isinstance(it.shape, Text) else None for it in b.items], b


def text_slots(b: LayerBuilder) -> dict[int, ls.Node | ls.Recipe]:
    """The slots by the Text they write: a coloured cell's slot is at its Rect, its Text the next
    item (when values are drawn)."""
    out = {}
    for i, recipe in b.slotted:
        cell = isinstance(recipe, tuple) and recipe[0] in ("li", "lo")
        if cell and b.value_px is not None:
            out[i + 1] = recipe
        elif not cell and recipe[0] != "lc":  # (a weight drawn as a colour: no text)
            out[i] = recipe
    return out


@settings(max_examples=25, deadline=None)
@given(
    groups=st.integers(1, 2),
    per_in=st.integers(1, 3),
    per_out=st.integers(1, 3),
    k=st.integers(1, 3),
    pad=st.integers(0, 1),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_every_value_dependent_text_is_a_slot(groups, per_in, per_out, k, pad, bias, seed):
    """Two layers of one shape with other values: every Text that differs between them is a
    slot's, every slot's item is its recipe's text, and every step's readout is its recipe's."""
    rng = np.random.default_rng(seed)
    cin, cout = groups * per_in, groups * per_out

    def layer() -> convanim.Scenario:  # one set of ranges (the layout's): each reaches its bound
        image = rng.integers(0, 9, size=(cin, 4, 4)).astype(float)
        weights = rng.integers(-3, 4, size=(cout, per_in, k, k)).astype(float)
        biases = rng.integers(-3, 4, size=cout).astype(float)
        image[0, 0, 0], weights[0, 0, 0, 0], biases[0] = 8, 3, 3
        return convanim.Scenario(
            image=image,
            kernel=weights,
            bias=biases.tolist() if bias else None,
            groups=groups,
            padding=pad,
        )

    a, b = layer(), layer()
    if not a.stages[0].has_channels:
        return
    (ta, ba), (tb, bb) = texts_and_slots(a), texts_and_slots(b)
    assert ba.layout == bb.layout  # laid out for the ranges, which are the same
    # cell values are drawn where they fit (a player hides them where they do not)
    same = (ba.value_px is None) == (bb.value_px is None)
    assert len(ta) == len(tb) or not same
    for built, shown in ((ba, ta), (bb, tb)):
        slotted = text_slots(built)
        assert all(shown[i] == ls.text(recipe, built.vals) for i, recipe in slotted.items())
        if same:
            changed = {i for i, (x, y) in enumerate(zip(ta, tb, strict=True)) if x != y}
            assert changed <= set(slotted), [ta[i] for i in changed - set(slotted)]
        infos = built.infos()
        for frame, (step, recipe) in built.readouts.items():
            assert infos[frame].readout == ls.text(recipe, built.vals, step)
        assert len(built.readouts) == a.n_steps


def test_the_layout_depends_on_the_ranges_not_the_values():
    """Two layers whose values span the same ranges are laid out alike, to the pixel: what lets a
    player keep its picture after an edit (the Σ column, the bias text and the cells are sized
    for the widest value the ranges allow)."""
    rng = np.random.default_rng(7)

    def layer(image, weights, bias) -> LayerBuilder:
        return builder(convanim.Scenario(image=image, kernel=weights, bias=bias))

    image = rng.integers(0, 9, size=(3, 5, 5)).astype(float)
    weights = rng.integers(-2, 3, size=(2, 3, 3, 3)).astype(float)
    image[0, 0, 0], weights[0, 0, 0, 0] = 9, -2
    a = layer(image, weights, [0.5, -5.0])
    image2, weights2 = np.full_like(image, 1.0), np.full_like(weights, 0.25)
    image2[1, 2, 2], weights2[1, 0, 0, 0] = 8.5, 2
    b = layer(image2, weights2, [-3.75, 4.0])
    assert a.ranges == b.ranges == [[0, 9], [-2, 2], [-5, 5]]
    assert a.layout == b.layout
    assert ls.bounds(a.ranges, 9, 3) == (9, 162, 491, 5)


@settings(max_examples=60, deadline=None)
@given(
    planes=st.integers(1, 5),
    kh=st.integers(1, 13),
    kw=st.integers(1, 13),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_a_one_step_layer_of_8_taps_or_more_sums_pairwise_as_numpy(planes, kh, kw, bias, seed):
    """A network cell's one step: its window as the image, its filter as the kernel; numpy adds a
    window of 8 taps or more pairwise (pairwise_sum), which the program follows."""
    rng = np.random.default_rng(seed)
    s = convanim.Scenario(
        image=rng.normal(size=(planes, kh, kw)) * 10 ** rng.uniform(-2, 2, size=(planes, kh, kw)),
        kernel=rng.normal(size=(1, planes, kh, kw)),
        bias=rng.normal(size=1).tolist() if bias else None,
    )
    if not s.stages[0].has_channels:
        return
    v = builder(s).vals
    assert v.program.order == ("pairwise" if kh * kw >= 8 else "flat")
    out, sums = ls.evaluate(v.program, v.grid, v.weights, v.bias)
    assert out.tobytes() == s.output().ravel().tobytes()
    assert sums.tobytes() == v.sums.tobytes()


def test_pairwise_is_numpy_s_pairwise_sum():
    rng = np.random.default_rng(1)
    for n in (8, 9, 15, 16, 17, 64, 127, 128, 129, 200, 300):
        x = rng.normal(size=n) * 10 ** rng.uniform(-3, 3, size=n)
        assert ls.pairwise(x.tolist()) == x.sum(), n
