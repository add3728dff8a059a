"""Any cell of a network's maps, as the player opens it: every map's values as written (integers
of the map's number format: exact, and small to ship), the taps of each convolution (where a cell
reads its input, axis by axis: ``detail.Taps``), its weights' labels, and per map the recipe of a
cell's text. The player (``templates/network.js``) reads a cell's window through the same taps and
fills the same recipe, so its text is Python's (:func:`text`), for every cell of every map.

A recipe is a list of literal strings and nodes: ``("w",)`` the cell ("conv1[3][12,7]"), ``("v",)``
its value as its map writes it, ``("e", n)`` a convolution's sum: weight·input for each tap of its
window in each input channel read (at most n of them, then "…" and the last), then "bias b".
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..detail import Taps, taps
from ..filters import plane_labels
from ..kernels import fractions_read_best
from ..stage import Stage
from .base import paren

Node = tuple[Any, ...]
TERMS = 6  #: the sum's terms written before "…" and the last
MOST = 2**31 - 1  #: a written value × 10^decimals must fit an int32 to be shipped
TIE = 1e-6  #: values this close to a rounding tie are written by the formatter itself
#: packed bytes of maps a page carries at most (3.3 MB in base64): with the weight labels (below,
#: at most about 0.6 MB), the sampled details' pictures (about 0.6 MB for 100) and the channel
#: pictures, a page stays under 5 MB (the 512-channel U-Net's was 5.19 MB with 3 MB of maps)
BUDGET = 2_500_000
#: what a stage's step picture costs a page besides its weights, bytes (its poster and data
#: island: 10 to 25 KB measured on a four-level U-Net); pictures share what the maps leave of BUDGET
PICTURE_BYTES = 30_000
#: weights whose labels a page carries at most (about 0.6 MB): past them, a convolution's cells
#: are written as their value and operation, and its sums are left to the sampled details
WEIGHT_BUDGET = 150_000


@dataclass(frozen=True, eq=False)
class Written:
    """A map's values as written with ``decimals`` decimals: ``ints`` (C, H, W) = value × 10^decimals;
    shipped as ``packed`` (``pack``: ``size`` bytes a value), or ``derived`` from the integers of
    another map: ("=", m) equal to map m's, ("+", m) map m's with the negative ones 0 (a ReLU,
    whose rounding commutes with it), checked here, so the page carries them once."""

    ints: np.ndarray
    decimals: int
    packed: bytes = b""
    size: int = 0
    derived: tuple[str, int] | None = None

    def text(self, cell: tuple[int, int, int]) -> str:
        return number(int(self.ints[cell]), self.decimals)


@dataclass(frozen=True, eq=False)
class StageCells:
    """What a cell of a stage's map is computed from: the map it reads (``source``), and for a
    convolution its taps, each filter's weight labels (flat over its planes, rows, columns) and
    its bias's label (None: no bias)."""

    source: int
    taps: Taps | None = None
    labels: tuple[tuple[str, ...], ...] = ()
    bias: tuple[str, ...] | None = None


@dataclass(frozen=True, eq=False)
class StepPicture:
    """A stage's one-step layer picture, editable (``frames.layer``), laid out for any cell of its
    map: the player feeds it a cell's window (read through the taps from the map as written), its
    filter and bias (``weights``, ``bias``: the page carries them exactly) and the cell's value,
    and shows frame ``frame``, the step (``frames.network.NetworkBuilder.step_picture``)."""

    frames: Any  #: display.Frames (not imported: display imports this module's types)
    frame: int
    weights: np.ndarray  #: (C_out, P, kh, kw), as slid (the taps')
    bias: np.ndarray | None
    others: tuple[Any, ...] = ()  #: a grouped convolution's pictures of groups 1, 2, …: their planes' names


@dataclass(frozen=True, eq=False)
class AnyCell:
    """Everything a cell's text is made of, for every map (``maps[j]`` None: a map not written
    with decimals, whose cells fall back to the sampled details)."""

    names: tuple[str, ...]
    maps: tuple[Written | None, ...]
    stages: tuple[StageCells, ...]
    recipes: tuple[tuple[str | Node, ...], ...]  #: per map
    note: str = ""  #: what the player says of the cells it can open
    pictures: tuple[StepPicture | None, ...] = ()  #: per stage: its cells' step picture, or None


def number(q: int, decimals: int) -> str:
    """An integer of a map's written values as text: 1234, 2 → "12.34", −5, 2 → "−0.05"."""
    digits = str(abs(q)).rjust(decimals + 1, "0")
    body = digits[: len(digits) - decimals] + ("." + digits[len(digits) - decimals :] if decimals else "")
    return ("\u2212" if q < 0 else "") + body


def written(values: np.ndarray, decimals: int, fmt: Callable[[float], str]) -> Written | None:
    """``values`` as ``fmt`` writes them with ``decimals`` decimals, as integers: rounded half
    away from zero in float, and by ``fmt`` itself near a tie (it rounds the shortest decimal);
    None when a value is not finite or too large."""
    scaled = values * 10.0**decimals
    if not np.isfinite(scaled).all() or np.abs(scaled).max(initial=0) >= MOST:
        return None
    q = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    frac = np.abs(scaled) - np.floor(np.abs(scaled))
    for idx in zip(*np.nonzero(np.abs(frac - 0.5) < TIE), strict=True):
        q[idx] = int(fmt(values[idx]).replace("\u2212", "-").replace(".", ""))
    return Written(q.astype(np.int32), decimals)  # |q| < MOST: half of int64's memory


def stage_cells(stage: Stage, source: int, shape: tuple[int, int]) -> StageCells:
    """A stage's taps and labels (only the map it reads for any other operation)."""
    tp = taps(stage, shape)
    if tp is None:
        return StageCells(source)
    w = tp.weights
    fractions = fractions_read_best(w)  # one style for the layer, decided once
    labels = tuple(
        tuple(
            label
            for p in range(w.shape[1])
            for row in plane_labels(w[k, p], fractions=fractions)
            for label in row
        )
        for k in range(w.shape[0])
    )
    bias = None if stage.bias is None else plane_labels(np.asarray(stage.bias)[None], fractions=fractions)[0]
    return StageCells(source, tp, labels, bias)


def where(cells: AnyCell, j: int, cell: tuple[int, int, int]) -> str:
    c, r, col = cell
    return f"{cells.names[j]}[{c}][{r},{col}]"


def text(cells: AnyCell, j: int, cell: tuple[int, int, int]) -> str:
    """The text of cell (channel, row, col) of map j: its map's recipe, filled."""
    return "".join(
        part if isinstance(part, str) else _node(cells, j, cell, part) for part in cells.recipes[j]
    )


def _node(cells: AnyCell, j: int, cell: tuple[int, int, int], node: Node) -> str:
    kind = node[0]
    if kind == "w":
        return where(cells, j, cell)
    if kind == "v":
        m = cells.maps[j]
        assert m is not None
        return m.text(cell)
    if kind == "e":
        return " + ".join(terms(cells, j, cell, node[1]))
    raise ValueError(f"unknown node {node!r}")


def terms(cells: AnyCell, j: int, cell: tuple[int, int, int], most: int) -> list[str]:
    """A convolution cell's terms: weight·input for each tap in each plane it reads (the input a
    padding or inserted zero reads is 0), the first ``most``, "…" and the last, then the bias."""
    sc = cells.stages[j - 1]
    src = cells.maps[sc.source]
    assert sc.taps is not None and src is not None
    k, a, b = cell
    rows, cols = sc.taps.window(a, b)
    labels, out = sc.labels[k], []
    for n, p in enumerate(sc.taps.planes(k)):
        for i, r in enumerate(rows.tolist()):
            for jj, c in enumerate(cols.tolist()):
                x = number(0 if r < 0 or c < 0 else int(src.ints[p, r, c]), src.decimals)
                out.append(f"{paren(labels[(n * len(rows) + i) * len(cols) + jj])}\u00b7{paren(x)}")
    if len(out) > most + 1:
        out = [*out[:most], "\u2026", out[-1]]
    return out if sc.bias is None else [*out, f"bias {sc.bias[k]}"]


def recipes(
    names: Sequence[str], stages: Sequence[StageCells], maps: Sequence[Written | None], ops: Sequence[str]
) -> tuple[tuple[str | Node, ...], ...]:
    """Each map's recipe: the image's cell and value; a convolution's cell, value and sum; another
    stage's cell, value and operation (``ops[i]``: stage i's in words, with what it reads)."""
    out: list[tuple[str | Node, ...]] = [(("w",), " = ", ("v",))]
    for i, sc in enumerate(stages):
        if sc.taps is not None and maps[sc.source] is not None:
            out.append((("w",), " = ", ("e", TERMS), " = ", ("v",), f" ({ops[i]})"))
        else:
            out.append((("w",), " = ", ("v",), f": {ops[i]}"))
    return tuple(out)


def pack(ints: np.ndarray) -> tuple[int, bytes]:
    """Integers as int8, int16 or int32 (the fewest bytes that hold them), little-endian, their
    bytes plane by plane (byte 0 of every value, then byte 1, …, which deflate packs far better),
    raw-deflated (the page inflates them with DecompressionStream("deflate-raw"))."""
    lo, hi = (int(ints.min()), int(ints.max())) if ints.size else (0, 0)
    size = next(n for n in (1, 2, 4) if -(2 ** (8 * n - 1)) <= min(lo, -hi - 1))
    raw = ints.astype(f"<i{size}").view(np.uint8).reshape(-1, size).T.tobytes()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return size, packer.compress(raw) + packer.flush()


def shipped(
    maps: Sequence[Written | None], sources: Sequence[Sequence[int]], keep: set[int], budget: int = BUDGET
) -> tuple[Written | None, ...]:
    """The maps as the page carries them: derived from the map a stage reads when they equal it
    or its ReLU, else packed. When the packed bytes pass ``budget``, maps are left out (their
    cells fall back to the sampled details), the largest first, those in ``keep`` (what a
    convolution reads or makes: the sums) last; a map derived from one left out is packed itself.
    A page stays a few MB whatever the noise in its maps."""
    out: list[Written | None] = list(maps)
    for j, m in enumerate(maps):
        src = sources[j - 1] if j else ()
        s = maps[src[0]] if len(src) == 1 else None
        if m is None:
            continue
        if s is not None and s.ints.shape == m.ints.shape and s.decimals == m.decimals:
            if np.array_equal(m.ints, s.ints):
                out[j] = replace(m, derived=("=", src[0]))
                continue
            if np.array_equal(m.ints, np.maximum(s.ints, 0)):
                out[j] = replace(m, derived=("+", src[0]))
                continue
        out[j] = _packed(m)
    while sum(len(w.packed) for w in out if w is not None) > budget:
        j = max(
            (j for j, w in enumerate(out) if w is not None and w.packed),
            key=lambda j: (j not in keep, len(out[j].packed)),  # type: ignore[union-attr]
        )
        out[j] = None
        for n, w in enumerate(out):  # derived from it: now packed itself
            if w is not None and w.derived and w.derived[1] == j:
                out[n] = _packed(replace(w, derived=None))
    return tuple(out)


def _packed(m: Written) -> Written:
    size, packed = pack(m.ints)
    return replace(m, packed=packed, size=size)


def encode(cells: AnyCell) -> tuple[list[Any], list[Any], bytes]:
    """The maps' packed bytes one after another, then the step pictures' weights'; per map [C, H,
    W, decimals, bytes a value, offset, length] (a packed map), [C, H, W, decimals, "=" or "+",
    map] (a derived one) or 0; per stage [bytes a weight, offset, length] (its weights then its
    bias, ``floats``) or 0 (no step picture)."""
    table: list[Any] = []
    parts: list[bytes] = []
    offset = 0
    for m in cells.maps:
        if m is None:
            table.append(0)
        elif m.derived:
            table.append([*m.ints.shape, m.decimals, *m.derived])
        else:
            table.append([*m.ints.shape, m.decimals, m.size, offset, len(m.packed)])
            parts.append(m.packed)
            offset += len(m.packed)
    weights: list[Any] = []
    for p in cells.pictures:
        if p is None:
            weights.append(0)
            continue
        size, packed = floats(p.weights, p.bias)
        weights.append([size, offset, len(packed)])
        parts.append(packed)
        offset += len(packed)
    return table, weights, b"".join(parts)


def floats(weights: np.ndarray, bias: np.ndarray | None) -> tuple[int, bytes]:
    """A stage's weights then its bias (float64) exactly, in 4 bytes each when float32 holds them
    all (a model trained in float32), else 8; little-endian, bytes plane by plane, raw-deflated
    (as ``pack``)."""
    values = np.concatenate([np.ravel(weights), [] if bias is None else np.ravel(bias)]).astype(np.float64)
    size = 4 if np.array_equal(values.astype(np.float32).astype(np.float64), values) else 8
    raw = values.astype(f"<f{size}").view(np.uint8).reshape(-1, size).T.tobytes()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return size, packer.compress(raw) + packer.flush()


def island(cells: AnyCell) -> dict[str, Any]:
    """The player's ``a`` object but for the bytes (see ``export/html.details``): names, maps'
    table, per stage [source] or [source, rows, cols, stride r, c, dilation r, c, kh, kw, groups,
    label indices per filter, bias label indices or 0], the label strings ``lt``, the recipes."""
    strings: dict[str, int] = {}

    def ids(labels: Sequence[str]) -> list[int]:
        return [strings.setdefault(t, len(strings)) for t in labels]

    stages: list[Any] = []
    for sc in cells.stages:
        tp = sc.taps
        if tp is None:
            stages.append([sc.source])
            continue
        stages.append(
            [
                sc.source,
                [int(v) for v in tp.rows.tolist()],
                [int(v) for v in tp.cols.tolist()],
                *tp.stride,
                *tp.dilation,
                *tp.weights.shape[2:],
                tp.groups,
                [ids(f) for f in sc.labels],
                ids(sc.bias) if sc.bias is not None else 0,
            ]
        )
    recipes = [[p if isinstance(p, str) else list(p) for p in r] for r in cells.recipes]
    return {"nm": list(cells.names), "st": stages, "lt": list(strings), "r": recipes, "n": cells.note}
