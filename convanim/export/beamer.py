"""Beamer: ``NAME.tex``, an ``animateinline`` (LaTeX ``animate`` package) of the frames in
``NAME-frames.pdf`` (one vector page per frame), for a beamer slide.

Every frame keeps its duration: animate's frame rate is frames per second, so the environment
starts at the poster's rate (1000 / its ms) and a ``\\newframe[rate]`` sets the rate wherever the
next frame's duration changes (a 400 ms step is 2.5 fps, the 3 s final hold 0.333333 fps).
``controls`` draws play, pause and step buttons under the picture; the poster shows before
playing and in viewers without JavaScript.
"""

from __future__ import annotations

from typing import BinaryIO

from ..display import Frames
from . import Companion, register

FRAMES_SUFFIX = "-frames.pdf"
SIZE = r"width=\linewidth,height=0.8\textheight,keepaspectratio"


def rate(duration_ms: int) -> str:
    """animate's frame rate (frames per second) for a frame of ``duration_ms``, to 6 decimals."""
    return f"{1000 / duration_ms:.6f}".rstrip("0").rstrip(".")


def snippet(frames: Frames, stem: str) -> str:
    """The ``animateinline`` environment showing the pages of ``STEM-frames.pdf`` in turn."""
    pdf = stem + FRAMES_SUFFIX
    total = sum(f.duration_ms for f in frames.frames) / 1000
    lines = [
        f"% convanim: {frames.title}",
        f"% {len(frames)} frames from {pdf}, {total:g} s in all. The preamble needs",
        "% \\usepackage{graphicx} and \\usepackage{animate}; play it in a PDF viewer with JavaScript.",
        f"\\begin{{animateinline}}[controls,poster=first]{{{rate(frames.frames[0].duration_ms)}}}",
    ]
    previous = frames.frames[0].duration_ms
    for k, info in enumerate(frames.frames):
        if k:
            lines.append(
                f"\\newframe[{rate(info.duration_ms)}]" if info.duration_ms != previous else "\\newframe"
            )
            previous = info.duration_ms
        lines.append(f"\\includegraphics[page={k + 1},{SIZE}]{{{pdf}}}% {_comment(info.readout)}")
    lines.append("\\end{animateinline}")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    return text.replace("\n", " ")


def write_frames_pdf(frames: Frames, fh: BinaryIO) -> None:
    """Every frame, one PDF page each."""
    from ..paint.vector import write_pdf  # matplotlib's PDF stack, only when a PDF is written

    write_pdf(frames, fh, range(len(frames)))


@register("beamer", ".tex", options=("stem",), companions=(Companion(FRAMES_SUFFIX, write_frames_pdf),))
def write_tex(frames: Frames, fh: BinaryIO, *, stem: str) -> None:
    """The snippet (``stem`` names the frames PDF beside it)."""
    fh.write(snippet(frames, stem).encode("utf-8"))
