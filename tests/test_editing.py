"""Editing in the player (convanim.editing, frames.slots): every value-dependent text of the window
view is its slot's text, the step program sums as numpy does, and in Chromium an edit through the
API or the inline editor gives the output and the texts Python draws for the same values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convanim
from convanim import editing
from convanim.alttext import recipe_text as alt_recipe_text
from convanim.display import Rect, Text
from convanim.errors import ScenarioError
from convanim.export.html import page, player
from convanim.export.playerdata import encode, num
from convanim.frames import slots as sl
from convanim.steps import sum_order

from .helpers import ROOT

EDITABLE = [
    "convol_mean",
    "convol_edge",
    "same_padding_reflect",
    "dilation",
    "convol_stride2",
    "padding_strides",
    "true_convolution_asymmetric",
    "padding_strides_transposed_direct",
    "avg_pool",
    "max_pool",
]


def load(name: str, **keys) -> convanim.Scenario:
    return convanim.load(ROOT / "animations" / f"{name}.toml", **keys)


def texts(frames, k: int) -> list[str]:
    return [s.text for s in frames.visible(k) if isinstance(s, Text)]


# ---------------------------------------------------------------- Python: slots and program


@pytest.mark.parametrize("name", EDITABLE)
def test_every_slot_is_its_items_text_and_colour(name):
    frames = load(name).frames()
    slots = frames.slots
    assert slots is not None and len(slots.items) > 20
    v = slots.values
    for item, slot in slots.items:
        shape = frames.items[item].shape
        if isinstance(slot, tuple) and slot[0] in ("i", "o"):
            assert isinstance(shape, Rect) and shape.fill == sl.fill(slot, v)
            if slots.texts:
                text = frames.items[item + 1].shape
                assert text.text == sl.text(slot, v) and text.color == sl.ink(slot, v)
        elif isinstance(slot, tuple) and slot[0] == "a":  # a max pool's marker, at the chosen cell
            assert (shape.x, shape.y) == marker_xy(slots, sl.chosen(slot[1], v))
        else:
            assert shape.text == sl.text(slot, v), (item, slot)
    for frame, step, recipe in slots.readouts:
        assert frames.frames[frame].readout == sl.text(recipe, v, step)


@pytest.mark.parametrize("name", EDITABLE)
def test_the_alt_text_is_its_recipes_text(name):
    s = load(name)
    frames = s.frames()
    recipe = list(frames.slots.alt)
    kernel = s.stages[0].kernel  # (none for a pool)
    weights, preset = (kernel.plane, kernel.preset) if kernel else (np.ones((1, 1)), None)
    text = alt_recipe_text(recipe, s.image.values[0], weights, s.output(), preset)
    assert text[0].upper() + text[1:] == frames.alt == s.alt_text
    assert encode(frames, 0)["ed"]["a"] == [p if isinstance(p, str) else list(p) for p in recipe]


def marker_xy(slots, cell: int) -> tuple[float, float]:
    """Where Slots.marker's rule puts the marker of grid cell ``cell`` (final px)."""
    x, y, c, inset, k = slots.marker
    r, col = divmod(cell, slots.grid_cols)
    at = (x + col * c + inset, y + r * c + inset)
    return at if k == 1 else tuple(float(np.floor(v * k + 0.5 + 1e-9)) for v in at)


def test_slots_cover_every_value_text_of_a_step():
    """Every Text of a step frame that shows a number is written by a slot (the others are
    literal: title, labels, counter, the formula)."""
    frames = load("convol_edge").frames()
    written = set(editing.text_items(frames.slots))
    k = 5
    literal = [
        it.shape.text
        for n, it in enumerate(frames.items)
        if it.visible(k) and isinstance(it.shape, Text) and n not in written
    ]
    assert not any(t[:1].isdigit() or t[:1] == "\u2212" for t in literal), literal


def test_shortened_equations_and_fractions_come_from_the_recipe():
    s = convanim.Scenario(
        title="wide",
        image=np.arange(100.0).reshape(10, 10),
        kernel={"preset": "mean", "size": 7},
    )
    frames = s.frames()
    v = frames.slots.values
    eq = sl.text(("e", 0), v)
    assert eq == (
        "output[0,0] = 1/49 \u00b7 (0 + 1 + 2 + 3 + 4 + 5 + 6 + 10 + 11 + 12 + 13 + 14 + \u2026 + 66)"
        " = 1617/49 = 33.0"
    )
    assert eq in texts(frames, 1)
    assert v.labels[0] == "1/49"


def test_kernel_title_names_the_preset_through_its_slot():
    frames = load("convol_mean").frames()
    recipes = [r for _, r in frames.slots.items if not isinstance(r, tuple)]
    assert ["kernel 3\u00d73", ("p",)] in recipes
    assert "kernel 3\u00d73 (mean)" in texts(frames, 0)


def test_only_a_one_channel_window_view_is_editable():
    wide = convanim.Scenario(image=np.zeros((9, 9)), kernel={"values": np.ones((2, 8)).tolist()})
    assert wide.frames().slots is None  # numpy adds rows of 8 pairwise
    assert load("max_pool", ceil_mode=True).frames().slots is None  # windows cut at the border
    assert load("layer_rgb_bias").frames().slots is None  # a layer's are its own (Frames.layer)
    assert "ed" not in encode(load("no_padding_strides_transposed").frames(), 0)  # (its scatter view)
    assert load("layer_transposed").frames().layer is not None  # (a layer: its direct view)


def test_island_ships_the_program_and_blanks_the_texts_it_writes():
    frames = load("convol_mean").frames()
    data = encode(frames, 0)
    ed = data["ed"]
    assert ed["p"] == [8, 8, 10, 1, 3, [0, 1, 2, 10, 11, 12, 20, 21, 22], "rows"]
    assert ed["rg"] == [[0, 9], [-1, 1]] and ed["pre"] == "mean"
    recipe = ["step ", ["s"], "/64: output[", ["r"], ",", ["c"], "] = ", ["o"]]
    assert ed["r"] == [[1, 0, 64, recipe]] and data["f"][1] == 400
    # the presets whose weights fit the range −1 … 1 (no Sobel's 2, no Laplacian's −4)
    assert set(ed["ps"]) == {"mean", "gaussian", "identity", "prewitt_x", "prewitt_y"}
    assert set(encode(load("convol_edge").frames(), 0)["ed"]["ps"]) == {*ed["ps"], "sobel_x", "sobel_y"}
    assert not any(t.startswith("output[") for t in data["t"])  # the equations are written by the page
    assert ed["wk"] == {"o.": -1.75, "o-": 1.859375, "-o": 1.859375}


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(3, 7),
    w=st.integers(3, 7),
    kh=st.integers(1, 3),
    kw=st.integers(1, 7),
    stride=st.integers(1, 2),
    dilation=st.integers(1, 2),
    pad=st.integers(0, 2),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**16),
)
def test_program_sums_as_numpy(h, w, kh, kw, stride, dilation, pad, mode, seed):
    rng = np.random.default_rng(seed)
    if (kh - 1) * dilation + 1 > h + 2 * pad or (kw - 1) * dilation + 1 > w + 2 * pad:
        return
    if mode == "reflect" and pad >= min(h, w):
        return
    s = convanim.Scenario(
        image={"values": (rng.normal(size=(h, w)) * 10).round(3).tolist()},
        kernel={"values": rng.normal(size=(kh, kw)).tolist()},
        stride=stride,
        dilation=dilation,
        padding=pad,
        padding_mode=mode,
    )
    slots = s.frames().slots
    if slots is None:  # numpy adds a contiguous run of 8 or more pairwise: not editable
        assert sum_order(s.computations[0].grid.shape[1:], (kh, kw), s.stride, s.dilation) is None
        return
    program = editing.program(slots)
    out = editing.evaluate(program, slots.values.grid, slots.values.weights.ravel())
    assert out.tobytes() == s.output().ravel().tobytes()


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(2, 5),
    w=st.integers(2, 5),
    kh=st.integers(1, 3),
    kw=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    pad=st.integers(0, 2),
    extra=st.integers(0, 1),
    seed=st.integers(0, 2**16),
)
def test_direct_view_program_sums_as_numpy(h, w, kh, kw, stride, dilation, pad, extra, seed):
    """conv_transpose2d seen as a direct convolution: the program over the zero-inserted grid and
    the turned weights gives the output to the last bit."""
    rng = np.random.default_rng(seed)
    if pad > dilation * (min(kh, kw) - 1) or extra >= max(stride, dilation):
        return
    try:
        s = convanim.Scenario(
            operation="conv_transpose2d",
            transpose_view="direct",
            image={"values": (rng.normal(size=(h, w)) * 10).round(3).tolist()},
            kernel={"values": rng.normal(size=(kh, kw)).tolist()},
            stride=stride,
            dilation=dilation,
            padding=pad,
            output_padding=extra,
        )
    except ScenarioError:  # a geometry that leaves no output
        assume(False)
    slots = s.frames().slots
    if slots is None:  # numpy adds a contiguous run of 8 or more pairwise: not editable
        return
    assert slots.flip and np.array_equal(slots.given, s.kernel.values[0, 0])
    out = editing.evaluate(editing.program(slots), slots.values.grid, slots.values.weights.ravel())
    assert out.tobytes() == s.output().ravel().tobytes()


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(2, 7),
    w=st.integers(2, 7),
    k=st.integers(1, 4),
    stride=st.integers(1, 3),
    pad=st.integers(0, 2),
    counted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_average_pool_program_sums_as_numpy(h, w, k, stride, pad, counted, seed):
    """avg_pool2d: each window's numpy sum over its divisor, to the last bit; the equation's
    terms the image's own where padding is not counted."""
    rng = np.random.default_rng(seed)
    if k > min(h, w) + 2 * pad or 2 * pad > k:
        return
    s = convanim.Scenario(
        operation="avg_pool2d",
        image={"values": (rng.normal(size=(h, w)) * 10).round(3).tolist()},
        kernel_size=k,
        stride=stride,
        padding=pad,
        count_include_pad=counted,
    )
    frames = s.frames()
    slots = frames.slots
    v = slots.values
    out = editing.evaluate(editing.program(slots), v.grid, v.weights.ravel(), v.pool[0])
    assert out.tobytes() == s.output().ravel().tobytes()
    assert (v.pool[1] is None) == counted


@settings(max_examples=120, deadline=None)
@given(
    h=st.integers(2, 6),
    w=st.integers(2, 6),
    k=st.integers(1, 3),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    pad=st.integers(0, 1),
    levels=st.integers(2, 12),
    seed=st.integers(0, 2**16),
)
def test_max_pool_program_and_marker_as_numpy(h, w, k, stride, dilation, pad, levels, seed):
    """max_pool2d: each window's maximum, to the last bit, and the marker at its first maximum
    (numpy's argmax, PyTorch's pick) on ties too: few levels make many."""
    rng = np.random.default_rng(seed)
    if (k - 1) * dilation + 1 > min(h, w) + 2 * pad or 2 * pad > k:
        return
    s = convanim.Scenario(
        operation="max_pool2d",
        image={"values": (rng.integers(0, levels, size=(h, w)) * 0.5).tolist()},
        kernel_size=k,
        stride=stride,
        dilation=dilation,
        padding=pad,
    )
    frames = s.frames()
    slots = frames.slots
    v = slots.values
    out = editing.evaluate(editing.program(slots), v.grid, v.weights.ravel())
    assert out.tobytes() == s.output().ravel().tobytes()
    gw = slots.grid_cols
    for step in s.computations[0].steps:
        r, c = int(step.rows[step.chosen[0]]), int(step.cols[step.chosen[1]])
        assert sl.chosen(step.index, v) == r * gw + c
    markers = [(item, slot[1]) for item, slot in slots.items if slot[0] == "a"]
    assert len(markers) == len(s.computations[0].steps)
    for item, k_ in markers:
        shape = frames.items[item].shape
        assert (shape.x, shape.y) == marker_xy(slots, sl.chosen(k_, v))


# ---------------------------------------------------------------- Chromium: edits against Python


def random_values(rng, shape, lo, hi, weights=False):
    """Values in [lo, hi]: whole numbers, tenths, quarters, and (weights) ninths."""
    kinds = rng.integers(0, 4 if weights else 3, size=shape)
    whole = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, size=shape).astype(float)
    tenth = np.round(rng.uniform(lo, hi, size=shape), 1)
    quarter = np.round(rng.uniform(lo, hi, size=shape) * 4) / 4
    ninth = np.round(rng.uniform(lo, hi, size=shape) * 9) / 9
    out = np.choose(kinds, [whole, tenth, quarter, ninth][: 4 if weights else 3])
    return np.clip(out, lo, hi)


def check(watched, s: convanim.Scenario, frames_to_check) -> None:
    frames = s.frames()
    root = watched.player().root
    got = root.evaluate("el => el.convanim.output()")
    assert np.array(got, dtype=float).tobytes() == s.output().tobytes()
    for k in frames_to_check:
        shown = root.evaluate(f"el => {{ el.convanim.show({k}); return el.convanim.texts(); }}")
        assert shown == texts(frames, k), f"frame {k}"
        sizes = root.evaluate(
            "el => Array.from(el.querySelectorAll('.convanim-stage > svg > text'))"
            ".filter(t => t.getAttribute('display') !== 'none' && !t.hasAttribute('data-off')).map(t => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert sizes == [round(t.size, 1) for t in frames.visible(k) if isinstance(t, Text)], f"frame {k}"
        readout = root.locator(".convanim-readout").text_content()
        assert readout == frames.frames[k].readout
    alt = root.evaluate("el => el.querySelector('.convanim-stage > svg').getAttribute('aria-label')")
    assert alt == s.alt_text
    if frames.slots.marker:  # a max pool: every marker where Python draws it
        check_markers(root, frames)


def check_markers(root, frames) -> None:
    """The page's marker of each step (a max pool's) at Python's x, y (the island's 0.1 px)."""
    items = [n for n, slot in frames.slots.items if slot[0] == "a"]
    got = root.evaluate(
        "(el, a) => { const c = Array.from(el.querySelector('.convanim-stage > svg').children).filter(e => e.tagName !== 'g').slice(-a[0]);"
        " return a[1].map(i => [+c[i].getAttribute('x'), +c[i].getAttribute('y')]); }",
        [len(frames.items), items],
    )
    want = [[num(frames.items[i].shape.x), num(frames.items[i].shape.y)] for i in items]
    assert got == want


# An edit keeps the layout the page was built with. Python lays a kernel out by its title, which
# names a preset ("kernel 3×3 (sobel x)"): where that title sets the picture's width, a scenario
# given the edited weights as values is narrower and shortens its equations for less room, so
# weights are compared on scenarios whose kernel is values (or whose width the title does not set).
@pytest.mark.parametrize(
    ("name", "weights"),
    [
        ("convol_mean", True),
        ("convol_rect", True),
        ("dilation", True),
        ("padding_strides", True),
        ("arbitrary_padding_no_strides", True),
        ("cross_correlation_asymmetric", True),
        ("true_convolution_asymmetric", True),  # flip: the given weights turn before they slide
        ("padding_strides_transposed_direct", True),  # conv_transpose2d's direct view: turned too
        ("convol_edge", False),
        ("same_padding_reflect", False),
        ("dark_projector", False),  # the dark theme's inks
        ("same_padding_circular", False),
        ("avg_pool", False),  # input only: a pool has no weights
        ("max_pool", False),  # input only; the marker moves to the first maximum
    ],
)
def test_api_edits_give_pythons_numbers_and_texts(open_page, name, weights):
    s0 = load(name)
    watched = open_page(page("edit", player(s0.frames())))
    root = watched.player().root
    ed = encode(s0.frames(), 0)["ed"]
    (ilo, ihi), (wlo, whi) = ed["rg"]
    rng = np.random.default_rng(sum(map(ord, name)))
    n = len(s0.frames())
    check(watched, s0, [0, 1, n - 1])
    for trial in range(4):
        image = random_values(rng, tuple(ed["hw"]), ilo, ihi)
        kernel = random_values(rng, tuple(ed["k"]), wlo, whi, weights=True)
        if trial == 2:
            kernel = np.zeros_like(kernel)  # every weight 0: "output[0,0] = 0"
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        keys = {"image": {"values": image.tolist()}}
        if weights:
            root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel.tolist())
            keys["kernel"] = {"values": kernel.tolist()}
        s = load(name, **keys)
        check(watched, s, sorted({0, 1, 2, n // 2, n - 2, n - 1}))
    assert watched.errors == []


@pytest.mark.parametrize(
    ("image", "kernel"),
    [
        ("shape", [[0, 0, 0], [0, 1, 0], [0, 0, 0]]),  # a copy of the image, the shape's edges
        ("impulse", [[0, -0.25, 0], [-0.25, 1, -0.25], [0, -0.25, 1]]),  # sharpened; a single value
        ("shape", [[0.5, 1, 0.5], [0, 0, 0], [-0.5, -1, -0.5]]),  # horizontal edges
        ("levels", [[1, 0, 0], [0, -1, 0], [0, 0, 0.5]]),  # edges; the weighted sums
        ("levels", [[0.25, 0, 0.25], [0, 0, 0], [0.25, 0, 0.25]]),  # smoothed, the image
    ],
)
def test_the_alt_text_follows_an_edit(open_page, image, kernel):
    """Each way the alt text names an image and what the kernel does, after an edit."""
    s0 = load("convol_mean")  # a named pattern: its words hold until the image is edited
    watched = open_page(page("alt", player(s0.frames())))
    root = watched.player().root
    values = np.zeros((10, 10))
    if image == "shape":
        values[2:5, 3:8] = 7
    elif image == "impulse":
        values[4, 6] = 2.5
    else:
        values = np.arange(100.0).reshape(10, 10) % 7
    label = "el => el.querySelector('.convanim-stage > svg').getAttribute('aria-label')"
    root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel)
    assert root.evaluate(label) == load("convol_mean", kernel={"values": kernel}).alt_text
    root.evaluate("(el, v) => el.convanim.edit('input', v)", values.tolist())
    s = load("convol_mean", image={"values": values.tolist()}, kernel={"values": kernel})
    assert root.evaluate(label) == s.alt_text
    root.evaluate("el => el.convanim.reset()")
    assert root.evaluate(label) == s0.alt_text
    assert watched.errors == []


def test_values_too_wide_for_their_cells_are_hidden_as_python_hides_them(open_page):
    s0 = convanim.Scenario(image=np.full((12, 12), 9.0), kernel={"preset": "mean"})
    watched = open_page(page("wide", player(s0.frames())))
    root = watched.player().root
    image, kernel = np.full((12, 12), 8.75), np.full((3, 3), -0.93)
    s = convanim.Scenario(image=image, kernel={"values": kernel.tolist()})
    assert s.frames().slots.texts is False  # "−73.24" fits no cell: Python draws no values
    root.evaluate(
        "(el, v) => { el.convanim.edit('input', v[0]); el.convanim.edit('weight', v[1]); }",
        [image.tolist(), kernel.tolist()],
    )
    check(watched, s, [0, 5, len(s.frames()) - 1])
    root.evaluate("el => el.convanim.reset()")
    check(watched, s0, [0, 5])
    assert watched.errors == []


def test_edit_refuses_a_wrong_shape_or_range_in_one_line(open_page):
    watched = open_page(page("edit", player(load("convol_mean").frames())))
    root = watched.player().root

    def error(name, values):
        return root.evaluate(
            "(el, a) => { try { el.convanim.edit(a[0], a[1]); return null; } catch (e) { return e.message; } }",
            [name, values],
        )

    assert error("weight", [[1, 2], [3, 4]]).startswith("weight must be 3\u00d73 nested arrays")
    assert error("weight", [[1, 0, 0], [0, 2, 0], [0, 0, 1]]) == (
        "weight[1][1] = 2 is outside -1 \u2026 1, the range this picture is laid out for"
    )
    assert error("bias", [1]) == "this picture has no bias to edit"
    assert error("kernel", [[1]]).startswith('edit: name must be "input", "weight" or "bias"')
    assert error("weight", [[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]) is None  # torch's (1, 1, kh, kw)
    assert watched.errors == []


def test_ui_click_type_enter_arrows_escape_and_a_preset(open_page):
    name = "no_padding_no_strides"
    s0 = load(name)
    watched = open_page(page("edit", player(s0.frames())))
    p = watched.player()
    root, pg = p.root, watched.page
    n = len(s0.frames())
    root.evaluate("el => el.convanim.show(2)")
    kernel = np.array(s0.kernel.values[0, 0])
    # click weight [0,1], type 0.5, Enter
    root.locator('[data-edit="weight 1"]').first.click()
    box = root.locator(".convanim-editor input")
    assert root.locator(".convanim-editor").text_content() == "weight [0,1] (\u22122 \u2026 2)"
    box.fill("0.5")
    box.press("Enter")
    kernel[0, 1] = 0.5
    assert root.locator(".convanim-editor").count() == 0 and root.evaluate("el => el.convanim.frame()") == 2
    s = load(name, kernel={"values": kernel.tolist()})
    assert root.locator(".convanim-readout").text_content() == (
        "weight [0,1] = 0.5: " + s.frames().frames[2].readout
    )
    check(watched, s, [2, 0, n - 1])
    # keyboard: Tab to input cell [0,0], Enter, ArrowUp twice and Shift+ArrowDown, Enter
    root.evaluate("el => el.convanim.show(3)")
    cell = root.locator('rect[data-edit="input 0"], path[data-edit="input 0"]').first
    cell.focus()
    pg.keyboard.press("Enter")
    for key in ("ArrowUp", "ArrowUp", "Shift+ArrowDown"):
        pg.keyboard.press(key)
    pg.keyboard.press("Enter")
    image = np.array(s0.image.values[0])
    image[0, 0] = min(image[0, 0] + 1.9, 5)  # its range is 0 … 5
    s = load(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
    check(watched, s, [3, n - 1])
    # Escape restores what the editor opened on
    root.evaluate("el => el.convanim.show(4)")
    cell.focus()
    pg.keyboard.press("Enter")
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("Escape")
    check(watched, s, [4])
    # a preset, then reset
    root.locator('select[data-act="preset"]').select_option("sobel_y")
    s = load(name, image={"values": image.tolist()}, kernel={"preset": "sobel_y"})
    check(watched, s, [4, 0, n - 1])
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, [4, 0, n - 1])
    assert watched.errors == []


def test_ui_edits_the_given_weights_of_a_flipped_kernel(open_page):
    """flip = true: the cells of the turned kernel edit the given weight they show; a preset sets
    the given kernel, which turns before it slides."""
    name = "true_convolution_asymmetric"
    s0 = load(name)
    watched = open_page(page("flip", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    root.evaluate(f"el => el.convanim.show({n - 2})")  # a step: the rotated kernel slides
    cell = root.locator(
        'rect[data-edit="weight 0"]:not([display]), path[data-edit="weight 0"]:not([display])'
    )
    assert cell.count() == 1
    cell.click()
    root.locator(".convanim-editor input").fill("-0.5")
    root.locator(".convanim-editor input").press("Enter")
    given = np.array(s0.kernel.values[0, 0])
    given[0, 0] = -0.5
    # the cell's number is the one typed: Python draws the given [0,0] there (check: the texts)
    assert root.locator('text[data-edit="weight 0"]:not([display])').text_content() == "\u22121/2"
    check(watched, load(name, kernel={"values": given.tolist()}), [0, 1, 2, 3, n - 2, n - 1])
    root.locator('select[data-act="preset"]').select_option("sobel_x")
    check(watched, load(name, kernel={"preset": "sobel_x"}), [0, 2, n - 1])
    assert watched.errors == []


def test_ui_edits_the_direct_view_of_a_transposed_convolution(open_page):
    """The direct view: an image cell edits the pixel the zeros were inserted around, a cell of the
    rotated kernel the given weight it shows; a preset sets the transposed convolution's kernel."""
    name = "padding_strides_transposed_direct"
    s0 = load(name)
    watched = open_page(page("direct", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    root.evaluate("el => el.convanim.show(4)")
    root.locator('[role="button"][data-edit="weight 1"]:not([display])').click()
    assert root.locator(".convanim-editor").text_content().startswith("weight [0,1] (")
    root.locator(".convanim-editor input").fill("-1.5")
    root.locator(".convanim-editor input").press("Enter")
    kernel = np.array(s0.kernel.values[0, 0])
    kernel[0, 1] = -1.5
    root.locator('[role="button"][data-edit="input 4"]').click()
    root.locator(".convanim-editor input").fill("2.5")
    root.locator(".convanim-editor input").press("Enter")
    image = np.array(s0.image.values[0])
    image[1, 1] = 2.5
    s = load(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
    check(watched, s, [0, 1, 4, n // 2, n - 1])
    root.locator('select[data-act="preset"]').select_option("sobel_x")
    check(watched, load(name, image={"values": image.tolist()}, kernel={"preset": "sobel_x"}), [0, 1, 4])
    assert "laplacian" not in root.locator('select[data-act="preset"]').text_content()  # its −4: no room
    assert watched.errors == []


def test_ui_edits_the_input_of_an_average_pool(open_page):
    """avg_pool2d: an input cell edits (click, type, Enter; the arrows), the weights cannot, and
    there is no preset menu."""
    name = "avg_pool"
    s0 = load(name)
    watched = open_page(page("pool", player(s0.frames())))
    root, pg = watched.player().root, watched.page
    n = len(s0.frames())
    assert root.locator('select[data-act="preset"]').count() == 0
    assert (
        root.locator(".convanim-editbar span").text_content()
        == "click an input cell to edit: input 0 \u2026 9"
    )
    msg = root.evaluate(
        "el => { try { el.convanim.edit('weight', [[1]]); } catch (e) { return e.message; } }"
    )
    assert msg == "a pool has no weights to edit: only its input"
    root.evaluate("el => el.convanim.show(3)")
    root.locator('[role="button"][data-edit="input 8"]').click()
    root.locator(".convanim-editor input").fill("7.25")
    root.locator(".convanim-editor input").press("Enter")
    image = np.array(s0.image.values[0])
    image[1, 1] = 7.25
    root.locator('[role="button"][data-edit="input 0"]').focus()
    pg.keyboard.press("Enter")
    pg.keyboard.press("ArrowUp")
    pg.keyboard.press("Enter")
    image[0, 0] += 1
    check(watched, load(name, image={"values": image.tolist()}), [0, 3, n // 2, n - 1])
    assert watched.errors == []


def test_ui_edits_a_max_pool_and_its_marker_follows_the_first_maximum(open_page):
    """max_pool2d: click an input cell, type, Enter; the output, the equations and the marker
    follow; on a tie the marker keeps the first maximum in row-major order (numpy's argmax)."""
    name = "max_pool"
    s0 = load(name)
    watched = open_page(page("max", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    assert root.locator('select[data-act="preset"]').count() == 0
    assert root.locator(".convanim-editbar span").text_content() == "click an input cell to edit: input 0 … 9"
    image = np.array(s0.image.values[0])
    root.evaluate("el => el.convanim.show(1)")
    for cell in (0, 1, 6, 7):  # window 0: a tie of four 5s, then the last one raised
        root.locator(f'[role="button"][data-edit="input {cell}"]').click()
        root.locator(".convanim-editor input").fill("5")
        root.locator(".convanim-editor input").press("Enter")
        image.flat[cell] = 5
    s = load(name, image={"values": image.tolist()})
    assert s.computations[0].steps[0].chosen == (0, 0)  # the first of the tie
    check(watched, s, [0, 1, n - 1])
    assert "output[0,0] = max(5, 5, 5, 5) = 5" in root.evaluate(
        "el => { el.convanim.show(1); return el.convanim.texts(); }"
    )
    root.locator('[role="button"][data-edit="input 7"]').click()
    root.locator(".convanim-editor input").fill("8.5")
    root.locator(".convanim-editor input").press("Enter")
    image[1, 1] = 8.5
    s = load(name, image={"values": image.tolist()})
    assert s.computations[0].steps[0].chosen == (1, 1)
    assert (
        root.locator(".convanim-readout").text_content()
        == "input [1,1] = 8.5: " + s.frames().frames[1].readout
    )
    check(watched, s, [0, 1, 2, n // 2, n - 1])
    msg = root.evaluate(
        "el => { try { el.convanim.edit('weight', [[1]]); } catch (e) { return e.message; } }"
    )
    assert msg == "a pool has no weights to edit: only its input"
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, [0, 1, n - 1])
    assert watched.errors == []


def test_a_padded_max_pool_keeps_minus_infinity_and_ties_through_edits(open_page):
    """Padding is −∞ (written, never chosen); dilation and stride; ties everywhere: few levels."""
    keys = {"operation": "max_pool2d", "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1}
    s0 = convanim.Scenario(image=np.arange(49.0).reshape(7, 7) % 4, **keys)
    watched = open_page(page("padded", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    check(watched, s0, [0, 1, n - 1])
    assert any("−∞" in t for t in root.evaluate("el => { el.convanim.show(1); return el.convanim.texts(); }"))
    rng = np.random.default_rng(16)
    for _ in range(3):
        image = rng.integers(0, 3, size=(7, 7)) * 1.5
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        check(watched, convanim.Scenario(image=image, **keys), [1, 2, n // 2, n - 2, n - 1])
    assert watched.errors == []


def test_a_player_that_is_not_editable_has_no_editor(open_page):
    s = load("no_padding_strides_transposed")  # a scatter view
    watched = open_page(page("x", player(s.frames())))
    root = watched.player().root
    assert root.locator(".convanim-editbar").count() == 0 and root.locator("[data-edit]").count() == 0
    assert root.evaluate("el => el.convanim.texts()") == texts(s.frames(), 0)
    msg = root.evaluate(
        "el => { try { el.convanim.edit('weight', [[1]]); } catch (e) { return e.message; } }"
    )
    assert msg.startswith("this picture is not editable")
    assert json.loads(root.locator("script.convanim-data").text_content()).get("ed") is None


def test_players_on_one_page_are_edited_independently(open_page):
    a, b = load("dilation"), load("padding_strides")
    watched = open_page(page("two", player(a.frames()) + "\n" + player(b.frames())))
    first, second = watched.player(0).root, watched.player(1).root
    first.evaluate("el => el.convanim.edit('weight', [[0, 0, 0], [0, 1, 0], [0, 0, 0]])")
    edited = load("dilation", kernel={"values": [[0, 0, 0], [0, 1, 0], [0, 0, 0]]})
    assert (
        np.array(first.evaluate("el => el.convanim.output()"), float).tobytes() == edited.output().tobytes()
    )
    assert np.array(second.evaluate("el => el.convanim.output()"), float).tobytes() == b.output().tobytes()
    n = len(b.frames())
    assert second.evaluate(f"el => {{ el.convanim.show({n - 1}); return el.convanim.texts(); }}") == texts(
        b.frames(), n - 1
    )
    assert watched.errors == []


# ---------------------------------------------------------------- the signal view (conv1d)


def check_bars(root, frames) -> None:
    """Every bar and zero line of the page where Python draws it (the slots' rule, same doubles)."""
    items = [(n, slot[0]) for n, slot in frames.slots.items if slot[0] in ("bi", "bo", "zi", "zo")]
    got = root.evaluate(
        "(el, a) => { const c = Array.from(el.querySelector('.convanim-stage > svg').children).filter(e => e.tagName !== 'g').slice(-a[0]);"
        " return a[1].map(i => c[i].tagName === 'rect' ? [+c[i].getAttribute('y'), +c[i].getAttribute('height')]"
        " : [+c[i].getAttribute('points').split(' ')[0].split(',')[1]]); }",
        [len(frames.items), [n for n, _ in items]],
    )
    want = []
    for n, kind in items:
        shape = frames.items[n].shape
        want.append([shape.y, shape.h] if kind[0] == "b" else [shape.points[0][1]])
    assert got == want


def same_layout(s, s0) -> bool:
    """Whether Python lays ``s`` out as ``s0`` (the signal view's cell grows with its widest
    number; the page keeps the one it was built with)."""
    a, b = s.frames(), s0.frames()
    return (a.width, a.height, a.slots.sizes, a.slots.bands) == (
        b.width,
        b.height,
        b.slots.sizes,
        b.slots.bands,
    )


SIGNALS = {
    "conv1d_smoothing": None,  # the gallery's (zero padding, a preset)
    "reflect_dilated_stride": dict(
        operation="conv1d",
        image={"values": [3, -1, 4, -1, 5, -9, 2, 6, -5, 3, 5, -8]},
        kernel={"values": [-1, 0.5, 1]},
        padding=2,
        padding_mode="reflect",
        dilation=2,
        stride=2,
    ),
    "replicate_five_taps": dict(
        operation="conv1d",
        image={"values": [0, 0, 1, 2, 3, 3, 3, 2, 1, 0]},
        kernel={"values": [0.25, 0.5, 1, 0.5, 0.25]},
        padding=2,
        padding_mode="replicate",
    ),
}


def test_max_pool1d_api_and_ui_edits_move_the_outline_to_the_first_maximum(open_page):
    """max_pool1d (the signal view): the input edited through the API (1-D and (C, L)) and the
    editor; outputs, equations with padding's −∞, bars, the outline (first maximum on ties) and
    the alt text follow."""
    name = "max_pool1d"
    s0 = load(name)
    watched = open_page(page("max1d", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    ed = encode(s0.frames(), 0)["ed"]
    assert root.locator('select[data-act="preset"]').count() == 0
    check(watched, s0, [0, 1, n - 1])
    check_bars(root, s0.frames())
    rng = np.random.default_rng(7)
    done = 0
    while done < 4:
        image = rng.integers(0, 4, size=ed["hw"][1]) * (1.0 if done % 2 else 2.5)  # few levels: ties
        s = load(name, image={"values": image.tolist()})
        if not same_layout(s, s0):
            continue
        root.evaluate(
            "(el, v) => el.convanim.edit('input', v)", image.tolist() if done % 2 else [image.tolist()]
        )
        check(watched, s, [1, 2, n // 2, n - 2, n - 1])
        check_bars(root, s.frames())
        done += 1
    root.evaluate("el => el.convanim.show(2)")
    root.locator('[role="button"][data-edit="input 4"]').click()
    root.locator(".convanim-editor input").fill("9")
    root.locator(".convanim-editor input").press("Enter")
    image[4] = 9
    s = load(name, image={"values": image.tolist()})
    assert (
        root.locator(".convanim-readout").text_content() == "input [0,4] = 9: " + s.frames().frames[2].readout
    )
    check(watched, s, [0, 2, n - 1])
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, [0, 2, n - 1])
    assert watched.errors == []


def signal(name: str, **keys) -> convanim.Scenario:
    """A signal scenario of SIGNALS, with keys overridden."""
    base = SIGNALS[name]
    return load(name, **keys) if base is None else convanim.Scenario(title=name, **{**base, **keys})


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(4, 12),
    k=st.integers(1, 7),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    pad=st.integers(0, 2),
    seed=st.integers(0, 2**16),
)
def test_max_pool1d_program_marker_and_bars(n, k, stride, dilation, pad, seed):
    """max_pool1d: each window's maximum, the outline at its first maximum (few levels: ties),
    the bars (padding's −∞ has none) where the slots' rule puts them."""
    rng = np.random.default_rng(seed)
    if (k - 1) * dilation + 1 > n + 2 * pad or 2 * pad > k:
        return
    s = convanim.Scenario(
        operation="max_pool1d",
        image={"values": (rng.integers(0, 3, size=n) - 1.0).tolist()},
        kernel_size=k,
        stride=stride,
        dilation=dilation,
        padding=pad,
    )
    frames = s.frames()
    slots = frames.slots
    v = slots.values
    out = editing.evaluate(editing.program(slots), v.grid, v.weights.ravel())
    assert out.tobytes() == s.output().ravel().tobytes()
    for step in s.computations[0].steps:
        assert sl.chosen(step.index, v) == int(step.cols[step.chosen[1]])
    for item, slot in slots.items:
        shape = frames.items[item].shape
        if slot[0] == "a":
            assert (shape.x, shape.y) == marker_xy(slots, sl.chosen(slot[1], v))
        elif slot[0] in ("bi", "bo"):
            values, top, h = (v.grid, *slots.bands[:2]) if slot[0] == "bi" else (v.output, *slots.bands[2:4])
            assert np.isfinite(values[slot[1]]) and (shape.y, shape.h) == sl.bar(slot[1], values, top, h)
        elif slot[0] == "sx":
            assert shape.text == sl.text(slot, v)
    assert sum(slot[0] == "a" for _, slot in slots.items) == len(s.computations[0].steps)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(4, 12),
    k=st.integers(1, 7),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    pad=st.integers(0, 2),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**16),
)
def test_conv1d_program_sums_and_bars_as_numpy(n, k, stride, dilation, pad, mode, seed):
    """conv1d's signal view: the program gives the output to the last bit, and every bar and zero
    line stands where the slots' rule (slots.bar, zero_y) puts it."""
    rng = np.random.default_rng(seed)
    if (k - 1) * dilation + 1 > n + 2 * pad or (mode == "reflect" and pad >= n):
        return
    s = convanim.Scenario(
        operation="conv1d",
        image={"values": (rng.normal(size=n) * 10).round(3).tolist()},
        kernel={"values": rng.normal(size=k).tolist()},
        stride=stride,
        dilation=dilation,
        padding=pad,
        padding_mode=mode,
    )
    frames = s.frames()
    slots = frames.slots
    if slots is None:  # numpy adds a contiguous run of 8 or more pairwise: not editable
        assert sum_order(s.computations[0].grid.shape[1:], (1, k), s.stride, s.dilation) is None
        return
    v = slots.values
    out = editing.evaluate(editing.program(slots), v.grid, v.weights.ravel())
    assert out.tobytes() == s.output().ravel().tobytes()
    top_in, h_in, top_out, h_out, _ = slots.bands
    kinds = {"bi": (v.grid, top_in, h_in), "bo": (v.output, top_out, h_out)}
    bars = [(item, slot) for item, slot in slots.items if slot[0] in ("bi", "bo", "zi", "zo")]
    assert len(bars) == v.grid.size + v.output.size + 2
    for item, (kind, j) in bars:
        shape = frames.items[item].shape
        values, top, height = kinds["b" + kind[1]]
        if kind[0] == "z":
            assert shape.points[0][1] == shape.points[1][1] == sl.zero_y(values, top, height)
        else:
            assert (shape.y, shape.h) == sl.bar(j, values, top, height)
    for item, slot in slots.items:  # every text is its slot's
        if isinstance(slot, tuple) and slot[0] in ("si", "so"):
            assert not slots.texts or frames.items[item + 1].shape.text == sl.text(slot, v)
        elif not (isinstance(slot, tuple) and slot[0] in editing.GEOMETRY):
            assert frames.items[item].shape.text == sl.text(slot, v), slot
    for frame, step, recipe in slots.readouts:
        assert frames.frames[frame].readout == sl.text(recipe, v, step)


@pytest.mark.parametrize("name", list(SIGNALS))
def test_conv1d_api_edits_give_pythons_numbers_texts_and_bars(open_page, name):
    s0 = signal(name)
    watched = open_page(page("conv1d", player(s0.frames())))
    root = watched.player().root
    ed = encode(s0.frames(), 0)["ed"]
    (ilo, ihi), (wlo, whi) = ed["rg"]
    rng = np.random.default_rng(1)
    n = len(s0.frames())
    check(watched, s0, [0, 1, n - 1])
    check_bars(root, s0.frames())
    done, tried = 0, 0
    while done < 5:
        image = random_values(rng, (ed["hw"][1],), ilo, ihi)
        kernel = random_values(rng, (ed["k"][1],), wlo, whi, weights=True)
        if done == 2:
            kernel = np.zeros_like(kernel)  # "output[0] = 0 = 0"
        if done == 3:
            # all 0 but one sample at the range's end (so Python's ranges, and layout, are the
            # page's): every other bar 0 high
            image = -image if ilo < 0 else np.where(np.arange(image.size) == 3, float(ihi), 0.0)
        s = signal(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
        tried += 1
        if not same_layout(s, s0):
            continue
        # 1-D, (C, L) and (out, in, k) shapes
        root.evaluate(
            "(el, v) => el.convanim.edit('input', v)", image.tolist() if done % 2 else [image.tolist()]
        )
        root.evaluate(
            "(el, v) => el.convanim.edit('weight', v)", kernel.tolist() if done % 2 else [[kernel.tolist()]]
        )
        frames = s.frames()
        check(watched, s, sorted({0, 1, 2, n // 2, n - 2, n - 1}))
        check_bars(root, frames)
        done += 1
    assert tried < 40  # (most edits keep Python's layout)
    assert watched.errors == []


def test_ui_edits_a_conv1d_sample_and_weight_and_a_preset(open_page):
    """conv1d: click an input sample, type, Enter; click a weight under the window, type, Enter;
    a preset; reset. The bars, numbers, equations, readout and alt text follow."""
    name = "conv1d_smoothing"
    s0 = load(name)
    watched = open_page(page("conv1d", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    assert root.locator(".convanim-editbar span").text_content() == (
        "click a weight or an input cell to edit: input 0 \u2026 9, weights \u22121 \u2026 1"
    )
    root.evaluate("el => el.convanim.show(4)")
    root.locator('[role="button"][data-edit="input 3"]').click()
    root.locator(".convanim-editor input").fill("6.5")
    root.locator(".convanim-editor input").press("Enter")
    image = np.array(s0.image.values[0, 0])
    image[3] = 6.5
    root.locator('[role="button"][data-edit="weight 2"]:not([display])').click()
    root.locator(".convanim-editor input").fill("0.5")
    root.locator(".convanim-editor input").press("Enter")
    kernel = np.full(3, 1 / 3)
    kernel[2] = 0.5  # (−0.5 would make Python's cells wider: the page keeps its own, see same_layout)
    s = load(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
    assert same_layout(s, s0)
    assert root.evaluate("el => el.convanim.frame()") == 4
    assert (
        root.locator(".convanim-readout").text_content()
        == "weight [0,2] = 0.5: " + s.frames().frames[4].readout
    )
    check(watched, s, [0, 4, n // 2, n - 1])
    check_bars(root, s.frames())
    # keyboard: Tab to sample 0 (each sample is a tab stop), Enter, ArrowUp, Enter
    root.locator('[role="button"][data-edit="input 0"]').focus()
    watched.page.keyboard.press("Enter")
    watched.page.keyboard.press("ArrowUp")
    watched.page.keyboard.press("Enter")
    image[0] += 1
    s = load(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
    check(watched, s, [4, n - 1])
    root.locator('select[data-act="preset"]').select_option("identity")
    s = load(name, image={"values": image.tolist()}, kernel={"preset": "identity", "size": 3})
    check(watched, s, [0, 4, n - 1])
    check_bars(root, s.frames())
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, [0, 4, n - 1])
    assert watched.errors == []
