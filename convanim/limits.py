"""What a scenario may cost: the limits, the work of drawing it, and the check that refuses it
before any work is done."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LimitError
from .model import Cone
from .stage import Stage


@dataclass(frozen=True)
class Limits:
    """Work a scenario may ask for; the CLI's --max-frames/--max-cells raise them."""

    max_frames: int = 5000
    max_cells: int = 50_000
    max_work: int = 100_000  #: cells repainted or written over all steps; see ``work``


FRAME_WORK = 20  #: a step frame's fixed cost (equation strip, counter, encoding), in cells
ZOOM_WORK = 200  #: a picture view's frame: the zoomed inset and the outlines on the maps


def work(stages: tuple[Stage, ...], frames: int, picture: bool, cone: Cone | None = None) -> int:
    """What rendering costs, in cells painted or written: every cell once; in the grid view each
    step repaints the cells under its window and writes or outlines each tap (``Stage.step_work``),
    plus a frame's fixed cost; the picture view draws each output cell once and a bounded inset
    per frame. Time follows it (about 0.1–0.2 ms a unit here), so the limit bounds the real cost,
    whatever the mix of steps, kernel taps and dilation. A receptive field outlines at most every
    cell of its path once more, and each of its frames costs a step frame's fixed cost."""
    cells = sum(st.cells for st in stages)  # painted once
    if cone is not None:
        cells += sum(st.cells for st in stages[: cone.stage + 1]) + (cone.frames + 1) * FRAME_WORK
    if picture:
        return cells + sum(st.n_steps for st in stages) + frames * ZOOM_WORK
    return cells + sum(st.n_steps * (st.step_work + FRAME_WORK) for st in stages)


def check_limits(
    image: tuple[int, int],
    channels: int,
    stages: tuple[Stage, ...],
    frames: int,
    limits: Limits,
    extra: int = 0,
    picture: bool = False,
    cone: Cone | None = None,
) -> None:
    """Refuse, before any work, a scenario that needs too many frames, cells (every channel
    counts; ``extra``: cells drawn besides the stages' maps, the colour panel of an RGB photo) or
    drawing work."""
    size = f"a {image[0]}×{image[1]} image" if channels == 1 else f"a {channels}×{image[0]}×{image[1]} image"
    if stages[0].rank == 1:
        size = f"a {image[1]}-sample signal" if channels == 1 else f"a {channels}×{image[1]} signal"
    steps = sum(st.n_steps for st in stages)
    cells = sum(st.cells for st in stages) + extra
    needed = work(stages, frames, picture, cone) + extra
    if frames > limits.max_frames:
        raise LimitError(
            "image",
            f"{size} needs {frames:,} frames ({steps:,} steps); the limit is "
            f"{limits.max_frames:,} (raise it with --max-frames)",
        )
    if cells > limits.max_cells:
        raise LimitError(
            "image",
            f"{size} needs {cells:,} cells drawn (input, output and weights); the limit is "
            f"{limits.max_cells:,} (raise it with --max-cells)",
        )
    if needed > limits.max_work:
        per = max(st.step_work for st in stages)
        raise LimitError(
            "image",
            f"{size} needs {needed:,} cells painted or written over its {steps:,} steps (up to "
            f"{per:,} a step: the window's cells and its taps); the limit is {limits.max_work:,} "
            "(raise it with --max-work)",
        )
