"""Frames of conv2d with ``view = "matrix"``: the convolution as a matrix product (im2col). The
input is unrolled into a matrix of patches, one row per output value (the window's cells, padding
included), which times the flattened kernel gives the output as a column, folded back into its
grid. Each step is one row."""

from __future__ import annotations

import dataclasses

from ..display import FrameInfo, Grid, Text
from ..layout import EQUATION_PX, GAP, LABEL_PX, PAD, SMALL_PX, SYMBOL_PX, TITLE_PX
from ..model import Illustration
from ..steps import Computation, Step
from ..textsize import text_width
from . import labels as lab
from .base import BASELINE, COUNTER_PX
from .window import WindowBuilder


class MatrixBuilder(WindowBuilder):
    """Input → patches (im2col) · kernel (a column) = output (a column) → output grid."""

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        super().__init__(scenario, comp)
        self.turn = ()  # a flipped kernel is shown turned, flattened (its label says so)
        self.place()
        self.value_px = self._value_size(comp.output[0])
        self.grid_line = self.theme.grid_line if self.layout.cell * self.render.scale >= 16 else None

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
        """Left to right: input, →, patches, ·, kernel column, =, output column, →, output grid."""
        lay, cell = self.layout, self.layout.cell
        top = lay.input.y
        (hp, wp), (oh, ow) = self.comp.grid.shape[1:], self.comp.output.shape[1:]
        n, kk = len(self.comp.steps), self.comp.weights[0, 0].size

        def width(lines: list[str]) -> float:
            return max(text_width(t, LABEL_PX if i == 0 else SMALL_PX) for i, t in enumerate(lines))

        x = PAD
        grids, symbols = [], []
        panels = (
            (hp, wp, self.labels[0]),
            (n, kk, self.extra_labels[0]),
            (kk, 1, self.extra_labels[1]),
            (n, 1, self.extra_labels[2]),
            (oh, ow, self.labels[2]),
        )
        for i, (rows, cols, lines) in enumerate(panels):
            grids.append(Grid(round(x), top, rows, cols, cell))
            x += max(cols * cell, width(lines)) + GAP
            if i < len(panels) - 1:
                symbols.append(x + SYMBOL_PX / 2)
                x += SYMBOL_PX + GAP
        right = x - GAP
        self.input_grid, self.patches, self.kvec, self.yvec, out = grids
        self.symbols = symbols
        bottom = top + max(hp, n, kk, oh) * cell
        equation_y = bottom + 18 + EQUATION_PX if self.render.equation else None
        bottom = equation_y + 6 if equation_y is not None else bottom
        counter = text_width(f"step {n} / {n}", COUNTER_PX)
        w = max(right + PAD, PAD + text_width(self.s.title, TITLE_PX, True) + 2 * GAP + counter + PAD)
        self.layout = dataclasses.replace(
            lay,
            width=int(-(-w // 2) * 2),
            height=int(-(-(bottom + PAD) // 2) * 2),
            input=grids[0],
            kernel=self.kvec,
            output=out,
            middle_y=top + min(n, kk) * cell / 2,
            equation_y=equation_y,
        )

    def panels(self):
        return []  # no opaque kernel panel: nothing passes behind

    # ------------------------------------------------------------------ drawing

    def body(self) -> None:
        lay, ink = self.layout, self.theme.ink
        self.add(Text(PAD, lay.title_y, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", 14, self.theme.muted, "start"))
        columns = (
            (self.input_grid, self.labels[0]),
            (self.patches, self.extra_labels[0]),
            (self.kvec, self.extra_labels[1]),
            (self.yvec, self.extra_labels[2]),
            (lay.output, self.labels[2]),
        )
        for g, lines in columns:
            for i, line in enumerate(lines):
                size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, self.theme.muted)
                self.add(Text(g.x, lay.label_y + i * (SMALL_PX + 4), line, size, colour, "start"))
        for x, glyph in zip(self.symbols, ("\u2192", "\u00d7", "=", "\u2192"), strict=True):
            self.add(Text(x, lay.middle_y + BASELINE * SYMBOL_PX, glyph, SYMBOL_PX, self.theme.muted))
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
        self.counter()
        self.strip()

    def patch_cells(self) -> None:
        """Each row: the values under one placement of the window, tap by tap (padding pale)."""
        g, grid, ghost = self.patches, self.comp.grid[0], self.comp.ghost
        colours = self.in_scale(grid)
        width = grid.shape[1]
        for step in self.comp.steps:
            cells = [(int(r), int(c)) for r in step.rows for c in step.cols]
            for j, (r, c) in enumerate(cells):
                fill = colours[r * width + c]
                self.cell(g, step.index, j, grid[r, c], fill, self.fmt_in, 0, ghost=bool(ghost[r, c]))
        self.border(g)

    def column_cells(self) -> None:
        """The output as a column, each value from its step on."""
        g, out = self.yvec, self.comp.output[0]
        self.empty_grid(g)
        colours = self.out_scale(out)
        for step in self.comp.steps:
            r, c = step.out
            fill = colours[r * out.shape[1] + c]
            self.cell(g, step.index, 0, step.value, fill, self.fmt_out, self.at(step.index))
        self.border(g)

    # ------------------------------------------------------------------ text

    def poster_formula(self) -> str:
        n, kk = len(self.comp.steps), self.comp.weights[0, 0].size
        how = "the kernel turned 180\u00b0 first (true convolution)" if self.s.flip else "cross-correlation"
        return f"output ({n}) = patches ({n}\u00d7{kk}) \u00d7 kernel ({kk}), row by row   ({how})"

    def step_equation(self, step: Step) -> str:
        return f"row {step.index}: " + super().step_equation(step)

    def infos(self) -> list[FrameInfo]:
        infos = super().infos()
        return [
            dataclasses.replace(i, readout=f"row {i.step} of the patches: {i.readout}")
            if i.step is not None
            else i
            for i in infos
        ]
