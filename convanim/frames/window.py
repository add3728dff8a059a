"""Frames of a sliding window (conv2d, and conv_transpose2d seen as a direct convolution)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ..alttext import alt_recipe
from ..display import FrameInfo, Frames, Item, Rect, Text
from ..filters import plane_labels
from ..model import Illustration
from ..steps import Computation, Pool, Step, sum_order
from ..textsize import text_width
from . import labels as lab
from . import slots as sl
from .base import Builder, ends, paren, shorten
from .turn import fitting, turn

MARKER_INSET = 3  #: px between a max pool's cell and its marker


class WindowBuilder(Builder):
    """The window slides over the (padded) input; each step fills one output cell."""

    matrix = False  #: the matrix view (a subclass) draws the same steps as a matrix product

    def __init__(self, scenario: Illustration, comp: Computation) -> None:
        self.direct = scenario.operation == "conv_transpose2d"
        # the direct view first shows the rotation; a flipped kernel turns in frames of its own
        self.turn = turn(plane_labels(comp.weights[0, 0])) if scenario.stages[0].flip else ()
        self.first_step = 1 + scenario.stages[0].turn_frames
        super().__init__(scenario, comp, comp.output.shape[1:], comp.output[0])
        self.weight_labels = plane_labels(comp.weights[0, 0])
        # editable in the player: texts through slots, and how numpy adds a window's products
        step = (1, 1) if self.direct else scenario.stride  # the direct view slides by 1
        self.pool = scenario.operation == "avg_pool2d"  # an average: the window's sum over a divisor
        self.maximum = scenario.operation == "max_pool2d"  # the window's first maximum, marked
        self.order = (
            (
                "pool"
                if self.pool
                else "max"
                if self.maximum
                else sum_order(comp.grid.shape[1:], comp.weights.shape[2:], step, scenario.dilation)
            )
            if sl.editable(scenario)
            else None
        )
        self.editable = self.order is not None
        self.size_rule = self.value_size_rule()  # as the values' size was chosen, for the player
        self.vals: sl.Values | None = None  #: what the slots read (``values``), on this layout
        self.slotted: list[tuple[int, object]] = []  #: (item index, slot) of what follows an edit
        self.readouts: dict[int, sl.Recipe] = {}  #: frame: recipe of its readout

    def values(self) -> sl.Values:
        """What the slots read, on the current layout (its room for equations)."""
        comp, gw = self.comp, self.comp.grid.shape[2]
        taps = np.array([(st.rows[:, None] * gw + st.cols[None, :]).ravel() for st in comp.steps])
        return sl.Values(
            comp.grid[0].ravel(),
            comp.weights[0, 0],
            comp.output[0].ravel(),
            self.fmt_in,
            self.fmt_out,
            self.in_scale,
            self.out_scale,
            self.theme,
            self.s.kernel.preset if self.s.kernel else None,
            self.equation_room,
            taps,
            comp.output.shape[2],
            self.pool_rule(taps) if self.pool else None,
            self.maximum,
        )

    def pool_rule(self, taps: np.ndarray) -> tuple[tuple[int, ...], np.ndarray | None]:
        """An average pool's divisors, and which taps are the image's where padding is not counted."""
        real = None if self.s.stages[0].count_include_pad else ~self.comp.ghost.ravel()[taps]
        return tuple(int(st.divisor) for st in self.comp.steps), real

    def marker_rule(self) -> tuple[float, ...]:
        """A max pool's marker rule (``slots.Slots.marker``): the input grid's x, y and cell, the
        marker's inset (builder units) and the scale its corner is snapped by."""
        if not self.maximum:
            return ()
        g = self.layout.input
        return (g.x, g.y, g.cell, MARKER_INSET, self.render.scale)

    def slot_text(self, recipe: object, make: Callable[[str], None]) -> None:
        """Add, by ``make(text)``, the Text that is ``recipe``'s text, and remember its slot."""
        before = len(self.items)
        make(sl.text(recipe, self.vals))
        if len(self.items) > before:  # drawn (there may be no equation strip)
            self.slotted.append((before, recipe))

    def frames(self) -> Frames:
        frames = super().frames()
        if not self.editable:
            return frames
        v = self.vals
        origin = self.comp.origin.reshape(-1, 2)
        w = self.s.image.shape[1]
        flat = np.where(origin[:, 0] < 0, -1, origin[:, 0] * w + origin[:, 1])
        slots = sl.Slots(
            tuple(self.slotted),
            tuple((frame, k, recipe) for frame, (k, recipe) in sorted(self.readouts.items())),
            v,
            flat,
            self.s.image.shape,
            self.comp.grid.shape[2],
            self.value_px is not None,
            self.render.colormap,
            self.render.output_colormap,
            self.order,
            (*self.size_rule, int(self.render.values is True), self.render.scale, *self.kernel_rule),
            tuple(alt_recipe(self.s)),
            self.slides_turned,
            self.marker_rule(),
            matrix=self.matrix,
        )
        return dataclasses.replace(frames, slots=slots)

    @property
    def slides_turned(self) -> bool:
        """Whether the weights slide turned by 180° (a flip's, after its turn frames; the direct
        view's): the page keeps the given weights and turns them (``Slots.flip``)."""
        return bool(self.turn) or self.direct

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        s = self.s
        kernel = lab.kernel_lines(s)
        if self.direct:
            kh, kw = s.kernel_size
            kernel = [
                f"kernel {kh}\u00d7{kw} rotated 180\u00b0",
                f"stride 1, dilation {lab.pair(s.dilation)}",
            ]
        elif self.turn:  # the widest title the kernel panel shows, for its width
            kernel[0] = max((kernel[0], *(t.title for t in self.turn)), key=len)
        return lab.input_lines(s, self.comp.grid.shape[1:]), kernel, lab.output_lines(s)

    def body(self) -> None:
        lay = self.layout
        self.slotted, self.readouts = [], {}
        if self.editable:
            self.vals = self.values()
        for step in self.comp.steps:
            (r0, r1), (_, c1) = ends(step.rows), ends(step.cols)
            start = (lay.input.x + (c1 + 1) * lay.cell, lay.input.y + (r0 + r1 + 1) * lay.cell / 2)
            end = (lay.output.x + step.out[1] * lay.cell, lay.output.y + (step.out[0] + 0.5) * lay.cell)
            self.connector(start, end, self.at(step.index))
        if self.direct:
            kh, kw = self.s.kernel_size
            self.chrome([(f"kernel {kh}\u00d7{kw}", 0, 0), (self.labels[1][0], 1, self.last)])
        else:
            start = len(self.items)
            if self.turn:
                self.chrome([(lab.kernel_lines(self.s)[0], 0, 0), *self.turn_spans(lambda t: t.title)])
            else:
                self.chrome()
            # the kernel's title names its preset, which an edit drops (a pool: no kernel)
            if self.editable and not (self.pool or self.maximum):
                recipe = [lab.kernel_lines(self.s)[0].removesuffix(sl.text([("p",)], self.vals)), ("p",)]
                for i in range(start, len(self.items)):
                    it = self.items[i]
                    if isinstance(it.shape, Text) and it.shape.text == lab.kernel_lines(self.s)[0]:
                        shape = dataclasses.replace(it.shape, text=sl.text(recipe, self.vals))
                        self.items[i] = Item(shape, it.first, it.last)
                        self.slotted.append((i, recipe))
                        break
        self.input_cells()
        self.image_boundary()
        self.output_cells()
        if self.direct:  # the original weights, then (frame 1 on) the rotated ones
            kh, kw = self.comp.weights.shape[2:]
            given = tuple(tuple(str(kh * kw - 1 - r * kw - c) for c in range(kw)) for r in range(kh))
            self.kernel_cells(self.s.kernel.labels, 0, 0, given)
            self.kernel_cells(self.weight_labels, 1, self.last)
        elif self.turn:  # as given, upside down, rotated; the given top-left number marked
            kh, kw = self.comp.weights.shape[2:]
            # where each turned weight stands in each frame: the turn of the weights' indices
            places = turn(tuple(tuple(str(r * kw + c) for c in range(kw)) for r in range(kh)))
            spans = self.turn_spans(lambda t: t.labels)
            for (labels, first, last), t, at in zip(spans, self.turn, places, strict=True):
                self.kernel_cells(labels, 0 if first == 1 else first, last, at.labels)
                r, c = t.corner
                self.outline(self.layout.kernel, (r, r), (c, c), self.theme.source, first, width=2, inset=3)
        else:
            self.kernel_cells(self.weight_labels)
        for step in self.comp.steps:
            frame = self.at(step.index)
            self.taps(lay.input, step.rows, step.cols, frame)
            self.outline(lay.output, (step.out[0],) * 2, (step.out[1],) * 2, self.theme.highlight, frame)
            self.sources(step, frame)
        self.step_counter()
        self.strip()

    def step_counter(self) -> None:
        """The counter; an editable picture's "step k / n" through a step recipe, so the page
        writes it rather than ships it."""
        start = len(self.items)
        self.counter()
        if not self.editable:
            return
        recipe = ["step ", ("s",), f" / {self.n_steps}"]
        for i in range(start, len(self.items)):
            it = self.items[i]
            k = it.first - self.first_step
            if it.first == it.last and 0 <= k < self.n_steps:
                node = ("t", k, recipe)
                shape = dataclasses.replace(it.shape, text=sl.text(node, self.vals))
                self.items[i] = Item(shape, it.first, it.last)
                self.slotted.append((i, node))

    def turn_spans(self, part) -> list[tuple[object, int, int]]:
        """(part of turn frame i, its first frame, its last): the last one stays while the kernel
        slides."""
        n = len(self.turn)
        return [(part(t), 1 + i, 1 + i if i < n - 1 else self.last) for i, t in enumerate(self.turn)]

    def image_boundary(self) -> None:
        """A dark line between the image and its padding."""
        top, _, left, _ = self.s.padding
        if self.direct or not any(self.s.padding):
            return
        h, w = self.s.image.shape
        rows, cols = (top, top + h - 1), (left, left + w - 1)
        self.outline(self.layout.input, rows, cols, self.theme.boundary, 0, width=2, last=self.last)

    def output_cells(self) -> None:
        g, out = self.layout.output, self.comp.output[0]
        self.empty_grid(g)
        colours = self.out_scale(out)
        for step in self.comp.steps:
            r, c = step.out
            if self.editable:
                node = ("o", r * out.shape[1] + c)
                self.slotted.append((len(self.items), node))
                fill, fmt = sl.fill(node, self.vals), lambda _, n=node: sl.text(n, self.vals)
                self.cell(g, r, c, step.value, fill, fmt, self.at(step.index))
            else:
                fill = colours[r * out.shape[1] + c]
                self.cell(g, r, c, step.value, fill, self.fmt_out, self.at(step.index))
        self.border(g)

    def input_cells(self) -> None:
        if not self.editable:
            return super().input_cells()
        g, grid, ghost = self.layout.input, self.comp.grid[0], self.comp.ghost
        for (r, c), v in np.ndenumerate(grid):
            r, c = int(r), int(c)
            node = ("g" if ghost[r, c] else "i", r * grid.shape[1] + c)
            start = len(self.items)
            fill = self.theme.background if ghost[r, c] else sl.fill(node, self.vals)
            fmt = lambda _, n=node: sl.text(n, self.vals)  # noqa: E731
            self.cell(g, r, c, v, fill, fmt, 0, ghost=bool(ghost[r, c]))
            if not ghost[r, c]:
                self.slotted.append((start, node))
            elif self.value_px is not None:
                self.slotted.append((len(self.items) - 1, node))
        self.border(g)

    def kernel_cells(
        self,
        labels: tuple[tuple[str, ...], ...],
        first: int = 0,
        last: int | None = None,
        at: tuple[tuple[str, ...], ...] | None = None,
    ) -> None:
        """The kernel's cells; editable, each label is a slot: the weight whose index ``at`` has
        at its place (a turn frame's), by default the weights in order."""
        if self.editable:
            self.kernel_rule = (self.layout.kernel.cell, self.kernel_least())
        if not self.editable or self.pool or self.maximum:  # (a pool's window has no weights to edit)
            return super().kernel_cells(labels, first, last)
        kh, kw = self.comp.weights.shape[2:]
        index = [int(i) for row in at for i in row] if at else list(range(kh * kw))
        labels = tuple(tuple(self.vals.labels[j] for j in index[r * kw : (r + 1) * kw]) for r in range(kh))
        start = len(self.items)
        super().kernel_cells(labels, first, last)
        if len(self.items) - start == 2 * len(index):  # each weight's Rect and Text
            self.slotted += [(start + 2 * n + 1, ("k", j)) for n, j in enumerate(index)]

    def sources(self, step: Step, frame: int) -> None:
        """For reflect, replicate and circular padding: mark each padding cell the window reads and
        the image pixel its value is copied from, in the same colour."""
        if self.s.padding_mode == "zeros" or self.direct:
            return
        g, ghost, origin = self.layout.input, self.comp.ghost, self.comp.origin
        top, _, left, _ = self.s.padding
        marked: set[tuple[int, int]] = set()
        for r in step.rows.tolist():
            for c in step.cols.tolist():
                if not ghost[r, c]:
                    continue
                self.outline(g, (r, r), (c, c), self.theme.source, frame, width=2, inset=3)
                src = (int(origin[r, c, 0]) + top, int(origin[r, c, 1]) + left)
                if src not in marked:
                    marked.add(src)
                    self.outline(g, (src[0],) * 2, (src[1],) * 2, self.theme.source, frame, width=2, inset=3)

    def strip(self) -> None:
        self.equation(self.poster_formula(), 0, 0)
        if self.direct:
            kh, kw = self.s.kernel_size
            self.equation(
                f"same numbers as a convolution with the kernel rotated 180\u00b0: "
                f"w\u2032[i,j] = w[{kh - 1}\u2212i, {kw - 1}\u2212j]",
                1,
                1,
            )
        for i, t in enumerate(self.turn):
            self.equation(fitting(t.equations, self.room), 1 + i, 1 + i)
        for step in self.comp.steps:
            frame = self.at(step.index)
            if self.editable:
                node = self.equation_slot(step.index)
                self.slot_text(node, lambda t, f=frame: self.equation(t, f, f))
            else:
                self.equation(self.step_equation(step), frame, frame)
        if self.editable:
            out = self.comp.output[0]
            recipe = [f"output {out.shape[0]}\u00d7{out.shape[1]} complete: min ", ("lo",), ", max ", ("hi",)]
            self.slot_text(recipe, lambda t: self.equation(t, self.last, self.last))
        else:
            self.equation(self.summary(), self.last, self.last)

    def equation_slot(self, k: int) -> sl.Node:
        """The slot of step k's equation (an editable picture's)."""
        return ("m" if self.pool else "x" if self.maximum else "e", k)

    def readout_recipe(self) -> sl.Recipe:
        """The recipe of a step's readout (an editable picture's): "step 3/16: output[0,2] = 7"."""
        return ["step ", ("s",), f"/{self.n_steps}: output[", ("r",), ",", ("c",), "] = ", ("o",)]

    def poster_formula(self) -> str:
        if self.direct:
            return (
                "output[a,b] = \u03a3\u1d62\u2c7c w\u2032[i,j] \u00b7 z[a+i, b+j]   (z: the grid on the left)"
            )
        (sr, sc), (dr, dc), (top, _, left, _) = self.s.stride, self.s.dilation, self.s.padding
        if self.turn:  # the kernel as given, each tap reading the mirrored place
            (kh, kw), names = self.s.kernel_size, ("true convolution: the kernel flipped", "true convolution")
            rows = _index(sr, "a", -dr, "i", top - dr * (kh - 1))
            cols = _index(sc, "b", -dc, "j", left - dc * (kw - 1))
        else:
            names = ("cross-correlation, as PyTorch", "cross-correlation")
            rows, cols = _index(sr, "a", dr, "i", top), _index(sc, "b", dc, "j", left)
        formula = f"output[a,b] = \u03a3\u1d62\u2c7c kernel[i,j] \u00b7 input[{rows}, {cols}]"
        return fitting((*(f"{formula}   ({name})" for name in names), formula), self.room)

    def step_equation(self, step: Step) -> str:
        """ "output[2,3] = 1/9 · (9 + … + 9) = 81/9 = 9.0", shortened to fit the strip: the slot's
        text (frames/slots.equation), editable or not."""
        if self.vals is None or self.vals.room != self.equation_room:  # built once a layout
            self.vals = self.values()
        return sl.equation(step.index, self.vals)

    @property
    def equation_room(self) -> float:
        """px a step's equation may use: the strip's (the matrix view's less its row's name)."""
        return self.room

    def infos(self) -> list[FrameInfo]:
        t, s = self.s.timing, self.s
        shape = lab.size(self.comp.output.shape[1:])
        what = "kernel" if s.kernel is not None else "window"
        infos = [
            FrameInfo(
                t.poster_ms,
                None,
                None,
                f"poster: input {lab.size(s.image.shape)}, {what} {lab.size(s.kernel_size)}, output {shape}",
            )
        ]
        if self.direct:
            infos.append(FrameInfo(t.poster_ms, None, None, "the kernel rotated by 180 degrees"))
        infos += [FrameInfo(t.poster_ms, None, None, turn.readout) for turn in self.turn]
        recipe = self.readout_recipe()
        for step in self.comp.steps:
            if self.editable:  # one output map: step k fills output cell k
                self.readouts[self.at(step.index)] = (step.index, recipe)
                readout = sl.text(recipe, self.vals, step.index)
            else:
                head = f"step {step.index + 1}/{self.n_steps}: output[{step.out[0]},{step.out[1]}] = "
                readout = head + self.fmt_out(step.value)
            infos.append(FrameInfo(t.step_ms, step.index, step.out, readout))
        infos.append(FrameInfo(t.final_ms, None, None, f"done: output {shape}"))
        return infos


def expansion(
    weights: np.ndarray, labels: tuple[tuple[str, ...], ...], inputs: np.ndarray, fmt: Callable[[float], str]
) -> tuple[list[str], Callable[[list[str]], str]]:
    """A plane's weighted sum written out: its terms (inputs under non-zero weights, or w·x each)
    and how shown terms join, "1/9 · (9 + … + 9)" when every weight is the same, else
    "w·x + w·x + …". No terms when every weight is 0."""
    nz = [(r, c) for (r, c), w in np.ndenumerate(weights) if w != 0]
    if nz and len({weights[r, c] for r, c in nz}) == 1:
        w = labels[nz[0][0]][nz[0][1]]
        return [fmt(inputs[r, c]) for r, c in nz], lambda shown: f"{w} \u00b7 ({' + '.join(shown)})"
    terms = [f"{paren(labels[r][c])}\u00b7{paren(fmt(inputs[r, c]))}" for r, c in nz]
    return terms, lambda shown: " + ".join(shown)


def _index(stride: int, out: str, dilation: int, tap: str, pad: int) -> str:
    """An input index like "2a+i−1" for stride 2, dilation 1, padding 1 (a negative dilation and
    padding for a flipped kernel: "a−i+2")."""
    text = (f"{stride}{out}" if stride > 1 else out) + ("+" if dilation > 0 else "\u2212")
    text += f"{abs(dilation)}{tap}" if abs(dilation) > 1 else tap
    return text + (f"\u2212{pad}" if pad > 0 else f"+{-pad}" if pad < 0 else "")


class PoolBuilder(WindowBuilder):
    """Max or average pooling: the window slides like a kernel; the maximum is marked, or the
    mean's sum and divisor written out."""

    def label_lines(self) -> tuple[list[str], list[str], list[str]]:
        s = self.s
        return lab.input_lines(s, self.comp.grid.shape[1:]), lab.pool_lines(s), lab.pool_output_lines(s)

    def kernel_cells(
        self, labels: tuple[tuple[str, ...], ...], first: int = 0, last: int | None = None
    ) -> None:
        """The window as empty cells named "max" or "mean": a pool has no weights (and a mean's
        divisor can change at the border, so no 1/9 is drawn)."""
        kh, kw = self.s.kernel_size
        super().kernel_cells(tuple(("",) * kw for _ in range(kh)), first, last)
        k = self.layout.kernel
        size = min(16.0, k.cell * kw * 0.3)
        centre_y = k.y + kh * k.cell / 2 + 0.36 * size
        name = "max" if self.s.operation == "max_pool2d" else "mean"
        fill, cx, cy = self.theme.kernel_fill, k.x + kw * k.cell / 2, k.y + kh * k.cell / 2
        w, h = text_width(name, size) + 8, size + 6  # a patch over the cells' lines: none crosses it
        self.add(Rect(cx - w / 2, cy - h / 2, w, h, fill=fill), first, last)
        self.add(Text(cx, centre_y, name, size, self.theme.text_on(fill)), first, last)

    def sources(self, step: Pool, frame: int) -> None:
        """Mark the maximum (the first one on ties, as PyTorch) in the window; editable, its place
        is the slot's (``slots.chosen``: the same rule the player runs), which the marker follows."""
        if step.chosen is None:
            return
        r, c = int(step.rows[step.chosen[0]]), int(step.cols[step.chosen[1]])
        if self.editable:
            r, c = divmod(sl.chosen(step.index, self.vals), self.comp.grid.shape[2])
            self.slotted.append((len(self.items), ("a", step.index)))
        self.outline(self.layout.input, (r, r), (c, c), self.theme.source, frame, width=2, inset=MARKER_INSET)

    def poster_formula(self) -> str:
        (kh, kw) = self.s.kernel_size
        if self.s.operation == "max_pool2d":
            return f"output[a,b] = the largest value of the {kh}\u00d7{kw} window at (a,b)"
        return f"output[a,b] = the mean of the {kh}\u00d7{kw} window at (a,b)"

    def step_equation(self, step: Pool) -> str:
        head = f"output[{step.out[0]},{step.out[1]}] = "
        terms = [self.fmt_in(v) for v in step.inputs.ravel()]
        value = self.fmt_out(step.value)
        if step.divisor is None and self.editable:  # the slot's text (frames/slots.max_equation)
            if self.vals is None or self.vals.room != self.room:
                self.vals = self.values()
            return sl.max_equation(step.index, self.vals)
        if step.divisor is None:
            return shorten(terms, lambda shown: f"{head}max({', '.join(shown)}) = {value}", self.room)
        if self.editable:  # the slot's text (frames/slots.mean_equation)
            if self.vals is None or self.vals.room != self.room:
                self.vals = self.values()
            return sl.mean_equation(step.index, self.vals)
        if not self.s.count_include_pad:  # only the image's own pixels are summed and counted
            real = ~self.comp.ghost[np.ix_(step.rows, step.cols)]
            terms = [self.fmt_in(v) for v in step.inputs[real]]
        total = self.fmt_in(float(step.inputs.sum()))
        return shorten(
            terms,
            lambda shown: f"{head}({' + '.join(shown)})/{step.divisor} = {total}/{step.divisor} = {value}",
            self.room,
        )
