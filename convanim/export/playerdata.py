"""The HTML player's data island: a display list as compact JSON (shared tables, rounded numbers).

The object (``v`` is the format version, read by ``templates/player.js``)::

    v      4 (the data format and the player markup it comes with)
    title  the title
    w, h   picture size in px
    bg     background (a colour index)
    c      every colour, once: "#rrggbb"
    t      every Text string, once
    s      drawing styles, each tagged by its shape kind:
             [0, fill, stroke, stroke width, w, h]    Rect (fill, stroke: colour index or -1)
             [1, colour, spacing, w, h]               Hatch
             [2, size, colour, anchor, bold]          Text (anchor 0 start, 1 middle, 2 end)
             [3, colour, width, dash]                 Line
             [4, picture, w, h]                       Picture (an index into ``p``)
    p      (when there are pictures) every picture once, as a ``data:image/png;base64,`` URI of its
           pixels (``png.picture_png``)
    i      items in drawing order: [style, first, last, x, y] (Rect, Hatch, Picture), [style, first, last,
           x, y, text index] (Text), [style, first, last, x0, y0, x1, y1, ...] (Line); or a bare
           number ``last`` for an item the inline SVG already draws (``drawn`` below): that item is
           the SVG's next element, visible from frame ``drawn`` to ``last``. Packed (``pack``,
           ``unpack``): ``first`` counts from the previous item's first frame; ``last`` from the
           item's first frame, or is −1 for the final frame (a bare number too); a Text's index
           comes before its coordinates; coordinates (in tenths of a px) and text indices count
           from those of the previous item of the same style (coordinates: when it has as many);
           trailing zeros of a Rect, Hatch, Picture or Text are left out. A step's items differ
           from the previous step's by a cell or so: small numbers, and often none, so a run of
           equal packed items is written once and then as a string "k": k more of the same.
    drawn  the frame the inline SVG shows (the poster), so its items are written once
    f      per frame: [duration ms, readout] or [duration ms, readout, output row, output col]
           or, when the output has several channels, [..., output row, output col, channel]; or
           the bare duration for a step whose readout an editable player writes (``ed.r``)
    g      the output grid [x, y, rows, cols, cell], to map a pointer to an output cell
    gs     (several output channels) every output channel's grid, in channel order
    ed     (an editable picture) what the player needs to recompute its texts and colours after
           an edit: see ``convanim.editing``
    rf     receptive fields, for the pointer: {"m": every drawn channel of every map as [map,
           channel, x, y, rows, cols, cell], "l": per stage [maps it reads, rows, cols, channels]
           where rows[a] lists the input rows output row a reads (cols, channels alike), and
           for a cat a fifth item, each map's [start, stop) among the channels it stacks; "hl":
           the highlight (a colour index)}; absent when fewer than two maps are drawn
    nd     (a network, added by the HTML exporter: ``html.details``) the numbers of sampled
           cells, read by ``templates/network.js``: {"n": which cells are sampled, "d": per cell
           [map, channel, row, col, label, text, the layer view's step that computes it as an SVG
           data: URI, or 0], "a": what any cell's text is written from (``frames.network_cells``:
           every map's values as written, deflated, in base64; each convolution's taps; the
           weights' labels; a recipe per map; and when a convolution's cells draw their step
           (``html.step_player``) "sp" per stage its step picture's poster, data island, size,
           title and step frame, or 0, and "fw" per stage where its weights lie in the bytes)}

Coordinates are rounded to 0.1 px; a rectangle's size is part of its style, as a grid's cells
share one. Nothing is computed here: every value is copied from the display list.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from .. import editing, layer_editing
from ..display import Frames, Grid, Hatch, Line, Picture, Rect, Shape, Text
from .png import picture_uri

if TYPE_CHECKING:
    from ..dependence import StageLinks

VERSION = 4  # 2: the poster is the still <img>, the script builds the controls; 3: items packed; 4: ed
KINDS = {Rect: 0, Hatch: 1, Text: 2, Line: 3, Picture: 4}
ANCHORS = {"start": 0, "middle": 1, "end": 2}
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def num(value: float) -> int | float:
    """``value`` rounded to 0.1 (px, or font size), as an int when whole (so JSON has no ``.0``)."""
    r = round(float(value), 1)
    return int(r) if r == int(r) else r


class _Table:
    """Values in first-use order, each stored once; ``index`` returns a value's position."""

    def __init__(self) -> None:
        self.values: dict[Any, int] = {}

    def index(self, value: Any) -> int:
        return self.values.setdefault(value, len(self.values))

    def list(self) -> list[Any]:
        return list(self.values)


def encode(frames: Frames, drawn: int) -> dict[str, Any]:
    """The JSON-ready description of ``frames`` (see the module docstring), for a player whose
    inline SVG draws frame ``drawn`` (one element per item, see ``svg.frame_svg``)."""
    colours, texts, styles, pictures = _Table(), _Table(), _Table(), _Table()

    def colour(c: str | None) -> int:
        return -1 if c is None else colours.index(c)

    bg = colour(frames.background)
    items: list[Any] = []
    written = set(editing.text_items(frames.slots)) if frames.slots else set()
    if frames.layer:
        written = set(layer_editing.text_items(frames.layer))
    for n, item in enumerate(frames.items):
        if item.visible(drawn):
            if item.first != drawn:
                raise ValueError(f"the inline SVG must show a frame where items start (frame {drawn})")
            items.append(int(item.last))
            continue
        # a text the player writes (an editable picture's slot) is not shipped
        shape = dataclasses.replace(item.shape, text="") if n in written else item.shape
        style, geometry = _shape(shape, colour, texts, pictures)
        items.append([styles.index(style), int(item.first), int(item.last), *geometry])
    infos = []
    edited = frames.slots or frames.layer
    written_readouts = {frame for frame, _, _ in edited.readouts} if edited else set()
    for k, info in enumerate(frames.frames):
        if k in written_readouts:  # the player writes its readout and knows its cell (ed.r)
            infos.append(int(info.duration_ms))
            continue
        row: list[Any] = [int(info.duration_ms), info.readout]
        if info.out is not None:
            row += [int(info.out[0]), int(info.out[1])]
            if info.channel is not None and frames.output_grids:
                row.append(int(info.channel))
        infos.append(row)
    g = frames.output_grid
    grids = {"gs": [_grid(grid) for grid in frames.output_grids]} if frames.output_grids else {}
    if pictures.values:
        grids["p"] = pictures.list()
    if frames.slots:
        grids["ed"] = editing.island(frames.slots, frames.theme)
    if frames.layer:
        grids["ed"] = layer_editing.island(frames.layer, frames.theme, frames.alt)
    if frames.links and len({m.map for m in frames.maps}) > 1:  # a field to light somewhere else
        grids["rf"] = {
            "m": [[m.map, m.channel, *_grid(m.grid)] for m in frames.maps],
            "l": [_links(s) for s in frames.links],
            "hl": colour(frames.theme.highlight),
        }
    return {
        "v": VERSION,
        "title": frames.title,
        "w": int(frames.width),
        "h": int(frames.height),
        "bg": bg,
        "c": colours.list(),
        "t": texts.list(),
        "s": [list(s) for s in styles.list()],
        "i": pack(items, len(frames), styles.list()),
        "drawn": drawn,
        "f": infos,
        "g": _grid(g),
        **grids,
    }


def _links(s: StageLinks) -> list[Any]:
    """[maps it reads, rows, cols, channels], and a cat's [start, stop) of each input's channels."""
    out = [list(s.inputs), _lists(s.rows), _lists(s.cols), _lists(s.channels)]
    return [*out, [list(p) for p in s.parts]] if s.parts else out


def pack(items: list[Any], n: int, styles: list[tuple]) -> list[Any]:
    """Items as written in the island (see the module docstring): frames, coordinates and text
    indices relative to what came before, so that most numbers are 0, −1 or a cell's width, and
    zeros at the end of a shape with a fixed number of coordinates are left out."""
    out: list[Any] = []
    first_before, before = 0, {}
    for item in items:
        if isinstance(item, int):
            out.append(-1 if item == n - 1 else item)
            continue
        style, first, last, *geometry = item
        kind = styles[style][0]
        text = kind == KINDS[Text]
        tenths = [round(v * 10) for v in (geometry[:2] if text else geometry)]
        ref, ref_text = before.get(style, (None, 0))
        moved = (
            [a - b for a, b in zip(tenths, ref, strict=True)] if ref and len(ref) == len(tenths) else tenths
        )
        rest = [geometry[2] - ref_text, *moved] if text else moved
        before[style] = (tenths, geometry[2] if text else 0)
        while kind != KINDS[Line] and rest and rest[-1] == 0:
            rest.pop()
        out.append([style, first - first_before, -1 if last == n - 1 else last - first, *rest])
        first_before = first
    return repeats(out)


def repeats(packed: list[Any]) -> list[Any]:
    """A run of equal packed items as the first and the string "k" (k more of it): a step's items
    packed are the previous step's (one frame on, one cell further), and the poster's items that
    last to the end are all −1."""
    out: list[Any] = []
    for item in packed:
        if out and isinstance(out[-1], str) and item == out[-2]:
            out[-1] = str(int(out[-1]) + 1)
        elif out and item == out[-1]:
            out.append("1")
        else:
            out.append(item)
    return out


def expand(items: list[Any]) -> list[Any]:
    """The packed items with each run written out (the inverse of ``repeats``)."""
    out: list[Any] = []
    for item in items:
        out.extend([out[-1]] * int(item) if isinstance(item, str) else [item])
    return out


def unpack(data: dict[str, Any]) -> list[Any]:
    """The island's items with absolute frames, coordinates and text indices, as
    ``templates/player.js`` reads them (the inverse of ``pack``)."""
    n, out = len(data["f"]), []
    first_before, before = 0, {}
    for item in expand(data["i"]):
        if isinstance(item, int):
            out.append(n + item if item < 0 else item)
            continue
        style, first, last, *rest = item
        first += first_before
        first_before = first
        kind = data["s"][style][0]
        text = kind == KINDS[Text]
        if kind != KINDS[Line]:
            rest += [0] * ((3 if text else 2) - len(rest))
        moved = rest[1:] if text else rest
        ref, ref_text = before.get(style, (None, 0))
        tenths = [a + b for a, b in zip(moved, ref, strict=True)] if ref and len(ref) == len(moved) else moved
        index = rest[0] + ref_text if text else 0
        before[style] = (tenths, index)
        last = n + last if last < 0 else first + last
        out.append([style, first, last, *(num(t / 10) for t in tenths), *([index] if text else [])])
    return out


def _lists(sets: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    """Each sorted index set as flat runs [first, count, first, count, …]: a dense convolution's
    output channel reads all of its 512 input channels in 2 numbers, not 512 (a U-Net's island
    was 10 MB of them)."""
    out = []
    for s in sets:
        flat: list[int] = []
        for v in s:
            if flat and v == flat[-2] + flat[-1]:
                flat[-1] += 1
            else:
                flat += [int(v), 1]
        out.append(flat)
    return out


def _grid(g: Grid) -> list[int | float]:
    # a cell smaller than a pixel (1/3 px in a big network) keeps 4 decimals: 0.1 px off would
    # shift a 128-cell row's end by 4 px and point at the wrong cell
    cell = num(g.cell) if g.cell >= 1 else round(float(g.cell), 4)
    return [num(g.x), num(g.y), int(g.rows), int(g.cols), cell]


def _shape(shape: Shape, colour: Any, texts: _Table, pictures: _Table) -> tuple[tuple, list]:
    """(style tuple, geometry list) of one shape."""
    kind = KINDS[type(shape)]
    if isinstance(shape, Picture):
        style = (kind, pictures.index(picture_uri(shape)), num(shape.w), num(shape.h))
        return style, [num(shape.x), num(shape.y)]
    if isinstance(shape, Rect):
        stroke = shape.stroke if shape.width > 0 else None
        width = num(shape.width) if stroke else 0
        style = (kind, colour(shape.fill), colour(stroke), width, num(shape.w), num(shape.h))
        return style, [num(shape.x), num(shape.y)]
    if isinstance(shape, Hatch):
        style = (kind, colour(shape.color), num(shape.spacing), num(shape.w), num(shape.h))
        return style, [num(shape.x), num(shape.y)]
    if isinstance(shape, Text):
        style = (kind, num(shape.size), colour(shape.color), ANCHORS[shape.anchor], int(shape.bold))
        return style, [num(shape.x), num(shape.y), texts.index(shape.text)]
    return (kind, colour(shape.color), num(shape.width), int(shape.dash)), [
        num(v) for point in shape.points for v in point
    ]


def script_json(data: Any) -> str:
    """``data`` as compact JSON that is safe inside ``<script>``: ``<``, ``>``, ``&``, U+2028 and
    U+2029 are written as ``\\uXXXX`` escapes (JSON.parse reads them back unchanged)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)
