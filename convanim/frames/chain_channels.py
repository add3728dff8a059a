"""Frames of a photo or chain with channels: each map as a labelled set of small panels, one per
channel (an RGB photograph also in colour), each stage animated filter by filter with the window
on every plane the step reads, the current filter's planes and bias between the maps, a zoomed
inset with the window in each plane summed, and an equation of the per-channel sums and the bias.

This module lays the picture out and draws the maps, each frame's windows and the equation; the
operation panels are :mod:`.channel_filters`'s, the zoom :mod:`.channel_zoom`'s and the layout's
data :mod:`.channel_panels`'s. A one-channel chain keeps the plainer picture of :mod:`.chain` (see
``has_channels``)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .. import style
from ..display import Grid, Hatch, MapGrid, Rect, Text
from ..elementwise import WHOLE_MAP
from ..layout import CAPTION_PX, EQUATION_PX, LABEL_PX, PAD, SMALL_PX, TITLE_PX, legible_px, projection
from ..model import Illustration
from ..numfmt import MINUS
from ..steps import Map, Pool, Sample, Scatter, Step
from ..textsize import text_width
from ..timeline import Beat
from ..words import count
from . import operations as ops
from . import signal_words as words
from .base import COUNTER_PX, shorten
from .chain import GAP
from .channel_filters import (
    LAYER_CELL,
    MAX_OP_PLANES,
    OVERVIEW_CELL,
    SWATCH_CELL,
    SWATCH_LEGEND,
)
from .channel_panels import (
    ELLIPSIS,
    PANEL_GAP,
    PANEL_LABEL,
    SIGMA,
    WEIGHTS_GAP,
    LayersLayout,
    MapPanels,
    Panel,
)
from .channel_zoom import MAX_ZOOM, ChannelZoom
from .scaling import grown, unit

MAX_PANELS = 8  #: channels of a map drawn in full; the rest are summarised in a line of text
PHOTO_COLOURS = 48  #: colours of the composite photograph (the GIF palette has 255 for all)


def photo_colours(values: np.ndarray) -> np.ndarray:
    """An RGB photograph's (3, H, W) values as (H, W) colours "#rrggbb", reduced to PHOTO_COLOURS
    colours by Pillow's median cut (the GIF palette has room for the maps' scales as well)."""
    rgb = np.clip(np.round(values), 0, 255).astype(np.uint8).transpose(1, 2, 0)
    quant = Image.fromarray(np.ascontiguousarray(rgb), "RGB").quantize(
        colors=PHOTO_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    palette = np.array(quant.getpalette()[: 3 * PHOTO_COLOURS], np.uint8).reshape(-1, 3)
    names = np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in palette.tolist()], dtype=object)
    return names[np.asarray(quant)]


def has_channels(scenario: Illustration) -> bool:
    """Whether the picture is a layer's: a map with more than one channel, or a bias (which the
    one-channel view's equation has no term for)."""
    return any(st.has_channels for st in scenario.stages)


class ChannelChainBuilder(ChannelZoom):
    """Collects the items of a picture with channels in drawing order."""

    def __init__(self, scenario: Illustration) -> None:
        image = scenario.image
        self.rgb = image.channels == 3 and (image.source or "").startswith("file ")
        self.names = [image.names or tuple(f"in[{c}]" for c in range(image.channels))]
        self.names += [tuple(str(c) for c in range(st.out_channels)) for st in scenario.stages]
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
        """The photograph in colour (see photo_colours)."""
        for (r, c), fill in np.ndenumerate(photo_colours(self.values[0])):
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


__all__ = [
    "ELLIPSIS",
    "LAYER_CELL",
    "MAX_OP_PLANES",
    "MAX_PANELS",
    "MAX_ZOOM",
    "OVERVIEW_CELL",
    "PANEL_GAP",
    "PANEL_LABEL",
    "PHOTO_COLOURS",
    "SIGMA",
    "SWATCH_CELL",
    "SWATCH_LEGEND",
    "WEIGHTS_GAP",
    "ChannelChainBuilder",
    "LayersLayout",
    "MapPanels",
    "Panel",
    "has_channels",
]
