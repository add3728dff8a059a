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
from convanim.filters import plane_labels
from convanim.frames.chain import ChainBuilder
from convanim.frames.chain_channels import ChannelChainBuilder, has_channels

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


@pytest.mark.parametrize("name", ["chain_photo", "chain_rgb_photo", "pyramid_photo", "mean_photo"])
def test_the_result_of_a_chain_is_never_the_smallest_map(name):
    s = convanim.load(ROOT / "animations" / f"{name}.toml")
    builder = (ChannelChainBuilder if has_channels(s) else ChainBuilder)(s)
    grids = builder.layout.grids if has_channels(s) else builder.layout.maps
    areas = [g.rows * g.cell * g.cols * g.cell for g in grids]
    assert areas[-1] >= max(areas[:-1])


def test_one_number_format_per_kernel_grid():
    """No "−0.1" beside "−0.09", no "0" beside "0.04": the decimals of the grid's longest."""
    plane = np.array([[-0.1, -0.09], [0.0, 0.04]])
    assert plane_labels(plane) == (("−0.10", "−0.09"), ("0.00", "0.04"))
    assert plane_labels(np.array([[1.0, -2.0]])) == (("1", "−2"),)  # whole numbers stay whole
    assert plane_labels(np.full((2, 2), 1 / 9)) == (("1/9", "1/9"), ("1/9", "1/9"))
    s = convanim.load(ROOT / "animations" / "chain_rgb_photo.toml")
    for st in s.stages:
        if st.kernel is not None:
            for plane in (q for f in st.kernel.values for q in f):
                decimals = {len(t.partition(".")[2]) for row in plane_labels(plane) for t in row}
                assert len(decimals) == 1


def test_filters_too_many_to_write_are_colour_and_the_zoom_writes_their_numbers():
    s = convanim.load(ROOT / "animations" / "chain_rgb_photo.toml")
    frames = s.frames()
    weights = s.stages[0].kernel.values[0, 0]  # filter 0, plane R: its first step is frame 1
    shown = [t.text for t in frames.visible(1) if isinstance(t, Text)]
    for row in plane_labels(weights):
        for label in row:
            assert label in shown
    assert "green +, purple −" in shown  # how the planes drawn as colour read
