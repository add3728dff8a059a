"""Vector painter: display list → PDF pages with matplotlib's PDF backend (a ``Figure``, no pyplot).

One point is one display-list pixel (the raster painter's 72 dpi), so a page is ``width × height``
pt. Text stays text: DejaVu Sans embedded as TrueType (``pdf.fonttype`` 42), so it can be selected,
searched and extracted. Each page gets the artists of its frame's shapes, in drawing order: a run
of rectangles (a grid's cells) is one collection, which is most of the speed, and so is a
picture's cells (an embedded image would be smoothed by viewers); every other shape is one
artist. Nothing is computed: shapes are drawn as the display list gives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import matplotlib
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text as TextArtist

from ..display import Frames, Hatch, Line, Picture, Rect, Shape, Text
from ..textsize import FONT_FAMILY
from .raster import DASH, DPI, hatch_segments

HALIGN = {"start": "left", "middle": "center", "end": "right"}
#: no creation date or producer version in the file: the same frames give the same bytes
METADATA = {"Creator": "convanim", "Producer": None, "CreationDate": None}
RC = {"pdf.fonttype": 42, "pdf.compression": 6, "svg.fonttype": "none"}


def write_pdf(frames: Frames, fh: BinaryIO, pages: Iterable[int], unit: float = 1.0) -> None:
    """Write the frames ``pages`` (indices) of ``frames`` to ``fh``, one PDF page each; ``unit``
    sizes the fixed-size strokes (hatch lines, dashes), as the raster painter's."""
    fig = Figure(figsize=(frames.width / DPI, frames.height / DPI), dpi=DPI)
    FigureCanvasPdf(fig)
    fig.patch.set_facecolor(frames.background)
    axes = fig.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, frames.width)
    axes.set_ylim(frames.height, 0)
    axes.set_axis_off()
    with matplotlib.rc_context(RC), PdfPages(fh, metadata=METADATA) as pdf:
        for k in pages:
            artists = _page(frames.visible(k), axes, unit)
            pdf.savefig(fig, facecolor=frames.background)
            for artist in artists:
                artist.remove()


def _page(shapes: list[Shape], axes: Axes, unit: float) -> list[Artist]:
    """Artists drawing ``shapes`` in order, added to ``axes``: a run of rectangles is one
    collection (a grid's cells cost one artist, not hundreds), every other shape its own artist."""
    artists: list[Artist] = []
    i = 0
    while i < len(shapes):
        j = i
        while j < len(shapes) and isinstance(shapes[j], Rect):
            j += 1
        if j > i:
            artists.append(_rects(shapes[i:j], axes))
            i = j
        else:
            artists.append(_artist(shapes[i], axes, unit))
            i += 1
    for order, artist in enumerate(artists):  # matplotlib draws by zorder: keep the list's order
        artist.set_zorder(order)
    return artists


def _rects(rects: list[Shape], axes: Axes) -> Artist:
    """Rectangles as one collection, each with its fill, stroke and stroke width, in order."""
    verts = [[(r.x, r.y), (r.x + r.w, r.y), (r.x + r.w, r.y + r.h), (r.x, r.y + r.h)] for r in rects]
    artist = PolyCollection(
        verts,
        closed=True,
        facecolors=[r.fill or "none" for r in rects],
        edgecolors=[r.stroke if r.stroke and r.width > 0 else "none" for r in rects],
        linewidths=[r.width if r.stroke else 0 for r in rects],
        joinstyle="miter",
    )
    axes.add_collection(artist, autolim=False)
    artist.set_clip_on(False)
    return artist


def picture_cells(p: Picture) -> list[Rect]:
    """A picture's pixels as filled rectangles, a run of equal colours along a row one rectangle."""
    pixels, cw, ch = p.array(), p.w / p.cols, p.h / p.rows
    cells = []
    for r in range(p.rows):
        row = [f"#{a:02x}{b:02x}{c:02x}" for a, b, c in pixels[r].tolist()]
        c0 = 0
        for c in range(1, p.cols + 1):
            if c == p.cols or row[c] != row[c0]:
                cells.append(Rect(p.x + c0 * cw, p.y + r * ch, (c - c0) * cw, ch, fill=row[c0]))
                c0 = c
    return cells


def _artist(shape: Shape, axes: Axes, unit: float) -> Artist:
    """The artist drawing ``shape``, added to ``axes`` (in drawing order)."""
    if isinstance(shape, Rect):
        artist: Artist = Rectangle(
            (shape.x, shape.y),
            shape.w,
            shape.h,
            facecolor=shape.fill or "none",
            edgecolor=shape.stroke or "none",
            linewidth=shape.width if shape.stroke else 0,
        )
        axes.add_artist(artist)
    elif isinstance(shape, Hatch):
        artist = LineCollection(hatch_segments(shape), colors=shape.color, linewidths=unit)
        axes.add_collection(artist, autolim=False)
    elif isinstance(shape, Line):
        xs, ys = zip(*shape.points, strict=True)
        artist = Line2D(
            xs, ys, color=shape.color, linewidth=shape.width, solid_capstyle="butt", dash_capstyle="butt"
        )
        if shape.dash:
            artist.set_dashes([d * unit / shape.width for d in DASH])
        axes.add_line(artist)
    elif isinstance(shape, Picture):  # its cells, as vector shapes: no viewer smooths them
        artist = _rects(picture_cells(shape), axes)
    elif isinstance(shape, Text):
        artist = TextArtist(
            shape.x,
            shape.y,
            shape.text,
            fontsize=shape.size,
            color=shape.color,
            family=FONT_FAMILY,
            fontweight="bold" if shape.bold else "normal",
            horizontalalignment=HALIGN[shape.anchor],
            verticalalignment="baseline",
        )
        axes._add_text(artist)
    else:  # pragma: no cover - the display list has no other shapes
        raise TypeError(f"cannot draw {type(shape).__name__}")
    artist.set_clip_on(False)
    return artist
