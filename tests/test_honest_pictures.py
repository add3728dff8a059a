"""Pictures that do not mislead: padding and inserted zeros never look like values, a layer's Σ sums
within its group and its arrow lands on the cell it fills, a multi-filter still traces every map to
its filter, and the slips a teacher notices (plurals, a promised dot, a crossed word)."""

from __future__ import annotations

import numpy as np
import pytest

import convanim
from convanim import style
from convanim.display import Hatch, Line, Rect, Text
from convanim.frames.base import GHOST_HATCH
from convanim.frames.labels import zeros_between
from convanim.layout import SYMBOL_PX
from convanim.textsize import text_width

from .helpers import ROOT


def load(name: str, **render) -> convanim.Scenario:
    s = convanim.load(ROOT / "animations" / f"{name}.toml")
    return s.restyled(**render) if render else s


def shapes(frames, k: int, kind: type) -> list:
    return [s for s in frames.visible(k) if isinstance(s, kind)]


def texts(frames, k: int) -> list[str]:
    return [t.text for t in shapes(frames, k, Text)]


# ---------------------------------------------------------------------- padding


@pytest.mark.parametrize("theme", list(style.THEMES))
@pytest.mark.parametrize(
    ("name", "ghosts"),
    [
        ("same_padding_even_kernel", 8 * 8 - 5 * 5),  # zero padding, 1 before and 2 after
        ("avg_pool", 7 * 9 - 5 * 7),
        ("same_padding_reflect", 6 * 7 - 4 * 5),  # reflected copies
        ("same_padding_replicate", 6 * 7 - 4 * 5),
        ("same_padding_circular", 6 * 7 - 4 * 5),
        ("padding_strides_transposed_direct", 7 * 7 - 3 * 3),  # inserted zeros and the border
        ("padding_strides_transposed", 7 * 7 - 5 * 5),  # the border padding crops
    ],
)
def test_padding_and_inserted_zeros_are_hatched_never_filled_from_the_value_scale(name, ghosts, theme):
    frames = load(name, theme=theme).frames()
    last = len(frames) - 1
    theme_ = style.THEMES[theme]
    hatches = [h for h in shapes(frames, last, Hatch) if h.spacing == GHOST_HATCH]
    assert len(hatches) == ghosts
    rects = shapes(frames, last, Rect)
    for h in hatches:
        same = [r for r in rects if (r.x, r.y, r.w, r.h) == (h.x, h.y, h.w, h.h)]
        # its own cell: the background with the padding outline, no colour of a value
        assert same and all(r.fill == theme_.background for r in same if r.fill)
        assert any(r.stroke == theme_.ghost_line for r in same)
        inside = [
            t
            for t in shapes(frames, last, Text)
            if h.x < t.x < h.x + h.w and h.y < t.y - 0.36 * t.size < h.y + h.h
        ]
        assert all(t.color == theme_.muted for t in inside)  # its number, muted


def test_the_captions_say_what_the_padding_looks_like():
    assert "padded to 8×8: hatched zeros" in texts(load("same_padding_even_kernel").frames(), 0)
    assert "padded (reflect) to 6×7: hatched copies" in texts(load("same_padding_reflect").frames(), 0)
    assert "drawn 7×7: the hatched border is cropped by padding" in texts(
        load("padding_strides_transposed").frames(), 0
    )
    every = {t for p in (ROOT / "animations").glob("*.toml") for t in texts(convanim.load(p).frames(), 0)}
    assert not [t for t in every if "pale" in t or "(s)" in t]


def test_a_reflected_copy_keeps_its_provenance():
    """Each copy the window reads is marked with the pixel its value comes from, in the second accent."""
    frames = load("same_padding_reflect").frames()
    marks = [r for r in shapes(frames, 1, Rect) if r.stroke == style.SOURCE]
    assert len(marks) >= 2


# ---------------------------------------------------------------------- layers


def sigmas(frames, k: int) -> list[Text]:
    return [t for t in shapes(frames, k, Text) if t.text == "Σ" and t.size == SYMBOL_PX]


def test_a_depthwise_layer_draws_no_sum_across_channels():
    frames = load("layer_depthwise").frames()
    assert all(sigmas(frames, k) == [] for k in range(len(frames)))
    # a layer whose filters read three planes does sum them
    assert sigmas(load("layer_rgb_bias").frames(), 1)


def test_a_grouped_layer_sums_within_its_group():
    """groups 2 on 4 channels: filter 0 reads planes 0–1, filter 1 planes 2–3; each Σ stands at the
    middle of its own group's planes."""
    rng = np.random.default_rng(3)
    s = convanim.Scenario(
        image=rng.integers(0, 9, (4, 4, 4)).astype(float), kernel=np.ones((2, 2, 2, 2)), groups=2
    )
    frames = s.frames()
    per = 9  # steps per filter (3×3 output)
    first, second = sigmas(frames, 1), sigmas(frames, 1 + per)
    assert len(first) == len(second) == 1 and first[0].y < second[0].y
    names = {t.text: t.y for t in shapes(frames, 0, Text) if t.text.startswith("in[")}
    assert names["in[0]"] < first[0].y < names["in[2]"] < second[0].y


def test_the_sum_arrow_lands_on_the_row_of_the_cell_it_fills():
    frames = load("layer_rgb_bias").frames()
    g = frames.output_grids[0]
    for k, info in enumerate(frames.frames):
        if info.out is None:
            continue
        heads = [s for s in shapes(frames, k, Line) if len(s.points) == 2 and not s.dash]
        tip = heads[-1].points[1]
        r = info.out[0]
        assert abs(tip[0] - g.x) <= 4 and g.y + r * g.cell < tip[1] < g.y + (r + 1) * g.cell


@pytest.mark.parametrize(
    "name", ["layer_three_filters", "layer_depthwise", "layer_pointwise", "layer_3_to_2"]
)
def test_the_poster_and_the_still_trace_every_map_to_its_filter(name):
    frames = load(name).frames()
    for k in (0, len(frames) - 1):
        labels = [t for t in shapes(frames, k, Text) if t.text.startswith("filter ")]
        assert len(labels) == len(frames.output_grids)
        for n, g in enumerate(frames.output_grids):  # filter n's label beside map n
            label = next(t for t in labels if t.text.split()[1] == str(n))
            assert g.y <= label.y <= g.y + g.rows * g.cell and label.x < g.x


def test_the_three_filters_still_writes_each_filters_weights():
    frames = load("layer_three_filters").frames()
    still = texts(frames, len(frames) - 1)
    assert "filter 0 (sobel x)" in still and "filter 2 (mean)" in still
    assert still.count("1/9") == 9 and still.count("−2") == 2


# ---------------------------------------------------------------------- slips


@pytest.mark.parametrize(
    ("stride", "text"),
    [
        ((2, 2), "1 zero between pixels"),
        ((3, 3), "2 zeros between pixels"),
        ((1, 1), "no zeros between pixels"),
        ((2, 3), "1×2 zeros between pixels"),
    ],
)
def test_zeros_between_pixels_are_counted_in_words(stride, text):
    assert zeros_between(stride) == text


def test_a_transposed_still_says_1_zero():
    assert "1 zero between pixels, border 1: 7×7, hatched" in texts(
        load("padding_strides_transposed_direct").frames(), 0
    )


def test_one_filter_is_not_filters():
    assert "1 filter of 3 planes, 3×3" in texts(load("layer_rgb_bias").frames(), 0)


def test_the_bilinear_still_draws_the_dot_and_the_blue_pixels_its_caption_promises():
    s = load("upsample_bilinear")
    assert "orange dot" in s.caption and "blue" in s.caption
    frames = s.frames()
    for k in (0, len(frames) - 1):  # the poster and the still, as every step
        rects = shapes(frames, k, Rect)
        assert [r for r in rects if r.fill == style.LIGHT.highlight and r.w < frames.output_grid.cell / 2]
        assert len([r for r in rects if r.stroke == style.SOURCE]) == 4


@pytest.mark.parametrize("name", ["max_pool", "avg_pool"])
def test_no_grid_line_crosses_the_pools_word(name):
    frames = load(name).frames()
    items = [it for it in frames.items if it.visible(len(frames) - 1)]
    word = next(
        i for i, it in enumerate(items) if isinstance(it.shape, Text) and it.shape.text in ("max", "mean")
    )
    t = items[word].shape
    w = text_width(t.text, t.size)
    box = (t.x - w / 2, t.y - t.size, t.x + w / 2, t.y + 0.3 * t.size)
    patch = items[word - 1].shape  # an opaque patch drawn over the box's lines, just before the word
    assert isinstance(patch, Rect) and patch.fill and patch.stroke is None
    assert (
        patch.x <= box[0]
        and patch.y <= box[1]
        and patch.x + patch.w >= box[2]
        and patch.y + patch.h >= box[3]
    )
