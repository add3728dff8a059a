"""What drawing an illustration costs, as a function of the view that draws it: counted from the
stages alone, before any number is computed, and checked against the limits (``Limits``: frames,
cells, work) with one line that says what to change.

Each view says what it draws in a :class:`Cost`:

- the **grid** views (one layer or one map as grids of numbers) write every cell of the input,
  the output and the weights, and each step repaints its window and writes its taps;
- the **chain** view (a photo, a chain or a graph as pictures with a zoomed inset) draws every
  cell of every map once and a bounded inset per frame;
- the **network** view draws each map as a few channel *pictures* (colour, no number): a picture
  costs its pixels, ``PICTURE_PIXELS`` of which weigh one cell of the limits, and the numbers of a
  cell (its window, weights, sums) only for the cells whose detail the page carries.

A view that is not here adds its own function returning a ``Cost``; ``check`` needs nothing else.
The scenario checks the view it will draw, before making the image or computing a number::

    drawn = network_cost((channels, h, w), stages, frames, panels=4, composite=rgb_photo, cone=cone)
    check(drawn, limits, "a 3×224×224 image")  # LimitError: one line, the figure, the limit, the option
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .errors import LimitError

if TYPE_CHECKING:
    from .model import Cone
    from .stage import Stage

FRAME_WORK = 20  #: a step frame's fixed cost (equation strip, counter, encoding), in cells
ZOOM_WORK = 200  #: a picture view's frame: the zoomed inset and the outlines on the maps
PICTURE_PIXELS = 40  #: cells of a channel picture (colour only: no text, no outline) that cost as
#: much as one cell written with its number; so --max-cells 50,000 lets a network draw 2,000,000


class Limits(Protocol):
    """What ``check`` reads of the limits (``convanim.Limits``)."""

    max_frames: int
    max_cells: int
    max_work: int


@dataclass(frozen=True)
class Cost:
    """What one view draws of an illustration; ``check`` compares it with the limits."""

    view: str  #: "grid", "chain" or "network": named in messages
    frames: int  #: frames, poster and final included
    steps: int  #: steps the frames go through (a network's numbers come on demand: its stages)
    cells: int  #: cells drawn with their numbers (or drawn one by one); limit: max_cells
    work: int  #: cells painted or written over every frame, pictures weighed (see PICTURE_PIXELS)
    pixels: int = 0  #: cells drawn as channel pictures; limit: max_cells × PICTURE_PIXELS
    per_step: int = 0  #: the most work one step costs (the window's cells and its taps)
    counted: str = "input, output and weights"  #: what ``cells`` counts, in words


def grid_cost(stages: Sequence[Stage], frames: int, cone: Cone | None = None, extra: int = 0) -> Cost:
    """A grid of numbers: every cell once (``Stage.cells``); each step repaints the cells under its
    window and writes or outlines each tap (``Stage.step_work``) plus a frame's fixed cost."""
    cells = sum(st.cells for st in stages) + extra
    work = _painted(stages, cone) + extra
    work += sum(st.n_steps * (st.step_work + FRAME_WORK) for st in stages)
    per = max(st.step_work for st in stages)
    return Cost("grid", frames, sum(st.n_steps for st in stages), cells, work, per_step=per)


def chain_cost(stages: Sequence[Stage], frames: int, cone: Cone | None = None, extra: int = 0) -> Cost:
    """Pictures with a zoomed inset (a photo, a chain, a graph): every cell of every map once,
    each step once (its cell's colour), a bounded inset per frame."""
    cells = sum(st.cells for st in stages) + extra
    work = _painted(stages, cone) + extra + sum(st.n_steps for st in stages) + frames * ZOOM_WORK
    per = max(st.step_work for st in stages)
    return Cost("chain", frames, sum(st.n_steps for st in stages), cells, work, per_step=per)


def network_cost(
    image: tuple[int, int, int],
    stages: Sequence[Stage],
    frames: int,
    panels: int,
    *,
    composite: bool = False,
    details: int = 0,
    cone: Cone | None = None,
) -> Cost:
    """The network view: map 0 (the ``image``, (C, H, W)) and each stage's output drawn as
    channel pictures, ``panels`` of them at most (a map with ``panels`` + 1 channels shows them
    all, since "… and 1 more" would take a panel's room), plus the colour ``composite`` of an RGB
    photo; one frame a stage; ``details``: cells written with numbers for the cells whose detail
    the page carries (their windows, weights and sums). A receptive field outlines each drawn
    picture of its path once more."""
    shapes = [image, *((st.out_channels, *st.output_shape) for st in stages)]
    drawn = [(c if c <= panels + 1 else panels) * h * w for c, h, w in shapes]
    pixels = sum(drawn) + (image[1] * image[2] if composite else 0)
    if cone is not None:
        pixels += sum(drawn[: cone.stage + 2])
    work = -(-pixels // PICTURE_PIXELS) + details + frames * FRAME_WORK
    counted = "numbers of the details"
    return Cost("network", frames, len(stages), details, work, pixels=pixels, counted=counted)


def _painted(stages: Sequence[Stage], cone: Cone | None) -> int:
    """Every cell once; a receptive field outlines every cell of its path once more, and each of
    its frames costs a step frame's fixed cost."""
    cells = sum(st.cells for st in stages)
    if cone is not None:
        cells += sum(st.cells for st in stages[: cone.stage + 1]) + (cone.frames + 1) * FRAME_WORK
    return cells


def check(cost: Cost, limits: Limits, size: str, instead: str = "") -> None:
    """Refuse, in one line, a cost over the limits: what is needed, the limit, and how to raise
    it; ``size`` names the input ("a 3×224×224 image"), ``instead`` (optional) says what else
    would fit, e.g. ' or draw it as a network (render.view = "network")'."""
    if cost.frames > limits.max_frames:
        raise LimitError(
            "image",
            f"{size} needs {cost.frames:,} frames ({cost.steps:,} steps); the limit is "
            f"{limits.max_frames:,} (raise it with --max-frames{instead})",
        )
    if cost.cells > limits.max_cells:
        raise LimitError(
            "image",
            f"{size} needs {cost.cells:,} cells drawn ({cost.counted}); the limit is "
            f"{limits.max_cells:,} (raise it with --max-cells{instead})",
        )
    if cost.pixels > limits.max_cells * PICTURE_PIXELS:
        raise LimitError(
            "image",
            f"{size} needs {cost.pixels:,} pixels of channel pictures in the {cost.view} view; the "
            f"limit is {limits.max_cells * PICTURE_PIXELS:,} ({PICTURE_PIXELS} a cell of --max-cells: "
            f"raise it, or give a smaller image{instead})",
        )
    if cost.work > limits.max_work:
        if cost.view == "network":
            why = f"{cost.pixels:,} pixels of channel pictures at {PICTURE_PIXELS} a cell"
        else:
            why = f"up to {cost.per_step:,} a step: the window's cells and its taps"
        raise LimitError(
            "image",
            f"{size} needs {cost.work:,} cells painted or written over its {cost.steps:,} steps ({why}); "
            f"the limit is {limits.max_work:,} (raise it with --max-work{instead})",
        )
