"""Raster painter: incremental painting equals painting each frame alone; colours land where drawn."""

import numpy as np
import pytest

from convanim.display import FrameInfo, Frames, Grid, Hatch, Item, Picture, Rect
from convanim.frames import build
from convanim.paint.raster import RasterPainter, hatch_segments

from .helpers import PIXELS, hex_rgb, picture_frames, small


@pytest.mark.parametrize("keys", [{}, {"stride": 2}, {"kernel": np.array([[1.0, -1.0]])}])
def test_incremental_frames_equal_frames_painted_alone(keys):
    frames = build(small(**keys))
    painter = RasterPainter(frames)
    incremental = [f.copy() for f in painter]
    alone = RasterPainter(frames)
    assert len(incremental) == len(frames)
    for k, image in enumerate(incremental):
        assert image.shape == (frames.height, frames.width, 3)
        np.testing.assert_array_equal(image, alone.frame(k), err_msg=f"frame {k}")


def test_colours_at_window_and_output_cell():
    frames = build(small())
    painter = RasterPainter(frames)
    k = 5  # step 4: output[1,1], window rows 1..3, cols 1..3
    image = painter.frame(k)
    window = max(
        (s for s in frames.visible(k) if isinstance(s, Rect) and s.stroke == "#e69f00"), key=lambda r: r.w
    )
    assert tuple(image[int(window.y), int(window.x + window.w / 2)]) == hex_rgb("#e69f00")
    g = frames.output_grid
    fill = next(
        s.fill
        for s in frames.visible(k)
        if isinstance(s, Rect) and s.fill and (s.x, s.y) == (g.x + g.cell, g.y + g.cell)
    )
    assert tuple(image[int(g.y + g.cell + 4), int(g.x + g.cell + 4)]) == hex_rgb(fill)
    # A later output cell is still empty: background between hatch lines, hatch colour on them.
    later = image[
        int(g.y + 2 * g.cell) + 2 : int(g.y + 3 * g.cell) - 2,
        int(g.x + 2 * g.cell) + 2 : int(g.x + 3 * g.cell) - 2,
    ]
    colours = {tuple(p) for p in later.reshape(-1, 3)}
    assert hex_rgb("#ffffff") in colours and len(colours) > 2


def test_hatch_segments_are_clipped_45_degree_lines():
    segs = hatch_segments(Hatch(10, 20, 16, 8, "#000000", spacing=8))
    assert segs[0] == ((18, 20), (10, 28))  # u = 8: from the top edge down to the left edge
    for (x0, y0), (x1, y1) in segs:
        assert x0 - x1 == pytest.approx(y1 - y0)  # slope −1 in screen space: rising to the right
        assert min(x0, x1) >= 10 and max(x0, x1) <= 26 and min(y0, y1) >= 20 and max(y0, y1) <= 28
    assert len(segs) == (16 + 8 - 1) // 8


def test_sprites_are_dropped_after_their_last_frame():
    frames = build(small())
    painter = RasterPainter(frames)
    for _ in painter:
        pass
    # Only shapes that stay to the final frame may keep a sprite.
    final_keys = {painter.keys[i] for i, it in enumerate(frames.items) if it.last == len(frames) - 1}
    assert set(painter.sprites) <= final_keys


def test_shapes_are_drawn_in_list_order():
    red = Item(Rect(0, 0, 10, 10, fill="#ff0000"), 0, 1)
    blue = Item(Rect(5, 5, 10, 10, fill="#0000ff"), 1, 1)
    frames = Frames(
        "t", 20, 20, "#ffffff", (red, blue), (FrameInfo(100, None, None, "a"),) * 2, Grid(0, 0, 1, 1, 1)
    )
    f0, f1 = [f.copy() for f in RasterPainter(frames)]
    assert (
        tuple(f0[7, 7]) == (255, 0, 0) and tuple(f1[7, 7]) == (0, 0, 255) and tuple(f1[2, 2]) == (255, 0, 0)
    )


def test_sampled_frames_equal_frames_painted_alone_and_start_the_run():
    frames = build(small(stride=2))
    n = len(frames)
    painter = RasterPainter(frames)
    sampled = painter.sample([0, n // 2, n - 1])
    alone = RasterPainter(frames)
    for k, image in zip([0, n // 2, n - 1], sampled, strict=True):
        np.testing.assert_array_equal(image, alone.frame(k), err_msg=f"frame {k}")
    incremental = [f.copy() for f in painter]  # frame 0 comes from the sample
    np.testing.assert_array_equal(incremental[0], sampled[0])
    np.testing.assert_array_equal(incremental[-1], sampled[-1])


def test_a_picture_is_its_pixels_in_blocks_exactly():
    frames = picture_frames()
    image = RasterPainter(frames).frame(1)
    want = np.full((60, 80, 3), 255, np.uint8)
    want[6:36, 10:50] = PIXELS.repeat(10, axis=0).repeat(10, axis=1)
    want[6:9, 60:64] = PIXELS  # drawn at its own size
    want[20:26, 60:68] = PIXELS.repeat(2, axis=0).repeat(2, axis=1)
    want[40:46, 60:68] = PIXELS[::-1, ::-1].repeat(2, axis=0).repeat(2, axis=1)
    inside = np.zeros((60, 80), bool)
    inside[7:35, 11:49] = True  # the outline covers the picture's border pixels
    inside[:, 55:] = True
    np.testing.assert_array_equal(image[inside], want[inside])


def test_a_picture_s_edges_snap_as_filled_rectangles_do():
    """Blocks of 1.5 px from x = 0.5: edges at 0.5, 2, 3.5, 5 snap to 1, 2, 4, 5 (ties round up),
    where rectangles of the same cells would have their edges."""
    pixels = np.array([[[0, 0, 0], [100, 100, 100], [200, 200, 200]]], np.uint8)
    picture = Picture.of(0.5, 0.5, 4.5, 1.5, pixels)
    cells = [
        Rect(0.5 + 1.5 * c, 0.5, 1.5, 1.5, fill="#{:02x}{:02x}{:02x}".format(*pixels[0, c].tolist()))
        for c in range(3)
    ]
    grid = Grid(0, 0, 0, 0, 0)
    info = (FrameInfo(100, None, None, ""),)

    def paint(shapes):
        return RasterPainter(
            Frames("", 8, 4, "#ffffff", tuple(Item(s, 0, 0) for s in shapes), info, grid)
        ).frame(0)

    image = paint([picture])
    assert image[1, :, 0].tolist() == [255, 0, 100, 100, 200, 255, 255, 255]
    assert image[:, 1, 0].tolist() == [255, 0, 255, 255]  # rows 0.5..2: pixel 1 only
    np.testing.assert_array_equal(image, paint(cells))
