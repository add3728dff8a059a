"""Editing in Chromium on random single-stage scenarios (issue 16's "done when"): random geometry
(sizes, stride, padding and its mode, dilation, the flip, a transposed convolution's direct view,
an average pool), random values through the JS API and through the inline editor, each checked
against Python's ``Scenario`` with the same values: the output to the last bit, the texts and
font sizes of several frames, the readout and the alt text."""

from __future__ import annotations

import numpy as np
import pytest

import convanim
from convanim.errors import ScenarioError
from convanim.export.html import page, player
from convanim.export.playerdata import encode

from .test_editing import check, random_values

SEEDS = range(16)


def random_scenario(rng: np.random.Generator) -> tuple[dict, convanim.Scenario]:
    """Keys of a random editable scenario (kernel given as values, so its title names no preset
    and an edit keeps the layout Python would choose) and the scenario; retried until valid."""
    while True:
        h, w = (int(v) for v in rng.integers(3, 7, size=2))
        kind = rng.choice(["conv2d", "conv2d", "flip", "direct", "avg_pool2d"])
        keys: dict = {"image": {"values": rng.integers(-3, 10, size=(h, w)).tolist()}}
        if kind == "avg_pool2d":
            k = int(rng.integers(2, 4))
            keys |= {"operation": "avg_pool2d", "kernel_size": k, "stride": int(rng.integers(1, 3))}
            keys |= {"padding": int(rng.integers(0, k // 2 + 1)), "count_include_pad": bool(rng.integers(2))}
        else:
            kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
            keys["kernel"] = {"values": (np.round(rng.uniform(-2, 2, size=(kh, kw)) * 4) / 4).tolist()}
            keys["stride"] = [int(v) for v in rng.integers(1, 3, size=2)]
            keys["dilation"] = int(rng.integers(1, 3))
            if kind == "direct":
                keys |= {"operation": "conv_transpose2d", "transpose_view": "direct"}
                keys["padding"] = int(rng.integers(0, 2))
            else:
                keys["padding"] = int(rng.integers(0, 3))
                keys["padding_mode"] = str(rng.choice(["zeros", "reflect", "replicate", "circular"]))
                keys["flip"] = kind == "flip"
        try:
            s = convanim.Scenario(**keys)
        except ScenarioError:  # a geometry that leaves no output, or a mode that needs more image
            continue
        if s.frames().slots is not None:
            return keys, s


def with_values(keys: dict, image: np.ndarray | None, kernel: np.ndarray | None) -> convanim.Scenario:
    edited = dict(keys)
    if image is not None:
        edited["image"] = {"values": image.tolist()}
    if kernel is not None:
        edited["kernel"] = {"values": kernel.tolist()}
    return convanim.Scenario(**edited)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_scenarios_edited_through_the_api_and_the_editor(open_page, seed):
    rng = np.random.default_rng(1000 + seed)
    keys, s0 = random_scenario(rng)
    watched = open_page(page("random", player(s0.frames())))
    root = watched.player().root
    ed = encode(s0.frames(), 0)["ed"]
    (ilo, ihi), (wlo, whi) = ed["rg"]
    pool = keys.get("operation") == "avg_pool2d"
    n = len(s0.frames())
    frames = sorted({0, 1, n // 2, n - 1})
    image = np.array(s0.image.values[0], dtype=float)
    kernel = None if pool else np.array(keys["kernel"]["values"], dtype=float)
    for _ in range(2):  # the API: the whole input, then the whole kernel
        image = random_values(rng, image.shape, ilo, ihi)
        root.evaluate("(el, v) => el.convanim.edit('input', v)", image.tolist())
        if not pool:
            kernel = random_values(rng, kernel.shape, wlo, whi, weights=True)
            root.evaluate("(el, v) => el.convanim.edit('weight', v)", kernel.tolist())
        check(watched, with_values(keys, image, kernel), frames)
    # the editor, on a step's frame (the kernel shows): click a cell, type a value, Enter
    root.evaluate(f"el => el.convanim.show({n // 2})")
    cell = int(rng.integers(image.size))
    value = float(random_values(rng, (1,), ilo, ihi)[0])
    root.locator(f'[role="button"][data-edit="input {cell}"]').filter(visible=True).first.click()
    root.locator(".convanim-editor input").fill(repr(value))
    root.locator(".convanim-editor input").press("Enter")
    image.flat[cell] = value
    if not pool:  # and a weight
        j = int(rng.integers(kernel.size))
        value = float(random_values(rng, (1,), wlo, whi, weights=True)[0])
        root.locator(f'[data-edit="weight {j}"]').filter(visible=True).first.click()
        root.locator(".convanim-editor input").fill(repr(value))
        root.locator(".convanim-editor input").press("Enter")
        kernel.flat[j] = value
    check(watched, with_values(keys, image, kernel), frames)
    if ed.get("ps"):  # a preset from the menu
        preset = str(rng.choice(sorted(ed["ps"])))
        root.locator('select[data-act="preset"]').select_option(preset)
        given = {
            "image": {"values": image.tolist()},
            "kernel": {"preset": preset, "size": list(kernel.shape)},
        }
        expected = convanim.Scenario(**(keys | given))
        if ed["tx"] or not expected.frames().slots.texts:
            check(watched, expected, frames)
        else:  # a page built with its values off (too wide) has no texts to show them in
            got = root.evaluate("el => el.convanim.output()")
            assert np.array(got, dtype=float).tobytes() == expected.output().tobytes()
    assert watched.errors == []
