"""How numbers are written in cells and equations: few digits, a real minus sign."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

MINUS = "\u2212"
#: the round magnitudes an editable player's ranges are rounded up to (editing.ranges)
LADDER = (1, 2, 5, 9, 10, 20, 50, 99, 100, 255, 500, 999, 1000)


def nice(m: float) -> int:
    """The least round magnitude (LADDER) at least ``m``: what an edit may reach."""
    return next((n for n in LADDER if n >= m), int(np.ceil(m)))


def _clean(text: str) -> str:
    if text.lstrip("-").strip("0.") == "" and text.startswith("-"):
        text = text[1:]  # "-0.0" reads as a glitch
    return text.replace("-", MINUS)


def decimals_needed(values: np.ndarray, most: int = 2) -> int:
    """Fewest decimals (≤ most) that write every value exactly; ``most`` if none does."""
    values = values[np.isfinite(values)]
    for d in range(most + 1):
        if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9):
            return d
    return most


def formatter(spec: str | None, values: np.ndarray, *, least: int = 0) -> Callable[[float], str]:
    """A formatter for a family of values: ``spec`` (a format spec) or auto with ≥ ``least`` decimals."""
    if spec is None:
        d = max(least, decimals_needed(values))
        write = lambda v: half_away(v, d)  # noqa: E731
    else:
        write = lambda v: format(v, spec)  # noqa: E731
    return lambda v: _clean(write(float(v))) if np.isfinite(v) else ("\u221e" if v > 0 else MINUS + "\u221e")


def half_away(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, ties rounded away from zero as a class checking by hand
    does (0.125 → "0.13", like 0.375 → "0.38"), from the shortest decimal that reads back as it."""
    with localcontext(prec=80):
        exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{exact:f}"
