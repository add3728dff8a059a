"""The matrix view of a convolution (im2col): the patch matrix's numbers, the rows against the
output, the frames, text inside the picture, alt text and the messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim import ScenarioError
from convanim.display import Rect, Text
from convanim.frames import build
from convanim.frames.matrix import MatrixBuilder

from .helpers import ROOT
from .test_text_fits import outside


def numbers_in(frames, k: int, grid) -> list[list[str]]:
    """The texts written in ``grid``'s cells in frame ``k``, row by row ("" where none)."""
    out = [[""] * grid.cols for _ in range(grid.rows)]
    for t in frames.visible(k):
        if isinstance(t, Text):
            c, r = (t.x - grid.x) / grid.cell, (t.y - grid.y) / grid.cell
            if 0 <= c < grid.cols and 0 <= r < grid.rows:
                out[int(r)][int(c)] = t.text
    return out


def test_the_patches_times_the_kernel_are_the_output():
    s = convanim.load(ROOT / "animations" / "convolution_as_matrix.toml")
    f = build(s)
    b = MatrixBuilder(s, s.computations[0])
    assert len(f) == s.n_frames == 1 + 4 + 1
    image = s.image.values[0]
    expected = [[f"{v:g}" for v in image[a : a + 3, c : c + 3].ravel()] for a in (0, 1) for c in (0, 1)]
    assert numbers_in(f, 0, b.patches) == expected  # im2col, drawn from the poster on
    kernel = [[f"{v:g}"] for v in s.kernel.values[0, 0].ravel()]
    assert numbers_in(f, 0, b.kvec) == kernel
    patches = np.array(expected, dtype=float)
    np.testing.assert_array_equal(patches @ s.kernel.values[0, 0].ravel(), s.output().ravel())
    last = numbers_in(f, len(f) - 1, b.yvec)
    assert [row[0] for row in last] == [f"{v:g}" for v in s.output().ravel()]
    # step 2 (frame 2): row 1 of the patches, the kernel column, output row 1 and output[0,1] outlined
    hl = [r for r in f.visible(2) if isinstance(r, Rect) and r.stroke == "#e69f00" and r.fill is None]
    c = b.patches.cell
    assert any(r.x == b.patches.x and r.y == b.patches.y + c and r.w == 9 * c and r.h == c for r in hl)
    assert any(r.x == b.yvec.x and r.y == b.yvec.y + c and r.h == c for r in hl)
    texts = [t.text for t in f.visible(2) if isinstance(t, Text)]
    assert any(t.startswith("row 1: output[0,1] = ") for t in texts)
    poster = [t.text for t in f.visible(0) if isinstance(t, Text)]
    assert "output (4) = patches (4×9) × kernel (9), row by row   (cross-correlation)" in poster
    assert f.frames[2].readout.startswith("row 1 of the patches: step 2/4: output[0,1] = ")


def test_a_flipped_kernel_is_shown_turned_without_turn_frames():
    s = convanim.Scenario(
        image=np.arange(16.0).reshape(4, 4), kernel=np.arange(9.0).reshape(3, 3), view="matrix", flip=True
    )
    f = build(s)
    assert len(f) == s.n_frames == 1 + 4 + 1
    b = MatrixBuilder(s, s.computations[0])
    assert [row[0] for row in numbers_in(f, 0, b.kvec)] == [str(v) for v in range(8, -1, -1)]
    assert "kernel 3×3 rotated 180°" in [t.text for t in f.visible(0) if isinstance(t, Text)]


def test_alt_text_tells_the_matrix_product():
    s = convanim.load(ROOT / "animations" / "convolution_as_matrix.toml")
    assert s.alt_text == (
        "Convolution as a matrix product: a 4×4 image with random values (values 0 to 3) is unrolled into a "
        "4×9 matrix of patches (im2col), one row per window; row by row, each times the flattened 3×3 kernel "
        "(rows 0 1 2; 2 2 0; 0 1 2) gives one value of the 2×2 output, which folds back into its grid "
        "(values 8 to 15)."
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 7), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.integers(0, 99))
def test_random_matrix_views_stay_inside(n, k, stride, pad, seed):
    image = np.round(np.random.default_rng(seed).uniform(-9, 9, (n, n)), 1)
    try:
        s = convanim.Scenario(
            image=image, kernel=np.ones((k, k)) / k, stride=stride, padding=pad, view="matrix"
        )
    except ScenarioError:
        return
    assert outside(build(s)) == []


def test_the_gallery_scenario_renders_as_gif_and_html():
    s = convanim.load(ROOT / "animations" / "convolution_as_matrix.toml")
    assert s.to_bytes("gif")[:6] == b"GIF89a"
    assert "patches (im2col)" in s.to_html()


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"image": np.zeros((10, 10)), "kernel": np.ones((3, 3)), "view": "matrix"},
            "view: 'matrix' draws one row per output value and one column per kernel tap: at most 49 × 25 "
            "(this one is 64 × 9); use a smaller image or kernel",
        ),
        (
            {
                "image": np.zeros((2, 2)),
                "operation": "conv_transpose2d",
                "kernel": np.ones((2, 2)),
                "view": "matrix",
                "transpose_view": "direct",
            },
            "view: 'matrix' is drawn over the scatter; use transpose_view 'scatter'",
        ),
        (
            {"image": np.zeros((5, 5)), "kernel": np.ones((3, 3)), "view": "overlap"},
            "view: 'overlap' applies to conv_transpose2d; conv2d has 'matrix'",
        ),
        (
            {"image": np.zeros((4, 4)), "operation": "max_pool2d", "kernel_size": 2, "view": "matrix"},
            "view: does not apply to operation 'max_pool2d'",
        ),
        (
            {"image": np.zeros((2, 4, 4)), "kernel": np.ones((1, 2, 3, 3)), "view": "matrix"},
            "view: 'matrix' is drawn for one map without bias, not in a chain or photo",
        ),
    ],
)
def test_bad_matrix_views_are_one_line_naming_the_key(keys, message):
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(**keys)
    assert str(err.value) == message


# ---------------------------------------------------------------- transposed: Cᵀ beside C


def test_transposed_matrix_view_adds_columns_of_c_transposed():
    import torch
    import torch.nn.functional as F

    from convanim.frames.matrix import TransposedMatrixBuilder

    s = convanim.load(ROOT / "animations" / "transposed_convolution_as_matrix.toml")
    f = build(s)
    b = TransposedMatrixBuilder(s, s.computations[0])
    assert len(f) == s.n_frames == 1 + 4 + 1
    image, kernel = s.image.values, s.kernel.values
    expected = F.conv_transpose2d(torch.tensor(image)[None], torch.tensor(kernel))[0, 0].numpy()
    np.testing.assert_array_equal(s.output(), expected)
    ct = convanim.conv_matrix(s)
    # Cᵀ is drawn as it is, C as its transpose; zero weights that link are written 0, the rest blank
    drawn_ct = numbers_in(f, 0, b.ct_grid)
    assert drawn_ct[0] == ["0", "", "", ""] and drawn_ct[5] == ["2", "2", "1", "0"]
    assert numbers_in(f, 0, b.c_grid) == [list(r) for r in zip(*drawn_ct, strict=True)]
    for (r, c), v in np.ndenumerate(ct):
        assert drawn_ct[r][c] in (("", "0") if v == 0 else (f"{v:g}",))
    # after step 2 (input[0,1] = 2), the output column holds input 0 and 1's columns: Cᵀ[:, :2] @ x[:2]
    column = numbers_in(f, 2, b.yvec)
    partial = ct[:, :2] @ image.ravel()[:2]
    linked = b.linked[:, :2].any(axis=1)  # the outputs the first two pixels reach
    assert [column[i][0] for i in np.nonzero(linked)[0]] == [f"{v:g}" for v in partial[linked]]
    assert all(column[i][0] == "" for i in np.nonzero(~linked)[0])
    last = numbers_in(f, len(f) - 1, b.layout.output)
    assert last == [[f"{v:g}" for v in row] for row in expected]
    assert any(
        t.text == "column 1: input[0,1] = 2, so output += 2 × column 1 of Cᵀ (row 1 of C)"
        for t in f.visible(2)
        if isinstance(t, Text)
    )


def test_transposed_matrix_alt_text_and_limits():
    s = convanim.load(ROOT / "animations" / "transposed_convolution_as_matrix.toml")
    assert s.alt_text.startswith("A transposed convolution as a matrix product: beside the 4×16 matrix C")
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(
            image=np.zeros((4, 4)), operation="conv_transpose2d", kernel=np.ones((2, 2)), view="matrix"
        )
    assert str(err.value) == (
        "view: 'matrix' draws Cᵀ with one row per output value and one column per input pixel, and C: "
        "at most 25 × 9 (this one is 25 × 16); use a smaller image"
    )
    assert outside(build(s)) == []
    assert s.to_bytes("gif")[:6] == b"GIF89a"
