"""Which steps each frame completes. Small grids get one frame per step; big pictures (a photo,
or a chain of stages) show the first steps one by one, then fill the rest progressively faster:
batches of 2, 4, 8, … steps per frame up to a cap that keeps a stage within about 20 more frames."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .stage import Stage

PROGRESSIVE_FROM = 64  #: a stage with more steps than this is filled progressively ("auto")
DETAIL_MAX = 32  #: at most this many steps one by one before speeding up ("auto")
TAIL_FRAMES = 20  #: about how many frames the rest of a stage takes


@dataclass(frozen=True)
class Beat:
    """One frame of a stage: it completes steps ``first`` to ``last`` (inclusive)."""

    stage: int
    first: int
    last: int


def plan(stages: tuple[Stage, ...], detail: int | None) -> list[Beat]:
    """The frames of every stage of a picture (photo or chain), in order."""
    return [b for i, st in enumerate(stages) for b in beats(st, i, detail, progressive=True)]


def beats(stage: Stage, index: int, detail: int | None, progressive: bool) -> list[Beat]:
    """The frames of one stage. ``detail`` steps go one per frame (None: auto, the first output
    row up to 32 when the stage is big); the rest in doubling batches."""
    n = stage.n_steps
    if detail is None:
        detail = min(stage.output_shape[1], DETAIL_MAX) if progressive and n > PROGRESSIVE_FROM else n
    detail = min(detail, n)
    out = [Beat(index, k, k) for k in range(detail)]
    rest = n - detail
    cap = max(1, math.ceil(rest / TAIL_FRAMES))
    size, k = 2, detail
    while k < n:
        batch = min(size, cap, n - k)
        out.append(Beat(index, k, k + batch - 1))
        k += batch
        size *= 2
    return out
