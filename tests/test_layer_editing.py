"""Editing a layer in the player (convanim.layer_editing, templates/layer.js): in Chromium an edit of
the input, the weights or the bias through the API or the inline editor gives the output, the
texts, their font sizes, the readouts and the alt text Python draws for the same values."""

from __future__ import annotations

import numpy as np
import pytest

import convanim
from convanim.display import Text
from convanim.export.html import page, player
from convanim.export.playerdata import encode

from .helpers import ROOT

LAYERS = ["layer_rgb_bias", "layer_3_to_2", "layer_depthwise", "layer_three_filters", "layer_pointwise"]


def load(name: str, **keys) -> convanim.Scenario:
    return convanim.load(ROOT / "animations" / f"{name}.toml", **keys)


def texts(frames, k: int) -> list[str]:
    return [s.text for s in frames.visible(k) if isinstance(s, Text)]


def random_values(rng, shape, lo, hi, weights=False):
    """Values in [lo, hi] (whole numbers, tenths, quarters, weights also ninths), one of them at
    the greatest magnitude the range allows, so that Python's ranges are the page's."""
    kinds = rng.integers(0, 4 if weights else 3, size=shape)
    whole = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, size=shape).astype(float)
    tenth = np.round(rng.uniform(lo, hi, size=shape), 1)
    quarter = np.round(rng.uniform(lo, hi, size=shape) * 4) / 4
    ninth = np.round(rng.uniform(lo, hi, size=shape) * 9) / 9
    out = np.clip(np.choose(kinds, [whole, tenth, quarter, ninth][: 4 if weights else 3]), lo, hi)
    out.flat[rng.integers(out.size)] = hi if rng.random() < 0.5 or lo >= 0 else lo
    return out


def check(root, s: convanim.Scenario, frames_to_check, page_frames, alt: bool = True) -> None:
    frames = s.frames()
    got = root.evaluate("el => el.convanim.output()")
    assert np.array(got, dtype=float).tobytes() == s.output().tobytes()
    assert np.array(got).shape == s.output().shape
    for k in frames_to_check:
        shown = root.evaluate(f"el => {{ el.convanim.show({k}); return el.convanim.texts(); }}")
        assert shown == texts(frames, k), f"frame {k}"
        sizes = root.evaluate(
            "el => Array.from(el.querySelectorAll('.convanim-stage > svg > text'))"
            ".filter(t => t.getAttribute('display') !== 'none' && !t.hasAttribute('data-off'))"
            ".map(t => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert sizes == [round(t.size, 1) for t in frames.visible(k) if isinstance(t, Text)], f"frame {k}"
        assert root.locator(".convanim-readout").text_content() == frames.frames[k].readout
    check_fills(root, frames, page_frames)
    if alt:
        got_alt = root.evaluate("el => el.querySelector('.convanim-stage > svg').getAttribute('aria-label')")
        assert got_alt == s.alt_text


def check_fills(root, frames, page_frames) -> None:
    """Every coloured cell (input, output, a weight drawn as a colour) filled as Python fills it:
    the page's item of each slot (its items are the page's own ``page_frames``, whose cells keep
    their Texts, hidden, where Python draws none) against Python's."""

    def by_slot(f) -> dict:
        out: dict = {}
        for i, r in f.layer.items:
            if isinstance(r, tuple) and r[0] in ("li", "lo", "lc"):
                out.setdefault(r, []).append(i)
        return out

    mine, theirs = by_slot(page_frames), by_slot(frames)
    assert {r: len(i) for r, i in mine.items()} == {r: len(i) for r, i in theirs.items()}
    want = [(a, frames.items[b].shape.fill) for r in mine for a, b in zip(mine[r], theirs[r], strict=True)]
    got = root.evaluate(
        "(el, a) => { const c = Array.from(el.querySelector('.convanim-stage > svg').children)"
        ".filter(n => !n.classList.contains('convanim-field')).slice(-a[0]);"
        " return a[1].map(i => c[i].getAttribute('fill')); }",
        [len(page_frames.items), [i for i, _ in want]],
    )
    assert got == [fill for _, fill in want]


# layer_three_filters' filters are presets (their names are drawn), which edited filters lose, as
# Python's filters given by values have none; its image of one plane, given as 2-D (a pattern), is
# then named as Python names a 2-D image's values
@pytest.mark.parametrize("name", LAYERS)
def test_api_edits_of_a_layer_give_pythons_numbers_and_texts(open_page, name):
    s0 = load(name)
    frames0 = s0.frames()
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    ed = encode(frames0, 0)["ed"]
    rg = ed["rg"]
    rng = np.random.default_rng(sum(map(ord, name)))
    n = len(frames0)
    check(root, s0, [0, 1, n - 1], frames0)
    shape = (ed["c"], *ed["hw"])
    for _ in range(3):
        image = random_values(rng, shape, *rg[0])
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        given = image if s0.image.layered else image[0]  # the scenario's own shape
        keys = {
            "image": {"values": given.tolist(), **({"names": ["R", "G", "B"]} if "R" in ed["nm"] else {})}
        }
        w = random_values(rng, tuple(ed["k"]), *rg[1], weights=True)
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", w.tolist())
        keys["filters"] = [{"values": plane.tolist()} for plane in w]
        keys["kernel"] = None  # (layer_depthwise gives one plane for every filter)
        if "b" in ed:
            b = random_values(rng, (ed["k"][0],), *rg[2])
            root.evaluate("(el, v) => el.convanim.edit('bias', v)", b.tolist())
            for f, v in zip(keys["filters"], b.tolist(), strict=True):
                f["bias"] = v
        s = load(name, **keys)
        assert s.frames().width == frames0.width and s.frames().height == frames0.height
        check(root, s, sorted({0, 1, 2, n // 2, n - 2, n - 1}), frames0)
    assert watched.errors == []


def test_a_one_plane_layers_alt_text_is_its_recipe():
    """layer_three_filters' alt text (an image of one plane, a pattern) is the recipe Python writes
    it through: the image's words while the image is the scenario's own, the output's range."""
    frames = load("layer_three_filters").frames()
    a = encode(frames, 0)["ed"]["a"]
    assert a[1] == ["ax", "a 7\u00d77 image with a bright square (values 0 to 9)"] and a[3] == ["ar"]
    assert "la" not in encode(frames, 0)["ed"]
    assert (a[0][0].upper() + a[0][1:] + a[1][1] + a[2] + "\u221236 to 36" + a[4]) == frames.alt


def test_a_layer_refuses_a_wrong_shape_or_range_in_one_line(open_page):
    watched = open_page(page("edit", player(load("layer_rgb_bias").frames())))
    root = watched.player().root

    def error(name, values):
        return root.evaluate(
            "(el, a) => { try { el.convanim.edit(a[0], a[1]); return null } catch (e) { return e.message } }",
            [name, values],
        )

    assert (
        error("input", [[1, 2], [3, 4]]) == "input must be 3\u00d75\u00d75 nested arrays (got [[1,2],[3,4]])"
    )
    assert error("bias", [2]) == "bias[0] = 2 is outside -1 \u2026 1, the range this picture is laid out for"
    assert error("bias", 0.5) == "bias must be 1 nested arrays (got 0.5)"
    weights = np.zeros((1, 3, 3, 3))
    weights[0, 2, 1, 0] = 1.5
    assert error("weight", weights.tolist()) == (
        "weight[0][2][1][0] = 1.5 is outside -1 \u2026 1, the range this picture is laid out for"
    )
    assert error("kernel", [1]).startswith('edit: name must be "input", "weight" or "bias"')
    assert watched.errors == []


def rgb_bias(bias: float) -> convanim.Scenario:
    """layer_rgb_bias with another bias."""
    s = load("layer_rgb_bias")
    return load("layer_rgb_bias", filters=[{"values": s.stages[0].kernel.values[0].tolist(), "bias": bias}])


def test_ui_click_the_bias_type_enter(open_page, tmp_path):
    """Click the bias, type a number, Enter: every number follows, as Python draws it."""
    s0 = load("layer_rgb_bias")
    watched = open_page(page("edit", player(s0.frames())))
    root = watched.player().root
    k = 3
    root.evaluate(f"el => el.convanim.show({k})")
    bias = root.locator('[data-edit="bias 27"]')
    assert bias.text_content() == "+ b = \u22120.5"
    bias.click()
    box = root.locator(".convanim-editor input")
    box.fill("0.75")
    box.press("Enter")
    s = rgb_bias(0.75)
    check(root, s, [0, k, len(s0.frames()) - 1], s0.frames())
    assert root.locator(".convanim-editor").count() == 0
    root.locator('[data-edit="bias 27"]').focus()
    root.page.keyboard.press("Enter")
    root.locator(".convanim-editor input").press("Shift+ArrowDown")
    root.locator(".convanim-editor input").press("Enter")
    check(root, rgb_bias(0.65), [k], s0.frames())
    root.evaluate(f"el => el.convanim.show({k})")
    root.page.screenshot(path=str(tmp_path / "layer.png"))
    root.page.screenshot(path="/tmp/layeredit_bias.png")
    assert watched.errors == []


def test_a_layer_player_ships_its_rules_and_no_texts_the_player_writes():
    """The island names layer.js, which only layer players carry; the texts it writes are blank
    in the data; its ranges are the layout's."""
    frames = load("layer_rgb_bias").frames()
    html = player(frames)
    assert "P.x.layer" in html or "x.layer" in html
    assert "x.layer" not in player(load("convol_mean").frames())
    ed = encode(frames, 0)["ed"]
    assert ed["js"] == "layer" and ed["rg"] == [[0, 9], [-1, 1], [-1, 1]]
    assert ed["k"] == [1, 3, 3, 3] and ed["w"][-1] == -0.5 and ed["b"] == 1
    assert [run[0] for run in ed["s"][:5]] == ["i", "i", "i", "o", "k"]
    assert ed["la"][0].endswith("(R, G, B; values ")


LAYER_KEYS = {
    "reflect_stride_groups": dict(
        image=np.arange(2 * 6 * 6, dtype=float).reshape(2, 6, 6) % 7,
        kernel=np.array([[[[1, -1], [0.5, 0]]], [[[0, 1], [-1, 0.25]]]]),
        bias=[1.0, -2.0],
        groups=2,
        padding=1,
        padding_mode="reflect",
        stride=2,
    ),
    "circular_dilated": dict(
        image=np.arange(2 * 5 * 5, dtype=float).reshape(2, 5, 5) % 5 - 2,
        kernel=np.array([[[[1, 0], [0, -1]], [[0.5, 0.5], [0, 0]]]]),
        padding=1,
        padding_mode="circular",
        dilation=2,
    ),
    "replicate_two_filters": dict(
        image=np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4) % 4,
        kernel=np.ones((2, 3, 3, 3)) / 9,
        padding=1,
        padding_mode="replicate",
    ),
}


@pytest.mark.parametrize("name", sorted(LAYER_KEYS))
def test_api_edits_of_padded_strided_grouped_layers(open_page, name):
    """Padding modes (reflect, circular, replicate), a stride, a dilation, groups: the page's grid
    holds the values Python's does, and every number follows an edit."""
    base = LAYER_KEYS[name]
    s0 = convanim.Scenario(title=name, **base)
    frames0 = s0.frames()
    assert frames0.layer is not None
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    ed = encode(frames0, 0)["ed"]
    rng = np.random.default_rng(len(name))
    n = len(frames0)
    check(root, s0, [0, 1, n - 1], frames0)
    for _ in range(3):
        image = random_values(rng, (ed["c"], *ed["hw"]), *ed["rg"][0])
        w = random_values(rng, tuple(ed["k"]), *ed["rg"][1], weights=True)
        keys = {**base, "image": image, "kernel": w}
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", w.tolist())
        if "b" in ed:
            b = random_values(rng, (ed["k"][0],), *ed["rg"][2])
            root.evaluate("(el, v) => el.convanim.edit('bias', v)", b.tolist())
            keys["bias"] = b.tolist()
        s = convanim.Scenario(title=name, **keys)
        assert (s.frames().width, s.frames().height) == (frames0.width, frames0.height)
        check(root, s, sorted({0, 1, n // 2, n - 2, n - 1}), frames0)
    assert watched.errors == []


def test_ui_keyboard_edits_an_input_cell_and_a_weight(open_page):
    """Tab to an input cell, Enter, type, Enter; a weight: ArrowUp (+1) and Shift+ArrowDown
    (−0.1); the editor names the cell by channel, row and column."""
    s0 = load("layer_3_to_2")
    watched = open_page(page("edit", player(s0.frames())))
    root = watched.player().root
    image = s0.image.values.copy()
    weights = s0.stages[0].kernel.values.copy()
    cell = root.locator('[data-edit="input 27"]').first  # channel 1, row 0, column 2
    cell.focus()
    root.page.keyboard.press("Enter")
    editor = root.locator(".convanim-editor")
    assert editor.text_content().startswith("input[1][0][2] (0 \u2026 5)")
    editor.locator("input").fill("2.5")
    editor.locator("input").press("Enter")
    image[1, 0, 2] = 2.5
    root.evaluate("el => el.convanim.show(3)")  # filter 0 at work: its planes drawn
    weight = root.locator('[data-edit="weight 5"] >> visible=true').first  # filter 0, plane 1, (0, 1)
    weight.focus()
    root.page.keyboard.press("Enter")
    box = root.locator(".convanim-editor input")
    box.press("ArrowUp")
    box.press("Shift+ArrowDown")
    box.press("Enter")
    lo, hi = encode(s0.frames(), 0)["ed"]["rg"][1]
    up = min(hi, max(lo, weights[0, 1, 0, 1] + 1))  # the arrows stay in the range
    weights[0, 1, 0, 1] = min(hi, max(lo, round(up - 0.1, 9)))
    filters = [{"values": w.tolist(), "bias": float(b)} for w, b in zip(weights, s0.bias, strict=True)]
    s = load("layer_3_to_2", image={"values": image.tolist()}, filters=filters)
    check(root, s, [0, 3, len(s.frames()) - 1], s0.frames())
    assert watched.errors == []


#: flipped layers (each plane turned 180° before it slides) and transposed ones drawn as the
#: convolution they equal: (file, keys); the weights are edited in the shape the scenario gives them
TURNED = {
    "rgb_bias_flip": ("layer_rgb_bias", {"flip": True}),
    "3_to_2_flip": ("layer_3_to_2", {"flip": True}),
    "transposed": ("layer_transposed", {}),
}


def turned_keys(name: str, image: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> dict:
    """A TURNED scenario's keys with these values, in the shapes its file gives them."""
    file, keys = TURNED[name]
    if file == "layer_transposed":
        return {"image": {"values": image.tolist()}, "filters": [{"values": w.tolist()} for w in weights]}
    names = {"names": ["R", "G", "B"]} if file == "layer_rgb_bias" else {}
    filters = [{"values": w.tolist()} for w in weights]
    for f, b in zip(filters, [] if bias is None else bias.tolist(), strict=False):
        f["bias"] = b
    return {**keys, "image": {"values": image.tolist(), **names}, "filters": filters}


@pytest.mark.parametrize("name", sorted(TURNED))
def test_api_edits_of_flipped_and_transposed_layers(open_page, name):
    """A flip's turn frames and every step, a transposed layer's zero-inserted input and rotated
    planes: after edits of the input (the original cells), the given weights and the bias, the
    page's numbers, texts, sizes, colours and alt text are Python's for those values."""
    file, keys = TURNED[name]
    s0 = load(file, **keys)
    frames0 = s0.frames()
    assert frames0.layer is not None
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    ed = encode(frames0, 0)["ed"]
    given = s0.stages[0].kernel.values
    assert ed["kg"] == list(given.shape) and ed["w"][: given.size] == given.ravel().tolist()
    rng = np.random.default_rng(len(name))
    n = len(frames0)
    every = range(n) if n < 16 else sorted({0, 1, 2, 3, 4, n // 2, n - 2, n - 1})
    check(root, s0, every, frames0)
    for _ in range(3):
        image = random_values(rng, (ed["c"], *ed["hw"]), *ed["rg"][0])
        w = random_values(rng, tuple(ed["kg"]), *ed["rg"][1], weights=True)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", w.tolist())
        b = None
        if "b" in ed:
            b = random_values(rng, (ed["k"][0],), *ed["rg"][2])
            root.evaluate("(el, v) => el.convanim.edit('bias', v)", b.tolist())
        s = load(file, **turned_keys(name, image, w, b))
        assert (s.frames().width, s.frames().height) == (frames0.width, frames0.height)
        check(root, s, every, frames0)
    assert watched.errors == []


@pytest.mark.parametrize("name", ["3_to_2_flip", "transposed"])
def test_ui_a_drawn_weight_edits_the_given_weight_in_its_place(open_page, name):
    """Click a weight where it slides (turned, rotated), type, Enter: the given weight in its place
    changes (a flip's plane turned back; a transposed layer's (C_in, C_out) swapped back), named so
    by the editor; the input's cells edit the original input."""
    file, keys = TURNED[name]
    s0 = load(file, **keys)
    frames0 = s0.frames()
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    comp = s0.computations[0]
    step = frames0.frames.index(next(f for f in frames0.frames if f.step == 0))
    root.evaluate(f"el => el.convanim.show({step})")
    # filter 0's plane 1, the weight drawn at row 0, column 1 (it slides there)
    kh, kw = comp.weights.shape[2:]
    drawn = (0 * comp.weights.shape[1] + 1) * kh * kw + 1
    given = s0.stages[0].kernel.values.copy()
    at = np.unravel_index(int(encode(frames0, 0)["ed"]["wm"][drawn]), given.shape)
    assert given[at] == comp.weights[0, 1, 0, 1]
    cell = root.locator(f'[data-edit="weight {np.ravel_multi_index(at, given.shape)}"] >> visible=true').first
    cell.click()
    editor = root.locator(".convanim-editor")
    assert editor.text_content().startswith("weight[" + "][".join(map(str, at)) + "]")
    editor.locator("input").fill("-0.5")
    editor.locator("input").press("Enter")
    given[at] = -0.5
    image = s0.image.values.copy()
    first = root.locator('[data-edit^="input "]').first
    assert first.get_attribute("data-edit") == "input 0"
    first.click()
    root.locator(".convanim-editor input").fill("3")
    root.locator(".convanim-editor input").press("Enter")
    image[0, 0, 0] = 3
    bias = None if s0.stages[0].bias is None else np.array(s0.stages[0].bias)
    s = load(file, **turned_keys(name, image, given, bias))
    check(root, s, [0, 1, step, len(frames0) - 1], frames0)
    assert watched.errors == []


TURNED_KEYS = {
    "transposed_groups_padded": dict(
        operation="conv_transpose2d",
        image=np.arange(4 * 3 * 3, dtype=float).reshape(4, 3, 3) % 5,
        kernel=np.arange(4 * 1 * 2 * 2, dtype=float).reshape(4, 1, 2, 2) % 3 - 1,
        bias=[1.0, -1.0],
        groups=2,
        stride=2,
        padding=1,
        output_padding=1,
    ),
    "flip_reflect_dilated": dict(
        flip=True,
        image=np.arange(2 * 5 * 5, dtype=float).reshape(2, 5, 5) % 5,
        kernel=np.arange(2 * 2 * 2 * 3, dtype=float).reshape(2, 2, 2, 3) / 10 - 1,
        padding=1,
        padding_mode="reflect",
        dilation=(1, 2),
    ),
}


@pytest.mark.parametrize("name", sorted(TURNED_KEYS))
def test_api_edits_of_grouped_padded_turned_layers(open_page, name):
    """A transposed layer with groups, a stride, padding and output padding; a flip with reflect
    padding and a dilation: edits in the given shapes give Python's numbers and texts."""
    base = TURNED_KEYS[name]
    s0 = convanim.Scenario(title=name, **base)
    frames0 = s0.frames()
    assert frames0.layer is not None
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    ed = encode(frames0, 0)["ed"]
    assert ed["kg"] == list(np.shape(base["kernel"]))
    rng = np.random.default_rng(len(name))
    n = len(frames0)
    every = sorted({0, 1, 2, 3, n // 2, n - 2, n - 1})
    check(root, s0, every, frames0)
    for _ in range(2):
        image = random_values(rng, (ed["c"], *ed["hw"]), *ed["rg"][0])
        w = random_values(rng, tuple(ed["kg"]), *ed["rg"][1], weights=True)
        keys = {**base, "image": image, "kernel": w}
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", w.tolist())
        if "b" in ed:
            b = random_values(rng, (ed["k"][0],), *ed["rg"][2])
            root.evaluate("(el, v) => el.convanim.edit('bias', v)", b.tolist())
            keys["bias"] = b.tolist()
        s = convanim.Scenario(title=name, **keys)
        assert (s.frames().width, s.frames().height) == (frames0.width, frames0.height)
        check(root, s, every, frames0)
    assert watched.errors == []


def test_a_one_plane_layers_alt_text_follows_an_edited_image(open_page):
    """An impulse, a shape of two levels, the image back (reset): the alt text names each as
    Python names it for the image given as 2-D values (the pattern's words only while the image is
    the scenario's own)."""
    s0 = load("layer_three_filters")
    watched = open_page(page("edit", player(s0.frames())))
    root = watched.player().root
    alt = "el => el.querySelector('.convanim-stage > svg').getAttribute('aria-label')"
    impulse = np.zeros((7, 7))
    impulse[2, 3] = 9
    shape = np.zeros((7, 7))
    shape[1:4, 2:6] = 5
    for image in (impulse, shape):
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        want = load("layer_three_filters", image={"values": image.tolist()}).alt_text
        assert root.evaluate(alt) == want
    assert (
        "holding a single 9 (on 0) at row 2, column 3"
        in load("layer_three_filters", image={"values": impulse.tolist()}).alt_text
    )
    root.evaluate("el => el.convanim.reset()")
    assert root.evaluate(alt) == s0.alt_text
    assert watched.errors == []


@pytest.mark.parametrize("name", ["rgb_bias_flip", "transposed"])
def test_ui_a_preset_on_one_plane_then_reset(open_page, name):
    """Choose a plane and a preset with the keyboard (labelled selects): that plane of the given
    weights becomes the preset and every number follows as Python draws it; reset restores the
    scenario's values."""
    file, keys = TURNED[name]
    s0 = load(file, **keys)
    frames0 = s0.frames()
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    ed = encode(frames0, 0)["ed"]
    plane = root.locator('select[data-act="plane"]')
    preset = root.locator('select[data-act="preset"]')
    for select, label in ((plane, "plane "), (preset, "preset ")):  # each in its label
        assert (
            select.evaluate("el => el.parentNode.tagName + ':' + el.parentNode.firstChild.data")
            == f"LABEL:{label}"
        )
    assert plane.evaluate("el => Array.from(el.options).map(o => o.text)") == [p[0] for p in ed["pl"]]
    assert preset.evaluate("el => Array.from(el.options).map(o => o.value)")[1:] == list(ed["ps"])
    step = 4
    root.evaluate(f"el => el.convanim.show({step})")
    plane.focus()
    root.page.keyboard.press("ArrowDown")  # the second plane
    preset.select_option("gaussian")
    given = s0.stages[0].kernel.values.copy()
    at = np.unravel_index(ed["pl"][1][1], given.shape[:2])
    given[at] = convanim.kernels.make_kernel("gaussian", given.shape[2:], 1.0)
    bias = None if s0.stages[0].bias is None else np.array(s0.stages[0].bias)
    s = load(file, **turned_keys(name, s0.image.values, given, bias))
    assert root.locator(".convanim-editbar span").text_content() == (
        "click an input cell, a weight or a bias to edit: input 0 \u2026 9, weights \u22121 \u2026 1, bias \u22121 \u2026 1"
        if "b" in ed
        else "click an input cell or a weight to edit: input 0 \u2026 5, weights \u22121 \u2026 1"
    )
    readout = root.locator(".convanim-readout").text_content()  # (aria-live: announced)
    assert readout == f"{ed['pl'][1][0]} set to gaussian: {s.frames().frames[step].readout}"
    assert preset.input_value() == ""
    check(root, s, [0, 1, step, len(frames0) - 1], frames0)
    root.get_by_role("button", name="reset").click()
    check(root, s0, [0, 1, step, len(frames0) - 1], frames0)
    assert watched.errors == []


def test_a_filter_named_after_its_preset_loses_the_name_once_edited(open_page):
    """layer_three_filters: a weight of filter 0 typed, then a preset on filter 2's plane: those
    filters' names leave the picture and the alt text, the others keep theirs, as Python draws
    the scenario whose unchanged filters keep their preset key; reset brings every name back."""
    s0 = load("layer_three_filters")
    frames0 = s0.frames()
    watched = open_page(page("edit", player(frames0)))
    root = watched.player().root
    n = len(frames0)
    every = [0, 1, n // 2, n - 1]
    root.evaluate("el => el.convanim.show(1)")
    root.locator('[data-edit="weight 4"] >> visible=true').first.click()  # filter 0's middle weight
    root.locator(".convanim-editor input").fill("1.5")
    root.locator(".convanim-editor input").press("Enter")
    w0 = s0.stages[0].kernel.values[0, 0].copy()
    w0[1, 1] = 1.5
    filters = [{"values": w0.tolist()}, {"preset": "sobel_y"}, {"preset": "mean"}]
    check(root, load("layer_three_filters", filters=filters), every, frames0)
    root.locator('select[data-act="plane"]').select_option(label="filter 2 \u2190 in[0]")
    root.locator('select[data-act="preset"]').select_option("prewitt_x")
    filters[2] = {"values": convanim.kernels.make_kernel("prewitt_x", (3, 3), 1.0).tolist()}
    s = load("layer_three_filters", filters=filters)
    assert "(sobel y)" in s.alt_text and "mean" not in s.alt_text.split(";")[0]
    check(root, s, every, frames0)
    root.get_by_role("button", name="reset").click()
    check(root, s0, every, frames0)
    assert watched.errors == []


def test_a_flips_turn_frames_edit_the_weight_drawn_at_each_place(open_page):
    """The kernel as given (frame 1), upside down (2), turned (3): each drawn weight is a button
    for the given weight that stands there, so "as given" lists them in order."""
    s0 = load("layer_rgb_bias", flip=True)
    watched = open_page(page("edit", player(s0.frames())))
    root = watched.player().root
    given = np.arange(27).reshape(3, 3, 3)
    want = {1: given, 2: given[:, ::-1, :], 3: given[:, ::-1, ::-1]}
    for k, order in want.items():
        root.evaluate(f"el => el.convanim.show({k})")
        got = root.evaluate(
            "el => Array.from(el.querySelectorAll('rect[data-edit^=weight], path[data-edit^=weight]'))"
            ".filter(n => n.getAttribute('display') !== 'none').map(n => +n.getAttribute('data-edit').split(' ')[1])"
        )
        assert got == order.ravel().tolist(), k
    assert watched.errors == []
