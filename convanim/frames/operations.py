"""Words of the operations the picture views draw as one box between maps (the activations
other than ReLU, batch norm, adaptive pools, cat, add) and of a graph: which maps a stage reads.
The chain builders ask here first and keep their own words for the other operations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..elementwise import ACTIVATIONS, JOINS, WHOLE_MAP, formula
from ..stage import ADAPTIVE, Stage
from ..steps import Map
from . import labels as lab

NAMES = {
    "leaky_relu": "leaky ReLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "gelu": "GELU",
    "hardtanh": "hardtanh",
    "identity": "identity",
    "batch_norm": "batch norm",
    "cat": "cat",
    "add": "add",
    "adaptive_avg_pool2d": "adaptive mean",
    "adaptive_max_pool2d": "adaptive max",
}
SYMBOLS = {
    "leaky_relu": "LReLU",
    "sigmoid": "\u03c3",
    "tanh": "tanh",
    "gelu": "GELU",
    "hardtanh": "clip",
    "identity": "id",
    "batch_norm": "BN",
    "cat": "cat",
    "add": "+",
    "adaptive_avg_pool2d": "mean",
    "adaptive_max_pool2d": "max",
}
KEEPS_RANGE = ("identity", "adaptive_avg_pool2d", "adaptive_max_pool2d")  #: values stay in range
FRACTIONAL = ("batch_norm", "sigmoid", "tanh", "gelu", "leaky_relu", "adaptive_avg_pool2d", "add")
MAX_NORM_LINES = 3  #: channels of a batch norm whose scale and shift are written


def drawn_here(st: Stage) -> bool:
    """The operations whose words are here."""
    return st.operation in NAMES


def box_only(st: Stage) -> bool:
    """Drawn as a small box with a symbol (no window), as ReLU and upsampling."""
    return st.operation in WHOLE_MAP or st.operation == "upsample"


def symbol(st: Stage) -> str:
    return SYMBOLS[st.operation]


def lines(st: Stage, fmt: Callable[[float], str]) -> list[str]:
    """One to a few short lines over the operation's box: what it is, then its numbers."""
    op = st.operation
    if op in ADAPTIVE:
        return [f"{NAMES[op]}", f"to {lab.size(st.output_size)}"]
    if op in JOINS:
        return [f"{op}({', '.join(st.inputs)})", "channels stacked" if op == "cat" else "value by value"]
    if op == "batch_norm":
        return ["batch norm: a\u00b7x + b", *norm_lines(st, fmt)]
    keys = {k: getattr(st, k) for k in ("negative_slope", "approximate", "min_val", "max_val")}
    return [NAMES[op], formula(op, **keys)]


def norm_lines(st: Stage, fmt: Callable[[float], str]) -> list[str]:
    """ "0: a 1.2, b −0.3" for the first channels, "… 5 more" for the rest."""
    norm = st.norm
    n = norm.scale.shape[0]
    out = [
        f"{c}: a {fmt(a)}, b {fmt(b)}" for c, (a, b) in enumerate(zip(norm.scale, norm.shift, strict=True))
    ]
    if n > MAX_NORM_LINES:
        out = [*out[: MAX_NORM_LINES - 1], f"\u2026 {n - MAX_NORM_LINES + 1} more"]
    return out


def reads_line(st: Stage, previous: str) -> list[str]:
    """In a graph, a one-input stage that reads another map than the one just before it says
    which: "← enc1"."""
    if len(st.inputs) == 1 and st.inputs[0] != previous:
        return [f"\u2190 {st.inputs[0]}"]
    return []


def map_equation(st: Stage, step: Map, names: Sequence[str]) -> str:
    """The equation of a whole-map step."""
    op = st.operation
    if op == "cat":
        parts, start = [], 0
        for name, c in zip(st.inputs, st.input_channels, strict=True):
            parts.append(f"{name} \u2192 channel{'s' * (c > 1)} {_span(start, c)}")
            start += c
        return f"cat: the channels one after the other: {'; '.join(parts)}"
    if op == "add":
        return f"add: {st.inputs[0]} + {st.inputs[1]}, value by value"
    if op == "batch_norm":
        return (
            "batch norm: each channel c: (x \u2212 mean)/\u221a(var + eps)\u00b7weight + bias"
            " = a_c\u00b7x + b_c"
        )
    n = int(np.count_nonzero(step.changed))
    keys = {k: getattr(st, k) for k in ("negative_slope", "approximate", "min_val", "max_val")}
    what = f"{NAMES[op]}: {formula(op, **keys)}, value by value"
    if op in ACTIVATIONS and op != "identity":
        return f"{what}; it changes {n} of {step.changed.size} values"
    return what


def _span(start: int, n: int) -> str:
    return str(start) if n == 1 else f"{start}\u2013{start + n - 1}"
