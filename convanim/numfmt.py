"""How numbers are written in cells and equations: few digits, a real minus sign."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MINUS = "\u2212"


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
        spec = f".{d}f"
    return lambda v: (
        _clean(format(float(v), spec)) if np.isfinite(v) else ("\u221e" if v > 0 else MINUS + "\u221e")
    )
