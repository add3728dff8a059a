"""Receptive fields on any view, as a pass over its finished display list: every stage's links for
the player's pointer, and (``receptive_field`` in the scenario) the frames that trace one output
cell's field back to the image, map by map, before the final frame.

It draws only through ``Frames.maps`` (where each builder put each map's cells) and the masks of
``dependence.receptive_field``, so every view gets it without code of its own. The cone's frames
show the finished picture (what the final frame shows) with the field outlined in each map from
the chosen cell back; the final frame shows the whole field, and a line under the picture says
its size.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import alttext
from ..dependence import stage_links
from ..display import FrameInfo, Frames, Grid, Item, Line, MapGrid, Rect, Text
from ..graph import sources
from ..layout import EQUATION_PX, PAD
from ..model import Illustration
from ..textsize import text_width

CONE_MS = 1000  #: each cone frame shows at least this long (longer when step_ms is)
FIT = (1920, 1080)  #: text stays ≥ MIN_FIT_PX when the picture is scaled down to fit this
MIN_FIT_PX = 14
STRIP = 1.8  #: height of the line under the picture, in font sizes


def finish(frames: Frames, s: Illustration) -> Frames:
    """``frames`` with every stage's links (the player lights a pointed cell's field), and the
    receptive field's frames when ``s.cone`` asks for them."""
    links = tuple(stage_links(st, src) for st, src in zip(s.stages, sources(s.stages), strict=True))
    frames = dataclasses.replace(frames, links=links)
    return with_cone(frames, s) if s.cone is not None else frames


def with_cone(frames: Frames, s: Illustration) -> Frames:
    """The cone's frames inserted before the final one (which then shows the whole field), and a
    line under the picture that names the cell and each map's part of its field."""
    assert s.cone is not None
    masks = alttext.cone_masks(s)
    final, extra = len(frames.frames) - 1, s.cone.frames
    end = final + extra
    # whatever the final frame shows stays through the cone's frames
    items = [it if it.last < final else Item(it.shape, it.first, it.last + extra) for it in frames.items]
    top = s.cone.stage + 1  # the map that holds the cell
    # the cell's own map first, then each map it is computed from, the image at the final frame
    order = {top: 0, **{m: i + 1 for i, m in enumerate(s.cone.maps)}, 0: extra}
    k = s.render.scale
    theme = s.render.palette
    for m in frames.maps:
        if m.map not in order or not masks[m.map][m.channel].any():
            continue
        first = final + order[m.map]
        items += _outlines(m, masks[m.map][m.channel], theme.highlight, first, end, k, m.map == top)
    texts = _texts(s, masks)
    size, width, height = _strip(frames, texts, k)
    y = frames.height + size  # the line's baseline, under the picture's own margin
    for j, text in enumerate(texts):
        items.append(Item(Text(PAD * k, y, text, size, theme.ink, "start"), final + j, final + j))
    ms = max(CONE_MS, s.timing.step_ms)
    infos = list(frames.frames[:final])
    infos += [FrameInfo(ms, None, None, text) for text in texts[:-1]]
    infos.append(dataclasses.replace(frames.frames[final], readout=texts[-1]))
    return dataclasses.replace(frames, width=width, height=height, items=tuple(items), frames=tuple(infos))


def _outlines(
    m: MapGrid, mask: np.ndarray, colour: str, first: int, last: int, k: float, chosen: bool
) -> list[Item]:
    """The field in one panel, a product of rows and columns: each block of consecutive rows ×
    consecutive columns outlined; with gaps (dilation), each block inset and the span dashed, as
    the window's taps are drawn."""
    g = m.grid
    rows, cols = _runs(np.nonzero(mask.any(axis=1))[0]), _runs(np.nonzero(mask.any(axis=0))[0])
    width = float(max(2, round(min(g.cell * 0.15, 4 * k)))) * (1.5 if chosen else 1)
    gaps = len(rows) > 1 or len(cols) > 1
    inset = width / 2 + 1 if gaps else 0.0
    out = []
    for r0, r1 in rows:
        for c0, c1 in cols:
            box = _box(g, r0, r1, c0, c1, inset)
            out.append(Item(Rect(*box, stroke=colour, width=width), first, last))
    if gaps:
        x0, y0, w, h = _box(g, rows[0][0], rows[-1][1], cols[0][0], cols[-1][1], 0.0)
        corners = ((x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0))
        out.append(Item(Line(corners, colour, 1.5 * k, dash=True), first, last))
    return out


def _box(g: Grid, r0: int, r1: int, c0: int, c1: int, inset: float) -> tuple[float, float, float, float]:
    x, y = g.x + c0 * g.cell + inset, g.y + r0 * g.cell + inset
    return x, y, (c1 - c0 + 1) * g.cell - 2 * inset, (r1 - r0 + 1) * g.cell - 2 * inset


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """Sorted indices as runs of consecutive ones, (first, last) each."""
    breaks = np.nonzero(np.diff(indices) != 1)[0]
    starts = [int(indices[0]), *(int(indices[b + 1]) for b in breaks)]
    ends = [*(int(indices[b]) for b in breaks), int(indices[-1])]
    return list(zip(starts, ends, strict=True))


def _texts(s: Illustration, masks: tuple[np.ndarray, ...]) -> list[str]:
    """The line of each cone frame, then the final frame's."""
    assert s.cone is not None
    cell, signal = alttext.cell_name(s), s.stages[0].rank == 1
    which = "each earlier map" if s.cone.maps else "the input"
    texts = [f"receptive field of {cell}: which cells of {which} it depends on"]
    for i in s.cone.maps:
        texts.append(
            f"{cell} depends on {alttext.field_size(masks[i], s.layered, signal)} of map {i} "
            f"({s.stages[i - 1].op_name if s.cone.path is None else s.stages[i - 1].name})"
        )
    texts.append(f"{cell}: {alttext.field_phrase(masks[0], s.layered, 'the input', signal)}")
    return texts


def _strip(frames: Frames, texts: list[str], k: float) -> tuple[float, int, int]:
    """Font size of the cone's line, and the picture's new width and height: the line goes under
    the picture, at least 14 px once the picture is scaled down to fit 1920×1080, and the picture
    widens when the line is longer than it."""
    width, height = frames.width, frames.height
    size = float(EQUATION_PX)
    for _ in range(3):  # the fit depends on the size it allows: settle it
        fit = max(1.0, width / FIT[0], (height + STRIP * size) / FIT[1])
        size = round(max(EQUATION_PX * k, MIN_FIT_PX * fit), 1)
        need = 2 * PAD * k + max(text_width(t, size) for t in texts)
        width = max(frames.width, int(-(-need // 2) * 2))
    height = int(-(-(frames.height + STRIP * size) // 2) * 2)
    return size, width, height
