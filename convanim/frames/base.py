"""What every illustration's frames share: layout, title, labels, kernel, grids of cells, counter.

Frame 0 is the poster; the steps follow (from ``first_step``), then the finished output.
Subclasses add the operation's own items in ``body`` and describe each frame in ``infos``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import style
from ..display import FrameInfo, Frames, Grid, Hatch, Item, Line, MapGrid, Rect, Shape, Text
from ..layout import (
    CAPTION_PX,
    EQUATION_PX,
    LABEL_PX,
    PAD,
    SMALL_PX,
    SYMBOL_PX,
    TITLE_PX,
    Box,
    auto_cell,
    legible_px,
    make_layout,
    visible_parts,
)
from ..model import Illustration
from ..numfmt import formatter
from ..stage import Stage
from ..steps import Computation
from ..textsize import fast_width, text_width
from ..words import count
from .scaling import grown, scaled, unit

BASELINE = 0.36  # baseline offset below a centre line, in font sizes (DejaVu digit height / 2)
COUNTER_PX = 14
MIN_VALUE_PX = 8.0
GHOST_HATCH = 5.0  # spacing of the hatching of padding cells: denser than "not computed yet"


class Collector:
    """Items in drawing order, each with its span of frames (``last`` is the final frame)."""

    last: int
    items: list[Item]
    layout: Any  #: the builder's layout; only its ``width`` is used here

    def add(self, shape: Shape, first: int = 0, last: int | None = None) -> None:
        self.items.append(Item(shape, first, self.last if last is None else last))

    def ghost_cell(self, x: float, y: float, size: float, first: int, last: int | None = None) -> None:
        """A cell that holds no value of the image: zero padding, a reflected, replicated or
        circular copy, a dilation gap, a transposed convolution's inserted zero or a border that
        padding crops. Hatched and outlined with no fill from the value scale, so it never looks
        like a value; its number, if any, is written in the muted colour."""
        fill, line = self.theme.background, self.theme.ghost_line
        self.add(Rect(x, y, size, size, fill=fill, stroke=line, width=1), first, last)
        self.add(Hatch(x, y, size, size, self.theme.hatch, GHOST_HATCH), first, last)

    @property
    def theme(self) -> style.Theme:
        """Every colour of the chrome comes from here (see style.Theme)."""
        return self.render.palette

    def text_right(self) -> float:
        """Right edge of the rightmost text, in px: an upper estimate first (cheap on thousands of
        equations), measured exactly where it comes near the picture's edge."""
        right = 0.0
        width = self.layout.width
        seen: set[tuple[str, float, bool, str, float]] = set()
        for it in self.items:
            t = it.shape
            if not isinstance(t, Text) or (t.text, t.size, t.bold, t.anchor, t.x) in seen:
                continue
            seen.add((t.text, t.size, t.bold, t.anchor, t.x))
            shift = {"start": 1.0, "middle": 0.5, "end": 0.0}[t.anchor]
            edge = t.x + shift * fast_width(t.text, t.size, t.bold)
            if edge > width - PAD:  # near the margin: measure exactly
                edge = t.x + shift * text_width(t.text, t.size, t.bold)
            right = max(right, edge)
        return right

    def widened(self) -> int | None:
        """The picture width every text fits in (its rightmost edge plus the margin, even), or None
        when the picture is wide enough: an equation too long to shorten, a huge value or the
        summary line widens the picture instead of running off it."""
        need = self.text_right() + PAD
        width = self.layout.width
        return int(-(-need // 2) * 2) if need > width + 0.5 else None

    def assemble(
        self,
        title: str,
        size: tuple[int, int],
        infos: tuple[FrameInfo, ...],
        grid: Grid,
        grids: tuple[Grid, ...] = (),
        maps: tuple[MapGrid, ...] = (),
    ) -> Frames:
        """The display list, once every item is in; one FrameInfo per frame. Built in units where
        a cell is 1/scale of its size, it is scaled up here (see ``scaling``)."""
        assert len(infos) == self.last + 1, "one FrameInfo per frame"
        background, alt = self.theme.background, self.s.alt_text
        frames = Frames(
            title, size[0], size[1], background, tuple(self.items), infos, grid, grids, alt, self.theme, maps
        )
        return scaled(frames, self.render.scale)


class Builder(Collector):
    """Collects items in drawing order; one method per part of the picture."""

    first_step = 1  #: frame of the first step (2 when an explanatory frame comes first)

    def __init__(
        self, scenario: Illustration, comp: Computation, right: tuple[int, int], outputs: np.ndarray
    ) -> None:
        """``right`` is the shape of the grid drawn on the right; ``outputs`` every value it shows."""
        self.s, self.comp, self.render = scenario, comp, scenario.render
        self.n_steps = len(comp.steps)
        self.last = self.first_step + self.n_steps
        self.items: list[Item] = []
        grid, kernel = comp.grid[0], comp.weights[0, 0]
        finite = grid[np.isfinite(grid)]  # max pooling pads with −∞, which no scale spans
        shown = outputs[np.isfinite(outputs)] if np.isfinite(outputs).any() else np.zeros(1)
        self.in_scale, self.out_scale = style.scales(
            finite, kernel, shown, self.render.colormap, self.render.output_colormap
        )
        whole = _integral(finite) and (_integral(kernel) or not averages_values(scenario.stages[-1]))
        self.fmt_in = formatter(self.render.number_format, grid)
        self.fmt_out = formatter(self.render.number_format, outputs, least=0 if whole else 1)
        k = self.render.scale
        cell = unit(self.render.cell_px or grown(auto_cell(grid.shape, self.middle_shape(), right), k), k)
        self.labels = self.label_lines()
        self.layout = make_layout(
            grid.shape,
            self.middle_shape(),
            right,
            cell,
            labels=self.labels,
            title=scenario.title,
            caption=scenario.caption,
            equation=self.render.equation,
            counter_width=text_width(f"step {self.n_steps} / {self.n_steps}", COUNTER_PX),
        )
        self.value_px = self._value_size(outputs)
        # Below 16 px a line around every cell turns a picture into a mesh: draw plain cells.
        self.grid_line = self.theme.grid_line if self.layout.cell * self.render.scale >= 16 else None
        self.stroke = max(2.0, round(self.layout.cell * 0.09))

    # ------------------------------------------------------------------ to override

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        raise NotImplementedError

    def middle_shape(self) -> tuple[int, int]:
        """Cells of the middle panel: the kernel, or a box naming the operation."""
        return self.comp.weights.shape[2:]

    def body(self) -> None:
        raise NotImplementedError

    def infos(self) -> list[FrameInfo]:
        raise NotImplementedError

    def output_grid(self) -> Grid:
        return self.layout.output

    # ------------------------------------------------------------------ assembly

    def frames(self) -> Frames:
        self.body()
        width = self.widened()
        if width is not None:  # once more on the wider picture (equations may then use the room)
            self.layout = dataclasses.replace(self.layout, width=width)
            self.items = []
            self.body()
        size = (self.layout.width, self.layout.height)
        return self.assemble(
            self.s.title, size, tuple(self.infos()), self.output_grid(), maps=self.map_grids()
        )

    def map_grids(self) -> tuple[MapGrid, ...]:
        """Where the image's and the output's cells are drawn (Frames.maps)."""
        inputs = image_grid(self.layout.input, self.comp.ghost, self.s.image.shape)
        return (*(MapGrid(0, 0, g) for g in inputs[:1]), MapGrid(1, 0, self.output_grid()))

    def at(self, index: int) -> int:
        """Frame of step ``index``."""
        return self.first_step + index

    # ------------------------------------------------------------------ chrome

    def chrome(self, kernel_titles: Sequence[tuple[str, int, int]] = ()) -> None:
        """Title, caption, panel labels, the kernel panel and the ⊛ and → signs. ``kernel_titles``
        replaces the kernel's first label line by (text, first, last) pieces."""
        lay, ink = self.layout, self.theme.ink
        self.add(Text(PAD, lay.title_y, self.s.title, TITLE_PX, ink, "start", bold=True))
        if lay.caption_y is not None:
            self.add(Text(PAD, lay.caption_y, self.s.caption or "", CAPTION_PX, self.theme.muted, "start"))
        in_l, k_l, out_l = self.labels
        for grid, lines in ((lay.input, in_l), (lay.output, out_l)):
            for i, line in enumerate(lines):
                size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, self.theme.muted)
                self.add(Text(grid.x, lay.label_y + i * (SMALL_PX + 4), line, size, colour, "start"))
        k = lay.kernel
        centre = k.x + k.cols * k.cell / 2
        panel, *symbols = self.panels()
        self.add(
            Rect(panel[0], panel[1], panel[2] - panel[0], panel[3] - panel[1], fill=self.theme.background)
        )
        for i, line in enumerate(k_l):
            size, colour = (LABEL_PX, ink) if i == 0 else (SMALL_PX, self.theme.muted)
            y = k.y - 10 - (len(k_l) - 1 - i) * (SMALL_PX + 4)
            for text, first, last in kernel_titles if i == 0 and kernel_titles else [(line, 0, self.last)]:
                self.add(Text(centre, y, text, size, colour, "middle"), first, last)
        convolution = self.s.operation in ("conv2d", "conv_transpose2d")
        for (x0, y0, x1, y1), glyph in zip(
            symbols, ("\u229b" if convolution else "\u2192", "\u2192"), strict=True
        ):
            self.add(Rect(x0, y0, x1 - x0, y1 - y0, fill=self.theme.background))
            self.add(
                Text((x0 + x1) / 2, lay.middle_y + BASELINE * SYMBOL_PX, glyph, SYMBOL_PX, self.theme.muted)
            )

    def panels(self) -> list[Box]:
        """Opaque boxes of the middle column: the kernel with its labels, then the ⊛ and → signs.
        Connectors pass behind them."""
        lay, k = self.layout, self.layout.kernel
        k_labels = self.labels[1]
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

    def connector(self, start: tuple[float, float], end: tuple[float, float], frame: int) -> None:
        """A dashed line between the panels, passing behind the grids and the kernel: only its
        visible pieces are emitted, so each is small and cheap to repaint."""
        lay = self.layout
        covers = [grid_box(lay.input), grid_box(lay.output), *self.panels()]
        for piece in visible_parts(start, end, covers):
            self.add(Line(piece, self.theme.highlight, 1.5, dash=True), frame, frame)

    # ------------------------------------------------------------------ cells

    def cell(
        self,
        grid: Grid,
        r: int,
        c: int,
        value: float,
        fill: str,
        fmt: Callable[[float], str],
        first: int,
        last: int | None = None,
        *,
        ghost: bool = False,
    ) -> None:
        """One cell with its value; a ghost (padding) cell is hatched, its number muted (see
        ghost_cell)."""
        x, y, size = grid.x + c * grid.cell, grid.y + r * grid.cell, grid.cell
        if ghost:
            self.ghost_cell(x, y, size, first, last)
            fill, ink = self.theme.background, self.theme.muted
        else:
            self.add(Rect(x, y, size, size, fill=fill, stroke=self.grid_line, width=1), first, last)
            ink = self.theme.text_on(fill)
        if self.value_px is not None:
            baseline = y + size / 2 + BASELINE * self.value_px
            self.add(Text(x + size / 2, baseline, fmt(value), self.value_px, ink), first, last)

    def input_cells(self) -> None:
        """The grid the steps read, padding and inserted zeros as ghost cells."""
        g, grid, ghost = self.layout.input, self.comp.grid[0], self.comp.ghost
        colours = self.in_scale(grid)
        for (r, c), v in np.ndenumerate(grid):
            r, c = int(r), int(c)
            self.cell(g, r, c, v, colours[r * grid.shape[1] + c], self.fmt_in, 0, ghost=bool(ghost[r, c]))
        self.border(g)

    def empty_grid(self, g: Grid) -> None:
        """Hatching that says "not computed yet", under the cells that will fill in."""
        c = g.cell
        self.add(Rect(g.x, g.y, g.cols * c, g.rows * c, fill=self.theme.background))
        self.add(Hatch(g.x, g.y, g.cols * c, g.rows * c, self.theme.hatch))
        if self.grid_line:
            for r in range(g.rows):
                for col in range(g.cols):
                    self.add(Rect(g.x + col * c, g.y + r * c, c, c, stroke=self.theme.hatch, width=1))

    def border(self, g: Grid) -> None:
        """A frame around a grid whose cells have no lines of their own, so it never melts into
        the background."""
        if self.grid_line is None:
            self.add(Rect(g.x, g.y, g.cols * g.cell, g.rows * g.cell, stroke=self.theme.grid_line, width=1))

    def outline(
        self,
        g: Grid,
        rows: tuple[int, int],
        cols: tuple[int, int],
        colour: str,
        frame: int,
        width: float | None = None,
        inset: float = 0.0,
        last: int | None = None,
    ) -> None:
        """A rectangle around cells rows[0]..rows[1] × cols[0]..cols[1] of grid ``g``, drawn in
        ``frame`` (to ``last`` if given)."""
        c = g.cell
        x, y = g.x + cols[0] * c + inset, g.y + rows[0] * c + inset
        w, h = (cols[1] + 1 - cols[0]) * c - 2 * inset, (rows[1] + 1 - rows[0]) * c - 2 * inset
        self.add(
            Rect(x, y, w, h, stroke=colour, width=width or self.stroke),
            frame,
            frame if last is None else last,
        )

    def taps(self, g: Grid, rows: np.ndarray, cols: np.ndarray, frame: int) -> None:
        """The cells a kernel touches: one outline when they are contiguous; with dilation, each tap
        outlined and the span dashed, so the gaps show."""
        (r0, r1), (c0, c1) = ends(rows), ends(cols)
        if (r1 - r0 + 1, c1 - c0 + 1) == (len(rows), len(cols)):
            self.outline(g, (r0, r1), (c0, c1), self.theme.highlight, frame)
            return
        for r in rows.tolist():
            for c in cols.tolist():
                self.outline(
                    g, (r, r), (c, c), self.theme.highlight, frame, width=self.stroke - 0.5, inset=1.5
                )
        x0, y0 = g.x + c0 * g.cell, g.y + r0 * g.cell
        x1, y1 = g.x + (c1 + 1) * g.cell, g.y + (r1 + 1) * g.cell
        for a, b in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
            self.add(Line((a, b), self.theme.highlight, 1.5, dash=True), frame, frame)

    def kernel_cells(
        self, labels: tuple[tuple[str, ...], ...], first: int = 0, last: int | None = None
    ) -> None:
        k = self.layout.kernel
        least = self.kernel_least()
        size = fit(max((t for row in labels for t in row), key=len), k.cell, self.value_px or 12.0, least)
        for r, row in enumerate(labels):
            for col, label in enumerate(row):
                x, y = k.x + col * k.cell, k.y + r * k.cell
                fill = self.theme.kernel_fill
                self.add(
                    Rect(x, y, k.cell, k.cell, fill=fill, stroke=self.theme.highlight, width=1.5),
                    first,
                    last,
                )
                if size is not None and label:  # (a pool's window has no labels: no empty texts)
                    baseline = y + k.cell / 2 + BASELINE * size
                    self.add(
                        Text(x + k.cell / 2, baseline, label, size, self.theme.text_on(fill)), first, last
                    )

    # ------------------------------------------------------------------ strip

    def counter(self) -> None:
        lay, n = self.layout, self.n_steps
        x = lay.width - PAD
        steps = Text(x, lay.title_y, count(n, "step"), COUNTER_PX, self.theme.muted, "end")
        self.add(steps, 0, self.first_step - 1)
        self.add(Text(x, lay.title_y, "done", COUNTER_PX, self.theme.muted, "end"), self.last, self.last)
        for i in range(n):
            frame = self.at(i)
            self.add(
                Text(x, lay.title_y, f"step {i + 1} / {n}", COUNTER_PX, self.theme.muted, "end"), frame, frame
            )

    def equation(self, text: str, first: int, last: int) -> None:
        if self.layout.equation_y is not None:
            self.add(
                Text(PAD, self.layout.equation_y, text, EQUATION_PX, self.theme.ink, "start"), first, last
            )

    @property
    def room(self) -> float:
        """Width in px the equation strip may use."""
        return self.layout.width - 2 * PAD

    def summary(self) -> str:
        out = self.comp.output[0]
        return (
            f"output {out.shape[0]}\u00d7{out.shape[1]} complete: min {self.fmt_out(out.min())}, "
            f"max {self.fmt_out(out.max())}"
        )

    # ------------------------------------------------------------------ sizes

    def _value_size(self, outputs: np.ndarray) -> float | None:
        """Font size of cell values, or None when they are off (auto: when they fit)."""
        if self.render.values is False:
            return None
        texts = [self.fmt_in(v) for v in np.unique(self.comp.grid)]  # every plane
        texts += [self.fmt_out(v) for v in np.unique(outputs)]
        widest = max(texts, key=lambda t: text_width(t, 10))
        k = self.render.scale
        c, most, least = self.value_size_rule()
        size = fit(widest, c, most, least)
        if size is None and self.render.values is True:
            return least / k
        return None if size is None else size / k

    def value_size_rule(self) -> tuple[float, float, float]:
        """The cell, the largest and the least font size (final px) cell values are fitted to:
        sizes tied to a cell are chosen in final pixels; fuller cells, and below the least the
        overview shows them as colour only."""
        k = self.render.scale
        c = self.layout.cell * k
        least = max(MIN_VALUE_PX, self.legible * k)
        return c, max(least, min(14.0 * k, 0.36 * c * min(k, 1.5))), least

    def kernel_least(self) -> float:
        """The least font size of the kernel's weights (builder units): 7 px once scaled, and
        legible projected."""
        return max(7.0 / self.render.scale, self.legible)

    @property
    def legible(self) -> float:
        """The least font size (builder units) legible once the picture fits a 1080p screen."""
        return legible_px(self.layout.width, self.layout.height)


def averages_values(stage: Stage) -> bool:
    """Whether outputs are weighted sums with fractional weights, written with a decimal at least
    (the course writes a mean of nines as 9.0); a maximum, a copy or a ReLU keeps the input's digits."""
    fractional = ("batch_norm", "sigmoid", "tanh", "gelu", "leaky_relu", "adaptive_avg_pool2d")
    return stage.operation in ("conv2d", "conv_transpose2d", "avg_pool2d", *fractional) or (
        stage.operation == "upsample" and stage.mode == "bilinear"
    )


def image_grid(g: Grid, ghost: np.ndarray, shape: tuple[int, int]) -> tuple[Grid, ...]:
    """The image's own cells within grid ``g`` of the cells the steps read (``ghost`` marks the
    others): one grid without the padding, or none when the image's cells are not one block (the
    direct view's inserted zeros)."""
    own = np.argwhere(~ghost)
    (h, w), (top, left) = shape, own.min(axis=0) if own.size else (0, 0)
    if own.shape[0] != h * w or ghost[top : top + h, left : left + w].any():
        return ()
    return (Grid(g.x + int(left) * g.cell, g.y + int(top) * g.cell, h, w, g.cell),)


def grid_box(g: Grid) -> Box:
    return (g.x, g.y, g.x + g.cols * g.cell, g.y + g.rows * g.cell)


def ends(indices: np.ndarray) -> tuple[int, int]:
    """First and last index along a kernel axis, as plain ints."""
    return int(indices[0]), int(indices[-1])


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.round(values) == values))


def paren(text: str) -> str:
    return f"({text})" if text.startswith("\u2212") else text


def fit(text: str, cell: float, size: float, least: float) -> float | None:
    """Largest font size ≤ ``size`` at which ``text`` fits in a cell; None if below ``least``."""
    width = text_width(text, size)
    size = min(size, size * 0.86 * cell / width) if width else size
    return round(size, 1) if size >= least else None


def shorten(terms: list[str], text: Callable[[list[str]], str], room: float) -> str:
    """The longest ``text(terms)`` that fits ``room`` px, eliding middle terms with "…" (a binary
    search on how many terms are kept, widths estimated by :func:`fast_width`). The shortest form,
    first term … last term, is returned even when it does not fit: the picture then widens."""

    def fits(candidate: str) -> bool:
        return fast_width(candidate, EQUATION_PX) <= room

    full = text(terms)
    if len(terms) <= 3 or fits(full):
        return full

    def kept(keep: int) -> str:  # ``keep`` terms shown: the first keep − 1 and the last
        return text([*terms[: keep - 1], "\u2026", terms[-1]])

    lo, hi, best = 3, len(terms) - 2, 2
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(kept(mid)):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return kept(best)
