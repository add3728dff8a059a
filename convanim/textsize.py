"""Text measurement for layout, from the DejaVu Sans fonts bundled with matplotlib.

The fonts are read with Pillow's FreeType and libraqm (the same shaping matplotlib's ``ft2font``
does), so measuring text does not import matplotlib: a GIF is painted without it, and its ~0.3 s
import. A test checks the widths against matplotlib's ``text_to_path`` to the last bit.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from PIL import ImageFont

FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
MEASURE_PX = 100  #: text is measured at this size and scaled, as matplotlib's ``TextToPath`` does


def font_path(bold: bool = False) -> Path:
    """The DejaVu Sans file matplotlib ships (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise ModuleNotFoundError("matplotlib (for its DejaVu Sans fonts) is not installed")
    return Path(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf", FONT_FILES[bold])


@lru_cache(maxsize=64)
def font(size: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size`` px, shaped by libraqm (kerning as matplotlib applies it)."""
    return ImageFont.truetype(str(font_path(bold)), size, layout_engine=ImageFont.Layout.RAQM)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width in px of ``text`` set at ``size`` px (matplotlib's width, bit for bit)."""
    advance = measured(text, bold)
    if advance is None:  # libraqm refuses a paragraph separator (U+2029); matplotlib measures it
        from matplotlib.font_manager import FontProperties
        from matplotlib.textpath import text_to_path

        prop = FontProperties(family=FONT_FAMILY, weight="bold" if bold else "normal", size=size)
        return float(text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0])
    return advance * (float(size) / MEASURE_PX)


@lru_cache(maxsize=65536)
def measured(text: str, bold: bool = False) -> float | None:
    """The advance of ``text`` at MEASURE_PX (None: libraqm cannot shape it), cached by text
    alone: a layout search sets the same texts at many sizes (a network's, thousands of times)."""
    try:
        return font(MEASURE_PX, bold).getlength(text)
    except RuntimeError:
        return None


#: Blocks DejaVu Sans (regular and bold) covers whole (a test checks them against the fonts): Latin,
#: Greek, Cyrillic, punctuation, super- and subscripts, arrows, mathematical operators, floor and
#: ceiling, box drawing.
COVERED = (
    (0x20, 0x24F),
    (0x370, 0x37E),
    (0x384, 0x4FF),
    (0x2000, 0x209F),
    (0x2190, 0x22FF),
    (0x2308, 0x230B),
    (0x2500, 0x25FF),
)


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that DejaVu Sans (regular or bold) has no glyph for, in order, once
    each. Text in the ``COVERED`` blocks is checked without opening the fonts (nor importing
    matplotlib, which costs validation a quarter of a second)."""
    if all(any(lo <= ord(ch) <= hi for lo, hi in COVERED) for ch in text):
        return []
    covered = _coverage()
    return list(dict.fromkeys(ch for ch in text if ord(ch) not in covered))


@lru_cache(maxsize=1)
def _coverage() -> frozenset[int]:
    """Code points both the regular and the bold DejaVu Sans bundled with matplotlib can draw."""
    from pathlib import Path

    import matplotlib
    from matplotlib.ft2font import FT2Font

    fonts = Path(matplotlib.get_data_path(), "fonts", "ttf")
    regular = FT2Font(str(fonts / "DejaVuSans.ttf")).get_charmap()
    bold = FT2Font(str(fonts / "DejaVuSans-Bold.ttf")).get_charmap()
    return frozenset(regular.keys() & bold.keys())


def fast_width(text: str, size: float, bold: bool = False) -> float:
    """A cheap upper estimate of :func:`text_width` for long generated texts (equations): each
    character's advance and each neighbouring pair's kerning are measured once and summed, plus a
    margin for the rounding the whole-string layout does (measured: under 2 px on 80 characters).
    Measuring a whole string costs about 35 µs a character; shortening an equation of thousands of
    terms tried one such string per term, which made a 9×9 kernel take most of a minute."""
    total = sum(_advance(ch, size, bold) for ch in text)
    total += sum(_kerning(a, b, size, bold) for a, b in pairwise(text))
    return total * 1.005 + 2.0 if text else 0.0


@lru_cache(maxsize=8192)
def _advance(ch: str, size: float, bold: bool) -> float:
    return text_width(ch, size, bold)


@lru_cache(maxsize=65536)
def _kerning(a: str, b: str, size: float, bold: bool) -> float:
    return text_width(a + b, size, bold) - _advance(a, size, bold) - _advance(b, size, bold)
