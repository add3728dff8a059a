"""What an editable player ships (its ``ed`` object, read by ``templates/player.js``): the step
program, the rules that write and colour the values, the slots of the texts that follow an edit
(``frames.slots``), the kernel presets and the allowed ranges. Nothing here is teaching logic: the
window view decides what its texts say; this module turns its slots and rules into data.

The object::

    x, hw    the image's values (flat) and shape [h, w]
    w, k     the weights as the scenario gives them (flat, or the name of the preset in ``ps``
             they equal) and the kernel's shape [kh, kw]; f: 1 when they are turned by 180° before
             they slide (flip, true convolution: the flat weights reversed)
    g        the grid the steps read [rows, cols]; o: the image index each grid cell holds, −1
             for a zero (absent when the grid is the image)
    p        the step program: step k = r·ow + c reads grid cell b + off[j] under weight j, with
             b = r·rs + c·cs; p = [oh, ow, rs, cs, kw, off, order]; the products are added as
             numpy adds them (steps.sum_order, ``evaluate``): "rows" each kernel row in order, then
             the rows' sums; "flat" every tap in row-major order; "cols" column-major
    room     px an equation may use; px: [the equation's font size, the size text is measured
             at]; wa: [the equation's characters, each one's advance at that size], wk: the kerning
             of the pairs that have one (what textsize.fast_width adds up)
    cm       colour tables: {name: [64 colours as one hex string, 64 ink indices]}, ink: the inks;
             cmap, ocmap: the input's colormap and the output's (null: chosen as style.scales does,
             dv the diverging one for signed outputs)
    s        slot runs: [kind, first item, item step, first index, count] (frames.slots' nodes
             "i", "g", "o", "k", "e" at items first, first + step, … with indices first, first + 1,
             …; a recipe in place of the kind: its text for steps first, first + 1, …);
             n: other slots as [item, recipe]; r: readouts as runs [first frame, first step, count,
             recipe] (frames.slots.text with that step, whose output cell is step // ow, step % ow;
             ``f`` holds only their durations, as bare numbers). The island's
             ``t`` holds "" for the texts the slots write on frames the poster does not show
    tx       1 when cells hold their values; pre: the kernel's preset name or null; vs: how the
             values and weights are sized to their cells (frames.slots.Slots.sizes)
    ps       presets of the kernel's size whose weights lie in the allowed range {name: flat weights}
    rg       allowed ranges [[input lo, hi], [weight lo, hi]]
    pd, ci   (an average pool, program order "pool": each step's sum over its divisor) the
             divisors (one number when all are equal) and 1 when padding counts in the mean
    io       1 when only the input is edited (a pool: no weights, no preset menu)
    js       the name of a view's own rules, which its script (shipped only with its players)
             registers in the player: "mean" (``templates/pool.js``: an average pool's equations
             "m"), "max" (``templates/pool.js``: a max pool's output, its
             equations "x", its marker "a"); program order "max": each step the window's first
             maximum; mk: the marker rule [grid x, y, cell, inset, scale] (``frames.slots.Slots``);
             "sig" (``templates/signal.js``: a conv1d's signal view: its texts "si", "so", "sk",
             "se", its bars "bi", "bo" and zero lines "zi", "zo"); sb: the bar bands [input top,
             height, output top, height, scale] (``frames.slots.bar``, ``zero_y``); vs then holds
             [cell, largest, least value size (final px), 1 if values are always drawn, scale,
             the kernel's cell and least label size (builder units)]; "sigmax" (both scripts: a
             max_pool1d, whose equations are "sx"); "sigmean" (both scripts: an avg_pool1d, whose
             equations are "sm"); "mat" (``templates/matrix.js``: the matrix
             view's step node "n", its patch row; its patch cells are "i" and "g" slots of the
             grid cells they copy, its kernel column's labels "k", its output column's cells "o")
    a        the alt text as a recipe (``alttext.alt_recipe``: literal strings and the nodes "ak",
             "ax", "af"), which the player writes into the picture's aria-label; an: the presets'
             names in it
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .alttext import PRESET_NAMES
from .frames.slots import Slots
from .kernels import SIZED, FIXED_3x3, make_kernel
from .layout import EQUATION_PX
from .numfmt import nice
from .style import DIVERGING, LEVELS, ColourScale
from .textsize import MEASURE_PX, font

#: characters an equation can hold: digits, signs, "output[r,c] = ", a label's "e" and "/"
EQUATION_CHARS = "0123456789outp[],= \u00b7()+\u2026/\u2212.\u2248\u221ee-"
#: slots that move a shape and write no text: a max pool's marker, the signal view's bars, zero lines
GEOMETRY = ("a", "bi", "bo", "zi", "zo")


def evaluate(
    program: list[Any], grid: np.ndarray, weights: np.ndarray, divisors: tuple[int, ...] = ()
) -> np.ndarray:
    """The output the step ``program`` (``p`` above) computes from the flat ``grid`` and ``weights``,
    summing as numpy does in the window view: each kernel row in order, then the rows' sums in
    order, each from 0 (so never −0); the player's script does the same, so its numbers are
    Python's to the last bit (tests/test_editing.py checks this against the steps' output)."""
    oh, ow, rs, cs, kw, off, order = program
    kh = len(off) // kw
    taps = [[r * kw + c for c in range(kw)] for r in range(kh)]
    if order == "flat":  # one run of every tap, row-major
        taps = [[j for row in taps for j in row]]
    elif order == "cols":  # column-major
        taps = [[r * kw + c for c in range(kw) for r in range(kh)]]
    out = np.empty(oh * ow)
    for k in range(oh * ow):
        b = (k // ow) * rs + (k % ow) * cs
        if order == "pool":  # an average: the window's numpy sum over the step's divisor
            out[k] = float(grid[b + np.array(off)].sum()) / divisors[k]
            continue
        if order == "max":  # a max pool: the window's largest value
            out[k] = float(grid[b + np.array(off)].max())
            continue
        total = 0.0
        for run in taps:
            part = 0.0
            for j in run:
                part += float(weights[j]) * float(grid[b + off[j]])
            total += part
        out[k] = total
    return out


def program(slots: Slots) -> list[Any]:
    """The step program of the window view's steps, checked against every step's taps."""
    v = slots.values
    taps, kw = v.taps, v.weights.shape[1]
    oh, ow = v.output.size // v.cols, v.cols
    base = taps[:, 0]
    off = (taps[0] - taps[0, 0]).tolist()
    rs = int(base[ow] - base[0]) if oh > 1 else 0
    cs = int(base[1] - base[0]) if ow > 1 else 0
    expect = np.array([(k // ow) * rs + (k % ow) * cs for k in range(oh * ow)])
    if not np.array_equal(base, expect) or not np.array_equal(taps, base[:, None] + np.array(off)):
        raise ValueError("the window's steps are not translations of one another")
    return [oh, ow, rs, cs, kw, off, slots.order]


def runs(items: tuple[tuple[int, Any], ...]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Slots as runs [kind, first item, item step, first index, count] of nodes of one kind (or,
    for ("t", k, recipe) nodes, one recipe in place of the kind) whose items rise by one step and
    indices by one, and the others (recipes) as [item, recipe]."""
    out: list[list[Any]] = []
    other: list[list[Any]] = []
    for item, slot in items:
        if not isinstance(slot, tuple):
            other.append([item, _recipe(slot)])
            continue
        kind, index = (_recipe(slot[2]), slot[1]) if slot[0] == "t" else slot
        last = out[-1] if out else None
        if last and last[0] == kind and last[3] + last[4] == index:
            step = item - (last[1] + last[2] * (last[4] - 1))
            if last[4] == 1:
                last[2] = step
            if step == last[2]:
                last[4] += 1
                continue
        out.append([kind, item, 1, index, 1])
    return out, other


def _recipe(recipe: Any) -> list[Any]:
    return [part if isinstance(part, str) else list(part) for part in recipe]


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else float(v)


def ranges(slots: Slots) -> list[list[int]]:
    """The values an edit may set: the image's own span of magnitudes and the kernel's, rounded up
    to a round number (1, 2, 5, 9, 10, 20, …), symmetric where the scenario has a sign."""
    image, weights = _image(slots), slots.values.weights
    m = nice(float(np.abs(image).max(initial=0.0)) or 1.0)
    w = nice(float(np.abs(weights).max(initial=0.0)) or 1.0)
    return [[-m if image.min() < 0 else 0, m], [-w, w]]


def presets(shape: tuple[int, int]) -> dict[str, list[float]]:
    """The kernel presets of this size, by name (sized ones at this size, odd sides for identity)."""
    names = [n for n in SIZED if n != "identity" or (shape[0] % 2 and shape[1] % 2)]
    names += list(FIXED_3x3) if shape == (3, 3) else []
    return {n: [_number(v) for v in make_kernel(n, shape, 1.0).ravel().tolist()] for n in names}


def colour_tables(names: set[str], theme: Any) -> tuple[dict[str, list[str]], list[str]]:
    """Each colormap's LEVELS colours (one hex string) and the ink on each (indices into inks)."""
    inks: list[str] = []
    tables = {}
    for name in sorted(names):
        colours = ColourScale(name, 0, LEVELS - 1)(np.arange(LEVELS))
        on = [theme.text_on(c) for c in colours]
        for c in on:
            if c not in inks:
                inks.append(c)
        tables[name] = ["".join(c[1:] for c in colours), "".join(str(inks.index(c)) for c in on)]
    return tables, inks


def widths(chars: str = EQUATION_CHARS) -> tuple[dict[str, float], dict[str, float]]:
    """Each equation character's advance and the kerning of the pairs that have one, at the size
    text is measured at (``textsize.MEASURE_PX``; multiples of 1/64 px): ``textsize.fast_width``
    adds up exactly these, scaled."""
    f = font(MEASURE_PX)
    adv = {ch: f.getlength(ch) for ch in chars}
    pairs = ((a, b) for a in chars for b in chars)
    kern = {a + b: k for a, b in pairs if (k := f.getlength(a + b) - adv[a] - adv[b])}
    return adv, kern


def text_items(slots: Slots) -> list[int]:
    """The items whose Text the slots write (an input or output cell's Text follows its Rect)."""
    out = []
    for item, slot in slots.items:
        cell = isinstance(slot, tuple) and slot[0] in ("i", "o", "si", "so")
        if cell and slots.texts:
            out.append(item + 1)
        elif not cell and not (isinstance(slot, tuple) and slot[0] in GEOMETRY):
            out.append(item)
    return out


def readout_runs(slots: Slots) -> list[list[Any]]:
    """The step readouts as runs [first frame, first step, count, recipe] of one recipe on
    consecutive frames and steps."""
    out: list[list[Any]] = []
    for frame, step, recipe in slots.readouts:
        last = out[-1] if out else None
        if last and last[0] + last[2] == frame and last[1] + last[2] == step and last[3] == _recipe(recipe):
            last[2] += 1
        else:
            out.append([frame, step, 1, _recipe(recipe)])
    return out


def island(slots: Slots, theme: Any) -> dict[str, Any]:
    """The ``ed`` object of an editable player (see the module docstring)."""
    v = slots.values
    colormap, output_colormap = slots.colormap, slots.output_colormap
    image = _image(slots)
    spans, other = runs(slots.items)
    tables, inks = colour_tables({colormap, output_colormap or DIVERGING}, theme)
    adv, kern = widths(EQUATION_CHARS + ("max" if v.maximum else ""))  # a max pool's "max(…, …)"
    (lo, hi) = ranges(slots)[1]  # the presets the layout has room for (a pool: none, no weights)
    named = {
        n: w
        for n, w in presets(v.weights.shape).items()
        if lo <= min(w) and max(w) <= hi and not (v.pool or v.maximum)
    }
    identity = slots.origin.size == image.size and np.array_equal(slots.origin, np.arange(image.size))
    return {
        "x": [_number(x) for x in image.tolist()],
        "hw": list(slots.image_shape),
        "w": _weights(slots.given, named),
        **({"f": 1} if slots.flip else {}),
        "k": list(v.weights.shape),
        "g": [int(v.grid.size // _grid_cols(slots)), _grid_cols(slots)],
        **({} if identity else {"o": [int(i) for i in slots.origin.tolist()]}),
        "p": program(slots),
        "room": v.room,
        "px": [EQUATION_PX, MEASURE_PX],
        "wa": ["".join(adv), list(adv.values())],
        "wk": kern,
        "cm": tables,
        "ink": inks,
        "cmap": colormap,
        "dv": DIVERGING,
        "ocmap": output_colormap,
        "s": spans,
        "n": other,
        "r": readout_runs(slots),
        "tx": int(slots.texts),
        "vs": [_number(x) for x in slots.sizes],
        "pre": v.preset,
        "ps": named,
        "rg": ranges(slots),
        **_pool(v.pool),
        **_maximum(slots),
        **_signal(slots),
        **({"js": "mat"} if slots.matrix else {}),
        "a": _recipe(slots.alt),
        "an": {n: PRESET_NAMES[n] for n in named},
    }


def _pool(pool: tuple[tuple[int, ...], np.ndarray | None] | None) -> dict[str, Any]:
    """An average pool's divisors (one number when all are equal) and whether padding counts."""
    if pool is None:
        return {}
    divisors, real = pool
    pd = divisors[0] if len(set(divisors)) == 1 else list(divisors)
    return {"pd": pd, "ci": int(real is None), "io": 1, "js": "mean"}


def script(slots: Slots | None) -> tuple[str, ...]:
    """The templates of the view's own editing rules that its player needs before it starts (the
    island's "js" names them), in order; none for most: only the players that need one ship it."""
    if slots is None:
        return ()
    pool = ("pool.js",) if slots.values.maximum or slots.values.pool is not None else ()
    return pool + (("signal.js",) if slots.bands else ()) + (("matrix.js",) if slots.matrix else ())


def _maximum(slots: Slots) -> dict[str, Any]:
    """A max pool's keys: input only, its rules' script and the marker rule (see the docstring)."""
    if not slots.values.maximum:
        return {}
    return {"io": 1, "js": "max", "mk": [_number(x) for x in slots.marker]}


def _signal(slots: Slots) -> dict[str, Any]:
    """The signal view's keys: its rules' name ("sigmax" for a max_pool1d: the max pool's and the
    signal's; "sigmean" for an avg_pool1d) and the bar bands."""
    if not slots.bands:
        return {}
    js = "sigmax" if slots.values.maximum else "sigmean" if slots.values.pool else "sig"
    return {"js": js, "sb": [_number(x) for x in slots.bands]}


def _weights(weights: np.ndarray, named: dict[str, list[float]]) -> list[int | float] | str:
    """The weights, flat, or the name of the preset they are (its values are shipped anyway)."""
    flat = [_number(x) for x in weights.ravel().tolist()]
    return next((name for name, values in named.items() if values == flat), flat)


def _image(slots: Slots) -> np.ndarray:
    """The image's values, flat, read back from the grid through ``origin``."""
    h, w = slots.image_shape
    image = np.zeros(h * w)
    own = slots.origin >= 0
    image[slots.origin[own]] = slots.values.grid[own]
    return image


def _grid_cols(slots: Slots) -> int:
    return int(slots.grid_cols)
