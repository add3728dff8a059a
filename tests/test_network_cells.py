"""Any cell of a network (frames/network_cells.py): every map's values as written, each
convolution's taps, and the text of a cell, in Python and as the player (templates/network.js)
writes it in Chromium for random cells picked with the keyboard and the pointer."""

from __future__ import annotations

import random

import numpy as np
import pytest

import convanim
from convanim.detail import window
from convanim.export.html import details, page, player
from convanim.frames import network as network_frames
from convanim.frames.base import paren
from convanim.frames.network import NetworkBuilder
from convanim.frames.network_cells import BUDGET, number, shipped, text, written
from convanim.numfmt import formatter

from .test_frames_network import (
    TEXT_OUTSIDE,
    cells_ready,
    long_chain,
    picture_texts,
    shown_value,
    small_net,
    step_texts,
)

torch = pytest.importorskip("torch")
nn = torch.nn

GALLERY = ("network_rgb_photo", "network_resnet_block", "network_unet", "network_autoencoder")


def padded_model() -> convanim.Scenario:
    """Reflect and circular padding, groups and dilation, and a transposed convolution (its
    zero-inserted direct form) in one traced model, float64."""
    torch.manual_seed(7)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=2, padding_mode="reflect"),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2, padding_mode="circular"),
        nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1),
    ).double()
    x = torch.rand(2, 7, 7, dtype=torch.float64) * 4 - 2
    return convanim.from_torch(model, x, render={"view": "network"})


def test_a_page_carries_maps_within_its_budget_leaving_out_the_largest_no_convolution_needs():
    rng = np.random.default_rng(0)
    fmt = formatter(None, np.zeros(1), least=2)
    maps = [written(rng.normal(size=(2, 40, 40)) * 100, 2, fmt) for _ in range(3)]
    maps.append(written(np.maximum(maps[2].ints / 100, 0), 2, fmt))  # a ReLU of map 2
    sources = [(0,), (1,), (2,)]
    full = shipped(maps, sources, keep={0, 1})
    sizes = [len(m.packed) for m in full]
    assert full[3].derived == ("+", 2) and sizes[3] == 0 and all(m.derived is None for m in full[:3])
    cut = shipped(maps, sources, keep={0, 1}, budget=sum(sizes) - 1)
    # map 2 (no convolution's) left out; its ReLU, derived from it, packed itself
    assert cut[2] is None and cut[3].derived is None and np.array_equal(cut[3].ints, maps[3].ints)
    assert [j for j, m in enumerate(shipped(maps, sources, keep={0, 1}, budget=0)) if m is None] == [
        0,
        1,
        2,
        3,
    ]


def test_a_network_written_with_a_format_spec_ships_only_its_sampled_cells():
    frames = small_net(number_format=".3g").frames()
    assert not any(frames.cells.maps) and "a" not in details(frames)["nd"]


def test_numbers_are_written_from_integers():
    assert [number(q, d) for q, d in ((1234, 2), (-5, 2), (0, 2), (7, 0), (-120, 1))] == [
        "12.34", "\u22120.05", "0.00", "7", "\u221212.0",
    ]  # fmt: skip


def test_written_values_are_the_formatter_s_text_even_at_ties():
    """Rounded in float away from ties; by the formatter itself near one (it rounds the shortest
    decimal: 2.675 is 2.67499999… in binary, and reads "2.68")."""
    values = np.array([[[0.125, 2.675, -0.005, 1.005, -0.0025, 0.0, -1e-9, 123.456, -7.5]]])
    fmt = formatter(None, values)
    w = written(values, 2, fmt)
    assert [w.text((0, 0, k)) for k in range(values.shape[2])] == [fmt(v) for v in values.ravel()]
    assert written(np.array([[[np.inf]]]), 0, fmt) is None


@pytest.mark.parametrize("name", GALLERY)
def test_every_cell_of_a_gallery_network_is_written_as_its_map_writes_it(name):
    b = NetworkBuilder(convanim.load(f"animations/{name}.toml"))
    cells = b.any_cell()
    for j, values in enumerate(b.values):
        m = cells.maps[j]
        got = [number(int(q), m.decimals) for q in m.ints.ravel().tolist()]
        assert got == [b.fmts[j](v) for v in values.ravel().tolist()]


def test_a_cell_s_text_is_its_window_its_weights_its_bias_and_the_model_s_value():
    """Padding cells of reflect and circular modes and a transposed convolution's zero-inserted
    cells read what detail.window reads; the value is the model's float64 value as written."""
    s = padded_model()
    b = NetworkBuilder(s)
    cells = b.any_cell()
    rng = random.Random(0)
    for j in (1, 3, 4):
        st = s.stages[j - 1]
        values = b.values[j]
        c, h, w = values.shape
        picks = [(0, 0, 0), (c - 1, h - 1, w - 1)] + [
            (rng.randrange(c), rng.randrange(h), rng.randrange(w)) for _ in range(6)
        ]
        for cell in picks:
            win = window(st, b.values[j - 1], cell)
            labels = cells.stages[j - 1].labels[cell[0]]
            fmt_in = b.fmts[j - 1]
            terms = [
                f"{paren(label)}\u00b7{paren(fmt_in(x))}"
                for label, x in zip(labels, win.values.ravel().tolist(), strict=True)
            ]
            shown = terms if len(terms) <= 7 else [*terms[:6], "\u2026", terms[-1]]
            bias = cells.stages[j - 1].bias[cell[0]]
            where = f"{b.names[j]}[{cell[0]}][{cell[1]},{cell[2]}]"
            value = b.fmts[j](values[cell])
            assert text(cells, j, cell) == (
                f"{where} = {' + '.join([*shown, f'bias {bias}'])} = {value} ({b.stage_lines(j - 1)[0]} of "
                f"{b.names[j - 1]})"
            )
            assert win.value == pytest.approx(values[cell], abs=1e-12)
    assert (
        text(cells, 2, (1, 3, 4))
        == f"{b.names[2]}[1][3,4] = {b.fmts[2](b.values[2][1, 3, 4])}: ReLU of {b.names[1]}"
    )


def test_convolutions_past_the_weight_budget_are_written_as_value_and_operation(monkeypatch):
    """The first convolution's 2·4·9 = 72 weights fit a budget of 100; the next's 72 do not: its
    cells are written as their value and operation (no labels shipped), as a ReLU's are."""
    import convanim.frames.network as network

    monkeypatch.setattr(network, "WEIGHT_BUDGET", 100)
    s = padded_model()
    b = NetworkBuilder(s)
    cells = b.any_cell()
    assert len(cells.stages[0].labels) == 4 and cells.stages[2].labels == ()
    assert " + bias " in text(cells, 1, (0, 0, 0))  # its sum, term by term
    value = b.fmts[3](b.values[3][1, 2, 3])
    assert (
        text(cells, 3, (1, 2, 3)) == f"{b.names[3]}[1][2,3] = {value}: {b.stage_lines(2)[0]} of {b.names[2]}"
    )


def test_the_island_ships_every_map_deflated_and_the_taps_as_tables():
    frames = small_net().frames()
    a = details(frames)["nd"]["a"]
    # [C, H, W, decimals, bytes a value, offset, length]; r is a's ReLU: derived from it ("+")
    assert a["m"] == [
        [1, 6, 6, 0, 1, 0, 38],
        [2, 6, 6, 2, 2, 38, 130],
        [2, 6, 6, 2, "+", 1],
        [2, 6, 6, 2, 2, 168, 132],
    ]
    assert a["st"][0][:10] == [0, [-1, 0, 1, 2, 3, 4, 5, -1], [-1, 0, 1, 2, 3, 4, 5, -1], 1, 1, 1, 1, 3, 3, 1]
    assert a["st"][1:] == [[1], [-1]]
    assert a["r"][2] == [["w"], " = ", ["v"], ": ReLU of a"]


# ---------------------------------------------------------------- in Chromium


def _pick_with_keys(root, j: int, cell: tuple[int, int, int]) -> None:
    """Choose map j and the cell in the "Any cell" controls, as a keyboard user does."""
    root.locator('.convanim-anycell select[data-part="map"]').select_option(str(j))
    for part, v in zip(("channel", "row", "column"), cell, strict=True):
        box = root.locator(f'.convanim-anycell input[data-part="{part}"]')
        box.fill(str(v))
        box.press("Tab")  # the change is committed when focus leaves


@pytest.mark.parametrize("name", [*GALLERY, "padded", "folded"])
def test_any_cell_picked_with_the_keyboard_or_the_pointer_shows_python_s_text(open_page, name, monkeypatch):
    if name == "folded":  # 49 maps: conv and batch norm folded into their ReLU's column
        monkeypatch.setattr(network_frames, "PANEL_SIDES", (32,))  # a shorter layout search
        s = long_chain(16)
    else:
        s = padded_model() if name == "padded" else convanim.load(f"animations/{name}.toml")
    frames = s.frames()
    b = NetworkBuilder(s)
    watched = open_page(page(name, player(frames)), width=1920, height=1080)
    root = watched.player().root
    cells_ready(watched)
    out = root.locator(".convanim-detail-text")
    drawn = {(m.map, m.channel) for m in frames.maps}
    rng = random.Random(name)
    stepped = 0
    for n in range(8):
        convs = [i + 1 for i, p in enumerate(frames.cells.pictures) if p is not None]
        j = rng.choice(convs) if n % 2 and convs else rng.randrange(len(b.values))
        c, h, w = b.values[j].shape
        cell = (rng.randrange(c), rng.randrange(h), rng.randrange(w))
        _pick_with_keys(root, j, cell)
        said = out.text_content()
        assert said == text(frames.cells, j, cell)
        assert root.get_attribute("data-detail") == ",".join(map(str, (j, *cell)))
        assert shown_value(said) == pytest.approx(b.values[j][cell], abs=0.0051)
        # its receptive field lit, as when pointed at (a channel not drawn: in the earlier maps)
        assert root.get_attribute("data-field") == ",".join(map(str, (j, *cell)))
        lit = watched.page.evaluate(
            "() => Array.from(document.querySelectorAll('.convanim-field rect')).map(r => +r.dataset.map)"
        )
        assert set(lit) == ({j} if (j, cell[0]) in drawn else set()) | {m for m in lit if m < j}
        assert j == 0 or (j, cell[0]) in drawn or any(m < j for m in lit)
        # a convolution's cell: its step drawn from its stage's step picture, as Python draws it
        if j and frames.cells.pictures[j - 1] is not None:
            assert step_texts(watched) == picture_texts(b.detail(j, cell))
            stepped += 1
            assert watched.page.evaluate(TEXT_OUTSIDE, ".convanim-steps .convanim-stage > svg") == 0
        else:
            assert step_texts(watched) is None
    assert stepped >= 4 or not any(frames.cells.pictures)
    # pointed at: random cells of drawn channels of whole-pixel cells
    watched.page.evaluate("() => scrollTo(0, 0)")
    box = root.locator(".convanim-stage > svg").bounding_box()
    k = box["width"] / frames.width
    grids = [m for m in frames.maps if m.grid.cell * k >= 1]
    assert grids
    for m in rng.sample(grids, min(4, len(grids))):
        g = m.grid
        r, col = rng.randrange(g.rows), rng.randrange(g.cols)
        watched.page.mouse.move(
            box["x"] + (g.x + (col + 0.5) * g.cell) * k, box["y"] + (g.y + (r + 0.5) * g.cell) * k
        )
        assert root.get_attribute("data-detail") == f"{m.map},{m.channel},{r},{col}"
        assert out.text_content() == text(frames.cells, m.map, (m.channel, r, col))
    # the detail's text wraps inside its panel, the panel inside the page
    assert watched.page.evaluate(
        """() => { const p = document.querySelector('.convanim-detail'), t = p.querySelector('.convanim-detail-text');
        return t.scrollWidth <= t.clientWidth && p.getBoundingClientRect().right <= document.documentElement.clientWidth; }"""
    )
    watched.page.screenshot(path=f"/tmp/anycell_{name}.png", full_page=True)
    watched.assert_clean()


def test_a_noise_filled_resnet_stem_at_real_size_stays_under_5_mb():
    """3×224×224 uniform noise through Conv2d(3, 64, 7, 2, 3), BN, ReLU, max pool: values that
    deflate worst. The page carries the input's and the conv's values (every cell of them has its
    sum), the ReLU's derived from the batch norm's if that fits, within the budget."""
    torch.manual_seed(0)
    model = (
        nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        .double()
        .eval()
    )
    x = torch.rand(3, 224, 224, dtype=torch.float64) * 255
    s = convanim.from_torch(model, x, render={"view": "network"})
    frames = s.frames()
    html = page("stem", player(frames)).encode()
    assert len(html) < 5_000_000
    kept = [j for j, m in enumerate(frames.cells.maps) if m is not None]
    assert {0, 1} <= set(kept)  # the conv's input and output: its sums
    packed = sum(len(m.packed) for m in frames.cells.maps if m is not None)
    assert packed <= BUDGET


def test_a_7x7_stem_s_cells_draw_their_pairwise_summed_step_with_no_values_drawn(open_page):
    """A ResNet stem's 7×7 window: numpy adds its 49 products pairwise, which the step picture
    follows; its cells are too small for their values (colours only), so the page must not hide
    the items that follow them (the planes' names, the output's)."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(3, 4, 7, stride=2, padding=3), nn.ReLU()).double().eval()
    x = torch.rand(3, 20, 20, dtype=torch.float64) * 255
    s = convanim.from_torch(model, x, render={"view": "network"})
    frames = s.frames()
    step = frames.cells.pictures[0]
    assert step is not None and step.frames.layer.values.program.order == "pairwise"
    assert not step.frames.layer.texts and step.weights.shape == (4, 3, 7, 7)
    b = NetworkBuilder(s)
    watched = open_page(page("stem", player(frames)), width=1920, height=1080)
    root = watched.player().root
    cells_ready(watched)
    for cell in ((0, 0, 0), (3, 9, 4), (2, 5, 9)):
        _pick_with_keys(root, 1, cell)
        shown = step_texts(watched)
        assert shown == picture_texts(b.detail(1, cell))
        assert {"in[0]", "in[1]", "in[2]", "out[0]"} <= set(shown)
    watched.assert_clean()


def test_each_group_of_a_grouped_convolution_shows_its_own_step_picture(open_page):
    """The padded model's grouped convolution (4 → 4, 2 groups): a cell of each group is drawn by
    its group's picture, its planes named after the channels that group reads, as Python's."""
    s = padded_model()
    frames = s.frames()
    b = NetworkBuilder(s)
    j = 3  # the grouped convolution's map
    assert frames.cells.pictures[j - 1] is not None and len(frames.cells.pictures[j - 1].others) == 1
    watched = open_page(page("grouped", player(frames)), width=1920, height=1080)
    root = watched.player().root
    cells_ready(watched)
    for cell in ((0, 1, 2), (3, 2, 1), (2, 0, 0), (1, 2, 2)):
        _pick_with_keys(root, j, cell)
        shown = step_texts(watched)
        assert shown == picture_texts(b.detail(j, cell))
        planes = ["in" not in t and t.startswith("ch ") and t for t in shown]
        assert [t for t in planes if t] == (["ch 0", "ch 1"] if cell[0] < 2 else ["ch 2", "ch 3"])
