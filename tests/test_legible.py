"""Legible when projected: scaled to fit a 1920×1080 screen, every text of every shipped scenario is
at least 14 px high in every theme, and the last frame of a picture leaves no blank band."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim import style
from convanim.display import Text
from convanim.export.still import still_png

from .helpers import ROOT

SHIPPED = sorted((ROOT / "animations").glob("*.toml"))
SCREEN = (1920, 1080)
LEGIBLE = 14.0


def projected(frames) -> float:
    """How much the picture is scaled to fit the screen."""
    return min(SCREEN[0] / frames.width, SCREEN[1] / frames.height)


def too_small(frames) -> list[tuple[str, float]]:
    """Texts under LEGIBLE px once the picture fits the screen, with their projected size."""
    k = projected(frames)
    small = {
        (it.shape.text, round(it.shape.size * k, 1)) for it in frames.items if isinstance(it.shape, Text)
    }
    return sorted(t for t in small if t[1] < LEGIBLE - 1e-9)


@pytest.mark.parametrize("theme", list(style.THEMES))
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_text_is_at_least_14_px_on_a_1080p_screen(path, theme):
    frames = convanim.load(path).restyled(theme=theme).frames()
    assert too_small(frames) == []


@pytest.mark.parametrize("scale", [1, 1.5, 2])
def test_legible_at_every_render_scale(scale):
    for name in ("chain_rgb_photo", "mean_photo", "layer_three_filters"):
        frames = convanim.load(ROOT / "animations" / f"{name}.toml").restyled(scale=scale).frames()
        assert too_small(frames) == [], name


def test_the_walk_finds_small_text():
    """The check is not vacuous: a picture made very wide makes its texts small on the screen."""
    s = convanim.Scenario(image=np.zeros((3, 60)), kernel={"preset": "mean"}, render={"cell_px": 40})
    assert too_small(s.frames())


def blank_band(png: bytes, background: str) -> float:
    """The tallest run of rows with only the background, as a fraction of the picture's height."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    bg = np.array([int(background[i : i + 2], 16) for i in (1, 3, 5)])
    empty = np.all(np.abs(rgb - bg).sum(axis=2) < 8, axis=1)
    best = run = 0
    for row in empty:
        run = run + 1 if row else 0
        best = max(best, run)
    return best / len(empty)


@pytest.mark.parametrize("name", ["mean_photo", "chain_photo", "pyramid_photo", "chain_rgb_photo"])
def test_the_last_frame_of_a_picture_has_no_blank_band(name):
    frames = convanim.load(ROOT / "animations" / f"{name}.toml").frames()
    assert blank_band(still_png(frames), frames.background) <= 0.15


def test_the_blank_band_check_sees_one():
    """A scenario whose last frame is mostly empty is caught (the check is not vacuous)."""
    png = Image.new("RGB", (100, 100), "#ffffff")
    png.paste((0, 0, 0), (0, 0, 100, 40))
    buf = io.BytesIO()
    png.save(buf, "PNG")
    assert blank_band(buf.getvalue(), "#ffffff") == 0.6
