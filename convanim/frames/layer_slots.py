"""The recipes ("slots") of every text of the layer view (frames/layer.py) that depends on the
values, and their interpreter, so that a player can one day recompute them after an edit of the
input planes, the filters or the bias, as it does the window view's (frames/slots.py).

This module is the layer view's own, beside frames/slots.py and not inside it: its nodes read
planes, filters and a bias, which the one-channel window view has none of. A node is data only:

    ("li", c, g)      input plane c's grid cell g (flat), as the input is written: at the cell's
                      Rect (its colour follows; its Text, if values are drawn, is the next item)
    ("lg", c, g)      the same at a padding cell's Text (muted, uncoloured)
    ("lc", k, p, j)   filter k's plane p, weight j drawn as a colour (no text): at its Rect, filled
                      on the weights' diverging scale (``weight_fill``)
    ("lw", k, p, j)   filter k's plane p, weight j (flat): its label (filters.plane_labels)
    ("ls", i, p)      step i's sum over its p-th plane
    ("lb", k)         filter k's bias
    ("ln", k)         filter k's preset name as drawn (" (sobel x)"), "" for none: a player drops
                      it once the filter's weights differ from the scenario's own
    ("lo", k, g)      output map k's cell g (flat), at its Rect as ("li", …)
    ("le", i)         step i's equation (see ``equation``)
    ("lmin",), ("lmax",)  the output's least and greatest value

and a recipe is a list of literal strings and nodes; in a step's recipe (a readout) ``("s",)``
and ``("o",)`` are the step's number (from 1) and its output value. The layer view writes each
such text by calling :func:`text`, so Python's text is the recipe's text by construction.

The numbers the nodes read come from :class:`LayerValues`, built from data (the grid, the
filters, the bias and a step program), never from a picture, so a one-step picture of any layer
(a network cell's detail) can use them too. ``evaluate`` computes the output from the program,
summing as numpy does in the layer's steps: each plane in the window view's order
(steps.sum_order), then the planes' sums in order, then the bias.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..alttext import value_range
from ..filters import plane_labels
from ..kernels import weight_is_exact
from ..layout import EQUATION_PX
from ..numfmt import half_away, nice
from ..steps import sum_order
from ..textsize import fast_width
from .base import paren, shorten

Node = tuple[Any, ...]
Recipe = Sequence[str | Node]
#: Σ's subscript of a plane named in[c]
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def ranges(image: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> list[list[int]]:
    """The values an edit of a layer may set, as editing.ranges rounds them: the input's span of
    magnitudes, the weights' and the bias's, each rounded up to a round number (1, 2, 5, 9, 10,
    20, …), symmetric where the scenario has a sign (the input), always for weights and bias."""
    finite = image[np.isfinite(image)]
    m = nice(float(np.abs(finite).max(initial=0.0)) or 1.0)
    w = nice(float(np.abs(weights).max(initial=0.0)) or 1.0)
    out = [[-m if finite.min(initial=0.0) < 0 else 0, m], [-w, w]]
    if bias is not None:
        b = nice(float(np.abs(bias).max(initial=0.0)) or 1.0)
        out.append([-b, b])
    return out


def bounds(rg: list[list[int]], taps: int, planes: int) -> tuple[float, float, float, float]:
    """The greatest magnitudes values in the ranges ``rg`` give: an input value, one plane's sum
    over ``taps`` products, an output (``planes`` such sums and the bias) and the bias."""
    x, w = max(map(abs, rg[0])), rg[1][1]
    b = rg[2][1] if len(rg) > 2 else 0
    return x, taps * w * x, planes * taps * w * x + b, b


def widest(bound: float, fmt: Callable[[float], str] | None) -> list[str]:
    """The texts of the widest numbers of magnitude up to ``bound``: with the layer's own format
    spec, or as auto formats write them, up to 2 decimals (numfmt.formatter), signed."""
    if fmt is not None:
        return [fmt(-bound), fmt(bound)]
    return [half_away(v, 2).replace("-", "\u2212") for v in (-bound, bound)]


@dataclass(frozen=True)
class LayerProgram:
    """Which cells each step of a layer reads, as data: output cell (a, b) of filter k reads, in
    each plane p of ``planes[k]``, grid cell a·rs + b·cs + off[j] under weight j of that plane;
    ``order`` is how numpy adds one plane's products (steps.sum_order: "pairwise" the whole window
    as numpy's pairwise_sum adds it; None: pairwise over part of it, which ``evaluate`` does not
    follow)."""

    oh: int
    ow: int
    rs: int
    cs: int
    kw: int
    off: tuple[int, ...]
    order: str | None
    planes: tuple[tuple[int, ...], ...]  #: per filter, the input planes it reads (its group's)

    def base(self, i: int) -> int:
        """Grid cell under weight 0 of step i (of any filter)."""
        a, b = divmod(i % (self.oh * self.ow), self.ow)
        return a * self.rs + b * self.cs

    def to_list(self) -> list[Any]:
        """The program as the player's island would hold it."""
        return [
            self.oh,
            self.ow,
            self.rs,
            self.cs,
            self.kw,
            list(self.off),
            self.order,
            [list(p) for p in self.planes],
        ]


def layer_program(
    grid_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    planes: Sequence[Sequence[int]],
) -> LayerProgram:
    """The step program of a layer's window steps over a padded grid of ``grid_shape`` per
    plane (its order "pairwise" when numpy adds a whole window of 8 or more taps pairwise, as in a
    one-step layer; None when it adds part of one so, which ``evaluate`` does not follow)."""
    order = sum_order(grid_shape, kernel_shape, stride, dilation, pairwise=True)
    (rows, cols), (kh, kw) = grid_shape, kernel_shape
    oh = (rows - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (cols - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    off = tuple(i * dilation[0] * cols + j * dilation[1] for i in range(kh) for j in range(kw))
    return LayerProgram(oh, ow, stride[0] * cols, stride[1], kw, off, order, tuple(tuple(p) for p in planes))


def _runs(order: str, kh: int, kw: int) -> list[list[int]]:
    """The taps of one plane in the order numpy adds them (editing.evaluate's runs)."""
    if order == "flat":
        return [list(range(kh * kw))]
    if order == "cols":
        return [[r * kw + c for c in range(kw) for r in range(kh)]]
    return [[r * kw + c for c in range(kw)] for r in range(kh)]


def pairwise(values: Sequence[float]) -> float:
    """numpy's pairwise_sum (umath loops) of a contiguous run: under 8 values one by one from 0;
    up to 128, eight running sums (every eighth value) added as ((r0 + r1) + (r2 + r3)) + ((r4 +
    r5) + (r6 + r7)), then the rest one by one; above, the two halves (the first a multiple of 8)."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return total
    if n <= 128:
        r = list(values[:8])
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += values[i + j]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for v in values[i:]:
            total += v
        return total
    half = n // 2 - (n // 2) % 8
    return pairwise(values[:half]) + pairwise(values[half:])


def plane_sums(program: LayerProgram, grid: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each step's sum over each plane it reads, (steps, planes per filter): grid (C, cells) flat
    per plane, weights (K, P, kh, kw); each plane's products added as numpy adds
    them in the layer's steps, each run from 0 (so never −0)."""
    p = program
    if p.order is None:
        raise ValueError("numpy adds this layer's products pairwise: an order the program does not follow")
    k_out, n_planes = weights.shape[0], weights.shape[1]
    weights = weights.reshape(k_out, n_planes, -1)
    runs = [] if p.order == "pairwise" else _runs(p.order, len(p.off) // p.kw, p.kw)
    per = p.oh * p.ow
    out = np.empty((k_out * per, n_planes))
    for i in range(k_out * per):
        k, base = i // per, p.base(i)
        for q, c in enumerate(p.planes[k]):
            total = 0.0
            if p.order == "pairwise":  # numpy's reduction starts from 0, then adds the run's sum
                cells = grid[c, base + np.array(p.off)].tolist()
                total += pairwise([float(w) * x for w, x in zip(weights[k, q].tolist(), cells, strict=True)])
            for run in runs:
                part = 0.0
                for j in run:
                    part += float(weights[k, q, j]) * float(grid[c, base + p.off[j]])
                total += part
            out[i, q] = total
    return out


def evaluate(
    program: LayerProgram, grid: np.ndarray, weights: np.ndarray, bias: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The output (steps,) and the plane sums (steps, planes) the program computes: the planes'
    sums added in order from the first, then the bias, as steps.py's layer adds them (bit for
    bit; tests/test_layer_slots.py checks this against the steps on random layers)."""
    sums = plane_sums(program, grid, weights)
    per = program.oh * program.ow
    out = np.empty(sums.shape[0])
    for i, row in enumerate(sums):
        total = float(row[0])
        for s in row[1:]:
            total += float(s)
        out[i] = total if bias is None else total + float(bias[i // per])
    return out, sums


@dataclass(frozen=True, eq=False)
class LayerValues:
    """What the layer's slots read: the grid (C, cells) and filters (K, P, kh, kw) the steps read,
    the bias (K,) or None, the output (steps,) and plane sums (steps, P), the formats, the room of
    an equation, the planes' names and the program."""

    grid: np.ndarray
    weights: np.ndarray
    bias: np.ndarray | None
    output: np.ndarray
    sums: np.ndarray
    program: LayerProgram
    fmt_in: Callable[[float], str]
    fmt_out: Callable[[float], str]
    room: float
    names: tuple[str, ...]  #: the input planes' names ("in[0]", or "R", "G", "B")
    #: each filter's preset name as drawn after "filter k" (" (sobel x)"), or ""
    filter_names: tuple[str, ...] = ()
    #: per filter, per plane, the weights' labels (flat)
    labels: tuple[tuple[tuple[str, ...], ...], ...] = field(init=False)
    exact: tuple[bool, ...] = field(init=False)  #: per filter: every label exact ("=", else "≈")

    @classmethod
    def of(cls, comp: Any, program: LayerProgram, **keys: Any) -> LayerValues:
        """A computation's grid, weights, bias, output and plane sums, as its steps read them,
        with ``program`` and the other fields (``keys``: formats, room, names…)."""
        cin = comp.grid.shape[0]
        sums = np.array([step.sums for step in comp.steps])
        grid, out = comp.grid.reshape(cin, -1), comp.output.ravel()
        return cls(grid, comp.weights, comp.bias, out, sums, program, **keys)

    def __post_init__(self) -> None:
        labels = tuple(
            tuple(tuple(t for row in plane_labels(p, self.weights) for t in row) for p in w)
            for w in self.weights
        )
        object.__setattr__(self, "labels", labels)
        exact = tuple(all(weight_is_exact(v) for v in w.ravel().tolist()) for w in self.weights)
        object.__setattr__(self, "exact", exact)

    @property
    def per(self) -> int:
        """Steps per filter (the cells of one output map)."""
        return self.program.oh * self.program.ow

    def inputs(self, i: int, q: int) -> np.ndarray:
        """The grid values step i reads in its q-th plane (flat, weight by weight)."""
        p = self.program
        c = p.planes[i // self.per][q]
        return self.grid[c, p.base(i) + np.array(p.off)]


def text(recipe: Node | Recipe, v: LayerValues, step: int | None = None) -> str:
    """The text of a node or of a recipe (literal strings and nodes), for step ``step`` in a
    readout's recipe."""
    if isinstance(recipe, tuple):
        return _node(recipe, v, step)
    return "".join(part if isinstance(part, str) else _node(part, v, step) for part in recipe)


def _node(node: Node, v: LayerValues, step: int | None) -> str:
    kind = node[0]
    if step is not None and node == ("s",):
        return str(step + 1)
    if step is not None and node == ("o",):
        return v.fmt_out(v.output[step])
    if kind in ("li", "lg"):
        return v.fmt_in(v.grid[node[1], node[2]])
    if kind == "lc":
        return ""
    if kind == "lw":
        return v.labels[node[1]][node[2]][node[3]]
    if kind == "ls":
        return v.fmt_out(v.sums[node[1], node[2]])
    if kind == "lb":
        assert v.bias is not None
        return v.fmt_out(float(v.bias[node[1]]))
    if kind == "lo":
        return v.fmt_out(v.output[node[1] * v.per + node[2]])
    if kind == "le":
        return equation(node[1], v)
    if kind == "ln":
        return v.filter_names[node[1]]
    if kind == "lmin":
        return v.fmt_out(v.output.min())
    if kind == "lmax":
        return v.fmt_out(v.output.max())
    raise ValueError(f"unknown layer slot {node!r}")


def sub(name: str) -> str:
    """Σ's subscript: "in[2]" reads Σ₂, a name reads Σ(R)."""
    if name.startswith("in[") and name.endswith("]"):
        return name[3:-1].translate(SUBSCRIPTS)
    return f"({name})"


def equation(i: int, v: LayerValues) -> str:
    """Step i's equation, "out[1][0,2] = Σ(R) + Σ(G) + Σ(B) + b = 4 + 3 − 1 + 0.5 = 6.5", fitted
    to the strip: one plane's products written out as for a gray image, a 1×1 filter's w·x per
    channel, else each plane's sum."""
    p = v.program
    k, rest = divmod(i, v.per)
    head = f"out[{k}][{rest // p.ow},{rest % p.ow}] = "
    value = ("= " if v.exact[k] else "\u2248 ") + v.fmt_out(v.output[i])
    bias = [] if v.bias is None else [paren(v.fmt_out(float(v.bias[k])))]
    weights, labels, planes = v.weights[k], v.labels[k], p.planes[k]
    if len(planes) == 1:
        terms, join = flat_expansion(weights[0].ravel(), labels[0], v.inputs(i, 0), v.fmt_in)
        return shorten(terms, lambda shown: f"{head}{' + '.join([join(shown), *bias])} {value}", v.room)
    if weights.shape[1:] == (1, 1):  # w·x per channel: a weighted sum across channels
        numbers = [
            f"{paren(labels[q][0])}\u00b7{paren(v.fmt_in(v.inputs(i, q)[0]))}" for q in range(len(planes))
        ]
        return shorten(numbers, lambda shown: f"{head}{' + '.join(shown + bias)} {value}", v.room)
    numbers = [v.fmt_out(s) for s in v.sums[i]]
    names = [f"\u03a3{sub(v.names[c])}" for c in planes]
    symbolic = " + ".join(names + (["b"] if bias else []))
    full = f"{head}{symbolic} = {' + '.join(numbers + bias)} {value}"
    if fast_width(full, EQUATION_PX) <= v.room:  # an upper estimate: measured per step
        return full
    return shorten(numbers, lambda shown: f"{head}{' + '.join(shown + bias)} {value}", v.room)


def flat_expansion(
    weights: np.ndarray, labels: tuple[str, ...], inputs: np.ndarray, fmt: Callable[[float], str]
) -> tuple[list[str], Callable[[list[str]], str]]:
    """frames/window.expansion on flat weights: the terms and how shown terms join."""
    nz = [j for j, w in enumerate(weights.tolist()) if w != 0]
    if nz and len({weights[j] for j in nz}) == 1:
        w = labels[nz[0]]
        return [fmt(inputs[j]) for j in nz], lambda shown: f"{w} \u00b7 ({' + '.join(shown)})"
    terms = [f"{paren(labels[j])}\u00b7{paren(fmt(inputs[j]))}" for j in nz]
    return terms, lambda shown: " + ".join(shown)


@dataclass(frozen=True, eq=False)
class LayerSlots:
    """An editable layer picture's slots (``Frames.layer``): (item index, node or recipe) of each
    value-dependent item (a coloured cell's Rect, whose Text, if any, follows it; a padding
    cell's, a weight's, a sum's, the bias's or an equation's Text), each step's readout as
    (frame, step, recipe), the values they read, and what a player needs to redo them."""

    items: tuple[tuple[int, Node | Recipe], ...]
    readouts: tuple[tuple[int, int, Recipe], ...]
    values: LayerValues
    #: the weights as the scenario gives them: (C_out, C_in/groups, kh, kw) for a conv2d,
    #: (C_in, C_out/groups, kh, kw) for a transposed one, a flip's planes unturned
    given: np.ndarray
    order: np.ndarray  #: (weights that slide,) the flat index into ``given`` of each (flat)
    image: np.ndarray  #: the scenario's input (C, h, w), as an edit gives it
    origin: np.ndarray  #: (grid cells,) flat image index (of one plane) each cell holds, −1: a zero
    texts: bool  #: whether cells hold their values
    colormap: str
    output_colormap: str | None
    averaging: bool  #: input and output on one colour scale (every filter averages, no bias)
    #: how cell values are sized: (cell, largest and least size in final px, 1 if values are
    #: always drawn, render.scale)
    sizes: tuple[float, ...]
    #: the weights' label groups: (items, cell, largest size or 0 (the values' size, at most
    #: SMALL_PX), least size, 1 if the widest label sets the size else the longest), builder units
    labels: tuple[tuple[tuple[int, ...], float, float, float, int], ...]
    ranges: tuple[tuple[int, int], ...]  #: what an edit may set: input, weights (, bias)
    alt: tuple[str, ...] = ()  #: the alt text around the input's and the output's ranges
    #: or the alt text as a recipe (alttext.layer_recipe), for an image of one plane given as 2-D
    alt_recipe: tuple[Any, ...] = ()
    #: a signal's (frames/signal.py, its slots in frames/slots.py): the bar bands as ``Slots.bands``
    #: (the first input's top and height, the first output's, the scale) and each band's top,
    #: ((input tops), (output tops)); empty for a layer
    bands: tuple[float, ...] = ()
    tops: tuple[tuple[float, ...], ...] = ()


def alt_parts(alt: str, image: np.ndarray, output: np.ndarray) -> tuple[str, ...]:
    """The alt text cut around the input's range and the output's ("values 0 to 9"), which a
    player writes for edited values; the whole text alone when it does not name both (an image
    of one plane is named by its pattern, which an edit may change)."""
    x, o = f"values {value_range(image)})", f"(values {value_range(output)})"
    head, sep, rest = alt.partition(x)
    at = rest.rfind(o)
    if image.shape[0] < 2 or not sep or at < 0:
        return (alt,)
    return (head + "values ", ")" + rest[:at] + "(values ", ")" + rest[at + len(o) :])
