"""Colours: value-to-colour scales, text colour for contrast, the themes of the chrome."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .colourmaps import table

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
AA = 4.5  #: WCAG AA contrast of normal text
BLACK, WHITE = "#000000", "#ffffff"


@dataclass(frozen=True)
class ColourScale:
    """Maps values in [vmin, vmax] onto ``LEVELS`` steps of a matplotlib colormap."""

    cmap: str
    vmin: float
    vmax: float

    def __call__(self, values: np.ndarray) -> list[str]:
        span = self.vmax - self.vmin
        t = np.clip((np.asarray(values, dtype=float) - self.vmin) / span, 0.0, 1.0)
        levels = np.round(t * (LEVELS - 1))
        colours = table(self.cmap)  # the default colormaps, without importing matplotlib
        if colours is not None:
            return [colours[k] for k in levels.astype(int).ravel().tolist()]
        import matplotlib
        from matplotlib.colors import to_hex

        rgba = matplotlib.colormaps[self.cmap]((levels / (LEVELS - 1)).ravel())
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


@lru_cache(maxsize=4096)
def _luminance(hex_colour: str) -> float:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """Ink or paper, whichever reads better on ``fill`` (black or white where neither meets AA)."""
    return LIGHT.text_on(fill)


@dataclass(frozen=True)
class Theme:
    """Every colour of the chrome (what is not a value's colour), resolved once per scenario.
    Builders read colours only from here (``self.theme.ink``), so a theme is data, not code."""

    name: str
    background: str
    ink: str  #: text on the background and on light cells (dark themes: on dark cells)
    paper: str  #: the other text colour, where it reads better than ink
    muted: str  #: secondary text: captions, formulas under labels, the step counter, ⊛ and →
    grid_line: str
    hatch: str  #: "not computed yet"
    ghost_line: str  #: outline of padding cells
    boundary: str  #: between an image and its padding
    source: str  #: where a padding value comes from, the pixels a sample blends
    highlight: str  #: the window, the kernel's outline, the current output cell
    kernel_fill: str

    @property
    def highlight_text(self) -> str:
        """The highlight as a text colour on the background: moved towards ink just enough to
        meet AA (light: a darker orange; where the highlight already passes, itself)."""
        return readable(self.highlight, self.background, self.ink)

    def text_on(self, fill: str) -> str:
        """Ink or paper, whichever contrasts more with ``fill``; black or white (at least 4.58:1
        against any colour) where neither meets WCAG AA."""
        best = self.ink if contrast(self.ink, fill) >= contrast(self.paper, fill) else self.paper
        if contrast(best, fill) >= AA:
            return best
        return BLACK if contrast(BLACK, fill) >= contrast(WHITE, fill) else WHITE


def readable(colour: str, background: str, toward: str) -> str:
    """``colour`` moved towards ``toward`` in 5 % steps until it meets AA on ``background``."""
    for step in range(21):
        mixed = mix(colour, toward, step / 20)
        if contrast(mixed, background) >= AA:
            return mixed
    return toward


#: Today's look: dark text on white, the Okabe–Ito orange and blue.
LIGHT = Theme(
    "light", PAPER, INK, PAPER, MUTED, GRID_LINE, HATCH, GHOST_LINE, BOUNDARY, SOURCE, "#e69f00", "#fff3d6"
)
#: For dark slides and lecture halls: light text on near-black, Okabe–Ito orange and sky blue.
DARK = Theme(
    "dark",
    background="#1e1e1e",
    ink="#f0f0f0",
    paper=INK,
    muted="#b3b3b3",
    grid_line="#6b6b6b",
    hatch="#4d4d4d",
    ghost_line="#5c5c5c",
    boundary="#e6e6e6",
    source="#56b4e9",
    highlight="#e69f00",
    kernel_fill="#3b3220",
)
#: For washed-out projectors: white on black; the accents (Okabe–Ito vermillion and blue) keep at
#: least 3:1 against black and white alike, so the window shows on every cell.
CONTRAST = Theme(
    "contrast",
    background=BLACK,
    ink=WHITE,
    paper=BLACK,
    muted="#d9d9d9",
    grid_line="#a6a6a6",
    hatch="#666666",
    ghost_line="#8c8c8c",
    boundary=WHITE,
    source="#0072b2",
    highlight="#d55e00",
    kernel_fill="#1f1c00",  # dark enough that the blue corner mark of a turning kernel keeps 3:1
)
THEMES = {t.name: t for t in (LIGHT, DARK, CONTRAST)}


@lru_cache(maxsize=64)
def theme(
    name: str, highlight: str | None = None, kernel_fill: str | None = None, background: str | None = None
) -> Theme:
    """The theme ``name`` with the colours a scenario sets itself (None: the theme's own)."""
    given = {"highlight": highlight, "kernel_fill": kernel_fill, "background": background}
    return replace(THEMES[name], **{k: v for k, v in given.items() if v is not None})


def mix(a: str, b: str, t: float) -> str:
    """``a`` moved a fraction ``t`` of the way towards ``b`` (both ``#rrggbb``)."""
    ca = np.array([int(a[i : i + 2], 16) for i in (1, 3, 5)], float)
    cb = np.array([int(b[i : i + 2], 16) for i in (1, 3, 5)], float)
    r, g, bl = np.round(ca + (cb - ca) * t).astype(int)
    return f"#{r:02x}{g:02x}{bl:02x}"
