"""``render.scale``: bigger text and strokes for projectors, in one place.

A builder lays its frames out in units where a grid cell is 1/scale of its final size, with text,
strokes, margins and the zoomed inset at their usual sizes; multiplying every coordinate and size
by ``scale`` then gives cells of their final size and everything else ``scale`` times larger, with
room made for it. Only sizes tied to a cell (the values written in cells, the kernel's weights)
are chosen in final pixels by the builders. Rectangle edges are snapped to whole pixels, each
edge on its own, so cells that share an edge still share it, and their outlines are whole pixels
wide, as crisp as at scale 1.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..display import Frames, Grid, Hatch, Item, Line, MapGrid, Picture, Rect, Shape, Text


def scaled(frames: Frames, k: float) -> Frames:
    """``frames`` with every coordinate and size times ``k`` (the same object when k is 1)."""
    if k == 1:
        return frames
    return replace(
        frames,
        width=_even(frames.width * k),
        height=_even(frames.height * k),
        items=tuple(Item(_shape(it.shape, k), it.first, it.last) for it in frames.items),
        output_grid=_grid(frames.output_grid, k),
        output_grids=tuple(_grid(g, k) for g in frames.output_grids),  # the player's hover reads them
        maps=tuple(MapGrid(m.map, m.channel, _grid(m.grid, k)) for m in frames.maps),
    )


def _grid(g: Grid, k: float) -> Grid:
    """A grid whose cells land on the scaled cells' pixels."""
    x0, y0 = _snap(g.x, k), _snap(g.y, k)
    if g.cell * k < 1:  # several cells a pixel: the picture's span, shared evenly
        return Grid(x0, y0, g.rows, g.cols, (_snap(g.x + g.cols * g.cell, k) - x0) / g.cols)
    return Grid(x0, y0, g.rows, g.cols, _snap(g.x + g.cell, k) - x0)


def grown(px: int, k: float) -> int:
    """An automatic cell size at scale ``k``: √k times larger, so the grids keep up a little with
    the text (a cell size the scenario sets is kept as it is)."""
    return px if k == 1 else round(px * math.sqrt(k))


def unit(px: float, k: float) -> float:
    """A size in final pixels (a cell's) in the builder's units."""
    return px if k == 1 else px / k


def _shape(shape: Shape, k: float) -> Shape:
    if isinstance(shape, Rect):
        x, y, w, h = _box(shape.x, shape.y, shape.w, shape.h, k)
        width = float(max(1, math.floor(shape.width * k + 0.5))) if shape.width else 0.0  # crisp
        return replace(shape, x=x, y=y, w=w, h=h, width=width)
    if isinstance(shape, Hatch):
        x, y, w, h = _box(shape.x, shape.y, shape.w, shape.h, k)
        return replace(shape, x=x, y=y, w=w, h=h, spacing=shape.spacing * k)
    if isinstance(shape, Picture):
        x, y, w, h = _box(shape.x, shape.y, shape.w, shape.h, k)
        return replace(shape, x=x, y=y, w=w, h=h)
    if isinstance(shape, Text):
        return replace(shape, x=shape.x * k, y=shape.y * k, size=shape.size * k)
    if isinstance(shape, Line):
        return replace(shape, points=tuple((x * k, y * k) for x, y in shape.points), width=shape.width * k)
    raise TypeError(f"cannot scale {type(shape).__name__}")  # pragma: no cover


def _box(x: float, y: float, w: float, h: float, k: float) -> tuple[float, float, float, float]:
    x0, y0 = _snap(x, k), _snap(y, k)
    return x0, y0, _snap(x + w, k) - x0, _snap(y + h, k) - y0


def _snap(v: float, k: float) -> float:
    """``v · k`` to the nearest whole pixel, halves up (so every cell of a grid is as wide)."""
    return float(math.floor(v * k + 0.5 + 1e-9))


def _even(v: float) -> int:
    return int(math.ceil(v / 2 - 1e-9) * 2)
