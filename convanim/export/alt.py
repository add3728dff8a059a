"""The text alternative as a file, ``NAME.txt`` beside the GIF: one paragraph (``Scenario.alt_text``)
to paste as the ``alt`` of an image in slides, a web page or a course's Markdown."""

from __future__ import annotations

from typing import BinaryIO

from ..display import Frames
from . import gif, html, register  # noqa: F401  (registered after them: formats() lists gif, html, alt)


@register("alt", ".txt")
def write(frames: Frames, fh: BinaryIO) -> None:
    """The alt text and a newline, UTF-8."""
    fh.write((frames.alt + "\n").encode("utf-8"))
