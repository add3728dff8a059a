"""Frames of upsampling (nearest, bilinear) and of ReLU: no kernel, a box names the operation."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np

from ..display import FrameInfo, Rect, Text
from ..model import Illustration
from ..steps import Computation, Map, Sample
from . import labels as lab
from .base import BASELINE, Builder, shorten

BOX = (1, 2)  #: the middle panel, in cells


class ResampleBuilder(Builder):
    """Upsampling: each output pixel shows where it falls in the input and which pixels it blends.
    ReLU: one step replaces every negative value by 0."""

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        super().__init__(scenario, comp, comp.output.shape[1:], comp.output[0])

    def middle_shape(self) -> tuple[int, int]:
        return BOX

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        s = self.s
        out = [f"output {lab.size(s.output_shape)}"]
        return lab.input_lines(s, self.comp.grid.shape[1:]), lab.resample_lines(s), out

    def body(self) -> None:
        lay, c = self.layout, self.layout.cell
        for step in self.samples:
            r, col = step.source
            start = (lay.input.x + (col + 0.5) * c, lay.input.y + (r + 0.5) * c)
            end = (lay.output.x + step.out[1] * c, lay.output.y + (step.out[0] + 0.5) * c)
            self.connector(start, end, self.at(step.index))
        self.chrome()
        self.input_cells()
        self.output_cells()
        self.box()
        for step in self.samples:
            self.sample_marks(step, self.at(step.index))
        if self.samples:  # the poster and the still show one worked example, as the steps do
            self.sample_marks(self.example, 0)
            self.sample_marks(self.example, self.last)
        for step in self.maps:
            self.map_marks(step, self.at(step.index))
        self.counter()
        self.strip()

    @cached_property
    def samples(self) -> list[Sample]:
        return [st for st in self.comp.steps if isinstance(st, Sample)]

    @cached_property
    def example(self) -> Sample:
        """The output pixel marked on the poster and the last frame: the middle one of those that
        blend the most input pixels (for bilinear, four)."""
        most = max(len(st.cells) for st in self.samples)
        blends = [st for st in self.samples if len(st.cells) == most]
        return blends[len(blends) // 2]

    @cached_property
    def maps(self) -> list[Map]:
        return [st for st in self.comp.steps if isinstance(st, Map)]

    def box(self) -> None:
        """The middle panel: a box with the operation's symbol."""
        k = self.layout.kernel
        w, h = BOX[1] * k.cell, BOX[0] * k.cell
        self.add(Rect(k.x, k.y, w, h, fill=self.theme.kernel_fill, stroke=self.theme.highlight, width=1.5))
        s = self.s
        if s.operation == "relu":
            symbol = "ReLU"
        elif s.size is not None:
            symbol = lab.size(s.size)
        else:
            symbol = "\u00d7" + lab.pair(tuple(lab.number(v) for v in s.scale_factor))
        size = min(18.0, h * 0.45)
        self.add(
            Text(
                k.x + w / 2,
                k.y + h / 2 + BASELINE * size,
                symbol,
                size,
                self.theme.text_on(self.theme.kernel_fill),
            )
        )

    def output_cells(self) -> None:
        g, out = self.layout.output, self.comp.output[0]
        self.empty_grid(g)
        colours = self.out_scale(out)
        for st in self.samples:
            (r, c), frame = st.out, self.at(st.index)
            self.cell(g, r, c, st.value, colours[r * out.shape[1] + c], self.fmt_out, frame)
        for step in self.maps:
            for (r, c), value in _cells(out):
                self.cell(g, r, c, value, colours[r * out.shape[1] + c], self.fmt_out, self.at(step.index))
        self.border(g)

    def sample_marks(self, step: Sample, frame: int) -> None:
        """The pixels blended (blue), the point sampled (an orange dot), the output cell."""
        g, hl = self.layout.input, self.theme.highlight
        for r, c in step.cells:
            self.outline(
                g, (r, r), (c, c), self.theme.source if len(step.cells) > 1 else hl, frame, width=2, inset=2
            )
        r, c = step.source
        dot = max(5.0, g.cell * 0.18)
        x, y = g.x + (c + 0.5) * g.cell - dot / 2, g.y + (r + 0.5) * g.cell - dot / 2
        self.add(Rect(x, y, dot, dot, fill=hl, stroke=self.theme.ink, width=1), frame, frame)
        out = self.layout.output
        self.outline(out, (step.out[0],) * 2, (step.out[1],) * 2, hl, frame)

    def map_marks(self, step: Map, frame: int) -> None:
        """Every value ReLU replaces, outlined on both grids."""
        for (r, c), changed in _cells(step.changed[0]):
            if changed:
                self.outline(self.layout.input, (r, r), (c, c), self.theme.source, frame, width=2, inset=2)
                self.outline(self.layout.output, (r, r), (c, c), self.theme.source, frame, width=2, inset=2)

    def strip(self) -> None:
        s = self.s
        if s.operation == "relu":
            self.equation("output = max(0, input), value by value", 0, 0)
            n = int(self.maps[0].changed.sum())
            self.equation(
                f"ReLU replaces {n} negative value{'s' * (n != 1)} with 0; the rest pass unchanged", 1, 1
            )
        else:
            self.equation(self.poster_formula(), 0, 0)
            for step in self.samples:
                frame = self.at(step.index)
                self.equation(self.step_equation(step), frame, frame)
        self.equation(self.summary(), self.last, self.last)

    def poster_formula(self) -> str:
        s, (h, w), (oh, ow) = self.s, self.s.input_shape, self.s.output_shape
        if s.mode == "nearest":
            return f"output[a,b] = input[\u230aa\u00b7{h}/{oh}\u230b, \u230ab\u00b7{w}/{ow}\u230b]"
        if s.align_corners:
            where = f"(a\u00b7{h - 1}/{oh - 1}, b\u00b7{w - 1}/{ow - 1})"
        else:
            where = f"((a + \u00bd)\u00b7{h}/{oh} \u2212 \u00bd, (b + \u00bd)\u00b7{w}/{ow} \u2212 \u00bd)"
        return f"output[a,b] = the 4 input pixels around {where}, weighted by nearness"

    def step_equation(self, step: Sample) -> str:
        a, b = step.out
        value = self.fmt_out(step.value)
        if self.s.mode == "nearest":
            r, c = step.cells[0]
            return f"output[{a},{b}] = input[{r},{c}] = {value}"
        r, c = step.source
        head = f"output[{a},{b}] at ({r:.2f}, {c:.2f}) = "
        image = self.comp.grid[0]
        terms = [
            f"{w:.3g}\u00b7{self.fmt_in(image[cell])}"
            for cell, w in zip(step.cells, step.weights, strict=True)
        ]
        return shorten(terms, lambda shown: f"{head}{' + '.join(shown)} = {value}", self.room)

    def infos(self) -> list[FrameInfo]:
        t, s = self.s.timing, self.s
        shape = lab.size(self.comp.output.shape[1:])
        infos = [
            FrameInfo(t.poster_ms, None, None, f"poster: input {lab.size(s.input_shape)}, output {shape}")
        ]
        for step in self.samples:
            a, b = step.out
            infos.append(
                FrameInfo(
                    t.step_ms,
                    step.index,
                    step.out,
                    f"step {step.index + 1}/{self.n_steps}: output[{a},{b}] = {self.fmt_out(step.value)}",
                )
            )
        for step in self.maps:
            infos.append(FrameInfo(t.step_ms, step.index, None, "ReLU applied to every value"))
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {shape}"))
        return infos


def _cells(values: np.ndarray) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) over a 2-D array, with plain int indices."""
    for (r, c), v in np.ndenumerate(values):
        yield (int(r), int(c)), v
