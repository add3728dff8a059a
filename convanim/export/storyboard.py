"""Storyboard: a static sheet of chosen frames, each captioned with its readout, for handouts,
papers and books. The sheet is a one-frame display list (``compose.storyboard``) drawn by the
still formats' painters: ``storyboard-svg``, ``storyboard-pdf`` (vector, text as text) and
``storyboard-png`` (``scale`` for print). ``frames`` picks the frames (default: the poster, the
first three steps, a middle one and the final frame)."""

from __future__ import annotations

from typing import Any, BinaryIO

from ..display import Frames
from . import register
from .compose import scaled, storyboard
from .options import default_picks, frame_list
from .options import scale as scale_of
from .stills import png_bytes, svg_document

SHEET_OPTIONS = ("frames", "scale")


def sheet(frames: Frames, picks: Any = None) -> Frames:
    """The storyboard of ``frames`` as a one-frame display list."""
    chosen = default_picks(frames) if picks is None else frame_list(frames, picks)
    return storyboard(frames, chosen)


@register("storyboard-svg", ".storyboard.svg", options=SHEET_OPTIONS)
def write_svg(frames: Frames, fh: BinaryIO, /, *, scale: Any = 1, **picks: Any) -> None:
    """The sheet as a standalone SVG document."""
    fh.write(svg_document(sheet(frames, picks.get("frames")), 0, scale_of(scale)).encode("utf-8"))


@register("storyboard-pdf", ".storyboard.pdf", options=SHEET_OPTIONS)
def write_pdf_sheet(frames: Frames, fh: BinaryIO, /, *, scale: Any = 1, **picks: Any) -> None:
    """The sheet as a one-page PDF."""
    s = scale_of(scale)
    from ..paint.vector import write_pdf  # matplotlib's PDF stack, only when a PDF is written

    write_pdf(scaled(sheet(frames, picks.get("frames")), s), fh, [0], s)


@register("storyboard-png", ".storyboard.png", options=SHEET_OPTIONS)
def write_png_sheet(frames: Frames, fh: BinaryIO, /, *, scale: Any = 1, **picks: Any) -> None:
    """The sheet as a PNG, ``scale`` times the frames' pixels."""
    s = scale_of(scale)
    png_bytes(scaled(sheet(frames, picks.get("frames")), s), fh, s)
