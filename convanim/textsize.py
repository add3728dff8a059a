"""Text measurement for layout, from the DejaVu Sans metrics bundled with matplotlib."""

from __future__ import annotations

from functools import lru_cache

FONT_FAMILY = "DejaVu Sans"


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width in px of ``text`` set at ``size`` px."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=FONT_FAMILY, weight="bold" if bold else "normal", size=size)
    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that DejaVu Sans (regular or bold) has no glyph for, in order, once
    each. Latin text is checked without opening the font (DejaVu covers U+0020–U+024F)."""
    if all(" " <= ch <= "\u024f" for ch in text):
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
