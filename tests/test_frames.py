"""Frames: what each frame's display list holds (poster, steps, final), before any pixels."""

import numpy as np
import pytest

import convanim
from convanim import style
from convanim.display import Line, Rect, Text
from convanim.frames import build
from convanim.layout import PAD
from convanim.textsize import text_width

from .helpers import small


def texts(frames, k):
    return [s.text for s in frames.visible(k) if isinstance(s, Text)]


def outlines(frames, k, colour):
    return [s for s in frames.visible(k) if isinstance(s, Rect) and s.stroke == colour and s.fill is None]


def test_frame_count_and_durations():
    f = build(small())
    assert len(f) == 9 + 2
    assert [i.duration_ms for i in f.frames] == [300] + [100] * 9 + [700]
    assert [i.step for i in f.frames] == [None, *range(9), None]
    assert f.frames[1].out == (0, 0) and f.frames[9].out == (2, 2)
    assert f.frames[4].readout == "step 4/9: output[1,0] = 11.0"
    assert f.frames[0].readout == "poster: input 5×5, kernel 3×3, output 3×3"
    assert f.frames[-1].readout == "done: output 3×3"


def test_poster_has_labels_and_no_window():
    f = build(small())
    poster = texts(f, 0)
    for label in (
        "small",
        "input 5×5",
        "kernel 3×3 (mean)",
        "stride 1, no padding",
        "output 3×3",
        "⌊(5 − 3)/1⌋ + 1 = 3",
        "9 steps",
        "output[a,b] = Σᵢⱼ kernel[i,j] · input[a+i, b+j]   (cross-correlation, as PyTorch)",
    ):
        assert label in poster
    assert outlines(f, 0, "#e69f00") == []
    assert "6.0" not in poster  # no output value yet
    assert [t for t in poster if t == "1/9"] == ["1/9"] * 9


def test_step_frame_shows_window_equation_and_earlier_values():
    s = small()
    f = build(s)
    c = f.output_grid.cell
    k = 2  # second step: output[0,1]
    hl = outlines(f, k, "#e69f00")
    assert len(hl) == 2  # the window on the input and the current output cell
    window, current = sorted(hl, key=lambda r: r.w, reverse=True)
    assert (window.w, window.h) == (3 * c, 3 * c)
    assert (current.x, current.y) == (f.output_grid.x + 1 * c, f.output_grid.y)
    assert window.x == current.x - f.output_grid.x + window.x - c  # window starts one column in
    shown = texts(f, k)
    assert "output[0,1] = 1/9 · (1 + 2 + 3 + 6 + 7 + 8 + 11 + 12 + 13) = 63/9 = 7.0" in shown
    assert "6.0" in shown and "7.0" in shown and "8.0" not in shown  # earlier and current values only
    assert "step 2 / 9" in shown
    # The connector: only its pieces outside the grids, which would cover it, are drawn.
    pieces = [x for x in f.visible(k) if isinstance(x, Line)]
    assert 1 <= len(pieces) <= 3
    out_x = f.output_grid.x
    for piece in pieces:
        xs = [p[0] for p in piece.points]
        assert window.x + window.w <= min(xs) and max(xs) <= out_x


def test_final_frame_has_every_value_and_no_window():
    s = small()
    f = build(s)
    final = texts(f, len(f) - 1)
    for v in s.output().ravel():
        assert f"{v:.1f}" in final
    assert "done" in final and "output 3×3 complete: min 6.0, max 18.0" in final
    assert outlines(f, len(f) - 1, "#e69f00") == []


def test_value_text_contrasts_with_its_cell():
    f = build(small(image=np.array([[0.0, 9.0, 0.0], [9.0, 0.0, 9.0], [0.0, 9.0, 0.0]])))
    cells = {(r.x, r.y): r.fill for r in (s for s in f.visible(0) if isinstance(s, Rect) and s.fill)}
    for t in (s for s in f.visible(0) if isinstance(s, Text) and s.text in ("0", "9")):
        fill = next(fill for (x, y), fill in cells.items() if x < t.x < x + 40 and y < t.y < y + 40)
        assert style.contrast(t.color, fill) >= 4.5


def test_averaging_kernel_shares_the_colour_scale():
    f = build(small(image=np.array([[9.0, 9.0, 9.0]] * 3), kernel={"preset": "mean"}))
    fills = [s.fill for s in f.visible(len(f) - 1) if isinstance(s, Rect) and s.fill]
    nine = style.ColourScale("gray", 9.0 - 1, 9.0 + 1)([9.0])[0]
    assert fills.count(nine) == 9 + 1  # nine input cells and the one output, same colour


def test_edge_kernel_gets_a_diverging_output_scale():
    s = convanim.Scenario(image={"pattern": "square", "size": 6}, kernel={"preset": "sobel_x"})
    f = build(s)
    _, out_scale = style.scales(s.image.values, s.kernel.values, s.output(), "gray", None)
    assert out_scale.cmap == "PRGn" and out_scale.vmin == -out_scale.vmax
    zero = out_scale([0.0])[0]
    fills = {sh.fill for sh in f.visible(len(f) - 1) if isinstance(sh, Rect)}
    assert zero in fills and out_scale([s.output().min()])[0] in fills


def test_signed_weights_are_parenthesised_and_zero_weights_skipped():
    s = convanim.Scenario(image={"pattern": "square", "size": 4, "high": 9}, kernel={"preset": "sobel_x"})
    eq = next(t for t in texts(build(s), 1) if t.startswith("output[0,0]"))
    assert eq == "output[0,0] = (−1)·0 + 1·0 + (−2)·0 + 2·9 + (−1)·0 + 1·9 = 27"


def test_long_equations_are_shortened_to_fit():
    s = convanim.Scenario(
        image={"pattern": "random", "size": 12, "seed": 3},
        kernel={"preset": "gaussian", "size": 7, "sigma": 2.0},
    )
    f = build(s)
    eq = next(t for t in texts(f, 1) if t.startswith("output[0,0]"))
    assert "…" in eq and eq.startswith("output[0,0] = 0.005·8 + 0.009·0 + 0.013·1 + ") and " ≈ " in eq
    assert text_width(eq, 16) <= f.width - 2 * PAD


def test_values_are_left_out_when_cells_are_too_small_unless_forced():
    big = {"image": {"pattern": "random", "size": 30, "seed": 1}, "kernel": {"preset": "mean"}}
    f = build(convanim.Scenario(**big))
    assert f.output_grid.cell == 12
    assert not any(t.isdigit() for t in texts(f, 0) if len(t) <= 2)
    forced = build(convanim.Scenario(**big, render={"values": True}))
    assert sum(t.isdigit() for t in texts(forced, 0)) == 900


@pytest.mark.parametrize("cell", [8, 20, 40])
def test_cell_px_sets_the_picture_size(cell):
    f = build(small(render={"cell_px": cell}))
    assert f.output_grid.cell == cell and f.width % 2 == 0 and f.height % 2 == 0


# ---------------------------------------------------------------- padding, dilation, transposed


def rects(frames, k, stroke):
    return [s for s in frames.visible(k) if isinstance(s, Rect) and s.stroke == stroke]


def test_padding_cells_are_ghosts_around_a_boundary():
    s = convanim.Scenario(image={"pattern": "square", "size": 4}, kernel={"preset": "mean"}, padding=[1, 2])
    f = build(s)
    assert len(rects(f, 0, style.GHOST_LINE)) == 6 * 8 - 16  # padded 6×8, image 4×4
    boundary = [r for r in rects(f, 0, style.BOUNDARY)]
    c = f.output_grid.cell
    assert len(boundary) == 1 and (boundary[0].w, boundary[0].h) == (4 * c, 4 * c)
    texts0 = texts(f, 0)
    assert "padded to 6×8: hatched zeros" in texts0 and "stride 1, padding 1×2" in texts0
    assert "rows ⌊(4 + 2·1 − 1·(3 − 1) − 1)/1⌋ + 1 = 4" in texts0
    assert "cols ⌊(4 + 2·2 − 1·(3 − 1) − 1)/1⌋ + 1 = 6" in texts0
    assert "output[a,b] = Σᵢⱼ kernel[i,j] · input[a+i−1, b+j−2]   (cross-correlation, as PyTorch)" in texts0


def test_reflect_padding_marks_where_ghost_values_come_from():
    image = np.arange(16.0).reshape(4, 4)
    s = convanim.Scenario(image=image, kernel={"preset": "mean"}, padding=1, padding_mode="reflect")
    f = build(s)
    marks = rects(f, 1, style.SOURCE)  # first step: window over padded rows 0..2, cols 0..2
    # ghost taps: the 5 cells of the top row and left column; their sources are image cells
    # (1,1),(1,0),(1,1)... as padded coordinates: distinct sources (2,2), (2,1), (1,2)
    assert len(marks) == 5 + 3
    assert "padded (reflect) to 6×6: hatched copies" in texts(
        f, 0
    ) and "stride 1, padding 1, reflect" in texts(f, 0)


def test_dilated_window_outlines_each_tap_and_dashes_the_span():
    s = convanim.Scenario(image={"pattern": "square", "size": 7}, kernel={"preset": "mean"}, dilation=2)
    f = build(s)
    taps = [r for r in rects(f, 1, "#e69f00") if r.fill is None and r.w < f.output_grid.cell + 1]
    assert len(taps) == 9 + 1  # nine taps and the current output cell
    dashed = [x for x in f.visible(1) if isinstance(x, Line) and x.dash]
    assert len(dashed) >= 4 and "dilation 2" in texts(f, 0)


def test_scatter_frames_accumulate_the_output():
    s = convanim.Scenario(
        image=np.array([[1.0, 2.0], [3.0, 4.0]]),
        kernel=np.ones((3, 3)),
        operation="conv_transpose2d",
        stride=2,
        padding=1,
    )
    f = build(s)
    assert len(f) == 4 + 2 and [i.out for i in f.frames] == [None] * 6
    assert f.frames[2].readout == "step 2/4: input[0,1] = 2 added to the output"
    g = f.output_grid  # the real output, inside the drawn 5×5 scatter
    assert (g.rows, g.cols) == (3, 3)
    final = texts(f, len(f) - 1)
    assert "output 3×3 complete: min 1, max 10" in final and "10" in final
    # the centre output cell shows 4 after the first step... then 10 at the end
    assert (
        "input[0,1] = 2: output rows −1 to 1, cols 1 to 3 += 2 · kernel (row −1 and col 3 cropped)"
        in texts(f, 2)
    )
    assert "input[0,0] = 1: output rows −1 to 1, cols −1 to 1 += 1 · kernel (row −1 and col −1 cropped)" in (
        texts(f, 1)
    )
    assert "drawn 5×5: the hatched border is cropped by padding" in texts(f, 0)
    assert "(2 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 3" in texts(f, 0)


def test_direct_view_shows_the_kernel_rotating():
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    s = convanim.Scenario(
        image=np.full((2, 2), 0.5),
        kernel=kernel,
        operation="conv_transpose2d",
        stride=2,
        transpose_view="direct",
    )
    f = build(s)
    first_row = lambda k: [t for t in texts(f, k) if t in "123456789"][:3]  # noqa: E731
    assert first_row(0) == ["1", "2", "3"] and first_row(1) == ["9", "8", "7"]
    assert "kernel 3×3" in texts(f, 0) and "kernel 3×3 rotated 180°" in texts(f, 1)
    assert any(
        t.startswith("same numbers as a convolution with the kernel rotated 180°") for t in texts(f, 1)
    )
    assert f.frames[1].step is None and f.frames[2].step == 0


def test_pool_equations_and_the_window_panel():
    image = np.arange(25.0).reshape(5, 5)
    avg = build(
        convanim.Scenario(
            image=image, operation="avg_pool2d", kernel_size=3, stride=2, padding=1, count_include_pad=False
        )
    )
    assert "output[0,0] = (0 + 1 + 5 + 6)/4 = 12/4 = 3.0" in texts(avg, 1)
    assert "mean" in texts(avg, 0) and "1/9" not in texts(avg, 0)
    mx = build(convanim.Scenario(image=image, operation="max_pool2d", kernel_size=2))
    assert "output[0,1] = max(2, 3, 7, 8) = 8" in texts(mx, 2)
    marks = rects(mx, 2, style.SOURCE)
    assert len(marks) == 1  # the maximum, outlined
