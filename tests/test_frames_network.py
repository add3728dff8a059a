"""The network view (frames/network.py): a graph's maps as columns of channel pictures, the
operations and skip connectors between them, stage by stage; one cell's numbers (detail.py) as
PyTorch computes them; the player's detail and receptive field in Chromium."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim import style
from convanim.cli import main
from convanim.dependence import receptive_field
from convanim.detail import window
from convanim.display import Hatch, Picture, Rect, Text
from convanim.errors import ScenarioError
from convanim.export.html import details, page, player
from convanim.export.playerdata import encode
from convanim.frames import network as network_frames
from convanim.frames.network import NetworkBuilder, op_lines, ranked_channels

from .test_cone import hover_cells
from .test_legible import too_small
from .test_text_fits import outside
from .test_themes import text_grounds

torch = pytest.importorskip("torch")
nn = torch.nn

LAPLACE = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]


def small_net(**render) -> convanim.Scenario:
    """conv (2 filters) → ReLU → add(ReLU, conv): a skip from the conv to the add."""
    return convanim.Scenario(
        title="A small network",
        image=np.arange(36.0).reshape(6, 6),
        stages=[
            {
                "name": "a",
                "operation": "conv2d",
                "filters": [{"values": LAPLACE, "bias": 0}, {"preset": "mean", "bias": 1}],
                "padding": 1,
            },
            {"name": "r", "operation": "relu"},
            {"name": "sum", "operation": "add", "inputs": ["r", "a"]},
        ],
        render={"view": "network", **render},
    )


def texts(frames, k: int) -> set[str]:
    return {s.text for s in frames.visible(k) if isinstance(s, Text)}


# ---------------------------------------------------------------- the picture


def test_a_small_graph_s_columns_texts_and_frames():
    s = small_net()
    frames = s.frames()
    assert s.network and len(frames) == s.n_frames == 5  # poster, a stage a frame, done
    assert (frames.width, frames.height) == (1118, 628)
    # every map a column of its channels, most varied first (r: channel 1, then 0)
    assert [(m.map, m.channel, m.grid.x, m.grid.y, m.grid.cell) for m in frames.maps] == [
        (0, 0, 20.0, 114.0, 32),
        (1, 0, 317.05, 114.0, 32),
        (1, 1, 317.05, 330.0, 32),
        (2, 1, 601.05, 114.0, 32),
        (2, 0, 601.05, 330.0, 32),
        (3, 0, 885.05, 114.0, 32),
        (3, 1, 885.05, 330.0, 32),
    ]
    chrome = {"A small network", "input", "1×6×6", "in[0]", "1. a", "2. r", "3. sum", "2×6×6", "ch 0", "ch 1"}
    ops = {"conv 3×3, 2", "pad 1", "ReLU", "add (+)", "r, a", "a \u2192 sum"}
    assert chrome | ops | {"3 stages", "3 stages: input 1×6×6 \u2192 output 2×6×6"} == texts(frames, 0)
    assert {"stage 2 / 3", "2. r = ReLU of a \u2192 2×6×6"} <= texts(frames, 2)
    assert {"done", "output 2×6×6: min \u221277.00, max 58.00"} <= texts(frames, 4)
    assert [f.readout for f in frames.frames][1:4] == [
        "1. a = conv 3×3, 2 of input \u2192 2×6×6",
        "2. r = ReLU of a \u2192 2×6×6",
        "3. sum = add (+) of r, a \u2192 2×6×6",
    ]


def test_each_map_is_hatched_until_its_stage_s_frame_then_drawn_in_its_colours():
    s = small_net()
    frames = s.frames()
    builder = NetworkBuilder(s)
    for m in frames.maps:
        g = m.grid
        inside = [
            it
            for it in frames.items
            if isinstance(it.shape, (Rect, Hatch, Picture))
            and g.x <= it.shape.x < g.x + g.cols * g.cell
            and g.y <= it.shape.y < g.y + g.rows * g.cell
            and getattr(it.shape, "fill", "hatch") is not None
        ]
        hatches = [it for it in inside if isinstance(it.shape, Hatch)]
        assert [(h.first, h.last) for h in hatches] == ([(0, m.map - 1)] if m.map else [])
        # the plane is one picture over its grid, a cell a pixel, in its map's colour scale
        [picture] = [it for it in inside if isinstance(it.shape, Picture)]
        assert (picture.first, picture.last) == (m.map, len(frames) - 1)
        p = picture.shape
        assert (p.x, p.y, p.w, p.h, p.rows, p.cols) == (g.x, g.y, 6 * 32, 6 * 32, 6, 6)
        assert not [it for it in inside if isinstance(it.shape, Rect) and it.last == len(frames) - 1]
        scale = builder.scales[m.map]
        want = scale(builder.values[m.map][m.channel])
        got = [f"#{r:02x}{gr:02x}{b:02x}" for r, gr, b in p.array().reshape(-1, 3).tolist()]
        assert got == want


def test_scaled_pictures_land_on_their_maps_grids():
    """render.scale grows each picture with its grid, whose cells stay whole pixels."""
    frames = small_net(scale=2).frames()
    pictures = {(it.shape.x, it.shape.y): it.shape for it in frames.items if isinstance(it.shape, Picture)}
    for m in frames.maps:
        p, g = pictures[(m.grid.x, m.grid.y)], m.grid
        assert (p.w, p.h, p.rows, p.cols, g.cell) == (6 * g.cell, 6 * g.cell, 6, 6, 64)


def test_the_current_stage_is_framed_and_the_skip_lit_on_its_frame():
    frames = small_net().frames()
    hl = frames.theme.highlight
    lit = [
        it
        for it in frames.items
        if getattr(it.shape, "stroke", None) == hl or getattr(it.shape, "color", 0) == hl
    ]
    assert {it.first for it in lit} == {1, 2, 3} and all(it.first == it.last for it in lit)
    skip = [it for it in lit if it.first == 3 and not isinstance(it.shape, Rect)]
    assert skip  # the connector a → sum, drawn again in the highlight on the add's frame


def test_op_lines_name_each_operation_and_its_parameters():
    x = torch.zeros(1, 3, 64, 64)
    s = convanim.from_torch(
        nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64).eval(),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1),
            nn.ConvTranspose2d(64, 8, 3, stride=2, padding=1, output_padding=1),
            nn.LeakyReLU(0.2),
        ),
        x,
    )
    assert [op_lines(st, ["x"]) for st in s.stages] == [
        ["conv 7×7 /2, 64", "pad 3"],
        ["batch norm", "a·x + b per channel"],
        ["ReLU"],
        ["max 3×3 /2", "pad 1"],
        ["convᵀ 3×3 ↑2, 8", "pad 1", "out pad 1"],
        ["leaky ReLU 0.2"],
    ]
    assert s.network  # 64×32×32 values: too many for the chain view's numbers, the network by default


def test_ranked_channels_are_the_most_varied_first():
    values = np.stack(
        [np.zeros((2, 2)), np.array([[0, 9], [9, 0]]), np.array([[0, 1], [1, 0]]), np.eye(2) * 9]
    )
    assert ranked_channels(values, 3) == [1, 3, 2]


def test_many_channels_are_summarised_and_only_drawn_ones_are_maps():
    x = torch.arange(2 * 8 * 8, dtype=torch.float64).reshape(2, 8, 8) % 7
    torch.manual_seed(0)
    s = convanim.from_torch(
        nn.Sequential(nn.Conv2d(2, 12, 3, padding=1), nn.ReLU()), x, render={"view": "network"}
    )
    frames = s.frames()
    assert "\u2026 and 8 more" in texts(frames, 0)
    assert sorted(c for m, c in ((m.map, m.channel) for m in frames.maps) if m == 1) == sorted(
        ranked_channels(s.computations[0].output, 4)
    )


@pytest.mark.parametrize("theme", list(style.THEMES))
def test_text_is_legible_projected_and_meets_aa_in_every_theme(theme):
    s = convanim.load("animations/network_unet.toml").restyled(theme=theme)
    frames = s.frames()
    assert too_small(frames) == []
    for text, fill in text_grounds(frames):
        assert style.contrast(text.color, fill) >= 4.5, (text.text, fill)
    right = max(t.x for t, _ in text_grounds(frames) if t.anchor == "start")
    assert right < frames.width
    steps = [p.frames for p in frames.cells.pictures if p is not None]
    assert len(steps) == 5  # every convolution's cells draw their step from its picture
    for step in steps:
        assert too_small(step) == []
        for text, fill in text_grounds(step):
            assert style.contrast(text.color, fill) >= 4.5, (text.text, fill)


def big_net(**render) -> convanim.Scenario:
    """Ten conv + ReLU blocks on 3×128×128: with a pixel a cell it would not fit 1.5 screens."""
    torch.manual_seed(0)
    layers = [nn.Conv2d(3, 4, 3, padding=1)]
    for _ in range(10):
        layers += [nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1)]
    model = nn.Sequential(*layers).double().eval()
    return convanim.from_torch(
        model, torch.rand(3, 128, 128, dtype=torch.float64), render={"view": "network", **render}
    )


@pytest.fixture(scope="module")
def big_frames():
    return big_net().frames()


def test_a_big_map_gets_a_fraction_of_a_pixel_a_cell_and_the_picture_fits(big_frames):
    """Pictures shrink below a pixel a cell (1/n: n cells a pixel) before channels are dropped."""
    frames = big_frames
    assert (frames.width, frames.height) == (1770, 1286)
    assert {m.grid.cell for m in frames.maps} == {1 / 3}
    assert {m.channel for m in frames.maps if m.map == 1} == {0, 1, 2, 3}  # every channel still drawn
    pictures = {(it.shape.x, it.shape.y): it.shape for it in frames.items if isinstance(it.shape, Picture)}
    for m in frames.maps:
        p = pictures[(m.grid.x, m.grid.y)]
        assert (p.rows, p.cols) == (128, 128)
        assert p.w == p.h == pytest.approx(128 / 3)
    assert too_small(frames) == []
    # the player's grids keep the cell to 4 decimals: a 128-cell row ends within 0.01 px
    grids = encode(frames, 0)["rf"]["m"]
    assert {g[6] for g in grids} == {0.3333}


def test_a_big_map_s_fractional_cells_scale_evenly():
    """At render.scale 2 a grid of cells under a pixel still spans its picture, on whole pixels."""
    frames = big_net(scale=2).frames()
    pictures = {(it.shape.x, it.shape.y): it.shape for it in frames.items if isinstance(it.shape, Picture)}
    for m in frames.maps:
        p, g = pictures[(m.grid.x, m.grid.y)], m.grid
        assert (g.cell, p.w, p.h, g.x, g.y) == (0.5, 64, 64, int(g.x), int(g.y))


def test_the_player_finds_a_fractional_cell_under_the_pointer(open_page, big_frames):
    """A click at a cell's centre (1/3 px wide: the event's coordinates set as they are, a
    MouseEvent would round them to a pixel) lights that cell's field and opens its numbers; a cell
    picked in the list is lit alike."""
    frames = big_frames
    watched = open_page(page("big", player(frames)), width=1500)
    root = watched.player().root
    cells_ready(watched)
    pick = root.locator(".convanim-detail select.convanim-sampled")
    click = """([x, y]) => { const svg = document.querySelector('.convanim-stage > svg'), box = svg.getBoundingClientRect(),
      v = svg.viewBox.baseVal, ev = new MouseEvent('click', {bubbles: true});
      Object.defineProperties(ev, {clientX: {value: box.left + x * box.width / v.width},
        clientY: {value: box.top + y * box.height / v.height}});
      svg.dispatchEvent(ev); }"""
    for n in (0, len(frames.details) // 2, len(frames.details) - 1):
        d = frames.details[n]
        pick.select_option(str(n))
        key = f"{d.map},{d.channel},{d.row},{d.col}"
        assert root.get_attribute("data-field") == key
        g = next(m.grid for m in frames.maps if (m.map, m.channel) == (d.map, d.channel))
        far = ((d.row + 7) % g.rows, (d.col + 5) % g.cols)
        watched.page.evaluate(click, [g.x + (far[1] + 0.5) * g.cell, g.y + (far[0] + 0.5) * g.cell])
        moved = f"{d.map},{d.channel},{far[0]},{far[1]}"
        assert root.get_attribute("data-field") == moved and root.get_attribute("data-detail") == moved
    watched.assert_clean()


def test_a_long_network_wraps_into_bands_within_one_and_a_half_screens():
    frames = convanim.load("animations/network_resnet_block.toml").frames()
    assert frames.width <= 2880 and frames.height <= 1620
    assert len({m.grid.y for m in frames.maps if m.channel == frames.maps[-1].channel}) > 1


# ---------------------------------------------------------------- choosing the view


def test_the_view_is_a_render_key_on_files_the_api_and_the_command_line(tmp_path, capsys):
    s = small_net()
    assert s.render.view == "network" and not s.restyled(view="chain").network
    assert s.restyled(view="auto").network is False  # a small graph: the chain view by default
    with pytest.raises(ScenarioError, match=r'render.view: must be one of .*"auto"'):
        small_net(view="grid")
    with pytest.raises(ScenarioError, match=r"render.view: .network. draws 2-D maps"):
        convanim.Scenario(
            operation="conv1d",
            image={"values": [1, 0, 2, 1]},
            kernel={"preset": "mean"},
            render={"view": "network"},
        )
    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "tiny.toml").write_text(
        "image = { values = [[1, 2, 3], [4, -5, 6], [7, 8, 9]] }\n"
        '[[stages]]\noperation = "relu"\n[[stages]]\noperation = "max_pool2d"\nkernel_size = 2\n',
        encoding="utf-8",
    )
    argv = ["-q", "--jobs", "1", "--format", "gif", "--view", "network"]
    assert main(argv, root=tmp_path) == 0
    expected = convanim.load(tmp_path / "animations" / "tiny.toml").restyled(view="network").frames()
    assert len(expected) == 4 and expected.details  # poster, relu, pool, done
    from PIL import Image

    with Image.open(tmp_path / "output" / "tiny.gif") as im:
        assert im.size == (expected.width, expected.height)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["--view", "graph"], root=tmp_path)
    assert exc.value.code == 2 and "argument --view: invalid choice: 'graph'" in capsys.readouterr().err


# ---------------------------------------------------------------- a cell's numbers


def test_details_are_the_layer_view_s_step_with_the_cell_s_value():
    s = small_net()
    frames = s.frames()
    out = {d.label: d for d in frames.details}
    assert set(out) == {
        "a ch 0 (3, 3)", "a ch 0 (5, 5)", "a ch 1 (3, 3)", "a ch 1 (4, 4)",
        "r ch 1 (3, 3)", "r ch 1 (4, 4)", "r ch 0 (3, 3)", "r ch 0 (0, 0)",
        "sum ch 0 (3, 3)", "sum ch 0 (5, 5)", "sum ch 1 (3, 3)", "sum ch 1 (4, 4)",
    }  # fmt: skip
    d = out["a ch 0 (5, 5)"]
    assert d.text == (
        "a[0][5,5] = 0·28 + 1·29 + 0·0 + 1·34 + (−4)·35 + 1·0 + … + 0·0 + bias 0 = −77.00"
        ' (conv 3×3, 2 of input) (step through a in the layer view: .stage_view("a"))'
    )
    assert s.computations[0].output[0, 5, 5] == -77
    # the player draws a's cells' steps from its step picture: the sampled ones ship none; any
    # cell's picture (what the player draws) is its stage's, fed the cell's numbers
    assert d.picture is None and frames.cells.pictures[0] is not None
    assert [p is None for p in frames.cells.pictures] == [False, True, True]
    one = NetworkBuilder(s).detail(1, (0, 5, 5))
    assert one.text == d.text and one.frame == frames.cells.pictures[0].frame == 1
    shown = [t.text for t in one.picture.visible(one.frame) if isinstance(t, Text)]
    assert shown[0] == "a: one cell's step in the layer view"
    assert shown[9:18] == ["28", "29", "0", "34", "35", "0", "0", "0", "0"]  # the window, padding read
    assert {"Σ −77", "out[0]", "−77", "filter 0 → out[0]", "+ b = 0"} <= set(shown)
    assert shown[-1] == "out[0][0,0] = 1·29 + 1·34 + (−4)·35 + 1·0 + 1·0 + 0 = −77"
    assert (
        out["sum ch 1 (4, 4)"].picture is None
        and out["sum ch 1 (4, 4)"].text == "sum[1][4,4] = 58.00: add (+) of r, a"
    )
    assert "12 sampled cells" in frames.detail_note
    assert "any cell of a also shows the layer view's picture of its step" in frames.cells.note
    island = details(frames)["nd"]
    assert "nd" not in encode(frames, 0)
    assert island["n"] == frames.detail_note and island["d"][1] == [1, 0, 5, 5, "a ch 0 (5, 5)", d.text, 0]
    step = island["a"]["sp"][0]
    assert island["a"]["sp"][1:] == [0, 0] and step["f"] == 1 and step["s"].startswith("data:image/svg+xml,")
    assert step["d"]["ed"]["js"] == "layer" and step["l"] == "a: one cell's step in the layer view"
    assert island["a"]["fw"][0][0] == 8 and island["a"]["fw"][1:] == [0, 0]  # a mean's ninths: 8 bytes each


@settings(max_examples=40, deadline=None)
@given(
    cin=st.integers(1, 3),
    groups=st.sampled_from([1, 2]),
    k=st.integers(1, 3),
    stride=st.integers(1, 2),
    pad=st.integers(0, 2),
    dil=st.integers(1, 2),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    transposed=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_a_cell_s_window_sums_to_what_pytorch_computes(
    cin, groups, k, stride, pad, dil, mode, transposed, seed
):
    torch.manual_seed(seed)
    cin *= groups
    x = torch.randn(cin, 7, 7, dtype=torch.float64)
    if transposed:
        pad = min(pad, dil * (k - 1))  # what its direct form draws
        layer = nn.ConvTranspose2d(
            cin, 2 * groups, k, stride, pad, output_padding=stride - 1, groups=groups, dilation=dil
        )
    else:
        layer = nn.Conv2d(cin, 2 * groups, k, stride, pad, dilation=dil, groups=groups, padding_mode=mode)
    layer = layer.double()
    expected = layer(x[None])[0].detach().numpy()
    big = convanim.Limits(max_frames=10**6, max_cells=10**7, max_work=10**8)  # only its stage is read
    stage = convanim.from_torch(layer, x, limits=big).stages[0]
    for cell in [(0, 0, 0), tuple(int(v) - 1 for v in expected.shape), (1, expected.shape[1] // 2, 1)]:
        w = window(stage, x.numpy(), cell)
        assert w is not None
        assert w.value == pytest.approx(float(expected[cell]), abs=1e-9)


def test_the_detail_of_a_traced_model_s_cell_is_the_model_s_value():
    torch.manual_seed(3)
    model = (
        nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 4, 3, stride=2)).double().eval()
    )
    x = torch.rand(3, 9, 9, dtype=torch.float64) * 10
    expected = model(x[None])[0].detach().numpy()
    s = convanim.from_torch(model, x, render={"view": "network"})
    frames = s.frames()
    last = [d for d in frames.details if d.map == len(s.stages)]
    assert last
    for d in last:
        value = shown_value(d.text)
        assert value == pytest.approx(expected[d.channel, d.row, d.col], abs=0.006)


# ---------------------------------------------------------------- in Chromium


def cells_ready(watched, n: int = 0) -> None:
    """Wait until the n-th player has decoded its maps (any cell can be opened)."""
    watched.page.wait_for_function(
        "n => document.querySelectorAll('.convanim-player')[n].getAttribute('data-cells') === 'ready'",
        arg=n,
        timeout=20000,
    )


def shown_value(text: str) -> float:
    """The value a cell's text gives it: "a[0][1,2] = 1·2 + … = −3.00 (conv …)" or "r[0][1,2] = 3.00: ReLU …"."""
    value = re.search(r" = ([^ ]+?)(?::| \(|$)", text).group(1)
    return float(value.replace("\u2212", "-"))


#: texts drawn (not hidden, not left out: data-off) outside the viewBox of the first svg shown
#: that matches a selector
TEXT_OUTSIDE = """sel => { const svg = Array.from(document.querySelectorAll(sel)).find(s => s.getBoundingClientRect().width > 0),
  v = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll('text'))
    .filter(t => t.textContent && getComputedStyle(t).display !== 'none' && !t.hasAttribute('data-off'))
    .map(t => t.getBBox())
    .filter(b => b.width && (b.x < 0 || b.y < 0 || b.x + b.width > v.width || b.y + b.height > v.height)).length; }"""


def step_texts(watched) -> list[str] | None:
    """The texts of the step picture the network's page shows (None: none shown)."""
    return watched.page.evaluate(
        """() => { const s = Array.from(document.querySelectorAll('.convanim-steps > .convanim-player'))
        .find(p => p.style.display !== 'none'); return s ? s.convanim.texts() : null; }"""
    )


def picture_texts(d) -> list[str]:
    return [t.text for t in d.picture.visible(d.frame) if isinstance(t, Text)]


def test_the_player_shows_a_cell_s_numbers_and_lights_its_field(open_page):
    torch.manual_seed(3)
    model = (
        nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 4, 3, stride=2)).double().eval()
    )
    x = torch.rand(3, 9, 9, dtype=torch.float64) * 10
    expected = model(x[None])[0].detach().numpy()
    s = convanim.from_torch(model, x, render={"view": "network"})
    frames = s.frames()
    watched = open_page(page("net", player(frames)), width=1500)
    root = watched.player().root
    assert root.get_attribute("data-network") == ""
    cells_ready(watched)
    # picked with the keyboard: the list of sampled cells
    pick = root.locator(".convanim-detail select.convanim-sampled")
    n = next(i for i, d in enumerate(frames.details) if d.map == 3)
    d = frames.details[n]
    pick.focus()
    pick.select_option(str(n))
    assert root.get_attribute("data-detail") == f"{d.map},{d.channel},{d.row},{d.col}"
    assert root.get_attribute("data-field") == f"{d.map},{d.channel},{d.row},{d.col}"  # lit as if pointed at
    text = root.locator(".convanim-detail-text").text_content()
    assert shown_value(text) == pytest.approx(expected[d.channel, d.row, d.col], abs=0.006)
    # its step drawn by its stage's step picture, as Python draws it
    assert step_texts(watched) == picture_texts(NetworkBuilder(s).detail(d.map, (d.channel, d.row, d.col)))
    # pointed at: the field lights the right cells in every earlier map, the nearest detail opens
    drawn_1 = next(mm.channel for mm in frames.maps if mm.map == 1)
    watched.page.evaluate("() => scrollTo(0, 0)")  # the list scrolled the page: the picture back in view
    for m, cell in ((3, (d.channel, d.row, d.col)), (1, (drawn_1, 4, 4))):
        lit = hover_cells(watched, frames, m, *cell)
        masks = receptive_field(s.stages[:m], cell)
        drawn = {(mm.map, mm.channel) for mm in frames.maps}
        assert (
            set(lit)
            == {(i, c) for i, mask in enumerate(masks) for c in range(mask.shape[0]) if mask[c].any()} & drawn
        )
        for i, c in lit:
            np.testing.assert_array_equal(lit[i, c], masks[i][c])
        assert root.get_attribute("data-detail").startswith(f"{m},")
    # text inside the picture
    outside = watched.page.evaluate(
        """() => { const svg = document.querySelector('.convanim-stage > svg'), v = svg.viewBox.baseVal;
        return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent && getComputedStyle(t).display !== 'none')
          .map(t => t.getBBox()).filter(b => b.width && (b.x < 0 || b.y < 0 || b.x + b.width > v.width || b.y + b.height > v.height)).length; }"""
    )
    assert outside == 0
    watched.assert_clean()


def test_stage_view_is_the_stage_alone_on_the_map_it_reads():
    s = small_net()
    v = s.stage_view("a")
    assert (v.stages[0].operation, v.image.values.shape, len(v.stages)) == ("conv2d", (1, 6, 6), 1)
    np.testing.assert_array_equal(v.output(), s.computations[0].output)
    assert len(v.frames()) == v.n_frames == 2 * 36 + 2  # the layer view: a frame a step
    np.testing.assert_array_equal(s.stage_view("r").image.values, s.computations[0].output)
    with pytest.raises(ScenarioError, match="stage_view: 'sum' reads 2 maps; a stage is drawn alone on one"):
        s.stage_view("sum")
    with pytest.raises(ScenarioError, match="stage_view: no stage 'b'; the stages are a, r, sum"):
        s.stage_view("b")


def test_other_players_carry_no_network_script():
    frames = convanim.Scenario(image=np.zeros((4, 4)), kernel={"preset": "mean"}).frames()
    assert "convanimNetwork" not in player(frames)
    assert "convanimNetwork" in player(small_net().frames())


def test_the_builder_reads_only_output_maps():
    """Drawing asks the computations for their outputs only, so the picture does not depend on
    how (or whether) each step is recorded."""

    class Outputs:
        def __init__(self, output):
            self.output = output

    s = small_net()
    real = s.frames()
    s.__dict__["computations"] = tuple(Outputs(c.output) for c in s.computations)
    assert NetworkBuilder(s).frames().items == real.items


def test_a_long_title_is_set_smaller_not_zoomed_without_end():
    """A 120-character title and a long caption are set smaller: they once widened the picture,
    which zoomed the text, which widened the picture (213,194 px wide, and Pillow refused to paint
    the title). Every text stays inside the picture."""
    from tests.test_text_fits import outside

    s = convanim.load("animations/network_unet.toml", title="W" * 120, caption="A long caption " * 8)
    frames = s.frames()
    texts = [it.shape for it in frames.items if hasattr(it.shape, "text")]
    title = next(t for t in texts if t.text == "W" * 120)
    assert frames.width < 5000 and outside(frames) == []
    assert title.size >= min(t.size for t in texts)  # smaller, never below the legible size


def wrapped_skip(at: int, n: int = 18) -> convanim.Scenario:
    """A network view of ``n`` one-input stages on an 8×8 map, stage ``at`` an add of the map two
    stages back: across the wrapped bands, its skip begins or ends at a band's edge."""
    stages, names = [], ["input"]
    for i in range(n):
        if i == at:
            stages.append({"name": f"add{i}", "operation": "add", "inputs": [names[-3], names[-1]]})
        else:
            stages.append({"name": f"t{i}", "operation": ("relu", "tanh")[i % 2], "inputs": [names[-1]]})
        names.append(stages[-1]["name"])
    image = np.arange(64.0).reshape(1, 8, 8) / 10
    return convanim.Scenario(image=image, stages=stages, render={"view": "network"})


@pytest.mark.parametrize("at", range(3, 16))
def test_a_skip_named_at_a_bands_edge_stays_inside_the_picture(at):
    # "from t3" at the first operation of a band was set left of the picture (x = −1.5), and
    # "t5 → add8 (next row)" at the last column of one past its right edge
    assert outside(wrapped_skip(at).frames()) == []


def test_a_convolution_of_over_64_planes_keeps_its_sampled_pictures_and_a_grouped_one_has_a_picture_a_group():
    """Cells reading more than 64 planes have no step picture: their sampled cells ship theirs, and
    the note says so; a grouped convolution has a picture a group (its planes named after the
    channels the group reads)."""
    torch.manual_seed(0)
    model = (
        nn.Sequential(nn.Conv2d(3, 66, 1), nn.Conv2d(66, 4, 3, padding=1), nn.Conv2d(4, 4, 3, groups=2))
        .double()
        .eval()
    )
    s = convanim.from_torch(model, torch.rand(3, 6, 6, dtype=torch.float64), render={"view": "network"})
    frames = s.frames()
    assert [p is not None for p in frames.cells.pictures] == [True, False, True]
    grouped = frames.cells.pictures[2]
    assert len(grouped.others) == 1
    shots = (grouped.frames, *grouped.others)
    texts = [[t.text for t in f.visible(grouped.frame) if isinstance(t, Text)] for f in shots]
    names = [[t for t in ts if t.startswith("ch ")] for ts in texts]
    assert names == [["ch 0", "ch 1"], ["ch 2", "ch 3"]]  # group 1 reads channels 2 and 3
    for d in frames.details:
        assert (d.picture is None) == (d.map != 2), d.label
    assert "any cell of _0, _2 also shows the layer view's picture of its step" in frames.cells.note
    assert (
        "of _1 (more than 64 input planes or 16 groups, or past the page's budget) only the"
        in frames.cells.note
    )
    island = details(frames)["nd"]
    assert [d[6] == 0 for d in island["d"]] == [d.map != 2 for d in frames.details]
    assert [bool(p) for p in island["a"]["sp"]] == [True, False, True]
    assert len(island["a"]["sp"][2]["g"]) == 1 and "g" not in island["a"]["sp"][0]


def long_chain(blocks: int) -> convanim.Scenario:
    """``blocks`` × (conv 3×3, batch norm, ReLU) on 2×8×8 in the network view (seeded)."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    layers = []
    for _ in range(blocks):
        layers += [nn.Conv2d(2, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU()]
    model = nn.Sequential(*layers).double().eval()
    x = torch.rand(2, 8, 8, dtype=torch.float64)
    return convanim.from_torch(model, x, render={"view": "network"})


def test_a_network_too_long_to_be_legible_folds_batch_norm_and_relu_into_one_column(monkeypatch):
    monkeypatch.setattr(network_frames, "PANEL_SIDES", (32,))  # the search, shorter: the test, faster
    s = long_chain(16)  # 49 maps: as many columns cannot keep 14 px text on a 1080p screen
    builder = NetworkBuilder(s)
    convs = set(range(1, 48, 3))  # map 1 + 3k: a conv's, read only by its batch norm
    assert builder.folded == frozenset(convs | {j + 1 for j in convs})  # and the batch norm's
    frames = s.frames()
    assert (too_small(frames), outside(frames)) == ([], [])
    assert sorted({m.map for m in frames.maps}) == [0, *range(3, 49, 3)]  # each block's ReLU map
    texts = [it.shape.text for it in frames.items if isinstance(it.shape, Text)]
    # each block's three operations, written once, one under the other over its arrow
    assert texts.count("batch norm") == 16 and texts.count("ReLU") == 16 and "2. _1" not in texts
    assert len(frames) == s.n_frames  # a frame a stage still: a folded stage frames its run


def test_a_network_that_fits_draws_every_map():
    s = long_chain(4)
    assert NetworkBuilder(s).folded == frozenset()
    assert sorted({m.map for m in s.frames().maps}) == list(range(13))
