"""Kernel presets and how their weights are written (the mean kernel reads 1/9, not 0.111)."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np

FIXED_3x3: dict[str, list[list[float]]] = {
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "prewitt_x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt_y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}
SIZED = ("mean", "gaussian", "identity")
PRESETS: tuple[str, ...] = (*SIZED, *FIXED_3x3)


def make_kernel(preset: str, size: tuple[int, int], sigma: float) -> np.ndarray:
    """Weights of a preset; ``size`` applies to mean, gaussian and identity (odd sides for identity)."""
    rows, cols = size
    if preset == "mean":
        return np.full((rows, cols), 1.0 / (rows * cols))
    if preset == "gaussian":
        r = np.arange(rows) - (rows - 1) / 2
        c = np.arange(cols) - (cols - 1) / 2
        g = np.exp(-(r[:, None] ** 2 + c[None, :] ** 2) / (2 * sigma**2))
        return g / g.sum()
    if preset == "identity":
        k = np.zeros((rows, cols))
        k[rows // 2, cols // 2] = 1.0
        return k
    return np.array(FIXED_3x3[preset], dtype=float)


@lru_cache(maxsize=4096)
def simple_fraction(value: float, max_den: int = 64) -> Fraction | None:
    """``value`` as p/q with a small q when it is that fraction to float precision, else None
    (memoised: every step's equation asks again for the same few weights)."""
    frac = Fraction(value).limit_denominator(max_den)
    if abs(float(frac) - value) <= 1e-12 * max(1.0, abs(value)):
        return frac
    return None


def fractions_read_best(values: np.ndarray) -> bool:
    """Whether a set of weights reads best as fractions: every non-integer one is a simple
    fraction over one common denominator (a mean's 1/9, a blur's k/16). Weights such as 0.02,
    0.08, 0.05 (random init) read as decimals, not 1/50, 2/25, 1/20."""
    denominators = set()
    for v in np.asarray(values, dtype=float).ravel().tolist():
        frac = simple_fraction(v)
        if frac is None:
            return False  # a decimal among them: decimals for all
        if frac.denominator != 1:
            denominators.add(frac.denominator)
    return len(denominators) <= 1


def weight_label(value: float, fractions: bool = True, decimals: int | None = None) -> str:
    """Short text for one weight: "2", "−1", "1/9", "0.125" (U+2212 minus for legibility);
    ``fractions=False`` writes a fraction such as 1/50 as its decimal, 0.02; ``decimals`` writes
    every weight of a grid with as many decimals (one format per grid: "0.00" beside "0.04")."""
    if decimals is not None:
        text = f"{value:.{decimals}f}"
        if text.lstrip("-").strip("0.") == "":
            text = text.lstrip("-")  # "−0.00" reads as a glitch
        return text.replace("-", "\u2212")
    frac = simple_fraction(value)
    if frac is not None and (frac.denominator == 1 or (fractions and abs(frac.numerator) < 100)):
        text = str(frac.numerator) if frac.denominator == 1 else f"{frac.numerator}/{frac.denominator}"
    else:
        digits = 2 if abs(value) >= 1 else 3
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if abs(value) >= 0.0005 else f"{value:.1e}"
    return text.replace("-", "\u2212")


def common_decimals(values: np.ndarray) -> int | None:
    """Decimals that write a set of weights in one format (the most any of them needs, as
    :func:`weight_label` writes it alone), or None when they are all whole or one is written
    in scientific notation."""
    most = 0
    for v in np.asarray(values, dtype=float).ravel().tolist():
        text = weight_label(v, fractions=False)
        if "e" in text:
            return None
        most = max(most, len(text.partition(".")[2]))
    return most or None


def weight_is_exact(value: float) -> bool:
    """Whether :func:`weight_label` shows the weight exactly (else the equation says ≈)."""
    return simple_fraction(value) is not None or float(weight_label(value).replace("\u2212", "-")) == value
