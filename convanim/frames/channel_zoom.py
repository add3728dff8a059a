"""The zoomed inset of a picture with channels: for the current step, one block per plane it
reads with the window's values, their sum (and the weights beside them when the filters are drawn
as colour); on the poster and the last frame, the numbers at the centre of the map."""

from __future__ import annotations

import numpy as np

from ..display import Rect, Text
from ..elementwise import WHOLE_MAP
from ..layout import PAD, SMALL_PX
from ..steps import Pool, Step
from ..textsize import text_width
from . import signal_words as words
from .base import BASELINE, fit
from .channel_filters import FilterPanels
from .channel_panels import ELLIPSIS, SIGMA, WEIGHTS_GAP

MAX_ZOOM = 5  #: planes drawn in the zoomed inset


class ChannelZoom(FilterPanels):
    """Draws the zoom of a chain with channels."""

    def _zoom_shape(self) -> tuple[int, int]:
        rows = cols = 1
        for st in self.s.stages:
            if st.operation in WHOLE_MAP:
                continue
            if st.operation == "upsample":
                rows, cols = max(rows, 2), max(cols, 2)
            elif st.operation != "conv_transpose2d":
                rows, cols = max(rows, st.kernel_size[0]), max(cols, st.kernel_size[1])
        return min(rows, 9), min(cols, 9)

    def _zoom_blocks(self) -> int:
        reads = [len(s.planes) for c in self.comps for s in c.steps[:1] if isinstance(s, Step)]
        return min(max([*reads, 1]), MAX_ZOOM)

    def _zoom_texts(self) -> list[str]:
        """The widest texts under and over a zoom block."""
        texts = [n for ns in self.names for n in ns]
        for i, c in enumerate(self.comps):
            fmt = self.fmts[i + 1]
            for s in c.steps[:1]:
                if isinstance(s, Step):
                    texts.append(f"{SIGMA} = {fmt(min(s.sums))}")
        texts += [f"{SIGMA} = {fmt(v.min())}" for fmt, v in zip(self.fmts, self.values, strict=True)]
        return texts

    def _zoom_more(self, n: int) -> str:
        return f"{ELLIPSIS} and {n} more planes"

    def _zoom_step(self, i: int, step: object, frame: int) -> None:
        """One block per plane read: the values the step reads there, with their sum."""
        lay, fmt_out, m = self.layout, self.fmts[i + 1], self.src[i]  # m: the map it reads
        comp = self.comps[i]
        blocks: list[tuple[str, np.ndarray, np.ndarray, str]] = []
        header = ""
        most = lay.zoom_blocks
        if isinstance(step, Step):
            ghost = comp.ghost[np.ix_(step.rows, step.cols)]
            for j, p in enumerate(step.planes[:most]):
                name = self.names[m][p]
                blocks.append((name, step.inputs[j], ghost, f"{SIGMA} = {fmt_out(step.sums[j])}"))
            header = self._window_text(i, step)
        elif isinstance(step, Pool):
            ghost = comp.ghost[np.ix_(step.rows, step.cols)]
            what = "max" if step.divisor is None else "mean"
            blocks.append(
                (self.names[m][step.channel], step.inputs, ghost, f"{what} = {fmt_out(step.value)}")
            )
            header = self._window_text(i, step)
        else:
            rows, cols = self._footprint(i, step)
            if rows is None:
                return
            plane = self.values[m][step.channel]
            block = plane[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1]
            blocks.append((self.names[m][step.channel], block, np.zeros(block.shape, bool), ""))
            where = "input" if m == 0 else f"map {m}"
            header = f"{where}[{step.channel}][{rows[0]}:{rows[1] + 1}, {cols[0]}:{cols[1] + 1}]"
        zc = lay.zoom_cell
        st = self.s.stages[i]
        for j, (name, values, ghost, below) in enumerate(blocks):
            x = PAD + j * lay.zoom_step
            self._block(m, x, values[: lay.zoom_shape[0], : lay.zoom_shape[1]], ghost, frame)
            if isinstance(step, Step) and self._zoom_weights():
                plane = st.kernel.values[step.channel, j]
                labels = self._weight_labels(st)[step.channel * st.kernel.values.shape[1] + j]
                self._weights_block(x + values.shape[1] * zc + WEIGHTS_GAP, plane, labels, frame)
            self.add(Text(x, lay.zoom_y - 6, name, SMALL_PX, self.theme.ink, "start"), frame, frame)
            if below:
                h = min(values.shape[0], lay.zoom_shape[0]) * zc
                self.add(
                    Text(x, lay.zoom_y + h + 4 + SMALL_PX, below, SMALL_PX, self.theme.ink, "start"),
                    frame,
                    frame,
                )
        if isinstance(step, Step) and len(step.planes) > most:
            x = PAD + most * lay.zoom_step
            text = self._zoom_more(len(step.planes) - most)
            self.add(Text(x, lay.zoom_y + zc, text, SMALL_PX, self.theme.muted, "start"), frame, frame)
        if isinstance(step, Pool) and step.chosen is not None:  # the maximum, as in the grid view
            r, c = step.chosen
            if r < lay.zoom_shape[0] and c < lay.zoom_shape[1]:
                box = Rect(
                    PAD + c * zc + 3,
                    lay.zoom_y + r * zc + 3,
                    zc - 6,
                    zc - 6,
                    stroke=self.theme.source,
                    width=2.5,
                )
                self.add(box, frame, frame)
        y = lay.zoom_y - 10 - SMALL_PX - 10
        self.add(Text(PAD, y, f"zoom: {header}", SMALL_PX, self.theme.muted, "start"), frame, frame)

    def _weights_block(
        self, x: float, plane: np.ndarray, labels: tuple[tuple[str, ...], ...], frame: int
    ) -> None:
        """The weights that multiply the window beside it, written at the zoom's size."""
        zc, y0 = self.layout.zoom_cell, self.layout.zoom_y
        fill, hl = self.theme.kernel_fill, self.theme.highlight
        size = fit(max((t for row in labels for t in row), key=len), zc, SMALL_PX, 6.0)
        for (r, c), _ in np.ndenumerate(plane):
            cx, cy = x + int(c) * zc, y0 + int(r) * zc
            self.add(Rect(cx, cy, zc, zc, fill=fill, stroke=hl, width=1), frame, frame)
            text = Text(
                cx + zc / 2,
                cy + zc / 2 + BASELINE * (size or 6.0),
                labels[r][c],
                size or 6.0,
                self.theme.text_on(fill),
            )
            self.add(text, frame, frame)
        self.add(
            Text(
                x - WEIGHTS_GAP / 2,
                y0 + plane.shape[0] * zc / 2 + BASELINE * SMALL_PX,
                "\u00b7",
                SMALL_PX,
                self.theme.ink,
            ),
            frame,
            frame,
        )

    def _window_text(self, i: int, step: Step | Pool) -> str:
        """Where the window lies, in the grid the step reads (its padding included)."""
        st = self.s.stages[i]
        top, left = st.padding[0], st.padding[2]
        r0, r1 = int(step.rows[0]) - top, int(step.rows[-1]) - top
        c0, c1 = int(step.cols[0]) - left, int(step.cols[-1]) - left
        j = self.src[i]  # the map it reads
        where = "input" if j == 0 else f"map {j}"
        which = "every plane" if isinstance(step, Step) and len(step.planes) > 1 else "its plane"
        _, h, w = self.values[j].shape
        padded = " (outside the map: padding)" if min(r0, c0) < 0 or r1 >= h or c1 >= w else ""
        # numbers, not a slice: in Python "[-1:2]" would mean from the last row
        rows = f"row {_n(r0)}" if r0 == r1 else f"rows {_n(r0)} to {_n(r1)}"
        cols = f"col {_n(c0)}" if c0 == c1 else f"cols {_n(c0)} to {_n(c1)}"
        if st.rank == 1:  # a signal: its samples, no rows
            return f"{where}, {words.span(c0, c1)}{padded} in {which.replace('plane', 'channel')}"
        # a comma after the map: "map 1, rows 6 to 7" (not "1 rows")
        return f"{where}, {rows}, {cols}{padded} in {which}"

    def _region_zoom(self, i: int, frame: int, what: str) -> None:
        """On the poster and the last frame: the numbers at the centre of map i (the input, the
        result), one block per channel, marked on its panels in the second accent."""
        lay, values = self.layout, self.values[i]
        _, h, w = values.shape
        rows, cols = min(lay.zoom_shape[0], h), min(lay.zoom_shape[1], w)
        r0, c0 = (h - rows) // 2, (w - cols) // 2
        names = self.names[i]
        step = max(cols * lay.zoom_cell, *(text_width(n, SMALL_PX) for n in names)) + 24
        more_w = text_width(self._zoom_more(99), SMALL_PX)
        most = max(1, int((lay.width - 2 * PAD - more_w) // step))
        src = self.theme.source
        for j in range(min(values.shape[0], most)):
            x = PAD + j * step
            block = values[j, r0 : r0 + rows, c0 : c0 + cols]
            self._block(i, x, block, np.zeros(block.shape, bool), frame, edge=src)
            self.add(Text(x, lay.zoom_y - 6, names[j], SMALL_PX, self.theme.ink, "start"), frame, frame)
            panel = lay.maps[i].of(j)
            if panel is not None:
                self._outline(panel.grid, (r0, r0 + rows - 1), (c0, c0 + cols - 1), src, frame)
        if values.shape[0] > most:
            text = f"{ELLIPSIS} and {values.shape[0] - most} more channels"
            x = PAD + most * step
            self.add(
                Text(x, lay.zoom_y + lay.zoom_cell, text, SMALL_PX, self.theme.muted, "start"), frame, frame
            )
        where = f"rows {r0} to {r0 + rows - 1}, cols {c0} to {c0 + cols - 1}"
        if self.s.stages[0].rank == 1:
            where = words.span(c0, c0 + cols - 1)
        y = lay.zoom_y - 10 - SMALL_PX - 10
        header = f"zoom: {what}, {where}, in each channel"
        self.add(Text(PAD, y, header, SMALL_PX, self.theme.muted, "start"), frame, frame)

    def _block(
        self, i: int, x: float, values: np.ndarray, ghost: np.ndarray, frame: int, edge: str | None = None
    ) -> None:
        lay, fmt, scale = self.layout, self.fmts[i], self.scales[i]
        zc, y0 = lay.zoom_cell, lay.zoom_y
        finite = np.where(np.isfinite(values), values, scale.vmin)
        colours = scale(finite)
        size = fit(max((fmt(v) for v in values.ravel()), key=len), zc, 12.0, 6.0) or 6.0
        for (r, c), v in np.ndenumerate(values):
            fill = colours[int(r) * values.shape[1] + int(c)]
            is_ghost = bool(ghost[r, c]) if ghost.shape == values.shape else False
            cx, cy = x + int(c) * zc, y0 + int(r) * zc
            if is_ghost:  # padding: hatched, its number muted
                self.ghost_cell(cx, cy, zc, frame, frame)
                ink = self.theme.muted
            else:
                self.add(Rect(cx, cy, zc, zc, fill=fill, stroke=self.theme.grid_line, width=1), frame, frame)
                ink = self.theme.text_on(fill)
            baseline = cy + zc / 2 + BASELINE * size
            self.add(Text(cx + zc / 2, baseline, fmt(v), size, ink), frame, frame)
        h, w = values.shape
        self.add(Rect(x, y0, w * zc, h * zc, stroke=edge or self.theme.highlight, width=3), frame, frame)


def _n(i: int) -> str:
    """An index with a real minus sign."""
    return str(i).replace("-", "\u2212")
