"""Frames of a convolution: what is drawn at each step, as a display list (no pixels, no files).

Frame 0 is the poster, frame k (1 ≤ k ≤ S) shows step k−1, frame S+1 the finished output.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import style
from .arithmetic import conv_out_formula
from .display import FrameInfo, Frames, Grid, Hatch, Item, Line, Rect, Shape, Text
from .kernels import weight_is_exact
from .layout import (
    CAPTION_PX,
    EQUATION_PX,
    LABEL_PX,
    PAD,
    SMALL_PX,
    SYMBOL_PX,
    TITLE_PX,
    Box,
    auto_cell,
    make_layout,
    visible_parts,
)
from .numfmt import formatter
from .scenario import Scenario
from .steps import Computation, Step
from .textsize import text_width

BASELINE = 0.36  # baseline offset below a centre line, in font sizes (DejaVu digit height / 2)
COUNTER_PX = 14
MIN_VALUE_PX = 8.0
TIMES = "\u00d7"


def build(scenario: Scenario) -> Frames:
    """The display list of every frame of ``scenario``."""
    return _Builder(scenario, scenario._computation).frames()


class _Builder:
    """Collects items in drawing order; one method per part of the picture."""

    def __init__(self, scenario: Scenario, comp: Computation) -> None:
        self.s, self.comp = scenario, comp
        self.render = scenario.render
        image, kernel, output = scenario.image.values, scenario.kernel.values, comp.output
        self.in_scale, self.out_scale = style.scales(
            image, kernel, output, self.render.colormap, self.render.output_colormap
        )
        whole = _integral(image) and _integral(kernel)
        self.fmt_in = formatter(self.render.number_format, image)
        self.fmt_out = formatter(self.render.number_format, output, least=0 if whole else 1)
        self.n_steps = len(comp.steps)
        self.last = self.n_steps + 1
        self.items: list[Item] = []
        cell = self.render.cell_px or auto_cell(image.shape, kernel.shape, output.shape)
        self.layout = make_layout(
            image.shape,
            kernel.shape,
            output.shape,
            cell,
            labels=self._labels(),
            title=scenario.title,
            caption=scenario.caption,
            equation=self.render.equation,
            counter_width=text_width(f"step {self.n_steps} / {self.n_steps}", COUNTER_PX),
        )
        self.value_px = self._value_size()
        # Below 16 px a line around every cell turns a picture into a mesh: draw plain cells.
        self.grid_line = style.GRID_LINE if self.layout.cell >= 16 else None

    # ------------------------------------------------------------------ assembly

    def frames(self) -> Frames:
        self._connectors()
        self._chrome()
        self._input()
        self._output()
        self._kernel()
        self._highlights()
        self._strip()
        lay = self.layout
        return Frames(
            title=self.s.title,
            width=lay.width,
            height=lay.height,
            background=self.render.background,
            items=tuple(self.items),
            frames=self._frame_infos(),
            output_grid=lay.output,
        )

    def add(self, shape: Shape, first: int = 0, last: int | None = None) -> None:
        self.items.append(Item(shape, first, self.last if last is None else last))

    def at_step(self, step: Step) -> int:
        return step.index + 1

    # ------------------------------------------------------------------ parts

    def _labels(self) -> tuple[list[str], list[str], list[str]]:
        (h, w), (kh, kw) = self.s.image.values.shape, self.s.kernel.values.shape
        (oh, ow), (sr, sc) = self.comp.output.shape, self.s.stride
        preset = f" ({self.s.kernel.preset.replace('_', ' ')})" if self.s.kernel.preset else ""
        stride = f"stride {sr}" if sr == sc else f"stride {sr}{TIMES}{sc}"
        out = [f"output {oh}{TIMES}{ow}"]
        if (h, kh, sr) == (w, kw, sc):
            out.append(conv_out_formula(h, kh, sr))
        else:
            out += [f"rows {conv_out_formula(h, kh, sr)}", f"cols {conv_out_formula(w, kw, sc)}"]
        return [f"input {h}{TIMES}{w}"], [f"kernel {kh}{TIMES}{kw}{preset}", f"{stride}, no padding"], out

    def _chrome(self) -> None:
        lay, ink = self.layout, style.INK
        self.add(Text(PAD, lay.title_y, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", CAPTION_PX, style.MUTED, "start"))
        in_l, k_l, out_l = self._labels()
        for grid, lines in ((lay.input, in_l), (lay.output, out_l)):
            for i, line in enumerate(lines):
                size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, style.MUTED)
                y = lay.label_y + i * (SMALL_PX + 4)
                self.add(Text(grid.x, y, line, size, colour, "start"))
        k = lay.kernel
        centre = k.x + k.cols * k.cell / 2
        panel, *symbols = self._panels()
        x0, y0, x1, y1 = panel
        self.add(Rect(x0, y0, x1 - x0, y1 - y0, fill=self.render.background))
        for i, line in enumerate(k_l):
            size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, style.MUTED)
            y = k.y - 10 - (len(k_l) - 1 - i) * (SMALL_PX + 4)
            self.add(Text(centre, y, line, size, colour, "middle"))
        for (x0, y0, x1, y1), glyph in zip(symbols, ("\u229b", "\u2192"), strict=True):
            self.add(Rect(x0, y0, x1 - x0, y1 - y0, fill=self.render.background))
            self.add(Text((x0 + x1) / 2, lay.middle_y + BASELINE * SYMBOL_PX, glyph, SYMBOL_PX, style.MUTED))

    def _panels(self) -> list[Box]:
        """Opaque boxes of the middle column: the kernel with its labels, then the ⊛ and → signs.
        Connectors pass behind them."""
        lay, k = self.layout, self.layout.kernel
        k_labels = self._labels()[1]
        centre = k.x + k.cols * k.cell / 2
        half = max(max(text_width(t, LABEL_PX) for t in k_labels) / 2 + 6, k.cols * k.cell / 2)
        top = k.y - 10 - len(k_labels) * (SMALL_PX + 4) - 4
        panel = (centre - half, top, centre + half, k.y + k.rows * k.cell)
        half_sym = SYMBOL_PX / 2
        symbols = [
            (x - half_sym, lay.middle_y - half_sym, x + half_sym, lay.middle_y + half_sym)
            for x in (lay.op_x, lay.arrow_x)
        ]
        return [panel, *symbols]

    def _connectors(self) -> None:
        """A dashed line from the window to its output cell, passing behind the grids and the
        kernel: only its visible pieces are emitted, so each is small and cheap to repaint."""
        lay, c = self.layout, self.layout.cell
        covers = [_grid_box(lay.input), _grid_box(lay.output), *self._panels()]
        for step in self.comp.steps:
            (r0, r1), (_, c1) = _span(step.rows), _span(step.cols)
            start = (lay.input.x + (c1 + 1) * c, lay.input.y + (r0 + r1 + 1) * c / 2)
            end = (lay.output.x + step.out[1] * c, lay.output.y + (step.out[0] + 0.5) * c)
            frame = self.at_step(step)
            for piece in visible_parts(start, end, covers):
                self.add(Line(piece, self.render.highlight, 1.5, dash=True), frame, frame)

    def _cells(
        self,
        grid: Grid,
        values: np.ndarray,
        colours: list[str],
        fmt: Callable[[float], str],
        first: Callable[[int, int], int],
    ) -> None:
        c = grid.cell
        show = self.value_px is not None
        for (r, col), v in np.ndenumerate(values):
            r, col = int(r), int(col)
            fill = colours[r * values.shape[1] + col]
            x, y = grid.x + col * c, grid.y + r * c
            start = first(r, col)
            self.add(Rect(x, y, c, c, fill=fill, stroke=self.grid_line, width=1), start)
            if show:
                self.add(
                    Text(
                        x + c / 2,
                        y + c / 2 + BASELINE * self.value_px,
                        fmt(v),
                        self.value_px,
                        style.text_on(fill),
                    ),
                    start,
                )

    def _input(self) -> None:
        image = self.s.image.values
        self._cells(self.layout.input, image, self.in_scale(image), self.fmt_in, lambda r, c: 0)
        self._border(self.layout.input)

    def _output(self) -> None:
        g, out = self.layout.output, self.comp.output
        c = g.cell
        self.add(Rect(g.x, g.y, g.cols * c, g.rows * c, fill=self.render.background))
        self.add(Hatch(g.x, g.y, g.cols * c, g.rows * c, style.HATCH))
        if self.grid_line:
            for r in range(g.rows):
                for col in range(g.cols):
                    self.add(Rect(g.x + col * c, g.y + r * c, c, c, stroke=style.HATCH, width=1))
        self._cells(g, out, self.out_scale(out), self.fmt_out, lambda r, col: r * g.cols + col + 1)
        self._border(g)

    def _border(self, g: Grid) -> None:
        """A frame around a grid whose cells have no lines of their own, so it never melts into
        the background."""
        if self.grid_line is None:
            self.add(Rect(g.x, g.y, g.cols * g.cell, g.rows * g.cell, stroke=style.GRID_LINE, width=1))

    def _kernel(self) -> None:
        k, weights, labels = self.layout.kernel, self.s.kernel.values, self.s.kernel.labels
        size = _fit(max((t for row in labels for t in row), key=len), k.cell, self.value_px or 12.0, 7.0)
        for (r, col), _ in np.ndenumerate(weights):
            x, y = k.x + col * k.cell, k.y + r * k.cell
            self.add(
                Rect(
                    x,
                    y,
                    k.cell,
                    k.cell,
                    fill=self.render.kernel_fill,
                    stroke=self.render.highlight,
                    width=1.5,
                )
            )
            if size is not None:
                self.add(
                    Text(x + k.cell / 2, y + k.cell / 2 + BASELINE * size, labels[r][col], size, style.INK)
                )

    def _highlights(self) -> None:
        lay, c, hl = self.layout, self.layout.cell, self.render.highlight
        stroke = max(2.0, round(c * 0.09))
        for step in self.comp.steps:
            frame = self.at_step(step)
            (r0, r1), (c0, c1) = _span(step.rows), _span(step.cols)
            x, y, w, h = lay.input.x + c0 * c, lay.input.y + r0 * c, (c1 + 1 - c0) * c, (r1 + 1 - r0) * c
            self.add(Rect(x, y, w, h, stroke=hl, width=stroke), frame, frame)
            ox, oy = lay.output.x + step.out[1] * c, lay.output.y + step.out[0] * c
            self.add(Rect(ox, oy, c, c, stroke=hl, width=stroke), frame, frame)

    def _strip(self) -> None:
        lay = self.layout
        counter_x, n = lay.width - PAD, self.n_steps
        self.add(Text(counter_x, lay.title_y, f"{n} steps", COUNTER_PX, style.MUTED, "end"), 0, 0)
        self.add(Text(counter_x, lay.title_y, "done", COUNTER_PX, style.MUTED, "end"), self.last, self.last)
        for step in self.comp.steps:
            frame = self.at_step(step)
            self.add(
                Text(counter_x, lay.title_y, f"step {frame} / {n}", COUNTER_PX, style.MUTED, "end"),
                frame,
                frame,
            )
        if lay.equation_y is None:
            return
        room = lay.width - 2 * PAD
        eq = lambda text, first, last: self.add(  # noqa: E731
            Text(PAD, lay.equation_y, text, EQUATION_PX, style.INK, "start"), first, last
        )
        eq(self._formula(), 0, 0)
        for step in self.comp.steps:
            frame = self.at_step(step)
            eq(self._equation(step, room), frame, frame)
        out = self.comp.output
        eq(
            f"output {out.shape[0]}{TIMES}{out.shape[1]} complete: min {self.fmt_out(out.min())}, "
            f"max {self.fmt_out(out.max())}",
            self.last,
            self.last,
        )

    # ------------------------------------------------------------------ text

    def _formula(self) -> str:
        sr, sc = self.s.stride
        a = "a" if sr == 1 else f"{sr}a"
        b = "b" if sc == 1 else f"{sc}b"
        return f"output[a,b] = \u03a3\u1d62\u2c7c kernel[i,j] \u00b7 input[{a}+i, {b}+j]"

    def _equation(self, step: Step, room: float) -> str:
        """ "output[2,3] = 1/9 · (9 + … + 9) = 81/9 = 9.0", shortened to fit ``room`` px."""
        head = f"output[{step.out[0]},{step.out[1]}] = "
        weights = self.s.kernel.values
        labels = self.s.kernel.labels
        exact = all(weight_is_exact(w) for w in weights.ravel())
        value = ("= " if exact else "\u2248 ") + self.fmt_out(step.value)
        nz = [(r, c) for (r, c), w in np.ndenumerate(weights) if w != 0]
        if not nz:
            return head + "0"
        common = len({weights[r, c] for r, c in nz}) == 1
        if common:
            w = labels[nz[0][0]][nz[0][1]]
            terms = [self.fmt_in(step.inputs[r, c]) for r, c in nz]
            total = self.fmt_in(sum(step.inputs[r, c] for r, c in nz))
            product = f"{total}/{w[2:]}" if w.startswith("1/") else f"{w}\u00b7{total}"

            def text(shown: list[str]) -> str:
                return f"{head}{w} \u00b7 ({' + '.join(shown)}) = {product} {value}"
        else:

            def term(r: int, c: int) -> str:
                w = labels[r][c]
                w = f"({w})" if w.startswith("\u2212") else w
                return f"{w}\u00b7{_paren(self.fmt_in(step.inputs[r, c]))}"

            terms = [term(r, c) for r, c in nz]

            def text(shown: list[str]) -> str:
                return f"{head}{' + '.join(shown)} {value}"

        return _shorten(terms, text, room)

    # ------------------------------------------------------------------ sizes

    def _value_size(self) -> float | None:
        """Font size of cell values, or None when they are off (auto: when they fit)."""
        if self.render.values is False:
            return None
        c = self.layout.cell
        texts = [self.fmt_in(v) for v in np.unique(self.s.image.values)]
        texts += [self.fmt_out(v) for v in np.unique(self.comp.output)]
        widest = max(texts, key=lambda t: text_width(t, 10))
        size = _fit(widest, c, min(14.0, 0.36 * c), MIN_VALUE_PX)
        if size is None and self.render.values is True:
            return MIN_VALUE_PX
        return size

    def _frame_infos(self) -> tuple[FrameInfo, ...]:
        t, out = self.s.timing, self.comp.output
        (h, w), (kh, kw) = self.s.image.values.shape, self.s.kernel.values.shape
        shape = f"{out.shape[0]}{TIMES}{out.shape[1]}"
        infos = [
            FrameInfo(
                t.poster_ms,
                None,
                None,
                f"poster: input {h}{TIMES}{w}, kernel {kh}{TIMES}{kw}, output {shape}",
            )
        ]
        for step in self.comp.steps:
            infos.append(
                FrameInfo(
                    t.step_ms,
                    step.index,
                    step.out,
                    f"step {step.index + 1}/{self.n_steps}: output[{step.out[0]},{step.out[1]}] = "
                    f"{self.fmt_out(step.value)}",
                )
            )
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {shape}"))
        return tuple(infos)


def _grid_box(g: Grid) -> Box:
    return (g.x, g.y, g.x + g.cols * g.cell, g.y + g.rows * g.cell)


def _span(indices: np.ndarray) -> tuple[int, int]:
    """First and last index of a window axis, as plain ints."""
    return int(indices[0]), int(indices[-1])


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.round(values) == values))


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("\u2212") else text


def _fit(text: str, cell: float, size: float, least: float) -> float | None:
    """Largest font size ≤ ``size`` at which ``text`` fits in a cell; None if below ``least``."""
    width = text_width(text, size)
    size = min(size, size * 0.86 * cell / width) if width else size
    return round(size, 1) if size >= least else None


def _shorten(terms: list[str], text: Callable[[list[str]], str], room: float) -> str:
    """The longest ``text(terms)`` that fits ``room`` px, eliding middle terms with "…"."""
    full = text(terms)
    if text_width(full, EQUATION_PX) <= room or len(terms) <= 3:
        return full
    for keep in range(len(terms) - 2, 1, -1):
        candidate = text([*terms[: keep - 1], "\u2026", terms[-1]])
        if text_width(candidate, EQUATION_PX) <= room:
            return candidate
    return text([terms[0], "\u2026", terms[-1]])
