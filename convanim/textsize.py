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
