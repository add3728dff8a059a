"""Receptive fields in the frames and the player: per-axis links whose unions are the masks (the
player's walk, in Python), the ``receptive_field`` key and its messages, the cone's frames (what
they outline, their text, size and timing), the alt text, the player's data and the pointer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convanim
from convanim import Limits, ScenarioError
from convanim.dependence import StageLinks, receptive_field, stage_links
from convanim.display import Frames, Rect, Text
from convanim.errors import LimitError
from convanim.export.playerdata import encode, script_json
from convanim.frames.cone import MIN_FIT_PX
from convanim.scenario import schema
from convanim.textsize import text_width

from .helpers import ROOT
from .test_dependence import chains

GALLERY = ROOT / "animations" / "receptive_field.toml"
CHAIN = [
    {"operation": "conv2d", "kernel": {"preset": "mean"}},
    {"operation": "max_pool2d", "kernel_size": 2},
    {"operation": "conv2d", "kernel": {"preset": "mean"}},
]


def chain(**keys) -> convanim.Scenario:
    """Conv 3×3, max pool 2×2, conv 3×3 on a 12×12 disk: one output cell sees 8×8 of the input."""
    return convanim.Scenario(
        image={"pattern": "disk", "size": 12},
        stages=CHAIN,
        timing={"step_ms": 100, "poster_ms": 100, "final_ms": 900},
        **keys,
    )


def walk(links: tuple[StageLinks, ...], map_index: int, cell: tuple[int, int, int]) -> dict[int, set]:
    """What the player's JS does: from one cell of map ``map_index``, unions of each stage's
    per-axis links, backwards through the maps each stage reads (stage m − 1 makes map m), a
    cat's channels to the map each comes from. Each map holds boxes (channels, rows, cols), one in
    a chain, their union where a graph's paths meet."""
    sets = {map_index: {((cell[0],), (cell[1],), (cell[2],))}}
    for m in range(map_index, 0, -1):
        link = links[m - 1]
        for chans, rows, cols in sets.get(m, ()):
            read = [
                tuple(sorted({j for i in want for j in per[i]}))
                for want, per in ((chans, link.channels), (rows, link.rows), (cols, link.cols))
            ]
            for n, src in enumerate(link.inputs):
                own = tuple(link.input_channels(n, read[0]))
                if own:
                    sets.setdefault(src, set()).add((own, read[1], read[2]))
    return sets


def product(boxes: set, shape: tuple[int, int, int]) -> np.ndarray:
    """The union of the boxes as a mask."""
    mask = np.zeros(shape, bool)
    for box in boxes:
        mask[np.ix_(*box)] = True
    return mask


# ---------------------------------------------------------------- separable links


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
@given(chains(), st.data())
def test_per_axis_unions_are_the_receptive_field(s, data):
    """Every stage's relation is separable, so a field is channels × rows × columns in every map:
    the player's walk over per-axis links gives exactly dependence.receptive_field's masks."""
    stage = data.draw(st.integers(0, len(s.stages) - 1))
    last = s.stages[stage]
    cell = tuple(data.draw(st.integers(0, n - 1)) for n in (last.out_channels, *last.output_shape))
    links = tuple(stage_links(st_, (i,)) for i, st_ in enumerate(s.stages))
    masks = receptive_field(s.stages[: stage + 1], cell)
    sets = walk(links, stage + 1, cell)
    for i, mask in enumerate(masks):
        np.testing.assert_array_equal(product(sets[i], mask.shape), mask)
        assert len(sets[i]) == 1  # a chain's field is one product in every map


def test_links_of_a_dilated_strided_convolution_and_of_bilinear_upsampling():
    s = convanim.Scenario(image=np.zeros((7, 9)), kernel=np.ones((3, 2)), stride=[2, 3], dilation=[2, 1])
    link = stage_links(s.stages[0], (0,))
    assert link.inputs == (0,)
    assert link.rows == ((0, 2, 4), (2, 4, 6))
    assert link.cols == ((0, 1), (3, 4), (6, 7))
    assert link.channels == ((0,),)
    up = convanim.Scenario(
        image=np.zeros((2, 2)), operation="upsample", mode="bilinear", scale_factor=2, align_corners=True
    )
    # align_corners: output rows 0 and 3 sit on input rows 0 and 1, the others blend both
    assert stage_links(up.stages[0], (0,)).rows == ((0,), (0, 1), (0, 1), (1,))


def test_channel_links_follow_groups():
    s = convanim.Scenario(image=np.zeros((4, 3, 3)), kernel=np.ones((2, 2, 1, 1)), groups=2)
    assert stage_links(s.stages[0], (0,)).channels == ((0, 1), (2, 3))


# ---------------------------------------------------------------- the key


def test_the_key_makes_a_cone_and_counts_its_frames():
    plain, cone = chain(), chain(receptive_field={"cell": [1, 1]})
    assert cone.cone == convanim.model.Cone((0, 1, 1), 2)
    assert cone.n_frames == plain.n_frames + 3 == len(cone.frames())
    earlier = chain(receptive_field={"cell": [2, 3], "stage": 0})
    assert earlier.cone.stage == 0 and earlier.n_frames == plain.n_frames + 1
    assert chain(receptive_field={"cell": [0, 0], "stage": -2}).cone.stage == 1


def test_the_cell_takes_a_channel_when_the_output_has_channels():
    s = convanim.Scenario(
        image=np.zeros((2, 5, 5)), kernel=np.ones((3, 2, 3, 3)), receptive_field={"cell": [2, 1, 1]}
    )
    assert s.cone.cell == (2, 1, 1)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"cell": [3, 0]},
            "receptive_field.cell: must be [row, col] inside the 3×3 output of stage 2 (conv2d): "
            "row 0 to 2, col 0 to 2 (got [3, 0])",
        ),
        (
            {"cell": [0, 1, 1]},
            "receptive_field.cell: must be [row, col] inside the 3×3 output of stage 2 (conv2d): "
            "row 0 to 2, col 0 to 2 (got [0, 1, 1])",
        ),
        (
            {"cell": [9, 9], "stage": 0},
            "receptive_field.cell: must be [row, col] inside the 10×10 output of stage 0 (conv2d): "
            "row 0 to 9, col 0 to 9 (got [9, 9])",
        ),  # inside: no error (checked below)
        (
            {"cell": [1, 1], "stage": 3},
            "receptive_field.stage: must be 0 to 2, or −1 for the last, with 3 stage(s) (got 3)",
        ),
        (
            {"cell": "middle"},
            "receptive_field.cell: must be [row, col], or [channel, row, col] with channels",
        ),
        (
            {"cell": [1, True]},
            "receptive_field.cell: must be [row, col], or [channel, row, col] with channels",
        ),
        ({"stage": 0}, "receptive_field.cell: is required"),
        ({"cell": [1, 1], "map": 2}, "receptive_field.map: unknown key; allowed: cell, stage"),
    ],
)
def test_bad_cells_and_stages_are_one_line(keys, message):
    if keys == {"cell": [9, 9], "stage": 0}:
        assert chain(receptive_field=keys).cone.cell == (0, 9, 9)
        return
    with pytest.raises(ScenarioError) as err:
        chain(receptive_field=keys)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_a_bad_cell_in_a_file_is_one_line_with_the_file_its_line_and_the_key(tmp_path, capsys):
    from convanim.cli import main

    path = tmp_path / "rf.toml"
    text = GALLERY.read_text(encoding="utf-8")
    line = text[: text.index("cell = [1, 1]")].count("\n") + 1
    path.write_text(text.replace("cell = [1, 1]", "cell = [1, 7]"), encoding="utf-8")
    assert main(["--list", str(path)], root=tmp_path) == 2
    assert capsys.readouterr().err.strip() == (
        f"{path}:{line}: receptive_field.cell: must be [row, col] inside the 2×2 output of stage 2 "
        "(conv2d): row 0 to 1, col 0 to 1 (got [1, 7])"
    )


def test_schema_declares_the_table():
    table = schema()["properties"]["receptive_field"]
    assert table["required"] == ["cell"] and table["additionalProperties"] is False
    assert table["properties"]["cell"]["maxItems"] == 3
    assert table["properties"]["stage"]["default"] == -1


def test_limits_count_the_cone():
    frames = chain().n_frames
    chain(limits=Limits(max_frames=frames + 3), receptive_field={"cell": [1, 1]})
    with pytest.raises(LimitError, match=f"needs {frames + 3} frames"):
        chain(limits=Limits(max_frames=frames + 2), receptive_field={"cell": [1, 1]})
    work = convanim.scenario.work
    stages = chain().stages
    cone = convanim.model.Cone((0, 1, 1), 2)
    assert work(stages, frames + 3, True, cone) - work(stages, frames + 3, True) == (
        sum(st_.cells for st_ in stages) + 4 * convanim.scenario.FRAME_WORK
    )


# ---------------------------------------------------------------- the frames


def outlined(frames: Frames, k: int, first: int) -> dict[tuple[int, int], np.ndarray]:
    """Cells inside the cone's outlines drawn in frame k (items from index ``first`` on), per
    (map, channel) panel."""
    out = {}
    boxes = [it.shape for it in frames.items[first:] if it.visible(k) and isinstance(it.shape, Rect)]
    for m in frames.maps:
        g, cells = m.grid, np.zeros((m.grid.rows, m.grid.cols), bool)
        for b in boxes:
            c0, r0 = round((b.x - g.x) / g.cell), round((b.y - g.y) / g.cell)
            c1, r1 = round((b.x + b.w - g.x) / g.cell), round((b.y + b.h - g.y) / g.cell)
            if 0 <= r0 < r1 <= g.rows and 0 <= c0 < c1 <= g.cols:
                cells[r0:r1, c0:c1] = True
        out[m.map, m.channel] = cells
    return out


def test_cone_frames_come_after_the_fill_and_outline_map_by_map():
    plain, s = chain().frames(), chain(receptive_field={"cell": [1, 1]})
    frames = s.frames()
    n = len(plain.frames)
    assert frames.frames[: n - 1] == plain.frames[:-1]
    assert [(f.duration_ms, f.readout) for f in frames.frames[n - 1 :]] == [
        (1000, "receptive field of output[1,1]: which cells of each earlier map it depends on"),
        (1000, "output[1,1] depends on 3×3 of map 2 (max_pool2d)"),
        (1000, "output[1,1] depends on 6×6 of map 1 (conv2d)"),
        (900, "output[1,1]: receptive field 8×8 of the input"),
    ]
    first = len(plain.items)
    masks = receptive_field(s.stages, (0, 1, 1))
    for j, k in enumerate(range(n - 1, len(frames.frames))):
        cells = outlined(frames, k, first)
        for m in range(4):
            shown = m >= 3 - j  # the cell's own map first, the input at the final frame
            want = masks[m][0] if shown else np.zeros_like(masks[m][0])
            np.testing.assert_array_equal(cells[m, 0], want)
    # the items of the final frame stay through the cone's frames, the text under the picture
    assert frames.height > plain.height
    texts = [
        it.shape.text for it in frames.items if it.visible(len(frames) - 1) and isinstance(it.shape, Text)
    ]
    assert "done" in texts and "output[1,1]: receptive field 8×8 of the input" in texts


def test_dilation_outlines_each_tap_and_dashes_the_span():
    s = convanim.load(ROOT / "animations" / "dilation.toml", receptive_field={"cell": [0, 0]})
    frames = s.frames()
    last = len(frames) - 1
    cone = [
        it
        for it in frames.items
        if it.first >= last - 1 and it.last == last and not isinstance(it.shape, Text)
    ]
    # the input's 9 taps and their dashed span (final frame), the output cell (from the cone's frame)
    kinds = [(it.first, type(it.shape).__name__) for it in cone]
    assert kinds == [(last, "Rect")] * 9 + [(last, "Line"), (last - 1, "Rect")]
    assert cone[-2].shape.dash
    assert [f.readout for f in frames.frames[-2:]] == [
        "receptive field of output[0,0]: which cells of the input it depends on",
        "output[0,0]: receptive field: 9 cells within 5×5 of the input",
    ]


def test_a_layer_outlines_every_input_channel_it_reads():
    keys = {"image": np.arange(75.0).reshape(3, 5, 5), "kernel": np.ones((2, 3, 2, 2)), "bias": [0.5, -1]}
    plain = convanim.Scenario(**keys).frames()
    frames = convanim.Scenario(**keys, receptive_field={"cell": [1, 2, 3]}).frames()
    cells = outlined(frames, len(frames) - 1, len(plain.items))
    for c in range(3):
        want = np.zeros((5, 5), bool)
        want[2:4, 3:5] = True
        np.testing.assert_array_equal(cells[0, c], want)
    assert frames.frames[-1].readout == "output[1,2,3]: receptive field 2×2 in all 3 channels of the input"


@pytest.mark.parametrize("scale", [1, 2])
def test_the_cone_line_is_inside_and_at_least_14_px_once_fitted_to_1920x1080(scale):
    s = convanim.load(
        ROOT / "animations" / "chain_rgb_photo.toml", receptive_field={"cell": [0, 3, 3], "stage": 1}
    ).restyled(scale=scale)
    frames = s.frames()
    fit = max(1, frames.width / 1920, frames.height / 1080)
    lines = [
        it.shape
        for it in frames.items
        if isinstance(it.shape, Text) and it.shape.text.startswith(("map 2[0,3,3]", "receptive field of"))
    ]
    assert len(lines) == 3
    for t in lines:
        assert t.size / fit >= MIN_FIT_PX
        assert t.x >= 0 and t.x + text_width(t.text, t.size) <= frames.width
        assert t.y + 0.3 * t.size <= frames.height


def test_gallery_alt_text():
    assert convanim.load(GALLERY).alt_text == (
        "A chain of 3 stages on a 10×10 image with a bright square (values 0 to 9): 1. 3×3 mean filter "
        "(10×10 to 8×8); 2. 2×2 max pooling (8×8 to 4×4); 3. 3×3 mean filter (4×4 to 2×2). The maps "
        "stand side by side as pictures and each stage fills its output in turn, step by step, with a "
        "zoomed inset of the window and its numbers; the final 2×2 output has values 5.44 to 7.11. Then "
        "the output cell at row 1, column 1 is traced back map by map, its field outlined in each (3×3 "
        "of map 2, 6×6 of map 1): receptive field 8×8 of the input."
    )


def test_single_layer_alt_text():
    s = convanim.load(ROOT / "animations" / "dilation.toml", receptive_field={"cell": [1, 2]})
    assert s.alt_text.endswith(
        "Then the input cells that the output cell at row 1, column 2 depends on are outlined: "
        "receptive field: 9 cells within 5×5 of the input."
    )


# ---------------------------------------------------------------- the player's data


def test_player_data_has_every_map_and_every_stage_s_links():
    s = convanim.Scenario(image=np.zeros((4, 4)), kernel=np.ones((2, 2)), stride=2)
    frames = s.frames()
    rf = encode(frames, 0)["rf"]
    g0, g1 = frames.maps[0].grid, frames.maps[1].grid
    assert rf["m"] == [[0, 0, g0.x, g0.y, 4, 4, g0.cell], [1, 0, g1.x, g1.y, 2, 2, g1.cell]]
    assert rf["l"] == [[[0], [[0, 2], [2, 2]], [[0, 2], [2, 2]], [[0, 1]]]]  # runs [first, count]
    assert encode(frames, 0)["c"][rf["hl"]] == frames.theme.highlight
    assert len(script_json(rf)) < 150


def test_padding_is_not_a_map_cell():
    s = convanim.Scenario(image=np.zeros((4, 4)), kernel=np.ones((3, 3)), padding=1)
    frames = s.frames()
    inp = frames.maps[0].grid
    # the drawn grid is 6×6 with the padding; the map's own cells start one cell in
    assert (inp.rows, inp.cols) == (4, 4)
    ghosts = [it.shape for it in frames.items if getattr(it.shape, "stroke", None) == frames.theme.ghost_line]
    assert len(ghosts) == 36 - 16
    x0, y0 = min(g.x for g in ghosts), min(g.y for g in ghosts)
    assert (inp.x - x0, inp.y - y0) == (inp.cell, inp.cell)


# ---------------------------------------------------------------- in a browser


def hover_cells(watched, frames: Frames, m: int, channel: int, row: int, col: int) -> dict:
    """Point at a cell of (map m, channel); the cells the player lights, per (map, channel)."""
    page = watched.page
    svg = watched.player().root.locator(".convanim-stage > svg")
    box = svg.bounding_box()
    g = next(p.grid for p in frames.maps if (p.map, p.channel) == (m, channel))
    k = box["width"] / frames.width
    page.mouse.move(box["x"] + (g.x + (col + 0.5) * g.cell) * k, box["y"] + (g.y + (row + 0.5) * g.cell) * k)
    rects = page.evaluate(
        """() => Array.from(document.querySelectorAll('.convanim-field rect')).map(r =>
        [+r.dataset.map, +r.dataset.channel, +r.getAttribute('x'), +r.getAttribute('y'),
         +r.getAttribute('width'), +r.getAttribute('height')])"""
    )
    lit = {}
    for mm, ch, x, y, w, h in rects:
        g = next(p.grid for p in frames.maps if (p.map, p.channel) == (mm, ch))
        cells = lit.setdefault((mm, ch), np.zeros((g.rows, g.cols), bool))
        c0, r0 = round((x - g.x) / g.cell), round((y - g.y) / g.cell)
        cells[r0 : r0 + round(h / g.cell), c0 : c0 + round(w / g.cell)] = True
    return lit


def test_pointing_at_any_cell_lights_its_field_in_every_earlier_map(open_page):
    from convanim.export.html import page, player

    s = chain()
    frames = s.frames()
    watched = open_page(page("rf", player(frames)), width=1500)
    for m, row, col in ((3, 1, 1), (2, 0, 4), (1, 9, 0), (3, 2, 0)):
        lit = hover_cells(watched, frames, m, 0, row, col)
        assert watched.player().root.get_attribute("data-field") == f"{m},0,{row},{col}"
        masks = receptive_field(s.stages[:m], (0, row, col))
        assert sorted(lit) == [(i, 0) for i in range(m + 1)]
        for i in range(m + 1):
            np.testing.assert_array_equal(lit[i, 0], masks[i][0])
    watched.page.mouse.move(1, 1)
    assert watched.page.locator(".convanim-field").count() == 0
    assert watched.player().root.get_attribute("data-field") is None
    watched.assert_clean()


def test_pointing_at_a_layer_s_output_lights_the_channels_it_reads(open_page):
    from convanim.export.html import page, player

    s = convanim.Scenario(
        image=np.arange(64.0).reshape(4, 4, 4) % 5,
        kernel=np.ones((4, 2, 3, 3)),
        groups=2,
        padding=1,
        dilation=[1, 2],
    )
    frames = s.frames()
    watched = open_page(page("layer", player(frames)), width=1300)
    lit = hover_cells(watched, frames, 1, 3, 0, 1)
    masks = receptive_field(s.stages, (3, 0, 1))
    assert sorted(lit) == [(0, 2), (0, 3), (1, 3)]
    for c in (2, 3):
        np.testing.assert_array_equal(lit[0, c], masks[0][c])
    watched.assert_clean()


# ---------------------------------------------------------------- end to end


def test_from_a_file_through_the_command_line_to_the_gif_still_and_page(tmp_path):
    from PIL import Image

    from convanim.cli import main

    path = tmp_path / "rf.toml"
    path.write_text(GALLERY.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(["--jobs", "1", "-q", "--format", "gif,html,png", "--out", str(out), str(path)], root=tmp_path)
        == 0
    )
    frames = convanim.load(path).frames()
    final = len(frames) - 1
    cone = [  # the cone's outlines: its frames' and the final frame's, not a step's
        it.shape
        for it in frames.items
        if isinstance(it.shape, Rect)
        and it.shape.stroke == frames.theme.highlight
        and it.last == final
        and it.first >= final - 3
    ]
    assert len(cone) == 4  # the cell, then 3 maps
    hl = tuple(int(frames.theme.highlight[i : i + 2], 16) for i in (1, 3, 5))
    with Image.open(out / "rf.gif") as gif, Image.open(out / "rf.png") as png:
        assert gif.n_frames == len(frames)
        gif.seek(gif.n_frames - 1)
        for picture in (gif.convert("RGB"), png.convert("RGB")):
            for r in cone:  # the middle of each outline's top edge is drawn in the highlight
                assert picture.getpixel((int(r.x + r.w / 2), int(r.y))) == hl
    html = (out / "rf.html").read_text(encoding="utf-8")
    assert "receptive field 8×8 of the input" in html and '"rf":{"m":[[0,0,' in html


def test_from_torch_takes_the_key():
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.MaxPool2d(2))
    s = convanim.from_torch(net, torch.zeros(1, 8, 8), receptive_field={"cell": [1, 0, 2]})
    assert s.frames().frames[-1].readout == "output[1,0,2]: receptive field 4×4 of the input"


def test_no_pointer_data_where_only_one_map_is_drawn_as_cells():
    """The direct view draws the zero-inserted grid, not the input's cells: nothing to light."""
    s = convanim.load(ROOT / "animations" / "padding_strides_transposed_direct.toml")
    frames = s.frames()
    assert [m.map for m in frames.maps] == [1]
    assert "rf" not in encode(frames, 0)


@pytest.mark.parametrize(
    "name",
    [
        "convol_mean",
        "same_padding_reflect",
        "max_pool",
        "upsample_bilinear",
        "padding_strides_transposed",
        "layer_3_to_2",
        "chain_photo",
        "chain_rgb_photo",
        "resnet_basic_block",
        "unet_skip_cat",
    ],
)
@pytest.mark.parametrize("scale", [1, 2])
def test_every_map_grid_lies_on_the_cells_its_builder_draws(name, scale):
    """Frames.maps is where each view draws each map's cells (padding and crops left out), at
    every render.scale: the first and the last cell of each grid are cells drawn there."""
    s = convanim.load(ROOT / "animations" / f"{name}.toml").restyled(scale=scale)
    frames = s.frames()
    shapes = [s.image.shape] + [st_.output_shape for st_ in s.stages]
    cells = {
        (round(it.shape.x), round(it.shape.y), round(it.shape.w))
        for it in frames.items
        if isinstance(it.shape, Rect) and it.shape.fill and it.shape.w == it.shape.h
    }
    assert frames.maps
    for m in frames.maps:
        g = m.grid
        assert (g.rows, g.cols) == shapes[m.map]
        for r, c in ((0, 0), (g.rows - 1, g.cols - 1)):
            assert (round(g.x + c * g.cell), round(g.y + r * g.cell), round(g.cell)) in cells, (m, r, c)


def test_a_signal_s_cell_is_a_sample():
    s = convanim.load(ROOT / "animations" / "conv1d_smoothing.toml", receptive_field={"cell": [5]})
    assert s.cone.cell == (0, 0, 5)
    frames = s.frames()
    assert frames.frames[-1].readout == "output[5]: receptive field 3 samples of the input"
    assert s.alt_text.endswith(
        "Then the input cells that the output sample at position 5 depends on are outlined: "
        "receptive field 3 samples of the input."
    )
    layer = convanim.load(
        ROOT / "animations" / "conv1d_channels_stride.toml", receptive_field={"cell": [1, 2]}
    )
    assert layer.cone.cell == (1, 0, 2)
    assert (
        layer.frames().frames[-1].readout
        == "output[1,2]: receptive field 3 samples in both channels of the input"
    )
    with pytest.raises(ScenarioError) as err:
        convanim.load(ROOT / "animations" / "conv1d_smoothing.toml", receptive_field={"cell": [0, 5]})
    assert str(err.value) == (
        "receptive_field.cell: must be [sample] inside the 16 output of stage 0 (conv1d): sample 0 to 15 "
        "(got [0, 5])"
    )


def test_pointing_at_a_signal_s_sample_lights_the_samples_it_reads(open_page):
    from convanim.export.html import page, player

    s = convanim.load(ROOT / "animations" / "conv1d_channels_stride.toml")
    frames = s.frames()
    watched = open_page(page("signal", player(frames)), width=900, height=1200)
    lit = hover_cells(watched, frames, 1, 1, 0, 2)
    assert sorted(lit) == [(0, 0), (0, 1), (1, 1)]
    for c in (0, 1):
        np.testing.assert_array_equal(lit[0, c][0], np.isin(np.arange(11), [4, 5, 6]))
    watched.assert_clean()


# ---------------------------------------------------------------- graphs


def runs(flat: list[int]) -> list[int]:
    """The indices of flat runs [first, count, …] (the island's form of a link)."""
    return [v for k in range(0, len(flat), 2) for v in range(flat[k], flat[k] + flat[k + 1])]


def data_links(rf: dict) -> tuple[StageLinks, ...]:
    """The player's per-stage links, read back from its data island."""
    out = []
    for entry in rf["l"]:
        rows, cols, channels = (tuple(tuple(runs(r)) for r in a) for a in entry[1:4])
        parts = tuple(map(tuple, entry[4])) if len(entry) > 4 else ()
        out.append(StageLinks(tuple(entry[0]), rows, cols, channels, parts))
    return tuple(out)


def cross(**keys) -> convanim.Scenario:
    """A 1×3 and a 3×1 convolution of the image, added: a cell's field is a cross, the union of
    two products (rows × columns) that is not one."""
    return convanim.Scenario(
        image={"pattern": "disk", "size": 7},
        stages=[
            {"name": "row", "operation": "conv2d", "kernel": np.ones((1, 3)), "padding": [0, 1]},
            {
                "name": "col",
                "operation": "conv2d",
                "kernel": np.ones((3, 1)),
                "padding": [1, 0],
                "inputs": ["input"],
            },
            {"name": "sum", "operation": "add", "inputs": ["row", "col"]},
        ],
        **keys,
    )


@pytest.mark.parametrize("name", ["resnet_basic_block", "unet_skip_cat", None])
def test_the_pointer_s_walk_through_a_graph_is_the_receptive_field(name):
    """Each stage's links name the maps it reads (an add both, a cat each map with its channels),
    and the player's walk over its data gives dependence.receptive_field's masks from any cell."""
    s = convanim.load(ROOT / "animations" / f"{name}.toml") if name else cross()
    rf = encode(s.frames(), 0)["rf"]
    links = data_links(rf)
    if name == "unet_skip_cat":  # skip = cat(enc1, up1): channels 0–1 from map 1, 2–3 from map 4
        assert rf["l"][4][0] == [1, 4] and rf["l"][4][4] == [[0, 2], [2, 4]]
    if name == "resnet_basic_block":  # residual = bn2 + input
        assert rf["l"][5][0] == [5, 0] and len(rf["l"][5]) == 4
    rng = np.random.default_rng(0)
    for m, st_ in enumerate(s.stages, start=1):
        for _ in range(4):
            cell = tuple(int(rng.integers(n)) for n in (st_.out_channels, *st_.output_shape))
            masks = receptive_field(s.stages[:m], cell)
            sets = walk(links, m, cell)
            for i, mask in enumerate(masks):
                np.testing.assert_array_equal(product(sets.get(i, set()), mask.shape), mask)
    masks = receptive_field(s.stages, (0, 3, 3))
    if name is None:
        assert masks[0][0, 2:5, 2:5].astype(int).tolist() == [[0, 1, 0], [1, 1, 1], [0, 1, 0]]


def test_pointing_into_a_graph_lights_the_field_along_every_path(open_page):
    """The cross's field is lit exactly (bands of rows alike, no cell twice); a U-Net's cat cell
    lights only the map its channel comes from, an output cell both paths."""
    from convanim.export.html import page, player

    s = cross()
    frames = s.frames()
    watched = open_page(page("cross", player(frames)), width=1500)
    lit = hover_cells(watched, frames, 3, 0, 3, 3)
    masks = receptive_field(s.stages, (0, 3, 3))
    assert sorted(lit) == [(0, 0), (1, 0), (2, 0), (3, 0)]
    for i in range(4):
        np.testing.assert_array_equal(lit[i, 0], masks[i][0])
    rects = watched.page.locator(".convanim-field rect[data-map='0']").count()
    assert rects == 3  # the cross: the row above, the middle row, the row below
    unet = convanim.load(ROOT / "animations" / "unet_skip_cat.toml")
    frames = unet.frames()
    watched = open_page(page("unet", player(frames)), width=1800)
    for m, cell in ((5, (3, 4, 7)), (5, (0, 4, 7)), (6, (0, 6, 2))):
        lit = hover_cells(watched, frames, m, *cell)
        masks = receptive_field(unet.stages[:m], cell)
        wanted = {(i, c) for i, mask in enumerate(masks) for c in range(mask.shape[0]) if mask[c].any()}
        assert set(lit) == wanted
        for i, c in wanted:
            np.testing.assert_array_equal(lit[i, c], masks[i][c])
    assert 4 not in {i for i, _ in hover_cells(watched, frames, 5, 0, 4, 7)}  # enc1's channel: not up1
    watched.assert_clean()


def test_a_graph_s_cone_goes_through_the_maps_its_cell_is_computed_from():
    """A branch beside the cell's path has no field: no frame, no outline, no words for it."""
    whole = cross(receptive_field={"cell": [3, 3]})
    assert whole.cone.maps == (2, 1) and whole.cone.frames == 3
    side = cross(receptive_field={"cell": [3, 3], "stage": 1})
    assert side.cone.maps == () and side.cone.frames == 1
    frames = side.frames()
    assert [f.readout for f in frames.frames[-2:]] == [
        "receptive field of map 2[3,3]: which cells of the input it depends on",
        "map 2[3,3]: receptive field 3×1 of the input",
    ]
    assert side.alt_text.endswith(
        "Then the input cells that the cell of map 2 at row 3, column 3 depends on are outlined: "
        "receptive field 3×1 of the input."
    )
    words = [f.readout for f in whole.frames().frames[-4:]]
    assert words == [
        "receptive field of output[3,3]: which cells of each earlier map it depends on",
        "output[3,3] depends on 1×1 of map 2 (col)",
        "output[3,3] depends on 1×1 of map 1 (row)",
        "output[3,3]: receptive field: 5 cells within 3×3 of the input",
    ]
