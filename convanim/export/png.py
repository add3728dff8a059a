"""PNG exporter: the still picture (the last frame) as one image, for print, PDFs and cards."""

from __future__ import annotations

from typing import BinaryIO

from ..display import Frames
from . import html, register  # noqa: F401  (html first: formats() lists gif, html, png)
from .still import still_png


@register("png", ".png")
def write(frames: Frames, fh: BinaryIO) -> None:
    """The last frame, as ``still.still_png`` paints it."""
    fh.write(still_png(frames))
