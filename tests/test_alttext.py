"""Alt text: every illustration's text alternative, derived from its scenario and numbers, and
where it goes (NAME.txt beside the GIF, the player picture's name, the gallery, the README)."""

import numpy as np
import pytest

import convanim
from convanim.cli import main

from .helpers import COURSE_IMAGE, ROOT

S = convanim.Scenario
CHAIN = [
    {"operation": "conv2d", "kernel": {"preset": "laplacian"}, "padding": 1},
    {"operation": "relu"},
    {"operation": "max_pool2d", "kernel_size": 2},
    {"operation": "upsample", "mode": "nearest", "scale_factor": 2},
    {"operation": "conv_transpose2d", "kernel": np.ones((2, 2)), "stride": 2},
]
CASES = {
    "conv_course": lambda: S(image=COURSE_IMAGE, kernel={"preset": "mean"}),
    "conv_sobel_y_pad": lambda: S(
        image={"pattern": "square", "size": 6}, kernel={"preset": "sobel_y"}, padding=1
    ),
    "conv_values": lambda: S(
        image=np.arange(16.0).reshape(4, 4), kernel=np.array([[1.0, 2.0], [0.0, -1.0]]), stride=2
    ),
    "conv_reflect": lambda: S(
        image={"pattern": "gradient", "size": [4, 5], "high": 8},
        kernel={"preset": "mean"},
        padding="same",
        padding_mode="reflect",
    ),
    "conv_dilated_identity": lambda: S(
        image={"pattern": "stripes", "size": 7}, kernel={"preset": "identity"}, dilation=2
    ),
    "conv_sharpen": lambda: S(image={"pattern": "cross", "size": 5}, kernel={"preset": "sharpen"}),
    "transposed": lambda: S(
        operation="conv_transpose2d",
        image=np.array([[1.0, 2.0], [3.0, 4.0]]),
        kernel={"preset": "mean", "size": 2},
        stride=2,
        padding=1,
        output_padding=1,
    ),
    "transposed_direct": lambda: S(
        operation="conv_transpose2d",
        transpose_view="direct",
        image=np.array([[1.0, 2.0], [3.0, 4.0]]),
        kernel=np.ones((2, 2)),
        stride=3,
    ),
    "max_pool": lambda: S(
        operation="max_pool2d", kernel_size=2, image={"pattern": "random", "size": 4, "seed": 3}
    ),
    "avg_pool": lambda: S(
        operation="avg_pool2d",
        kernel_size=3,
        stride=1,
        padding=1,
        count_include_pad=False,
        ceil_mode=True,
        image={"pattern": "checkerboard", "size": 4},
    ),
    "nearest": lambda: S(
        operation="upsample", mode="nearest", size=[5, 7], image={"pattern": "disk", "size": 3}
    ),
    "bilinear": lambda: S(
        operation="upsample",
        mode="bilinear",
        scale_factor=[2, 1.5],
        align_corners=True,
        image=np.array([[0.0, 1.5], [-2.0, 4.0]]),
    ),
    "relu": lambda: S(operation="relu", image=np.array([[-1.0, 2.0, -3.5], [0.0, 5.0, -0.25]])),
    "chain": lambda: S(image={"pattern": "square", "size": 12, "high": 8}, stages=CHAIN),
    "photo": lambda: convanim.load(ROOT / "animations" / "mean_photo.toml"),
}
EXPECTED = {
    "conv_course": "A 3×3 mean filter slides over a 10×10 image with a bright shape (9 on 0) in rows 2–7 and columns 1–7; the 8×8 output fills in row by row and shows the shape's edges smoothed (values 0 to 9).",
    "conv_sobel_y_pad": "A 3×3 Sobel y filter slides over a 6×6 image with a bright square (values 0 to 9), with zero padding of 1 on every side; the 6×6 output fills in row by row and shows horizontal edges as signed responses, 0 where the image is flat (values −36 to 36).",
    "conv_values": "A 2×2 kernel (rows 1 2; 0 −1) slides over a 4×4 image (values 0 to 15), with stride 2; the 2×2 output fills in row by row and shows the weighted sums (values −3 to 17).",
    "conv_reflect": "A 3×3 mean filter slides over a 4×5 image with a left-to-right ramp (values 0 to 8), with 'same' reflect padding (mirrored values) of 1 on every side, each step outlining the padding cells it reads and the pixels their values come from; the 4×5 output fills in row by row and shows the ramp smoothed (values 1.33 to 6.67).",
    "conv_dilated_identity": "A 3×3 identity kernel slides over a 7×7 image with vertical stripes (values 0 to 9), with dilation 2; the 3×3 output fills in row by row and shows a copy of the image (values 0 to 9).",
    "conv_sharpen": "A 3×3 sharpening filter slides over a 5×5 image with a bright cross (values 0 to 9); the 3×3 output fills in row by row and shows the image sharpened (values −18 to 27).",
    "transposed": "A transposed convolution with a 2×2 mean filter, stride 2, padding 1, output_padding 1: each of the 4 pixels of a 2×2 image (values 1 to 4) in turn adds its value times the kernel onto the output, which accumulates; the 3×3 output is drawn 5×5, padding 1 crops its border, and the rest ends with values 0.25 to 1.",
    "transposed_direct": "A transposed convolution seen as a direct convolution: a 2×2 kernel (rows 1 1; 1 1), rotated 180°, slides over a 2×2 image (values 1 to 4) with 2 zeros inserted between pixels and a border (6×6 in all); the 5×5 output fills in row by row (values 0 to 4).",
    "max_pool": "A 2×2 max pooling window slides over a 4×4 image with random values (values 0 to 8); each cell of the 2×2 output is the largest value of its window, which is outlined, and the output fills in row by row (values 4 to 8).",
    "avg_pool": "A 3×3 average pooling window slides over a 4×4 image with a checkerboard (values 0 to 9), with stride 1, padding of 1 on every side, ceil_mode; each cell of the 4×4 output is the mean of its window, padding not counted, with the sum and divisor written out, and the output fills in row by row (values 0 to 9).",
    "nearest": "Nearest-neighbour upsampling to 5×7 of a 3×3 image with a bright disk (values 0 to 9): each pixel of the 5×7 output in turn copies the input pixel it falls on, marked with a dot; the output fills in row by row (values 0 to 9).",
    "bilinear": "Bilinear (align_corners true) upsampling ×2 in rows and ×1.5 in columns of a 2×2 image (values −2 to 4): each pixel of the 4×3 output in turn shows where it falls in the input, marked with a dot, and blends the up to 4 pixels around it, weighted by nearness; the output fills in row by row (values −2 to 4).",
    "relu": "ReLU on a 2×3 image (values −3.5 to 5): in one step every negative value becomes 0 (3 of 6 values) and the rest pass unchanged; the 2×3 output has values 0 to 5.",
    "chain": "A chain of 5 stages on a 12×12 image with a bright square (values 0 to 8): 1. 3×3 Laplacian filter, with zero padding of 1 on every side (12×12); 2. ReLU (12×12); 3. 2×2 max pooling (12×12 to 6×6); 4. nearest-neighbour upsampling ×2 (6×6 to 12×12); 5. transposed convolution with a 2×2 kernel (rows 1 1; 1 1), stride 2 (12×12 to 24×24). The maps stand side by side as pictures and each stage fills its output in turn, step by step and then faster, with a zoomed inset of the window and its numbers; the final 24×24 output has values 0 to 8.",
    "photo": "A 5×5 mean filter slides over a 40×34 photograph (grace_hopper.jpg, values 0 to 255); the 36×30 output fills in row by row and shows the photograph smoothed (values 12.52 to 184.48). Drawn as pictures, filled step by step and then faster, with a zoomed inset of the window and its numbers.",
}


@pytest.mark.parametrize("case", list(CASES))
def test_alt_text_of_each_operation(case):
    assert CASES[case]().alt_text == EXPECTED[case]


def test_alt_text_follows_the_numbers():
    """Not typed by hand: other values, other words."""
    a = S(image=COURSE_IMAGE, kernel={"preset": "mean"})
    b = S(image=COURSE_IMAGE * 2, kernel={"preset": "mean"}, stride=2)
    assert b.alt_text == (
        "A 3×3 mean filter slides over a 10×10 image with a bright shape (18 on 0) in rows 2–7 and "
        "columns 1–7, with stride 2; the 4×4 output fills in row by row and shows the shape's edges "
        "smoothed (values 0 to 18)."
    )
    assert a.alt_text != b.alt_text


def test_every_shipped_scenario_has_one_line_of_alt_text():
    for path in sorted((ROOT / "animations").glob("*.toml")):
        text = convanim.load(path).alt_text
        assert 80 <= len(text) <= 700 and "\n" not in text and "|" not in text and "]" not in text, path


def test_save_txt_writes_the_alt_text(tmp_path):
    s = CASES["relu"]()
    assert s.save(tmp_path / "relu.txt") == len((EXPECTED["relu"] + "\n").encode())
    assert (tmp_path / "relu.txt").read_text(encoding="utf-8") == EXPECTED["relu"] + "\n"
    assert s.to_bytes("alt") == (EXPECTED["relu"] + "\n").encode()


def test_the_build_writes_name_txt_and_check_covers_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "m.toml").write_text(
        '[image]\npattern = "square"\nsize = 5\n[kernel]\npreset = "mean"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--jobs", "1", "-q", "--format", "gif,alt"], root=tmp_path) == 0
    txt = tmp_path / "output" / "m.txt"
    expected = convanim.load(tmp_path / "animations" / "m.toml").alt_text
    assert txt.read_text(encoding="utf-8") == expected + "\n"
    assert main(["--check"], root=tmp_path) == 1  # html missing, but the txt is fine
    assert "output/m.txt" not in capsys.readouterr().out
    txt.write_text("old words\n", encoding="utf-8")
    assert main(["--check", "--format", "alt"], root=tmp_path) == 1
    assert capsys.readouterr().out == "output/m.txt: differs from a fresh run\n"


def test_the_gallery_and_the_player_carry_it():
    index = (ROOT / "output" / "index.html").read_text(encoding="utf-8")
    page = (ROOT / "output" / "convol_mean.html").read_text(encoding="utf-8")
    text = convanim.load(ROOT / "animations" / "convol_mean.toml").alt_text
    escaped = text.replace("'", "&#x27;")
    assert f'alt="{escaped}" width=' in page  # the player's still picture
    assert f'<img src="convol_mean.png" alt="{escaped}"' in index  # the gallery's card
    assert f"role='img' aria-label='{text[:40]}" in page  # the live picture, in the still's SVG
    assert (ROOT / "output" / "convol_mean.txt").read_text(encoding="utf-8") == text + "\n"


@pytest.mark.parametrize(
    ("mode", "words", "values"),
    [
        ("zeros", "zero padding", "0 to 6"),
        ("replicate", "replicate padding (repeated edge values)", "0 to 8"),
        ("circular", "circular padding (wrapped-around values)", "2 to 6"),
    ],
)
def test_alt_text_of_each_padding_mode(mode, words, values):
    s = S(
        image={"pattern": "gradient", "size": [4, 5], "high": 8},
        kernel={"preset": "mean"},
        padding=[1, 2],
        padding_mode=mode,
    )
    marks = (
        ""
        if mode == "zeros"
        else (", each step outlining the padding cells it reads and the pixels their values come from")
    )
    assert s.alt_text == (
        "A 3×3 mean filter slides over a 4×5 image with a left-to-right ramp (values 0 to 8), with "
        f"{words} of 1 above and below, 2 left and right{marks}; the 4×7 output fills in row by row "
        f"and shows the ramp smoothed (values {values})."
    )


def test_alt_text_of_a_layer_with_channels():
    s = convanim.load(ROOT / "animations" / "layer_3_to_2.toml")
    assert s.alt_text == (
        "A layer of 2 filters of 3 planes, 2×2, with bias, slides over a 5×5 image of 3 channels "
        "(values 0 to 3); the 2×4×4 output fills in map by map, row by row and shows each map as the "
        "sum over the planes it reads of weighted windows plus each filter's bias (values 0 to 9.5)."
    )
    rgb = convanim.load(ROOT / "animations" / "layer_depthwise.toml")
    assert rgb.alt_text.startswith(
        "A layer of 3 filters of 1 plane, 3×3, groups 3, slides over a 5×5 image of 3 channels (R, G, B; "
    )
