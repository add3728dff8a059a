"""The operation panel of a layer with channels, between its maps: the current filter's planes
(its weights written, or drawn as colour when they would not be legible) and bias, and before and
after the stage every filter side by side, so each output channel traces to its filter."""

from __future__ import annotations

import numpy as np

from .. import style
from ..display import Rect, Text
from ..filters import plane_labels
from ..layout import SMALL_PX
from ..model import Illustration
from ..stage import Stage
from ..steps import Scatter, conv_weights
from ..textsize import text_width
from ..words import count
from . import operations as ops
from . import signal_words as words
from .base import BASELINE, fit
from .chain import ChainBuilder
from .channel_panels import ELLIPSIS, PANEL_LABEL

MAX_OP_PLANES = 5  #: planes of the current filter drawn between the maps
LAYER_CELL = 28  #: cell of a filter's planes, its weights written in them
SWATCH_CELL = 16  #: cell of a filter's planes drawn as colour (their numbers are in the zoom)
OVERVIEW_CELL = 10  #: smallest cell of the every-filter overview (a plane at least SWATCH_CELL tall)
SWATCH_LEGEND = "green +, purple \u2212"  #: how a filter drawn as colour reads (PRGn)


class FilterPanels(ChainBuilder):
    """Draws the operation panels of a chain with channels (the maps' names in ``names``)."""

    names: list[tuple[str, ...]]  #: each map's channel names, the input's first

    def __init__(self, scenario: Illustration) -> None:
        self._labels_of: dict[int, list[tuple[tuple[str, ...], ...]]] = {}  #: by id of the stage
        self._written_of: dict[int, bool] = {}
        super().__init__(scenario)

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
