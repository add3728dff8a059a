"""The recipes ("slots") of every text and colour of the window view that depends on the values,
and their interpreter, so that an editable player recomputes them (``convanim.editing``).

A slot is data only: ``("i", g)`` is grid cell g's value as the input writes it (and its colour),
``("o", k)`` output cell k, ``("k", j)`` weight j's label, ``("e", k)`` step k's equation,
``("t", k, recipe)`` a recipe's text for step k (see :func:`text`), ``("m", k)`` and
``("x", k)`` an average or a max pool's equation, ``("a", k)`` the place of a max pool's marker
(a Rect's x and y, see ``Slots.marker``), and a text recipe is a list
of literal strings and such nodes (``("lo",)``, ``("hi",)``: the output's least and greatest
value; ``("p",)``: the kernel preset's name). The window view builds each such
text by calling :func:`text` on its slot, so Python's text is the recipe's text; the player's
``templates/player.js`` interprets the same recipes on the edited values, with the rules shipped
as data here (the summing order, the number formats' parameters, a width table, colour tables).
Only a one-channel ``conv2d`` drawn by the window view is editable (``editing.editable``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..filters import plane_labels
from ..kernels import weight_is_exact
from ..layout import EQUATION_PX
from ..style import ColourScale, Theme
from ..textsize import fast_width
from . import layer_slots as ls
from .base import paren, shorten

Node = tuple[Any, ...]
Recipe = Sequence[str | Node]


@dataclass(frozen=True, eq=False)
class Values:
    """What the slots read: the grid the steps read (flat), the weights (flat), the output (flat),
    and the rules that write and colour them, as the window view has them."""

    grid: np.ndarray
    weights: np.ndarray  #: (kh, kw)
    output: np.ndarray
    fmt_in: Callable[[float], str]
    fmt_out: Callable[[float], str]
    in_scale: ColourScale
    out_scale: ColourScale
    theme: Theme
    preset: str | None
    room: float  #: px an equation may use
    taps: np.ndarray  #: (steps, kh·kw) grid index each weight of each step reads
    cols: int  #: output columns
    #: an average pool: each step's divisor, and (padding not counted) which taps are the image's
    pool: tuple[tuple[int, ...], np.ndarray | None] | None = None
    maximum: bool = False  #: a max pool: each step keeps its window's first maximum
    labels: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        labels = plane_labels(self.weights)
        object.__setattr__(self, "labels", tuple(t for row in labels for t in row))


def text(recipe: Node | Recipe, v: Values, step: int | None = None) -> str:
    """The text of a slot node or of a recipe (literal strings and nodes); in a step's recipe (a
    readout) ``("s",)``, ``("r",)``, ``("c",)`` and ``("o",)`` are the step's number (from 1), its
    output row and column, and its output value, ``("e",)`` its equation and ``("n",)`` its index
    from 0 (the matrix view's patch row; its players' ``templates/matrix.js`` writes it)."""
    if isinstance(recipe, tuple):
        return _node(recipe, v, step)
    return "".join(part if isinstance(part, str) else _node(part, v, step) for part in recipe)


def _node(node: Node, v: Values, step: int | None = None) -> str:
    kind = node[0]
    if len(node) == 1 and step is not None and kind in ("s", "r", "c", "o", "n"):
        return (
            v.fmt_out(v.output[step])
            if kind == "o"
            else str({"s": step + 1, "r": step // v.cols, "c": step % v.cols, "n": step}[kind])
        )
    if kind in ("i", "g"):
        return v.fmt_in(v.grid[node[1]])
    if kind == "o":
        return v.fmt_out(v.output[node[1]])
    if kind == "k":
        return v.labels[node[1]]
    if kind == "lo":
        return v.fmt_out(v.output.min())
    if kind == "hi":
        return v.fmt_out(v.output.max())
    if kind == "p":
        return f" ({v.preset.replace('_', ' ')})" if v.preset else ""
    if kind == "e":  # ("e",) in a step's recipe: that step's
        return equation(node[1] if len(node) > 1 else step, v)
    if kind == "m":
        return mean_equation(node[1], v)
    if kind == "x":
        return max_equation(node[1], v)
    if kind in ("si", "so", "sk", "se", "sx", "sm"):  # the signal view's (see signal_editable)
        return signal_text(node, v)
    if kind == "t":  # a recipe of step node[1]
        return text(node[2], v, node[1])
    raise ValueError(f"unknown slot {node!r}")


def fill(node: Node, v: Values) -> str:
    """The colour of an input ("i") or output ("o") cell."""
    scale, values = (v.in_scale, v.grid) if node[0] == "i" else (v.out_scale, v.output)
    return scale(values[node[1] : node[1] + 1])[0]


def ink(node: Node, v: Values) -> str:
    """The text colour on that cell."""
    return v.theme.text_on(fill(node, v))


def equation(k: int, v: Values) -> str:
    """Step k's equation: "output[2,3] = 1/9 · (9 + … + 9) = 81/9 = 9.0" for a kernel of one
    weight, "output[0,0] = 1·2 + (−1)·3 = −1" otherwise, "≈" when a label rounds its weight;
    the middle terms elided to fit the strip."""
    head = f"output[{k // v.cols},{k % v.cols}] = "
    weights = v.weights.ravel()
    inputs = v.grid[v.taps[k]]
    exact = all(weight_is_exact(w) for w in weights.tolist())
    value = ("= " if exact else "\u2248 ") + v.fmt_out(v.output[k])
    nz = [j for j, w in enumerate(weights.tolist()) if w != 0]
    if not nz:
        return head + "0"
    if len({weights[j] for j in nz}) == 1:
        w = v.labels[nz[0]]
        terms = [v.fmt_in(inputs[j]) for j in nz]
        total = v.fmt_in(sum(inputs[j] for j in nz))
        product = f"{total}/{w[2:]}" if w.startswith("1/") else f"{w}\u00b7{total}"
        return shorten(
            terms, lambda shown: f"{head}{w} \u00b7 ({' + '.join(shown)}) = {product} {value}", v.room
        )
    terms = [f"{paren(v.labels[j])}\u00b7{paren(v.fmt_in(inputs[j]))}" for j in nz]
    return shorten(terms, lambda shown: f"{head}{' + '.join(shown)} {value}", v.room)


def mean_equation(k: int, v: Values, head: str | None = None) -> str:
    """An average pool's step k: "output[0,1] = (1 + 2 + 4 + 5)/4 = 12/4 = 3.0", the terms the
    image's own where padding is not counted, the middle ones elided to fit the strip; ``head``
    in place of "output[0,1] = " (a signal's "output[1] = ")."""
    assert v.pool is not None
    divisors, real = v.pool
    head, d = f"output[{k // v.cols},{k % v.cols}] = " if head is None else head, divisors[k]
    inputs = v.grid[v.taps[k]]
    terms = [v.fmt_in(x) for x in (inputs if real is None else inputs[real[k]])]
    tail = f")/{d} = {v.fmt_in(float(inputs.sum()))}/{d} = {v.fmt_out(v.output[k])}"
    return shorten(terms, lambda shown: f"{head}({' + '.join(shown)}{tail}", v.room)


def chosen(k: int, v: Values) -> int:
    """The grid cell a max pool's step k keeps: its window's first maximum in row-major order (the
    taps' order), as numpy's argmax and PyTorch pick it; the marker's place (``Slots.marker``)."""
    taps = v.taps[k]
    return int(taps[int(np.argmax(v.grid[taps]))])


def max_equation(k: int, v: Values) -> str:
    """A max pool's step k: "output[0,1] = max(1, 5, 2, 4) = 5", padding's −∞ among the terms,
    the middle ones elided to fit the strip."""
    head = f"output[{k // v.cols},{k % v.cols}] = max("
    terms = [v.fmt_in(x) for x in v.grid[v.taps[k]]]
    tail = f") = {v.fmt_out(v.output[k])}"
    return shorten(terms, lambda shown: f"{head}{', '.join(shown)}{tail}", v.room)


@dataclass(frozen=True, eq=False)
class Slots:
    """An editable picture's slots: (item index, node or recipe) of each value-dependent item (an
    input or output cell's Rect, whose Text, if any, follows it; a ghost cell's or a weight's Text;
    an equation's or the summary's Text), each step's readout as (frame, step, recipe), and the
    values they were built from (``Frames.slots``)."""

    items: tuple[tuple[int, Any], ...]
    readouts: tuple[tuple[int, int, Recipe], ...]
    values: Values
    origin: np.ndarray  #: (grid cells,) flat image index each grid cell holds, −1 for a zero
    image_shape: tuple[int, int]
    grid_cols: int
    texts: bool  #: whether cells hold their values
    colormap: str
    output_colormap: str | None
    order: str  #: how numpy adds a window's products (steps.sum_order)
    #: how cell values and weights are sized: (cell, largest and least size of values in final px,
    #: 1 if values are always drawn, render.scale, the kernel's cell and least size in builder units)
    sizes: tuple[float, ...] = ()
    #: the alt text as a recipe of literal strings and nodes (alttext.alt_recipe), capitalised
    alt: tuple[Any, ...] = ()
    flip: bool = False  #: the weights slide turned by 180° (true convolution)
    #: a max pool's marker rule: the input grid's x, y, cell, the marker's inset (builder units)
    #: and the scale; step k's marker (slot ("a", k)) stands at (x + col·cell) + inset, (y + row·cell)
    #: + inset of grid cell ``chosen(k)``, times the scale snapped to a pixel (frames.scaling)
    marker: tuple[float, ...] = ()
    #: the signal view's bar bands (builder units): the input's top and height, the output's, and
    #: the scale (``bar``, ``zero_y``; a Rect's corner snapped as frames.scaling does)
    bands: tuple[float, ...] = ()
    #: the matrix view's (im2col): its patch cells are input slots, its steps' recipes write the
    #: patch row ("n"), which its players' own script reads (``templates/matrix.js``)
    matrix: bool = False

    @property
    def given(self) -> np.ndarray:
        """The weights as the scenario gives them (``values.weights`` turned back, for a flip)."""
        w = self.values.weights
        return w[::-1, ::-1] if self.flip else w


def editable(s: Any) -> bool:
    """Whether the window view of ``s`` can be edited in the player: one conv2d stage on one
    channel drawn as a sliding window or as a matrix product (flipped or not), or a transposed one
    seen as a direct convolution (its kernel turned as a flip's), or an average or a max pool
    (input only, no ceil mode: every window whole; a max pool's marker moves with the maximum),
    auto number formats, no cone, kernel rows of at most 7 weights (numpy adds a contiguous row of
    8 or more pairwise; the window view also asks steps.sum_order for an order the player can
    follow)."""
    st = s.stages[0]
    matrix = st.view == "matrix" and st.operation == "conv2d"  # (the transposed one's is a scatter)
    if len(s.stages) != 1 or not (st.view is None or matrix) or s.render.number_format is not None:
        return False
    if s.cone is not None:
        return False
    if st.operation in ("avg_pool2d", "max_pool2d"):  # a window's sum: numpy's pairwise sum of ≤ 128
        kh, kw = st.kernel_size
        return s.image.values.shape[0] == 1 and not st.ceil_mode and kh * kw <= 128
    direct = st.operation == "conv_transpose2d" and st.transpose_view == "direct"
    return (st.operation == "conv2d" or direct) and not st.has_channels and st.kernel.values.shape[3] <= 7


# ---------------------------------------------------------------- the signal view (conv1d)


def signal_editable(s: Any) -> bool:
    """Whether the signal view of ``s`` can be edited in the player: one conv1d stage on one
    channel, no bias, flipped or not (a flip's weights slide reversed: ``Slots.flip``), or a
    conv_transpose1d on one channel, no bias (drawn as a direct convolution of the spread-out input
    whose reversed weights slide by 1, as a flip's), auto number
    formats, at most 7 taps (numpy adds 8 or more pairwise); the view also asks steps.sum_order for
    an order the player can follow. Or a
    max_pool1d or an avg_pool1d on one channel (input only, no ceil mode, an average's window of
    at most 128 samples: numpy's pairwise sum, which the player follows up to there)."""
    st = s.stages[0]
    plain = len(s.stages) == 1 and not s.image.layered and s.render.number_format is None
    if st.operation in ("max_pool2d", "avg_pool2d"):  # input only, every window whole
        return plain and s.image.values.shape[0] == 1 and not st.ceil_mode and st.kernel_size[1] <= 128
    return (
        plain
        and st.operation in ("conv2d", "conv_transpose2d")  # a transposed one drawn as its direct view
        and not st.has_channels
        and st.bias is None
        and st.kernel.values.shape[3] <= 7
    )


def signal_text(node: Node, v: Values) -> str:
    """The signal view's texts: "si"/"so" input and output sample g's value, "sk" weight j's
    label, "se" step k's equation (:func:`signal_equation`), "sx" a max_pool1d's, "sm" an
    avg_pool1d's (:func:`mean_equation` headed "output[k] = ")."""
    kind, i = node
    if kind == "sm":
        return mean_equation(i, v, f"output[{i}] = ")
    if kind == "si":
        return v.fmt_in(v.grid[i])
    if kind == "so":
        return v.fmt_out(v.output[i])
    if kind == "sk":
        return v.labels[i]
    if kind == "sx":
        return signal_max_equation(i, v)
    return signal_equation(i, v)


def signal_max_equation(k: int, v: Values) -> str:
    """A max_pool1d step: "output[2] = max(−∞, 3, 1) = 3", the middle terms elided to fit."""
    terms = [v.fmt_in(x) for x in v.grid[v.taps[k]]]
    tail = f") = {v.fmt_out(v.output[k])}"
    return shorten(terms, lambda shown: f"output[{k}] = max({', '.join(shown)}{tail}", v.room)


def signal_equation(k: int, v: Values) -> str:
    """A conv1d step: "output[3] = 1/3 · (1 + 0 + 2) = 1.0" when every non-zero weight is the
    same, else "output[3] = 1·2 + (−1)·3 = −1"; "≈" when a label rounds its weight; the middle
    terms elided to fit the strip (frames/window.expansion, as the signal view writes it)."""
    head, weights = f"output[{k}] = ", v.weights.ravel()
    inputs = v.grid[v.taps[k]]
    exact = all(weight_is_exact(w) for w in weights.tolist())
    value = ("= " if exact else "\u2248 ") + v.fmt_out(v.output[k])
    nz = [j for j, w in enumerate(weights.tolist()) if w != 0]
    if not nz:
        return f"{head}0 {value}"
    if len({weights[j] for j in nz}) == 1:
        w = v.labels[nz[0]]
        terms = [v.fmt_in(inputs[j]) for j in nz]
        return shorten(terms, lambda shown: f"{head}{w} \u00b7 ({' + '.join(shown)}) {value}", v.room)
    terms = [f"{paren(v.labels[j])}\u00b7{paren(v.fmt_in(inputs[j]))}" for j in nz]
    return shorten(terms, lambda shown: f"{head}{' + '.join(shown)} {value}", v.room)


def value_range(values: np.ndarray) -> tuple[float, float]:
    """A bar band's (low, high): the finite values' span stretched to take in 0."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 0.0
    return min(float(finite.min()), 0.0), max(float(finite.max()), 0.0)


def zero_y(values: np.ndarray, top: float, height: float) -> float:
    """Where a band's zero line runs for these values (slot ("zi", 0) or ("zo", 0))."""
    lo, hi = value_range(values)
    return top + height * (hi / (hi - lo) if hi > lo else 1.0)


def bar(j: int, values: np.ndarray, top: float, height: float) -> tuple[float, float]:
    """Sample j's bar (slot ("bi", j) or ("bo", j)): its top y and its height, from the zero line
    up for a positive value, down for a negative one (0 high for 0); ``templates/signal.js``
    runs the same operations on the same doubles."""
    lo, hi = value_range(values)
    zero = zero_y(values, top, height)
    per = height / (hi - lo) if hi > lo else 0.0
    h = float(values[j]) * per
    return (zero - h if h > 0 else zero), abs(h)


# ---------------------------------------------------------------- a conv1d with channels or a bias


def signal_layer_editable(s: Any) -> bool:
    """Whether the signal view of ``s`` can be edited in the player as a layer (its numbers are
    the layer view's, frames/layer_slots.py): one conv1d stage drawn with channels (several
    input or output channels, an input given with a channel axis, or a bias: ``layered``), with
    or without groups, flipped or not (``LayerSlots.order`` maps the reversed weights to the given
    ones), auto number formats, at most 7 taps; the view also asks that every map be drawn and that
    steps.sum_order give an order the player can follow."""
    st = s.stages[0]
    return (
        len(s.stages) == 1
        and s.render.number_format is None
        and st.operation == "conv2d"
        and (st.has_channels or s.layered)
        and st.kernel.values.shape[3] <= 7
    )


def layer_text(recipe: Node | Recipe, v: ls.LayerValues, step: int | None = None) -> str:
    """The text of a signal layer's node or recipe: frames/layer_slots.text's nodes, and "si",
    "so" input and output sample g (flat over the planes, over the maps), "sc" step i's equation
    (:func:`channel_equation`)."""
    if isinstance(recipe, tuple):
        return _layer_node(recipe, v, step)
    return "".join(part if isinstance(part, str) else _layer_node(part, v, step) for part in recipe)


def _layer_node(node: Node, v: ls.LayerValues, step: int | None) -> str:
    kind = node[0]
    if kind == "si":
        return v.fmt_in(v.grid.ravel()[node[1]])
    if kind == "so":
        return v.fmt_out(v.output[node[1]])
    if kind == "sc":
        return channel_equation(node[1], v)
    return ls.text(node, v, step)


def channel_equation(i: int, v: ls.LayerValues) -> str:
    """Step i of a conv1d with channels: "out[1][2] = Σ₀ + Σ₁ + bias = 4 + 3 + (−0.5) ≈ 6.5", each
    input plane's sum, then the bias; one plane per filter (groups): its products written out as
    for one channel; fitted to the strip (the middle sums elided)."""
    k, j = divmod(i, v.per)
    head = f"out[{k}][{j}] = "
    value = ("= " if v.exact[k] else "\u2248 ") + v.fmt_out(v.output[i])
    bias = [] if v.bias is None else [paren(v.fmt_out(float(v.bias[k])))]
    planes = v.program.planes[k]
    if len(planes) == 1:
        terms, join = ls.flat_expansion(v.weights[k, 0].ravel(), v.labels[k][0], v.inputs(i, 0), v.fmt_in)
        if not terms:
            return f"{head}{' + '.join(['0', *bias])} {value}"
        return shorten(terms, lambda shown: f"{head}{' + '.join([join(shown), *bias])} {value}", v.room)
    numbers = [v.fmt_out(x) for x in v.sums[i]]
    names = [f"\u03a3{ls.sub(v.names[c])}" for c in planes]
    full = f"{head}{' + '.join(names + (['bias'] if bias else []))} = {' + '.join(numbers + bias)} {value}"
    if fast_width(full, EQUATION_PX) <= v.room:
        return full
    return shorten(numbers, lambda shown: f"{head}{' + '.join(shown + bias)} {value}", v.room)
