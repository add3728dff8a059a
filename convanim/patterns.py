"""Built-in test images: small synthetic patterns with sharp edges, bands and noise."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Pattern = Callable[[int, int, int], np.ndarray]


def _square(rows: int, cols: int, period: int) -> np.ndarray:
    mask = np.zeros((rows, cols), dtype=bool)
    side_r, side_c = max(1, rows // 2), max(1, cols // 2)
    r0, c0 = (rows - side_r) // 2, (cols - side_c) // 2
    mask[r0 : r0 + side_r, c0 : c0 + side_c] = True
    return mask.astype(float)


def _checkerboard(rows: int, cols: int, period: int) -> np.ndarray:
    r, c = np.indices((rows, cols))
    return ((r // period + c // period) % 2).astype(float)


def _gradient(rows: int, cols: int, period: int) -> np.ndarray:
    ramp = np.linspace(0.0, 1.0, cols) if cols > 1 else np.zeros(1)
    return np.broadcast_to(ramp, (rows, cols)).copy()


def _disk(rows: int, cols: int, period: int) -> np.ndarray:
    r, c = np.indices((rows, cols))
    cr, cc = (rows - 1) / 2, (cols - 1) / 2
    radius = 0.35 * min(rows, cols)
    return (((r - cr) ** 2 + (c - cc) ** 2) <= radius**2 + 1e-9).astype(float)


def _cross(rows: int, cols: int, period: int) -> np.ndarray:
    mask = np.zeros((rows, cols), dtype=bool)
    wr, wc = max(1, rows // 5), max(1, cols // 5)
    r0, c0 = (rows - wr) // 2, (cols - wc) // 2
    mask[r0 : r0 + wr, :] = True
    mask[:, c0 : c0 + wc] = True
    return mask.astype(float)


def _stripes(rows: int, cols: int, period: int) -> np.ndarray:
    c = np.arange(cols)
    return np.broadcast_to((c // period) % 2, (rows, cols)).astype(float)


def _step(rows: int, cols: int, period: int) -> np.ndarray:
    """Low on the left half, high from the middle on: one edge (a signal's step)."""
    return np.broadcast_to(np.arange(cols) >= cols // 2, (rows, cols)).astype(float)


def _sine(rows: int, cols: int, period: int) -> np.ndarray:
    """One cycle of a sine along the columns, from the middle value up, rounded to 2 decimals."""
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * np.arange(cols) / cols)
    return np.broadcast_to(np.round(wave, 2), (rows, cols)).copy()


#: Pattern name -> function of (rows, cols, period) giving values in [0, 1].
PATTERNS: dict[str, Pattern] = {
    "square": _square,
    "checkerboard": _checkerboard,
    "gradient": _gradient,
    "disk": _disk,
    "cross": _cross,
    "stripes": _stripes,
    "step": _step,
    "sine": _sine,
}

#: Every pattern a scenario may name; ``random`` also takes a ``seed``.
PATTERN_NAMES: tuple[str, ...] = (*PATTERNS, "random")


def make_pattern(
    name: str, size: tuple[int, int], low: float, high: float, *, period: int = 2, seed: int = 0
) -> np.ndarray:
    """The named pattern scaled to [low, high]; ``random`` draws integers when both ends are integers."""
    rows, cols = size
    if name == "random":
        rng = np.random.default_rng(seed)
        if isinstance(low, int) and isinstance(high, int):  # as typed: 0 and 9, not 0.0 and 9.0
            return rng.integers(int(low), int(high), size=(rows, cols), endpoint=True).astype(float)
        return np.round(rng.uniform(low, high, size=(rows, cols)), 2)
    unit = PATTERNS[name](rows, cols, period)
    return low + (high - low) * unit
