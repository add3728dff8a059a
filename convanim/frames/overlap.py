"""Frames of conv_transpose2d with ``view = "overlap"``: the scatter, and beside its output a heat
map counting the kernel taps that land on each output cell, step by step. A kernel that is not a
multiple of the stride lands unevenly: the counts (and a ones-input's output) form a checkerboard."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import style
from ..dependence import even_overlap, overlap_counts
from ..display import FrameInfo, Grid, Text
from ..layout import GAP, LABEL_PX, PAD, SMALL_PX
from ..model import Illustration
from ..stage import Stage
from ..steps import Computation
from ..textsize import text_width
from .scatter import ScatterBuilder

HEAT_MAP = "YlOrBr"  #: light for few taps, dark for many


def evenness(stage: Stage) -> str | None:
    """ "kernel 3, stride 2: uneven" (per axis when they differ); None with dilation."""
    even = even_overlap(stage)
    if even is None:
        return None
    word = {True: "even", False: "uneven"}
    (kh, kw), (sr, sc) = stage.kernel_size, stage.stride
    if (kh, sr) == (kw, sc):
        return f"kernel {kh}, stride {sr}: {word[even[0]]}"
    return f"kernel {kh}\u00d7{kw}, stride {sr}\u00d7{sc}: rows {word[even[0]]}, cols {word[even[1]]}"


class OverlapBuilder(ScatterBuilder):
    """The scatter view, plus the running count of taps on each output cell beside the output."""

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        super().__init__(scenario, comp)
        self.counts = overlap_counts(scenario.stages[0])
        even = evenness(scenario.stages[0])
        lo, hi = int(self.counts.min()), int(self.counts.max())
        self.heat_labels = ["overlap: taps per cell", f"{lo} to {hi}" + (f"; {even}" if even else "")]
        out = self.output_grid()
        full = self.layout.output
        x = full.x + full.cols * full.cell + 2 * GAP
        self.heat = Grid(x, out.y, out.rows, out.cols, out.cell)
        label_w = max(text_width(t, LABEL_PX if i == 0 else SMALL_PX) for i, t in enumerate(self.heat_labels))
        width = int(-(-(x + max(out.cols * out.cell, label_w) + PAD) // 2) * 2)
        self.layout = dataclasses.replace(self.layout, width=max(self.layout.width, width))
        self.heat_scale = style.scale_for(np.array([0.0, float(hi)]), HEAT_MAP)

    def body(self) -> None:
        super().body()
        self.heat_cells()

    def heat_cells(self) -> None:
        """The counts so far, a new version of a cell whenever a step's taps land on it; the
        cells a step adds to outlined."""
        g, lay = self.heat, self.layout
        for i, line in enumerate(self.heat_labels):
            size, colour = (LABEL_PX, self.theme.ink) if i == 0 else (SMALL_PX, self.theme.muted)
            self.add(Text(g.x, lay.label_y + i * (SMALL_PX + 4), line, size, colour, "start"))
        self.empty_grid(g)
        counts = np.zeros((g.rows, g.cols), int)
        versions: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for step in self.comp.steps:
            frame = self.at(step.index)
            rows = step.rows[(step.rows >= 0) & (step.rows < g.rows)]
            cols = step.cols[(step.cols >= 0) & (step.cols < g.cols)]
            for r in rows.tolist():
                for c in cols.tolist():
                    counts[r, c] += 1
                    versions.setdefault((r, c), []).append((frame, int(counts[r, c])))
            if rows.size and cols.size:
                self.taps(g, rows, cols, frame)
        end = self.at(self.n_steps - 1)
        for r in range(g.rows):  # cells no tap reaches (output_padding) count 0 at the end
            for c in range(g.cols):
                versions.setdefault((r, c), [(end, 0)])
        for (r, c), history in sorted(versions.items()):
            for k, (first, count) in enumerate(history):
                last = history[k + 1][0] - 1 if k + 1 < len(history) else self.last
                if last >= first:
                    fill = self.heat_scale([count])[0]
                    self.cell(g, r, c, count, fill, lambda v: str(int(v)), first, last)
        self.border(g)
        assert np.array_equal(counts, self.counts), "the steps' taps are the overlap counts"

    def summary(self) -> str:
        lo, hi = int(self.counts.min()), int(self.counts.max())
        return f"{super().summary()}; overlap {lo} to {hi} taps a cell"

    def infos(self) -> list[FrameInfo]:
        infos = super().infos()
        lo, hi = int(self.counts.min()), int(self.counts.max())
        done = infos[-1]
        return [
            *infos[:-1],
            dataclasses.replace(done, readout=f"{done.readout}; overlap {lo} to {hi} taps a cell"),
        ]
