"""Colours: value-to-colour scales, text colour for contrast, the fixed palette of the chrome."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Colour steps per colormap; a bounded set keeps GIF palettes exact and files small.
LEVELS = 64
INK = "#1a1a1a"
PAPER = "#ffffff"
MUTED = "#555555"
GRID_LINE = "#9a9a9a"
HATCH = "#c4c4c4"
GHOST_LINE = "#b8b8b8"
BOUNDARY = "#333333"  # between an image and its padding
SOURCE = "#0072b2"  # Okabe–Ito blue: where a padding value comes from
DIVERGING = "PRGn"


@dataclass(frozen=True)
class ColourScale:
    """Maps values in [vmin, vmax] onto ``LEVELS`` steps of a matplotlib colormap."""

    cmap: str
    vmin: float
    vmax: float

    def __call__(self, values: np.ndarray) -> list[str]:
        import matplotlib
        from matplotlib.colors import to_hex

        span = self.vmax - self.vmin
        t = np.clip((np.asarray(values, dtype=float) - self.vmin) / span, 0.0, 1.0)
        steps = np.round(t * (LEVELS - 1)) / (LEVELS - 1)
        rgba = matplotlib.colormaps[self.cmap](steps.ravel())
        return [to_hex(c) for c in rgba]


def scale_for(values: np.ndarray, cmap: str, *, symmetric: bool = False) -> ColourScale:
    """A scale spanning ``values`` (symmetric about 0 if asked); never an empty range."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if symmetric:
        m = max(abs(lo), abs(hi)) or 1.0
        return ColourScale(cmap, -m, m)
    if hi - lo < 1e-12 * max(1.0, abs(lo), abs(hi)):
        # a constant: widen by at least one unit in its last digits (above 2**53, ±1 is no change)
        pad = max(1.0, 1e-9 * max(abs(lo), abs(hi)))
        lo, hi = lo - pad, hi + pad
    return ColourScale(cmap, lo, hi)


def averages(kernel: np.ndarray) -> bool:
    """True when every output is a weighted average of inputs (weights ≥ 0, summing to 1)."""
    return bool(np.all(kernel >= 0) and abs(kernel.sum() - 1.0) < 1e-9)


def scales(
    image: np.ndarray, kernel: np.ndarray, output: np.ndarray, cmap: str, output_cmap: str | None
) -> tuple[ColourScale, ColourScale]:
    """Input and output scales: shared for averaging kernels, otherwise the output gets its own
    (diverging around 0 when it has signs), so an edge filter's negatives stay visible."""
    if output_cmap is None and averages(kernel):
        shared = scale_for(np.concatenate([image.ravel(), output.ravel()]), cmap)
        return shared, shared
    signed = bool(output.min() < 0)
    out_cmap = output_cmap or (DIVERGING if signed else cmap)
    return scale_for(image, cmap), scale_for(output, out_cmap, symmetric=signed)


def _luminance(hex_colour: str) -> float:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """Ink or paper, whichever reads better on ``fill``."""
    return INK if contrast(INK, fill) >= contrast(PAPER, fill) else PAPER


def mix(a: str, b: str, t: float) -> str:
    """``a`` moved a fraction ``t`` of the way towards ``b`` (both ``#rrggbb``)."""
    ca = np.array([int(a[i : i + 2], 16) for i in (1, 3, 5)], float)
    cb = np.array([int(b[i : i + 2], 16) for i in (1, 3, 5)], float)
    r, g, bl = np.round(ca + (cb - ca) * t).astype(int)
    return f"#{r:02x}{g:02x}{bl:02x}"
