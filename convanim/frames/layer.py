"""Frames of a layer with channels on grids of numbers: the input planes stacked, beside each the
plane of the current filter that reads it, the per-plane sums, Σ and the bias, and the output maps
stacked, the one being filled framed. Steps go filter by filter (filter k fills map k).

A plane the current filter does not read (groups) is covered, so the grouping shows; a 1×1
filter reads as a weighted sum across channels at each pixel.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import style
from ..alttext import layer_plane, layer_recipe, recipe_text
from ..display import FrameInfo, Grid, Item, Line, MapGrid, Rect, Text
from ..filters import plane_labels
from ..kernels import weight_is_exact
from ..layout import CAPTION_PX, EQUATION_PX, LABEL_PX, PAD, SMALL_PX, SYMBOL_PX, TITLE_PX, Box, legible_px
from ..model import Illustration
from ..numfmt import formatter
from ..steps import Computation, Step, direct_weights
from ..textsize import fast_width, text_width
from ..words import count
from . import labels as lab
from . import layer_slots as ls
from .base import BASELINE, COUNTER_PX, Builder, fit, image_grid
from .scaling import grown, unit
from .turn import fitting, turn

GAP = 14
NAME_PX = 12  #: the name over each plane
PLANE_GAP = NAME_PX + 10  #: vertical room between planes: the next plane's name sits in it
TARGET_WIDTH = 1000
TARGET_HEIGHT = 760
SUM_PX = 13
MAX_IN = 4  #: input planes drawn in full; with more, the first MAX_IN − 1 and a summary
MAX_OUT = 6  #: output maps drawn in full; with more, the first MAX_OUT − 1 and a summary
MORE_PX = 34  #: height of a summary box


def shown(n: int, most: int) -> int:
    """How many of n planes are drawn in full: all when they fit, else one fewer than ``most``
    (the summary box takes the last place)."""
    return n if n <= most else most - 1


@dataclass(frozen=True)
class LayerLayout:
    """Pixel positions of a layer's picture."""

    width: int
    height: int
    cell: int
    title_y: float
    caption_y: float | None
    label_y: float  #: baseline of the first column label
    inputs: tuple[Grid, ...]  #: one per input channel
    kernels: tuple[Grid, ...]  #: one per input channel: where a filter's plane that reads it goes
    outputs: tuple[Grid, ...]  #: one per output channel drawn (the first ones)
    more_in: Box | None  #: the summary of the input planes not drawn
    more_out: Box | None  #: the summary of the output maps not drawn
    op_x: float  #: centre of the ⊛ signs
    sum_x: float  #: left of the per-plane sums
    sigma_x: float  #: centre of the Σ sign
    arrow_x: float  #: centre of the → sign
    middle_y: float  #: vertical centre of the input stack
    equation_y: float | None

    # what Builder's helpers read
    @property
    def input(self) -> Grid:
        return self.inputs[0]

    @property
    def output(self) -> Grid:
        return self.outputs[0]


class LayerBuilder(Builder):
    """A conv2d layer (or a transposed one in its direct view) with channels, bias or groups."""

    def __init__(
        self,
        scenario: Illustration,
        comp: Computation,
        ranges: list[list[int]] | None = None,
        partial: bool = False,
    ) -> None:
        """``ranges``: what an edit may set (``layer_slots.ranges``), when not the scenario's own: a
        network lays out one picture for any cell of a stage; ``partial``: editable with input
        planes not drawn (the page recomputes them, the reader cannot click them)."""
        s = scenario
        self.partial = partial
        self.s, self.comp, self.render, self.stage = s, comp, s.render, s.stages[0]
        self.direct = self.stage.operation == "conv_transpose2d"
        self.first_step = 1 + self.stage.turn_frames  # the rotation (direct) or the turn (flip) first
        self.n_steps = len(comp.steps)
        self.last = self.first_step + self.n_steps
        self.items: list[Item] = []
        grid, weights, out = comp.grid, comp.weights, comp.output
        self.per_filter = out.shape[1] * out.shape[2]
        self.in_names = _names(s.image.names, grid.shape[0], "in")
        finite = grid[np.isfinite(grid)]
        bias = comp.bias if comp.bias is not None else np.zeros(0)
        averaging = all(style.averages(w) for w in weights) and not np.any(bias)
        kernel = weights[0] if averaging else np.array([-1.0])  # style.scales: shared scale or not
        self.in_scale, self.out_scale = style.scales(
            finite, kernel, out, self.render.colormap, self.render.output_colormap
        )
        whole = all(_integral(a) for a in (finite, weights, bias))
        self.fmt_in = formatter(self.render.number_format, grid)
        self.fmt_out = formatter(self.render.number_format, out, least=0 if whole else 1)
        self.labels = self.label_lines()
        self.plane_labels = [[plane_labels(p, weights) for p in w] for w in weights]
        #: a flipped layer's turn, plane by plane of filter 0 (shown on the poster)
        self.turns = [turn(labels) for labels in self.plane_labels[0]] if self.stage.flip else []
        #: per filter: whether its labels write every weight exactly ("=", else "≈")
        self.exact = [all(weight_is_exact(v) for v in w.ravel()) for w in weights]
        #: what an edit in the player may set; the layout is built for any values in these ranges
        self.ranges = ranges or ls.ranges(s.image.values, weights, comp.bias)
        kh, kw = weights.shape[2:]
        self.bounds = ls.bounds(self.ranges, kh * kw, weights.shape[1])
        spec = self.render.number_format
        self.widest = lambda bound: ls.widest(bound, formatter(spec, out) if spec else None)
        self.boost = 0  #: px added to the automatic cell, so that values stay legible projected
        self.layout = self._layout()
        while not self._ranges_fit() and self.render.values is None and not self.render.cell_px:
            if self.boost >= 24:  # too many values to write legibly: the overview shows colour
                break
            self.boost += 4
            grown_layout = self._layout()
            if legible_px(grown_layout.width, grown_layout.height) > NAME_PX:  # the names would blur
                self.boost -= 4
                break
            self.layout = grown_layout
        self.value_px = self._value_size(out)  # (None, values off, where they do not fit)
        self.grid_line = self.theme.grid_line if self.layout.cell * self.render.scale >= 16 else None
        self.stroke = max(2.0, round(self.layout.cell * 0.09))
        self._vals: ls.LayerValues | None = None
        self.slotted: list[tuple[int, ls.Node | ls.Recipe]] = []  #: (item index, recipe) of each slot
        self.readouts: dict[int, tuple[int, ls.Recipe]] = {}  #: frame: (step, recipe of its readout)
        #: the weights' label groups and how each is sized (LayerSlots.labels)
        self.label_groups: list[tuple[tuple[int, ...], float, float, float, int]] = []

    @property
    def vals(self) -> ls.LayerValues:
        """What the layer's slots read (frames/layer_slots.py), on the current layout (its room for
        equations): every value-dependent text is written through them."""
        if self._vals is None or self._vals.room != self.room:
            comp, st = self.comp, self.stage
            rows, cols = comp.grid.shape[1:]
            stride = (1, 1) if self.direct else st.stride
            planes = [self.reads(k) for k in range(comp.output.shape[0])]
            program = ls.layer_program((rows, cols), comp.weights.shape[2:], stride, st.dilation, planes)
            self._vals = ls.LayerValues.of(
                comp,
                program,
                fmt_in=self.fmt_in,
                fmt_out=self.fmt_out,
                room=self.room,
                names=tuple(self.in_names),
                filter_names=self.filter_names(),
            )
        return self._vals

    def filter_names(self) -> tuple[str, ...]:
        """Each filter's preset name as drawn after "filter k" (" (sobel x)"), or ""."""
        names = self.stage.kernel.names
        return tuple(
            f" ({names[k].replace('_', ' ')})" if k < len(names) and names[k] else ""
            for k in range(self.comp.output.shape[0])
        )

    def slot(self, recipe: ls.Node | ls.Recipe, step: int | None = None) -> str:
        """A slot's or a recipe's text (frames/layer_slots.text)."""
        return ls.text(recipe, self.vals, step)

    def marked(self, recipe: ls.Node | ls.Recipe) -> str:
        """The text of the Text about to be added (the next item), its slot remembered in
        ``slotted`` as (item index, recipe): what a player rewrites after an edit."""
        self.slotted.append((len(self.items), recipe))
        return self.slot(recipe)

    # ------------------------------------------------------------------ words

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        s, st, comp = self.s, self.stage, self.comp
        cin, cout = comp.grid.shape[0], comp.output.shape[0]
        (h, w), (kh, kw) = s.image.shape, st.kernel_size
        inputs = [f"input {cin}\u00d7{h}\u00d7{w}"]
        if comp.grid.shape[1:] != (h, w):
            inputs.append(lab.input_lines(s, comp.grid.shape[1:])[1])
        planes = comp.weights.shape[1]
        kernel = [f"{count(cout, 'filter')} of {count(planes, 'plane')}, {kh}\u00d7{kw}"]
        if self.direct:
            kernel = [f"{count(cout, 'filter')}, {kh}\u00d7{kw} rotated 180\u00b0"]
        elif st.flip:
            kernel[0] += ", turned 180\u00b0"
        extra = [f"groups {st.groups}"] if st.groups > 1 else []
        if self.direct:
            extra.append("stride 1 over the spread-out input")
        else:
            extra.append(f"stride {lab.pair(st.stride)}, {lab.padding_text(st)}")
        if st.dilation != (1, 1):
            extra.append(f"dilation {lab.pair(st.dilation)}")
        oh, ow = comp.output.shape[1:]
        outputs = [f"output {cout}\u00d7{oh}\u00d7{ow}", *lab.output_lines(s)[1:]]
        return inputs, [*kernel, ", ".join(extra)], outputs

    def out_name(self, k: int) -> str:
        return f"out[{k}]"

    # ------------------------------------------------------------------ geometry

    def _layout(self) -> LayerLayout:
        comp, (in_l, k_l, out_l) = self.comp, self.labels
        cin, rows, cols = comp.grid.shape
        cout, oh, ow = comp.output.shape
        kh, kw = comp.weights.shape[2:]
        sum_w = self.sum_width
        bias = self.widest(self.bounds[3])
        bias_w = max(text_width(f"+ b = {t}", SMALL_PX) for t in bias) if self.has_bias else 0
        sigma_w = max(SYMBOL_PX, bias_w)
        fixed = 2 * PAD + 6 * GAP + 2 * SYMBOL_PX + sum_w + sigma_w
        n_in, n_out = shown(cin, MAX_IN), shown(cout, MAX_OUT)
        more = MORE_PX + PLANE_GAP if cin > n_in or cout > n_out else 0
        in_h_cells, out_h_cells = n_in * rows, n_out * oh
        room_h = TARGET_HEIGHT - 190 - (max(n_in, n_out) - 1) * PLANE_GAP - more
        by_width, by_height = (
            (TARGET_WIDTH - fixed) // (cols + kw + ow),
            room_h // max(in_h_cells, out_h_cells),
        )
        k = self.render.scale
        auto = int(max(10, min(44, by_width, by_height))) + self.boost
        cell = unit(self.render.cell_px or grown(auto, k), k)
        y = PAD + TITLE_PX
        title_y, caption_y = y, None
        if self.s.caption:
            y += 8 + CAPTION_PX
            caption_y = y
        label_y = y + 14 + LABEL_PX
        lines = max(len(in_l), len(k_l), len(out_l))
        top = label_y + (lines - 1) * (SMALL_PX + 4) + 10 + PLANE_GAP
        label_w = [
            max(text_width(t, LABEL_PX if i == 0 else SMALL_PX) for i, t in enumerate(ls))
            for ls in self.labels
        ]
        more_in_w = text_width(self.more_text(cin - n_in, "channels"), SMALL_PX) + 12 if cin > n_in else 0
        more_out_w = text_width(self.more_text(cout - n_out, "maps"), SMALL_PX) + 12 if cout > n_out else 0
        in_w = max(cols * cell, more_in_w)
        op_x = PAD + max(in_w, label_w[0]) + GAP + SYMBOL_PX / 2
        k_x = op_x + SYMBOL_PX / 2 + GAP
        sum_x = k_x + kw * cell + 6
        sigma_x = sum_x + sum_w + GAP + sigma_w / 2
        arrow_x = sigma_x + sigma_w / 2 + GAP + SYMBOL_PX / 2
        x_out = arrow_x + SYMBOL_PX / 2 + GAP
        x_out = max(x_out, k_x + label_w[1] + GAP)  # the filters' labels end before the outputs
        inputs = tuple(Grid(PAD, top + c * (rows * cell + PLANE_GAP), rows, cols, cell) for c in range(n_in))
        kernels = tuple(Grid(round(k_x), round(g.y + (rows - kh) * cell / 2), kh, kw, cell) for g in inputs)
        outputs = tuple(
            Grid(round(x_out), top + k * (oh * cell + PLANE_GAP), oh, ow, cell) for k in range(n_out)
        )
        more_in = more_out = None
        if cin > n_in:
            y0 = inputs[-1].y + rows * cell + PLANE_GAP
            more_in = (PAD, y0, PAD + more_in_w, y0 + MORE_PX)
        if cout > n_out:
            y0 = outputs[-1].y + oh * cell + PLANE_GAP
            more_out = (x_out, y0, x_out + max(ow * cell, more_out_w), y0 + MORE_PX)
        bottom = max(
            inputs[-1].y + rows * cell,
            outputs[-1].y + oh * cell,
            kernels[-1].y + kh * cell,
            *(box[3] for box in (more_in, more_out) if box),
        )
        middle_y = (inputs[0].y + inputs[-1].y + rows * cell) / 2
        equation_y = None
        if self.render.equation:
            equation_y = bottom + 18 + EQUATION_PX
            bottom = equation_y + 6
        counter_w = text_width(f"step {self.n_steps} / {self.n_steps}", COUNTER_PX)
        right = x_out + max(ow * cell, label_w[2], more_out_w)
        width = max(right + PAD, PAD + text_width(self.s.title, TITLE_PX, True) + 2 * GAP + counter_w + PAD)
        return LayerLayout(
            width=int(-(-width // 2) * 2),
            height=int(-(-(bottom + PAD) // 2) * 2),
            cell=cell,
            title_y=title_y,
            caption_y=caption_y,
            label_y=label_y,
            inputs=inputs,
            kernels=kernels,
            outputs=outputs,
            more_in=more_in,
            more_out=more_out,
            op_x=op_x,
            sum_x=sum_x,
            sigma_x=sigma_x,
            arrow_x=arrow_x,
            middle_y=middle_y,
            equation_y=equation_y,
        )

    @staticmethod
    def more_text(n: int, what: str) -> str:
        return f"\u2026 and {n} more {what}"

    @property
    def has_bias(self) -> bool:
        return self.comp.bias is not None

    @property
    def sum_width(self) -> float:
        """The Σ column's width: the widest "Σ …" a plane's sum in the ranges can write."""
        return max(text_width(f"\u03a3 {t}", SUM_PX) for t in self.widest(self.bounds[1])) + 4

    def _ranges_fit(self) -> bool:
        """Whether the widest input and output value the ranges allow fit a cell legibly."""
        texts = self.widest(self.bounds[0]) + self.widest(self.bounds[2])
        c, most, least = self.value_size_rule()
        return fit(max(texts, key=lambda t: text_width(t, 10)), c, most, least) is not None

    # ------------------------------------------------------------------ spans

    @property
    def many(self) -> bool:
        """Several filters: the poster and the last frame draw each beside its map instead."""
        return self.comp.output.shape[0] > 1

    def filter_span(self, k: int) -> tuple[int, int]:
        """Frames in which filter k is shown in the middle: its steps (and the direct view's
        rotation frame for the first); one filter, all frames."""
        first, last = self.at(k * self.per_filter), self.at((k + 1) * self.per_filter - 1)
        if k == 0:
            first = 1 if self.many else 0  # frame 1: the first step, or the direct view's rotation
        if k == self.comp.output.shape[0] - 1 and not self.many:
            last = self.last
        return first, last

    def reads(self, k: int) -> tuple[int, ...]:
        """Input planes filter k reads (its group's)."""
        return self.comp.steps[k * self.per_filter].planes

    # ------------------------------------------------------------------ assembly

    def body(self) -> None:
        self.slotted, self.label_groups = [], []
        self.layer_chrome()
        self.input_planes()
        self.output_planes()
        for k in range(self.comp.output.shape[0]):
            self.filter_planes(k)
        if self.many:
            for k in range(len(self.layout.outputs)):
                self.filter_beside_map(k)
        for step in self.comp.steps:
            self.step_marks(step)
        self.counter()
        self.strip()

    def layer_chrome(self) -> None:
        lay, ink = self.layout, self.theme.ink
        self.add(Text(PAD, lay.title_y, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", CAPTION_PX, self.theme.muted, "start"))
        in_l, k_l, out_l = self.labels
        columns = ((lay.inputs[0].x, in_l), (lay.kernels[0].x, k_l), (lay.outputs[0].x, out_l))
        for x, lines in columns:
            for i, line in enumerate(lines):
                size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, self.theme.muted)
                self.add(Text(x, lay.label_y + i * (SMALL_PX + 4), line, size, colour, "start"))
        first, last = (1, self.last - 1) if self.many else (0, self.last)  # with the filters
        for g in lay.inputs:
            cy = g.y + g.rows * g.cell / 2 + BASELINE * 20
            self.add(Text(lay.op_x, cy, "\u229b", 20, self.theme.muted), first, last)

    def input_planes(self) -> None:
        grid, ghost = self.comp.grid, self.comp.ghost
        for c, g in enumerate(self.layout.inputs):
            colours = self.in_scale(grid[c])
            self.add(Text(g.x, g.y - 6, self.in_names[c], NAME_PX, self.theme.ink, "start", bold=True))
            for (r, col), v in np.ndenumerate(grid[c]):
                at, hatched = int(r) * grid.shape[2] + int(col), bool(ghost[r, col])
                fmt = self.slot_format(("lg", c, at)) if hatched else self.rect_slot(("li", c, at))
                self.cell(g, int(r), int(col), v, colours[at], fmt, 0, ghost=hatched)
            self.border(g)
            self.boundary(g)
        if self.layout.more_in:
            hidden = grid.shape[0] - len(self.layout.inputs)
            self.more_box(self.layout.more_in, self.more_text(hidden, "channels"))

    def slot_format(self, node: ls.Node):
        """A cell's format that writes its slot's text (the value it is given is the slot's)."""
        return lambda _value: self.marked(node)

    def rect_slot(self, node: ls.Node):
        """A coloured cell's format (as ``slot_format``), its slot remembered at its Rect, the
        next item, whose colour follows the value too (its Text, if any, follows the Rect)."""
        self.slotted.append((len(self.items), node))
        return lambda _value: self.slot(node)

    def more_box(self, box: Box, text: str) -> None:
        """A dashed box that stands for the planes not drawn, saying how many."""
        x0, y0, x1, y1 = box
        self.add(Rect(x0, y0, x1 - x0, y1 - y0, stroke=self.theme.hatch, width=1))
        y = (y0 + y1) / 2 + BASELINE * SMALL_PX
        self.add(Text(x0 + 6, y, text, SMALL_PX, self.theme.muted, "start"))

    def boundary(self, g: Grid) -> None:
        """A dark line between each plane and its padding."""
        top, _, left, _ = self.stage.padding
        if self.direct or not any(self.stage.padding):
            return
        h, w = self.s.image.shape
        self.outline(
            g, (top, top + h - 1), (left, left + w - 1), self.theme.boundary, 0, width=2, last=self.last
        )

    def output_planes(self) -> None:
        out = self.comp.output
        for k, g in enumerate(self.layout.outputs):
            self.add(Text(g.x, g.y - 6, self.out_name(k), NAME_PX, self.theme.ink, "start", bold=True))
            self.empty_grid(g)
            colours = self.out_scale(out[k])
            for step in self.comp.steps[k * self.per_filter : (k + 1) * self.per_filter]:
                r, c = step.out
                at = r * out.shape[2] + c
                fmt = self.rect_slot(("lo", k, at))
                self.cell(g, r, c, step.value, colours[at], fmt, self.at(step.index))
            self.border(g)
            self.frame_when_filling(k, (g.x, g.y, g.x + g.cols * g.cell, g.y + g.rows * g.cell))
        more = self.layout.more_out
        if more:
            self.more_box(more, self.more_text(out.shape[0] - len(self.layout.outputs), "maps"))
            for k in range(len(self.layout.outputs), out.shape[0]):
                self.frame_when_filling(k, more)

    def frame_when_filling(self, k: int, box: Box) -> None:
        """The accent frame around where map k goes, while filter k works."""
        if self.comp.output.shape[0] == 1:
            return
        first, last = self.filter_span(k)
        pad = 4
        x0, y0, x1, y1 = box
        self.add(
            Rect(
                x0 - pad,
                y0 - pad,
                x1 - x0 + 2 * pad,
                y1 - y0 + 2 * pad,
                stroke=self.theme.highlight,
                width=2,
            ),
            max(first, self.first_step),
            min(last, self.last - 1),
        )

    def filter_planes(self, k: int) -> None:
        """Filter k's planes beside the input planes they read, its bias; the other planes covered."""
        first, last = self.filter_span(k)
        reads = self.reads(k)
        drawn = len(self.layout.inputs)
        if k == 0 and self.turns:  # filter 0 turns first: as given, upside down, rotated
            n = len(self.turns[0])
            kh, kw = self.comp.weights.shape[2:]
            # where each weight stands in each frame of the turn: the turn of the weights' indices
            at = turn(tuple(tuple(str(r * kw + c) for c in range(kw)) for r in range(kh)))
            for i in range(n):
                labels = [frames[i].labels for frames in self.turns]
                span = (0 if i == 0 else 1 + i, 1 + i if i < n - 1 else last)
                self.plane_cells(reads, labels, *span, 0, tuple(int(j) for row in at[i].labels for j in row))
                r, c = self.turns[0][i].corner
                if reads[0] < drawn:
                    g = self.layout.kernels[reads[0]]
                    self.outline(g, (r, r), (c, c), self.theme.source, 1 + i, width=2, inset=3)
        else:
            self.plane_cells(reads, self.plane_labels[k], first, last, k)
        top = self.layout.kernels[reads[0] if reads[0] < drawn else 0]
        name = self.filter_name(k, f" \u2192 {self.out_name(k)}")
        self.add(
            Text(top.x, top.y - 6, name, NAME_PX, self.theme.highlight_text, "start", bold=True), first, last
        )
        for c, g in enumerate(self.layout.inputs):
            if c not in reads:
                self.cover(g, k, first, last)
        lay = self.layout
        y = self.group_middle(k)
        if len([c for c in reads if c < drawn]) > 1:  # a sum across the planes of its group only
            self.add(
                Text(lay.sigma_x, y + BASELINE * SYMBOL_PX, "\u03a3", SYMBOL_PX, self.theme.ink), first, last
            )
        if self.has_bias:
            text = self.marked(["+ b = ", ("lb", k)])
            self.add(
                Text(lay.sigma_x, y + BASELINE * SYMBOL_PX + 22, text, SMALL_PX, self.theme.ink), first, last
            )

    def filter_name(self, k: int, tail: str) -> str:
        """ "filter 0 (sobel x)" and ``tail``: a filter named after its preset names it through a
        slot (a player drops the name once the filter's weights are edited)."""
        if not self.vals.filter_names[k]:
            return f"filter {k}{tail}"
        return self.marked([f"filter {k}", ("ln", k), tail])

    def group_middle(self, k: int) -> float:
        """The height of the middle of the input planes filter k reads (those drawn)."""
        lay = self.layout
        planes = [lay.inputs[c] for c in self.reads(k) if c < len(lay.inputs)] or [lay.inputs[0]]
        return (planes[0].y + planes[-1].y + planes[-1].rows * planes[-1].cell) / 2

    def arrow(self, start: tuple[float, float], end: tuple[float, float], frame: int) -> None:
        """A line with an arrowhead from ``start`` to ``end``, in the accent, for one frame."""
        (x0, y0), (x1, y1) = start, end
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        head = 9.0
        left = (x1 - head * (ux * 0.87 - uy * 0.5), y1 - head * (uy * 0.87 + ux * 0.5))
        right = (x1 - head * (ux * 0.87 + uy * 0.5), y1 - head * (uy * 0.87 - ux * 0.5))
        hl = self.theme.highlight
        self.add(Line((start, end), hl, 2.0), frame, frame)
        self.add(Line((left, end, right), hl, 2.0), frame, frame)

    def filter_beside_map(self, k: int) -> None:
        """On the poster and the last frame of a layer with several filters: filter k drawn
        beside map k with an arrow, so every map traces to its filter."""
        lay, g = self.layout, self.layout.outputs[k]
        weights, labels = self.comp.weights[k], self.plane_labels[k]
        planes, kh, kw = weights.shape
        x1 = g.x - 30  # room for the arrow
        room_w, room_h = x1 - lay.sum_x, g.rows * g.cell - (NAME_PX + 6)
        across = min(lay.cell, (room_w - (planes - 1) * 6) / (planes * kw), room_h / kh)
        down = min(lay.cell, room_w / kw, (room_h - (planes - 1) * 6) / (planes * kh))
        fc = max(across, down)
        step = (kw * fc + 6, 0.0) if across >= down else (0.0, kh * fc + 6)  # from plane to plane
        widest = max((t for p in labels for row in p for t in row), key=lambda t: text_width(t, SMALL_PX))
        # labels or colours: by the ranges (whether the widest whole weight in them fits), so that
        # an edit keeps the picture; the labels' size then by the labels themselves (a label too
        # wide for its cell is left out, its cell blank)
        labelled = fc > 0 and fit(f"\u2212{self.ranges[1][1]}", fc, SMALL_PX, self.legible) is not None
        size = fit(widest, fc, min(SMALL_PX, self.value_px or SMALL_PX), self.legible) if labelled else None
        scale = style.scale_for(self.comp.weights, style.DIVERGING, symmetric=True)
        x0 = x1 - kw * fc - (planes - 1) * step[0]
        y0 = g.y + (g.rows * g.cell - kh * fc - (planes - 1) * step[1]) / 2 + (NAME_PX + 6) / 2
        for frame in (0, self.last):
            before = len(self.slotted)
            if fc >= 4:
                for p in range(planes):
                    px, py = x0 + p * step[0], y0 + p * step[1]
                    colours = scale(weights[p])
                    for (r, c), _ in np.ndenumerate(weights[p]):
                        fill = self.theme.kernel_fill if labelled else colours[int(r) * kw + int(c)]
                        x, y = px + int(c) * fc, py + int(r) * fc
                        if not labelled:  # coloured by its weight: a slot of its own
                            self.slotted.append((len(self.items), ("lc", k, p, int(r) * kw + int(c))))
                        self.add(
                            Rect(x, y, fc, fc, fill=fill, stroke=self.theme.highlight, width=1), frame, frame
                        )
                        if size:
                            text = self.marked(("lw", k, p, int(r) * kw + int(c)))
                            baseline = y + fc / 2 + BASELINE * size
                            self.add(
                                Text(x + fc / 2, baseline, text, size, self.theme.text_on(fill)), frame, frame
                            )
            self.label_group(before if labelled else len(self.slotted), fc, 0, self.legible, 1)
            reads = self.reads(k)
            source = (
                ""
                if len(reads) == len(self.in_names)
                else " \u2190 " + ", ".join(self.in_names[c] for c in reads)
            )
            label = f"filter {k}{self.vals.filter_names[k]}{source}"
            if text_width(label, NAME_PX, True) > g.x - x0 - 4:  # without its preset's name
                label = f"filter {k}{source}"
            else:
                label = self.filter_name(k, source)
            name = Text(x0, y0 - 6, label, NAME_PX, self.theme.highlight_text, "start", bold=True)
            self.add(name, frame, frame)
            mid = g.y + g.rows * g.cell / 2
            self.add(Text((x1 + g.x) / 2, mid + BASELINE * 20, "\u2192", 20, self.theme.muted), frame, frame)

    def plane_cells(
        self,
        reads: tuple[int, ...],
        labels: list,
        first: int,
        last: int,
        k: int | None = None,
        at: tuple[int, ...] | None = None,
    ) -> None:
        """A filter's weight planes (``labels``, one per plane) beside the input planes they read;
        filter k's each label through its slot: the weight at (r, c), or (a frame of a flip's
        turn) the weight ``at[r·kw + c]`` of the planes that slide, which stands there."""
        least = 7.0 / self.render.scale  # 7 px once scaled
        size = fit(max((t for p in labels for row in p for t in row), key=len), self.layout.cell, 12.0, least)
        before = len(self.slotted)
        fill, hl = self.theme.kernel_fill, self.theme.highlight
        for p, c in enumerate(reads):
            if c >= len(self.layout.inputs):
                continue
            g = self.layout.kernels[c]
            for r, row in enumerate(labels[p]):
                for col, text in enumerate(row):
                    x, y = g.x + col * g.cell, g.y + r * g.cell
                    self.add(Rect(x, y, g.cell, g.cell, fill=fill, stroke=hl, width=1.5), first, last)
                    if size is not None:
                        if k is not None:
                            j = r * len(row) + col
                            text = self.marked(("lw", k, p, at[j] if at else j))
                        baseline = y + g.cell / 2 + BASELINE * size
                        self.add(
                            Text(x + g.cell / 2, baseline, text, size, self.theme.text_on(fill)), first, last
                        )
        self.label_group(before, self.layout.cell, 12.0, least, 0)

    def label_group(self, before: int, cell: float, most: float, least: float, by_width: int) -> None:
        """The weights' labels slotted since ``before`` as one group sized by one rule."""
        items = tuple(i for i, _ in self.slotted[before:])
        if items:
            self.label_groups.append((items, cell, most, least, by_width))

    def cover(self, g: Grid, k: int, first: int, last: int) -> None:
        """A plane filter k does not read: washed out, with a note."""
        wash = style.mix(self.theme.hatch, self.theme.background, 0.6)
        self.add(
            Rect(g.x, g.y, g.cols * g.cell, g.rows * g.cell, fill=wash, stroke=self.theme.hatch, width=1),
            first,
            last,
        )
        size = min(SMALL_PX, g.cols * g.cell / 9)
        note = f"not read by filter {k}"
        if text_width(note, size) > g.cols * g.cell - 4:
            note = "not read"
        cx, cy = g.x + g.cols * g.cell / 2, g.y + g.rows * g.cell / 2 + BASELINE * size
        self.add(Text(cx, cy, note, size, self.theme.muted), first, last)

    def step_marks(self, step: Step) -> None:
        """The window in every plane the step reads, each plane's sum, the output cell."""
        frame = self.at(step.index)
        lay = self.layout
        for p, c in enumerate(step.planes):
            if c >= len(lay.inputs):
                continue
            self.taps(lay.inputs[c], step.rows, step.cols, frame)
            k = lay.kernels[c]
            y = k.y + k.rows * k.cell / 2 + BASELINE * SUM_PX
            self.add(
                Text(
                    lay.sum_x,
                    y,
                    self.marked(["\u03a3 ", ("ls", step.index, p)]),
                    SUM_PX,
                    self.theme.ink,
                    "start",
                ),
                frame,
                frame,
            )
        if step.channel < len(lay.outputs):
            g = lay.outputs[step.channel]
            self.outline(g, (step.out[0],) * 2, (step.out[1],) * 2, self.theme.highlight, frame)
            # from the sum to the row of the cell it fills (the cell itself is framed)
            y = self.group_middle(step.channel)
            several = len([c for c in step.planes if c < len(lay.inputs)]) > 1
            start = (lay.sigma_x + SYMBOL_PX / 2 + 4, y)
            if not several:  # from the end of the plane's own sum
                k = lay.kernels[step.planes[0]] if step.planes[0] < len(lay.kernels) else lay.kernels[0]
                end = lay.sum_x + self.sum_width + 4  # the widest sum's end: the same for any values
                start = (end, k.y + k.rows * k.cell / 2)
            self.arrow(start, (g.x - 3, g.y + (step.out[0] + 0.5) * g.cell), frame)

    # ------------------------------------------------------------------ text

    def strip(self) -> None:
        self.equation(self.poster_formula(), 0, 0)
        if self.direct:
            options = (
                "the same numbers as a convolution of the zero-inserted input, each weight plane "
                "rotated 180\u00b0",
                "a convolution of the zero-inserted input, weights rotated 180\u00b0",
                "weights rotated 180\u00b0",
            )
            fits = [t for t in options if fast_width(t, EQUATION_PX) <= self.room]
            self.equation((fits or options[-1:])[0], 1, 1)
        for i, frame in enumerate(self.turns[0] if self.turns else ()):
            self.equation(fitting(frame.equations, self.room), 1 + i, 1 + i)
        for step in self.comp.steps:
            frame = self.at(step.index)
            self.strip_slot(("le", step.index), frame)
        self.strip_slot(self.summary_recipe(), self.last)

    def strip_slot(self, recipe: ls.Node | ls.Recipe, frame: int) -> None:
        """A slot's text in the equation strip on one frame (if there is a strip)."""
        if self.layout.equation_y is not None:
            self.equation(self.marked(recipe), frame, frame)

    def poster_formula(self) -> str:
        b = " + b[k]" if self.has_bias else ""
        kh, kw = self.comp.weights.shape[2:]
        if (kh, kw) == (1, 1):
            formula, why = (
                f"out[k][a,b] = \u03a3c w[k,c] \u00b7 in[c][a,b]{b}",
                ": a weighted sum across channels",
            )
        elif self.stage.flip:
            where = f"a+{kh - 1}\u2212i, b+{kw - 1}\u2212j"
            formula = f"out[k][a,b] = \u03a3c \u03a3\u1d62\u2c7c w[k,c][i,j] \u00b7 in[c][{where}]{b}"
            whys = ("   (true convolution: each plane turned 180\u00b0)", "   (true convolution)")
            return fitting((*(formula + why for why in whys), formula), self.room)
        else:
            formula = f"out[k][a,b] = \u03a3c \u03a3\u1d62\u2c7c w[k,c][i,j] \u00b7 in[c][a+i, b+j]{b}"
            why = "   (filter k fills map k)"
        return formula + why if fast_width(formula + why, EQUATION_PX) <= self.room else formula

    def step_equation(self, step: Step) -> str:
        """ "out[1][0,2] = Σ(R) + Σ(G) + Σ(B) + b = 4 + 3 − 1 + 0.5 = 6.5", fitted to the strip
        (its slot: frames/layer_slots.equation)."""
        return self.slot(("le", step.index))

    def summary(self) -> str:
        return self.slot(self.summary_recipe())

    def summary_recipe(self) -> ls.Recipe:
        out = self.comp.output
        shape = f"{out.shape[0]}\u00d7{out.shape[1]}\u00d7{out.shape[2]}"
        return [f"output {shape} complete: min ", ("lmin",), ", max ", ("lmax",)]

    def infos(self) -> list[FrameInfo]:
        t, s = self.s.timing, self.s
        cout, oh, ow = self.comp.output.shape
        shape = f"{cout}\u00d7{oh}\u00d7{ow}"
        (h, w), cin = s.image.shape, s.image.channels
        self.readouts = {}
        infos = [
            FrameInfo(
                t.poster_ms,
                None,
                None,
                f"poster: input {cin}\u00d7{h}\u00d7{w}, {count(cout, 'filter')}, output {shape}",
            )
        ]
        if self.direct:
            infos.append(FrameInfo(t.poster_ms, None, None, "the weight planes rotated by 180 degrees"))
        infos += [FrameInfo(t.poster_ms, None, None, frame.readout) for frame in (self.turns or [()])[0]]
        for step in self.comp.steps:
            where = f"out[{step.channel}][{step.out[0]},{step.out[1]}]"
            recipe: ls.Recipe = ["step ", ("s",), f"/{self.n_steps}: {where} = ", ("o",)]
            self.readouts[len(infos)] = (step.index, recipe)
            readout = self.slot(recipe, step.index)
            infos.append(FrameInfo(t.step_ms, step.index, step.out, readout, channel=step.channel))
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {shape}"))
        return infos

    def frames(self):
        self.body()
        width = self.widened()
        if width is not None:  # a text too long for the picture: widen it and draw again
            self.layout = dataclasses.replace(self.layout, width=width)
            self.items = []
            self.body()
        size = (self.layout.width, self.layout.height)
        frames = self.assemble(
            self.s.title,
            size,
            tuple(self.infos()),
            self.layout.outputs[0],
            self.layout.outputs,
            maps=self.map_grids(),
        )
        return dataclasses.replace(frames, layer=self.layer_slots(frames.alt)) if self.editable else frames

    @property
    def editable(self) -> bool:
        """Whether a player can edit this layer: a conv2d's (flipped or not) or a transposed one's
        direct view, every plane drawn (or ``partial``), products added in an order the program
        follows."""
        comp, lay = self.comp, self.layout
        drawn = (self.partial or len(lay.inputs) == comp.grid.shape[0]) and len(
            lay.outputs
        ) == comp.output.shape[0]
        return drawn and self.vals.program.order is not None

    def given_order(self) -> np.ndarray:
        """For each weight the layer slides (flat), the flat index of the weight the scenario gives
        in its place: a flip's planes turned by 180°, a transposed layer's (C_in, C_out/groups,
        kh, kw) weights as steps.direct_weights reads them (the same rule run on the indices)."""
        given = self.stage.kernel.values
        index = np.arange(given.size, dtype=float).reshape(given.shape)
        if self.direct:
            index = direct_weights(index, self.stage.groups)
        elif self.stage.flip:
            index = index[..., ::-1, ::-1]
        order = index.ravel().astype(int)
        assert np.array_equal(given.ravel()[order], self.comp.weights.ravel())
        return order

    def layer_slots(self, alt: str) -> ls.LayerSlots:
        """What a player needs to redo every value-dependent item (frames/layer_slots.py)."""
        origin = self.comp.origin.reshape(-1, 2)
        w = self.s.image.shape[1]
        flat = np.where(origin[:, 0] < 0, -1, origin[:, 0] * w + origin[:, 1])
        image = self.s.image.values
        bias = self.comp.bias if self.comp.bias is not None else np.zeros(0)
        c, most, least = self.value_size_rule()
        return ls.LayerSlots(
            items=tuple(self.slotted),
            readouts=tuple((frame, k, recipe) for frame, (k, recipe) in sorted(self.readouts.items())),
            values=self.vals,
            given=self.stage.kernel.values,
            order=self.given_order(),
            image=image,
            origin=flat,
            texts=self.value_px is not None,
            colormap=self.render.colormap,
            output_colormap=self.render.output_colormap,
            averaging=all(style.averages(w) for w in self.comp.weights) and not np.any(bias),
            sizes=(c, most, least, int(self.render.values is True), self.render.scale),
            labels=tuple(self.label_groups),
            ranges=tuple(tuple(r) for r in self.ranges),
            alt=ls.alt_parts(alt, image, self.comp.output),
            alt_recipe=self.alt_recipe(alt),
        )

    def alt_recipe(self, alt: str) -> tuple[Any, ...]:
        """The alt text as a recipe (alttext.layer_recipe) when it is one (an image of one plane,
        given as 2-D, which the alt text names by its pattern or its shape), else none."""
        if not layer_plane(self.s):
            return ()
        recipe = layer_recipe(self.s)
        text = recipe_text(recipe, self.s.image.values[0], self.comp.weights[0, 0], self.comp.output, None)
        return tuple(recipe) if text[:1].upper() + text[1:] == alt else ()

    def map_grids(self) -> tuple[MapGrid, ...]:
        """Each drawn input channel's cells (padding left out) and each drawn output map."""
        inputs = [
            (c, image_grid(g, self.comp.ghost, self.s.image.shape)) for c, g in enumerate(self.layout.inputs)
        ]
        return (
            *(MapGrid(0, c, g) for c, grids in inputs for g in grids),
            *(MapGrid(1, k, g) for k, g in enumerate(self.layout.outputs)),
        )


def _names(given: tuple[str, ...] | None, n: int, prefix: str) -> list[str]:
    return list(given) if given else [f"{prefix}[{c}]" for c in range(n)]


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.round(values) == values))
