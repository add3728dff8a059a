"""The turn of a flipped kernel (true convolution, ``flip = true``) before it slides: the kernel as
given, then upside down, then left to right too, which is the 180° rotation that slides. One
frame each, the numbers at their places in that frame; the views draw them."""

from __future__ import annotations

from dataclasses import dataclass

from ..layout import EQUATION_PX
from ..textsize import fast_width

Labels = tuple[tuple[str, ...], ...]
MINUS = "\u2212"


@dataclass(frozen=True)
class TurnFrame:
    """One frame of the turn."""

    labels: Labels  #: the numbers where they stand in this frame
    corner: tuple[int, int]  #: where the given kernel's top-left number stands, to follow it
    title: str  #: the kernel panel's title
    equations: tuple[str, ...]  #: the strip's text, longest first (the views take the first that fits)
    readout: str  #: the frame's description


def turn(rotated: Labels) -> tuple[TurnFrame, ...]:
    """The frames turning a kernel whose rotated labels are ``rotated`` (what slides): as given,
    upside down when it has several rows and columns, then rotated 180°."""
    kh, kw = len(rotated), len(rotated[0])
    given = tuple(row[::-1] for row in rotated[::-1])
    rule = f"w\u2032[i,j] = w[{kh - 1}{MINUS}i, {kw - 1}{MINUS}j]"
    frames = [
        TurnFrame(
            given,
            (0, 0),
            f"kernel {kh}\u00d7{kw} as given",
            (
                f"true convolution first turns the kernel by 180\u00b0: {rule} "
                "(PyTorch's conv2d does not: cross-correlation)",
                f"true convolution first turns the kernel by 180\u00b0: {rule}",
                "true convolution turns the kernel by 180\u00b0",
            ),
            "the kernel as given; true convolution first turns it by 180 degrees",
        )
    ]
    if kh > 1 and kw > 1:
        frames.append(
            TurnFrame(
                tuple(row[::-1] for row in rotated),
                (kh - 1, 0),
                "upside down",
                (
                    "turning by 180\u00b0 is flipping twice: first upside down, "
                    f"row i to row {kh - 1}{MINUS}i",
                    f"first upside down: row i to row {kh - 1}{MINUS}i",
                ),
                "the kernel flipped upside down",
            )
        )
    last = (
        f"then left to right, column j to {kw - 1}{MINUS}j: the kernel that slides, {rule}"
        if kh > 1 and kw > 1
        else f"rotated 180\u00b0: the kernel that slides, {rule}"
    )
    frames.append(
        TurnFrame(
            rotated,
            (kh - 1, kw - 1),
            f"kernel {kh}\u00d7{kw} rotated 180\u00b0",
            (last, f"rotated 180\u00b0: {rule}"),
            "the kernel rotated by 180 degrees, the one that slides",
        )
    )
    return tuple(frames)


def fitting(options: tuple[str, ...], room: float) -> str:
    """The first of ``options`` (longest first) that fits ``room`` px of the strip, else the last."""
    return next((t for t in options if fast_width(t, EQUATION_PX) <= room), options[-1])
