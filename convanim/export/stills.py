"""Stills: one frame of the animation as PNG (raster, any scale), SVG or PDF (vector, text as text).

``frame`` picks the frame (default ``"last"``, the finished output; 0 is the poster); ``scale``
multiplies the PNG's pixels (2 for print) and the SVG's and PDF's nominal size. The PNG is the
GIF's frame painted by the same raster painter; the SVG is the player's poster serialisation.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import numpy as np
from PIL import Image

from ..display import Frames
from ..paint.raster import RasterPainter
from . import register
from .compose import scaled, single
from .options import frame_index
from .options import scale as scale_of
from .still import still_png
from .svg import frame_svg

STILL_OPTIONS = ("frame", "scale")
DEFAULT_FRAME = "last"


def png_bytes(frames: Frames, fh: BinaryIO, unit: float = 1.0) -> None:
    """Frame 0 of ``frames`` as a PNG (no time stamps: the same pixels give the same bytes);
    ``unit`` as the raster painter's (the scale of a scaled display list)."""
    rgb = RasterPainter(frames, unit).frame(0)
    write_png(rgb, fh)


def write_png(rgb: np.ndarray, fh: BinaryIO) -> None:
    """An (H, W, 3) uint8 array as an optimised PNG."""
    Image.fromarray(rgb, "RGB").save(fh, format="PNG", optimize=True)


def svg_document(frames: Frames, k: int, s: float = 1.0) -> str:
    """Frame ``k`` as a standalone SVG document, ``s`` times its pixel size (vector: the viewBox
    stays, so only the nominal size changes)."""
    svg = frame_svg(frames, k)
    head, rest = svg.split(" ", 1)
    w, h = frames.width, frames.height
    if s != 1:
        rest = rest.replace(f'width="{w}" height="{h}"', f'width="{w * s:g}" height="{h * s:g}"', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head} xmlns="http://www.w3.org/2000/svg" {rest}\n'


@register("png", ".png", options=STILL_OPTIONS, gallery=True)
def write_png_still(frames: Frames, fh: BinaryIO, *, frame: Any = DEFAULT_FRAME, scale: Any = 1) -> None:
    """One frame as a PNG, ``scale`` times the GIF's size: at 1, the GIF's frame in its palette
    (the gallery's cards and a notebook's image/png); scaled, painted afresh in full colour."""
    k, s = frame_index(frames, frame), scale_of(scale)
    if s == 1:
        fh.write(still_png(frames, k))
    else:
        png_bytes(scaled(single(frames, k), s), fh, s)


@register("svg", ".svg", options=STILL_OPTIONS)
def write_svg(frames: Frames, fh: BinaryIO, *, frame: Any = DEFAULT_FRAME, scale: Any = 1) -> None:
    """One frame as a standalone SVG document."""
    k = frame_index(frames, frame)
    fh.write(svg_document(frames, k, scale_of(scale)).encode("utf-8"))


@register("pdf", ".pdf", options=STILL_OPTIONS)
def write_pdf_still(frames: Frames, fh: BinaryIO, *, frame: Any = DEFAULT_FRAME, scale: Any = 1) -> None:
    """One frame as a one-page PDF, ``width × height`` pt times ``scale``."""
    k, s = frame_index(frames, frame), scale_of(scale)
    from ..paint.vector import write_pdf  # matplotlib's PDF stack, only when a PDF is written

    write_pdf(scaled(single(frames, k), s), fh, [0], s)
