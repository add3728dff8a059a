"""Frames of a photo or chain with channels: each map as a labelled set of small panels, one per
channel (an RGB photograph also in colour), each stage animated filter by filter with the window
on every plane the step reads, the current filter's planes and bias between the maps, a zoomed
inset with the window in each plane summed, and an equation of the per-channel sums and the bias.

A one-channel chain keeps the plainer picture of :mod:`.chain` (see ``has_channels``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .. import style
from ..display import Grid, Hatch, MapGrid, Rect, Text
from ..elementwise import WHOLE_MAP
from ..filters import plane_labels
from ..layout import CAPTION_PX, EQUATION_PX, LABEL_PX, PAD, SMALL_PX, TITLE_PX, legible_px, projection
from ..model import Illustration
from ..numfmt import MINUS
from ..stage import Stage
from ..steps import Map, Pool, Sample, Scatter, Step, conv_weights
from ..textsize import text_width
from ..timeline import Beat
from ..words import count
from . import operations as ops
from . import signal_words as words
from .base import BASELINE, COUNTER_PX, fit, shorten
from .chain import GAP, ChainBuilder
from .scaling import grown, unit

MAX_PANELS = 8  #: channels of a map drawn in full; the rest are summarised in a line of text
MAX_OP_PLANES = 5  #: planes of the current filter drawn between the maps
MAX_ZOOM = 5  #: planes drawn in the zoomed inset
LAYER_CELL = 28  #: cell of a filter's planes, its weights written in them
SWATCH_CELL = 16  #: cell of a filter's planes drawn as colour (their numbers are in the zoom)
OVERVIEW_CELL = 10  #: smallest cell of the every-filter overview (a plane at least SWATCH_CELL tall)
WEIGHTS_GAP = 18  #: between a window and its weights in the zoom
PANEL_GAP = 8
PANEL_LABEL = SMALL_PX + 4  #: room for a panel's label above it
PHOTO_COLOURS = 48  #: colours of the composite photograph (the GIF palette has 255 for all)
ELLIPSIS = "\u2026"
SIGMA = "\u03a3"
SWATCH_LEGEND = "green +, purple \u2212"  #: how a filter drawn as colour reads (PRGn)


def has_channels(scenario: Illustration) -> bool:
    """Whether the picture is a layer's: a map with more than one channel, or a bias (which the
    one-channel view's equation has no term for)."""
    return any(st.has_channels for st in scenario.stages)


@dataclass(frozen=True)
class Panel:
    """One plane of a map drawn as a small picture; ``channel`` None is the colour composite."""

    grid: Grid
    channel: int | None
    label: str


@dataclass(frozen=True)
class MapPanels:
    """A map's panels, and the line that summarises the channels not drawn."""

    x: float
    panels: tuple[Panel, ...]
    more: int  #: channels not drawn
    more_y: float  #: baseline of the summary line

    def of(self, channel: int) -> Panel | None:
        return next((p for p in self.panels if p.channel == channel), None)


@dataclass(frozen=True)
class LayersLayout:
    width: int
    height: int
    cell: int
    maps: tuple[MapPanels, ...]
    ops: tuple[tuple[float, float, float], ...]  #: per stage: panel left x, width, top y of its box
    label_y: float
    caption_y: float | None
    zoom_y: float  #: top of the zoom blocks
    zoom_cell: int
    zoom_shape: tuple[int, int]
    zoom_step: float  #: from one zoom block to the next
    zoom_blocks: int  #: blocks the zoom has room for
    equation_y: float

    @property
    def grids(self) -> tuple[Grid, ...]:
        """Each map's first panel (what the one-channel picture calls its map)."""
        return tuple(m.panels[0].grid for m in self.maps)


class ChannelChainBuilder(ChainBuilder):
    """Collects the items of a picture with channels in drawing order."""

    def __init__(self, scenario: Illustration) -> None:
        image = scenario.image
        self.rgb = image.channels == 3 and (image.source or "").startswith("file ")
        self.names = [image.names or tuple(f"in[{c}]" for c in range(image.channels))]
        self.names += [tuple(str(c) for c in range(st.out_channels)) for st in scenario.stages]
        self._labels_of: dict[int, list[tuple[tuple[str, ...], ...]]] = {}  #: by id of the stage
        self._written_of: dict[int, bool] = {}
        super().__init__(scenario)

    def _maps(self) -> list[np.ndarray]:
        return [self.s.image.values] + [c.output for c in self.comps]

    # ------------------------------------------------------------------ setup

    def _scales(self) -> list[style.ColourScale]:
        """One scale per map, shared by its channels so that they compare; a stage that keeps
        values in range shares its input's."""
        scales = [style.scale_for(self.values[0], self.render.colormap)]
        for i, (stage, out) in enumerate(zip(self.s.stages, self.values[1:], strict=True)):
            keeps = stage.operation in ("max_pool2d", "avg_pool2d", "upsample", "relu", *ops.KEEPS_RANGE) or (
                stage.kernel is not None
                and stage.operation == "conv2d"
                and all(style.averages(f) for f in stage.kernel.values)
            )
            if keeps:
                scales.append(scales[self.src[i]])
            else:
                signed = bool(out.min() < 0)
                cmap = style.DIVERGING if signed else self.render.colormap
                scales.append(style.scale_for(out, cmap, symmetric=signed))
        return scales

    def _slots(self, i: int) -> list[int | None]:
        """Channels drawn for map i (None: the colour composite of an RGB photograph)."""
        n = self.values[i].shape[0]
        return ([None] if i == 0 and self.rgb else []) + list(range(min(n, MAX_PANELS)))

    def _panel_label(self, i: int, channel: int | None) -> str:
        return "RGB" if channel is None else self.names[i][channel]

    def _more_text(self, i: int) -> str:
        more = self.values[i].shape[0] - MAX_PANELS
        return f"{ELLIPSIS} and {more} more channel{'s' * (more != 1)}" if more > 0 else ""

    def _map_labels(self, i: int) -> list[str]:
        """Two lines: what the map is, and its channels × rows × cols."""
        shape = words.samples(self.s.stages[0].rank, self.values[i].shape)  # a signal: 2 × 12 samples
        return ["input" if i == 0 else f"{i}. {self._map_title(i)}", shape]

    def _layout(self) -> LayersLayout:  # type: ignore[override]
        """Of the arrangements (panels per column) and cell sizes, the one whose maps are largest
        once the picture is scaled to fit the screen, with every text still legible there."""
        most = max(len(self._slots(i)) for i in range(len(self.values)))
        k = self.render.scale  # cells in the builder's units (see scaling)

        def layout(rows: int, auto: int) -> tuple[bool, LayersLayout]:
            lay = self._layout_for(rows, unit(auto if self.render.cell_px else grown(auto, k), k))
            return legible_px(lay.width, lay.height) <= SMALL_PX, lay

        best: tuple[float, LayersLayout] | None = None
        for rows in range(1, most + 1):
            if self.render.cell_px:
                legible, lay = layout(rows, self.render.cell_px)
            else:  # the largest legible cell: a larger cell makes a larger picture
                lo, hi = 2, 40
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    lo, hi = (mid, hi) if layout(rows, mid)[0] else (lo, mid - 1)
                legible, lay = layout(rows, lo)
            score = lay.cell * projection(lay.width, lay.height) - (0 if legible else 1e6)
            if best is None or score > best[0]:
                best = (score, lay)
        assert best is not None
        return best[1]

    def _layout_for(self, rows: int, cell: float) -> LayersLayout:
        """The picture with ``rows`` panels at most in a column and cells of ``cell`` px."""
        stages = self.s.stages
        op_w = [self._op_panel_width(st) for st in stages]
        y = PAD + TITLE_PX
        caption_y = None
        if self.s.caption:
            y += 8 + CAPTION_PX
            caption_y = y
        label_y = y + 14 + LABEL_PX
        top = label_y + SMALL_PX + 4 + 8
        maps, x, bottom = [], PAD, top
        for i in range(len(self.values)):
            c = self._result_cell(cell) if i == len(self.values) - 1 else cell
            m, width = self._place_map(i, x, top, rows, c)
            maps.append(m)
            ends = [p.grid.y + p.grid.rows * c for p in m.panels] + [m.more_y + SMALL_PX + 8] * bool(m.more)
            bottom = max(bottom, *ends)
            x += width + GAP
            if i < len(stages):
                x += op_w[i] + GAP
        ops = []
        for i, st in enumerate(stages):
            x_op = maps[i + 1].x - GAP - op_w[i]
            lines = len(self._op_labels(st))
            box_top = top + (bottom - top) / 2 - self._op_height(st) / 2
            ops.append((x_op, op_w[i], max(box_top, top + 8 + lines * (SMALL_PX + 3))))
            bottom = max(bottom, ops[-1][2] + self._op_height(st))
        zoom_rows, zoom_cols = self._zoom_shape()
        zoom_cell, zoom_step, more_w, least_w = self._fixed_widths()
        zoom_y = bottom + 36 + SMALL_PX + 10 + SMALL_PX
        equation_y = zoom_y + zoom_rows * zoom_cell + 6 + SMALL_PX + 18 + EQUATION_PX
        width = max(x - GAP + PAD, least_w)
        # as many zoom blocks as the maps leave room for (one at least)
        blocks = max(1, min(self._zoom_blocks(), int((width - 2 * PAD - more_w) // zoom_step)))
        width = max(width, 2 * PAD + blocks * zoom_step + more_w)
        return LayersLayout(
            width=int(-(-width // 2) * 2),
            height=int(-(-(equation_y + 6 + PAD) // 2) * 2),
            cell=cell,
            maps=tuple(maps),
            ops=tuple(ops),
            label_y=label_y,
            caption_y=caption_y,
            zoom_y=zoom_y,
            zoom_cell=zoom_cell,
            zoom_shape=(zoom_rows, zoom_cols),
            zoom_step=zoom_step,
            zoom_blocks=blocks,
            equation_y=equation_y,
        )

    def _fixed_widths(self) -> tuple[int, float, float, float]:
        """What no arrangement changes: the zoom's cell, its step from block to block, the width
        of its "… and n more" line, and the least width of the picture (title, counter, caption)."""
        if not hasattr(self, "_fixed"):
            zoom_cols = self._zoom_shape()[1]
            widest = max(text_width(t, SMALL_PX) for t in [*self._samples(), *self._weight_texts()])
            zoom_cell = int(min(64, max(30, widest / 0.8 + 4)))
            weights = self._zoom_weights()
            block_w = zoom_cols * zoom_cell * (2 if weights else 1) + (WEIGHTS_GAP if weights else 0)
            zoom_step = max(block_w, *(text_width(t, SMALL_PX) for t in self._zoom_texts())) + 24
            counters = [self._counter(b) for b in self.plan] or [""]
            counter_w = max(text_width(t, COUNTER_PX) for t in counters)
            title_w = PAD + text_width(self.s.title, TITLE_PX, True) + 2 * GAP + counter_w + PAD
            caption_w = 2 * PAD + text_width(self.s.caption or "", CAPTION_PX)
            more_w = text_width(self._zoom_more(99), SMALL_PX)
            self._fixed = (zoom_cell, zoom_step, more_w, max(title_w, caption_w))
        return self._fixed

    def _col_width(self, i: int, cell: int) -> float:
        labels = [self._panel_label(i, c) for c in self._slots(i)]
        return max(self.values[i].shape[2] * cell, *(text_width(t, SMALL_PX) for t in labels))

    def _map_width(self, i: int, cols: int, cell: int) -> float:
        panels = cols * self._col_width(i, cell) + (cols - 1) * PANEL_GAP
        first, second = self._map_labels(i)
        texts = [
            text_width(first, LABEL_PX),
            text_width(second, SMALL_PX),
            text_width(self._more_text(i), SMALL_PX),
        ]
        return max(panels, *texts)

    def _place_map(self, i: int, x: float, top: float, rows: int, cell: int) -> tuple[MapPanels, float]:
        """Map i's panels in reading order, ``rows`` at most in a column."""
        slots = self._slots(i)
        _, h, w = self.values[i].shape
        col_w, cols = self._col_width(i, cell), math.ceil(len(slots) / rows)
        panels = []
        for j, channel in enumerate(slots):
            row, col = divmod(j, cols)
            px = x + col * (col_w + PANEL_GAP)
            py = top + row * (h * cell + PANEL_LABEL + PANEL_GAP) + PANEL_LABEL
            panels.append(Panel(Grid(px, py, h, w, cell), channel, self._panel_label(i, channel)))
        used = math.ceil(len(slots) / cols) * (h * cell + PANEL_LABEL + PANEL_GAP)
        more = self.values[i].shape[0] - len([c for c in slots if c is not None])
        width = self._map_width(i, cols, cell)
        return MapPanels(x, tuple(panels), more, top + used + SMALL_PX), width

    def _map_grids(self) -> tuple[MapGrid, ...]:
        """Every drawn channel's panel (not the colour composite)."""
        return tuple(
            MapGrid(i, p.channel, p.grid)
            for i, m in enumerate(self.layout.maps)
            for p in m.panels
            if p.channel is not None
        )

    # ------------------------------------------------------------------ the operation panel

    def _layered(self, st: Stage) -> bool:
        return st.kernel is not None

    def _op_labels(self, st: Stage) -> list[str]:
        if not self._layered(st):
            return super()._op_labels(st)
        return self._own_op_labels(st) + ops.reads_line(st, self.map_names[self.s.stages.index(st)])

    def _own_op_labels(self, st: Stage) -> list[str]:
        if not self._layered(st):
            return super()._own_op_labels(st)
        op = "conv" if st.operation == "conv2d" else "conv\u1d40"
        lines = [f"{op} {st.in_channels}\u2192{st.out_channels}, {words.taps(st.rank, st.kernel_size)}"]
        if st.flip:
            lines.append("turned 180\u00b0")
        if st.stride != (1, 1):
            lines.append(f"stride {st.stride[-1] if st.rank == 1 else '×'.join(map(str, st.stride))}")
        if any(st.padding):
            from . import labels as lab

            lines.append(lab.padding_text(st))
        if st.groups > 1:
            lines.append(f"groups {st.groups}")
        if st.kernel_size == (1, 1) and st.operation == "conv2d":
            lines.append("a weighted sum of the channels")
        return lines

    def _filter_planes(self, st: Stage) -> int:
        return min(st.kernel.values.shape[1], MAX_OP_PLANES)

    def _legible_kernels(self) -> None:
        """A layer's filters are written in LAYER_CELL cells or drawn as colour (see _written)."""

    def _weight_labels(self, st: Stage) -> list[tuple[tuple[str, ...], ...]]:
        """Every plane of every filter of ``st`` as written: one format for the whole layer."""
        if id(st) not in self._labels_of:
            self._labels_of[id(st)] = [plane_labels(q, st.kernel.values) for f in st.kernel.values for q in f]
        return self._labels_of[id(st)]

    def _written(self, st: Stage) -> bool:
        """Whether a filter's weights can be written in its planes at a legible size; else the
        planes show them as colour and the zoom writes the numbers beside the window."""
        if id(st) not in self._written_of:
            every = [t for q in self._weight_labels(st) for row in q for t in row]
            widest = max(every, key=lambda t: text_width(t, SMALL_PX))
            self._written_of[id(st)] = fit(widest, LAYER_CELL, SMALL_PX, SMALL_PX) is not None
        return self._written_of[id(st)]

    def _filter_cell(self, st: Stage) -> int:
        return LAYER_CELL if self._written(st) else SWATCH_CELL

    def _zoom_weights(self) -> bool:
        """Whether the zoom writes the weights beside each window (some filter is drawn as colour)."""
        return any(self._layered(st) and not self._written(st) for st in self.s.stages)

    def _weight_texts(self) -> list[str]:
        if not self._zoom_weights():
            return []
        return [
            t
            for st in self.s.stages
            if self._layered(st)
            for q in self._weight_labels(st)
            for r in q
            for t in r
        ]

    def _op_width(self, st: Stage) -> float:
        if not self._layered(st):
            return super()._op_width(st)
        texts = [text_width(t, SMALL_PX) + 8 for t in self._filter_texts(st)]
        return max(st.kernel_size[1] * self._filter_cell(st), *texts)

    def _op_height(self, st: Stage) -> float:
        if not self._layered(st):
            return super()._op_height(st)
        planes = self._filter_planes(st)
        bias = PANEL_LABEL if st.bias is not None else 0
        legend = 0 if self._written(st) else PANEL_LABEL
        one = PANEL_LABEL + planes * (st.kernel_size[0] * self._filter_cell(st) + 6) + bias + legend
        if st.kernel.values.shape[0] == 1:
            return one
        # the overview of every filter shares the box: its title, numbers and legend, and planes
        # legible even when a filter has one row (a signal's taps)
        plane = max(st.kernel_size[0] * OVERVIEW_CELL, SWATCH_CELL)
        return max(one, 3 * PANEL_LABEL + planes * plane + (planes - 1) * 4)

    def _op_panel_width(self, st: Stage) -> float:
        texts = [text_width(t, SMALL_PX) for t in self._op_labels(st)]
        if self._layered(st):
            names = [n for ns in self.names for n in ns]
            side = 2 * (max(text_width(n, SMALL_PX) for n in names) + 6)
            return max(self._op_width(st) + side, *texts) + 8
        return max(self._op_width(st), *texts) + 8

    def _filter_texts(self, st: Stage) -> list[str]:
        n = st.kernel.values.shape[0]
        texts = [f"filter {n - 1}"]
        if st.bias is not None:
            texts += [self._bias_text(st, float(b)) for b in st.bias]
        if not self._written(st):
            texts.append(SWATCH_LEGEND)
        return texts

    def _bias_text(self, st: Stage, bias: float) -> str:
        """The bias as the layer view writes it: in its output's format."""
        return f"bias {self.fmts[self.s.stages.index(st) + 1](bias)}"

    def _op_panel(self, i: int, st: Stage) -> None:
        if not self._layered(st):
            super()._op_panel(i, st)
            return
        x, width, top = self.layout.ops[i]
        lines = self._op_labels(st)
        for j, line in enumerate(lines):
            colour = self.theme.ink if j == 0 else self.theme.muted
            y = top - 8 - (len(lines) - 1 - j) * (SMALL_PX + 3)
            self.add(Text(x + width / 2, y, line, SMALL_PX, colour, "middle"))
        box_w, box_h = self._op_width(st), self._op_height(st)
        bx = x + (width - box_w) / 2
        spans = self._filter_spans(i)
        for k, (first, last) in spans.items():
            self._filter(i, st, k, bx, top, first, last)
        frames = [k for k, b in enumerate(self.plan, start=1) if b.stage == i]
        if len(spans) > 1:  # before and after its stage: every filter, so each map traces to one
            for first, last in ((0, frames[0] - 1), (frames[-1] + 1, self.last)):
                if first <= last:
                    self._overview(i, st, bx, top, first, last)
        hl = self.theme.highlight
        self.add(Rect(bx - 4, top - 4, box_w + 8, box_h + 8, stroke=hl, width=2.5), frames[0], frames[-1])

    def _filter_spans(self, i: int) -> dict[int, tuple[int, int]]:
        """Frames in which each filter of stage i is shown: from its first frame to the next
        filter's (the first from the poster, the last to the end)."""
        starts: dict[int, int] = {}
        comp = self.comps[i]
        for k, beat in enumerate(self.plan, start=1):
            if beat.stage == i:
                starts.setdefault(comp.steps[beat.last].channel, k)
        order = sorted(starts.items(), key=lambda kv: kv[1])
        if len(order) > 1:  # several filters: each for its own frames, the overview around them
            end = max(k for k, beat in enumerate(self.plan, start=1) if beat.stage == i)
            return {
                channel: (first, order[j + 1][1] - 1 if j + 1 < len(order) else end)
                for j, (channel, first) in enumerate(order)
            }
        return {channel: (0, self.last) for channel, _ in order}

    def _filter(self, i: int, st: Stage, k: int, bx: float, top: float, first: int, last: int) -> None:
        """Filter k's planes with their weights, its number and its bias."""
        weights = (conv_weights(st) if st.operation == "conv2d" else st.kernel.values)[k]  # as slid
        n = weights.shape[0]
        reads = self._reads(i, k)
        box_w = self._op_width(st)
        centre = bx + box_w / 2
        self.add(Text(centre, top + SMALL_PX, f"filter {k}", SMALL_PX, self.theme.ink), first, last)
        y = top + PANEL_LABEL
        shown = n if n <= MAX_OP_PLANES else MAX_OP_PLANES - 1
        fill, hl = self.theme.kernel_fill, self.theme.highlight
        planes = self._weight_labels(st)[k * n : (k + 1) * n]  # as the layer view
        every = [t for q in self._weight_labels(st) for row in q for t in row]
        fc = self._filter_cell(st)
        written = self._written(st)
        size = (
            fit(max(every, key=lambda t: text_width(t, SMALL_PX)), fc, SMALL_PX, SMALL_PX)
            if written
            else None
        )
        swatch = self._weight_scale(st)
        plane_h = st.kernel_size[0] * fc
        bx += (box_w - st.kernel_size[1] * fc) / 2
        for p in range(shown):
            labels = planes[p]
            colours = swatch(weights[p])
            for (r, c), _ in np.ndenumerate(weights[p]):
                cx, cy = bx + c * fc, y + r * fc
                cell_fill = fill if written else colours[int(r) * weights.shape[2] + int(c)]
                self.add(Rect(cx, cy, fc, fc, fill=cell_fill, stroke=hl, width=1), first, last)
                if size:
                    baseline = cy + fc / 2 + BASELINE * size
                    self.add(
                        Text(cx + fc / 2, baseline, labels[r][c], size, self.theme.text_on(fill)),
                        first,
                        last,
                    )
            name = reads[p] if p < len(reads) else str(p)
            baseline = y + plane_h / 2 + BASELINE * SMALL_PX
            self.add(Text(bx - 6, baseline, name, SMALL_PX, self.theme.muted, "end"), first, last)
            y += plane_h + 6
        if shown < n:
            text = f"{ELLIPSIS} +{count(n - shown, 'plane')}"
            self.add(Text(centre, y + SMALL_PX, text, SMALL_PX, self.theme.muted), first, last)
        bottom = top + self._op_height(st)
        if not written:
            self.add(Text(centre, bottom - 2, SWATCH_LEGEND, SMALL_PX, self.theme.muted), first, last)
            bottom -= PANEL_LABEL
        if st.bias is not None:
            bias = self._bias_text(st, float(st.bias[k]))
            self.add(Text(centre, bottom - 2, bias, SMALL_PX, self.theme.ink), first, last)

    def _overview(self, i: int, st: Stage, bx: float, top: float, first: int, last: int) -> None:
        """Every filter of a layer side by side, one column each (its planes down the column) as
        colour, numbered as the output channels they fill."""
        values = st.kernel.values
        n, planes, kh, kw = values.shape
        planes = min(planes, MAX_OP_PLANES)
        box_w = self._op_width(st)
        gap = 4
        room_h = self._op_height(st) - 3 * PANEL_LABEL - (planes - 1) * gap
        total = n
        if (box_w - (n - 1) * gap) / (n * kw) < 3:  # too many to see: the first ones, and a count
            n = max(1, int((box_w + gap) // (3 * kw + gap)))
        mini = max(1.0, min(SWATCH_CELL, (box_w - (n - 1) * gap) / (n * kw), room_h / (planes * kh)))
        col_w = kw * mini
        x0 = bx + (box_w - n * col_w - (n - 1) * gap) / 2
        centre = bx + box_w / 2
        title = f"filters 0\u2013{total - 1}"
        self.add(Text(centre, top + SMALL_PX, title, SMALL_PX, self.theme.ink), first, last)
        if total > n:
            more = f"{ELLIPSIS} +{total - n} filters"
            y = top + PANEL_LABEL + SMALL_PX + 4 + planes * (kh * mini + gap) + SMALL_PX
            self.add(Text(centre, y, more, SMALL_PX, self.theme.muted), first, last)
        colour = self._weight_scale(st)
        y0 = top + PANEL_LABEL + SMALL_PX + 4
        numbered = all(text_width(str(k), SMALL_PX) <= col_w + gap for k in range(n))
        for k in range(n):
            x = x0 + k * (col_w + gap)
            if numbered or k in (0, n - 1):
                label = Text(x + col_w / 2, y0 - 4, str(k), SMALL_PX, self.theme.muted)
                self.add(label, first, last)
            for p in range(planes):
                fills = colour(values[k, p])
                py = y0 + p * (kh * mini + gap)
                for (r, c), _ in np.ndenumerate(values[k, p]):
                    fill = fills[int(r) * kw + int(c)]
                    self.add(Rect(x + int(c) * mini, py + int(r) * mini, mini, mini, fill=fill), first, last)
                self.add(Rect(x, py, col_w, kh * mini, stroke=self.theme.highlight, width=1), first, last)
        reads = self._reads(i, 0)
        for p in range(planes):  # the planes' names, as the filter being applied has them
            name = reads[p] if p < len(reads) else str(p)
            baseline = y0 + p * (kh * mini + gap) + kh * mini / 2 + BASELINE * SMALL_PX
            self.add(Text(x0 - 4, baseline, name, SMALL_PX, self.theme.muted, "end"), first, last)
        bottom = top + self._op_height(st) - 2
        self.add(Text(centre, bottom, SWATCH_LEGEND, SMALL_PX, self.theme.muted), first, last)

    @staticmethod
    def _weight_scale(st: Stage) -> style.ColourScale:
        """Weights as colour, one diverging scale for the whole layer (green +, purple −)."""
        return style.scale_for(st.kernel.values, style.DIVERGING, symmetric=True)

    def _reads(self, i: int, k: int) -> list[str]:
        """Names of the planes filter k of stage i works with: the input channels it reads (for
        a transposed convolution, the output channels it adds onto)."""
        step = next(s for s in self.comps[i].steps if s.channel == k)
        if isinstance(step, Scatter):
            return [self.names[i + 1][t] for t in step.targets]
        return [self.names[self.src[i]][p] for p in step.planes]

    # ------------------------------------------------------------------ maps

    def _chrome(self) -> None:
        lay, ink = self.layout, self.theme.ink
        self.add(Text(PAD, PAD + TITLE_PX, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", CAPTION_PX, self.theme.muted, "start"))
        for i, m in enumerate(lay.maps):
            first, second = self._map_labels(i)
            self.add(Text(m.x, lay.label_y, first, LABEL_PX, ink, "start"))
            self.add(Text(m.x, lay.label_y + SMALL_PX + 4, second, SMALL_PX, self.theme.muted, "start"))
            for p in m.panels:
                self.add(Text(p.grid.x, p.grid.y - 4, p.label, SMALL_PX, self.theme.muted, "start"))
            if m.more:
                self.add(Text(m.x, m.more_y, self._more_text(i), SMALL_PX, self.theme.muted, "start"))

    def _map(self, i: int) -> None:
        """Map 0's panels are there from the start; map i > 0's are hatched until filled."""
        m, values, scale = self.layout.maps[i], self.values[i], self.scales[i]
        for p in m.panels:
            g = p.grid
            c = g.cell
            if p.channel is None:
                self._composite(g)
            elif i:
                self.add(Rect(g.x, g.y, g.cols * c, g.rows * c, fill=self.theme.background))
                self.add(Hatch(g.x, g.y, g.cols * c, g.rows * c, self.theme.hatch))
            else:
                plane = values[p.channel]
                colours = scale(plane)
                for (r, col), v in np.ndenumerate(plane):
                    fill = colours[int(r) * plane.shape[1] + int(col)]
                    self._cell(g, int(r), int(col), v, fill, self.fmts[0], 0)
        if i:
            self._fill(i)
        for p in m.panels:
            g = p.grid
            self.add(Rect(g.x, g.y, g.cols * g.cell, g.rows * g.cell, stroke=self.theme.grid_line, width=1))

    def _composite(self, g: Grid) -> None:
        """The photograph in colour, reduced to PHOTO_COLOURS colours by Pillow's median cut (the
        GIF palette has room for the maps' scales as well)."""
        rgb = np.clip(np.round(self.values[0]), 0, 255).astype(np.uint8).transpose(1, 2, 0)
        quant = Image.fromarray(np.ascontiguousarray(rgb), "RGB").quantize(
            colors=PHOTO_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        palette = np.array(quant.getpalette()[: 3 * PHOTO_COLOURS], np.uint8).reshape(-1, 3)
        index = np.asarray(quant)
        for (r, c), k in np.ndenumerate(index):
            red, green, blue = palette[k]
            fill = f"#{red:02x}{green:02x}{blue:02x}"
            x, y = g.x + int(c) * g.cell, g.y + int(r) * g.cell
            self.add(Rect(x, y, g.cell, g.cell, fill=fill))

    def _fill(self, i: int) -> None:
        """Map i's cells, each from the frame whose batch completes it."""
        stage_index = i - 1
        comp, values = self.comps[stage_index], self.values[i]
        done = np.zeros(values.shape, int)
        frame_of_step = {}
        for k, beat in enumerate(self.plan, start=1):
            if beat.stage == stage_index:
                for idx in range(beat.first, beat.last + 1):
                    frame_of_step[idx] = k
        _, h, w = values.shape
        for step in comp.steps:
            frame = frame_of_step[step.index]
            if isinstance(step, Map):
                done[:] = frame
            elif isinstance(step, Scatter):
                rows = [r for r in step.rows.tolist() if 0 <= r < h]
                cols = [c for c in step.cols.tolist() if 0 <= c < w]
                for t in step.targets:
                    done[t][np.ix_(rows, cols)] = frame  # a cell is complete at its last contribution
            else:
                done[step.channel][step.out] = frame
        done[done == 0] = max(frame_of_step.values())  # cells no step reaches are 0 once it ends
        for p in self.layout.maps[i].panels:
            plane = values[p.channel]
            colours = self.scales[i](plane)
            for (r, c), v in np.ndenumerate(plane):
                r, c = int(r), int(c)
                frame = int(done[p.channel, r, c])
                self._cell(p.grid, r, c, v, colours[r * w + c], self.fmts[i], frame)

    # ------------------------------------------------------------------ a frame

    def _beat(self, k: int, beat: Beat) -> None:
        """The window on every panel the step reads, its output cell, and the zoom."""
        i, comp = beat.stage, self.comps[beat.stage]
        step = comp.steps[beat.last]
        hl = self.theme.highlight
        src, dst = self.layout.maps[self.src[i]], self.layout.maps[i + 1]
        rows, cols = self._footprint(i, step)
        reads = self._planes_read(step)
        if rows is not None:
            for p in src.panels:
                if (p.channel is None and reads) or p.channel in reads:
                    self._outline(p.grid, rows, cols, hl, k)
        self._zoom_step(i, step, k)
        if isinstance(step, Scatter):
            self._scattered(dst, step, k)
        out = getattr(step, "out", None)
        if out is None:
            return
        panel = dst.of(step.channel)
        if panel is not None:
            self._outline(panel.grid, (out[0], out[0]), (out[1], out[1]), hl, k)
        else:
            text = f"now: channel {step.channel}"
            self.add(Text(dst.x, dst.more_y + SMALL_PX + 4, text, SMALL_PX, hl, "start"), k, k)

    def _scattered(self, dst: MapPanels, step: Scatter, frame: int) -> None:
        """Where a transposed step adds value × weights, on each output channel it adds onto
        (clipped to the output: padding crops the rest)."""
        g = dst.panels[0].grid
        rows = [r for r in step.rows.tolist() if 0 <= r < g.rows]
        cols = [c for c in step.cols.tolist() if 0 <= c < g.cols]
        if not rows or not cols:
            return
        for t in step.targets:
            panel = dst.of(t)
            if panel is not None:
                self._outline(
                    panel.grid, (rows[0], rows[-1]), (cols[0], cols[-1]), self.theme.highlight, frame
                )

    @staticmethod
    def _planes_read(step: object) -> tuple[int, ...]:
        if isinstance(step, Step):
            return step.planes
        if isinstance(step, (Pool, Sample, Scatter)):
            return (step.channel,)
        return ()

    # ------------------------------------------------------------------ the zoom

    def _zoom_shape(self) -> tuple[int, int]:
        rows = cols = 1
        for st in self.s.stages:
            if st.operation in WHOLE_MAP:
                continue
            if st.operation == "upsample":
                rows, cols = max(rows, 2), max(cols, 2)
            elif st.operation != "conv_transpose2d":
                rows, cols = max(rows, st.kernel_size[0]), max(cols, st.kernel_size[1])
        return min(rows, 9), min(cols, 9)

    def _zoom_blocks(self) -> int:
        reads = [len(s.planes) for c in self.comps for s in c.steps[:1] if isinstance(s, Step)]
        return min(max([*reads, 1]), MAX_ZOOM)

    def _zoom_texts(self) -> list[str]:
        """The widest texts under and over a zoom block."""
        texts = [n for ns in self.names for n in ns]
        for i, c in enumerate(self.comps):
            fmt = self.fmts[i + 1]
            for s in c.steps[:1]:
                if isinstance(s, Step):
                    texts.append(f"{SIGMA} = {fmt(min(s.sums))}")
        texts += [f"{SIGMA} = {fmt(v.min())}" for fmt, v in zip(self.fmts, self.values, strict=True)]
        return texts

    def _zoom_more(self, n: int) -> str:
        return f"{ELLIPSIS} and {n} more planes"

    def _zoom_step(self, i: int, step: object, frame: int) -> None:
        """One block per plane read: the values the step reads there, with their sum."""
        lay, fmt_out, m = self.layout, self.fmts[i + 1], self.src[i]  # m: the map it reads
        comp = self.comps[i]
        blocks: list[tuple[str, np.ndarray, np.ndarray, str]] = []
        header = ""
        most = lay.zoom_blocks
        if isinstance(step, Step):
            ghost = comp.ghost[np.ix_(step.rows, step.cols)]
            for j, p in enumerate(step.planes[:most]):
                name = self.names[m][p]
                blocks.append((name, step.inputs[j], ghost, f"{SIGMA} = {fmt_out(step.sums[j])}"))
            header = self._window_text(i, step)
        elif isinstance(step, Pool):
            ghost = comp.ghost[np.ix_(step.rows, step.cols)]
            what = "max" if step.divisor is None else "mean"
            blocks.append(
                (self.names[m][step.channel], step.inputs, ghost, f"{what} = {fmt_out(step.value)}")
            )
            header = self._window_text(i, step)
        else:
            rows, cols = self._footprint(i, step)
            if rows is None:
                return
            plane = self.values[m][step.channel]
            block = plane[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1]
            blocks.append((self.names[m][step.channel], block, np.zeros(block.shape, bool), ""))
            where = "input" if m == 0 else f"map {m}"
            header = f"{where}[{step.channel}][{rows[0]}:{rows[1] + 1}, {cols[0]}:{cols[1] + 1}]"
        zc = lay.zoom_cell
        st = self.s.stages[i]
        for j, (name, values, ghost, below) in enumerate(blocks):
            x = PAD + j * lay.zoom_step
            self._block(m, x, values[: lay.zoom_shape[0], : lay.zoom_shape[1]], ghost, frame)
            if isinstance(step, Step) and self._zoom_weights():
                plane = st.kernel.values[step.channel, j]
                labels = self._weight_labels(st)[step.channel * st.kernel.values.shape[1] + j]
                self._weights_block(x + values.shape[1] * zc + WEIGHTS_GAP, plane, labels, frame)
            self.add(Text(x, lay.zoom_y - 6, name, SMALL_PX, self.theme.ink, "start"), frame, frame)
            if below:
                h = min(values.shape[0], lay.zoom_shape[0]) * zc
                self.add(
                    Text(x, lay.zoom_y + h + 4 + SMALL_PX, below, SMALL_PX, self.theme.ink, "start"),
                    frame,
                    frame,
                )
        if isinstance(step, Step) and len(step.planes) > most:
            x = PAD + most * lay.zoom_step
            text = self._zoom_more(len(step.planes) - most)
            self.add(Text(x, lay.zoom_y + zc, text, SMALL_PX, self.theme.muted, "start"), frame, frame)
        if isinstance(step, Pool) and step.chosen is not None:  # the maximum, as in the grid view
            r, c = step.chosen
            if r < lay.zoom_shape[0] and c < lay.zoom_shape[1]:
                box = Rect(
                    PAD + c * zc + 3,
                    lay.zoom_y + r * zc + 3,
                    zc - 6,
                    zc - 6,
                    stroke=self.theme.source,
                    width=2.5,
                )
                self.add(box, frame, frame)
        y = lay.zoom_y - 10 - SMALL_PX - 10
        self.add(Text(PAD, y, f"zoom: {header}", SMALL_PX, self.theme.muted, "start"), frame, frame)

    def _weights_block(
        self, x: float, plane: np.ndarray, labels: tuple[tuple[str, ...], ...], frame: int
    ) -> None:
        """The weights that multiply the window beside it, written at the zoom's size."""
        zc, y0 = self.layout.zoom_cell, self.layout.zoom_y
        fill, hl = self.theme.kernel_fill, self.theme.highlight
        size = fit(max((t for row in labels for t in row), key=len), zc, SMALL_PX, 6.0)
        for (r, c), _ in np.ndenumerate(plane):
            cx, cy = x + int(c) * zc, y0 + int(r) * zc
            self.add(Rect(cx, cy, zc, zc, fill=fill, stroke=hl, width=1), frame, frame)
            text = Text(
                cx + zc / 2,
                cy + zc / 2 + BASELINE * (size or 6.0),
                labels[r][c],
                size or 6.0,
                self.theme.text_on(fill),
            )
            self.add(text, frame, frame)
        self.add(
            Text(
                x - WEIGHTS_GAP / 2,
                y0 + plane.shape[0] * zc / 2 + BASELINE * SMALL_PX,
                "\u00b7",
                SMALL_PX,
                self.theme.ink,
            ),
            frame,
            frame,
        )

    def _window_text(self, i: int, step: Step | Pool) -> str:
        """Where the window lies, in the grid the step reads (its padding included)."""
        st = self.s.stages[i]
        top, left = st.padding[0], st.padding[2]
        r0, r1 = int(step.rows[0]) - top, int(step.rows[-1]) - top
        c0, c1 = int(step.cols[0]) - left, int(step.cols[-1]) - left
        j = self.src[i]  # the map it reads
        where = "input" if j == 0 else f"map {j}"
        which = "every plane" if isinstance(step, Step) and len(step.planes) > 1 else "its plane"
        _, h, w = self.values[j].shape
        padded = " (outside the map: padding)" if min(r0, c0) < 0 or r1 >= h or c1 >= w else ""
        # numbers, not a slice: in Python "[-1:2]" would mean from the last row
        rows = f"row {_n(r0)}" if r0 == r1 else f"rows {_n(r0)} to {_n(r1)}"
        cols = f"col {_n(c0)}" if c0 == c1 else f"cols {_n(c0)} to {_n(c1)}"
        if st.rank == 1:  # a signal: its samples, no rows
            return f"{where}, {words.span(c0, c1)}{padded} in {which.replace('plane', 'channel')}"
        # a comma after the map: "map 1, rows 6 to 7" (not "1 rows")
        return f"{where}, {rows}, {cols}{padded} in {which}"

    def _region_zoom(self, i: int, frame: int, what: str) -> None:
        """On the poster and the last frame: the numbers at the centre of map i (the input, the
        result), one block per channel, marked on its panels in the second accent."""
        lay, values = self.layout, self.values[i]
        _, h, w = values.shape
        rows, cols = min(lay.zoom_shape[0], h), min(lay.zoom_shape[1], w)
        r0, c0 = (h - rows) // 2, (w - cols) // 2
        names = self.names[i]
        step = max(cols * lay.zoom_cell, *(text_width(n, SMALL_PX) for n in names)) + 24
        more_w = text_width(self._zoom_more(99), SMALL_PX)
        most = max(1, int((lay.width - 2 * PAD - more_w) // step))
        src = self.theme.source
        for j in range(min(values.shape[0], most)):
            x = PAD + j * step
            block = values[j, r0 : r0 + rows, c0 : c0 + cols]
            self._block(i, x, block, np.zeros(block.shape, bool), frame, edge=src)
            self.add(Text(x, lay.zoom_y - 6, names[j], SMALL_PX, self.theme.ink, "start"), frame, frame)
            panel = lay.maps[i].of(j)
            if panel is not None:
                self._outline(panel.grid, (r0, r0 + rows - 1), (c0, c0 + cols - 1), src, frame)
        if values.shape[0] > most:
            text = f"{ELLIPSIS} and {values.shape[0] - most} more channels"
            x = PAD + most * step
            self.add(
                Text(x, lay.zoom_y + lay.zoom_cell, text, SMALL_PX, self.theme.muted, "start"), frame, frame
            )
        where = f"rows {r0} to {r0 + rows - 1}, cols {c0} to {c0 + cols - 1}"
        if self.s.stages[0].rank == 1:
            where = words.span(c0, c0 + cols - 1)
        y = lay.zoom_y - 10 - SMALL_PX - 10
        header = f"zoom: {what}, {where}, in each channel"
        self.add(Text(PAD, y, header, SMALL_PX, self.theme.muted, "start"), frame, frame)

    def _block(
        self, i: int, x: float, values: np.ndarray, ghost: np.ndarray, frame: int, edge: str | None = None
    ) -> None:
        lay, fmt, scale = self.layout, self.fmts[i], self.scales[i]
        zc, y0 = lay.zoom_cell, lay.zoom_y
        finite = np.where(np.isfinite(values), values, scale.vmin)
        colours = scale(finite)
        size = fit(max((fmt(v) for v in values.ravel()), key=len), zc, 12.0, 6.0) or 6.0
        for (r, c), v in np.ndenumerate(values):
            fill = colours[int(r) * values.shape[1] + int(c)]
            is_ghost = bool(ghost[r, c]) if ghost.shape == values.shape else False
            cx, cy = x + int(c) * zc, y0 + int(r) * zc
            if is_ghost:  # padding: hatched, its number muted
                self.ghost_cell(cx, cy, zc, frame, frame)
                ink = self.theme.muted
            else:
                self.add(Rect(cx, cy, zc, zc, fill=fill, stroke=self.theme.grid_line, width=1), frame, frame)
                ink = self.theme.text_on(fill)
            baseline = cy + zc / 2 + BASELINE * size
            self.add(Text(cx + zc / 2, baseline, fmt(v), size, ink), frame, frame)
        h, w = values.shape
        self.add(Rect(x, y0, w * zc, h * zc, stroke=edge or self.theme.highlight, width=3), frame, frame)

    # ------------------------------------------------------------------ text

    def _counter(self, beat: Beat) -> str:
        st = self.s.stages[beat.stage]
        text = super()._counter(beat)
        if st.operation in WHOLE_MAP or self.values[beat.stage + 1].shape[0] == 1:
            return text
        channel = self.comps[beat.stage].steps[beat.last].channel
        return text.replace(": ", f", channel {channel}: ", 1)

    def _equation(self, i: int, step: object, beat: Beat) -> str:
        faster = "" if beat.first == beat.last else f"  (+{beat.last - beat.first} more steps in this frame)"
        if isinstance(step, Step):
            return self._sum_equation(i, step, faster)
        if isinstance(step, Map) and ops.drawn_here(self.s.stages[i]):
            return ops.map_equation(self.s.stages[i], step, self.map_names)
        if isinstance(step, Map):
            n, maps = int(step.changed.sum()), step.changed.shape[0]
            return f"ReLU: max(0, x) replaces {count(n, 'negative value')} with 0 in {count(maps, 'map')}"
        text = super()._equation(i, step, beat)
        channel = getattr(step, "channel", 0)
        if isinstance(step, Scatter):
            x, onto = (
                self.fmts[self.src[i]](step.value),
                ", ".join(self.names[i + 1][t] for t in step.targets),
            )
            where = f"input[{channel}]{words.at(self.s.stages[i].rank, *step.src)}"
            return f"{where} = {x} adds {x} \u00d7 filter {channel} onto channels {onto}{faster}"
        return text.replace("output[", f"out[{channel}][", 1)  # the base wrote a signal's [i]

    def _sum_equation(self, i: int, step: Step, faster: str) -> str:
        """out[k][a,b] = Σ(R) + Σ(G) + Σ(B) + b = 4 + 3 − 1 + 0.5 = 6.5, shortened to the width."""
        fout = self.fmts[i + 1]
        a, b = step.out
        head = f"out[{step.channel}]{words.at(self.s.stages[i].rank, a, b)} = "
        terms = [
            (f"{SIGMA}({self.names[self.src[i]][p]})", fout(s))
            for p, s in zip(step.planes, step.sums, strict=True)
        ]
        if len(terms) == 1 and step.bias is None:  # one plane, no bias: nothing to add up
            return f"{head}{terms[0][0]} = {fout(step.value)}{faster}"
        numbers = list(step.sums)
        if step.bias is not None:
            terms.append(("b", fout(step.bias)))
            numbers.append(step.bias)
        # "≈" when the written terms are rounded (they may not add up to the written value)
        exact = all(_reads_as(fout(v), v) for v in [*numbers, step.value])
        result = ("= " if exact else "\u2248 ") + fout(step.value)

        def text(keys: list[str]) -> str:
            picked = [terms[int(k)] if k != ELLIPSIS else (ELLIPSIS, ELLIPSIS) for k in keys]
            names = " + ".join(n for n, _ in picked)
            return f"{head}{names} = {_signed([v for _, v in picked])} {result}{faster}"

        return shorten([str(j) for j in range(len(terms))], text, self.layout.width - 2 * PAD)

    def _last_grid(self) -> Grid:
        return self.layout.grids[-1]

    def _map_anchor(self, j: int) -> tuple[float, float]:
        m = self.layout.maps[j]
        first = m.panels[0].grid
        bottom = max(p.grid.y + p.grid.rows * p.grid.cell for p in m.panels)
        return first.x + first.cols * first.cell / 2, bottom + (SMALL_PX + 8 if m.more else 0)


def _reads_as(text: str, value: float) -> bool:
    """Whether a written number is the value itself, not a rounding of it."""
    try:
        return abs(float(text.replace(MINUS, "-")) - value) <= 1e-9 * max(1.0, abs(value))
    except ValueError:  # ∞
        return False


def _signed(numbers: list[str]) -> str:
    """ "4 + 3 − 1 + 0.5": each term after the first with its own sign as the operator."""
    out = numbers[0] if numbers else ""
    for n in numbers[1:]:
        out += f" {MINUS} {n[1:]}" if n.startswith(MINUS) else f" + {n}"
    return out


def _n(i: int) -> str:
    """An index with a real minus sign."""
    return str(i).replace("-", "\u2212")
