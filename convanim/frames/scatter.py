"""Frames of conv_transpose2d as a scatter: each input pixel adds value × kernel onto the output,
which accumulates step by step. The output is drawn whole (before padding crops it), the cropped
border as ghost cells, so every contribution has a place."""

from __future__ import annotations

import numpy as np

from ..display import FrameInfo, Grid
from ..model import Illustration
from ..steps import Computation
from . import labels as lab
from .base import Builder, ends


class ScatterBuilder(Builder):
    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        self.crop = (scenario.padding[0], scenario.padding[2])
        out = comp.output.shape[1:]
        self.full = (out[0] + 2 * self.crop[0], out[1] + 2 * self.crop[1])
        totals = np.concatenate([st.totals.ravel() for st in comp.steps] + [comp.output.ravel()])
        super().__init__(scenario, comp, self.full, totals)

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        out = lab.output_lines(self.s)
        if any(self.crop):
            out.append(f"drawn {lab.size(self.full)}: the hatched border is cropped by padding")
        return lab.input_lines(self.s, self.comp.grid.shape[1:]), lab.kernel_lines(self.s), out

    def output_grid(self) -> Grid:
        g = self.layout.output
        return Grid(
            g.x + self.crop[1] * g.cell, g.y + self.crop[0] * g.cell, *self.comp.output.shape[1:], g.cell
        )

    def body(self) -> None:
        lay, c = self.layout, self.layout.cell
        for step in self.comp.steps:
            r, col = step.src
            (r0, r1) = ends(step.rows)
            start = (lay.input.x + (col + 1) * c, lay.input.y + (r + 0.5) * c)
            end = (
                lay.output.x + (ends(step.cols)[0] + self.crop[1]) * c,
                lay.output.y + ((r0 + r1) / 2 + self.crop[0] + 0.5) * c,
            )
            self.connector(start, end, self.at(step.index))
        self.chrome()
        self.input_cells()
        self.accumulating_cells()
        self.kernel_cells(self.s.kernel.labels)
        for step in self.comp.steps:
            frame = self.at(step.index)
            r, col = step.src
            self.outline(lay.input, (r, r), (col, col), self.theme.highlight, frame)
            self.taps(lay.output, step.rows + self.crop[0], step.cols + self.crop[1], frame)
        self.counter()
        self.strip()

    def accumulating_cells(self) -> None:
        """Each output cell shows its running total, a new version whenever a step adds to it."""
        g = self.layout.output
        self.empty_grid(g)
        versions: dict[tuple[int, int], list[tuple[int, float]]] = {}
        for step in self.comp.steps:
            for (i, j), total in np.ndenumerate(step.totals[0]):
                cell = (int(step.rows[i]) + self.crop[0], int(step.cols[j]) + self.crop[1])
                versions.setdefault(cell, []).append((self.at(step.index), float(total)))
        oh, ow = self.comp.output.shape[1:]
        end = self.at(self.n_steps - 1)
        for r in range(g.rows):  # cells no contribution reaches (output_padding) are 0 at the end
            for c in range(g.cols):
                versions.setdefault((r, c), [(end, 0.0)])
        for (r, c), history in sorted(versions.items()):
            ghost = not (self.crop[0] <= r < self.crop[0] + oh and self.crop[1] <= c < self.crop[1] + ow)
            for k, (first, total) in enumerate(history):
                last = history[k + 1][0] - 1 if k + 1 < len(history) else self.last
                if last >= first:
                    fill = self.out_scale([total])[0]
                    self.cell(g, r, c, total, fill, self.fmt_out, first, last, ghost=ghost)
        self.border(g)
        if any(self.crop):  # what remains of the output once padding crops the border
            rows, cols = (self.crop[0], self.crop[0] + oh - 1), (self.crop[1], self.crop[1] + ow - 1)
            self.outline(g, rows, cols, self.theme.boundary, 0, width=2, last=self.last)

    def strip(self) -> None:
        (sr, sc), (dr, dc), p = self.s.stride, self.s.dilation, self.crop
        rows = (f"{sr}r" if sr > 1 else "r") + (f"+{dr}i" if dr > 1 else "+i")
        cols = (f"{sc}c" if sc > 1 else "c") + (f"+{dc}j" if dc > 1 else "+j")
        if p[0]:
            rows += f"\u2212{p[0]}"
        if p[1]:
            cols += f"\u2212{p[1]}"
        self.equation(f"output[{rows}, {cols}] += input[r,c] \u00b7 kernel[i,j]", 0, 0)
        for step in self.comp.steps:
            frame = self.at(step.index)
            r, c = step.src
            x = self.fmt_in(step.value)
            (rows, crop_r), (cols, crop_c) = (
                _span(step.rows, self.comp.output.shape[-2], "row"),
                _span(step.cols, self.comp.output.shape[-1], "col"),
            )
            crops = " and ".join(t for t in (crop_r, crop_c) if t)
            note = f" ({crops} cropped)" if crops else ""
            self.equation(
                f"input[{r},{c}] = {x}: output {rows}, {cols} += {x} \u00b7 kernel{note}", frame, frame
            )
        self.equation(self.summary(), self.last, self.last)

    def infos(self) -> list[FrameInfo]:
        t = self.s.timing
        shape = lab.size(self.comp.output.shape[1:])
        infos = [
            FrameInfo(
                t.poster_ms,
                None,
                None,
                f"poster: input {lab.size(self.s.image.shape)}, kernel "
                f"{lab.size(self.s.kernel_size)}, output {shape}",
            )
        ]
        for step in self.comp.steps:
            r, c = step.src
            infos.append(
                FrameInfo(
                    t.step_ms,
                    step.index,
                    None,
                    f"step {step.index + 1}/{self.n_steps}: input[{r},{c}] = {self.fmt_in(step.value)} "
                    "added to the output",
                )
            )
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {shape}"))
        return infos


def _span(indices: np.ndarray, n: int, word: str) -> tuple[str, str]:
    """Output rows or columns a scatter reaches, "rows −2 to 1" (every d-th with dilation d), and
    those that padding crops ("rows −2, −1"), numbered as the output's own (so −1 is the row above
    row 0, not Python's last row)."""
    idx = [int(i) for i in indices]
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if len(idx) == 1:
        text = f"{word} {_num(idx[0])}"
    else:
        text = f"{word}s {_num(idx[0])} to {_num(idx[-1])}" + (f" every {step}" if step > 1 else "")
    cut = [i for i in idx if i < 0 or i >= n]
    if not cut:
        return text, ""
    listed = ", ".join(map(_num, cut)) if len(cut) <= 3 else f"{len(cut)}"
    return text, f"{word}{'s' * (len(cut) > 1)} {listed}"


def _num(i: int) -> str:
    return str(i).replace("-", "\u2212")
