"""The text alternative as a file, ``NAME.txt``: one paragraph (``Scenario.alt_text``) to paste as the
``alt`` of an image in slides, a web page or a course's Markdown. A gallery format: written by
default and checked by ``--check``; ``--format mp4,alt`` writes it beside a video."""

from __future__ import annotations

from typing import BinaryIO

from ..display import Frames
from . import register


def write_alt(frames: Frames, fh: BinaryIO) -> None:
    """The alt text and a newline, UTF-8."""
    fh.write((frames.alt + "\n").encode("utf-8"))


register("alt", ".txt", gallery=True)(write_alt)
