"""What an editable layer player ships (its ``ed`` object, read by ``templates/player.js`` with the
layer's own rules in ``templates/layer.js``): the layer view's slots (``frames.layer_slots``) as
the player's slot runs, its step program, the rules that size and colour the values, the ranges.
Nothing here is teaching logic: the layer view decides what its texts say; this module turns its
slots into the player's data, as ``editing`` does the window view's.

The object has the keys of ``editing.island`` that the player reads (x, hw, w, k, g, o, p, room,
px, wa, wk, cm, ink, cmap, dv, ocmap, s, n, r, tx, vs, pre, ps, rg, io, js, a, an), read for a
layer as:

    x, c     the input (C, h, w) flat and its channels C; hw: [h, w]
    w, k     the weights as the scenario gives them, flat, then the bias (K) when there is one
             (b: 1); k: the shape (K, P, kh, kw) of the weights that slide; kg: the given weights'
             shape (a transposed layer's (C_in, C_out/groups, kh, kw)); wm: (when they differ: a
             flip's planes turned, a transposed layer's) for each weight that slides (flat), the
             index in w of the given weight in its place
    o        the image index (into x) each grid cell of each plane holds (C · cells), −1: a zero
    p        the step program (frames.layer_slots.LayerProgram.to_list): step i of filter
             i // (oh·ow) reads, in its q-th plane c = planes[filter][q], grid cell
             c · cells + b + off[j] under weight j
    s, n     slot runs and other slots over the player's nodes: "i", "g", "o" a grid cell (flat
             over the planes) or an output cell (flat over the maps), "k" a weight's label (flat),
             "c" a weight drawn as a colour (its Rect, on the weights' diverging scale),
             "E" a step's equation, "N" filter k's preset name (fn[k] while the filter's
             weights are the scenario's own, else ""), "lo", "hi" the output's least and
             greatest value; in a recipe
             run, "S" the sum over plane q of step i (run index i · P + q), "B" filter k's bias
    rg       allowed ranges [[input lo, hi], [weight lo, hi], [bias lo, hi]]
    ps, pl   the presets of the planes' size in the weights' range {name: flat weights}, and the
             planes the layer's preset menu sets one on: [name, the given plane] ("filter 0 ← R")
    js       "layer" (templates/layer.js); io 1 (not the one-plane kernel menu: layer.js builds its
             own, a plane and a preset)
             "siglayer" a signal with channels (frames/signal.py; templates/signal.js, shipped after
             layer.js), whose slot kinds "si", "so", "bi", "bo" (flat over the planes, the maps),
             "zi", "zo" (by band) and "sc" (a step's equation) are the signal view's; sb, sy: its
             bar bands
    av       1 when the input and the output share a colour scale (every filter averages, no bias)
    kz       the weights' label groups [items, cell, largest size (0: the values', at most sp),
             least size, 1 if the widest label sets the size (else the longest)], builder units
    fn       (when a filter is named after its preset) each filter's name as drawn, " (sobel x)"
             or "": the alt text names those still the scenario's own (alttext._filters)
    nm       the input planes' names (Σ's subscripts); la: the alt text around the input's and the
             output's ranges (three parts), or absent when the player keeps it or ``a`` holds it
    a        the alt text: one string, or (an image of one plane given as 2-D) its recipe
             (alttext.layer_recipe: the nodes "ax", the image, and "ar", the output's range), which
             the player's altText writes
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .editing import EQUATION_CHARS, GEOMETRY, colour_tables, presets, readout_runs, runs, widths
from .frames.layer_slots import SUBSCRIPTS, LayerSlots, Node
from .layout import EQUATION_PX, SMALL_PX
from .style import DIVERGING
from .textsize import MEASURE_PX

#: what a layer's equations and labels add to the window view's characters
LAYER_CHARS = "\u03a3b" + "0123456789".translate(SUBSCRIPTS)


def node(n: Node, slots: LayerSlots) -> tuple[Any, ...]:
    """A layer slot's node as the player's (see the module docstring): indices made flat."""
    v = slots.values
    kind, cells, planes = n[0], v.grid.shape[1], v.weights.shape[1]
    taps = int(np.prod(v.weights.shape[2:]))
    if kind in ("li", "lg"):
        return ("i" if kind == "li" else "g", n[1] * cells + n[2])
    if kind == "lo":
        return ("o", n[1] * v.per + n[2])
    if kind in ("lw", "lc"):
        return ("k" if kind == "lw" else "c", (n[1] * planes + n[2]) * taps + n[3])
    if kind == "le":
        return ("E", n[1])
    if kind == "ln":
        return ("N", n[1])
    if kind in ("lmin", "lmax"):
        return ("lo",) if kind == "lmin" else ("hi",)
    return n  # a readout's ("s",), ("o",)


def item(recipe: Any, slots: LayerSlots) -> Any:
    """A slotted item's slot for ``editing.runs``: a node, a recipe over one running index ("t":
    a plane's sum, a bias), or a recipe."""
    if isinstance(recipe, tuple):
        return node(recipe, slots)
    parts = [p for p in recipe if not isinstance(p, str)]
    if len(parts) == 1 and parts[0][0] in ("ls", "lb"):
        p = parts[0]
        index = p[1] * slots.values.weights.shape[1] + p[2] if p[0] == "ls" else p[1]
        short = ("S",) if p[0] == "ls" else ("B",)
        return ("t", index, [x if isinstance(x, str) else short for x in recipe])
    return [x if isinstance(x, str) else node(x, slots) for x in recipe]


def text_items(slots: LayerSlots) -> list[int]:
    """The items whose Text the player writes (a cell's Text follows its Rect; a weight drawn as
    a colour, a signal's bars and zero lines write none)."""
    out = []
    for i, recipe in slots.items:
        cell = isinstance(recipe, tuple) and recipe[0] in ("li", "lo", "si", "so")
        if cell and slots.texts:
            out.append(i + 1)
        elif not cell and recipe[0] not in ("lc", *GEOMETRY):
            out.append(i)
    return out


def script(slots: LayerSlots) -> tuple[str, ...]:
    """The templates of the view's editing rules: the layer's, and a signal's after it."""
    return ("layer.js", "signal.js") if slots.bands else ("layer.js",)


def island(slots: LayerSlots, theme: Any, alt: str) -> dict[str, Any]:
    """The ``ed`` object of an editable layer player (see the module docstring)."""
    v = slots.values
    spans, other = runs(tuple((i, item(r, slots)) for i, r in slots.items))
    tables, inks = colour_tables({slots.colormap, slots.output_colormap or DIVERGING}, theme)
    names = "".join(v.names) + ("bias" if slots.bands else "")  # a signal's equations name the bias
    adv, kern = widths(
        EQUATION_CHARS + LAYER_CHARS + "".join(sorted(set(names) - set(EQUATION_CHARS + LAYER_CHARS)))
    )
    c = v.grid.shape[0]
    image = slots.image
    origin = [-1 if o < 0 else int(p * image[0].size + o) for p in range(c) for o in slots.origin.tolist()]
    bias = [] if v.bias is None else v.bias.tolist()
    identity = np.array_equal(slots.order, np.arange(slots.order.size))
    return {
        "x": [_number(x) for x in image.ravel().tolist()],
        "c": c,
        "hw": list(image.shape[1:]),
        "w": [_number(x) for x in [*slots.given.ravel().tolist(), *bias]],
        **({"b": 1} if v.bias is not None else {}),
        "k": list(v.weights.shape),
        "kg": list(slots.given.shape),
        **({} if identity else {"wm": slots.order.tolist()}),
        "o": origin,
        "p": v.program.to_list(),
        "room": v.room,
        "px": [EQUATION_PX, MEASURE_PX],
        "wa": ["".join(adv), list(adv.values())],
        "wk": kern,
        "cm": tables,
        "ink": inks,
        "cmap": slots.colormap,
        "dv": DIVERGING,
        "ocmap": slots.output_colormap,
        "s": spans,
        "n": other,
        "r": readout_runs(slots),  # type: ignore[arg-type]
        "tx": int(slots.texts),
        "vs": [_number(x) for x in (*slots.sizes, 0, 0)],
        "pre": None,
        **(preset_menu(slots) if not slots.bands else {"ps": {}}),  # (a signal: no presets)
        "rg": [list(r) for r in slots.ranges],
        "io": 1,
        "js": "layer",
        "av": int(slots.averaging),
        "kz": [[list(g[0]), *(_number(x) for x in g[1:])] for g in slots.labels],
        "sp": SMALL_PX,
        "nm": list(v.names),
        **({"fn": list(v.filter_names)} if any(v.filter_names) else {}),
        "a": [p if isinstance(p, str) else list(p) for p in slots.alt_recipe] or [alt],
        **({"la": list(slots.alt)} if len(slots.alt) == 3 and not slots.alt_recipe else {}),
        "an": {},
        **_signal(slots),
    }


def _signal(slots: LayerSlots) -> dict[str, Any]:
    """A signal's keys (frames/signal.py with channels): its rules ("siglayer", templates/signal.js
    over layer.js), the bar bands and each band's top (sy: [input tops, output tops])."""
    if not slots.bands:
        return {}
    return {
        "js": "siglayer",
        "sb": [_number(x) for x in slots.bands],
        "sy": [[_number(x) for x in tops] for tops in slots.tops],
    }


def preset_menu(slots: LayerSlots) -> dict[str, Any]:
    """The preset menu's data: the presets of the planes' size whose weights lie in the allowed
    range (ps), and the planes a preset can be set on (pl: [name, the given plane], filter by
    filter: "filter k ← R" is filter k's plane that reads input plane R, the given plane
    ``order`` puts there); none without presets."""
    v = slots.values
    lo, hi = slots.ranges[1]
    named = {n: w for n, w in presets(v.weights.shape[2:]).items() if lo <= min(w) and max(w) <= hi}
    if not named or v.weights.shape[2:] == (1, 1):  # (a 1×1 plane's presets are all [1])
        return {"ps": {}}
    k, p = v.weights.shape[:2]
    taps = int(np.prod(v.weights.shape[2:]))
    planes = [
        [f"filter {f} \u2190 {v.names[c]}", int(slots.order[(f * p + q) * taps]) // taps]
        for f in range(k)
        for q, c in enumerate(v.program.planes[f])
    ]
    return {"ps": named, "pl": planes}


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else float(v)
