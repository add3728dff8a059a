"""Anti-aliased shapes without matplotlib: the stroke outlines Agg would build, filled by exact area.

The raster painter used matplotlib's Agg for rectangles, lines and hatches, which cost a GIF the
~0.3 s import of matplotlib for shapes this simple. Here each shape becomes the polygons Agg's
stroker makes (matplotlib's pixel snapping of rectilinear paths, butt caps, miter joins clipped at
matplotlib's miter limit, the inner-join bevels, dashes split as Agg's ``vcgen_dash`` does), with
vertices rounded to Agg's 1/256 px. Their coverage is the exact signed area in each pixel, summed
and clamped as Agg's non-zero rule does, then quantised as Agg quantises it: rectangles and
rectilinear lines come out identical to Agg's; diagonal lines and hatches within a level or two.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

SUBPIXEL = 256  #: Agg's vertex precision (``poly_subpixel_scale``)
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end exclusive
Polygon = list[tuple[float, float]]


def coverage(polygons: list[Polygon], box: Box) -> np.ndarray:
    """(h, w) uint8 alpha of the polygons over the pixels of ``box``: each pixel's signed covered
    area, summed over the polygons, then as Agg's ``calculate_alpha`` makes it for the non-zero
    rule (in Agg's integer units, shifted right, made positive, capped at 255)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    acc = np.zeros((max(h, 0), max(w, 0) + 1))
    pieces = _pieces([p for p in polygons if len(p) >= 3], x0, y0)
    if pieces is not None and w > 0 and h > 0:
        xa, ya, xb, yb = pieces
        dy = yb - ya
        row = np.floor((ya + yb) / 2).astype(np.int64)
        mid = (xa + xb) / 2
        col = np.floor(mid).astype(np.int64)
        frac = mid - col
        keep = (row >= 0) & (row < h) & (dy != 0)
        row, col, frac, dy = row[keep], col[keep], frac[keep], dy[keep]
        # The piece covers (1 − frac)·dy of its own pixel and dy of every pixel to its right:
        # accumulated as two deltas per row, summed left to right.
        np.add.at(acc, (row, np.clip(col, 0, w)), dy * (1 - frac))
        np.add.at(acc, (row, np.clip(col + 1, 0, w)), dy * frac)
    area = np.rint(np.cumsum(acc[:, :w], axis=1) * (2 * SUBPIXEL * SUBPIXEL)).astype(np.int64)
    return np.minimum(np.abs(area >> 9), 255).astype(np.uint8)


def _pieces(polygons: list[Polygon], x0: int, y0: int) -> tuple[np.ndarray, ...] | None:
    """The polygons' edges cut where they cross a pixel row or column, relative to (x0, y0):
    arrays xa, ya, xb, yb of pieces that each lie in one pixel. A crossing takes the exact grid
    coordinate, so rectilinear edges stay exact. Horizontal edges cover nothing and are dropped."""
    if not polygons:
        return None
    starts = [agg_round(np.asarray(poly, dtype=float)) - (x0, y0) for poly in polygons]
    a = np.concatenate(starts)
    b = np.concatenate([np.roll(pts, -1, axis=0) for pts in starts])
    sloped = a[:, 1] != b[:, 1]
    (ax, ay), (bx, by) = a[sloped].T, b[sloped].T
    n = len(ax)
    if n == 0:
        return None
    edges = np.arange(n)
    # Whole x (then y) values strictly inside each edge's span, with the edge they belong to.
    cross = []
    for lo_v, hi_v in ((np.minimum(ax, bx), np.maximum(ax, bx)), (np.minimum(ay, by), np.maximum(ay, by))):
        first = np.floor(lo_v) + 1
        count = np.maximum(np.ceil(hi_v) - first, 0).astype(np.int64)
        edge = np.repeat(edges, count)
        offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        cross.append((edge, first[edge] + offset))
    (ex, kx), (ey, ky) = cross
    tx = (kx - ax[ex]) / (bx[ex] - ax[ex])
    ty = (ky - ay[ey]) / (by[ey] - ay[ey])
    flat = bx[ey] == ax[ey]
    qx = np.where(flat, ax[ey], ax[ey] + (bx[ey] - ax[ey]) * ty)
    edge = np.concatenate([edges, ex, ey, edges])
    t = np.concatenate([np.zeros(n), tx, ty, np.ones(n)])
    px = np.concatenate([ax, kx, qx, bx])
    py = np.concatenate([ay, ay[ex] + (by[ex] - ay[ex]) * tx, ky, by])
    order = np.lexsort((t, edge))
    edge, px, py = edge[order], px[order], py[order]
    same = edge[1:] == edge[:-1]
    return px[:-1][same], py[:-1][same], px[1:][same], py[1:][same]


def agg_round(v: np.ndarray) -> np.ndarray:
    """Coordinates rounded to Agg's 1/256 px, half away from zero (``iround(v * 256) / 256``)."""
    s = v * SUBPIXEL
    return np.where(s < 0, np.ceil(s - 0.5), np.floor(s + 0.5)) / SUBPIXEL


# --------------------------------------------------------------------------- geometry


def snap(points: list[tuple[float, float]], width: float) -> list[tuple[float, float]]:
    """matplotlib's snapping of a rectilinear path: vertices to pixel centres for strokes of an
    odd whole width, to pixel corners otherwise; paths with a slanted segment are left alone."""
    for (ax, ay), (bx, by) in pairwise(points):
        if abs(ax - bx) >= 1e-4 and abs(ay - by) >= 1e-4:
            return points
    offset = 0.5 if math.floor(width + 0.5) % 2 else 0.0
    return [(math.floor(x + 0.5) + offset, math.floor(y + 0.5) + offset) for x, y in points]


def rect_fill(x0: float, y0: float, x1: float, y1: float) -> list[Polygon]:
    return [[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]]


def rect_stroke(x0: float, y0: float, x1: float, y1: float, width: float) -> list[Polygon]:
    """The outline Agg strokes around a closed rectangle: an outer ring, then an inner one the
    other way round. matplotlib's "miter" is Agg's ``miter_join_revert`` with a limit of
    ``width`` half widths, so corners of strokes under √2 px are bevelled; an inner corner is the
    offset edges' intersection unless the sides are too short for it (then both offset ends)."""
    half = width / 2
    corners = [(x0, y0, -1, -1), (x1, y0, 1, -1), (x1, y1, 1, 1), (x0, y1, -1, 1)]  # clockwise
    miter = half * math.sqrt(2)  # a right-angled miter's distance from its corner
    outer: Polygon = []
    for x, y, sx, sy in corners:
        if miter <= half * width:
            outer.append((x + sx * half, y + sy * half))
        elif (sx, sy) in ((-1, -1), (1, 1)):  # bevel: the end of the arriving edge's offset first
            outer += [(x + sx * half, y), (x, y + sy * half)]
        else:
            outer += [(x, y + sy * half), (x + sx * half, y)]
    inner: Polygon = []
    inner_limit = half * max(min(abs(x1 - x0), abs(y1 - y0)) / half, 1.01)
    for x, y, sx, sy in reversed(corners):  # counter-clockwise
        if miter <= inner_limit:
            inner.append((x - sx * half, y - sy * half))
        elif (sx, sy) in ((-1, -1), (1, 1)):
            inner += [(x, y - sy * half), (x - sx * half, y)]
        else:
            inner += [(x - sx * half, y), (x, y - sy * half)]
    return [outer, inner]


def segment(a: tuple[float, float], b: tuple[float, float], width: float) -> Polygon:
    """A straight stroke with butt caps, as Agg's ``calc_cap`` offsets it."""
    (ax, ay), (bx, by) = a, b
    length = math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay))
    if length == 0:
        return []
    half = width / 2
    dx, dy = (by - ay) / length * half, (bx - ax) / length * half
    return [(ax - dx, ay + dy), (ax + dx, ay - dy), (bx + dx, by - dy), (bx - dx, by + dy)]


def polyline(points: list[tuple[float, float]], width: float) -> list[Polygon]:
    """A polyline's stroke: one butt-capped quad a segment, and a disc at each inner vertex (the
    round join of matplotlib's lines; where pieces overlap, coverage adds up and is clamped)."""
    quads = [q for a, b in pairwise(points) if (q := segment(a, b, width))]
    if not quads:
        return []
    turn = 1.0 if _area(quads[0]) > 0 else -1.0  # the discs wind as the quads do, or they cancel
    half, sides = width / 2, 24
    discs = [
        [
            (
                x + half * math.cos(turn * 2 * math.pi * k / sides),
                y + half * math.sin(turn * 2 * math.pi * k / sides),
            )
            for k in range(sides)
        ]
        for x, y in points[1:-1]
    ]
    return quads + discs


def _area(poly: Polygon) -> float:
    """Signed area (shoelace): its sign is the polygon's winding."""
    return sum(ax * by - bx * ay for (ax, ay), (bx, by) in zip(poly, poly[1:] + poly[:1], strict=True)) / 2


def dashes(points: list[tuple[float, float]], on: float, off: float) -> list[list[tuple[float, float]]]:
    """The dashes of a polyline, starting with a dash at its first point (Agg's ``vcgen_dash``:
    a point is placed back from the segment's end by what remains)."""
    pattern, out = (on, off), []
    current: list[tuple[float, float]] = [points[0]]
    dash, dash_start = 0, 0.0
    for (x1, y1), (x2, y2) in pairwise(points):
        dist = math.sqrt((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1))
        rest = dist
        while True:
            dash_rest = pattern[dash] - dash_start
            if rest > dash_rest:
                rest -= dash_rest
                point = (x2 - (x2 - x1) * rest / dist, y2 - (y2 - y1) * rest / dist)
                if dash == 0:
                    current.append(point)
                    out.append(current)
                else:
                    current = [point]
                dash, dash_start = 1 - dash, 0.0
            else:
                dash_start += rest
                if dash == 0:
                    current.append((x2, y2))
                break
    if dash == 0 and len(current) > 1:
        out.append(current)
    return out


def blend(dst: np.ndarray, rgb: tuple[int, int, int], alpha: np.ndarray) -> None:
    """Draw ``rgb`` with coverage ``alpha`` over the straight-alpha RGBA ``dst``, in place, with
    the integer arithmetic of matplotlib's Agg blender (``fixed_blender_rgba_plain``)."""
    if not dst[:, :, 3].any():  # the first layer: the colour, with the coverage as alpha
        hit = alpha > 0
        dst[hit, :3] = rgb
        dst[:, :, 3] = alpha
        return
    a = dst[:, :, 3].astype(np.int64)
    s = alpha.astype(np.int64)
    total = ((s + a) << 8) - s * a
    hit = s > 0
    safe = np.where(hit, total, 1)
    for c in range(3):
        r = dst[:, :, c].astype(np.int64) * a
        value = (((rgb[c] << 8) - r) * s + (r << 8)) // safe
        dst[:, :, c] = np.where(hit, value, dst[:, :, c])
    dst[:, :, 3] = np.where(hit, total >> 8, a)
    full = s == 255  # Agg copies an opaque colour at full coverage instead of blending it
    dst[full] = (*rgb, 255)
