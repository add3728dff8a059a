"""Frames of conv2d with ``view = "matrix"``: the convolution as a matrix product (im2col). The
input is unrolled into a matrix of patches, one row per output value (the window's cells, padding
included), which times the flattened kernel gives the output as a column, folded back into its
grid. Each step is one row."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..dependence import conv_matrix, links
from ..display import FrameInfo, Grid, Rect, Text
from ..filters import plane_labels
from ..layout import CAPTION_PX, EQUATION_PX, GAP, LABEL_PX, PAD, SMALL_PX, SYMBOL_PX, TITLE_PX, legible_px
from ..model import Illustration
from ..steps import Computation, Step
from ..textsize import fast_width, text_width
from . import labels as lab
from . import layer_slots as ls
from . import slots as sl
from .base import BASELINE, COUNTER_PX, Builder, fit
from .scatter import ScatterBuilder
from .window import WindowBuilder


class MatrixBuilder(WindowBuilder):
    """Input → patches (im2col) · kernel (a column) = output (a column) → output grid. Editable
    as the window view is (the same steps, slots and program): a patch cell is the slot of the
    grid cell it copies, the kernel column's labels are the weights' slots, the output column's
    cells are the output's; a step's equation and readout name its patch row (``("n",)``)."""

    matrix = True

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        super().__init__(scenario, comp)
        self.turn = ()  # a flipped kernel is shown turned, flattened (its label says so)
        self.place()
        if self.editable:  # laid out for the values an edit may set, not only these
            self.grow_for_ranges()
            self.fit_ranges()
        self.value_px = self._value_size(comp.output[0])
        self.size_rule = self.value_size_rule()  # on this layout, as the values' size was chosen
        self.grid_line = self.theme.grid_line if self.layout.cell * self.render.scale >= 16 else None

    @property
    def slides_turned(self) -> bool:
        """A flip's kernel is drawn turned from the poster on (no turn frames)."""
        return self.s.flip

    # ------------------------------------------------------------------ words and places

    def middle_shape(self) -> tuple[int, int]:
        """For the cell size: the patch matrix, the kernel and output columns between the maps."""
        kk, n = self.comp.weights[0, 0].size, len(self.comp.steps)
        return max(n, kk), kk + 4

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        s, (kh, kw) = self.s, self.s.kernel_size
        turned = " rotated 180\u00b0" if s.flip else ""
        self.extra_labels = (
            ["patches (im2col)", f"{len(self.comp.steps)}\u00d7{kh * kw}: a row per output"],
            [f"kernel {kh}\u00d7{kw}{turned}", "as a column"],
            ["output", "as a column"],
        )
        return lab.input_lines(s, self.comp.grid.shape[1:]), lab.kernel_lines(s), lab.output_lines(s)

    def place(self) -> None:
        """Left to right: input, →, patches, ×, kernel column, =, output column, →, output grid."""
        (hp, wp), (oh, ow) = self.comp.grid.shape[1:], self.comp.output.shape[1:]
        n, kk = len(self.comp.steps), self.comp.weights[0, 0].size
        panels = [
            (hp, wp, self.labels[0]),
            (n, kk, self.extra_labels[0]),
            (kk, 1, self.extra_labels[1]),
            (n, 1, self.extra_labels[2]),
            (oh, ow, self.labels[2]),
        ]
        self.grids, self.symbols = row_layout(self, panels, ("\u2192", "\u00d7", "=", "\u2192"), min(n, kk))
        self.input_grid, self.patches, self.kvec, self.yvec, _ = self.grids

    def panels(self):
        return []  # no opaque kernel panel: nothing passes behind

    # ------------------------------------------------------------------ drawing

    def body(self) -> None:
        lay = self.layout
        self.slotted, self.readouts = [], {}
        if self.editable:
            self.vals = self.values()
        row_chrome(self, [self.labels[0], *self.extra_labels, self.labels[2]], self.symbols)
        self.input_cells()
        self.image_boundary()
        self.patch_cells()
        labels = tuple((t,) for row in self.weight_labels for t in row)
        self.kernel_cells(labels)
        self.output_cells()
        self.column_cells()
        for step in self.comp.steps:
            frame = self.at(step.index)
            self.taps(lay.input, step.rows, step.cols, frame)
            row = step.index
            self.outline(self.patches, (row, row), (0, self.patches.cols - 1), self.theme.highlight, frame)
            self.outline(self.kvec, (0, self.kvec.rows - 1), (0, 0), self.theme.highlight, frame)
            self.outline(self.yvec, (row, row), (0, 0), self.theme.highlight, frame)
            self.outline(lay.output, (step.out[0],) * 2, (step.out[1],) * 2, self.theme.highlight, frame)
            self.sources(step, frame)
        self.step_counter()
        self.strip()

    def patch_cells(self) -> None:
        """Each row: the values under one placement of the window, tap by tap (padding pale);
        editable, each cell is the slot of the grid cell it copies (as the input's own cell)."""
        g, grid, ghost = self.patches, self.comp.grid[0], self.comp.ghost
        colours = self.in_scale(grid)
        width = grid.shape[1]
        for step in self.comp.steps:
            cells = [(int(r), int(c)) for r in step.rows for c in step.cols]
            for j, (r, c) in enumerate(cells):
                fill, fmt, pale = colours[r * width + c], self.fmt_in, bool(ghost[r, c])
                start = len(self.items)
                if self.editable:
                    node = ("g" if pale else "i", r * width + c)
                    fill = fill if pale else sl.fill(node, self.vals)  # (a ghost's is the background)
                    fmt = lambda _, n=node: sl.text(n, self.vals)  # noqa: E731
                self.cell(g, step.index, j, grid[r, c], fill, fmt, 0, ghost=pale)
                if self.editable and not pale:  # at its Rect (its Text follows it)
                    self.slotted.append((start, node))
                elif self.editable and self.value_px is not None:  # a padding cell's Text
                    self.slotted.append((len(self.items) - 1, node))
        self.border(g)

    def kernel_cells(
        self,
        labels: tuple[tuple[str, ...], ...],
        first: int = 0,
        last: int | None = None,
        at: tuple[tuple[str, ...], ...] | None = None,
    ) -> None:
        """The kernel as a column (``labels``: one per row); editable, each label is weight j's slot."""
        if not self.editable:
            return super().kernel_cells(labels, first, last, at)
        self.kernel_rule = (self.layout.kernel.cell, self.kernel_least())
        column = tuple((t,) for t in self.vals.labels)
        start = len(self.items)
        Builder.kernel_cells(self, column, first, last)
        if len(self.items) - start == 2 * len(column):  # each weight's Rect and Text
            self.slotted += [(start + 2 * j + 1, ("k", j)) for j in range(len(column))]

    def column_cells(self) -> None:
        """The output as a column, each value from its step on (editable: output cell k's slot)."""
        g, out = self.yvec, self.comp.output[0]
        self.empty_grid(g)
        colours = self.out_scale(out)
        for step in self.comp.steps:
            r, c = step.out
            fill, fmt = colours[r * out.shape[1] + c], self.fmt_out
            if self.editable:
                node = ("o", r * out.shape[1] + c)
                self.slotted.append((len(self.items), node))
                fill, fmt = sl.fill(node, self.vals), lambda _, n=node: sl.text(n, self.vals)
            self.cell(g, step.index, 0, step.value, fill, fmt, self.at(step.index))
        self.border(g)

    # ------------------------------------------------------------------ text

    def poster_formula(self) -> str:
        n, kk = len(self.comp.steps), self.comp.weights[0, 0].size
        how = "the kernel turned 180\u00b0 first (true convolution)" if self.s.flip else "cross-correlation"
        return f"output ({n}) = patches ({n}\u00d7{kk}) \u00d7 kernel ({kk}), row by row   ({how})"

    def step_equation(self, step: Step) -> str:
        return f"row {step.index}: " + super().step_equation(step)

    @property
    def equation_room(self) -> float:
        """The strip's room less the widest "row k: " before an equation, so that a shortened
        equation never widens the picture (which would make its width depend on the values)."""
        return self.room - max(fast_width(f"row {k}: ", EQUATION_PX) for k in range(self.n_steps))

    def widest_texts(self) -> list[str]:
        """The widest step equation and summary the values an edit may set can write (the layer
        view's convention: numbers up to their range's bound with 2 decimals, weights' labels with
        3, signed; a label in e-notation, of a weight under 0.0005, may be wider): the shortest
        form of an equation, "first + … + last", three terms unshortened, or a kernel of equal
        weights' form. The picture is made at least this wide, so no edit widens it."""
        weights = self.comp.weights[0, 0]
        ranges = ls.ranges(self.s.image.values, weights, None)  # (editing.ranges: the same)
        x, _, out, _ = ls.bounds(ranges, weights.size, 1)
        xs, os = (ls.widest(b, None)[0] for b in (x, out))
        ws = f"\u2212{ranges[1][1]:.3f}"  # a label: up to 3 decimals ("−0.125", "−1.500", "−63/64")
        (oh, ow), n = self.comp.output.shape[1:], self.n_steps
        head = f"row {n - 1}: output[{oh - 1},{ow - 1}] = "
        term = f"({ws})\u00b7({xs})"
        total = ls.widest(weights.size * x, None)[0]
        return [
            f"{head}{term} + {term} + {term} \u2248 {os}",
            f"{head}{ws} \u00b7 ({xs} + {xs} + {xs}) = {ws}\u00b7{total} \u2248 {os}",
            f"{head}1/{weights.size} \u00b7 ({xs} + {xs} + {xs}) = {total}/{weights.size} = {os}",
            f"output {oh}\u00d7{ow} complete: min {os}, max {os}",
        ]

    def grow_for_ranges(self) -> None:
        """As the layer view does: grow the automatic cell, 4 px at a time up to 24, until the
        widest value the ranges allow fits it (``ranges_fit``: then no edit turns the values on or
        off), while the panels' small labels stay legible on a 1080p screen; kept only if it fits
        (else the values are written while they fit, as in the window view)."""
        if self.render.values is not None or self.render.cell_px or self.ranges_fit():
            return
        cell = self.layout.cell
        for boost in range(4, 28, 4):
            self.layout = dataclasses.replace(self.layout, cell=cell + boost)
            self.place()
            if legible_px(self.layout.width, self.layout.height) > SMALL_PX:  # the labels would blur
                break
            if self.ranges_fit():
                return
        self.layout = dataclasses.replace(self.layout, cell=cell)
        self.place()

    def ranges_fit(self) -> bool:
        """Whether the widest input and output value the ranges allow fit a cell legibly (as the
        layer view asks): then every value an edit may set is written, whatever these values are."""
        weights = self.comp.weights[0, 0]
        x, _, out, _ = ls.bounds(ls.ranges(self.s.image.values, weights, None), weights.size, 1)
        texts = ls.widest(x, None) + ls.widest(out, None)
        c, most, least = self.value_size_rule()
        return fit(max(texts, key=lambda t: text_width(t, 10)), c, most, least) is not None

    def fit_ranges(self) -> None:
        """Widen the picture for the widest texts an edit may write (``widest_texts``)."""
        need = 2 * PAD + max(fast_width(t, EQUATION_PX) for t in self.widest_texts())
        if need > self.layout.width:
            self.layout = dataclasses.replace(self.layout, width=int(-(-need // 2) * 2))

    def equation_slot(self, k: int) -> sl.Node:
        """Step k's equation after its patch row: "row 3: output[1,1] = …"."""
        return ("t", k, ["row ", ("n",), ": ", ("e",)])

    def readout_recipe(self) -> sl.Recipe:
        return ["row ", ("n",), " of the patches: ", *super().readout_recipe()]

    def infos(self) -> list[FrameInfo]:
        infos = super().infos()
        if self.editable:  # (the readout recipe names the row)
            return infos
        return [
            dataclasses.replace(i, readout=f"row {i.step} of the patches: {i.readout}")
            if i.step is not None
            else i
            for i in infos
        ]


def row_layout(
    b: Builder, panels: list[tuple[int, int, list[str]]], glyphs: tuple[str | None, ...], centre_rows: int
) -> tuple[list[Grid], list[tuple[float, str]]]:
    """Grids side by side under the labels (each panel as wide as its cells or its label lines),
    a sign between each two (None: a gap only); ``b.layout`` becomes the picture holding them,
    its input, kernel and output the first, third and last grids. Returns the grids and the signs'
    centres."""
    lay, cell = b.layout, b.layout.cell
    top, x = lay.input.y, PAD
    grids, symbols = [], []
    for i, (rows, cols, lines) in enumerate(panels):
        grids.append(Grid(round(x), top, rows, cols, cell))
        x += max(cols * cell, *(text_width(t, LABEL_PX if j == 0 else SMALL_PX) for j, t in enumerate(lines)))
        if i < len(panels) - 1:
            x += GAP
            if glyphs[i] is not None:
                symbols.append((x + SYMBOL_PX / 2, glyphs[i]))
                x += SYMBOL_PX + GAP
    bottom = top + max(g.rows for g in grids) * cell
    equation_y = bottom + 18 + EQUATION_PX if b.render.equation else None
    bottom = equation_y + 6 if equation_y is not None else bottom
    counter = text_width(f"step {b.n_steps} / {b.n_steps}", COUNTER_PX)
    w = max(x + PAD, PAD + text_width(b.s.title, TITLE_PX, True) + 2 * GAP + counter + PAD)
    b.layout = dataclasses.replace(
        lay,
        width=int(-(-w // 2) * 2),
        height=int(-(-(bottom + PAD) // 2) * 2),
        input=grids[0],
        kernel=grids[2],
        output=grids[-1],
        middle_y=top + centre_rows * cell / 2,
        equation_y=equation_y,
    )
    return grids, symbols


def row_chrome(b: Builder, labels: list[list[str]], symbols: list[tuple[float, str]]) -> None:
    """Title, caption, each panel's label lines and the signs between the panels."""
    lay, ink = b.layout, b.theme.ink
    b.add(Text(PAD, lay.title_y, b.s.title, TITLE_PX, ink, "start", bold=True))
    if lay.caption_y is not None:
        b.add(Text(PAD, lay.caption_y, b.s.caption or "", CAPTION_PX, b.theme.muted, "start"))
    for g, lines in zip(b.grids, labels, strict=True):
        for i, line in enumerate(lines):
            size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, b.theme.muted)
            b.add(Text(g.x, lay.label_y + i * (SMALL_PX + 4), line, size, colour, "start"))
    for x, glyph in symbols:
        b.add(Text(x, lay.middle_y + BASELINE * SYMBOL_PX, glyph, SYMBOL_PX, b.theme.muted))


class TransposedMatrixBuilder(ScatterBuilder):
    """conv_transpose2d as y = Cᵀ·x: beside the matrix C of the convolution that maps the output's
    shape back to the input's, its transpose; each step (one input pixel, as the scatter view)
    adds x[j] times column j of Cᵀ (row j of C) onto the output column, folded into the grid."""

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        self.ct = conv_matrix(scenario.stages[0])  # (outputs, inputs): what the steps add up
        super().__init__(scenario, comp)
        n_out, n_in = self.ct.shape
        (h, w), (oh, ow) = comp.grid.shape[1:], comp.output.shape[1:]
        self.extra_labels = (
            [f"C ({n_in}\u00d7{n_out})", f"conv {oh}\u00d7{ow} \u2192 {h}\u00d7{w}"],
            [f"C\u1d40 ({n_out}\u00d7{n_in})", "C transposed"],
            ["input", "as a column"],
            ["output", "as a column"],
        )
        panels = [
            (h, w, self.labels[0]),
            (n_in, n_out, self.extra_labels[0]),
            (n_out, n_in, self.extra_labels[1]),
            (n_in, 1, self.extra_labels[2]),
            (n_out, 1, self.extra_labels[3]),
            (oh, ow, lab.output_lines(self.s)),
        ]
        self.out_labels = panels[-1][2]
        glyphs = (None, "\u2192", "\u00d7", "=", "\u2192")
        self.grids, self.symbols = row_layout(self, panels, glyphs, min(n_in, n_out))
        _, self.c_grid, self.ct_grid, self.xvec, self.yvec, _ = self.grids
        self.value_px = self._value_size(np.concatenate([comp.output.ravel(), self.ct.ravel()]))
        self.grid_line = self.theme.grid_line if self.layout.cell * self.render.scale >= 16 else None
        self.entry = plane_labels(self.ct, self.s.kernel.values)
        link = links(self.s.stages[0])  # one map: a zero weight still links (written 0)
        self.linked = np.zeros(self.ct.shape, bool)
        self.linked[link.out, link.src] = True

    def middle_shape(self) -> tuple[int, int]:
        n_in = self.comp.grid.shape[1] * self.comp.grid.shape[2]
        n_out = self.comp.output.shape[1] * self.comp.output.shape[2]
        return max(n_in, n_out), n_in + n_out + 4

    def output_grid(self) -> Grid:
        return self.layout.output

    def body(self) -> None:
        labels = [self.labels[0], *self.extra_labels, self.out_labels]
        row_chrome(self, labels, self.symbols)
        self.input_cells()
        self.matrix_cells(self.c_grid, transpose=True)
        self.matrix_cells(self.ct_grid, transpose=False)
        x = self.comp.grid[0].ravel()
        colours = self.in_scale(x)
        for j, v in enumerate(x):
            self.cell(self.xvec, j, 0, v, colours[j], self.fmt_in, 0)
        self.border(self.xvec)
        self.running_cells()
        w = self.comp.grid.shape[2]
        hl = self.theme.highlight
        for step in self.comp.steps:
            frame, (r, c) = self.at(step.index), step.src
            j = r * w + c
            self.outline(self.layout.input, (r, r), (c, c), hl, frame)
            self.outline(self.xvec, (j, j), (0, 0), hl, frame)
            self.outline(self.c_grid, (j, j), (0, self.c_grid.cols - 1), hl, frame)
            self.outline(self.ct_grid, (0, self.ct_grid.rows - 1), (j, j), hl, frame)
            for y in self.landing(step):
                self.outline(self.yvec, (y, y), (0, 0), hl, frame)
        self.counter()
        self.strip()

    def matrix_cells(self, g: Grid, transpose: bool) -> None:
        """C or Cᵀ: the kernel's weights where a link is (a zero weight written 0), blank elsewhere."""
        fill = self.theme.kernel_fill
        values, labels = (
            (self.ct.T, tuple(zip(*self.entry, strict=True))) if transpose else (self.ct, self.entry)
        )
        linked = self.linked.T if transpose else self.linked
        for (r, c), _ in np.ndenumerate(values):
            r, c = int(r), int(c)
            if not linked[r, c]:
                self.add(
                    Rect(g.x + c * g.cell, g.y + r * g.cell, g.cell, g.cell, stroke=self.theme.hatch, width=1)
                )
                continue
            self.add(
                Rect(
                    g.x + c * g.cell,
                    g.y + r * g.cell,
                    g.cell,
                    g.cell,
                    fill=fill,
                    stroke=self.theme.highlight,
                    width=1,
                )
            )
            if self.value_px is not None:
                y = g.y + (r + 0.5) * g.cell + BASELINE * self.value_px
                self.add(
                    Text(g.x + (c + 0.5) * g.cell, y, labels[r][c], self.value_px, self.theme.text_on(fill))
                )
        self.border(g)

    def landing(self, step) -> list[int]:
        """Output indices (flattened) a step adds onto."""
        oh, ow = self.comp.output.shape[1:]
        return [int(r) * ow + int(c) for r in step.rows for c in step.cols if 0 <= r < oh and 0 <= c < ow]

    def running_cells(self) -> None:
        """The output as a column and as its grid: each cell's total from the step that adds to it."""
        oh, ow = self.comp.output.shape[1:]
        versions: dict[int, list[tuple[int, float]]] = {}
        for step in self.comp.steps:
            for (i, j), total in np.ndenumerate(step.totals[0]):
                r, c = int(step.rows[i]), int(step.cols[j])
                if 0 <= r < oh and 0 <= c < ow:
                    versions.setdefault(r * ow + c, []).append((self.at(step.index), float(total)))
        end = self.at(self.n_steps - 1)
        for y in range(oh * ow):  # cells no contribution reaches (output_padding) are 0 at the end
            versions.setdefault(y, [(end, 0.0)])
        for g in (self.yvec, self.layout.output):
            self.empty_grid(g)
        for y, history in sorted(versions.items()):
            for k, (first, total) in enumerate(history):
                last = history[k + 1][0] - 1 if k + 1 < len(history) else self.last
                if last >= first:
                    fill = self.out_scale([total])[0]
                    self.cell(self.yvec, y, 0, total, fill, self.fmt_out, first, last)
                    self.cell(self.layout.output, y // ow, y % ow, total, fill, self.fmt_out, first, last)
        for g in (self.yvec, self.layout.output):
            self.border(g)

    def strip(self) -> None:
        n_out, n_in = self.ct.shape
        self.equation(
            f"output ({n_out}) = C\u1d40 ({n_out}\u00d7{n_in}) \u00d7 input ({n_in}): each input pixel "
            "adds its value \u00d7 its column of C\u1d40",
            0,
            0,
        )
        w = self.comp.grid.shape[2]
        for step in self.comp.steps:
            frame, (r, c) = self.at(step.index), step.src
            x, j = self.fmt_in(step.value), r * w + c
            self.equation(
                f"column {j}: input[{r},{c}] = {x}, so output += {x} \u00d7 column {j} of C\u1d40 "
                f"(row {j} of C)",
                frame,
                frame,
            )
        self.equation(self.summary(), self.last, self.last)
