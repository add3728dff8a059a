"""Frames of a chain of stages, or of a big picture: every map side by side with its size, each
stage animated in turn on its pair of maps, the cells small (a picture) and a zoomed inset in
which the window and its numbers stay readable. Big stages fill progressively (see timeline)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import style
from ..display import FrameInfo, Frames, Grid, Hatch, Item, Line, MapGrid, Rect, Text
from ..graph import is_chain, map_names, sources
from ..kernels import weight_label
from ..layout import CAPTION_PX, EQUATION_PX, LABEL_PX, PAD, SMALL_PX, TITLE_PX, legible_px
from ..model import Illustration
from ..numfmt import formatter
from ..stage import Stage
from ..steps import Computation, Map, Pool, Sample, Scatter, Step
from ..textsize import text_width
from ..timeline import Beat, plan
from ..words import count
from . import labels as lab
from . import operations as ops
from . import signal_words as words
from .base import BASELINE, COUNTER_PX, MIN_VALUE_PX, Collector, averages_values, fit
from .scaling import grown, unit

OP_CELL = 22  #: least cell size of the kernels drawn between the maps
MAX_OP_CELL = 48  #: beyond this a kernel's weights are not written (its cells stay plain)
ZOOM_CELL = 30  #: cell size of the zoomed inset
GAP = 16
TARGET_WIDTH = 1500
MAX_MAP_HEIGHT = 380


@dataclass(frozen=True)
class ChainLayout:
    width: int
    height: int
    cell: int
    maps: tuple[Grid, ...]
    ops: tuple[tuple[float, float, float], ...]  #: per stage: panel left x, width, top y of its box
    label_y: float
    caption_y: float | None
    zoom: Grid  #: where the inset's top-left cell goes (its rows/cols are the largest needed)
    equation_y: float


def frame_plan(scenario: Illustration) -> list[Beat]:
    """Every stage's frames, in order (the same arithmetic Illustration.n_frames counts)."""
    return plan(scenario.stages, scenario.timing.detail_steps)


class ChainBuilder(Collector):
    """Collects the items of a chain's (or a big picture's) frames in drawing order."""

    def __init__(self, scenario: Illustration) -> None:
        self.s, self.render = scenario, scenario.render
        # the map each stage reads (its first, for cat and add): in a chain, the one before it
        self.src = tuple(src[0] for src in sources(scenario.stages))
        self.chain = is_chain(scenario.stages)
        self.map_names = map_names(scenario.stages)
        self.comps: tuple[Computation, ...] = scenario.computations
        self.values = self._maps()
        self.plan = frame_plan(scenario)
        self.last = len(self.plan) + 1
        self.items: list[Item] = []
        self.scales = self._scales()
        self.fmts = self._formats()
        self.op_cell = OP_CELL
        self.layout = self._layout()
        self._legible_kernels()
        c, k = self.layout.cell, self.render.scale  # values in cells: sized in final pixels
        least = max(MIN_VALUE_PX, legible_px(self.layout.width, self.layout.height) * k)  # projected
        self.value_px = (
            None
            if self.render.values is False
            else fit(max(self._samples(), key=len), c * k, min(13.0 * k, 0.36 * c * k * min(k, 1.5)), least)
        )
        if self.value_px is None and self.render.values is True:
            self.value_px = least
        self.value_px = None if self.value_px is None else unit(self.value_px, k)
        self.stroke = max(1.5, round(c * 0.12, 1))

    # ------------------------------------------------------------------ setup

    def _legible_kernels(self) -> None:
        """Kernel cells large enough that their weights stay legible once the picture is projected
        (see layout.legible_px); the picture is laid out again with them."""
        labels = [t for st in self.s.stages if st.kernel is not None for row in st.kernel.labels for t in row]
        if not labels:
            return
        widest = max(text_width(t, SMALL_PX) for t in labels) / SMALL_PX  # per px of font size
        for _ in range(3):  # bigger kernels make a bigger picture: settle in a few rounds
            least = max(SMALL_PX, legible_px(self.layout.width, self.layout.height))
            need = min(MAX_OP_CELL, int(-(-widest * least // 0.86)) + 2)
            if need <= self.op_cell:
                return
            self.op_cell = need
            self.layout = self._layout()

    def _maps(self) -> list[np.ndarray]:
        """The values of every map drawn: the input, then each stage's output (one plane each)."""
        return [self.s.image.values[0]] + [c.output[0] for c in self.comps]

    def _scales(self) -> list[style.ColourScale]:
        """The input's scale; a stage that keeps values in range shares it, others get their own."""
        first = style.scale_for(self.values[0], self.render.colormap)
        scales = [first]
        for i, (stage, out) in enumerate(zip(self.s.stages, self.values[1:], strict=True)):
            keeps = stage.operation in ("max_pool2d", "avg_pool2d", "upsample", "relu", *ops.KEEPS_RANGE) or (
                stage.kernel is not None and style.averages(stage.kernel.plane)
            )
            if keeps:
                scales.append(scales[self.src[i]])
            else:
                signed = bool(out.min() < 0)
                cmap = style.DIVERGING if signed else self.render.colormap
                scales.append(style.scale_for(out, cmap, symmetric=signed))
        return scales

    def _formats(self) -> list[Callable[[float], str]]:
        fmts, whole = [], True
        for i, values in enumerate(self.values):
            if i:
                whole = whole and not averages_values(self.s.stages[i - 1])
            fmts.append(formatter(self.render.number_format, values, least=0 if whole else 1))
        return fmts

    def _samples(self) -> list[str]:
        return [
            fmt(v) for fmt, vals in zip(self.fmts, self.values, strict=True) for v in (vals.min(), vals.max())
        ]

    def _layout(self) -> ChainLayout:
        stages = self.s.stages
        panel_w = [
            max(self._op_width(st), *(text_width(t, SMALL_PX) for t in self._op_labels(st))) + 8
            for st in stages
        ]
        map_labels = [self._map_labels(i) for i in range(len(self.values))]
        fixed = 2 * PAD + sum(panel_w) + 2 * GAP * len(stages)
        cols = sum(v.shape[1] for v in self.values)
        cell = (TARGET_WIDTH - fixed) // cols
        k = self.render.scale
        auto = int(max(4, min(40, cell, MAX_MAP_HEIGHT // max(v.shape[0] for v in self.values))))
        cell = unit(self.render.cell_px or grown(auto, k), k)
        y = PAD + TITLE_PX
        caption_y = None
        if self.s.caption:
            y += 8 + CAPTION_PX
            caption_y = y
        label_y = y + 14 + LABEL_PX
        top = label_y + 6 + SMALL_PX + 4
        maps, ops, x = [], [], PAD
        height = max(v.shape[0] for v in self.values) * cell
        for i, values in enumerate(self.values):
            c = self._result_cell(cell) if i == len(self.values) - 1 else cell
            w = max(values.shape[1] * c, max(text_width(t, LABEL_PX) for t in map_labels[i]))
            maps.append(Grid(x, top, values.shape[0], values.shape[1], c))
            x += w + GAP
            if i < len(stages):
                box_h = self._op_height(stages[i])
                ops.append((x, panel_w[i], top + height / 2 - box_h / 2 + 6 * SMALL_PX / 4))
                x += panel_w[i] + GAP
        zoom_rows, zoom_cols = self._zoom_shape()
        widest = max(text_width(t, SMALL_PX) for t in self._samples())
        zoom_cell = int(min(64, max(ZOOM_CELL, widest / 0.8 + 4)))
        height = max(height, *(g.rows * g.cell for g in maps))
        side = (
            zoom_cols * zoom_cell + 12 + text_width(self._zoom_label(len(self.values) - 1, 99, 99), SMALL_PX)
        )
        if x + GAP + side + PAD <= TARGET_WIDTH:  # room on the right: the slide's width, not its height
            zoom = Grid(x + GAP, top + 24, zoom_rows, zoom_cols, zoom_cell)
            bottom = max(top + height, zoom.y + zoom_rows * zoom_cell)
            x += GAP + side + GAP
        else:
            zoom = Grid(PAD, top + height + 46, zoom_rows, zoom_cols, zoom_cell)
            bottom = zoom.y + zoom_rows * zoom_cell
        equation_y = bottom + 18 + EQUATION_PX
        counters = [self._counter(b) for b in self.plan] or [""]
        counter_w = max(text_width(t, COUNTER_PX) for t in counters)
        width = max(x - GAP + PAD, PAD + text_width(self.s.title, TITLE_PX, True) + 2 * GAP + counter_w + PAD)
        return ChainLayout(
            width=int(-(-width // 2) * 2),
            height=int(-(-(equation_y + 6 + PAD) // 2) * 2),
            cell=cell,
            maps=tuple(maps),
            ops=tuple(ops),
            label_y=label_y,
            caption_y=caption_y,
            zoom=zoom,
            equation_y=equation_y,
        )

    def _result_cell(self, cell: int) -> int:
        """The result's cell: the result of a chain is never the smallest map on the slide (a
        pyramid's 6×5 is drawn as large as its 48×40 input, a blur's 36×30 as its 40×34 input)."""
        tallest = max(v.shape[-2] for v in self.values[:-1])
        widest = max(v.shape[-1] for v in self.values[:-1])
        h, w = self.values[-1].shape[-2:]
        if self.s.stages[0].rank == 1:  # a strip: as much area as the longest, not its length
            return max(cell, math.ceil(cell * math.sqrt(widest / w)))
        return max(cell, -(-cell * tallest // h), -(-cell * widest // w))

    def _zoom_shape(self) -> tuple[int, int]:
        rows = cols = 3
        for st in self.s.stages:
            kh, kw = st.kernel_size
            rows, cols = max(rows, kh * st.dilation[0] + 2), max(cols, kw * st.dilation[1] + 2)
        return min(rows, 9), min(cols, 9)

    def _op_width(self, st: Stage) -> float:
        c = self.op_cell
        return st.kernel_size[1] * c if not ops.box_only(st) else 2 * OP_CELL

    def _op_height(self, st: Stage) -> float:
        c = self.op_cell
        return st.kernel_size[0] * c if not ops.box_only(st) else OP_CELL

    def _op_labels(self, st: Stage) -> list[str]:
        """One or two short lines over the operation's box (the maps need the room); in a graph
        also the map it reads when that is not the one before it."""
        i = self.s.stages.index(st)
        reads = ops.reads_line(st, self.map_names[i])
        if ops.drawn_here(st):
            return ops.lines(st, self.fmts[i + 1]) + reads
        return self._own_op_labels(st) + reads

    def _own_op_labels(self, st: Stage) -> list[str]:
        op, k = st.operation, words.taps(st.rank, st.kernel_size)
        stride = f"stride {st.stride[-1] if st.rank == 1 else lab.pair(st.stride)}"
        if op in ("max_pool2d", "avg_pool2d"):
            first = f"{'max' if op == 'max_pool2d' else 'mean'}{',' * (st.rank == 1)} {k}"
            return [first] + ([stride] if st.stride != st.kernel_size else [])
        if op == "relu":
            return ["max(0, x)"]
        if op == "upsample":
            return [st.mode, _resize_text(st)]
        name = st.kernel.preset.replace("_", " ") if st.kernel.preset else "kernel"
        if st.rank == 1:
            name = f"{name}, {k}"
        extra = [stride] if st.stride != (1, 1) else []
        if st.flip:
            extra.insert(0, "turned 180\u00b0")
        if any(st.padding):
            extra.append(lab.padding_text(st))
        return [f"{st.op_name if st.rank == 1 else op} {name}", *extra]

    def _map_labels(self, i: int) -> list[str]:
        shape = lab.size(self.values[i].shape)
        if self.s.stages[0].rank == 1:  # a signal: its length, not 1×L
            shape = f"({words.samples(1, self.values[i].shape)})"
        return [f"input {shape}" if i == 0 else f"{i}. {self._map_title(i)} {shape}"]

    def _map_title(self, i: int) -> str:
        """Map i > 0 by its operation in a chain, by its name in a graph (which `inputs` use)."""
        return self.s.stages[i - 1].op_name if self.chain else self.map_names[i]

    # ------------------------------------------------------------------ assembly

    def frames(self) -> Frames:
        self._body()
        width = self.widened()
        if width is not None:  # a text too long for the picture: widen it and draw again
            self.layout = dataclasses.replace(self.layout, width=width)
            self.items = []
            self._body()
        size = (self.layout.width, self.layout.height)
        return self.assemble(self.s.title, size, self._infos(), self._last_grid(), maps=self._map_grids())

    def _map_grids(self) -> tuple[MapGrid, ...]:
        """Where each map's cells are drawn (Frames.maps)."""
        return tuple(MapGrid(i, 0, g) for i, g in enumerate(self.layout.maps))

    def _body(self) -> None:
        self._chrome()
        for i in range(len(self.values)):
            self._map(i)
        for i, st in enumerate(self.s.stages):
            self._op_panel(i, st)
        self._skips()
        for k, beat in enumerate(self.plan, start=1):
            self._beat(k, beat)
        if self.render.values is not False:  # the numbers behind the poster and the result
            self._region_zoom(0, 0, "the input's numbers")
            self._region_zoom(len(self.values) - 1, self.last, "the result's numbers")
        self._strip()

    def _skips(self) -> None:
        """In a graph, a line from each map a stage reads besides the one just before it (a skip
        or residual connection): down under the maps, along them, up to the stage's box, one
        lane each."""
        lanes = [(j, i) for i, src in enumerate(sources(self.s.stages)) for j in dict.fromkeys(src) if j != i]
        if not lanes:
            return
        boxes = [
            (x + w / 2, top + self._op_height(st) + 4)
            for (x, w, top), st in zip(self.layout.ops, self.s.stages, strict=True)
        ]
        lane = max([self._map_anchor(j)[1] for j in range(len(self.values))] + [b for _, b in boxes]) + 8
        spacing = min(8.0, 24 / max(1, len(lanes) - 1))  # the lanes stay in the gap above the zoom
        leaving: dict[int, int] = {}
        entering: dict[int, int] = {}
        for j, i in lanes:  # lines from one map, or into one box, side by side (never on one another)
            (sx, sy), (ox, oy) = self._map_anchor(j), boxes[i]
            sx += 6 * leaving.setdefault(j, 0)
            ox += 6 * entering.setdefault(i, 0)
            leaving[j] += 1
            entering[i] += 1
            self.add(Line(((sx, sy + 3), (sx, lane), (ox, lane), (ox, oy)), self.theme.muted, 1.5))
            lane += spacing

    def _map_anchor(self, j: int) -> tuple[float, float]:
        """Where a skip leaves map j: the middle of its bottom edge."""
        g = self.layout.maps[j]
        return g.x + g.cols * g.cell / 2, g.y + g.rows * g.cell

    def _last_grid(self) -> Grid:
        """Where the last map is drawn (the player's pointer grid)."""
        return self.layout.maps[-1]

    def _chrome(self) -> None:
        lay, ink = self.layout, self.theme.ink
        self.add(Text(PAD, PAD + TITLE_PX, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", CAPTION_PX, self.theme.muted, "start"))
        for i, g in enumerate(lay.maps):
            self.add(Text(g.x, lay.label_y, self._map_labels(i)[0], LABEL_PX, ink, "start"))
        zoom = lay.zoom
        self.add(
            Text(
                zoom.x, zoom.y - 10, "zoom: the window and its numbers", SMALL_PX, self.theme.muted, "start"
            ),
            1,
            self.last - 1,
        )

    def _map(self, i: int) -> None:
        """Map 0 is there from the start; map i > 0 is hatched until its stage fills it."""
        g, values, scale = self.layout.maps[i], self.values[i], self.scales[i]
        c = g.cell
        if i:
            self.add(Rect(g.x, g.y, g.cols * c, g.rows * c, fill=self.theme.background))
            self.add(Hatch(g.x, g.y, g.cols * c, g.rows * c, self.theme.hatch))
            self._fill(i)
        else:
            colours = scale(values)
            for (r, col), v in np.ndenumerate(values):
                self._cell(
                    g, int(r), int(col), v, colours[int(r) * values.shape[1] + int(col)], self.fmts[0], 0
                )
        self.add(Rect(g.x, g.y, g.cols * c, g.rows * c, stroke=self.theme.grid_line, width=1))

    def _cell(
        self, g: Grid, r: int, c: int, v: float, fill: str, fmt: Callable[[float], str], first: int
    ) -> None:
        x, y, size = g.x + c * g.cell, g.y + r * g.cell, g.cell
        line = self.theme.grid_line if size * self.render.scale >= 16 else None
        self.add(Rect(x, y, size, size, fill=fill, stroke=line, width=1), first)
        if self.value_px is not None:
            self.add(
                Text(
                    x + size / 2,
                    y + size / 2 + BASELINE * self.value_px,
                    fmt(v),
                    self.value_px,
                    self.theme.text_on(fill),
                ),
                first,
            )

    def _fill(self, i: int) -> None:
        """Map i's cells, each from the frame whose batch completes it."""
        stage_index = i - 1
        comp, values = self.comps[stage_index], self.values[i]
        colours = self.scales[i](values)
        done = np.zeros(values.shape, int)
        frame_of_step = {}
        for k, beat in enumerate(self.plan, start=1):
            if beat.stage == stage_index:
                for idx in range(beat.first, beat.last + 1):
                    frame_of_step[idx] = k
        for step in comp.steps:
            frame = frame_of_step[step.index]
            if isinstance(step, Map):
                done[:] = frame
            elif isinstance(step, Scatter):
                for r in step.rows.tolist():
                    for c in step.cols.tolist():
                        if 0 <= r < values.shape[0] and 0 <= c < values.shape[1]:
                            done[r, c] = frame  # a cell is complete at its last contribution
            else:
                done[step.out] = frame
        done[done == 0] = max(frame_of_step.values())  # cells no step reaches are 0 once it ends
        for (r, c), v in np.ndenumerate(values):
            r, c = int(r), int(c)
            if done[r, c]:
                self._cell(
                    self.layout.maps[i],
                    r,
                    c,
                    v,
                    colours[r * values.shape[1] + c],
                    self.fmts[i],
                    int(done[r, c]),
                )

    def _op_panel(self, i: int, st: Stage) -> None:
        x, width, top = self.layout.ops[i]
        lines = self._op_labels(st)
        for j, line in enumerate(lines):
            colour = self.theme.ink if j == 0 else self.theme.muted
            y = top - 8 - (len(lines) - 1 - j) * (SMALL_PX + 3)
            self.add(Text(x + width / 2, y, line, SMALL_PX, colour, "middle"))
        box_w, box_h = self._op_width(st), self._op_height(st)
        bx = x + (width - box_w) / 2
        hl, fill = self.theme.highlight, self.theme.kernel_fill
        if st.kernel is not None:
            labels, oc = st.kernel.labels, self.op_cell
            if st.flip:  # true convolution slides the kernel turned 180°: drawn so
                labels = tuple(row[::-1] for row in labels[::-1])
            least = legible_px(self.layout.width, self.layout.height)
            size = fit(max((t for row in labels for t in row), key=len), oc, max(SMALL_PX, least), least)
            for (r, c), _ in np.ndenumerate(st.kernel.plane):
                cx, cy = bx + c * oc, top + r * oc
                self.add(Rect(cx, cy, oc, oc, fill=fill, stroke=hl, width=1))
                if size:
                    self.add(
                        Text(
                            cx + oc / 2,
                            cy + oc / 2 + BASELINE * size,
                            labels[r][c],
                            size,
                            self.theme.text_on(fill),
                        )
                    )
        else:
            self.add(Rect(bx, top, box_w, box_h, fill=fill, stroke=hl, width=1))
            symbol = {"max_pool2d": "max", "avg_pool2d": "mean", "relu": "ReLU"}.get(st.operation)
            if ops.drawn_here(st):
                symbol = ops.symbol(st)
            elif symbol is None:
                symbol = _resize_text(st)
            size = max(SMALL_PX, min(14.0, box_h * 0.5))
            self.add(
                Text(
                    bx + box_w / 2, top + box_h / 2 + BASELINE * size, symbol, size, self.theme.text_on(fill)
                )
            )
        frames = [k for k, b in enumerate(self.plan, start=1) if b.stage == i]
        self.add(Rect(bx - 4, top - 4, box_w + 8, box_h + 8, stroke=hl, width=2.5), frames[0], frames[-1])

    # ------------------------------------------------------------------ a frame

    def _beat(self, k: int, beat: Beat) -> None:
        """The window, the zoom and the output cell of the last step the frame completes."""
        i, comp = beat.stage, self.comps[beat.stage]
        step = comp.steps[beat.last]
        src, dst = self.layout.maps[self.src[i]], self.layout.maps[i + 1]
        hl = self.theme.highlight
        rows, cols = self._footprint(i, step)
        if rows is not None:
            self._outline(src, rows, cols, hl, k)
            self._zoom(self.src[i], rows, cols, k)
        out = getattr(step, "out", None)
        if out is not None:
            self._outline(dst, (out[0], out[0]), (out[1], out[1]), hl, k)

    def _footprint(self, i: int, step: object) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """Rows and columns of map i that the step reads, clipped to the map (padding is not drawn
        in the picture view)."""
        h, w = self.values[self.src[i]].shape[-2:]
        st = self.s.stages[i]
        if isinstance(step, (Step, Pool)):
            top, left = st.padding[0], st.padding[2]
            r0, r1 = int(step.rows[0]) - top, int(step.rows[-1]) - top
            c0, c1 = int(step.cols[0]) - left, int(step.cols[-1]) - left
        elif isinstance(step, Sample):
            rs, cs = [c[0] for c in step.cells], [c[1] for c in step.cells]
            r0, r1, c0, c1 = min(rs), max(rs), min(cs), max(cs)
        elif isinstance(step, Scatter):
            r0 = r1 = step.src[0]
            c0 = c1 = step.src[1]
        else:
            return None, None
        rows, cols = (max(r0, 0), min(r1, h - 1)), (max(c0, 0), min(c1, w - 1))
        if rows[0] > rows[1] or cols[0] > cols[1]:  # a window over padding only
            return None, None
        return rows, cols

    def _outline(
        self, g: Grid, rows: tuple[int, int], cols: tuple[int, int], colour: str, frame: int
    ) -> None:
        c = g.cell
        x, y = g.x + cols[0] * c, g.y + rows[0] * c
        w, h = (cols[1] + 1 - cols[0]) * c, (rows[1] + 1 - rows[0]) * c
        self.add(Rect(x, y, w, h, stroke=colour, width=self.stroke), frame, frame)

    def _zoom(self, i: int, rows: tuple[int, int], cols: tuple[int, int], frame: int) -> None:
        """The window on map i with one cell around it, large, with its numbers."""
        z, values = self.layout.zoom, self.values[i]
        h, w = values.shape
        r0, r1 = max(rows[0] - 1, 0), min(rows[1] + 1, h - 1, max(rows[0] - 1, 0) + z.rows - 1)
        c0, c1 = max(cols[0] - 1, 0), min(cols[1] + 1, w - 1, max(cols[0] - 1, 0) + z.cols - 1)
        block = values[r0 : r1 + 1, c0 : c1 + 1]
        self._zoom_cells(i, block, frame)
        x, y = z.x + (cols[0] - c0) * z.cell, z.y + (rows[0] - r0) * z.cell
        ww, hh = (cols[1] - cols[0] + 1) * z.cell, (rows[1] - rows[0] + 1) * z.cell
        self.add(Rect(x, y, ww, hh, stroke=self.theme.highlight, width=3), frame, frame)
        label = self._zoom_label(i, rows, cols)
        self.add(
            Text(
                z.x + block.shape[1] * z.cell + 12,
                z.y + z.cell / 2 + 5,
                label,
                SMALL_PX,
                self.theme.muted,
                "start",
            ),
            frame,
            frame,
        )

    def _zoom_label(self, i: int, rows: tuple[int, int] | int, cols: tuple[int, int] | int) -> str:
        """Where the zoomed window lies: "input[0:5, 19:24]", on a signal "input, samples 2 to 4"
        (an int: a width sample of that size)."""
        r = rows if isinstance(rows, tuple) else (rows, rows)
        c = cols if isinstance(cols, tuple) else (cols, cols)
        where = "input" if i == 0 else f"map {i}"
        if self.s.stages[0].rank == 1:
            return f"{where}, {words.span(c[0], c[1])}"
        return f"{where}[{r[0]}:{r[1] + 1}, {c[0]}:{c[1] + 1}]"

    def _shape(self, values: np.ndarray) -> str:
        """ "12×12", with channels "2×12×12"; a signal's "L = 6" or "2 × 6 samples"."""
        return words.samples(self.s.stages[0].rank, values.shape)

    def _zoom_cells(self, i: int, block: np.ndarray, frame: int) -> None:
        """A block of map i's values, large, with its numbers (one size for the block)."""
        z, fmt = self.layout.zoom, self.fmts[i]
        colours = self.scales[i](block)
        size = fit(max((fmt(v) for v in block.ravel()), key=len), z.cell, SMALL_PX, 6.0) or 6.0
        for (r, c), v in np.ndenumerate(block):
            x, y = z.x + int(c) * z.cell, z.y + int(r) * z.cell
            fill = colours[int(r) * block.shape[1] + int(c)]
            self.add(
                Rect(x, y, z.cell, z.cell, fill=fill, stroke=self.theme.grid_line, width=1), frame, frame
            )
            self.add(
                Text(
                    x + z.cell / 2, y + z.cell / 2 + BASELINE * size, fmt(v), size, self.theme.text_on(fill)
                ),
                frame,
                frame,
            )

    def _region_zoom(self, i: int, frame: int, what: str) -> None:
        """On the poster and the last frame, where no window is drawn: the numbers at the centre of
        map i (the input, the result), marked on the map in the second accent."""
        z, values = self.layout.zoom, self.values[i]
        h, w = values.shape[-2:]
        rows, cols = min(z.rows, h), min(z.cols, w)
        r0, c0 = (h - rows) // 2, (w - cols) // 2
        self._zoom_cells(i, values[r0 : r0 + rows, c0 : c0 + cols], frame)
        src = self.theme.source
        self.add(Rect(z.x, z.y, cols * z.cell, rows * z.cell, stroke=src, width=3), frame, frame)
        self._outline(self.layout.maps[i], (r0, r0 + rows - 1), (c0, c0 + cols - 1), src, frame)
        where = f"rows {r0} to {r0 + rows - 1}, cols {c0} to {c0 + cols - 1}"
        if self.s.stages[0].rank == 1:
            where = words.span(c0, c0 + cols - 1)
        self.add(
            Text(z.x, z.y - 10, f"zoom: {what}, {where}", SMALL_PX, self.theme.muted, "start"), frame, frame
        )

    # ------------------------------------------------------------------ text

    def _strip(self) -> None:
        lay = self.layout
        x = lay.width - PAD
        n = len(self.s.stages)
        self.add(
            Text(x, PAD + TITLE_PX, f"{n} stage{'s' * (n > 1)}", COUNTER_PX, self.theme.muted, "end"), 0, 0
        )
        self.add(Text(x, PAD + TITLE_PX, "done", COUNTER_PX, self.theme.muted, "end"), self.last, self.last)

        def eq(text: str, first: int, last: int) -> None:
            if self.render.equation:
                self.add(Text(PAD, lay.equation_y, text, EQUATION_PX, self.theme.ink, "start"), first, last)

        how = "each map is the next one's input" if self.chain else "each stage reads the maps it names"
        eq(f"{self.s.operations}: {how}", 0, 0)
        for k, beat in enumerate(self.plan, start=1):
            comp = self.comps[beat.stage]
            self.add(Text(x, PAD + TITLE_PX, self._counter(beat), COUNTER_PX, self.theme.muted, "end"), k, k)
            eq(self._equation(beat.stage, comp.steps[beat.last], beat), k, k)
        out, fmt = self.values[-1], self.fmts[-1]
        eq(f"output {self._shape(out)}: min {fmt(out.min())}, max {fmt(out.max())}", self.last, self.last)

    def _counter(self, beat: Beat) -> str:
        st = self.s.stages[beat.stage]
        steps = "step " if beat.first == beat.last else f"steps {beat.first + 1}\u2013"
        return f"{beat.stage + 1}. {st.op_name}: {steps}{beat.last + 1} / {st.n_steps}"

    def _equation(self, i: int, step: object, beat: Beat) -> str:
        st, fin, fout = self.s.stages[i], self.fmts[self.src[i]], self.fmts[i + 1]
        faster = "" if beat.first == beat.last else f"  (+{beat.last - beat.first} more steps in this frame)"
        if isinstance(step, Map) and ops.drawn_here(st):
            return ops.map_equation(st, step, self.map_names)
        if isinstance(step, Map):
            n = int(step.changed[0].sum())
            return f"ReLU: max(0, x) replaces {n} negative value{'s' * (n != 1)} with 0"
        if isinstance(step, Scatter):
            x = fin(step.value)
            return f"input{words.at(st.rank, *step.src)} = {x} adds {x} \u00d7 kernel{faster}"
        a, b = step.out
        head = f"output{words.at(st.rank, a, b)} = "
        if isinstance(step, Pool):
            what = "max" if step.divisor is None else "mean"
            return f"{head}{what} of the window = {fout(step.value)}{faster}"
        if isinstance(step, Sample):
            if len(step.cells) == 1:
                r, c = step.cells[0]
                return f"{head}input{words.at(st.rank, r, c)} = {fout(step.value)}{faster}"
            cells = count(len(step.cells), "sample" if st.rank == 1 else "pixel")
            return f"{head}blend of {cells} = {fout(step.value)}{faster}"
        weights = st.kernel.plane
        first = weight_label(float(weights.flat[0]))
        if np.all(weights == weights.flat[0]):
            return f"{head}{first} \u00b7 (sum of the window) = {fout(step.value)}{faster}"
        return f"{head}\u03a3 kernel \u00b7 window = {fout(step.value)}{faster}"

    def _infos(self) -> tuple[FrameInfo, ...]:
        t = self.s.timing
        infos = [FrameInfo(t.poster_ms, None, None, f"poster: {self.s.operations}")]
        for beat in self.plan:
            st = self.s.stages[beat.stage]
            step = self.comps[beat.stage].steps[beat.last]
            out = getattr(step, "out", None) if len(self.s.stages) == 1 else None
            infos.append(
                FrameInfo(
                    t.step_ms,
                    beat.last,
                    out,
                    f"stage {beat.stage + 1} ({st.op_name}): step {beat.last + 1}/{st.n_steps}",
                )
            )
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {self._shape(self.values[-1])}"))
        return tuple(infos)


def _resize_text(st: Stage) -> str:
    """An upsample's target: "24×24" or "×2"; a signal's "L = 24" or "×2"."""
    if st.rank == 1:
        return f"L = {st.size[1]}" if st.size else f"\u00d7{lab.number(st.scale_factor[1])}"
    return (
        lab.size(st.size) if st.size else "\u00d7" + lab.pair(tuple(lab.number(v) for v in st.scale_factor))
    )
