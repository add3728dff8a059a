"""Editing the signal view (conv1d, avg_pool1d) in Chromium: random geometry (length, taps,
stride, padding and its mode, dilation), random in-range values through the JS API and the inline
editor, each checked against Python's ``Scenario`` with the same values on every frame: the output
to the last bit, the texts and their font sizes, the readout, the bars and the alt text. The page keeps
the layout it was built with, which the ranges set (frames/signal.py), so Python's picture of the
edited values is laid out the same."""

from __future__ import annotations

import numpy as np
import pytest

import convanim
from convanim.errors import ScenarioError
from convanim.export.html import page, player
from convanim.export.playerdata import encode
from convanim.frames import slots as sl
from convanim.frames.layer_slots import evaluate

from .helpers import ROOT
from .test_editing import check, check_bars
from .test_layer_editing import check as check_layer
from .test_layer_editing import random_values

SEEDS = range(12)


def random_signal(rng: np.random.Generator, pool: bool = False, flip: bool = False) -> dict:
    """Keys of a random editable one-channel conv1d (its kernel given as values, so that its
    label names no preset; ``flip``: a true convolution), or avg_pool1d; retried until valid and
    editable."""
    while True:
        n, k = int(rng.integers(4, 17)), int(rng.integers(1, 8))
        low = int(rng.choice([0, -3]))
        keys = {
            "title": f"{'avg_pool1d' if pool else 'conv1d'}, {k} taps",
            "image": {"values": rng.integers(low, 10, size=n).tolist()},
            "stride": int(rng.integers(1, 4)),
        }
        if pool:
            keys |= {"operation": "avg_pool1d", "kernel_size": k, "padding": int(rng.integers(0, k // 2 + 1))}
            keys["count_include_pad"] = bool(rng.integers(2))
        else:
            keys |= {
                "operation": "conv1d",
                "kernel": {"values": (np.round(rng.uniform(-2, 2, size=k) * 4) / 4).tolist()},
                "dilation": int(rng.integers(1, 3)),
                "padding": int(rng.integers(0, 3)),
                "padding_mode": str(rng.choice(["zeros", "reflect", "replicate", "circular"])),
            }
            keys |= {"flip": True} if flip else {}
        try:
            s = convanim.Scenario(**keys)
        except ScenarioError:  # no output, or a mode that needs a longer signal
            continue
        if s.frames().slots is not None:
            return keys


@pytest.mark.parametrize(("seed", "pool"), [(seed, seed % 4 == 3) for seed in SEEDS])
def test_random_signal_edits_give_pythons_frames(open_page, seed, pool):
    """A conv1d's input and weights, or an avg_pool1d's input, edited through the API: every
    frame as Python draws the edited values (the layout the page keeps is Python's)."""
    rng = np.random.default_rng(2000 + seed)
    keys = random_signal(rng, pool)
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    watched = open_page(page("signal", player(frames0)))
    root = watched.player().root
    (ilo, ihi), (wlo, whi) = encode(frames0, 0)["ed"]["rg"]
    n = len(frames0)
    for _ in range(2):
        image = random_values(rng, (len(keys["image"]["values"]),), ilo, ihi)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        edited = {**keys, "image": {"values": image.tolist()}}
        if not pool:
            kernel = random_values(rng, (len(keys["kernel"]["values"]),), wlo, whi, weights=True)
            root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel.tolist())
            edited["kernel"] = {"values": kernel.tolist()}
        s = convanim.Scenario(**edited)
        frames = s.frames()
        assert (frames.width, frames.height, frames.slots.sizes) == (
            frames0.width,
            frames0.height,
            frames0.slots.sizes,
        )
        check(watched, s, range(n))
        check_bars(root, frames)
    assert watched.errors == []


def test_ui_edits_an_avg_pool1d_sample(open_page):
    """avg_pool1d, padding not counted: no weights and no preset menu; click a sample, type,
    Enter; the arrows; reset. The means, their equations, bars, readout and alt text follow."""
    keys = dict(
        title="avg_pool1d",
        operation="avg_pool1d",
        image={"values": [4, 0, 2, 6, 1, 9, 3, 3, 8, 5]},
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False,
    )
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    watched = open_page(page("avg1d", player(frames0)))
    root = watched.player().root
    n = len(frames0)
    assert root.locator('select[data-act="preset"]').count() == 0
    assert (
        root.locator(".convanim-editbar span").text_content()
        == "click an input cell to edit: input 0 \u2026 9"
    )
    check(watched, s0, range(n))
    root.evaluate("el => el.convanim.show(3)")
    root.locator('[role="button"][data-edit="input 2"]').click()
    root.locator(".convanim-editor input").fill("7.5")
    root.locator(".convanim-editor input").press("Enter")
    image = np.array(keys["image"]["values"], dtype=float)
    image[2] = 7.5
    s = convanim.Scenario(**{**keys, "image": {"values": image.tolist()}})
    assert (
        root.locator(".convanim-readout").text_content()
        == "input [0,2] = 7.5: " + s.frames().frames[3].readout
    )
    check(watched, s, range(n))
    check_bars(root, s.frames())
    root.locator('[role="button"][data-edit="input 0"]').focus()
    watched.page.keyboard.press("Enter")
    watched.page.keyboard.press("Shift+ArrowDown")
    watched.page.keyboard.press("Enter")
    image[0] -= 0.1
    s = convanim.Scenario(**{**keys, "image": {"values": image.tolist()}})
    check(watched, s, range(n))
    error = root.evaluate(
        "el => { try { el.convanim.edit('weight', [1, 1, 1]) } catch (e) { return e.message } }"
    )
    assert error == "a pool has no weights to edit: only its input"
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, range(n))
    assert watched.errors == []


def check_layer_bars(root, frames) -> None:
    """Every bar and zero line of a signal layer's page where Python draws it."""
    items = [(n, slot[0]) for n, slot in frames.layer.items if slot[0] in ("bi", "bo", "zi", "zo")]
    got = root.evaluate(
        "(el, a) => { const c = Array.from(el.querySelector('.convanim-stage > svg').children)"
        ".filter(e => e.tagName !== 'g').slice(-a[0]);"
        " return a[1].map(i => c[i].tagName === 'rect' ? [+c[i].getAttribute('y'), +c[i].getAttribute('height')]"
        " : [+c[i].getAttribute('points').split(' ')[0].split(',')[1]]); }",
        [len(frames.items), [n for n, _ in items]],
    )
    want = []
    for n, kind in items:
        shape = frames.items[n].shape
        want.append([shape.y, shape.h] if kind[0] == "b" else [shape.points[0][1]])
    assert got == want


def channels_stride(image=None, weights=None, bias=None) -> convanim.Scenario:
    """animations/conv1d_channels_stride.toml (2 channels, 2 filters, bias, stride 2), its values
    replaced by those given."""
    s = load_channels()
    if image is None and weights is None and bias is None:
        return s
    w = s.stages[0].kernel.values[:, :, 0] if weights is None else np.asarray(weights)
    b = s.stages[0].bias if bias is None else np.asarray(bias)
    filters = [{"values": f.tolist(), "bias": float(v)} for f, v in zip(w, b, strict=True)]
    values = s.image.values[:, 0].tolist() if image is None else np.asarray(image).tolist()
    return load_channels(image={"values": values, "names": list(s.image.names)}, filters=filters)


def load_channels(**keys) -> convanim.Scenario:
    return convanim.load(ROOT / "animations" / "conv1d_channels_stride.toml", **keys)


def test_conv1d_with_channels_and_bias_edited_through_the_api(open_page):
    """conv1d_channels_stride: input (C, L), weights (C_out, C_in, k) and bias edited through the
    API, every frame as Python draws the same values (sums, bias, equations, bars, label sizes,
    readouts, alt text); a wrong shape or range is refused in one line."""
    s0 = channels_stride()
    frames0 = s0.frames()
    watched = open_page(page("layer1d", player(frames0)))
    root = watched.player().root
    ed = encode(frames0, 0)["ed"]
    assert ed["js"] == "siglayer" and ed["rg"] == [[-9, 9], [-1, 1], [-1, 1]]
    n = len(frames0)
    check_layer(root, s0, range(n), frames0)
    check_layer_bars(root, frames0)
    rng = np.random.default_rng(5)
    for _ in range(3):
        image = random_values(rng, (2, 11), *ed["rg"][0])
        weights = random_values(rng, (2, 2, 3), *ed["rg"][1], weights=True)
        bias = random_values(rng, (2,), *ed["rg"][2])
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", weights.tolist())
        root.evaluate("(el, v) => el.convanim.edit('bias', v)", bias.tolist())
        s = channels_stride(image, weights, bias)
        assert (s.frames().width, s.frames().height) == (frames0.width, frames0.height)
        check_layer(root, s, range(n), frames0)
        check_layer_bars(root, s.frames())

    def error(name, values):
        return root.evaluate(
            "(el, a) => { try { el.convanim.edit(a[0], a[1]); return null } catch (e) { return e.message } }",
            [name, values],
        )

    assert error("input", [1, 2, 3]) == "input must be 2\u00d711 nested arrays (got [1,2,3])"
    assert error("weight", [[1, 0, -1]]) == "weight must be 2\u00d72\u00d73 nested arrays (got [[1,0,-1]])"
    assert (
        error("bias", [0, 2]) == "bias[1] = 2 is outside -1 \u2026 1, the range this picture is laid out for"
    )
    assert watched.errors == []


def test_ui_edits_a_conv1d_sample_weight_and_bias_with_channels(open_page):
    """conv1d_channels_stride: click a sample of the second channel, a weight under the window and
    the bias in an output map's name; type, Enter; reset. Every frame follows as Python draws it."""
    s0 = channels_stride()
    frames0 = s0.frames()
    watched = open_page(page("layer1d", player(frames0)))
    root = watched.player().root
    n = len(frames0)
    assert root.locator(".convanim-editbar span").text_content() == (
        "click an input cell, a weight or a bias to edit: input \u22129 \u2026 9, weights \u22121 \u2026 1, "
        "bias \u22121 \u2026 1"
    )
    image = s0.image.values[:, 0].copy()
    weights = s0.stages[0].kernel.values[:, :, 0].copy()
    bias = np.array(s0.stages[0].bias, dtype=float)
    k = 7  # a step of filter 1
    root.evaluate(f"el => el.convanim.show({k})")
    root.locator('[role="button"][data-edit="input 13"]').click()  # in[1][2]
    root.locator(".convanim-editor input").fill("-4.5")
    root.locator(".convanim-editor input").press("Enter")
    image[1, 2] = -4.5
    root.locator('[data-edit="weight 9"]').filter(visible=True).first.click()  # w[1][1][0]
    root.locator(".convanim-editor input").fill("0.75")
    root.locator(".convanim-editor input").press("Enter")
    weights[1, 1, 0] = 0.75
    root.locator('[data-edit="bias 13"]').click()  # bias[1]
    root.locator(".convanim-editor input").fill("0.25")
    root.locator(".convanim-editor input").press("Enter")
    bias[1] = 0.25
    s = channels_stride(image, weights, bias)
    assert root.evaluate("el => el.convanim.frame()") == k
    assert (
        root.locator(".convanim-readout").text_content() == "bias[1] = 0.25: " + s.frames().frames[k].readout
    )
    check_layer(root, s, range(n), frames0)
    check_layer_bars(root, s.frames())
    root.page.screenshot(path="/tmp/sig1d_channels.png")
    root.locator('button[data-act="reset"]').click()
    check_layer(root, s0, range(n), frames0)
    assert watched.errors == []


def random_layer(rng: np.random.Generator, grouped: bool = False, flip: bool = False) -> dict:
    """Keys of a random conv1d with channels (1 to 3 in, 1 or 2 out; or 2 and 2 in 2 groups), a
    bias or not, stride, padding and its mode, dilation; ``flip``: a true convolution), retried
    until editable."""
    while True:
        cin, cout, k = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 5))
        n = int(rng.integers(4, 11))
        cin, cout, groups = (2, 2, 2) if grouped else (cin, cout, 1)
        keys = {
            "title": f"conv1d {cin} to {cout}",
            "operation": "conv1d",
            "image": np.asarray(rng.integers(-3, 10, size=(cin, n)), dtype=float),
            "kernel": np.round(rng.uniform(-2, 2, size=(cout, cin // groups, k)) * 4) / 4,
            "groups": groups,
            "stride": int(rng.integers(1, 3)),
            "dilation": int(rng.integers(1, 3)),
            "padding": int(rng.integers(0, 2)),
            "padding_mode": str(rng.choice(["zeros", "reflect", "replicate", "circular"])),
        }
        if rng.random() < 0.7:
            keys["bias"] = (np.round(rng.uniform(-2, 2, size=cout) * 4) / 4).tolist()
        keys |= {"flip": True} if flip else {}
        try:
            s = convanim.Scenario(**keys)
        except ScenarioError:
            continue
        if s.frames().layer is not None:
            return keys


@pytest.mark.parametrize(("seed", "grouped"), [(seed, seed % 3 == 2) for seed in range(6)])
def test_random_conv1d_layers_edited_through_the_api(open_page, seed, grouped):
    """Random conv1d signals with channels (some in 2 groups): input, weights and bias edited
    through the API, every frame as Python draws the same values."""
    rng = np.random.default_rng(3000 + seed)
    keys = random_layer(rng, grouped)
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    watched = open_page(page("layer1d", player(frames0)))
    root = watched.player().root
    rg = encode(frames0, 0)["ed"]["rg"]
    n = len(frames0)
    for _ in range(2):
        edited = dict(keys)
        edited["image"] = random_values(rng, keys["image"].shape, *rg[0])
        edited["kernel"] = random_values(rng, keys["kernel"].shape, *rg[1], weights=True)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", edited["image"].tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", edited["kernel"].tolist())
        if "bias" in keys:
            edited["bias"] = random_values(rng, (len(keys["bias"]),), *rg[2]).tolist()
            root.evaluate("(el, v) => el.convanim.edit('bias', v)", edited["bias"])
        s = convanim.Scenario(**edited)
        assert (s.frames().width, s.frames().height) == (frames0.width, frames0.height)
        check_layer(root, s, range(n), frames0)
        check_layer_bars(root, s.frames())
    assert watched.errors == []


def test_a_scaled_conv1d_with_channels_follows_an_edit(open_page):
    """At scale 1.5 (sizes, bars and zero lines snapped as Python scales them) an edit of every
    value gives Python's frames."""
    s0 = channels_stride().restyled(scale=1.5)
    frames0 = s0.frames()
    watched = open_page(page("layer1d", player(frames0)))
    root = watched.player().root
    rg = encode(frames0, 0)["ed"]["rg"]
    rng = np.random.default_rng(11)
    image = random_values(rng, (2, 11), *rg[0])
    weights = random_values(rng, (2, 2, 3), *rg[1], weights=True)
    bias = random_values(rng, (2,), *rg[2])
    root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
    root.evaluate("(el, v) => el.convanim.edit('weight', v)", weights.tolist())
    root.evaluate("(el, v) => el.convanim.edit('bias', v)", bias.tolist())
    s = channels_stride(image, weights, bias).restyled(scale=1.5)
    check_layer(root, s, range(len(frames0)), frames0)
    check_layer_bars(root, s.frames())
    assert watched.errors == []


@pytest.mark.parametrize(
    ("seed", "flip"), [(seed, False) for seed in range(20)] + [(seed, True) for seed in range(8)]
)
def test_a_signal_layer_s_slots_are_its_texts_and_its_program_sums_as_numpy(seed, flip):
    """A conv1d with channels (random geometry, groups, bias; flipped or not): the layer program
    gives the output to the last bit, every value-dependent text and readout is its slot's text,
    and the given weights in the order of the weights that slide are those weights."""
    keys = random_layer(np.random.default_rng(4000 + seed + 100 * flip), seed % 4 == 3, flip)
    s = convanim.Scenario(**keys)
    frames = s.frames()
    slots = frames.layer
    v = slots.values
    assert slots.given.ravel()[slots.order].tobytes() == v.weights.ravel().tobytes()
    assert slots.given.tobytes() == np.asarray(keys["kernel"], dtype=float).tobytes()
    out, sums = evaluate(v.program, v.grid, v.weights, v.bias)
    assert out.tobytes() == s.output().ravel().tobytes()
    assert sums.tobytes() == v.sums.tobytes()
    for item, recipe in slots.items:
        if isinstance(recipe, tuple) and recipe[0] in ("si", "so"):
            assert not slots.texts or frames.items[item + 1].shape.text == sl.layer_text(recipe, v)
        elif not (isinstance(recipe, tuple) and recipe[0] in ("bi", "bo", "zi", "zo")):
            assert frames.items[item].shape.text == sl.layer_text(recipe, v), recipe
    for frame, step, recipe in slots.readouts:
        assert frames.frames[frame].readout == sl.layer_text(recipe, v, step)


def test_a_one_channel_conv1d_with_a_bias_is_edited_as_a_layer(open_page):
    """A 1-D signal and kernel with a bias (drawn with its map's name and Σ, as a layer of one
    filter): the input and weights in their 1-D shapes and the bias edited through the API."""
    keys = dict(
        title="conv1d with a bias",
        operation="conv1d",
        image={"values": [3, 1, 4, 1, 5, 9, 2, 6, 5]},
        kernel={"values": [0.5, -1, 0.25]},
        bias=[0.5],
        padding=1,
    )
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    watched = open_page(page("bias1d", player(frames0)))
    root = watched.player().root
    rg = encode(frames0, 0)["ed"]["rg"]
    rng = np.random.default_rng(3)
    image = random_values(rng, (9,), *rg[0])
    kernel = random_values(rng, (3,), *rg[1], weights=True)
    bias = random_values(rng, (1,), *rg[2])
    root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
    root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel.tolist())
    root.evaluate("(el, v) => el.convanim.edit('bias', v)", bias.tolist())
    edited = keys | {"image": {"values": image.tolist()}, "kernel": {"values": kernel.tolist()}}
    s = convanim.Scenario(**edited | {"bias": bias.tolist()})
    check_layer(root, s, range(len(frames0)), frames0)
    check_layer_bars(root, s.frames())
    assert watched.errors == []


@pytest.mark.parametrize("seed", range(6))
def test_random_flipped_conv1d_edits_give_pythons_frames(open_page, seed):
    """A flipped conv1d (true convolution) on one channel: input and weights (as the scenario gives
    them) edited through the API, every frame as Python draws the edited values, the turn frames'
    given weights and the alt text's included."""
    rng = np.random.default_rng(2500 + seed)
    keys = random_signal(rng, flip=True)
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    assert frames0.slots.flip
    watched = open_page(page("flip1d", player(frames0)))
    root = watched.player().root
    (ilo, ihi), (wlo, whi) = encode(frames0, 0)["ed"]["rg"]
    n = len(frames0)
    check(watched, s0, range(n))
    for _ in range(2):
        image = random_values(rng, (len(keys["image"]["values"]),), ilo, ihi)
        kernel = random_values(rng, (len(keys["kernel"]["values"]),), wlo, whi, weights=True)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel.tolist())
        s = convanim.Scenario(
            **keys | {"image": {"values": image.tolist()}, "kernel": {"values": kernel.tolist()}}
        )
        frames = s.frames()
        assert (frames.width, frames.height, frames.slots.sizes) == (
            frames0.width,
            frames0.height,
            frames0.slots.sizes,
        )
        check(watched, s, range(n))
        check_bars(root, frames)
    assert watched.errors == []


def test_ui_edits_a_flipped_conv1d_s_weights_where_they_are_drawn(open_page):
    """A flipped conv1d: a weight clicked on the turn frame that shows the kernel as given, and one
    clicked after it is reversed, each edit the given weight drawn there; every frame follows."""
    keys = dict(
        title="true convolution",
        operation="conv1d",
        image={"values": [3, 1, 4, 1, 5, 9, 2, 6]},
        kernel={"values": [1, 0.5, -1]},
        flip=True,
        padding=1,
    )
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    watched = open_page(page("flip1d", player(frames0)))
    root = watched.player().root
    n = len(frames0)
    kernel = [1, 0.5, -1]
    for frame, drawn, given, value in ((1, 0, 0, 0.25), (2, 0, 2, 0.75), (5, 1, 1, -0.75)):
        root.evaluate(f"el => el.convanim.show({frame})")
        # the weight drawn at tap ``drawn`` of this frame: the given weight ``given``
        cells = root.locator('.convanim-stage [role="button"][data-edit^="weight"]').filter(visible=True)
        xs = cells.evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().x, e.getAttribute('data-edit')])"
        )
        assert len(xs) == 3
        assert sorted(xs)[drawn][1] == f"weight {given}"
        root.locator(f'[role="button"][data-edit="weight {given}"]').filter(visible=True).click()
        root.locator(".convanim-editor input").fill(str(value))
        root.locator(".convanim-editor input").press("Enter")
        kernel[given] = value
        s = convanim.Scenario(**keys | {"kernel": {"values": kernel}})
        assert root.evaluate("el => el.convanim.frame()") == frame
        check(watched, s, range(n))
    shown = root.evaluate("el => { el.convanim.show(1); return el.convanim.texts(); }")
    assert [t for t in shown if t in ("1/4", "\u22123/4", "3/4")] == ["1/4", "\u22123/4", "3/4"]  # as given
    root.page.screenshot(path="/tmp/sigflip_one.png")
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, range(n))
    assert watched.errors == []


@pytest.mark.parametrize(("seed", "grouped"), [(seed, seed % 3 == 2) for seed in range(4)])
def test_random_flipped_conv1d_layers_edited_through_the_api(open_page, seed, grouped):
    """Random flipped conv1d signals with channels (some in 2 groups, some with a bias): input,
    weights as the scenario gives them, and bias edited through the API, every frame as Python
    draws the same values."""
    rng = np.random.default_rng(3500 + seed)
    keys = random_layer(rng, grouped, flip=True)
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    watched = open_page(page("flip1d", player(frames0)))
    root = watched.player().root
    rg = encode(frames0, 0)["ed"]["rg"]
    n = len(frames0)
    check_layer(root, s0, range(n), frames0)
    for _ in range(2):
        edited = dict(keys)
        edited["image"] = random_values(rng, keys["image"].shape, *rg[0])
        edited["kernel"] = random_values(rng, keys["kernel"].shape, *rg[1], weights=True)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", edited["image"].tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", edited["kernel"].tolist())
        if "bias" in keys:
            edited["bias"] = random_values(rng, (len(keys["bias"]),), *rg[2]).tolist()
            root.evaluate("(el, v) => el.convanim.edit('bias', v)", edited["bias"])
        s = convanim.Scenario(**edited)
        assert (s.frames().width, s.frames().height) == (frames0.width, frames0.height)
        check_layer(root, s, range(n), frames0)
        check_layer_bars(root, s.frames())
    assert watched.errors == []


def random_transposed(rng: np.random.Generator) -> dict:
    """Keys of a random one-channel conv_transpose1d (drawn as its direct convolution), retried
    until valid and editable."""
    while True:
        n, k, stride = int(rng.integers(3, 9)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        keys = {
            "title": f"conv_transpose1d, {k} taps",
            "operation": "conv_transpose1d",
            "image": {"values": rng.integers(int(rng.choice([0, -3])), 10, size=n).tolist()},
            "kernel": {"values": (np.round(rng.uniform(-2, 2, size=k) * 4) / 4).tolist()},
            "stride": stride,
            "padding": int(rng.integers(0, k)),
            "dilation": int(rng.integers(1, 3)),
            "output_padding": int(rng.integers(0, stride)),
        }
        try:
            s = convanim.Scenario(**keys)
        except ScenarioError:
            continue
        if s.frames().slots is not None:
            return keys


@pytest.mark.parametrize("seed", range(6))
def test_random_conv_transpose1d_edits_give_pythons_frames(open_page, seed):
    """A conv_transpose1d drawn as a direct convolution (zeros between the samples, the kernel
    reversed): input and weights as the scenario gives them edited through the API, every frame as
    Python draws the edited values."""
    rng = np.random.default_rng(2700 + seed)
    keys = random_transposed(rng)
    s0 = convanim.Scenario(**keys)
    frames0 = s0.frames()
    assert frames0.slots.flip
    watched = open_page(page("tr1d", player(frames0)))
    root = watched.player().root
    (ilo, ihi), (wlo, whi) = encode(frames0, 0)["ed"]["rg"]
    n = len(frames0)
    check(watched, s0, range(n))
    for _ in range(2):
        image = random_values(rng, (len(keys["image"]["values"]),), ilo, ihi)
        kernel = random_values(rng, (len(keys["kernel"]["values"]),), wlo, whi, weights=True)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel.tolist())
        s = convanim.Scenario(
            **keys | {"image": {"values": image.tolist()}, "kernel": {"values": kernel.tolist()}}
        )
        frames = s.frames()
        assert (frames.width, frames.height, frames.slots.sizes) == (
            frames0.width,
            frames0.height,
            frames0.slots.sizes,
        )
        check(watched, s, range(n))
        check_bars(root, frames)
    assert watched.errors == []


def test_ui_edits_conv_transpose1d_stride2(open_page):
    """animations/conv_transpose1d_stride2.toml: a sample and the reversed weight drawn first under
    the window (the given weight 2) clicked, typed, Enter; every frame follows; reset."""
    s0 = convanim.load(ROOT / "animations" / "conv_transpose1d_stride2.toml")
    frames0 = s0.frames()
    watched = open_page(page("tr1d", player(frames0)))
    root = watched.player().root
    n = len(frames0)
    check(watched, s0, range(n))
    root.evaluate("el => el.convanim.show(4)")
    cells = root.locator('.convanim-stage [role="button"][data-edit^="weight"]').filter(visible=True)
    xs = cells.evaluate_all("els => els.map(e => [e.getBoundingClientRect().x, e.getAttribute('data-edit')])")
    assert [w for _, w in sorted(xs)] == ["weight 2", "weight 1", "weight 0"]
    cells.first.click()
    root.locator(".convanim-editor input").fill("-0.5")
    root.locator(".convanim-editor input").press("Enter")
    root.locator('[role="button"][data-edit="input 3"]').click()
    root.locator(".convanim-editor input").fill("2.5")
    root.locator(".convanim-editor input").press("Enter")
    s = convanim.load(
        ROOT / "animations" / "conv_transpose1d_stride2.toml",
        image={"values": [1, 3, 2, 2.5, 1, 2]},
        kernel={"values": [1, 2, -0.5]},
    )
    assert root.evaluate("el => el.convanim.frame()") == 4
    check(watched, s, range(n))
    check_bars(root, s.frames())
    root.page.screenshot(path="/tmp/sigflip_transposed.png")
    root.locator('button[data-act="reset"]').click()
    check(watched, s0, range(n))
    assert watched.errors == []


def test_ui_edits_a_flipped_conv1d_with_channels_where_its_weights_are_drawn(open_page):
    """conv1d_channels_stride flipped: on the turn frame that shows filter 0 as given, its first
    drawn weight of plane 0 is weight[0][0][0]; once reversed, weight[0][0][2]; each edited
    through the inline editor, every frame as Python draws the same values."""
    s0 = load_channels(flip=True)
    frames0 = s0.frames()
    assert frames0.layer is not None
    watched = open_page(page("flip1d", player(frames0)))
    root = watched.player().root
    n = len(frames0)
    weights = s0.stages[0].kernel.values[:, :, 0].copy()
    for frame, given, value in ((1, 0, 0.25), (2, 2, -0.5)):
        root.evaluate(f"el => el.convanim.show({frame})")
        cells = root.locator('.convanim-stage [role="button"][data-edit^="weight"]').filter(visible=True)
        at = cells.evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().y, e.getBoundingClientRect().x, e.getAttribute('data-edit')])"
        )
        assert len(at) == 6  # filter 0's 3 taps in each of the 2 planes
        assert sorted(at)[0][2] == f"weight {given}"
        root.locator(f'[role="button"][data-edit="weight {given}"]').filter(visible=True).click()
        root.locator(".convanim-editor input").fill(str(value))
        root.locator(".convanim-editor input").press("Enter")
        weights[0, 0, given] = value
        s = load_channels(
            flip=True,
            image={"values": s0.image.values[:, 0].tolist(), "names": list(s0.image.names)},
            filters=[
                {"values": f.tolist(), "bias": float(b)}
                for f, b in zip(weights, s0.stages[0].bias, strict=True)
            ],
        )
        assert root.evaluate("el => el.convanim.frame()") == frame
        check_layer(root, s, range(n), frames0)
    root.page.screenshot(path="/tmp/sigflip_channels.png")
    assert watched.errors == []
