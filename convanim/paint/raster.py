"""Raster painter: display list → RGB frames, without matplotlib: rectangles, lines and hatches
are filled by exact area (``coverage``, the outlines Agg would stroke), text is drawn by FreeType
through Pillow with the DejaVu Sans files bundled with matplotlib.

Each shape is rasterised once into a sprite (RGBA, straight alpha); shapes that differ only by a
whole-pixel shift share one sprite. Frames are composited from sprites with numpy. Between frames
k−1 and k only the boxes of items that appear or disappear are recomposited, so a frame costs the
same on a 7×7 grid as on a 34×34 one; ``frame(k)`` composites a frame alone, with the same sprites
in the same order, so both paths give identical pixels.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..display import Frames, Hatch, Line, Picture, Rect, Shape, Text
from ..textsize import font_path
from .coverage import Polygon, blend, coverage, dashes, polyline, rect_fill, rect_stroke, snap

DPI = 72  # one point is one pixel, so display-list sizes are used as they are
DASH = (5.0, 4.0)  # px on, px off; the SVG player uses the same pattern
PIL_ANCHOR = {"start": "ls", "middle": "ms", "end": "rs"}  # horizontal anchor, on the baseline
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


class Sprite:
    """A shape's pixels, trimmed to where they are not transparent, ready to composite: ``rgb`` is
    the colour for an opaque sprite, else src·α + 127 with ``inverse`` = 255 − α (uint16)."""

    __slots__ = ("dx", "dy", "inverse", "rgb", "rgba")

    def __init__(self, dx: int, dy: int, rgba: np.ndarray, rgb: np.ndarray, inverse: np.ndarray | None):
        self.dx, self.dy, self.rgba, self.rgb, self.inverse = dx, dy, rgba, rgb, inverse

    @classmethod
    def of(cls, dx: int, dy: int, rgba: np.ndarray) -> Sprite:
        """The sprite of straight-alpha ``rgba`` placed at (dx, dy)."""
        alpha = rgba[:, :, 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if not len(rows):  # nothing to draw
            return cls(dx, dy, rgba[:0, :0], np.zeros((0, 0, 3), np.uint16), None)
        rgba = rgba[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        dx, dy = dx + int(cols[0]), dy + int(rows[0])
        a = rgba[:, :, 3:4].astype(np.uint16)
        if a.min() == 255:
            return cls(dx, dy, rgba, rgba[:, :, :3].copy(), None)
        return cls(dx, dy, rgba, rgba[:, :, :3] * a + 127, 255 - a)


def shape_layers(shape: Shape, unit: float = 1.0) -> list[tuple[str, list[Polygon]]]:
    """A rectangle, line or hatch as (colour, polygons) layers, painted in order: what
    matplotlib's Agg would stroke and fill for the artist the shape used to be (a ``Rectangle``,
    a ``Line2D`` with butt caps, a ``LineCollection``), pixel snapping included."""
    if isinstance(shape, Rect):
        x, y, w, h = shape.x, shape.y, shape.w, shape.h
        corners = snap([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], shape.width if shape.stroke else 0.0)
        (x0, y0), (x1, y1) = corners[0], corners[2]
        layers = [(shape.fill, rect_fill(x0, y0, x1, y1))] if shape.fill else []
        if shape.stroke and shape.width:
            layers.append((shape.stroke, rect_stroke(x0, y0, x1, y1, shape.width)))
        return layers
    if isinstance(shape, Hatch):
        return [(shape.color, [q for seg in hatch_segments(shape) for q in polyline(list(seg), unit)])]
    if isinstance(shape, Line):
        points = snap(list(shape.points), shape.width)
        if not shape.dash:
            return [(shape.color, polyline(points, shape.width))]
        on, off = (d * unit / shape.width * shape.width for d in DASH)  # as Line2D scales them
        return [(shape.color, [q for piece in dashes(points, on, off) for q in polyline(piece, shape.width)])]
    raise TypeError(f"cannot paint {type(shape).__name__}")  # pragma: no cover


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


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
    if isinstance(shape, Picture):  # the same pixels drawn elsewhere share a sprite
        return (Picture, shape.x - fx, shape.y - fy, shape.w, shape.h, shape.pixels)
    fields = tuple(vars(shape).values())  # astuple() deep-copies: ten times slower
    return (type(shape), shape.x - fx, shape.y - fy, *fields[2:])


class RasterPainter:
    """Paints the frames of one animation, in order (``__iter__``) or one at a time (``frame``)."""

    def __init__(self, frames: Frames, unit: float = 1.0) -> None:
        """``unit``: the size of a display-list pixel in the fixed-size strokes (hatch lines, dash
        lengths), for display lists scaled up (``export.compose.scaled``)."""
        self.frames = frames
        self.unit = unit
        self.width, self.height = frames.width, frames.height
        self.background = np.array(_rgb(frames.background), np.uint8)
        self.image = np.empty((self.height, self.width, 3), np.uint8)
        items = frames.items
        self.keys = [sprite_key(it.shape) for it in items]
        self.origin = np.array([[math.floor(c) for c in anchor(it.shape)] for it in items], dtype=np.int64)
        self.first = np.array([it.first for it in items])
        self.last = np.array([it.last for it in items])
        self.sprites: dict[tuple, Sprite] = {}
        self.painted: dict[int, np.ndarray] = {}  #: frames ``sample`` painted, kept for ``changes``
        self.boxes = np.array([self._box(i) for i in range(len(items))], dtype=np.int64).reshape(-1, 4)

    # --------------------------------------------------------------- public

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` composited on its own, as an (H, W, 3) uint8 array (a copy)."""
        self._paint((0, 0, self.width, self.height), k)
        return self.image.copy()

    def sample(self, ks: list[int]) -> list[np.ndarray]:
        """Frames ``ks`` (in increasing order), each a copy (see ``samples``)."""
        return [f if i == 0 and ks[0] == 0 else f.copy() for i, f in enumerate(self.samples(ks))]

    def samples(self, ks: list[int]) -> Iterator[np.ndarray]:
        """Frames ``ks`` (in increasing order), one at a time: the first composited whole, each
        next one from the previous by repainting only the boxes of the items that differ between
        the two (the same pixels as ``frame``, at a fraction of the cost). Each is a view valid until
        the next, except frame 0, which is kept (``changes`` starts from it instead of compositing
        it again): a palette reads a few big frames without holding them all."""
        before = -1
        for k in ks:
            if before < 0:
                self._paint((0, 0, self.width, self.height), k)
            else:
                alive = self._alive(k)
                differ = np.flatnonzero(self._shown(k) != self._shown(before))
                for box in _merge([tuple(self.boxes[i]) for i in differ]):
                    self._paint(box, k, alive)
            if k == 0:
                self.painted[0] = self.image.copy()
                yield self.painted[0]
            else:
                yield self.image
            before = k

    def _shown(self, k: int) -> np.ndarray:
        return (self.first <= k) & (self.last >= k)

    def __iter__(self) -> Iterator[np.ndarray]:
        """Every frame in order; yields a view of the image, valid until the next frame."""
        for image, _ in self.changes():
            yield image

    def changes(self) -> Iterator[tuple[np.ndarray, list[Box]]]:
        """Every frame in order with the boxes repainted since the previous one (the whole picture
        for frame 0); only those boxes can differ. The image is a view, valid until the next."""
        uses = Counter(self.keys)
        whole = (0, 0, self.width, self.height)
        for k in range(len(self.frames)):
            if k == 0:
                boxes = [whole]
            else:
                changed = np.flatnonzero((self.first == k) | (self.last == k - 1))
                boxes = _merge([tuple(self.boxes[i]) for i in changed])
            alive = self._alive(k)
            if k == 0 and 0 in self.painted:  # sampled already: the same pixels
                self.image[:] = self.painted.pop(0)
                boxes = [whole]
            else:
                for box in boxes:
                    self._paint(box, k, alive)
            for i in np.flatnonzero(self.last == k - 1):  # sprites no later frame needs
                key = self.keys[i]
                uses[key] -= 1
                if uses[key] == 0:
                    self.sprites.pop(key, None)
            yield self.image, boxes

    # --------------------------------------------------------------- compositing

    def _alive(self, k: int) -> np.ndarray:
        """Indices of the items drawn in frame k, in drawing order."""
        return np.flatnonzero((self.first <= k) & (self.last >= k))

    def _paint(self, box: Box, k: int, alive: np.ndarray | None = None) -> None:
        """Repaint ``box`` of frame k: the background, then every item of ``alive`` (frame k's
        items, computed once a frame) over it, in order."""
        x0, y0, x1, y1 = box
        if x0 >= x1 or y0 >= y1:
            return
        self.image[y0:y1, x0:x1] = self.background
        alive = self._alive(k) if alive is None else alive
        b = self.boxes[alive]
        hit = alive[(b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1) & (b[:, 3] > y0)]
        origin = self.origin
        for i in hit.tolist():
            sprite = self._sprite(i)
            self._over(sprite, int(origin[i, 0]) + sprite.dx, int(origin[i, 1]) + sprite.dy, box)

    def _over(self, sprite: Sprite, sx: int, sy: int, box: Box) -> None:
        """Composite a sprite at (sx, sy), clipped to ``box``: out = (src·α + dst·(255 − α) + 127)
        // 255, with src·α + 127 and 255 − α computed once per sprite (a copy where α is 255)."""
        h, w = sprite.rgb.shape[:2]
        x0, y0 = max(box[0], sx), max(box[1], sy)
        x1, y1 = min(box[2], sx + w), min(box[3], sy + h)
        if x0 >= x1 or y0 >= y1:
            return
        rows, cols = slice(y0 - sy, y1 - sy), slice(x0 - sx, x1 - sx)
        dst = self.image[y0:y1, x0:x1]
        if sprite.inverse is None:
            dst[:] = sprite.rgb[rows, cols]
        else:
            dst[:] = (sprite.rgb[rows, cols] + dst * sprite.inverse[rows, cols]) // 255

    # --------------------------------------------------------------- sprites

    def _sprite(self, i: int) -> Sprite:
        """Item i's sprite, offset from its whole-pixel anchor; made on demand."""
        key = self.keys[i]
        sprite = self.sprites.get(key)
        if sprite is None:
            shape = self.frames.items[i].shape
            if isinstance(shape, Text):
                dx, dy, rgba = _text_sprite(shape)
            elif isinstance(shape, Picture):
                x0, y0 = picture_origin(shape)
                pixels = picture_pixels(shape)
                rgba = np.full((*pixels.shape[:2], 4), 255, np.uint8)
                rgba[:, :, :3] = pixels
                ox, oy = self.origin[i]
                dx, dy = int(x0 - ox), int(y0 - oy)
            else:
                x0, y0, x1, y1 = (int(v) for v in self.boxes[i])
                rgba = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
                for colour, polygons in shape_layers(shape, self.unit):
                    blend(rgba, _rgb(colour), coverage(polygons, (x0, y0, x1, y1)))
                ox, oy = self.origin[i]
                dx, dy = int(x0 - ox), int(y0 - oy)
            sprite = self.sprites[key] = Sprite.of(dx, dy, rgba)
        return sprite

    def _box(self, i: int) -> Box:
        """Pixel box that holds every pixel item i may touch, inside the picture."""
        shape = self.frames.items[i].shape
        if isinstance(shape, (Rect, Hatch)):
            pad = (shape.width if isinstance(shape, Rect) else self.unit) / 2 + 2
            x0, y0, x1, y1 = shape.x - pad, shape.y - pad, shape.x + shape.w + pad, shape.y + shape.h + pad
        elif isinstance(shape, Picture):
            x0, y0 = picture_origin(shape)
            x1, y1 = math.floor(shape.x + shape.w + 0.5), math.floor(shape.y + shape.h + 0.5)
        elif isinstance(shape, Line):
            xs, ys = zip(*shape.points, strict=True)
            pad = shape.width + 2
            x0, y0, x1, y1 = min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad
        else:
            dx, dy, w, h = _text_extent(shape)
            ox, oy = math.floor(shape.x), math.floor(shape.y)
            x0, y0, x1, y1 = ox + dx, oy + dy, ox + dx + w, oy + dy + h
        return (
            max(0, math.floor(x0)),
            max(0, math.floor(y0)),
            min(self.width, math.ceil(x1)),
            min(self.height, math.ceil(y1)),
        )


def picture_origin(p: Picture) -> tuple[int, int]:
    """The top-left pixel a picture covers: its corner snapped as a filled rectangle's is."""
    return math.floor(p.x + 0.5), math.floor(p.y + 0.5)


def picture_pixels(p: Picture) -> np.ndarray:
    """The pixels a picture covers, each the colour of one of its pixels (nearest neighbour: exact,
    no blur). Every edge between its pixels is snapped to the nearest pixel corner, as the edges
    of filled rectangles are (``coverage.snap``): a picture looks as its pixels drawn as cells."""
    return p.array()[_blocks(p.y, p.h, p.rows)[:, None], _blocks(p.x, p.w, p.cols)[None, :]]


def _blocks(start: float, size: float, n: int) -> np.ndarray:
    """For each pixel from the snapped ``start`` to the snapped ``start + size``, the index of the
    picture's pixel (of ``n``) over it."""
    edges = np.floor(start + np.arange(n + 1) * size / n + 0.5).astype(np.int64)
    return np.searchsorted(edges[1:-1], np.arange(edges[0], edges[-1]), side="right")


@lru_cache(maxsize=64)
def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(bold)), size)


@lru_cache(maxsize=4096)
def _bbox(text: str, size: float, bold: bool, anchor: str) -> tuple[float, float, float, float]:
    return _font(size, bold).getbbox(text, anchor=PIL_ANCHOR[anchor])


def _text_extent(t: Text) -> tuple[int, int, int, int]:
    """(dx, dy, w, h): the text's pixel box relative to its whole-pixel anchor, with a margin."""
    left, top, right, bottom = _bbox(t.text, t.size, t.bold, t.anchor)
    fx, fy = t.x - math.floor(t.x), t.y - math.floor(t.y)
    x0, y0 = math.floor(left + fx) - 1, math.floor(top + fy) - 1
    return x0, y0, math.ceil(right + fx) + 2 - x0, math.ceil(bottom + fy) + 2 - y0


def _text_sprite(t: Text) -> tuple[int, int, np.ndarray]:
    """A text's sprite: its colour with FreeType's coverage as alpha."""
    dx, dy, w, h = _text_extent(t)
    mask = Image.new("L", (w, h), 0)
    fx, fy = t.x - math.floor(t.x), t.y - math.floor(t.y)
    ImageDraw.Draw(mask).text(
        (fx - dx, fy - dy), t.text, fill=255, font=_font(t.size, t.bold), anchor=PIL_ANCHOR[t.anchor]
    )
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[:, :, :3] = [int(t.color[i : i + 2], 16) for i in (1, 3, 5)]
    rgba[:, :, 3] = np.asarray(mask)
    return dx, dy, rgba


def _merge(boxes: list[Box]) -> list[Box]:
    """Union boxes that overlap by much, so shared pixels are composited once; a long connector's
    box is left apart from the small ones it crosses."""
    merged: list[Box] = []
    areas: list[int] = []
    for box in boxes:
        x0, y0, x1, y1 = box
        area = max(0, x1 - x0) * max(0, y1 - y0)
        i = 0
        while i < len(merged):
            a0, b0, a1, b1 = merged[i]
            u0, v0, u1, v1 = min(x0, a0), min(y0, b0), max(x1, a1), max(y1, b1)
            union = max(0, u1 - u0) * max(0, v1 - v0)
            if union <= area + areas[i]:  # worth one box: take it out and try the others again
                x0, y0, x1, y1, area = u0, v0, u1, v1, union
                del merged[i], areas[i]
                i = 0
            else:
                i += 1
        merged.append((x0, y0, x1, y1))
        areas.append(area)
    return merged
