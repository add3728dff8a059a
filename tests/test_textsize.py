"""Text measurement: Pillow's libraqm widths equal matplotlib's, without importing matplotlib."""

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.textsize import COVERED, text_width

# Characters the layout sets: digits, operators, labels, Greek and sub-/superscripts of the equations.
ALPHABET = st.sampled_from(
    "0123456789.,;:()[]{}=+-−·×÷/ΣΔσμ₀₁₂₃₄₅₆₇₈₉⁰¹²³ abcdefghijklmnopqrstuvwxyzAVTWYo…→⌊⌋"
) | st.sampled_from([chr(c) for lo, hi in COVERED[:1] for c in range(lo, hi + 1) if not 0x7F <= c < 0xA0])


def matplotlib_width(text: str, size: float, bold: bool) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=size)
    return float(text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0])


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=40), st.sampled_from([8, 10, 11, 12, 13.5, 14, 16, 20.25]), st.booleans())
def test_width_equals_matplotlibs_to_the_bit(text, size, bold):
    assert text_width(text, size, bold) == matplotlib_width(text, size, bold)


def test_kerning_is_applied():
    assert text_width("AV", 100) == 130.421875 < 2 * text_width("A", 100)
    assert text_width("11", 14) == 2 * text_width("1", 14) == 17.815


def test_paragraph_separator_falls_back_to_matplotlib():
    assert text_width("a\u2029b", 12) == matplotlib_width("a\u2029b", 12, False)


def test_measuring_does_not_import_matplotlib():
    code = "import sys; from convanim.textsize import text_width; text_width('x = 1', 12); print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
