"""Themes and scale: every number meets WCAG AA against its cell in every theme, the accents stay
apart for colour-blind viewers, the dark theme's colours, render.scale, the keys' checks and the
command line's --theme and --scale."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim import style
from convanim.cli import main
from convanim.display import Frames, Hatch, Rect, Text
from convanim.errors import ScenarioError
from convanim.export.html import page, player
from convanim.frames.chain import ChainBuilder
from convanim.scenario import schema
from convanim.textsize import text_width

from .colour_vision import VISIONS, delta_e
from .helpers import COURSE_IMAGE, ROOT, hex_rgb, small

SHIPPED = sorted((ROOT / "animations").glob("*.toml"))
THEMES = list(style.THEMES)


def text_grounds(frames: Frames) -> list[tuple[Text, str]]:
    """(text, fill) for every fill a Text is drawn over in some frame of its span: the topmost
    filled Rect under the middle of its glyphs, drawn before it, else the background."""
    rects = [(i, it) for i, it in enumerate(frames.items) if isinstance(it.shape, Rect) and it.shape.fill]
    box = np.array(
        [
            [r.shape.x, r.shape.y, r.shape.x + r.shape.w, r.shape.y + r.shape.h, r.first, r.last, i]
            for i, r in rects
        ]
    ).reshape(-1, 7)
    out = []
    for j, it in enumerate(frames.items):
        t = it.shape
        if not isinstance(t, Text):
            continue
        w = text_width(t.text, t.size, t.bold)
        cx = {"start": t.x + w / 2, "middle": t.x, "end": t.x - w / 2}[t.anchor]
        cy = t.y - 0.36 * t.size
        under = (
            (box[:, 0] <= cx) & (cx <= box[:, 2]) & (box[:, 1] <= cy) & (cy <= box[:, 3]) & (box[:, 6] < j)
        )
        under &= (box[:, 4] <= it.last) & (box[:, 5] >= it.first)
        covered = np.zeros(it.last - it.first + 1, bool)
        for n in np.nonzero(under)[0][::-1]:  # topmost first
            a, b = int(max(box[n, 4], it.first)) - it.first, int(min(box[n, 5], it.last)) - it.first
            if not covered[a : b + 1].all():
                out.append((t, rects[n][1].shape.fill))
                covered[a : b + 1] = True
        if not covered.all():
            out.append((t, frames.background))
    return out


@pytest.mark.parametrize("theme", THEMES)
def test_every_number_and_label_meets_aa_in_every_shipped_scenario(theme):
    worst = []
    for path in SHIPPED:
        frames = convanim.load(path).restyled(theme=theme).frames()
        pairs = text_grounds(frames)
        assert len(pairs) >= sum(isinstance(it.shape, Text) for it in frames.items)
        for t, fill in pairs:
            ratio = style.contrast(t.color, fill)
            if ratio < style.AA:
                worst.append((path.stem, t.text, t.color, fill, round(ratio, 2)))
    assert worst == []


def test_the_walk_finds_text_below_aa():
    """The contrast walk is not vacuous: grey on a mid-grey cell is caught."""
    s = small(render={"background": "#777777"})
    bad = [(t.text, f) for t, f in text_grounds(s.frames()) if style.contrast(t.color, f) < style.AA]
    assert ("small", "#777777") in bad


@pytest.mark.parametrize("theme", THEMES)
def test_text_on_meets_aa_on_every_grey_and_colormap_level(theme):
    t = style.THEMES[theme]
    fills = [f"#{v:02x}{v:02x}{v:02x}" for v in range(256)]
    for cmap in ("gray", "viridis", "PRGn", "magma"):
        fills += style.ColourScale(cmap, 0, 1)(np.linspace(0, 1, style.LEVELS))
    fills += [t.background, t.kernel_fill, style.mix("#000000", t.background, 0.55)]
    assert min(style.contrast(t.text_on(f), f) for f in fills) >= style.AA


def test_text_on_keeps_the_theme_inks_where_they_pass_and_falls_back_to_black_or_white():
    light = style.LIGHT
    assert light.text_on("#ffffff") == "#1a1a1a" and light.text_on("#000000") == "#ffffff"
    assert light.text_on("#7d7d7d") == "#000000"  # #1a1a1a gives 4.23:1 only
    assert light.text_on("#797979") == "#000000"  # white gives 4.35:1 only
    assert style.DARK.text_on("#1e1e1e") == "#f0f0f0" and style.DARK.text_on("#ffffff") == "#1a1a1a"
    assert style.text_on("#7d7d7d") == "#000000"


@pytest.mark.parametrize("theme", THEMES)
def test_accents_stay_apart_for_colour_blind_viewers(theme):
    t = style.THEMES[theme]
    for vision in VISIONS:
        assert delta_e(t.highlight, t.source, vision) >= 40, vision
        assert delta_e(t.highlight, t.grid_line, vision) >= 40, vision
        assert delta_e(t.highlight, t.background, vision) >= 40, vision
        assert delta_e(t.source, t.background, vision) >= 40, vision
    if theme != "light":  # the projector themes: strokes keep 3:1 (WCAG non-text contrast)
        for accent in (t.highlight, t.source, t.grid_line):
            assert style.contrast(accent, t.background) >= 3
    if theme == "contrast":  # the window shows on black and white cells and on the kernel alike
        for accent in (t.highlight, t.source):  # (the turned kernel's corner is marked in source)
            assert (
                min(style.contrast(accent, ground) for ground in ("#000000", "#ffffff", t.kernel_fill)) >= 3
            )


def test_colour_vision_helper_sees_red_and_green_merge():
    assert delta_e("#d62728", "#2ca02c", "normal") > 100
    assert delta_e("#d62728", "#2ca02c", "deuteranopia") < 10


def test_light_is_the_default_with_today_s_colours():
    assert convanim.Scenario(image=COURSE_IMAGE, kernel={"preset": "mean"}).render.palette == style.LIGHT
    assert (style.LIGHT.background, style.LIGHT.ink, style.LIGHT.muted) == ("#ffffff", "#1a1a1a", "#555555")
    assert (style.LIGHT.highlight, style.LIGHT.kernel_fill, style.LIGHT.source) == (
        "#e69f00",
        "#fff3d6",
        "#0072b2",
    )


def test_dark_theme_colours():
    assert (
        style.Theme(
            name="dark",
            background="#1e1e1e",
            ink="#f0f0f0",
            paper="#1a1a1a",
            muted="#b3b3b3",
            grid_line="#6b6b6b",
            hatch="#4d4d4d",
            ghost_line="#5c5c5c",
            boundary="#e6e6e6",
            source="#56b4e9",
            highlight="#e69f00",
            kernel_fill="#3b3220",
        )
        == style.DARK
    )
    s = convanim.Scenario(image=COURSE_IMAGE, kernel={"preset": "mean"}, render={"theme": "dark"})
    frames = s.frames()
    assert frames.background == "#1e1e1e" and frames.theme == style.DARK
    title = next(it.shape for it in frames.items if isinstance(it.shape, Text))
    assert (title.text, title.color, title.bold) == (s.title, "#f0f0f0", True)
    kernel = [it.shape for it in frames.items if isinstance(it.shape, Rect) and it.shape.fill == "#3b3220"]
    assert len(kernel) == 9 and {r.stroke for r in kernel} == {"#e69f00"}
    assert {it.shape.color for it in frames.items if isinstance(it.shape, Hatch)} == {"#4d4d4d"}
    weights = {it.shape.color for it in frames.items if isinstance(it.shape, Text) and it.shape.text == "1/9"}
    assert weights == {"#f0f0f0"}
    gif = Image.open(io.BytesIO(s.to_bytes("gif")))
    assert gif.convert("RGB").getpixel((2, 2)) == hex_rgb("#1e1e1e")


def test_own_colours_override_the_theme():
    s = small(render={"theme": "dark", "highlight": "#56b4e9", "background": "#000000"})
    t = s.render.palette
    assert (t.highlight, t.background, t.kernel_fill) == ("#56b4e9", "#000000", "#3b3220")


def test_restyled_keeps_the_other_options_and_the_numbers():
    s = small(render={"cell_px": 40, "equation": False})
    d = s.restyled(theme="contrast", scale=2)
    assert (d.render.theme, d.render.scale, d.render.cell_px, d.render.equation) == ("contrast", 2, 40, False)
    assert s.render.theme == "light" and np.array_equal(d.output(), s.output())
    with pytest.raises(ScenarioError) as err:
        s.restyled(theme="sepia")
    assert str(err.value) == "render.theme: must be one of 'light', 'dark', 'contrast' (got 'sepia')"


@pytest.mark.parametrize(
    ("render", "message"),
    [
        ({"theme": "night"}, "render.theme: must be one of 'light', 'dark', 'contrast' (got 'night')"),
        ({"theme": 2}, "render.theme: must be one of 'light', 'dark', 'contrast' (got 2)"),
        ({"scale": 0.5}, "render.scale: must be a number from 1 to 4 (got 0.5)"),
        ({"scale": 5}, "render.scale: must be a number from 1 to 4 (got 5)"),
        ({"scale": "2"}, "render.scale: must be a number (got '2'; drop the quotes)"),
        ({"scale": float("nan")}, "render.scale: must be a finite number (got nan)"),
    ],
)
def test_bad_theme_and_scale_are_one_line_errors(render, message):
    with pytest.raises(ScenarioError) as err:
        small(render=render)
    assert str(err.value) == message


def test_schema_declares_theme_and_scale():
    props = schema()["properties"]["render"]["properties"]
    assert props["theme"]["enum"] == ["light", "dark", "contrast"] and props["theme"]["default"] == "light"
    assert (props["scale"]["minimum"], props["scale"]["maximum"], props["scale"]["default"]) == (1, 4, 1)
    assert "default" not in props["highlight"]  # the theme's


def test_scale_enlarges_text_and_strokes_not_cells():
    one = small(render={"cell_px": 40}).frames()
    two = small(render={"cell_px": 40, "scale": 2}).frames()
    texts = lambda f: [it.shape for it in f.items if isinstance(it.shape, Text)]  # noqa: E731
    assert texts(two)[0].size == 2 * texts(one)[0].size == 44  # the title
    assert two.output_grid.cell == one.output_grid.cell == 40
    cells = [
        it.shape for it in two.items if isinstance(it.shape, Rect) and it.shape.fill and it.shape.w == 40
    ]
    assert len(cells) >= 25 + 9 and all(float(c.x).is_integer() and float(c.y).is_integer() for c in cells)
    assert all(c.width == 2 for c in cells if c.stroke == style.GRID_LINE)
    value_one = next(t.size for t in texts(one) if t.text == "12")
    value_two = next(t.size for t in texts(two) if t.text == "12")
    # up to 1.5 × 0.36 × 40 = 21.6 px: as large as the widest value, "18.0", fits in 86% of the cell
    assert value_one == 14.0 and value_two == 15.4
    assert two.width > one.width and two.height > one.height and two.width % 2 == 0


def test_automatic_cells_grow_by_the_square_root_of_the_scale():
    one, four = small().frames(), small(render={"scale": 4}).frames()
    assert (one.output_grid.cell, four.output_grid.cell) == (48, 96)
    chain = convanim.load(ROOT / "animations" / "chain_photo.toml")
    one, two = ChainBuilder(chain).layout, ChainBuilder(chain.restyled(scale=2)).layout
    assert (one.cell, two.cell * 2) == (7, round(7 * 2**0.5))
    # the result's cell is the others' grown to its input's size, rounded up (7 → 8, 10 → 12)
    assert (chain.frames().output_grid.cell, chain.restyled(scale=2).frames().output_grid.cell) == (8, 12)


@pytest.mark.parametrize(
    "name",
    [
        "convol_mean",
        "chain_photo",
        "max_pool",
        "upsample_bilinear",
        "padding_strides_transposed",
        "layer_3_to_2",
        "chain_rgb_photo",
    ],
)
def test_scaled_text_stays_inside_the_picture(name):
    frames = (
        convanim.load(ROOT / "animations" / f"{name}.toml").restyled(theme="contrast", scale=2.5).frames()
    )
    for it in frames.items:
        t = it.shape
        if isinstance(t, Text):
            w = text_width(t.text, t.size, t.bold)
            left = {"start": t.x, "middle": t.x - w / 2, "end": t.x - w}[t.anchor]
            assert left >= 0 and left + w <= frames.width and t.size <= t.y <= frames.height, t.text
    assert [t for t, f in text_grounds(frames) if style.contrast(t.color, f) < style.AA] == []


def test_cli_theme_and_scale(tmp_path, monkeypatch, capsys):
    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "m.toml").write_text(
        '[image]\npattern = "square"\nsize = 5\n[kernel]\npreset = "mean"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            ["-q", "--jobs", "1", "--format", "gif,html", "--theme", "dark", "--render-scale", "2"],
            root=tmp_path,
        )
        == 0
    )
    expected = convanim.load(tmp_path / "animations" / "m.toml").restyled(theme="dark", scale=2).frames()
    with Image.open(tmp_path / "output" / "m.gif") as gif:
        assert gif.size == (expected.width, expected.height)
        assert gif.convert("RGB").getpixel((1, 1)) == hex_rgb("#1e1e1e")
    assert "--convanim-bg:#1e1e1e" in (tmp_path / "output" / "m.html").read_text(encoding="utf-8")
    assert main(["--check", "--format", "gif", "--theme", "dark", "--render-scale", "2"], root=tmp_path) == 0
    assert main(["--check", "--format", "gif"], root=tmp_path) == 1
    capsys.readouterr()
    for argv, message in (
        (
            ["--render-scale", "9"],
            "argument --render-scale: must be a number from 1 to 4 (got 9) (see --help)",
        ),
        (["--theme", "sepia"], "argument --theme: invalid choice: 'sepia' (choose from "),  # argparse's
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv, root=tmp_path)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and err.startswith(f"generate.py: {message}") and err.count("\n") == 1


def test_player_markup_follows_the_theme():
    light = player(small().frames())
    dark = player(small(render={"theme": "dark"}).frames())
    assert '<div class="convanim-player" tabindex="0"' in light and "--convanim" not in light
    assert '<div class="convanim-player convanim-themed" tabindex="0"' in dark
    width = small(render={"theme": "dark"}).frames().width
    assert (
        f'style="max-width:{width + 20}px;--convanim-bg:#1e1e1e;--convanim-fg:#f0f0f0;--convanim-accent:#e69f00"'
        in dark
    )


def test_player_controls_follow_the_theme_in_a_browser(open_page):
    body = "\n".join(player(small(render={"theme": t}).frames()) for t in ("light", "dark", "contrast"))
    w = open_page(page("themes", body))
    styles = [
        w.player(n).root.evaluate(
            """root => {
              const css = (el, name) => getComputedStyle(el).getPropertyValue(name);
              const button = root.querySelector('[data-act="forward"]');
              const slider = root.querySelector('.convanim-slider');
              const readout = root.querySelector('.convanim-readout');
              return [css(root, 'background-color'), css(button, 'color'), css(button, 'border-top-color'),
                      css(slider, 'accent-color'), css(readout, 'color'), root.getAttribute('aria-label'),
                      root.querySelector('svg').getAttribute('aria-label')];
            }"""
        )
        for n in range(3)
    ]
    light, dark, contrast = styles
    assert light[0] == "rgba(0, 0, 0, 0)" and light[3] == "auto"  # the page's colours, as before
    assert dark[:5] == [
        "rgb(30, 30, 30)",
        "rgb(240, 240, 240)",
        "rgb(240, 240, 240)",
        "rgb(230, 159, 0)",
        "rgb(240, 240, 240)",
    ]
    assert contrast[:5] == [
        "rgb(0, 0, 0)",
        "rgb(255, 255, 255)",
        "rgb(255, 255, 255)",
        "rgb(213, 94, 0)",
        "rgb(255, 255, 255)",
    ]
    for theme in (style.DARK, style.CONTRAST):
        assert style.contrast(theme.ink, theme.background) >= 7  # the controls' text (AAA)
    assert [s[5] for s in styles] == ["small"] * 3 and [s[6] for s in styles] == [small().alt_text] * 3
    w.assert_clean()


def test_a_dark_scaled_player_matches_its_gif_and_maps_the_pointer(open_page):
    from .test_player_browser import assert_matches_gif, cell_centre, picture

    s = small(render={"theme": "dark", "scale": 2, "cell_px": 24})
    frames = s.frames()
    assert frames.width <= 948  # drawn 1:1: the page is 1000 px wide, less its and the player's padding
    w = open_page(page("dark", player(frames)))
    p = w.player()
    for k in (0, 6, len(frames) - 1):
        p.go_to(k)
        assert_matches_gif(picture(w), frames, k, "dark ×2")
    w.page.mouse.move(*cell_centre(w, frames, 1, 2))
    assert (p.frame(), p.readout()) == (6, "step 6/9: output[1,2] = 13.0")
    w.assert_clean()


@pytest.mark.parametrize("operation", ["conv2d", "max_pool2d", "upsample"])
def test_text_on_a_kernel_fill_you_set_still_meets_aa(operation):
    keys = {"conv2d": {}, "max_pool2d": {"kernel": None, "kernel_size": 2}, "upsample": {"kernel": None}}
    extra = {"mode": "nearest", "scale_factor": 2} if operation == "upsample" else {}
    s = small(operation=operation, render={"kernel_fill": "#202020"}, **keys[operation], **extra)
    on_kernel = [(t, f) for t, f in text_grounds(s.frames()) if f == "#202020"]
    assert on_kernel and {t.color for t, _ in on_kernel} == {"#ffffff"}


def test_text_in_the_highlight_colour_meets_aa():
    assert (style.LIGHT.highlight_text, style.DARK.highlight_text) == ("#946a0a", "#e69f00")
    for t in style.THEMES.values():
        assert style.contrast(t.highlight_text, t.background) >= style.AA
