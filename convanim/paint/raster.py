"""Raster painter: display list → RGB frames, shapes rasterised by matplotlib's Agg (no pyplot).

Each shape is rasterised once into a sprite (RGBA, straight alpha) on a transparent scratch canvas,
and shapes that differ only by a whole-pixel shift share one sprite. A frame is then composited
from sprites with numpy. Between frames k−1 and k only the boxes of items that appear or disappear
are recomposited, so a frame costs the same on a 7×7 grid as on a 34×34 one; ``frame(k)`` composites
a frame alone, with the same sprites in the same order, so both paths give identical pixels.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import astuple

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text as MplText

from ..display import Frames, Hatch, Line, Rect, Shape, Text
from ..textsize import FONT_FAMILY

DPI = 72  # one point is one pixel, so display-list sizes are used as they are
DASH = (5.0, 4.0)  # px on, px off; the SVG player uses the same pattern
HA = {"start": "left", "middle": "center", "end": "right"}
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, top-down, end exclusive


def hatch_segments(h: Hatch) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """45° lines rising to the right every ``spacing`` px, clipped to the hatch's rectangle."""
    segs = []
    k = 1
    while k * h.spacing < h.w + h.h:
        u = k * h.spacing
        ya, yb = max(0.0, u - h.w), min(h.h, u)
        segs.append(((h.x + u - ya, h.y + ya), (h.x + u - yb, h.y + yb)))
        k += 1
    return segs


def anchor(shape: Shape) -> tuple[float, float]:
    """The point a shape is positioned by (shapes equal up to a shift of it share a sprite)."""
    if isinstance(shape, Line):
        return min(p[0] for p in shape.points), min(p[1] for p in shape.points)
    return shape.x, shape.y


def sprite_key(shape: Shape) -> tuple:
    """Identity of a shape's pixels: everything but the whole-pixel part of its anchor."""
    ax, ay = anchor(shape)
    fx, fy = math.floor(ax), math.floor(ay)
    if isinstance(shape, Line):
        rel = tuple((x - fx, y - fy) for x, y in shape.points)
        return (Line, rel, shape.color, shape.width, shape.dash)
    fields = astuple(shape)
    return (type(shape), shape.x - fx, shape.y - fy, *fields[2:])


class RasterPainter:
    """Paints the frames of one animation, in order (``__iter__``) or one at a time (``frame``)."""

    def __init__(self, frames: Frames) -> None:
        self.frames = frames
        self.width, self.height = frames.width, frames.height
        fig = Figure(figsize=(self.width / DPI, self.height / DPI), dpi=DPI)
        fig.patch.set_alpha(0)
        self.canvas = FigureCanvasAgg(fig)
        self.axes = fig.add_axes((0, 0, 1, 1))
        self.axes.set_xlim(0, self.width)
        self.axes.set_ylim(self.height, 0)
        self.axes.set_axis_off()
        self.axes.patch.set_alpha(0)
        self.canvas.draw()
        self.renderer = self.canvas.get_renderer()
        self.scratch = np.asarray(self.canvas.buffer_rgba())
        self.scratch[:] = 0
        self.background = np.array([round(v * 255) for v in to_rgb(frames.background)], np.uint8)
        self.image = np.empty((self.height, self.width, 3), np.uint8)
        items = frames.items
        self.keys = [sprite_key(it.shape) for it in items]
        self.origin = np.array([[math.floor(c) for c in anchor(it.shape)] for it in items], dtype=np.int64)
        self.first = np.array([it.first for it in items])
        self.last = np.array([it.last for it in items])
        self.sprites: dict[tuple, tuple[int, int, np.ndarray]] = {}
        self.boxes = np.array([self._box(i) for i in range(len(items))], dtype=np.int64).reshape(-1, 4)

    # --------------------------------------------------------------- public

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` composited on its own, as an (H, W, 3) uint8 array (a copy)."""
        self._paint((0, 0, self.width, self.height), k)
        return self.image.copy()

    def __iter__(self) -> Iterator[np.ndarray]:
        """Every frame in order, recompositing only what changes; yields a view of the image,
        valid until the next frame."""
        uses = Counter(self.keys)
        for k in range(len(self.frames)):
            if k == 0:
                self._paint((0, 0, self.width, self.height), 0)
            else:
                changed = np.flatnonzero((self.first == k) | (self.last == k - 1))
                for box in _merge([tuple(self.boxes[i]) for i in changed]):
                    self._paint(box, k)
                for i in np.flatnonzero(self.last == k - 1):  # sprites no later frame needs
                    key = self.keys[i]
                    uses[key] -= 1
                    if uses[key] == 0:
                        self.sprites.pop(key, None)
            yield self.image

    # --------------------------------------------------------------- compositing

    def _paint(self, box: Box, k: int) -> None:
        x0, y0, x1, y1 = box
        if x0 >= x1 or y0 >= y1:
            return
        self.image[y0:y1, x0:x1] = self.background
        b = self.boxes
        hit = (
            (self.first <= k)
            & (self.last >= k)
            & (b[:, 0] < x1)
            & (b[:, 2] > x0)
            & (b[:, 1] < y1)
            & (b[:, 3] > y0)
        )
        for i in np.flatnonzero(hit):
            dx, dy, rgba = self._sprite(i)
            ox, oy = self.origin[i]
            self._over(rgba, ox + dx, oy + dy, box)

    def _over(self, rgba: np.ndarray, sx: int, sy: int, box: Box) -> None:
        """Composite a straight-alpha sprite at (sx, sy), clipped to ``box``."""
        x0, y0 = max(box[0], sx), max(box[1], sy)
        x1, y1 = min(box[2], sx + rgba.shape[1]), min(box[3], sy + rgba.shape[0])
        if x0 >= x1 or y0 >= y1:
            return
        src = rgba[y0 - sy : y1 - sy, x0 - sx : x1 - sx]
        dst = self.image[y0:y1, x0:x1]
        alpha = src[:, :, 3:4].astype(np.uint32)
        mixed = (src[:, :, :3] * alpha + dst * (255 - alpha) + 127) // 255
        dst[:] = mixed.astype(np.uint8)

    # --------------------------------------------------------------- sprites

    def _sprite(self, i: int) -> tuple[int, int, np.ndarray]:
        """(dx, dy, rgba) of item i's sprite, offset from its whole-pixel anchor; made on demand."""
        key = self.keys[i]
        if key not in self.sprites:
            x0, y0, x1, y1 = self.boxes[i]
            artist = self._artist(self.frames.items[i].shape)
            artist.draw(self.renderer)
            region = self.scratch[y0:y1, x0:x1]
            rgba = region.copy()
            region[:] = 0
            ox, oy = self.origin[i]
            self.sprites[key] = (int(x0 - ox), int(y0 - oy), rgba)
        return self.sprites[key]

    def _artist(self, shape: Shape) -> Artist:
        if isinstance(shape, Rect):
            artist: Artist = Rectangle(
                (shape.x, shape.y),
                shape.w,
                shape.h,
                facecolor=shape.fill or "none",
                edgecolor=shape.stroke or "none",
                linewidth=shape.width if shape.stroke else 0,
            )
        elif isinstance(shape, Hatch):
            artist = LineCollection(hatch_segments(shape), colors=shape.color, linewidths=1)
        elif isinstance(shape, Text):
            artist = MplText(
                shape.x,
                shape.y,
                shape.text,
                fontsize=shape.size,
                color=shape.color,
                ha=HA[shape.anchor],
                va="baseline",
                fontfamily=FONT_FAMILY,
                fontweight="bold" if shape.bold else "normal",
            )
        elif isinstance(shape, Line):
            xs, ys = zip(*shape.points, strict=True)
            artist = Line2D(
                xs, ys, color=shape.color, linewidth=shape.width, solid_capstyle="butt", dash_capstyle="butt"
            )
            if shape.dash:
                artist.set_dashes([d / shape.width for d in DASH])
        else:  # pragma: no cover - the display list has no other shapes
            raise TypeError(f"cannot paint {type(shape).__name__}")
        artist.set_figure(self.canvas.figure)
        artist.axes = self.axes
        artist.set_transform(self.axes.transData)
        artist.set_clip_on(False)
        return artist

    def _box(self, i: int) -> Box:
        """Pixel box that holds every pixel item i may touch, inside the picture."""
        shape = self.frames.items[i].shape
        if isinstance(shape, (Rect, Hatch)):
            pad = (shape.width if isinstance(shape, Rect) else 1.0) / 2 + 2
            x0, y0, x1, y1 = shape.x - pad, shape.y - pad, shape.x + shape.w + pad, shape.y + shape.h + pad
        elif isinstance(shape, Line):
            xs, ys = zip(*shape.points, strict=True)
            pad = shape.width + 2
            x0, y0, x1, y1 = min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad
        else:
            ext = self._artist(shape).get_window_extent(self.renderer)
            x0, x1 = ext.x0 - 3, ext.x1 + 3
            y0, y1 = self.height - ext.y1 - 3, self.height - ext.y0 + 3
        return (
            max(0, math.floor(x0)),
            max(0, math.floor(y0)),
            min(self.width, math.ceil(x1)),
            min(self.height, math.ceil(y1)),
        )


def _merge(boxes: list[Box]) -> list[Box]:
    """Union boxes that overlap by much, so shared pixels are composited once; a long connector's
    box is left apart from the small ones it crosses."""
    merged: list[Box] = []
    for box in boxes:
        again = True
        while again:
            again = False
            for i, other in enumerate(merged):
                union = (
                    min(box[0], other[0]),
                    min(box[1], other[1]),
                    max(box[2], other[2]),
                    max(box[3], other[3]),
                )
                if _area(union) <= _area(box) + _area(other):
                    box = union
                    merged.pop(i)
                    again = True
                    break
        merged.append(box)
    return merged


def _area(b: Box) -> int:
    return max(0, b[2] - b[0]) * max(0, b[3] - b[1])
