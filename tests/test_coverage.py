"""Shapes without matplotlib: exact areas by hand, and sprites checked against matplotlib's Agg
(the painter's former rasteriser, drawn here the way it drew them)."""

import subprocess
import sys

import numpy as np
import pytest

from convanim.display import FrameInfo, Frames, Grid, Hatch, Item, Line, Rect
from convanim.paint.coverage import coverage, dashes, rect_stroke, snap
from convanim.paint.raster import DASH, RasterPainter, hatch_segments

W, H = 120, 90


def agg_sprite(shape, unit=1.0):
    """``shape`` drawn by matplotlib's Agg on a transparent W×H canvas, as the painter drew it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(W / 72, H / 72), dpi=72)
    fig.patch.set_alpha(0)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, W)
    ax.set_ylim(H, 0)
    ax.set_axis_off()
    ax.patch.set_alpha(0)
    if isinstance(shape, Rect):
        artist = Rectangle(
            (shape.x, shape.y),
            shape.w,
            shape.h,
            facecolor=shape.fill or "none",
            edgecolor=shape.stroke or "none",
            linewidth=shape.width if shape.stroke else 0,
        )
    elif isinstance(shape, Hatch):
        artist = LineCollection(hatch_segments(shape), colors=shape.color, linewidths=unit)
    else:
        xs, ys = zip(*shape.points, strict=True)
        artist = Line2D(
            xs, ys, color=shape.color, linewidth=shape.width, solid_capstyle="butt", dash_capstyle="butt"
        )
        if shape.dash:
            artist.set_dashes([d * unit / shape.width for d in DASH])
    canvas.draw()
    buffer = np.asarray(canvas.buffer_rgba())
    buffer[:] = 0
    artist.set_figure(fig)
    artist.axes = ax
    artist.set_transform(ax.transData)
    artist.set_clip_on(False)
    artist.draw(canvas.get_renderer())
    return buffer.copy()


def ours(shape, unit=1.0):
    """``shape``'s sprite from the painter, placed on a transparent W×H canvas."""
    frames = Frames(
        "t", W, H, "#ffffff", (Item(shape, 0, 0),), (FrameInfo(100, None, None, ""),), Grid(0, 0, 1, 1, 1)
    )
    painter = RasterPainter(frames, unit)
    sprite = painter._sprite(0)
    dx, dy, rgba = sprite.dx, sprite.dy, sprite.rgba
    ox, oy = painter.origin[0]
    canvas = np.zeros((H, W, 4), np.uint8)
    canvas[oy + dy : oy + dy + rgba.shape[0], ox + dx : ox + dx + rgba.shape[1]] = rgba
    return canvas


def over_white(rgba):
    a = rgba[:, :, 3:4].astype(int)
    return (rgba[:, :, :3].astype(int) * a + 255 * (255 - a) + 127) // 255


RECTS = [
    Rect(10, 10, 30, 20, fill="#e69f00"),
    Rect(10.3, 10.6, 30, 20, fill="#336699"),
    Rect(10.5, 20.5, 31.5, 20.25, fill="#e69f00", stroke="#1a1a1a", width=1),
    Rect(12.2, 14.7, 40, 30, stroke="#e69f00", width=1),
    Rect(12.2, 14.7, 40, 30, stroke="#e69f00", width=1.5),
    Rect(12.2, 14.7, 40, 30, fill="#ffffff", stroke="#0072b2", width=1.5),
    Rect(20, 20, 25, 25, stroke="#e69f00", width=2),
    Rect(20.4, 20.4, 25, 25, fill="#cccccc", stroke="#e69f00", width=2.5),
    Rect(20, 20, 25, 25, stroke="#e69f00", width=3),
    Rect(20.5, 20.5, 25, 25, stroke="#e69f00", width=3.5),
    Rect(20, 20, 2, 2, fill="#000000", stroke="#e69f00", width=3),  # inner corners too close: bevels
]


@pytest.mark.parametrize("shape", RECTS, ids=range(len(RECTS)))
def test_rectangles_equal_agg(shape):
    np.testing.assert_array_equal(ours(shape), agg_sprite(shape))


@pytest.mark.parametrize("unit", [1.0, 2.0])
def test_hatch_within_a_level_of_agg(unit):
    shape = Hatch(10.5, 12, 64 * unit / 2, 48, "#c4c4c4", spacing=8 * unit)
    diff = np.abs(over_white(ours(shape, unit)) - over_white(agg_sprite(shape, unit)))
    assert diff.max() <= 1


LINES = [
    Line(((10.3, 10.2), (100.7, 40.9)), "#e69f00", 1.5),
    Line(((10.3, 80.2), (100.7, 20.9)), "#e69f00", 1.5, dash=True),
    Line(((5.0, 60.0), (115.0, 52.37)), "#e69f00", 2.25, dash=True),
    Line(((20.2, 10.0), (20.2, 80.0)), "#e69f00", 1.5, dash=True),  # rectilinear: snapped
    Line(((20.0, 30.6), (90.0, 30.6)), "#1a1a1a", 1),
]


@pytest.mark.parametrize("shape", LINES, ids=range(len(LINES)))
def test_lines_within_two_levels_of_agg(shape):
    a, b = over_white(ours(shape)), over_white(agg_sprite(shape))
    assert np.abs(a - b).max() <= 2
    assert (a != b).any(axis=2).mean() < 0.02  # and only on a few edge pixels


def test_box_coverage_is_its_exact_area():
    # x from 0.25 to 2.5, y from 0 to 1: 3/4, 1, 1/2 of three pixels; Agg's 256 levels, capped.
    alpha = coverage([[(0.25, 0), (2.5, 0), (2.5, 1), (0.25, 1)]], (0, 0, 4, 1))
    assert alpha.tolist() == [[192, 255, 128, 0]]
    # a right triangle over one pixel: half of it, either way round
    tri = [(0, 0), (1, 0), (0, 1)]
    assert coverage([tri], (0, 0, 1, 1)).tolist() == coverage([tri[::-1]], (0, 0, 1, 1)).tolist() == [[128]]


def test_snapping_follows_the_stroke_width():
    assert snap([(1.2, 2.7), (5.6, 2.7)], 1) == [(1.5, 3.5), (6.5, 3.5)]  # odd: pixel centres
    assert snap([(1.2, 2.7), (5.6, 2.7)], 1.5) == [(1.0, 3.0), (6.0, 3.0)]  # rounds to 2: corners
    assert snap([(1.2, 2.7), (5.6, 3.1)], 1) == [(1.2, 2.7), (5.6, 3.1)]  # slanted: untouched


def test_thin_rectangle_strokes_have_bevelled_corners():
    outer, inner = rect_stroke(0, 0, 10, 10, 1)
    assert outer[:2] == [(-0.5, 0), (0, -0.5)] and len(outer) == 8
    assert inner == [(0.5, 9.5), (9.5, 9.5), (9.5, 0.5), (0.5, 0.5)]
    outer, _ = rect_stroke(0, 0, 10, 10, 3)
    assert outer == [(-1.5, -1.5), (11.5, -1.5), (11.5, 11.5), (-1.5, 11.5)]


def test_dashes_alternate_along_the_line():
    pieces = dashes([(0.0, 0.0), (20.0, 0.0)], 5.0, 4.0)
    assert pieces == [[(0.0, 0.0), (5.0, 0.0)], [(9.0, 0.0), (14.0, 0.0)], [(18.0, 0.0), (20.0, 0.0)]]
    # a dash carries over a corner
    assert dashes([(0.0, 0.0), (3.0, 0.0), (3.0, 4.0)], 5.0, 4.0)[0] == [(0.0, 0.0), (3.0, 0.0), (3.0, 2.0)]


def test_writing_a_gif_does_not_import_matplotlib(tmp_path):
    code = (
        "import sys\n"
        "from convanim import Scenario\n"
        "Scenario(image={'pattern': 'square', 'size': 7}, kernel={'preset': 'mean'}).save(sys.argv[1])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    target = tmp_path / "mean.gif"
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    assert target.read_bytes()[:6] == b"GIF89a"


def test_polyline_joins_are_round_and_close_to_agg():
    # an arrowhead: Line2D's round join at the tip; the overlap of the pieces adds a few levels
    shape = Line(((57.7, 43.9), (64.0, 37.5), (66.4, 46.2)), "#e69f00", 2.0)
    a, b = over_white(ours(shape)), over_white(agg_sprite(shape))
    assert np.abs(a - b).max() <= 40
    assert (np.abs(a - b) > 2).any(axis=2).sum() <= 6  # only about the join
