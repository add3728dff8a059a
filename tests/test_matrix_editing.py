"""Editing the matrix view (im2col) in the player: its patch cells, kernel column, output column
and folded output are the window view's slots, its equations and readouts name the patch row; in
Chromium an edit through the API or the inline editor gives the output, the texts, the font sizes,
the readouts and the alt text Python draws for the same values."""

from __future__ import annotations

import re

import numpy as np
import pytest

import convanim
from convanim.display import Rect, Text
from convanim.export.html import edit_js, page, player
from convanim.export.playerdata import encode
from convanim.frames import slots as sl
from convanim.frames.matrix import MatrixBuilder

from .helpers import ROOT
from .test_editing import check, random_values


def load(name: str, **keys) -> convanim.Scenario:
    return convanim.load(ROOT / "animations" / f"{name}.toml", **keys)


MATRICES = {
    "gallery": None,
    "padded_strided": dict(
        image=(np.arange(25.0).reshape(5, 5) - 12) / 2, kernel=np.ones((3, 3)) / 9, padding=1, stride=2
    ),
    "reflect_sobel": dict(
        image=np.arange(16.0).reshape(4, 4), kernel={"preset": "sobel_x"}, padding=1, padding_mode="reflect"
    ),
    "flip_dilated": dict(
        image=np.arange(36.0).reshape(6, 6) % 7, kernel=np.array([[1, -1], [2, 0.5]]), dilation=2, flip=True
    ),
    "one_weight": dict(image=np.arange(9.0).reshape(3, 3), kernel=np.array([[-0.5]])),
}


def matrix(name: str, **keys) -> convanim.Scenario:
    if MATRICES[name] is None:
        return load("convolution_as_matrix", **keys)
    given = {k: v for k, v in MATRICES[name].items()}
    for key, value in keys.items():
        given[key] = value
    return convanim.Scenario(**given, view="matrix")


# ---------------------------------------------------------------- Python: slots and island


@pytest.mark.parametrize("name", MATRICES)
def test_every_slot_is_its_items_text_and_colour(name):
    frames = matrix(name).frames()
    slots = frames.slots
    assert slots is not None and slots.matrix
    v = slots.values
    for item, slot in slots.items:
        shape = frames.items[item].shape
        if isinstance(slot, tuple) and slot[0] in ("i", "o"):
            assert isinstance(shape, Rect) and shape.fill == sl.fill(slot, v)
            if slots.texts:
                text = frames.items[item + 1].shape
                assert text.text == sl.text(slot, v) and text.color == sl.ink(slot, v)
        else:
            assert shape.text == sl.text(slot, v), (item, slot)
    for frame, step, recipe in slots.readouts:
        assert frames.frames[frame].readout == sl.text(recipe, v, step)


def test_every_number_of_a_step_frame_is_a_slots():
    """Each patch cell is its grid cell's slot, the kernel column's labels the weights', the output
    column's and the folded output's cells the output's; a step's equation names its patch row."""
    s = matrix("padded_strided")
    frames = s.frames()
    written = {i for i in _written(frames.slots)}
    k = 3
    literal = [
        it.shape.text
        for n, it in enumerate(frames.items)
        if it.visible(k) and isinstance(it.shape, Text) and n not in written
    ]
    assert not any(re.fullmatch(r"\u2212?[0-9./]+", t) or t.startswith("row ") for t in literal), literal
    kinds = [slot[0] for _, slot in frames.slots.items if isinstance(slot, tuple)]
    n, kk, cells = len(s.computations[0].steps), 9, 25  # 9 rows of 9 taps over a 7×7 padded grid
    assert kinds.count("k") == kk and kinds.count("o") == 2 * n  # the column and the folded grid
    assert kinds.count("i") + kinds.count("g") == 49 + n * kk  # the grid and the patches
    assert kinds.count("i") == cells + sum(not g for st in s.computations[0].steps for g in _ghosts(s, st))
    eq = frames.slots.items[-2][1]  # (the last: the summary)
    assert eq[0] == "t" and eq[2] == ["row ", ("n",), ": ", ("e",)]
    assert frames.frames[2].readout == "row 1 of the patches: step 2/9: output[0,1] = " + sl.text(
        ("o", 1), frames.slots.values
    )


def _written(slots) -> list[int]:
    from convanim import editing

    return editing.text_items(slots)


def _ghosts(s, step) -> list[bool]:
    ghost = s.computations[0].ghost
    return [bool(ghost[r, c]) for r in step.rows for c in step.cols]


def test_the_island_names_the_matrix_script_and_ships_it_only_with_matrix_players():
    frames = matrix("gallery").frames()
    ed = encode(frames, 0)["ed"]
    assert ed["js"] == "mat" and ed["p"] == [2, 2, 4, 1, 3, [0, 1, 2, 4, 5, 6, 8, 9, 10], "rows"]
    recipe = [
        "row ",
        ["n"],
        " of the patches: ",
        "step ",
        ["s"],
        "/4: output[",
        ["r"],
        ",",
        ["c"],
        "] = ",
        ["o"],
    ]
    assert ed["r"] == [[1, 0, 4, recipe]]
    assert "convanimPlayer.x.mat" in edit_js(frames).replace("P.x.mat", "convanimPlayer.x.mat")
    assert "x.mat" not in edit_js(load("convol_mean").frames())
    assert ed["a"][3] == ["ak", 1]  # the kernel without its article: "times the flattened 3×3 kernel"


def test_the_alt_text_is_its_recipes_text():
    from convanim.alttext import recipe_text

    for name in MATRICES:
        s = matrix(name)
        frames = s.frames()
        kernel = s.stages[0].kernel
        text = recipe_text(list(frames.slots.alt), s.image.values[0], kernel.plane, s.output(), kernel.preset)
        assert text[0].upper() + text[1:] == frames.alt == s.alt_text
    flip = matrix("flip_dilated").alt_text
    assert (
        "each times the flattened 2×2 kernel (rows 1 −1; 2 1/2), turned 180° (true convolution) gives" in flip
    )


def test_the_layout_depends_on_the_ranges_not_the_values():
    """Matrices whose values span the same ranges are laid out alike, to the pixel, so an edited
    player draws what a fresh Scenario draws: a step's equation is shortened for the strip less its
    "row k: ", and the picture is as wide as the widest equation and summary the ranges allow
    (here wider than its panels and title need: a plain format spec, not editable, is not)."""

    def picture(image, kernel, **keys):
        s = convanim.Scenario(
            image=np.array(image, float), kernel=np.array(kernel, float), view="matrix", **keys
        )
        f = s.frames()
        return f.width, f.height, f.slots.sizes if f.slots else None

    a = picture([[1, 2, 3], [4, 5, -99999]], [[1, 0, 20]], title="m")
    b = picture([[-99999, 0, 0], [0, 0, 0]], [[-20, 0, 0]], title="m")
    assert a == b and a[0] == 976
    assert (
        picture([[1, 2, 3], [4, 5, -99999]], [[1, 0, 20]], title="m", render={"number_format": "g"})[0] == 856
    )
    rng = np.random.default_rng(5)
    for name in MATRICES:
        s0 = matrix(name)
        ed = encode(s0.frames(), 0)["ed"]
        (ilo, ihi), (wlo, whi) = ed["rg"]
        for _ in range(6):
            image = random_values(rng, tuple(ed["hw"]), ilo, ihi)
            kernel = random_values(rng, tuple(ed["k"]), wlo, whi, weights=True)
            image.flat[0], kernel.flat[0] = ihi, wlo  # (the same ranges)
            s = matrix(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
            assert (s.frames().width, s.frames().height) == (s0.frames().width, s0.frames().height)


def test_cells_grow_until_the_widest_values_of_the_ranges_fit():
    """As a layer's: the cell grows (4 px at a time, at most 24) until the widest value the ranges
    allow fits (here "−1620.00": inputs to 20, weights to ±9, 9 taps), so no edit turns the values
    off; where no growth makes them fit, the cell stays and the values are written while they fit."""

    def built(render=None, **keys):
        s = convanim.Scenario(view="matrix", render=render or {}, **keys)
        return MatrixBuilder(s, s.computations[0])

    flip = dict(image=np.arange(16.0).reshape(4, 4), kernel=np.arange(9.0).reshape(3, 3), flip=True)
    grown, plain = built(**flip), built({"number_format": "g"}, **flip)
    assert (
        (grown.layout.cell, plain.layout.cell) == (63, 39) and grown.ranges_fit() and not plain.ranges_fit()
    )
    wide = built(image=np.arange(25.0).reshape(5, 5) - 12, kernel=np.ones((3, 3)) / 9, padding=1, stride=2)
    assert wide.layout.cell == 32 and not wide.ranges_fit() and wide.value_px == 9.0  # (to ±180.00: no)


def test_the_transposed_matrix_view_is_not_editable():
    assert load("transposed_convolution_as_matrix").frames().slots is None


# ---------------------------------------------------------------- Chromium: edits against Python


def frames_of(n: int) -> list[int]:
    return sorted({0, 1, 2, n // 2, n - 2, n - 1})


def pinned(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``values`` with its first at the range's far end, so that they span the page's range (a
    Scenario of them is laid out alike: the layout follows the ranges, not the values)."""
    values = values.copy()
    values.flat[0] = lo if lo < 0 else hi
    return values


@pytest.mark.parametrize("name", MATRICES)
def test_api_edits_give_pythons_numbers_and_texts(open_page, name):
    """Random inputs and weights in the ranges, through el.convanim.edit: the output to the bit,
    the texts and font sizes of several frames (patches, kernel column, output column and grid,
    equations), the readouts and the alt text, as a fresh Scenario with those values draws them."""
    s0 = matrix(name)
    watched = open_page(page("matrix", player(s0.frames())))
    root = watched.player().root
    ed = encode(s0.frames(), 0)["ed"]
    (ilo, ihi), (wlo, whi) = ed["rg"]
    rng = np.random.default_rng(sum(map(ord, name)))
    n = len(s0.frames())
    check(watched, s0, frames_of(n))
    for trial in range(4):
        image = pinned(random_values(rng, tuple(ed["hw"]), ilo, ihi), ilo, ihi)
        kernel = random_values(rng, tuple(ed["k"]), wlo, whi, weights=True)
        if trial == 2:
            kernel = np.zeros_like(kernel)  # every weight but one 0: "row 0: output[0,0] = −2·1"
        kernel = pinned(kernel, wlo, whi)
        root.evaluate(
            "(el, v) => { el.convanim.edit('input', v[0]); el.convanim.edit('weight', v[1]); }",
            [image.tolist(), kernel.tolist()],
        )
        s = matrix(name, image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
        check(watched, s, frames_of(n))
    root.evaluate("el => el.convanim.reset()")
    check(watched, s0, frames_of(n))
    assert watched.errors == []


def test_ui_edits_a_patch_an_input_cell_and_a_weight_and_a_preset(open_page):
    """Click a weight of the kernel column, type, Enter; Tab to the image's first cell and change it
    with the arrows; click a patch cell (it edits the grid cell it copies, in the image's place);
    a preset from the menu; reset."""
    s0 = matrix("gallery")
    watched = open_page(page("matrix", player(s0.frames())))
    root, pg = watched.player().root, watched.page
    n = len(s0.frames())
    image, kernel = np.array(s0.image.values[0]), np.array(s0.kernel.values[0, 0])
    root.evaluate("el => el.convanim.show(2)")
    root.locator('[data-edit="weight 4"]').first.click()
    box = root.locator(".convanim-editor input")
    assert root.locator(".convanim-editor").text_content() == "weight [1,1] (\u22122 \u2026 2)"
    box.fill("-1.5")
    box.press("Enter")
    kernel[1, 1] = -1.5
    s = load("convolution_as_matrix", kernel={"values": kernel.tolist()})
    assert root.evaluate("el => el.convanim.frame()") == 2
    assert (
        root.locator(".convanim-readout").text_content()
        == "weight [1,1] = -1.5: " + s.frames().frames[2].readout
    )
    check(watched, s, frames_of(n))
    # the keyboard: the image's first cell is the one tab stop of the input; ArrowRight moves within it
    cells = root.locator('[role="button"][data-edit^="input "][tabindex="0"]')
    assert cells.count() == 1 and cells.get_attribute("data-edit") == "input 0"
    cells.focus()
    focused = "el => document.activeElement.getAttribute('data-edit')"
    for key in ("ArrowDown",) * 3 + ("ArrowRight",) * 3:  # to the image's last cell, and no further:
        pg.keyboard.press(key)  # (the patches' cells edit the image's too, but are not its places)
    assert root.evaluate(focused) == "input 15"
    pg.keyboard.press("ArrowDown")
    assert root.evaluate(focused) == "input 15"
    for key in ("ArrowUp",) * 3 + ("ArrowLeft",) * 2:
        pg.keyboard.press(key)
    assert root.evaluate(focused) == "input 1"
    pg.keyboard.press("Enter")
    pg.keyboard.press("ArrowUp")
    pg.keyboard.press("Enter")
    image[0, 1] = min(image[0, 1] + 1, 5)  # its range is 0 … 5
    s = load("convolution_as_matrix", image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
    check(watched, s, frames_of(n))
    # a patch cell: row 3 of the patches, tap 8 copies grid cell [3,3] (flat 15)
    patch = root.locator('[role="button"][data-edit="input 15"]').nth(1)
    assert (
        root.locator('[role="button"][data-edit="input 15"]').count() == 2
    )  # the image's cell and one patch cell
    patch.click()
    root.locator(".convanim-editor input").fill("4.25")
    root.locator(".convanim-editor input").press("Enter")
    image[3, 3] = 4.25
    s = load("convolution_as_matrix", image={"values": image.tolist()}, kernel={"values": kernel.tolist()})
    check(watched, s, frames_of(n))
    # a preset, then reset
    root.locator('select[data-act="preset"]').select_option("sobel_y")
    check(
        watched,
        load("convolution_as_matrix", image={"values": image.tolist()}, kernel={"preset": "sobel_y"}),
        frames_of(n),
    )
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, frames_of(n))
    assert watched.errors == []


def test_ui_edits_the_given_weights_of_a_flipped_matrix(open_page):
    """flip: the kernel column shows the turned weights; its cell j edits the given weight
    kk − 1 − j, and a preset sets the given kernel."""
    s0 = matrix("flip_dilated")
    watched = open_page(page("flip", player(s0.frames())))
    root = watched.player().root
    n = len(s0.frames())
    root.locator('[data-edit="weight 0"]').first.click()  # the column's last cell: the given [0,0]
    assert root.locator(".convanim-editor").text_content() == "weight [0,0] (\u22122 \u2026 2)"
    root.locator(".convanim-editor input").fill("0.75")
    root.locator(".convanim-editor input").press("Enter")
    given = np.array(s0.kernel.values[0, 0])
    given[0, 0] = 0.75
    check(watched, matrix("flip_dilated", kernel={"values": given.tolist()}), frames_of(n))
    root.locator('select[data-act="preset"]').select_option("mean")
    check(watched, matrix("flip_dilated", kernel={"preset": "mean", "size": 2}), frames_of(n))
    assert watched.errors == []


def random_matrix(rng: np.random.Generator) -> tuple[dict, convanim.Scenario]:
    """Keys of a random editable matrix view (sizes, stride, padding and its mode, dilation, the
    flip; the kernel as values) and the scenario; retried until valid (at most 49 × 25 patches)
    and, unless the widest values its ranges allow fit its cells, its own values are written: a
    picture drawn as colours cannot write the values of an edit that would fit (known limit)."""
    while True:
        h, w = (int(v) for v in rng.integers(2, 7, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        keys: dict = {"view": "matrix", "image": {"values": rng.integers(-3, 10, size=(h, w)).tolist()}}
        keys["kernel"] = {"values": (np.round(rng.uniform(-2, 2, size=(kh, kw)) * 4) / 4).tolist()}
        keys["stride"] = [int(v) for v in rng.integers(1, 3, size=2)]
        keys["dilation"] = int(rng.integers(1, 3))
        keys["padding"] = int(rng.integers(0, 3))
        keys["padding_mode"] = str(rng.choice(["zeros", "reflect", "replicate", "circular"]))
        keys["flip"] = bool(rng.integers(2))
        try:
            s = convanim.Scenario(**keys)
        except convanim.ScenarioError:  # no output, a mode that needs more image, too many patches
            continue
        slots = s.frames().slots
        if slots is not None and (slots.texts or MatrixBuilder(s, s.computations[0]).ranges_fit()):
            return keys, s  # (a page built without values cannot write those a narrower edit fits)


@pytest.mark.parametrize("seed", range(6))
def test_random_matrices_edited_through_the_api_and_the_editor(open_page, seed):
    """Random matrix views, random values in their ranges through the API, a cell, a patch cell
    and a weight through the editor, a preset: each against a Scenario with the same values."""
    rng = np.random.default_rng(2000 + seed)
    keys, s0 = random_matrix(rng)
    watched = open_page(page("random", player(s0.frames())))
    root = watched.player().root
    ed = encode(s0.frames(), 0)["ed"]
    (ilo, ihi), (wlo, whi) = ed["rg"]
    n = len(s0.frames())

    def scenario(image, kernel):
        return convanim.Scenario(
            **keys | {"image": {"values": image.tolist()}, "kernel": {"values": kernel.tolist()}}
        )

    for _ in range(2):
        image = pinned(random_values(rng, tuple(ed["hw"]), ilo, ihi), ilo, ihi)
        kernel = pinned(random_values(rng, tuple(ed["k"]), wlo, whi, weights=True), wlo, whi)
        root.evaluate(
            "(el, v) => { el.convanim.edit('input', v[0]); el.convanim.edit('weight', v[1]); }",
            [image.tolist(), kernel.tolist()],
        )
        check(watched, scenario(image, kernel), frames_of(n))
    root.evaluate(f"el => el.convanim.show({n // 2})")
    for name, values, lo, hi in (("input", image, ilo, ihi), ("weight", kernel, wlo, whi)):
        cells = root.locator(f'[role="button"][data-edit^="{name} "]')
        if not cells.count():  # (a kernel column too narrow for its labels has no buttons)
            continue
        cell = cells.nth(int(rng.integers(cells.count())))
        at = int(cell.get_attribute("data-edit").split()[1])
        if at == 0:  # (keep the pinned value)
            continue
        cell.click()
        value = float(random_values(rng, (1,), lo, hi, weights=name == "weight")[0])
        root.locator(".convanim-editor input").fill(repr(value))
        root.locator(".convanim-editor input").press("Enter")
        values.flat[at] = value
        check(watched, scenario(image, kernel), frames_of(n))
    assert watched.errors == []
