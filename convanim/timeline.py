"""Which steps each frame completes. Small grids get one frame per step; big pictures (a photo,
or a chain of stages) show the first steps one by one, then fill the rest progressively faster:
batches of 2, 4, 8, … steps per frame up to a cap that keeps a stage within about 20 more frames."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .elementwise import WHOLE_MAP
from .stage import Stage

PROGRESSIVE_FROM = 64  #: a stage with more steps than this is filled progressively ("auto")
DETAIL_MAX = 32  #: at most this many steps one by one before speeding up ("auto")
TAIL_FRAMES = 20  #: about how many frames the rest of a stage takes
CHANNEL_DETAIL = 3  #: steps one by one in each channel after the first


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
    row up to 32 when the stage is big); the rest in doubling batches. A big stage with several
    channels goes channel by channel (filter by filter): the first shows ``detail`` steps and
    the rest of its map in about TAIL_FRAMES frames, each later one CHANNEL_DETAIL steps and
    its map in about TAIL_FRAMES / 4, and no frame mixes two channels."""
    n = stage.n_steps
    big = progressive and n > PROGRESSIVE_FROM
    if detail is None:
        detail = min(stage.output_shape[1], DETAIL_MAX) if big else n
    channels = _channels(stage)
    if not big or channels == 1:
        return _run(index, 0, n, detail, TAIL_FRAMES)
    per = n // channels
    out = _run(index, 0, per, detail, TAIL_FRAMES)
    for c in range(1, channels):
        out += _run(index, c * per, per, min(detail, CHANNEL_DETAIL), TAIL_FRAMES // 4)
    return out


def _channels(stage: Stage) -> int:
    """Channels its steps go through one after the other (ReLU, any activation, cat, add: one
    step for them all)."""
    if stage.operation in WHOLE_MAP:
        return 1
    if stage.operation == "conv_transpose2d" and stage.transpose_view == "scatter":
        return stage.in_channels
    return stage.out_channels


def _run(index: int, start: int, n: int, detail: int, tail: int) -> list[Beat]:
    """Steps start … start + n − 1: ``detail`` one per frame, the rest in doubling batches up to
    a cap that keeps them within about ``tail`` frames."""
    detail = min(detail, n)
    out = [Beat(index, start + k, start + k) for k in range(detail)]
    rest = n - detail
    cap = max(1, math.ceil(rest / tail))
    size, k = 2, detail
    while k < n:
        batch = min(size, cap, n - k)
        out.append(Beat(index, start + k, start + k + batch - 1))
        k += batch
        size *= 2
    return out
