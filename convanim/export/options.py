"""Exporter options, checked: one clear line saying what is allowed (the CLI exits 2 on it).

``frame``: which frame a still shows, an index (0 is the poster, as the player's ``data-frame``)
or ``"last"``; ``frames``: a storyboard's frames, a list of those; ``scale``: pixels per display
unit of raster output; ``aspect``: ``"W:H"`` the video is padded to, e.g. ``"16:9"``.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from ..display import Frames
from ..errors import ConvanimError

SCALE_RANGE = (0.25, 8.0)
ASPECT_RANGE = (0.1, 10.0)


def frame_index(frames: Frames, frame: Any, key: str = "frame") -> int:
    """The index of ``frame`` (an int, a string of digits, or "last") in ``frames``."""
    last = len(frames) - 1
    allowed = f"an index 0–{last} (0 is the poster) or 'last'"
    given = frame
    if isinstance(frame, str):
        text = frame.strip().lower()
        if text == "last":
            return last
        frame = int(text) if text.isdigit() else None
    if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame <= last:
        raise ConvanimError(f"{key}: must be {allowed} (got {given!r})")
    return frame


def frame_list(frames: Frames, picks: Any) -> tuple[int, ...]:
    """A storyboard's frames: a list (or a comma-separated string) of frame indices or "last",
    in the order given, each once."""
    if isinstance(picks, str):
        picks = [p for p in picks.split(",") if p.strip()]
    if isinstance(picks, (int, str)) or not picks:
        raise ConvanimError(f"frames: must be a non-empty list of frame indices or 'last' (got {picks!r})")
    return tuple(dict.fromkeys(frame_index(frames, p, "frames") for p in picks))


def default_picks(frames: Frames) -> tuple[int, ...]:
    """The poster, the first three frames after it, a middle one and the final frame."""
    n = len(frames)
    return tuple(sorted({0, *range(1, min(4, n)), n // 2, n - 1}))


def scale(value: Any) -> float:
    """A raster scale factor (1 = the GIF's pixels, 2 = twice as wide and high)."""
    lo, hi = SCALE_RANGE
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConvanimError(f"scale: must be a number from {lo:g} to {hi:g} (got {value!r})")
    if not lo <= value <= hi:
        raise ConvanimError(f"scale: must be a number from {lo:g} to {hi:g} (got {value!r})")
    return float(value)


def aspect(value: Any) -> tuple[int, int] | None:
    """``"W:H"`` (e.g. "16:9") as (W, H), or None for no padding beyond even dimensions."""
    if value is None or value == "none":
        return None
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) == 2 and all(p.strip().isdigit() and int(p) > 0 for p in parts):
        w, h = int(parts[0]), int(parts[1])
        if ASPECT_RANGE[0] <= w / h <= ASPECT_RANGE[1]:
            return w, h
    raise ConvanimError(f"aspect: must be 'W:H' such as '16:9' or '4:3', or 'none' (got {value!r})")
