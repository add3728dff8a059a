"""Frames of a 1-D stage (a signal): each map drawn as bars over a row of its numbers, the kernel's
weights in a row under the window as it slides, the output's bars and numbers filling in below.

With channels the input planes stack, each with the plane of the current filter that reads it and
its sum (Σ), and the output maps stack under them, the one being filled framed. The stage is the
2-D computation on maps of height 1 (see rank.py), so its steps are the 2-D steps with row 0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .. import style
from ..arithmetic import conv_out_formula, pool_out_formula, span, transpose_out_formula
from ..display import FrameInfo, Frames, Grid, Item, Line, MapGrid, Rect, Text
from ..filters import plane_labels
from ..kernels import weight_is_exact
from ..layout import EQUATION_PX, PAD, TITLE_PX, visible_parts
from ..model import Illustration
from ..numfmt import formatter
from ..signal_alt import alt_parts, conv1d_recipe
from ..steps import Computation, Map, Pool, Sample, Step, sum_order
from ..textsize import fast_width, text_width
from . import labels as lab
from . import layer_slots as ls
from . import slots as sl
from .base import BASELINE, COUNTER_PX, Builder, averages_values, fit, image_grid, paren, shorten
from .scaling import grown, unit
from .window import expansion

LABEL_PX = 16  #: the first line over the input and the output
SMALL_PX = 14  #: every other text is at least this (legible once the picture fits 1920×1080)
NAME_PX = 14
GAP = 12
BARS = 1.6  #: height of a bar band, in cells
MAX_IN = 3  #: input planes drawn; with more, the first ones and a line saying how many are not
MAX_BANDS = 4  #: maps drawn in all, inputs and outputs, so the numbers keep a legible size
WIDTH = 1880  #: the widest picture the automatic cell size makes
TARGET_WIDTH = 960  #: the automatic cell size aims at this width (wider for long values)
TARGET_HEIGHT = 800  #: the automatic cell size keeps the picture about this tall
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Band:
    """One map: its bars above a row of cells."""

    x: float
    top: float  #: top of the bar band
    height: float  #: of the bar band
    cells: Grid  #: the row of numbers under it
    kernel_y: float | None  #: top of the kernel row under it (input planes)


@dataclass(frozen=True)
class SignalLayout:
    width: int
    height: int
    cell: float
    title_y: float
    caption_y: float | None
    in_label_y: float
    out_label_y: float
    inputs: tuple[Band, ...]
    outputs: tuple[Band, ...]
    more_in: float | None  #: baseline of the "… more channels" line
    more_out: float | None
    sum_x: float
    equation_y: float | None

    @property
    def input(self) -> Grid:
        return self.inputs[0].cells

    @property
    def output(self) -> Grid:
        return self.outputs[0].cells


class SignalBuilder(Builder):
    """Any single 1-D stage on numbers: conv1d (and conv_transpose1d as its direct convolution),
    pools, upsampling and ReLU, with or without channels."""

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        s = scenario
        self.s, self.comp, self.render, self.stage = s, comp, s.render, s.stages[0]
        op = self.stage.operation
        self.conv = op in ("conv2d", "conv_transpose2d")
        self.direct = op == "conv_transpose2d"
        self.window = self.conv or op in ("max_pool2d", "avg_pool2d")
        self.flip = self.stage.flip  # true convolution: the kernel turns (its own frames) first
        self.first_step = 1 + self.stage.turn_frames
        self.slide = (1, 1) if self.direct else s.stride  # the direct view slides by 1
        self.n_steps = len(comp.steps)
        self.last = self.first_step + self.n_steps
        self.items: list[Item] = []
        grid, weights, out = comp.grid[:, 0], comp.weights, comp.output[:, 0]
        self.grid, self.out = grid, out
        self.per_map = out.shape[1]
        self.channels = self.stage.has_channels or s.layered
        self.in_names = list(s.image.names) if s.image.names else [f"in[{c}]" for c in range(grid.shape[0])]
        finite = grid[np.isfinite(grid)]
        bias = comp.bias if comp.bias is not None else np.zeros(0)
        whole = all(_integral(a) for a in (finite, weights, bias)) or not averages_values(self.stage)
        self.fmt_in = formatter(self.render.number_format, grid)
        self.fmt_out = formatter(self.render.number_format, out, least=0 if whole else 1)
        self.plane_labels = [[plane_labels(p, weights) for p in w] for w in weights]
        self.exact = [all(weight_is_exact(v) for v in w.ravel()) for w in weights]
        self.labels = self.label_lines()
        # editable in the player (one-channel conv1d): its value texts and bars through slots
        self.maximum = op == "max_pool2d"  # max_pool1d: the window's first maximum, outlined
        self.pool = op == "avg_pool2d"  # avg_pool1d: the window's sum over its divisor
        self.order = (
            (
                "max"
                if self.maximum
                else "pool"
                if self.pool
                else sum_order(comp.grid.shape[1:], comp.weights.shape[2:], self.slide, s.dilation)
            )
            if sl.signal_editable(s)
            else None
        )
        self.editable = self.order is not None
        #: editable as a layer (channels, a bias): every map drawn, an order the program follows
        self.chan = (
            sl.signal_layer_editable(s)
            and bands(comp.grid.shape[0], comp.output.shape[0]) == (comp.grid.shape[0], comp.output.shape[0])
            and sum_order(comp.grid.shape[1:], comp.weights.shape[2:], s.stride, s.dilation) is not None
        )
        #: what an edit in the player may set: an editable signal is laid out for any values in
        #: these ranges (its cell from the widest numbers they allow), never for its own values,
        #: so that the page after an edit is the picture Python draws for the edited values
        self.ranges = ls.ranges(s.image.values, weights, comp.bias) if self.editable or self.chan else None
        self._lvals: ls.LayerValues | None = None
        self.label_items: dict[int, list[int]] = {}  #: (chan) filter: items of its weights' labels
        self.layout = self._layout()
        self.value_px = self._value_px()
        self.grid_line = self.theme.grid_line
        self.stroke = max(2.0, round(self.layout.cell * 0.08))
        self.vals: sl.Values | None = None
        self.slotted: list[tuple[int, object]] = []  #: (item index, slot) of what follows an edit
        self.readouts: dict[int, sl.Recipe] = {}

    def values(self) -> sl.Values:
        """What the slots read (the 1×L grid, the 1×k weights), on the current layout."""
        comp = self.comp
        taps = np.array([st.cols for st in comp.steps])
        finite = self.grid[np.isfinite(self.grid)]
        scales = style.scales(
            finite, comp.weights[0, 0], self.out, self.render.colormap, self.render.output_colormap
        )
        return sl.Values(
            comp.grid[0].ravel(),
            comp.weights[0, 0],
            comp.output[0].ravel(),
            self.fmt_in,
            self.fmt_out,
            *scales,
            self.theme,
            self.stage.kernel.preset if self.stage.kernel else None,
            self.room,
            taps,
            comp.output.shape[2],
            pool=self.pool_rule(taps) if self.pool else None,
            maximum=self.maximum,
        )

    def pool_rule(self, taps: np.ndarray) -> tuple[tuple[int, ...], np.ndarray | None]:
        """An average pool's divisors, and which taps are the signal's where padding is not counted."""
        real = None if self.stage.count_include_pad else ~self.comp.ghost[0][taps]
        return tuple(int(st.divisor) for st in self.comp.steps), real

    @property
    def equation_kind(self) -> str:
        """The slot kind of a step's equation: a conv1d's "se", a max_pool1d's "sx", an
        avg_pool1d's "sm" (frames/slots.signal_text), a conv1d's with channels "sc"."""
        return "sc" if self.chan else "sx" if self.maximum else "sm" if self.pool else "se"

    @property
    def lvals(self) -> ls.LayerValues:
        """What a signal layer's slots read (frames/layer_slots.py), on the current layout."""
        if self._lvals is None or self._lvals.room != self.room:
            comp, st = self.comp, self.stage
            cols = comp.grid.shape[2]
            planes = [self.reads(k) for k in range(comp.output.shape[0])]
            program = ls.layer_program((1, cols), comp.weights.shape[2:], st.stride, st.dilation, planes)
            self._lvals = ls.LayerValues.of(
                comp,
                program,
                fmt_in=self.fmt_in,
                fmt_out=self.fmt_out,
                room=self.room,
                names=tuple(self.in_names),
            )
        return self._lvals

    def reads(self, k: int) -> tuple[int, ...]:
        """The input planes filter k reads (its group's)."""
        return next(tuple(st.planes) for st in self.comp.steps if st.channel == k)

    def slot(self, node: object, at: int | None = None) -> None:
        """Remember that item ``at`` (by default the last one added) follows ``node``."""
        if self.editable or self.chan:
            self.slotted.append((len(self.items) - 1 if at is None else at, node))

    def layer_slots(self) -> ls.LayerSlots:
        """The editable picture's slots as a layer's (``Frames.layer``), with its bar bands."""
        lay, k = self.layout, self.render.scale
        origin = self.comp.origin[0, 0] if self.comp.origin.ndim == 4 else self.comp.origin[0]
        flat = np.where(origin[:, 0] < 0, -1, origin[:, 1])
        bands = (lay.inputs[0].top, lay.inputs[0].height, lay.outputs[0].top, lay.outputs[0].height, k)
        assert self.ranges is not None
        return ls.LayerSlots(
            items=tuple(self.slotted),
            readouts=tuple((frame, i, recipe) for frame, (i, recipe) in sorted(self.readouts.items())),
            values=self.lvals,
            given=self.stage.kernel.values,
            order=self.given_order(),
            image=self.s.image.values.reshape(self.comp.grid.shape[0], 1, -1),
            origin=flat,
            texts=self.value_px is not None,
            colormap=self.render.colormap,
            output_colormap=self.render.output_colormap,
            averaging=False,
            sizes=(lay.cell * k, 16.0 * k, 8.0, int(self.render.values is True), k, lay.cell, 8.0),
            labels=tuple(
                (tuple(items), lay.cell, 16.0, 8.0, 0) for _, items in sorted(self.label_items.items())
            ),
            ranges=tuple(tuple(r) for r in self.ranges),
            alt=alt_parts(self.s),
            bands=bands,
            tops=(tuple(b.top for b in lay.inputs), tuple(b.top for b in lay.outputs)),
        )

    def given_order(self) -> np.ndarray:
        """For each weight that slides (flat), the flat index of the weight the scenario gives in
        its place: a flip's taps reversed (the rule the steps run, applied to indices)."""
        given = self.stage.kernel.values
        index = np.arange(given.size).reshape(given.shape)
        order = (index[..., ::-1] if self.flip else index).ravel()
        assert np.array_equal(given.ravel()[order], self.comp.weights.ravel())
        return order

    def slots(self) -> sl.Slots:
        """The editable picture's slots and rules (``Frames.slots``)."""
        lay, k = self.layout, self.render.scale
        origin = self.comp.origin[0, 0] if self.comp.origin.ndim == 4 else self.comp.origin[0]
        flat = np.where(origin[:, 0] < 0, -1, origin[:, 1])
        cell = lay.cell * k
        bands = (lay.inputs[0].top, lay.inputs[0].height, lay.outputs[0].top, lay.outputs[0].height, k)
        return sl.Slots(
            tuple(self.slotted),
            tuple((frame, i, recipe) for frame, (i, recipe) in sorted(self.readouts.items())),
            self.vals,
            flat,
            (1, self.stage.input_shape[1]),
            self.comp.grid.shape[2],
            self.value_px is not None,
            self.render.colormap,
            self.render.output_colormap,
            self.order,
            (cell, 16.0 * k, 8.0, int(self.render.values is True), k, lay.cell, 8.0),
            tuple(conv1d_recipe(self.s)),
            flip=self.flip or self.direct,  # (the direct view's weights slide reversed, as a flip's)
            marker=(lay.input.x, lay.input.y, lay.cell, 3, k) if self.maximum else (),
            bands=bands,
        )

    # ------------------------------------------------------------------ words

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        st, comp = self.stage, self.comp
        cin, n = comp.grid.shape[0], st.input_shape[1]
        cout, m = comp.output.shape[0], comp.output.shape[2]
        head = f"input {cin}\u00d7{n}" if self.channels else f"input: {n} samples"
        if self.direct:
            gaps, border = st.stride[1] - 1, st.dilation[1] * (st.kernel_size[1] - 1) - st.padding[2]
            between = f"{gaps} zero{'s' * (gaps != 1)} between samples, " if gaps else ""
            head += f", {between}border {border}: {comp.grid.shape[2]}, hatched"
        elif comp.grid.shape[2] != n:
            mode = "" if st.padding_mode == "zeros" else f" ({st.padding_mode})"
            what = "zeros" if st.padding_mode == "zeros" else "copies"
            head += f", padded{mode} to {comp.grid.shape[2]}: hatched {what}"
        op = st.operation
        k, s_, d = st.kernel_size[1], st.stride[1], st.dilation[1]
        extras = []
        if self.conv:
            planes = comp.weights.shape[1]
            what = f"kernel {k}" + (f" ({st.kernel.preset})" if st.kernel.preset else "")
            if self.channels:
                what = f"{cout} filter{'s' * (cout > 1)} of {planes} plane{'s' * (planes > 1)}, {k} taps"
            if self.direct:
                what += " reversed"
                extras.append("stride 1 over the spread-out input")
            else:
                extras.append(f"stride {s_}")
                extras.append(lab.padding_text(st))
            if st.groups > 1:
                extras.append(f"groups {st.groups}")
            if self.flip:
                extras.append("flipped (true convolution)")
        elif self.window:
            what = f"{'max' if op == 'max_pool2d' else 'average'} pool {k}"
            extras.append(f"stride {s_}")
            extras.append(f"padding {st.padding[2]}" if st.padding[2] else "no padding")
            if st.ceil_mode:
                extras.append("ceil_mode")
            if op == "avg_pool2d" and not st.count_include_pad and st.padding[2]:
                extras.append("padding not counted")
        elif op == "upsample":
            how = f"to {st.size[1]}" if st.size is not None else f"\u00d7{_num(st.scale_factor[1])}"
            what = f"{st.mode} upsampling {how}"
            if st.mode == "linear":
                extras.append(f"align_corners {'true' if st.align_corners else 'false'}")
        else:
            what = "ReLU: max(0, x)"
        if d > 1:
            extras.append(f"dilation {d}")
        if any(st.output_padding):
            extras.append(f"output_padding {st.output_padding[1]}")
        middle = [what + (", " + ", ".join(extras) if extras else "")]
        size = f"output {cout}\u00d7{m}" if self.channels else f"output: {m} samples"
        return [head], middle, [size + self._formula()]

    def _formula(self) -> str:
        st, n = self.stage, self.stage.input_shape[1]
        k, s_, d, p = st.kernel_size[1], st.stride[1], st.dilation[1], st.padding
        if st.operation == "conv2d":
            return "  " + conv_out_formula(n, k, s_, p[2:], d)
        if st.operation == "conv_transpose2d":
            return "  " + transpose_out_formula(n, k, s_, p[2], st.output_padding[1], d)
        if st.operation in ("max_pool2d", "avg_pool2d"):
            return "  " + pool_out_formula(n, k, s_, p[2], d, st.ceil_mode)
        return ""

    # ------------------------------------------------------------------ geometry

    def _layout(self) -> SignalLayout:
        comp, s = self.comp, self.s
        cin, cols = comp.grid.shape[0], comp.grid.shape[2]
        cout, m = comp.output.shape[0], comp.output.shape[2]
        n_in, n_out = bands(cin, cout)
        sum_w = 0.0
        if self.channels and self.conv:
            sums = [v for st in comp.steps for v in st.sums] or [0.0]
            texts = [self.fmt_out(v) for v in (min(sums), max(sums))]
            if self.ranges is not None:  # the widest sum of a plane the ranges allow
                texts = ls.widest(self.bounds()[1], None)
            sum_w = max(text_width(f"\u03a3 {t}", SMALL_PX) for t in texts) + GAP
        need = max(text_width(t, SMALL_PX) for t in self.cell_texts()) + 10
        offset = self.offset()
        span_cols = max(cols, offset + m)
        by_width = (WIDTH - 2 * PAD - sum_w) / span_cols
        kernel_rows = 1 if self.conv else 0
        rows = n_in * (BARS + 1 + kernel_rows) + n_out * (BARS + 1)
        fixed = 200 + (n_in + n_out) * (NAME_PX + 10 + GAP) + (40 if cin > n_in or cout > n_out else 0)
        by_height = ((TARGET_HEIGHT if n_in + n_out <= 2 else 1000) - fixed) / rows
        k = self.render.scale
        target = (TARGET_WIDTH - 2 * PAD - sum_w) / span_cols
        auto = int(max(22, min(64, max(need, target), by_width, by_height)))
        cell = unit(self.render.cell_px or grown(auto, k), k)
        y = PAD + TITLE_PX
        title_y, caption_y = y, None
        if s.caption:
            y += 8 + SMALL_PX
            caption_y = y
        in_label_y = y + 16 + LABEL_PX
        y = in_label_y + (SMALL_PX + 6)  # the kernel's line under the input's
        x = PAD
        inputs = []
        for _ in range(n_in):
            name = NAME_PX + 10 if self.channels else 12
            top = y + name
            row = top + BARS * cell
            kernel_y = row + cell + 4 if self.conv else None
            inputs.append(Band(x, top, BARS * cell, Grid(x, row, 1, cols, cell), kernel_y))
            y = (kernel_y + cell if kernel_y is not None else row + cell) + GAP
        more_in = None
        if cin > n_in:
            more_in = y + SMALL_PX
            y += SMALL_PX + GAP
        out_label_y = y + 8 + LABEL_PX
        y = out_label_y + 14
        x_out = x + offset * cell
        outputs = []
        for _ in range(n_out):
            name = NAME_PX + 10 if self.channels else 12
            top = y + name
            row = top + BARS * cell
            outputs.append(Band(x_out, top, BARS * cell, Grid(x_out, row, 1, m, cell), None))
            y = row + cell + GAP
        more_out = None
        if cout > n_out:
            more_out = y + SMALL_PX
            y += SMALL_PX + GAP
        equation_y = None
        if self.render.equation:
            equation_y = y + 10 + EQUATION_PX
            y = equation_y + 6
        right = max(x + cols * cell + sum_w, x_out + m * cell)
        label_w = max(
            text_width(t, LABEL_PX if i == 0 else SMALL_PX)
            for i, t in enumerate([self.labels[0][0], self.labels[1][0], self.labels[2][0]])
        )
        counter_w = text_width(f"step {self.n_steps} / {self.n_steps}", COUNTER_PX)
        width = max(
            right + PAD,
            PAD + label_w + PAD,
            PAD + text_width(s.title, TITLE_PX, True) + 2 * GAP + counter_w + PAD,
            2 * PAD + self.equation_floor(),
        )
        return SignalLayout(
            width=int(-(-width // 2) * 2),
            height=int(-(-(y + PAD) // 2) * 2),
            cell=cell,
            title_y=title_y,
            caption_y=caption_y,
            in_label_y=in_label_y,
            out_label_y=out_label_y,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            more_in=more_in,
            more_out=more_out,
            sum_x=x + cols * cell + GAP,
            equation_y=equation_y,
        )

    def cell_texts(self) -> list[str]:
        """The numbers the automatic cell is sized for: the values and the weights' labels, or,
        editable, the widest input, weight and output the ranges allow (frames/layer_slots.py)."""
        comp = self.comp
        if self.ranges is None:
            texts = [self.fmt_in(v) for v in np.unique(comp.grid)]
            texts += [self.fmt_out(v) for v in np.unique(self.out)]
            return texts + [t for f in self.plane_labels for p in f for row in p for t in row]
        x, _, out, _ = self.bounds()
        return ls.widest(x, None) + ls.widest(out, None) + (ls.widest(self.ranges[1][1], None) * self.conv)

    def equation_floor(self) -> float:
        """Editable: the width (fast_width) of the widest equation strip text, in its shortest
        form, that values in the ranges can write (three terms of the widest numbers and labels,
        the bias, the widest output), so that no edit widens the picture; 0 otherwise."""
        if self.ranges is None or not self.render.equation:
            return 0.0
        bound = self.bounds()
        x, total, out, b = (ls.widest(v, None)[0] for v in bound)
        m, taps = self.out.shape[1] - 1, self.comp.weights.shape[3]
        head = f"out[{self.out.shape[0] - 1}][{m}] = " if self.chan else f"output[{m}] = "
        if self.maximum:
            texts = [f"{head}max({x}, \u2026, {x}) = {x}"]
        elif self.pool:
            whole = ls.widest(taps * bound[0], None)[0]  # the window's sum
            texts = [f"{head}({x} + {x} + {x})/{taps} = {whole}/{taps} = {x}"]
        else:
            w = self.ranges[1][1]
            label = max(("\u2212" + "8" * len(str(int(w))) + ".888", "\u22128.8e-04", "\u221299/64"), key=len)
            term = f"({label})\u00b7({x})"
            bias = [f"({b})"] if self.comp.bias is not None else []
            planes = self.comp.weights.shape[1]  # several: each plane's sum, else its products
            terms = [total] * min(planes, 3) if planes > 1 else [term] * min(taps, 3)
            texts = [f"{head}{' + '.join(terms + bias)} \u2248 {out}"]
        cout, n = self.out.shape
        size = f"{cout}\u00d7{n}" if self.chan else f"{n} samples"
        texts.append(f"output {size} complete: min {out}, max {out}")
        return max(fast_width(t, EQUATION_PX) for t in texts)

    def bounds(self) -> tuple[float, float, float, float]:
        """The greatest magnitudes of an input value, a plane's sum, an output and the bias the
        ranges allow (a pool's output is one of its inputs, or their mean)."""
        assert self.ranges is not None
        weights = self.comp.weights
        x, total, out, b = ls.bounds(self.ranges, weights.shape[3], weights.shape[1])
        return (x, total, out, b) if self.conv else (x, x, x, 0.0)

    def offset(self) -> float:
        """Where the output row starts, in input cells: under the centre of the first window, so
        with stride 1 each output sample sits under the window that makes it."""
        if not self.window:
            return 0.0
        st = self.stage
        d = 1 if self.direct else st.dilation[1]
        return (span(st.kernel_size[1], d if not self.direct else st.dilation[1]) - 1) / 2

    def _value_px(self) -> float | None:
        if self.render.values is False:
            return None
        texts = [self.fmt_in(v) for v in np.unique(self.comp.grid)] + [
            self.fmt_out(v) for v in np.unique(self.out)
        ]
        widest = max(texts, key=lambda t: text_width(t, 10))
        c = self.layout.cell * self.render.scale
        size = fit(widest, c, 16.0 * self.render.scale, 8.0)
        if size is None:
            return 8.0 / self.render.scale if self.render.values else None
        return size / self.render.scale

    # ------------------------------------------------------------------ assembly

    def frames(self) -> Frames:
        self.body()
        width = self.widened()
        if width is not None:
            self.layout = dataclasses.replace(self.layout, width=width)
            self.items = []
            self.body()
        size = (self.layout.width, self.layout.height)
        grids = tuple(b.cells for b in self.layout.outputs) if self.comp.output.shape[0] > 1 else ()
        frames = self.assemble(
            self.s.title, size, tuple(self.infos()), self.layout.outputs[0].cells, grids, self.map_grids()
        )
        if self.chan:
            return dataclasses.replace(frames, layer=self.layer_slots())
        return dataclasses.replace(frames, slots=self.slots()) if self.editable else frames

    def map_grids(self) -> tuple[MapGrid, ...]:
        """Each drawn input channel's samples (padding left out) and each drawn output channel's."""
        inputs = [
            (c, image_grid(b.cells, self.comp.ghost, self.s.image.shape))
            for c, b in enumerate(self.layout.inputs)
        ]
        return (
            *(MapGrid(0, c, g) for c, grids in inputs for g in grids),
            *(MapGrid(1, k, b.cells) for k, b in enumerate(self.layout.outputs)),
        )

    def body(self) -> None:
        self.slotted, self.readouts, self.label_items = [], {}, {}
        if self.editable:
            self.vals = self.values()
        self.words()
        self.input_maps()
        self.output_maps()
        if self.conv:
            self.filters()
        for step in self.comp.steps:
            self.step_marks(step)
        self.counter()
        self.strip()

    def words(self) -> None:
        lay, ink, muted = self.layout, self.theme.ink, self.theme.muted
        self.add(Text(PAD, lay.title_y, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", SMALL_PX, muted, "start"))
        (inp,), (middle,), (out,) = self.labels
        self.add(Text(PAD, lay.in_label_y, inp, LABEL_PX, ink, "start"))
        preset = sl.text([("p",)], self.vals) if self.editable else ""
        if preset and preset in middle:  # the preset's name, which an edit drops, is a slot
            head, tail = middle.split(preset, 1)
            recipe = [head, ("p",), tail]
            middle = sl.text(recipe, self.vals)
        self.add(Text(PAD, lay.in_label_y + SMALL_PX + 6, middle, SMALL_PX, muted, "start"))
        if preset and preset in (self.labels[1][0]):
            self.slot(recipe)
        x_out = lay.outputs[0].x if lay.outputs[0].x + text_width(out, LABEL_PX) <= lay.width - PAD else PAD
        self.add(Text(x_out, lay.out_label_y, out, LABEL_PX, ink, "start"))
        for y, n, what in (
            (lay.more_in, self.comp.grid.shape[0] - len(lay.inputs), "channels"),
            (lay.more_out, self.comp.output.shape[0] - len(lay.outputs), "maps"),
        ):
            if y is not None:
                self.add(Text(PAD, y, f"\u2026 and {n} more {what}", SMALL_PX, muted, "start"))

    # ------------------------------------------------------------------ maps

    def bars(
        self,
        band: Band,
        values: np.ndarray,
        scale: tuple[float, float],
        first: int,
        last: int | None = None,
        ghost: np.ndarray | None = None,
        shown: list[int] | None = None,
        at: tuple[np.ndarray, int] | None = None,
    ) -> None:
        """Bars of ``values`` (those in ``shown``) over a zero line; ``scale`` is the band's (low,
        high) value range; ``at``: (every map's values flat, this map's first index) when the
        scale is theirs (a signal with channels, its slots flat over the maps)."""
        lo, hi = scale
        c = band.cells.cell
        zero = band.top + band.height * (hi / (hi - lo) if hi > lo else 1.0)
        per = band.height / (hi - lo) if hi > lo else 0.0
        bar, faint = self.theme.source, style.mix(self.theme.source, self.theme.background, 0.65)
        for j in range(len(values)) if shown is None else shown:
            v = float(values[j])
            fill = faint if ghost is not None and ghost[j] else bar
            if (self.editable or self.chan) and np.isfinite(v):  # every bar: an edit may raise a 0
                every, base = (values, 0) if at is None else at
                y0, h = sl.bar(base + j, every, band.top, band.height)
                self.add(Rect(band.x + (j + 0.2) * c, y0, 0.6 * c, h, fill=fill), first, last)
                self.slot(("bi" if shown is None else "bo", base + j))
                continue
            if not np.isfinite(v) or v == 0:
                continue
            h = v * per
            y0 = zero - h if h > 0 else zero
            self.add(Rect(band.x + (j + 0.2) * c, y0, 0.6 * c, abs(h), fill=fill), first, last)

    def zero_line(
        self, band: Band, scale: tuple[float, float], cols: int, node: str = "", index: int = 0
    ) -> None:
        lo, hi = scale
        zero = band.top + band.height * (hi / (hi - lo) if hi > lo else 1.0)
        self.add(Line(((band.x, zero), (band.x + cols * band.cells.cell, zero)), self.theme.grid_line, 1))
        if node:  # the slot ("zi", band) or ("zo", band): sl.zero_y is this rule
            self.slot((node, index))

    def input_maps(self) -> None:
        grid, ghost = self.grid, self.comp.ghost[0]
        scale = _range(grid)
        for c, band in enumerate(self.layout.inputs):
            if self.channels:
                self.add(
                    Text(band.x, band.top - 8, self.in_names[c], NAME_PX, self.theme.ink, "start", bold=True)
                )
            cols = grid.shape[1]
            self.zero_line(band, scale, cols, "zi", c)
            self.bars(
                band, grid[c], scale, 0, ghost=ghost, at=(grid.ravel(), c * cols) if self.chan else None
            )
            for j, v in enumerate(grid[c]):
                fill = self.theme.grid_line if ghost[j] else self.theme.background
                start = len(self.items)
                self.cell(band.cells, 0, j, v, fill, self.fmt_in, 0, ghost=bool(ghost[j]))
                if not ghost[j]:
                    self.slot(("si", c * cols + j), start)  # the cell's Rect; its Text follows
                elif self.value_px is not None:
                    self.slot(("lg", c, j) if self.chan else ("g", j))
            self.boundary(band)

    def boundary(self, band: Band) -> None:
        """A dark line around the signal's own samples, when padding surrounds them."""
        left = self.stage.padding[2]
        if self.direct or not any(self.stage.padding):
            return
        n = self.stage.input_shape[1]
        self.outline(
            band.cells, (0, 0), (left, left + n - 1), self.theme.boundary, 0, width=2, last=self.last
        )

    def output_maps(self) -> None:
        out, scale = self.out, _range(self.out)
        for k, band in enumerate(self.layout.outputs):
            if self.channels:
                biased = self.comp.bias is not None
                name = f"out[{k}]" + (f"  (bias {self.fmt_out(float(self.comp.bias[k]))})" if biased else "")
                recipe = [f"out[{k}]  (bias ", ("lb", k), ")"]
                if self.chan and biased:  # the bias's slot (the layer's "B"), which the page edits
                    name = sl.layer_text(recipe, self.lvals)
                self.add(Text(band.x, band.top - 8, name, NAME_PX, self.theme.ink, "start", bold=True))
                if self.chan and biased:
                    self.slot(recipe)
            self.zero_line(band, scale, out.shape[1], "zo", k)
            self.empty_grid(band.cells)
            for step in self.map_steps(k):
                for j in self.filled(step):
                    frame = self.at(step.index)
                    start = len(self.items)
                    self.cell(band.cells, 0, j, out[k, j], self.theme.background, self.fmt_out, frame)
                    m = out.shape[1]
                    self.slot(("so", k * m + j), start)
                    self.bars(
                        band, out[k], scale, frame, shown=[j], at=(out.ravel(), k * m) if self.chan else None
                    )
            self.border(band.cells)
            if out.shape[0] > 1:
                first, last = self.map_span(k)
                x0, y0 = band.x - 4, band.top - 4
                w, h = band.cells.cols * band.cells.cell + 8, band.height + band.cells.cell + 8
                self.add(
                    Rect(x0, y0, w, h, stroke=self.theme.highlight, width=2),
                    max(first, self.first_step),
                    min(last, self.last - 1),
                )

    def map_steps(self, k: int) -> list:
        if isinstance(self.comp.steps[0], Map):
            return list(self.comp.steps) if k == 0 else []
        return [st for st in self.comp.steps if st.channel == k]

    def filled(self, step) -> list[int]:
        """Output samples a step fills (ReLU: all of them, in every map at once)."""
        if isinstance(step, Map):
            return list(range(self.out.shape[1]))
        return [step.out[1]]

    def map_span(self, k: int) -> tuple[int, int]:
        steps = self.map_steps(k)
        first, last = self.at(steps[0].index), self.at(steps[-1].index)
        return (0 if k == 0 else first), (self.last if k == self.out.shape[0] - 1 else last)

    # ------------------------------------------------------------------ kernel

    def filters(self) -> None:
        """Filter k's weight planes, for its span, at the first window (poster)."""
        if not self.comp.steps:
            return
        step = self.comp.steps[0]
        if self.flip:  # as given on the poster and the first turn frame, then reversed
            given = [[plane_labels(p, self.stage.kernel.values) for p in w] for w in self.stage.kernel.values]
            taps = self.comp.weights.shape[3]  # given weight i is the reversed one at taps − 1 − i
            self.kernel_row(step, 0, 1, given[step.channel], tuple(range(taps - 1, -1, -1)))
            self.kernel_row(step, 2, self.first_step - 1)
            return
        self.kernel_row(step, 0, self.first_step - 1)

    def kernel_row(
        self, step: Step, first: int, last: int, labels: list | None = None, at: tuple[int, ...] | None = None
    ) -> None:
        """The weights of the step's filter under the window in each input plane it reads; a plane
        it does not read is covered. Editable, tap i's label is the slot of the weight that slides
        ``at[i]`` (a flip's given weights: the reversed ones read backwards), by default tap i's."""
        lay = self.layout
        labels = self.plane_labels[step.channel] if labels is None else labels
        at = tuple(range(self.comp.weights.shape[3])) if at is None else at
        if self.editable:  # the slots' labels (the same: filters.plane_labels of the one plane)
            labels = [[tuple(self.vals.labels[j] for j in at)]]
        size = fit(max((t for p in labels for row in p for t in row), key=len), lay.cell, 16.0, 8.0)
        for p, c in enumerate(step.planes):
            if c >= len(lay.inputs):
                continue
            band = lay.inputs[c]
            for i, col in enumerate(step.cols.tolist()):
                x, y = band.x + col * lay.cell, band.kernel_y
                fill = self.theme.kernel_fill
                self.add(
                    Rect(x, y, lay.cell, lay.cell, fill=fill, stroke=self.theme.highlight, width=1.5),
                    first,
                    last,
                )
                if size is not None:
                    self.add(
                        Text(
                            x + lay.cell / 2,
                            y + lay.cell / 2 + BASELINE * size,
                            labels[p][0][i],
                            size,
                            self.theme.text_on(fill),
                        ),
                        first,
                        last,
                    )
                    if self.chan:  # the layer's label node, grouped by filter for its size
                        self.slot(("lw", step.channel, p, at[i]))
                        self.label_items.setdefault(step.channel, []).append(len(self.items) - 1)
                    else:
                        self.slot(("sk", at[i]))
        for c, band in enumerate(lay.inputs):
            if c not in step.planes:
                g = band.cells
                wash = style.mix(self.theme.hatch, self.theme.background, 0.6)
                h = band.height + 2 * g.cell + 4
                self.add(
                    Rect(g.x, band.top, g.cols * g.cell, h, fill=wash, stroke=self.theme.hatch, width=1),
                    first,
                    last,
                )
                note = f"not read by filter {step.channel}"
                cy = band.top + h / 2 + BASELINE * SMALL_PX
                self.add(
                    Text(g.x + g.cols * g.cell / 2, cy, note, SMALL_PX, self.theme.text_on(wash)), first, last
                )

    # ------------------------------------------------------------------ steps

    def step_marks(self, step) -> None:
        frame = self.at(step.index)
        lay = self.layout
        if isinstance(step, Map):
            for k, band in enumerate(lay.outputs):
                for j in np.nonzero(step.changed[k, 0])[0].tolist() if k < step.changed.shape[0] else []:
                    self.outline(
                        lay.inputs[k].cells if k < len(lay.inputs) else band.cells,
                        (0, 0),
                        (j, j),
                        self.theme.source,
                        frame,
                        width=2,
                        inset=3,
                    )
            return
        k = step.channel
        if isinstance(step, Step):
            self.kernel_row(step, frame, frame)
            planes = step.planes
        else:
            planes = (k,)
        for p, c in enumerate(planes):
            if c >= len(lay.inputs):
                continue
            band = lay.inputs[c]
            if isinstance(step, Sample):
                self.sample_marks(band, step, frame)
            else:
                self.window_box(band, step.cols, frame)
            if isinstance(step, Step) and self.channels and self.conv:
                y = band.kernel_y + lay.cell / 2 + BASELINE * SMALL_PX
                recipe = ["\u03a3 ", ("ls", step.index, p)]
                text = (
                    sl.layer_text(recipe, self.lvals) if self.chan else f"\u03a3 {self.fmt_out(step.sums[p])}"
                )
                self.add(Text(lay.sum_x, y, text, SMALL_PX, self.theme.ink, "start"), frame, frame)
                self.slot(recipe)
            if isinstance(step, Pool) and step.chosen is not None:
                j = int(step.cols[step.chosen[1]])
                if self.editable:  # the slot's place (slots.chosen), which the page moves
                    j = sl.chosen(step.index, self.vals)
                    self.slot(("a", step.index), len(self.items))
                self.outline(band.cells, (0, 0), (j, j), self.theme.source, frame, width=2, inset=3)
            if isinstance(step, Step) and self.stage.padding_mode != "zeros" and not self.direct:
                self.sources(band, step, frame)
        if k >= len(lay.outputs) and lay.more_out is not None:  # a map not drawn: frame its line
            n = self.comp.output.shape[0] - len(lay.outputs)
            w = text_width(f"\u2026 and {n} more maps", SMALL_PX)
            box = Rect(
                PAD - 4,
                lay.more_out - SMALL_PX - 2,
                w + 8,
                SMALL_PX + 8,
                stroke=self.theme.highlight,
                width=2,
            )
            self.add(box, frame, frame)
        if k < len(lay.outputs):
            band = lay.outputs[k]
            j = step.out[1]
            self.outline(band.cells, (0, 0), (j, j), self.theme.highlight, frame)
            drawn = [c for c in planes if c < len(lay.inputs)]
            if self.window and drawn:
                self.connector_line(lay.inputs[drawn[-1]], step.cols, band, j, frame)

    def connector_line(self, src: Band, cols: np.ndarray, band: Band, j: int, frame: int) -> None:
        """A dashed line from the window (under its kernel row) to the output sample it makes,
        hidden behind the output label and the maps it crosses."""
        lay, c = self.layout, self.layout.cell
        bottom = (src.kernel_y if src.kernel_y is not None else src.cells.y) + c
        start = (src.x + (int(cols[0]) + int(cols[-1]) + 1) * c / 2, bottom + 2)
        end = (band.x + (j + 0.5) * c, band.top - 2)
        label = self.labels[2][0]
        x0 = lay.outputs[0].x if lay.outputs[0].x + text_width(label, LABEL_PX) <= lay.width - PAD else PAD
        covers = [
            (
                x0 - 4,
                lay.out_label_y - LABEL_PX - 2,
                x0 + text_width(label, LABEL_PX) + 4,
                lay.out_label_y + 6,
            )
        ]
        covers += [
            (b.x, b.top - NAME_PX - 10, b.x + b.cells.cols * c, b.cells.y + c + 4)
            for b in lay.outputs
            if b.top < band.top
        ]
        covers += [
            (b.x, b.top - NAME_PX - 10, b.x + max(b.cells.cols * c, 220), b.top - 2)
            for b in lay.outputs
            if b.top >= band.top
        ]
        for piece in visible_parts(start, end, covers):
            self.add(Line(piece, self.theme.highlight, 1.5, dash=True), frame, frame)

    def window_box(self, band: Band, cols: np.ndarray, frame: int) -> None:
        """The window over the bars and the numbers (each tap outlined when dilated)."""
        c = band.cells.cell
        c0, c1 = int(cols[0]), int(cols[-1])
        h = band.height + c + 4
        if c1 - c0 + 1 == len(cols):
            self.add(
                Rect(
                    band.x + c0 * c,
                    band.top - 2,
                    (c1 - c0 + 1) * c,
                    h,
                    stroke=self.theme.highlight,
                    width=self.stroke,
                ),
                frame,
                frame,
            )
            return
        for col in cols.tolist():
            self.add(
                Rect(
                    band.x + col * c + 1.5,
                    band.top - 2,
                    c - 3,
                    h,
                    stroke=self.theme.highlight,
                    width=self.stroke - 0.5,
                ),
                frame,
                frame,
            )

    def sample_marks(self, band: Band, step: Sample, frame: int) -> None:
        """Where an upsampled sample falls (a line) and the samples it blends."""
        c = band.cells.cell
        x = band.x + (step.source[1] + 0.5) * c
        self.add(
            Line(((x, band.top), (x, band.top + band.height + c)), self.theme.highlight, 2), frame, frame
        )
        for (_, j), w in zip(step.cells, step.weights, strict=True):
            if w > 0:
                self.outline(band.cells, (0, 0), (j, j), self.theme.source, frame, width=2, inset=3)

    def sources(self, band: Band, step: Step, frame: int) -> None:
        """Reflect, replicate, circular: each padding sample the window reads and where its value
        comes from, outlined alike."""
        ghost, origin, left = self.comp.ghost[0], self.comp.origin[0], self.stage.padding[2]
        for j in step.cols.tolist():
            if ghost[j]:
                self.outline(band.cells, (0, 0), (j, j), self.theme.source, frame, width=2, inset=3)
                src = int(origin[j, 1]) + left
                self.outline(band.cells, (0, 0), (src, src), self.theme.source, frame, width=2, inset=3)

    # ------------------------------------------------------------------ text

    def strip(self) -> None:
        self.equation(self.poster_formula(), 0, 0)
        if self.direct:
            k = self.stage.kernel_size[1]
            self.equation(
                "same numbers as a convolution of the spread-out input with the kernel reversed: "
                f"w\u2032[i] = w[{k - 1}\u2212i]",
                1,
                1,
            )
        if self.flip:
            k = self.stage.kernel_size[1]
            self.equation("true convolution turns the kernel: first the weights as given", 1, 1)
            self.equation(
                f"reversed, w\u2032[i] = w[{k - 1}\u2212i]: it now slides as PyTorch's conv1d does", 2, 2
            )
        for step in self.comp.steps:
            frame = self.at(step.index)
            before = len(self.items)
            self.equation(self.step_equation(step), frame, frame)
            if len(self.items) > before:
                self.slot((self.equation_kind, step.index))
        if self.chan:
            recipe = [f"output {self.out.shape[0]}\u00d7{self.out.shape[1]} complete: min "]
            recipe += [("lmin",), ", max ", ("lmax",)]
            self.equation(sl.layer_text(recipe, self.lvals), self.last, self.last)
            if self.layout.equation_y is not None:
                self.slot(recipe)
            return
        if self.editable:
            recipe = [f"output {self.out.shape[1]} samples complete: min ", ("lo",), ", max ", ("hi",)]
            self.equation(sl.text(recipe, self.vals), self.last, self.last)
            if self.layout.equation_y is not None:
                self.slot(recipe)
            return
        self.equation(self.summary(), self.last, self.last)

    def poster_formula(self) -> str:
        st, op = self.stage, self.stage.operation
        s_, d, p = st.stride[1], st.dilation[1], st.padding[2]
        if self.direct:
            return "output[j] = \u03a3\u1d62 w\u2032[i] \u00b7 z[j+i]   (z: the spread-out input)"
        if self.conv:
            index = (
                (f"{s_}j" if s_ > 1 else "j")
                + "+"
                + (f"{d}i" if d > 1 else "i")
                + (f"\u2212{p}" if p else "")
            )
            if self.flip:  # each tap reads the mirrored place: j − i, shifted by the kernel's span
                off = d * (st.kernel_size[1] - 1) - p
                index = (
                    (f"{s_}j" if s_ > 1 else "j")
                    + "\u2212"
                    + (f"{d}i" if d > 1 else "i")
                    + (f"+{off}" if off > 0 else f"\u2212{-off}" if off < 0 else "")
                )
            if self.channels:
                b = " + b[k]" if self.comp.bias is not None else ""
                return f"out[k][j] = \u03a3c \u03a3\u1d62 w[k,c][i] \u00b7 in[c][{index}]{b}"
            name = "   (true convolution)" if self.flip else ""
            return f"output[j] = \u03a3\u1d62 kernel[i] \u00b7 input[{index}]{name}"
        k = st.kernel_size[1]
        if op == "max_pool2d":
            return f"output[j] = the largest of the {k} samples in window j"
        if op == "avg_pool2d":
            return f"output[j] = the mean of the {k} samples in window j"
        if op == "upsample":
            return "output[j] = " + (
                "the input sample it falls on"
                if st.mode == "nearest"
                else "the two input samples around it, weighted by nearness"
            )
        return "output = max(0, input), every sample at once"

    def step_equation(self, step) -> str:
        if isinstance(step, Map):
            n = int(step.changed.sum())
            plural = "s" * (n != 1)
            return f"output = max(0, input): {n} negative value{plural} become 0, the rest pass unchanged"
        j = step.out[1]
        if self.chan:  # the slot's text (frames/slots.channel_equation)
            return sl.layer_text(("sc", step.index), self.lvals)
        if self.editable:  # the slot's text (frames/slots.signal_equation)
            if self.vals is None or self.vals.room != self.room:
                self.vals = self.values()
            return sl.text((self.equation_kind, step.index), self.vals)
        head = f"out[{step.channel}][{j}] = " if self.channels else f"output[{j}] = "
        value = self.fmt_out(step.value)
        if isinstance(step, Sample):
            terms = [
                f"{_num(w)}\u00b7input[{jj}]" for (_, jj), w in zip(step.cells, step.weights, strict=True)
            ]
            nums = [
                f"{_num(w)}\u00b7{paren(self.fmt_in(self.grid[step.channel, jj]))}"
                for (_, jj), w in zip(step.cells, step.weights, strict=True)
            ]
            if len(terms) == 1:
                return f"{head}input[{step.cells[0][1]}] = {value}"
            return f"{head}{' + '.join(terms)} = {' + '.join(nums)} = {value}"
        if isinstance(step, Pool):
            terms = [self.fmt_in(v) for v in step.inputs.ravel()]
            if step.divisor is None:
                return shorten(terms, lambda shown: f"{head}max({', '.join(shown)}) = {value}", self.room)
            if not self.stage.count_include_pad:
                real = ~self.comp.ghost[0][step.cols]
                terms = [self.fmt_in(v) for v in step.inputs[0][real]]
            total = self.fmt_in(float(step.inputs.sum()))
            return shorten(
                terms,
                lambda shown: (
                    f"{head}({' + '.join(shown)})/{step.divisor} = {total}/{step.divisor} = {value}"
                ),
                self.room,
            )
        exact = ("= " if self.exact[step.channel] else "\u2248 ") + value
        bias = [] if step.bias is None else [paren(self.fmt_out(step.bias))]
        weights, labels = self.comp.weights[step.channel], self.plane_labels[step.channel]
        if len(step.planes) == 1:
            terms, join = expansion(weights[0], labels[0], step.inputs[0], self.fmt_in)
            if not terms:
                return f"{head}{' + '.join(['0', *bias])} {exact}"
            return shorten(
                terms, lambda shown: f"{head}{' + '.join([join(shown), *bias])} {exact}", self.room
            )
        numbers = [self.fmt_out(v) for v in step.sums]
        names = [f"\u03a3{_sub(self.in_names[c])}" for c in step.planes]
        full = (
            f"{head}{' + '.join(names + (['bias'] if bias else []))} = {' + '.join(numbers + bias)} {exact}"
        )
        if fast_width(full, EQUATION_PX) <= self.room:
            return full
        return shorten(numbers, lambda shown: f"{head}{' + '.join(shown + bias)} {exact}", self.room)

    def summary(self) -> str:
        out = self.out
        size = f"{out.shape[0]}\u00d7{out.shape[1]}" if self.channels else f"{out.shape[1]} samples"
        return f"output {size} complete: min {self.fmt_out(out.min())}, max {self.fmt_out(out.max())}"

    def infos(self) -> list[FrameInfo]:
        t, st = self.s.timing, self.stage
        cout, m = self.out.shape
        size = f"{cout}\u00d7{m}" if self.channels else f"{m} samples"
        infos = [
            FrameInfo(
                t.poster_ms,
                None,
                None,
                f"poster: input {_size(self.grid.shape, st.input_shape[1], self.channels)}, output {size}",
            )
        ]
        if self.direct:
            infos.append(FrameInfo(t.poster_ms, None, None, "the kernel reversed"))
        if self.flip:
            infos.append(FrameInfo(t.poster_ms, None, None, "true convolution: the kernel as given"))
            infos.append(FrameInfo(t.poster_ms, None, None, "the kernel reversed"))
        for step in self.comp.steps:
            if isinstance(step, Map):
                infos.append(FrameInfo(t.step_ms, step.index, None, f"step 1/1: {self.step_equation(step)}"))
                continue
            where = f"out[{step.channel}][{step.out[1]}]" if self.channels else f"output[{step.out[1]}]"
            readout = f"step {step.index + 1}/{self.n_steps}: {where} = {self.fmt_out(step.value)}"
            if self.chan:  # the step's readout through its recipe (frames/layer_slots.text)
                recipe = ["step ", ("s",), f"/{self.n_steps}: {where} = ", ("o",)]
                self.readouts[self.at(step.index)] = (step.index, recipe)
                readout = sl.layer_text(recipe, self.lvals, step.index)
            if self.editable:  # one output map: step k fills output sample k
                recipe = ["step ", ("s",), f"/{self.n_steps}: output[", ("c",), "] = ", ("o",)]
                self.readouts[self.at(step.index)] = (step.index, recipe)
                readout = sl.text(recipe, self.vals, step.index)
            channel = step.channel if cout > 1 else None
            infos.append(FrameInfo(t.step_ms, step.index, step.out, readout, channel=channel))
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {size}"))
        return infos


def bands(cin: int, cout: int) -> tuple[int, int]:
    """Input planes and output maps drawn: up to MAX_BANDS together (MAX_IN inputs when one
    output, else 2), each side at least one; the rest are counted in a line."""
    n_in = min(cin, MAX_IN if cout == 1 else MAX_BANDS - min(cout, MAX_BANDS // 2))
    return n_in, min(cout, MAX_BANDS - n_in)


def _range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 0.0
    return min(float(finite.min()), 0.0), max(float(finite.max()), 0.0)


def _size(shape: tuple[int, ...], n: int, channels: bool) -> str:
    return f"{shape[0]}\u00d7{n}" if channels else f"{n} samples"


def _num(v: float) -> str:
    text = f"{float(v):.4f}".rstrip("0").rstrip(".")
    return text.replace("-", "\u2212")


def _sub(name: str) -> str:
    if name.startswith("in[") and name.endswith("]"):
        return name[3:-1].translate(SUBSCRIPTS)
    return f"({name})"


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.round(values) == values))
