"""Frames of a network: every map of a graph as a column of channel pictures (the most varied
channels first, "… and N more" for the rest), the operation of each stage with its parameters
between the columns ("conv 7×7 /2, 64"), and skip or residual connections (a map a stage reads
besides the one just before it) as connectors in lanes under the columns. The frames fill the
network stage by stage, the current stage framed; no number is drawn: the player opens a cell's
numbers on demand (see ``detail``): any cell's text, and for a convolution the layer view's picture
of its step, one editable picture a stage that the player feeds the cell's numbers
(``step_picture``).

It reads only the stages' output maps (``Computation.output``), never their steps, so the picture
does not depend on how the numbers are computed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import style
from ..detail import WINDOW_OPS, Window, step_keys, steppable, window
from ..display import CellDetail, FrameInfo, Frames, Grid, Hatch, Item, Line, MapGrid, Picture, Rect, Text
from ..elementwise import ELEMENTWISE
from ..graph import map_names, sources
from ..layout import CAPTION_PX, EQUATION_PX, LABEL_PX, PAD, SMALL_PX, TITLE_PX, legible_px, projection
from ..model import NETWORK_PANELS as MAX_PANELS
from ..model import Illustration, Image, Timing
from ..numfmt import decimals_needed, formatter
from ..stage import Stage, parse_stage
from ..textsize import text_width
from ..words import count
from . import labels as lab
from . import layer_slots as ls
from .base import Collector
from .chain_channels import Panel, photo_colours
from .layer import LayerBuilder
from .network_cells import (
    BUDGET,
    PICTURE_BYTES,
    WEIGHT_BUDGET,
    AnyCell,
    StageCells,
    StepPicture,
    floats,
    recipes,
    shipped,
    stage_cells,
    written,
)
from .network_cells import text as cell_text
from .scaling import unit

PANEL_SIDES = (32, 48, 64, 80, 96, 112, 128, 160, 192)  #: target sides of a panel tried, px
GAP = 16
PANEL_GAP = 8
ARROW = 7  #: arrowhead length, px
ROBUST = 99.5  #: percentile of a map's values its colour scale reaches (the rest saturate)
FINEST_CELL = 0.25  #: the smallest cell, px: a map drawn smaller than a pixel a cell when it must
SMALLEST_PICTURE = 16  #: px: a map drawn under a pixel a cell is still at least this wide
MAX_SIZE = (2880, 1620)  #: a picture larger than 1.5 screens is only chosen when no other fits
MAX_ROWS = 4  #: bands a long network wraps into at most (more when it has many maps)
BAND_COLUMNS = 6  #: a network of many maps may take as many bands as it has maps / this
ELLIPSIS = "\u2026"
TIMES = "\u00d7"
STAGE_MS = 900  #: a stage's frame shows at least this long
MOST_PLANES = 64  #: input planes a cell's step picture recomputes at most (more: its text, sampled pictures)
MOST_GROUPS = 16  #: groups a convolution's step pictures cover at most (a picture a group)


def ranked_channels(values: np.ndarray, n: int) -> list[int]:
    """The ``n`` channels of a (C, H, W) map that vary most (by variance over the plane), most
    first; ties keep channel order. The channels a reader learns most from when not all fit."""
    var = values.reshape(values.shape[0], -1).var(axis=1)
    return [int(c) for c in np.argsort(-var, kind="stable")[:n]]


def op_lines(st: Stage, names: Sequence[str]) -> list[str]:
    """A stage's operation and parameters in a line or two: "conv 7×7 /2, 64" and "pad 3";
    ``names`` are the names of the maps it reads (a join writes them)."""
    op = st.operation
    stride = f" /{lab.pair(st.stride)}" if st.stride != (1, 1) else ""
    extra = []
    if any(st.padding):
        t, b, left, r = st.padding
        extra.append(f"pad {t}" if len({t, b, left, r}) == 1 else f"pad {t},{b},{left},{r}")
    if st.dilation != (1, 1):
        extra.append(f"dilation {lab.pair(st.dilation)}")
    if st.groups > 1:
        extra.append(f"groups {st.groups}")
    if op == "conv2d":
        first = f"conv {_square(st.kernel_size)}{stride}, {st.out_channels}"
        if st.padding_mode != "zeros":
            extra.append(st.padding_mode)
        return [first, *extra]
    if op == "conv_transpose2d":
        up = f" \u2191{lab.pair(st.stride)}" if st.stride != (1, 1) else ""
        if st.output_padding != (0, 0):
            extra.append(f"out pad {lab.pair(st.output_padding)}")
        return [f"conv\u1d40 {_square(st.kernel_size)}{up}, {st.out_channels}", *extra]
    if op in ("max_pool2d", "avg_pool2d"):
        what = "max" if op == "max_pool2d" else "mean"
        return [f"{what} {_square(st.kernel_size)}{stride}", *extra]
    if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        what = "mean" if op == "adaptive_avg_pool2d" else "max"
        return [f"adaptive {what}", f"\u2192 {lab.size(st.output_shape)}"]
    if op == "upsample":
        to = lab.size(st.size) if st.size else TIMES + lab.pair(tuple(lab.number(v) for v in st.scale_factor))
        return [f"upsample {to}", st.mode]
    if op == "batch_norm":
        return ["batch norm", "a\u00b7x + b per channel"]
    if op == "leaky_relu":
        return [f"leaky ReLU {lab.number(st.negative_slope)}"]
    if op == "hardtanh":
        return [f"clip [{lab.number(st.min_val)}, {lab.number(st.max_val)}]"]
    if op in ("cat", "add"):
        return ["cat" if op == "cat" else "add (+)", ", ".join(names)]
    return [{"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "gelu": "GELU"}.get(op, op)]


def _square(size: tuple[int, int]) -> str:
    return f"{size[0]}{TIMES}{size[1]}"


@dataclass(frozen=True)
class Column:
    """One map's column: its panels (``Panel.channel`` None is a photograph's colours)."""

    map: int
    row: int  #: the band of columns it is in (a long network wraps, as text does)
    x: float
    width: float
    panels: tuple[Panel, ...]
    more: int  #: channels not drawn
    more_y: float  #: baseline of the "… and N more" line
    bottom: float
    label_y: float  #: baseline of its name


@dataclass(frozen=True)
class Connector:
    """A line with an arrowhead at its end and a name at ``at``: a skip connection (or the part
    of it in one band), or the wrap of the main flow from the end of a band to the next."""

    stage: int  #: the stage it feeds (lit on its frame)
    points: tuple[tuple[float, float], ...]
    text: str = ""
    at: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class NetworkLayout:
    width: int
    height: int
    zoom: float  #: text and gaps grow by this so that text is legible once the picture fits a screen
    title_y: float
    caption_y: float | None
    title_px: float  #: the title's size before zoom: TITLE_PX, or smaller for a long title
    caption_px: float  #: the caption's, likewise from CAPTION_PX
    columns: tuple[Column, ...]
    ops: tuple[tuple[float, float, float], ...]  #: per stage: its gap's left and right x, its arrow's y
    connectors: tuple[Connector, ...]
    equation_y: float

    def px(self, size: float) -> float:
        """A text size grown by ``zoom`` (see :func:`grown`)."""
        return grown(size, self.zoom)


def grown(size: float, zoom: float) -> float:
    """A text size grown by ``zoom``, rounded up to 0.1 px: never below the legible size."""
    return math.ceil(size * zoom * 10 - 1e-6) / 10


class NetworkBuilder(Collector):
    """Collects the items of a network's frames in drawing order (see the module docstring)."""

    def __init__(self, scenario: Illustration) -> None:
        self.s, self.render = scenario, scenario.render
        self.stages = scenario.stages
        self.srcs = sources(self.stages)
        self.names = map_names(self.stages)
        comps = scenario.computations
        self.values = [scenario.image.values, *(c.output for c in comps)]
        self.last = len(self.stages) + 1
        self.items: list[Item] = []
        image = scenario.image
        self.rgb = image.channels == 3 and image.photo
        self.scales = [self._scale(v) for v in self.values]
        self.fmts = [formatter(self.render.number_format, v) for v in self.values]
        self.finest = 1.0  #: the smallest cell the layout tried allows, px
        self._anycell: AnyCell | None = None
        self._pictures: tuple[StepPicture | None, ...] | None = None
        self._as_written: dict[int, np.ndarray] = {}
        self.folded: frozenset[int] = frozenset()  #: maps drawn in the column after them (fold_maps)
        self.largest = max(max(v.shape[1:]) for v in self.values)  #: the longest side of a map
        #: each stage's operation lines (a layout search reads them thousands of times)
        self.lines = tuple(
            tuple(op_lines(st, [self.names[j] for j in src]))
            for st, src in zip(self.stages, self.srcs, strict=True)
        )
        self.strip = self._strip_texts()  #: the strip's texts: poster, a stage's each, the end
        self.layout = self._best_layout()

    # ------------------------------------------------------------------ setup

    def _scale(self, values: np.ndarray) -> style.ColourScale:
        """One scale per map, shared by its channels; a few extreme values (ROBUST of them) do not
        turn the rest of a picture black: they saturate."""
        signed = bool(values.min() < 0)
        if signed:
            top = float(np.percentile(np.abs(values), ROBUST)) or float(np.abs(values).max())
            return style.scale_for(np.array([-top, top]), style.DIVERGING, symmetric=True)
        low, high = np.percentile(values, [100 - ROBUST, ROBUST])
        if high <= low:
            low, high = values.min(), values.max()
        return style.scale_for(np.array([low, high]), self.render.colormap)

    def _slots(self, j: int, most: int = MAX_PANELS) -> list[int | None]:
        """Channels drawn for map j, most varied first (None: a colour photograph's picture)."""
        c = self.values[j].shape[0]
        n = c if c <= most + 1 else most  # "… and 1 more" would take a panel's room
        if j == 0 and self.rgb:
            return [None, 0, 1, 2][: max(2, most)]
        return list(ranked_channels(self.values[j], n))

    def channel_name(self, j: int, c: int | None) -> str:
        if c is None:
            return "RGB"
        if j == 0:
            return self.s.image.names[c] if self.s.image.names else f"in[{c}]"
        return f"ch {c}"

    def map_title(self, j: int) -> str:
        return "input" if j == 0 else f"{j}. {self.names[j]}"

    def map_shape(self, j: int) -> str:
        c, h, w = self.values[j].shape
        return f"{c}{TIMES}{h}{TIMES}{w}"

    def more_text(self, j: int) -> str:
        more = self.values[j].shape[0] - len([c for c in self.slots[j] if c is not None])
        return f"{ELLIPSIS} and {more} more" if more > 0 else ""

    def stage_lines(self, i: int) -> list[str]:
        return list(self.lines[i])

    def shown(self, i: int) -> int:
        """The stage whose operation's place shows stage i's: i, or for a stage that makes a
        folded map, the first stage after it whose map is drawn."""
        while i + 1 in self.folded:
            i += 1
        return i

    def run(self, i: int) -> range:
        """The stages whose operations share stage i's place: those making folded maps, then the
        one making the drawn map after them."""
        d = self.shown(i)
        r = d
        while r in self.folded:
            r -= 1
        return range(r, d + 1)

    def op_text(self, i: int) -> list[str]:
        """The lines over stage i's arrow: its operation's, or every operation of its run's."""
        return [line for k in self.run(i) for line in self.stage_lines(k)]

    def fold_maps(self) -> frozenset[int]:
        """Maps a long network draws in the column of the map after them, to keep its text legible
        on one screen: a stage's map that only the next stage reads, when that stage is a value
        by value operation (batch norm, an activation): conv, batch norm and ReLU draw as one
        column, their operations written one under the other over its arrow."""
        readers: dict[int, set[int]] = {}
        for i, src in enumerate(self.srcs):
            for j in src:
                readers.setdefault(j, set()).add(i)
        last = len(self.values) - 1
        return frozenset(
            j
            for j in range(1, last)
            if readers.get(j) == {j} and self.srcs[j] == (j,) and self.stages[j].operation in ELEMENTWISE
        )

    def skips(self) -> list[tuple[int, int]]:
        """(map, stage) of every map a stage reads besides the one just before it."""
        return [(j, i) for i, src in enumerate(self.srcs) for j in dict.fromkeys(src) if j != i]

    # ------------------------------------------------------------------ layout

    def _best_layout(self) -> NetworkLayout:
        """The best layout with MAX_PANELS channels drawn a map, or with fewer when those do not
        fit 1.5 screens legibly (maps of real size: a 4-level U-Net on 3×128×128); when none
        does, with value by value operations folded into the column before them (fold_maps: some
        50 maps of a ResNet18 to layer3 or a 512-channel U-Net)."""
        folds = [frozenset(), self.fold_maps()]
        for fold in folds[: 1 + bool(folds[1])]:
            self.folded = fold
            for most in (MAX_PANELS, 2, 1):
                self.slots = [self._slots(j, most) for j in range(len(self.values))]
                # a cell a pixel at least; else cells smaller than a pixel (a picture is drawn at
                # any size) before fewer channels: a 128×128 map 32 px wide still shows its shapes
                for finest in (1, FINEST_CELL):
                    self.finest = finest
                    score, lay = self._best_for()
                    if score > 0:
                        return lay
        return lay

    def _best_for(self) -> tuple[float, NetworkLayout]:
        """Of the panel sizes and numbers of bands tried, the layout whose panels are largest once
        the picture fits the screen; text grows (``zoom``) until it is legible there."""
        best: tuple[float, NetworkLayout] | None = None
        most_rows = max(MAX_ROWS, -(-len(self.values) // BAND_COLUMNS))
        for rows in range(1, min(most_rows, len(self.values)) + 1):
            for side in PANEL_SIDES:
                zoom = 1.0
                for _ in range(8):  # larger text makes a larger picture: settle in a few rounds
                    lay = self._layout(side, zoom, rows)
                    need = legible_px(lay.width, lay.height) / SMALL_PX
                    if need <= zoom + 1e-9:
                        break
                    zoom = math.ceil(need * 20) / 20
                sides = [p.grid.cell * max(p.grid.rows, p.grid.cols) for c in lay.columns for p in c.panels]
                # on a screen a picture is shown at most at its size: beyond the screen, larger
                # pictures look the same once fitted, and cost more to paint
                score = min(1.0, projection(lay.width, lay.height)) * float(np.mean(sides))
                if lay.width > MAX_SIZE[0] or lay.height > MAX_SIZE[1]:  # only if nothing smaller fits,
                    score = -1e6 - lay.width * lay.height / 1e3  # and then the smallest (painting)
                if need > zoom + 1e-9:  # text not legible yet: the last resort
                    score -= 1e7
                # fewer bands and a smaller picture (less to paint) unless clearly better
                if best is None or score > (best[0] * 1.02 if best[0] > 0 else best[0]):
                    best = (score, lay)
        assert best is not None
        return best

    def _cell(self, j: int, side: float) -> float:
        _, h, w = self.values[j].shape
        k = self.render.scale
        if self.render.cell_px:
            return unit(self.render.cell_px, k)
        largest = self.largest
        target = side * math.sqrt(max(h, w) / largest)  # a smaller map looks smaller, not tiny
        px = target * k / max(h, w)
        if self.finest < 1:  # a map is not shrunk below SMALLEST_PICTURE px (or its size)
            px = max(px, min(1.0, SMALLEST_PICTURE / max(h, w)))
        if px >= 1 or self.finest >= 1:
            return unit(max(1, int(px)), k)
        # 1/n of a pixel (n cells a pixel, each drawn alike), no finer than FINEST_CELL
        return unit(max(FINEST_CELL, 1 / math.ceil(1 / px - 1e-9)), k)

    def _column_width(self, j: int, cell: float, zoom: float) -> float:
        small = SMALL_PX * zoom
        texts = [text_width(self.map_title(j), LABEL_PX * zoom), text_width(self.map_shape(j), small)]
        texts += [text_width(self.more_text(j), small)]
        texts += [text_width(self.channel_name(j, c), small) for c in self.slots[j]]
        return max(self.values[j].shape[2] * cell, *texts)

    def _bands(self, widths: list[float], gaps: list[float], rows: int) -> list[int]:
        """The band of each column: as many columns as fill an equal share of the width."""
        total = widths[0] + sum(g + w for g, w in zip(gaps, widths[1:], strict=True))
        share, band, used, out = total / rows, 0, 0.0, []
        for j, w in enumerate(widths):
            step = w + (gaps[j - 1] if j else 0)
            if j and j not in self.folded and used + step / 2 > share and band < rows - 1:
                band, used = band + 1, 0.0
            used += step
            out.append(band)
        for j in range(len(out) - 2, 0, -1):  # a folded map goes with the column it is drawn in
            if j in self.folded:
                out[j] = out[j + 1]
        return out

    def _layout(self, side: float, zoom: float, rows: int = 1) -> NetworkLayout:
        small, label = SMALL_PX * zoom, LABEL_PX * zoom
        y = PAD + TITLE_PX * zoom
        title_y, caption_y = y, None
        if self.s.caption:
            y += 8 + CAPTION_PX * zoom
            caption_y = y
        gaps = [
            0.0
            if i + 1 in self.folded
            else max(60 * zoom, *(text_width(t, small) for t in self.op_text(i))) + 2 * GAP
            for i in range(len(self.stages))
        ]
        cells = [self._cell(j, side) for j in range(len(self.values))]
        widths = [
            0.0 if j in self.folded else self._column_width(j, cells[j], zoom)
            for j in range(len(self.values))
        ]
        band_of = self._bands(widths, gaps, rows)
        columns: list[Column] = []
        ops: list[tuple[float, float, float]] = []
        connectors: list[Connector] = []
        right, skips = 0.0, self.skips()
        wrap_x = PAD / 2
        for band in range(band_of[-1] + 1):
            label_y = y + 14 + label
            top = label_y + small + 4 + 12
            x = float(PAD)
            for j in (j for j in range(len(self.values)) if band_of[j] == band):
                if j:
                    x0 = x + 6
                    x += gaps[j - 1]
                    ops.append((x0, x - 6, 0.0))
                columns.append(self._place(j, band, x, top, label_y, cells[j], widths[j], zoom))
                x += widths[j]
            right = max(right, x)
            lane = max(c.bottom for c in columns if c.row == band) + 12 + small
            for j, i in skips:
                if band in (band_of[j], band_of[i + 1]):
                    lane += small + 10
                    connectors += self._skip(j, i, band, band_of, lane, columns, ops, zoom)
            y = lane + 24
        named = [c for c in connectors if c.text]  # a name never leaves the picture
        right = max([right, *(c.at[0] + text_width(c.text, grown(SMALL_PX, zoom)) for c in named)])
        shown = [self.shown(i) for i in range(len(ops))]  # a folded map's stage: its run's place
        ops = [(*ops[d][:2], self._arrow_y(d, columns, zoom)) for d in shown]
        for i in range(len(self.stages)):  # the main flow from the end of a band to the next
            if band_of[i + 1] != band_of[i] and i in self.srcs[i]:
                c, (x0, x1, ay) = columns[i], ops[i]
                y0 = c.panels[0].grid.y + 6 * zoom
                below = columns[i + 1].label_y - LABEL_PX * zoom - 14
                points = ((c.x + c.width + 6, y0), (c.x + c.width + 20, y0), (c.x + c.width + 20, below))
                points += ((wrap_x, below), (wrap_x, ay), (x1, ay))
                connectors.append(Connector(i, points))
        equation_y = y - 6 + EQUATION_PX * zoom
        counter = max(text_width(t, small) for t in self._counters())
        strip_w = 2 * PAD + max(text_width(t, EQUATION_PX * zoom) for t in self.strip)
        content = max(right + PAD + 20, strip_w)

        def title_w(px: float) -> float:
            return PAD + text_width(self.s.title, px * zoom, True) + 2 * GAP + counter + PAD

        def caption_w(px: float) -> float:
            return 2 * PAD + text_width(self.s.caption or "", px * zoom)

        # a long title or caption is set smaller (down to SMALL_PX) rather than widening the
        # picture: text that grows with zoom would otherwise never become legible (zoom diverges)
        title_px = next((px for px in range(TITLE_PX, SMALL_PX, -1) if title_w(px) <= content), SMALL_PX)
        caption_px = next(
            (px for px in range(CAPTION_PX, SMALL_PX, -1) if caption_w(px) <= content), SMALL_PX
        )
        width = max(content, title_w(title_px), caption_w(caption_px))
        return NetworkLayout(
            width=int(-(-width // 2) * 2),
            height=int(-(-(equation_y + 6 + PAD) // 2) * 2),
            zoom=zoom,
            title_y=title_y,
            caption_y=caption_y,
            title_px=title_px,
            caption_px=caption_px,
            columns=tuple(columns),
            ops=tuple(ops),
            connectors=tuple(connectors),
            equation_y=equation_y,
        )

    def _place(
        self, j: int, band: int, x: float, top: float, label_y: float, cell: float, width: float, zoom: float
    ) -> Column:
        """Map j's column: its panels down from ``top``, each under its label (none: a folded map)."""
        if j in self.folded:
            return Column(j, band, x, 0.0, (), 0, top, top, label_y)
        small = SMALL_PX * zoom
        _, h, w = self.values[j].shape
        panels, py = [], top
        for c in self.slots[j]:
            py += small + 4
            panels.append(Panel(Grid(x, py, h, w, cell), c, self.channel_name(j, c)))
            py += h * cell + PANEL_GAP
        more = self.values[j].shape[0] - len([c for c in self.slots[j] if c is not None])
        more_y = py + small
        bottom = more_y + 6 if more else py - PANEL_GAP
        return Column(j, band, x, width, tuple(panels), more, more_y, bottom, label_y)

    def _arrow_y(self, i: int, columns: list[Column], zoom: float) -> float:
        """Stage i's arrow: by the top of the map it makes, under its operation's lines."""
        col = columns[i + 1]
        top = col.label_y + (SMALL_PX + 4) * zoom + 12
        lines = len(self.op_text(i)) * (SMALL_PX + 4) * zoom + 4
        return max(col.panels[0].grid.y + 6 * zoom, top + lines)

    def _skip(
        self,
        j: int,
        i: int,
        band: int,
        band_of: list[int],
        lane: float,
        columns: list[Column],
        ops: list[tuple[float, float, float]],
        zoom: float,
    ) -> list[Connector]:
        """Skip (map j → stage i) in one band: the whole line when both ends are in it, else the
        end that is, named after the other."""
        names = f"{self.names[j]} \u2192 {self.names[i + 1]}"
        out = []
        if band_of[j] == band:
            col = columns[j]
            sx = col.x + min(col.width, col.panels[0].grid.cols * col.panels[0].grid.cell) / 2
            start = ((sx, col.bottom + 2), (sx, lane))
            if band_of[i + 1] != band:
                stub = (*start, (sx + 60 * zoom, lane))
                text = f"{names} (next row)"
                wide = text_width(text, grown(SMALL_PX, zoom))
                end = max(c.x + c.width for c in columns if c.row == band)
                x = sx + 6 if sx + 6 + wide <= end or sx - 6 - wide < PAD else sx - 6 - wide
                return [Connector(i, stub, text, (x, lane - 6 - 2 * zoom))]
            out = [start]
        d = self.shown(i)  # where stage i's operation is written
        if band_of[i + 1] == band and len(ops) > d:
            x0, x1, _ = ops[d]
            ex = (x0 + x1) / 2
            ey = max(c.bottom for c in columns if c.map in (i, d + 1) and c.row == band) + 4
            if out:
                (sx, _), _ = out[0]
                return [Connector(i, (*out[0], (ex, lane), (ex, ey)), names, (sx + 6, lane - 6 - 2 * zoom))]
            return [self._from_stub(i, j, ex, ey, lane, zoom)]
        return []

    def _from_stub(self, i: int, j: int, ex: float, ey: float, lane: float, zoom: float) -> Connector:
        """The end of skip (map j → stage i) in the band of stage i, named "from <map j>": the
        name left of the line up to the operation, or right of it when the band's left edge is
        too near (the first operation of a band: the name would leave the picture)."""
        text = f"from {self.names[j]}"
        wide = text_width(text, grown(SMALL_PX, zoom))
        x = ex - 6 - wide if ex - 6 - wide >= PAD else ex + 6
        start = max(PAD, min(ex - 60 * zoom, x))
        return Connector(i, ((start, lane), (ex, lane), (ex, ey)), text, (x, lane - 6 - 2 * zoom))

    # ------------------------------------------------------------------ assembly

    def frames(self) -> Frames:
        """The display list, with the numbers of a sample of cells (see ``details``) and of any
        cell (``any_cell``)."""
        self._chrome()
        for j in range(len(self.values)):
            self._column(j)
        for i in range(len(self.stages)):
            self._stage(i)
        self._skip_lines()
        self._strip()
        lay = self.layout
        out = lay.columns[-1].panels[0].grid
        maps = tuple(
            MapGrid(c.map, p.channel, p.grid) for c in lay.columns for p in c.panels if p.channel is not None
        )
        frames = self.assemble(self.s.title, (lay.width, lay.height), self._infos(), out, maps=maps)
        details = self.details()
        return dataclasses.replace(
            frames, details=details, detail_note=self.detail_note(details), cells=self.any_cell(len(details))
        )

    def _stage_cells(self) -> tuple[StageCells, ...]:
        """Each stage's taps and labels, the convolutions' in order while their weights fit
        ``WEIGHT_BUDGET`` (a 512-channel layer has millions: labelling them took minutes and
        tens of MB); a stage past it is written as its value and operation."""
        out, left = [], WEIGHT_BUDGET
        for st, src in zip(self.stages, self.srcs, strict=True):
            if len(src) != 1:
                out.append(StageCells(-1))
                continue
            n = st.kernel.values.size if st.operation in WINDOW_OPS else 0
            if n > left:
                out.append(StageCells(src[0]))
                continue
            left -= n
            out.append(stage_cells(st, src[0], self.values[src[0]].shape[1:]))
        return tuple(out)

    def _cells(self) -> AnyCell:
        """Every map's values as written and shipped, each stage's taps, the recipes (built once:
        the step pictures read them too)."""
        if self._anycell is None:
            maps = tuple(
                written(v, decimals_needed(v), f) if self.render.number_format is None else None
                for v, f in zip(self.values, self.fmts, strict=True)
            )
            conv = [
                (i, src)
                for i, (st, src) in enumerate(zip(self.stages, self.srcs, strict=True))
                if st.operation in WINDOW_OPS
            ]
            maps = shipped(maps, self.srcs, {i + 1 for i, _ in conv} | {src[0] for _, src in conv})
            stages = self._stage_cells()
            ops = [
                f"{self.stage_lines(i)[0]} of {', '.join(self.names[m] for m in dict.fromkeys(self.srcs[i]))}"
                for i in range(len(self.stages))
            ]
            self._anycell = AnyCell(self.names, maps, stages, recipes(self.names, stages, maps, ops))
        return self._anycell

    def any_cell(self, sampled: int = 0) -> AnyCell:
        """Every map's values as written and each stage's taps and recipe: the player writes any
        cell's text from them (``network_cells``), and draws any cell's step from the stage's step
        picture (``step_picture``); a map written with a format spec (not decimals) is left to
        the sampled details."""
        cells = self._cells()
        pictures = tuple(self.step_picture(i) for i in range(len(self.stages)))
        left = [self.names[j] for j, m in enumerate(cells.maps) if m is None]
        drawn = [self.names[i + 1] for i, p in enumerate(pictures) if p is not None]
        others = [
            self.names[i + 1]
            for i, st in enumerate(self.stages)
            if st.operation in WINDOW_OPS and pictures[i] is None
        ]
        note = (
            "every cell of every map" if not left else f"every cell but those of {', '.join(left)}"
        ) + " has its numbers: point at one or choose it above"
        if drawn:
            note += (
                f"; any cell of {', '.join(drawn)} also shows the layer view's picture of its step "
                "(its window as its map writes it, its filter, its bias, the value the model computed)"
            )
        if others:
            note += (
                f"; of {', '.join(others)} (more than {MOST_PLANES} input planes or {MOST_GROUPS} groups, "
                f"or past the page's budget) only the {count(sampled, 'sampled cell')} (each drawn "
                "channel's centre and largest value) show it"
            )
        if left:
            note += f" (the page has no room for the values of {', '.join(left)}: the nearest sampled cell)"
        return dataclasses.replace(cells, note=note, pictures=pictures)

    # ------------------------------------------------------------------ a cell's numbers

    def sampled(self, j: int) -> list[tuple[int, int, int]]:
        """The cells of map j whose numbers are shipped: in each drawn channel, its centre and
        its largest magnitude (the page cannot compute the others: it has pictures, not numbers)."""
        values, cells = self.values[j], []
        _, h, w = values.shape
        for c in self.slots[j]:
            if c is None:
                continue
            peak = np.unravel_index(int(np.argmax(np.abs(values[c]))), (h, w))
            for r, col in ((h // 2, w // 2), (int(peak[0]), int(peak[1]))):
                if (c, r, col) not in cells:
                    cells.append((c, r, col))
        return cells

    def details(self) -> tuple[CellDetail, ...]:
        """The sampled cells' details; a stage with a step picture draws its cells' pictures in
        the player, so theirs are not shipped."""
        out = []
        for j in range(1, len(self.values)):
            pictured = self.step_picture(j - 1) is not None
            for cell in self.sampled(j):
                out.append(self.detail(j, cell, picture=not pictured))
        return tuple(out)

    def detail(self, j: int, cell: tuple[int, int, int], picture: bool = True) -> CellDetail:
        """Cell ``cell`` = (channel, row, col) of map j: for a convolution, the layer view's
        drawing of the one step that computes it (its window in each input channel, the weights,
        the sums, the bias, the value); else its value and the operation. A stage with a step
        picture draws the window as its map writes it and the value as the model computed it
        (written too), on the stage's picture's layout: what the player draws for any cell."""
        i, st = j - 1, self.stages[j - 1]
        c, r, col = cell
        where = f"{self.names[j]}[{c}][{r},{col}]"
        label = f"{self.names[j]} ch {c} ({r}, {col})"
        src = self.srcs[i]
        win = window(st, self.values[src[0]], cell) if len(src) == 1 else None
        if win is None:
            reads = ", ".join(self.names[m] for m in dict.fromkeys(src))
            text = f"{where} = {self.fmts[j](self.values[j][cell])}: {self.stage_lines(i)[0]} of {reads}"
            return CellDetail(j, c, r, col, label, text)
        if self.step_picture(i) is not None:
            text = cell_text(self._cells(), j, cell) + self._stepping(j)
            if not picture:
                return CellDetail(j, c, r, col, label, text)
            frames, frame = self._step(j, cell)
            return CellDetail(j, c, r, col, label, text, frames, frame)
        one = self.one_step(win, [self.channel_name(src[0], p) for p in win.planes], where, i)
        builder = LayerBuilder(one, one.computations[0])
        drawing = builder.frames()
        # the value the model computed (the map's): the one-step layer sums in its own order
        value = float(self.values[j][cell])
        vals = dataclasses.replace(builder.vals, output=np.array([value]))
        equation = ls.text(("le", 0), vals).split(" = ", 1)[1]  # its cell is out[0][0,0]
        text = f"{where} = {builder.fmt_out(value)}: {equation}{self._stepping(j)}"
        return CellDetail(j, c, r, col, label, text, drawing, builder.at(0))

    def _stepping(self, j: int) -> str:
        """How to step through map j's stage in the layer view, when it is small enough."""
        if not steppable(self.stages[j - 1]):
            return ""
        return f' (step through {self.names[j]} in the layer view: .stage_view("{self.names[j]}"))'

    def step_picture(self, i: int) -> StepPicture | None:
        """Stage i's one-step layer picture, editable, laid out for any cell of its map (the
        stage's ranges), which the player redraws for the cell picked (a grouped one's: a picture
        a group, at most MOST_GROUPS): for a convolution whose weights the page carries, reading
        at most MOST_PLANES planes, whose map and the map it reads are written as integers, while
        the page has room (``_step_pictures``);
        else None (its cells keep their text and their sampled pictures)."""
        if self._pictures is None:
            self._pictures = self._step_pictures()
        return self._pictures[i]

    def _step_pictures(self) -> tuple[StepPicture | None, ...]:
        """Every stage's step picture, stage by stage while the page has room: what the maps
        leave of ``BUDGET``, each picture costing its weights (packed) and ``PICTURE_BYTES``."""
        cells, out = self._cells(), []
        left = BUDGET - sum(len(m.packed) for m in cells.maps if m is not None)
        for i, (st, sc) in enumerate(zip(self.stages, cells.stages, strict=True)):
            tp = sc.taps
            ok = (
                tp is not None
                and tp.groups <= MOST_GROUPS
                and tp.weights.shape[1] <= MOST_PLANES
                and cells.maps[sc.source] is not None
                and cells.maps[i + 1] is not None
            )
            bias = None if st.bias is None else np.asarray(st.bias, dtype=np.float64)
            shots = tp.groups if ok and tp is not None else 0
            cost = len(floats(tp.weights, bias)[1]) + PICTURE_BYTES * shots if shots else 0
            if not ok or tp is None or cost > left:
                out.append(None)
                continue
            # a picture a group: its planes are named after the input channels the group reads
            c, h, w = self.values[i + 1].shape
            shots = [self._step(i + 1, (g * c // tp.groups, h // 2, w // 2)) for g in range(tp.groups)]
            (frames, frame), others = shots[0], tuple(f for f, _ in shots[1:])
            editable = all(f.layer is not None for f, _ in shots)
            out.append(StepPicture(frames, frame, tp.weights, bias, others) if editable else None)
            left -= cost if editable else 0
        return tuple(out)

    def _step(self, j: int, cell: tuple[int, int, int]) -> tuple[Frames, int]:
        """The one-step layer picture of cell ``cell`` of map j, on its stage's layout: the window
        as the map it reads writes it, the value as map j writes it, the stage's ranges."""
        i, src = j - 1, self.srcs[j - 1][0]
        win = window(self.stages[i], self._written(src), cell)
        assert win is not None
        name = f"{self.names[j]}: one cell's step in the layer view"
        one = self.one_step(win, [self.channel_name(src, p) for p in win.planes], name, i, exact=False)
        comp = one.computations[0]
        comp = dataclasses.replace(comp, output=np.array([[[self._written(j)[cell]]]]))
        ranges = ls.ranges(self._written(src), self._cells().stages[i].taps.weights, self.stages[i].bias)
        builder = LayerBuilder(one, comp, ranges=ranges, partial=True)
        return builder.frames(), builder.at(0)

    def _written(self, j: int) -> np.ndarray:
        """Map j's values as it writes them (its written integers / 10^decimals, in float64:
        what the player reads, bit for bit); the last two kept (a stage's input and output: the
        pictures go stage by stage, and every map at once would double a big network's memory)."""
        if j not in self._as_written:
            m = self._cells().maps[j]
            assert m is not None
            if len(self._as_written) >= 2:
                del self._as_written[next(iter(self._as_written))]
            self._as_written[j] = m.ints / 10.0**m.decimals
        return self._as_written[j]

    def one_step(self, win: Window, names: list[str], where: str, i: int, exact: bool = True) -> Illustration:
        """The layer of one step that computes the window's cell: the window as its image, the
        cell's filter as its kernel (what the layer view draws); titled "``where``: one step of
        the layer view" (``exact``), else ``where``."""
        keys = step_keys(win)
        stage = parse_stage(keys, "", win.values.shape[1:], win.values.shape[0])
        stage = dataclasses.replace(
            stage, name="conv2d", inputs=("input",), input_channels=(stage.in_channels,)
        )
        values = np.array(win.values)
        values.setflags(write=False)
        return Illustration(
            title=f"{where}: one step of the layer view" if exact else where,
            caption=f"{self.stage_lines(i)[0]}: the window it reads in each input channel (padding as "
            "read), the weights, the sums, the bias",
            image=Image(values, None, tuple(names), layered=True),
            stages=(stage,),
            render=dataclasses.replace(self.render, view=None, cell_px=None, values=None),
            timing=Timing(),
            name="detail",
        )

    def detail_note(self, details: tuple[CellDetail, ...]) -> str:
        per = max(1, len(details) // max(1, len(self.stages)))
        return (
            f"numbers shipped for {count(len(details), 'sampled cell')} (about {per} a map: each drawn "
            "channel's centre and largest value); pointing elsewhere shows the nearest of them"
        )

    # ------------------------------------------------------------------ parts

    def _chrome(self) -> None:
        lay, ink, muted = self.layout, self.theme.ink, self.theme.muted
        self.add(Text(PAD, lay.title_y, self.s.title, lay.px(lay.title_px), ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", lay.px(lay.caption_px), muted, "start"))
        x = lay.width - PAD
        for k, text in enumerate(self._counters()):
            self.add(Text(x, lay.title_y, text, lay.px(SMALL_PX), muted, "end"), k, k)

    def _counters(self) -> list[str]:
        n = len(self.stages)
        return [count(n, "stage")] + [f"stage {i + 1} / {n}" for i in range(n)] + ["done"]

    def _column(self, j: int) -> None:
        """Map j's labels and panels: the image's from the start, a stage's hatched until its
        frame (a folded map's: none)."""
        lay, col = self.layout, self.layout.columns[j]
        if j in self.folded:
            return
        small, ink, muted = lay.px(SMALL_PX), self.theme.ink, self.theme.muted
        self.add(Text(col.x, col.label_y, self.map_title(j), lay.px(LABEL_PX), ink, "start"))
        self.add(Text(col.x, col.label_y + small + 4, self.map_shape(j), small, muted, "start"))
        values, scale = self.values[j], self.scales[j]
        for p in col.panels:
            g = p.grid
            w, h = g.cols * g.cell, g.rows * g.cell
            self.add(Text(g.x, g.y - 4, p.label, small, muted, "start"))
            if j:
                self.add(Rect(g.x, g.y, w, h, fill=self.theme.background), 0, j - 1)
                self.add(Hatch(g.x, g.y, w, h, self.theme.hatch), 0, j - 1)
            if p.channel is None:
                colours = photo_colours(values)
            else:
                colours = np.array(scale(values[p.channel]), dtype=object).reshape(values.shape[1:])
            self._picture(g, colours, j)
            self.add(Rect(g.x, g.y, w, h, stroke=self.theme.grid_line, width=1))
        if col.more:
            self.add(Text(col.x, col.more_y, self.more_text(j), small, muted, "start"))

    def _picture(self, g: Grid, colours: np.ndarray, first: int) -> None:
        """A plane of colours ("#rrggbb") as one picture over its grid, a cell a pixel: one shape,
        not a rectangle a cell (a 224×224 map would be tens of thousands)."""
        names, index = np.unique(colours.astype(str), return_inverse=True)
        rgb = np.array([[int(c[k : k + 2], 16) for k in (1, 3, 5)] for c in names], np.uint8)
        pixels = rgb[index.reshape(colours.shape)]
        self.add(Picture.of(g.x, g.y, g.cols * g.cell, g.rows * g.cell, pixels), first)

    def _stage(self, i: int) -> None:
        """Stage i's operation in its gap, the arrow from the map just before it when it reads
        that map (in the same band), and on its frame the stage framed and the maps it reads
        outlined."""
        lay = self.layout
        x0, x1, y = lay.ops[i]
        small = lay.px(SMALL_PX)
        lines, run = self.op_text(i), self.run(i)
        if i == run[-1]:  # a run's operations are written once, each one's first line in ink
            firsts = [m == 0 for k in run for m in range(len(self.stage_lines(k)))]
            for n, (line, first) in enumerate(zip(lines, firsts, strict=True)):
                colour = self.theme.ink if first else self.theme.muted
                ty = y - 8 - (len(lines) - 1 - n) * (small + 4)
                self.add(Text((x0 + x1) / 2, ty, line, small, colour, "middle"))
            if run[0] in self.srcs[run[0]] and lay.columns[run[0]].row == lay.columns[i + 1].row:
                self._arrow(((x0, y), (x1, y)), self.theme.muted, 0, self.last)
        frame = i + 1
        hl = self.theme.highlight
        top = y - 8 - len(lines) * (small + 4)
        self.add(Rect(x0 - 2, top, x1 - x0 + 4, y + 8 - top, stroke=hl, width=2.5), frame, frame)
        self._frame_column(lay.columns[self.shown(i) + 1], hl, 3.0, frame)
        for j in dict.fromkeys(self.srcs[i]):
            self._frame_column(lay.columns[j], hl, 1.5, frame)

    def _frame_column(self, col: Column, colour: str, width: float, frame: int) -> None:
        if not col.panels:  # a folded map: its run's operation is framed
            return
        top = col.panels[0].grid.y - 6 - self.layout.px(SMALL_PX)
        right = col.x + col.width
        self.add(
            Rect(col.x - 5, top, right - col.x + 10, col.bottom + 5 - top, stroke=colour, width=width),
            frame,
            frame,
        )

    def _arrow(self, points: tuple[tuple[float, float], ...], colour: str, first: int, last: int) -> None:
        width = max(1.5, 1.5 * self.layout.zoom)
        self.add(Line(points, colour, width), first, last)
        (ax, ay), (bx, by) = points[-2], points[-1]
        length = math.hypot(bx - ax, by - ay) or 1.0
        ux, uy = (bx - ax) / length, (by - ay) / length
        a = ARROW * self.layout.zoom
        head = ((bx - a * ux - a * 0.6 * uy, by - a * uy + a * 0.6 * ux), (bx, by))
        self.add(
            Line((*head, (bx - a * ux + a * 0.6 * uy, by - a * uy - a * 0.6 * ux)), colour, width),
            first,
            last,
        )

    def _skip_lines(self) -> None:
        """The connectors: skips down from under the map they leave, along their lane, up to the
        operation that reads them, named on the lane; the main flow's wrap between bands. Each
        is lit on its stage's frame."""
        small = self.layout.px(SMALL_PX)
        for con in self.layout.connectors:
            self._arrow(con.points, self.theme.muted, 0, self.last)
            self._arrow(con.points, self.theme.highlight, con.stage + 1, con.stage + 1)
            if con.text:
                self.add(Text(*con.at, con.text, small, self.theme.muted, "start"))

    # ------------------------------------------------------------------ text

    def _strip_texts(self) -> list[str]:
        stages = count(len(self.stages), "stage")
        first = f"{stages}: input {self.map_shape(0)} \u2192 output {self.map_shape(-1)}"
        texts = [first]
        for i in range(len(self.stages)):
            reads = ", ".join(self.names[j] for j in dict.fromkeys(self.srcs[i]))
            texts.append(
                f"{i + 1}. {self.names[i + 1]} = {'; '.join(self.stage_lines(i)[:1])} of {reads} "
                f"\u2192 {self.map_shape(i + 1)}"
            )
        out, fmt = self.values[-1], self.fmts[-1]
        texts.append(f"output {self.map_shape(-1)}: min {fmt(out.min())}, max {fmt(out.max())}")
        return texts

    def _strip(self) -> None:
        if not self.render.equation:
            return
        lay = self.layout
        for k, text in enumerate(self.strip):
            self.add(Text(PAD, lay.equation_y, text, lay.px(EQUATION_PX), self.theme.ink, "start"), k, k)

    def _infos(self) -> tuple[FrameInfo, ...]:
        t = self.s.timing
        texts = self._strip_texts()
        infos = [FrameInfo(t.poster_ms, None, None, f"poster: {texts[0]}")]
        for i in range(len(self.stages)):
            infos.append(FrameInfo(max(t.step_ms, STAGE_MS), None, None, texts[i + 1]))
        infos.append(FrameInfo(t.final_ms, None, None, f"done: {texts[-1]}"))
        return tuple(infos)
