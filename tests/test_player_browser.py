"""The HTML player in a real browser (Debian's Chromium, network blocked): it loads clean, every
control and key sets the expected frame and readout, players stay independent, the picture without
JavaScript shows, titles stay text, and the pixels match the GIF's frames."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim.display import Frames, Line, Rect
from convanim.export.html import page, player
from convanim.paint.raster import RasterPainter

from .helpers import COURSE_IMAGE, ROOT, hex_rgb, picture_frames, small

FAST = {"step_ms": 20, "poster_ms": 20, "final_ms": 20}
LABELS = ["First frame", "Step back", "Play", "Step forward", "Last frame"]


def page_of(*scenarios: convanim.Scenario) -> str:
    """A standalone page with one player per scenario (assets inlined once)."""
    return page("players", "\n".join(player(s.frames()) for s in scenarios))


def picture(watched, n: int = 0) -> np.ndarray:
    """Screenshot of player n's SVG as an (H, W, 3) array."""
    png = watched.player(n).root.locator(".convanim-stage > svg").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def highlights(frames: Frames, k: int) -> list[Rect]:
    """The outlines drawn in frame k only: the window and the current output cell."""
    return [
        it.shape
        for it in frames.items
        if isinstance(it.shape, Rect) and it.first == it.last == k and it.shape.fill is None
    ]


def probe_points(frames: Frames, k: int) -> list[tuple[int, int]]:
    """Pixels to compare: a point of every input and output cell drawn in frame k, clear of its value
    and grid lines; the grid line left of each cell and the pixels either side (lines are crisp, as
    in the GIF), unless a stroke of this frame lies there; and the middle pixel row or column of
    the outlines of frame k (the window, the output cell)."""
    cells = [
        it.shape
        for it in frames.items
        if it.visible(k)
        and isinstance(it.shape, Rect)
        and it.shape.fill
        and it.shape.stroke == frames.theme.grid_line
    ]
    marks = [
        it.shape for it in frames.items if it.first == it.last == k and isinstance(it.shape, (Rect, Line))
    ]

    def marked(x: int, y: int) -> bool:
        for m in marks:
            xs, ys = (
                zip(*m.points, strict=True) if isinstance(m, Line) else ((m.x, m.x + m.w), (m.y, m.y + m.h))
            )
            pad = m.width + 1
            if min(xs) - pad <= x <= max(xs) + pad and min(ys) - pad <= y <= max(ys) + pad:
                return True
        return False

    points = [(int(r.x + r.w / 2), int(r.y + r.h * 0.2)) for r in cells]
    for r in cells:
        points += [p for dx in (-1, 0, 1) if not marked(*(p := (int(r.x) + dx, int(r.y + r.h * 0.2))))]
    for r in highlights(frames, k):
        points += [(int(r.x + r.w / 2), int(r.y)), (int(r.x), int(r.y + r.h / 2))]
    return points


def assert_matches_gif(got: np.ndarray, frames: Frames, k: int, name: str = "") -> None:
    """Player pixels against the GIF painter's frame k: cells and outlines within 8 per channel,
    and the whole picture, averaged over 8×8 blocks, close (text rasterisers differ a little)."""
    ref = RasterPainter(frames).frame(k).astype(int)
    assert got.shape == ref.shape
    points = probe_points(frames, k)
    assert len(points) > 20
    bad = [
        (x, y, tuple(got[y, x]), tuple(ref[y, x]))
        for x, y in points
        if np.abs(got[y, x] - ref[y, x]).max() > 8
    ]
    assert bad == [], f"{name} frame {k}: {len(bad)} of {len(points)} probes differ, e.g. {bad[:5]}"
    h, w = (ref.shape[0] // 8) * 8, (ref.shape[1] // 8) * 8
    blocks = [a[:h, :w].reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3)) for a in (got, ref)]
    diff = np.abs(blocks[0] - blocks[1])
    assert diff.mean() < 3.0 and diff.max() < 48, (
        f"{name} frame {k}: block diff mean {diff.mean():.2f}, max {diff.max():.1f}"
    )


# ---------------------------------------------------------------- loading and structure


def test_page_loads_clean_with_its_controls(open_page):
    s = small()
    w = open_page(page_of(s))
    p = w.player()
    root = p.root
    assert root.get_attribute("data-ready") == "" and root.get_attribute("tabindex") == "0"
    assert p.frame() == 0 and p.frames() == 11 and not p.playing()
    assert p.readout() == "poster: input 5×5, kernel 3×3, output 3×3"
    for label in LABELS:
        assert p.button(label).is_visible()
    assert root.get_by_role("slider", name="Frame").is_visible()
    assert root.get_by_role("combobox", name="speed").input_value() == "1"
    assert root.get_by_role("combobox", name="repeat").input_value() == "loop"
    assert root.locator(".convanim-readout").get_attribute("aria-live") == "polite"
    # every item is one SVG element (the poster's adopted, the others created), in drawing order
    frames = s.frames()
    assert root.locator(".convanim-stage > svg > *").count() == 1 + len(frames.items)
    assert root.locator(".convanim-stage > svg g").count() == 0
    w.assert_clean()


def test_autoplay_advances_the_frame(open_page):
    w = open_page(page_of(small()), reduced_motion="no-preference", clock=True)
    p = w.player()
    w.page.clock.run_for(300 + 3 * 100 + 50)  # the poster's 300 ms, three steps of 100 ms
    assert p.frame() == 4
    assert p.playing() and p.button("Pause").is_visible()
    assert p.root.locator(".convanim-readout").get_attribute("aria-live") == "off"  # no chatter
    w.assert_clean()


def test_reduced_motion_does_not_autoplay_but_play_plays(open_page):
    w = open_page(page_of(small()), reduced_motion="reduce", clock=True)
    p = w.player()
    w.page.clock.run_for(5000)  # the poster lasts 300 ms: autoplay would have moved on
    assert p.frame() == 0 and not p.playing()
    p.button("Play").click()
    w.page.clock.run_for(300 + 100 + 50)
    assert p.frame() == 2 and p.playing()
    w.assert_clean()


# ---------------------------------------------------------------- controls and keys


def test_buttons_set_frame_and_readout(open_page):
    frames = small().frames()
    w = open_page(page_of(small()))
    p = w.player()
    expected = [
        ("Step forward", 1, "step 1/9: output[0,0] = 6.0"),
        ("Step forward", 2, "step 2/9: output[0,1] = 7.0"),
        ("Step back", 1, "step 1/9: output[0,0] = 6.0"),
        ("Last frame", 10, "done: output 3×3"),
        ("Step forward", 10, "done: output 3×3"),  # stays on the last frame
        ("Step back", 9, "step 9/9: output[2,2] = 18.0"),
        ("First frame", 0, "poster: input 5×5, kernel 3×3, output 3×3"),
        ("Step back", 0, "poster: input 5×5, kernel 3×3, output 3×3"),
    ]
    for label, frame, readout in expected:
        p.button(label).click()
        assert (p.frame(), p.readout()) == (frame, readout), label
        assert readout == frames.frames[frame].readout
    w.assert_clean()


def test_keys_when_the_player_has_focus(open_page):
    w = open_page(page_of(small()))
    p = w.player()
    for key, frame in [
        ("ArrowRight", 1),
        ("ArrowRight", 2),
        ("ArrowRight", 3),
        ("ArrowLeft", 2),
        ("End", 10),
        ("ArrowLeft", 9),
        ("Home", 0),
    ]:
        p.press(key)
        assert p.frame() == frame, key
    assert p.readout() == "poster: input 5×5, kernel 3×3, output 3×3"
    p.press("ArrowRight")
    p.press("ArrowRight")
    p.press("ArrowRight")
    p.press("ArrowRight")
    p.press("ArrowRight")
    assert p.readout() == "step 5/9: output[1,1] = 12.0"
    p.press(" ")
    assert p.playing()
    p.press(" ")
    assert not p.playing()
    assert w.page.evaluate("window.scrollY") == 0  # Space did not scroll the page
    w.assert_clean()


def test_slider_scrubs(open_page):
    w = open_page(page_of(small()))
    p = w.player()
    slider = p.root.get_by_role("slider", name="Frame")
    slider.fill("6")
    assert (p.frame(), p.readout()) == (6, "step 6/9: output[1,2] = 13.0")
    assert slider.get_attribute("aria-valuetext") == "step 6/9: output[1,2] = 13.0"
    slider.focus()
    slider.press("ArrowRight")
    assert p.frame() == 7
    slider.press("End")
    assert p.frame() == 10
    p.button("First frame").click()
    assert slider.input_value() == "0"
    w.assert_clean()


@pytest.mark.parametrize(
    "step",
    [
        lambda p: p.button("Step forward").click(),
        lambda p: p.button("Step back").click(),
        lambda p: p.press("ArrowRight"),
        lambda p: p.press("Home"),
        lambda p: p.root.get_by_role("slider", name="Frame").fill("4"),
    ],
    ids=["forward", "back", "arrow", "home", "slider"],
)
def test_stepping_pauses_playback(open_page, step):
    w = open_page(page_of(small(timing={"step_ms": 200, "poster_ms": 200, "final_ms": 200})), clock=True)
    p = w.player()
    p.button("Play").click()
    w.page.clock.run_for(450)
    assert p.frame() == 2
    step(p)
    assert not p.playing() and p.button("Play").is_visible()
    stopped = p.frame()
    w.page.clock.run_for(5000)
    assert p.frame() == stopped
    w.assert_clean()


def record_frames(w, n: int = 0) -> None:
    w.player(n).root.evaluate(
        "root => { root.seen = []; new MutationObserver(() => root.seen.push(Number(root.dataset.frame)))"
        ".observe(root, {attributes: true, attributeFilter: ['data-frame']}); }"
    )


def seen(w, n: int = 0) -> list[int]:
    return w.player(n).root.evaluate("root => root.seen")


def test_repeat_once_stops_on_the_last_frame(open_page):
    w = open_page(page_of(small(timing=FAST)))
    p = w.player()
    p.root.get_by_role("combobox", name="repeat").select_option("once")
    record_frames(w)
    p.button("Play").click()
    w.page.wait_for_function("root => root.dataset.playing === 'false'", arg=p.root.element_handle())
    assert p.frame() == 10 and seen(w) == list(range(1, 11))
    p.button("Play").click()  # at the end, Play starts again from the poster
    p.wait_frame("f === 10 && root.dataset.playing === 'false'")
    assert seen(w)[10:] == list(range(0, 11))
    w.assert_clean()


def test_repeat_loop_and_reflect(open_page):
    w = open_page(page_of(small(timing=FAST), small(timing=FAST)))
    loop, reflect = w.player(0), w.player(1)
    reflect.root.get_by_role("combobox", name="repeat").select_option("reflect")
    record_frames(w, 0)
    record_frames(w, 1)
    loop.button("Play").click()
    reflect.button("Play").click()
    w.page.wait_for_function(
        "() => [...document.querySelectorAll('.convanim-player')].every(r => r.seen.length >= 25)"
    )
    loop.button("Pause").click()
    reflect.button("Pause").click()
    a, b = seen(w, 0), seen(w, 1)
    assert a[:21] == [*range(1, 11), *range(0, 11)]
    assert b[:21] == [*range(1, 11), *range(9, -1, -1), 1]
    w.assert_clean()


def test_speed(open_page):
    w = open_page(page_of(small(timing={"step_ms": 400, "poster_ms": 400, "final_ms": 400})), clock=True)
    p = w.player()
    speed = p.root.get_by_role("combobox", name="speed")
    assert [o.get_attribute("value") for o in speed.locator("option").all()] == ["0.25", "0.5", "1", "2", "4"]
    speed.select_option("4")  # 100 ms a frame
    p.button("Play").click()
    w.page.clock.run_for(550)  # at 1× this is one frame
    assert p.frame() == 5
    p.button("Pause").click()
    speed.select_option("0.25")  # 1600 ms a frame
    p.button("First frame").click()
    p.button("Play").click()
    w.page.clock.run_for(1550)
    assert p.frame() == 0 and p.playing()
    w.page.clock.run_for(100)
    assert p.frame() == 1
    w.assert_clean()


# ---------------------------------------------------------------- pointer over the output


def cell_centre(w, frames: Frames, row: int, col: int, n: int = 0) -> tuple[float, float]:
    box = w.player(n).root.locator(".convanim-stage > svg").bounding_box()
    scale = box["width"] / frames.width
    g = frames.output_grid
    return box["x"] + (g.x + (col + 0.5) * g.cell) * scale, box["y"] + (g.y + (row + 0.5) * g.cell) * scale


def test_hover_and_click_on_an_output_cell_jump_to_its_step(open_page):
    s = small()
    frames = s.frames()
    w = open_page(page_of(s))
    p = w.player()
    w.page.mouse.move(*cell_centre(w, frames, 1, 2))
    assert (p.frame(), p.readout()) == (6, "step 6/9: output[1,2] = 13.0")
    # the window of that step is drawn: its outline has the highlight colour
    window = next(r for r in highlights(frames, 6) if r.x < frames.output_grid.x)
    got = picture(w)
    assert np.abs(got[int(window.y), int(window.x + window.w / 2)] - hex_rgb("#e69f00")).max() <= 8
    w.page.mouse.move(5, 5)
    p.button("First frame").click()
    w.page.mouse.click(*cell_centre(w, frames, 2, 0))
    assert (p.frame(), p.readout()) == (7, "step 7/9: output[2,0] = 16.0")
    assert not p.playing()
    w.assert_clean()


# ---------------------------------------------------------------- several players


def test_players_on_one_page_are_independent(open_page):
    a, b = small(), small(kernel={"preset": "sobel_x"})
    w = open_page(page_of(a, a, b))
    one, two, three = w.player(0), w.player(1), w.player(2)
    one.button("Step forward").click()
    one.button("Step forward").click()
    assert (one.frame(), two.frame(), three.frame()) == (2, 0, 0)
    two.press("End")
    assert (one.frame(), two.frame(), three.frame()) == (2, 10, 0)
    three.button("Play").click()
    three.wait_frame("f >= 2")
    assert not one.playing() and not two.playing()
    three.button("Pause").click()
    assert three.readout().startswith("step ") and one.readout() == "step 2/9: output[0,1] = 7.0"
    w.assert_clean()


def test_start_up_is_idempotent(open_page):
    """JupyterLab re-runs an output's scripts when it re-renders: nothing doubles."""
    s = small()
    w = open_page(page_of(s, s))
    before = w.page.locator(".convanim-stage > svg > *").count()
    w.page.evaluate(
        """() => {
            for (const old of document.querySelectorAll('script:not([type])')) {
                const again = document.createElement('script');
                again.textContent = old.textContent;
                old.after(again);
            }
            window.convanimPlayer.boot(null);
        }"""
    )
    assert w.page.locator(".convanim-stage > svg > *").count() == before
    p = w.player(1)
    p.button("Step forward").click()  # one listener: one step
    assert (p.frame(), w.player(0).frame()) == (1, 0)
    new_globals = """() => {
        const blank = document.createElement('iframe');
        document.body.append(blank);
        const before = new Set(Object.keys(blank.contentWindow));
        blank.remove();
        return Object.keys(window).filter(k => !before.has(k));
    }"""
    assert w.page.evaluate(new_globals) == ["convanimPlayer"]
    w.assert_clean()


# ---------------------------------------------------------------- without JavaScript, escaping


def test_without_javascript_the_poster_is_visible(open_page):
    """Scripts off: the player is its poster, an <img> (the SVG as a data URI), and nothing else:
    no controls, no readout, no text."""
    s = convanim.Scenario(title="course", image=COURSE_IMAGE, kernel={"preset": "mean"})
    frames = s.frames()
    w = open_page(page_of(s), javascript=False)
    p = w.player()
    still = p.root.locator("img.convanim-still")
    assert still.is_visible() and still.bounding_box()["width"] == frames.width
    assert still.get_attribute("alt") == s.alt_text
    assert p.root.locator("button, input, select, .convanim-bar, .convanim-readout, svg").count() == 0
    assert p.root.inner_text().strip() == ""
    assert p.root.get_attribute("data-ready") is None and p.frame() == 0
    got = np.asarray(Image.open(io.BytesIO(still.screenshot())).convert("RGB")).astype(int)
    assert_matches_gif(got, frames, 0)
    w.assert_clean()


def test_titles_are_text(open_page):
    title = "<script>alert(1)</script>"
    caption = "</script><img src=x onerror=alert(2)> & \\ ' done"  # U+2028 is refused at validation
    s = small(title=title, caption=caption)
    w = open_page(page_of(s))
    texts = w.player().root.locator(".convanim-stage > svg text").all_text_contents()
    assert title in texts and caption in texts
    assert w.page.locator("img").count() == 0 and w.page.locator("script").count() == 3
    assert w.player().root.get_attribute("aria-label") == title
    w.assert_clean()
    w = open_page(page_of(s), javascript=False)
    assert w.page.locator("img").count() == 1 and w.page.locator("script").count() == 3
    assert w.page.locator("img").get_attribute("alt") == s.alt_text
    assert w.player().root.get_attribute("aria-label") == title
    w.assert_clean()


# ---------------------------------------------------------------- pixels against the GIF


def test_frames_match_the_gif(open_page, tmp_path):
    s = convanim.Scenario(title="course", image=COURSE_IMAGE, kernel={"preset": "mean"}, caption="a caption")
    frames = s.frames()
    w = open_page(page_of(s))
    p = w.player()
    for k in (0, 1, 12, len(frames) // 2, len(frames) - 2, len(frames) - 1):
        p.go_to(k)
        assert p.frame() == k
        got = picture(w)
        Image.fromarray(got.astype(np.uint8)).save(tmp_path / f"player-frame-{k}.png")  # to look at
        assert_matches_gif(got, frames, k)
    # stepping there one frame at a time (incremental show/hide) gives the same picture
    p.go_to(0)
    for _ in range(12):
        p.press("ArrowRight")
    assert_matches_gif(picture(w), frames, 12)
    w.assert_clean()


def test_signed_and_strided_scenarios_match_the_gif(open_page):
    for name in (
        "convol_edge",
        "convol_rect",
        "padding_strides_transposed",
        "same_padding_reflect",
        "dilation",
    ):
        s = convanim.load(ROOT / "animations" / f"{name}.toml")
        frames = s.frames()
        w = open_page(page_of(s))
        for k in (0, 7, len(frames) - 1):
            w.player().go_to(k)
            assert_matches_gif(picture(w), frames, k, name)
        w.assert_clean()


# ---------------------------------------------------------------- layout, themes, print


def test_narrow_container_has_no_horizontal_overflow(open_page):
    s = convanim.load(ROOT / "animations" / "convol_mean.toml")
    w = open_page(page_of(s), width=320, height=700)
    assert w.page.evaluate("document.documentElement.scrollWidth") <= 320
    box = w.player().root.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    for control in w.player().root.locator("button, select, input").all():
        b = control.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 320
    svg = w.player().root.locator(".convanim-stage > svg").bounding_box()
    assert abs(svg["height"] / svg["width"] - s.frames().height / s.frames().width) < 0.01
    w.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_controls_follow_the_theme_and_data_colours_stay(open_page, scheme):
    w = open_page(page_of(small()), color_scheme=scheme)
    p = w.player()
    style = p.button("Play").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(document.body).color]"
    )
    assert style[0] == style[1]  # the text colour of the page, whatever the theme
    rgb = [int(v) for v in style[0][style[0].index("(") + 1 : -1].split(",")[:3]]
    assert (sum(rgb) > 382) == (scheme == "dark")
    got = picture(w)
    assert tuple(got[2, 2]) == hex_rgb("#ffffff")  # the picture keeps its own background
    w.assert_clean()


def test_print_shows_the_frame_without_controls(open_page):
    w = open_page(page_of(small()))
    p = w.player()
    p.go_to(4)
    w.page.emulate_media(media="print")
    assert not p.root.locator(".convanim-bar").is_visible()
    assert p.root.locator(".convanim-stage > svg").is_visible()
    assert p.frame() == 4
    w.assert_clean()


def test_the_committed_gallery_index(open_page):
    """output/index.html: a card per scenario with its still and links; the first card's player
    loads in place of its still (tests/test_gallery_page.py plays them in and out of view)."""
    index = ROOT / "output" / "index.html"
    w = open_page(index)
    names = sorted(p.stem for p in (ROOT / "animations").glob("*.toml"))
    cards = w.page.locator(".card").count()
    assert cards == len(names) and index.stat().st_size < 1_000 * len(names)  # alt texts included
    hrefs = w.page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for name in names:
        for href in (f"{name}.gif", f"{name}.html", f"../animations/{name}.toml"):
            assert href in hrefs and (ROOT / "output" / href).is_file()
        assert (ROOT / "output" / f"{name}.png").is_file()
    w.page.locator(f"#{names[0]} .view.live").wait_for()
    frame = w.page.locator(f"#{names[0]} iframe").element_handle().content_frame()
    assert frame.evaluate("() => document.querySelector('.convanim-player').hasAttribute('data-ready')")
    w.assert_clean()


def test_hover_on_an_output_channel_jumps_to_the_step_of_that_map(open_page):
    from .test_frames_layer import layer

    s = layer()
    frames = s.frames()
    w = open_page(page_of(s))
    p = w.player()
    box = p.root.locator(".convanim-stage > svg").bounding_box()
    scale = box["width"] / frames.width
    g = frames.output_grids[1]
    w.page.mouse.move(box["x"] + (g.x + 0.5 * g.cell) * scale, box["y"] + (g.y + 1.5 * g.cell) * scale)
    assert (p.frame(), p.readout()) == (7, "step 7/8: out[1][1,0] = 3.0")
    g = frames.output_grids[0]
    w.page.mouse.click(box["x"] + (g.x + 1.5 * g.cell) * scale, box["y"] + (g.y + 0.5 * g.cell) * scale)
    assert (p.frame(), p.readout()) == (2, "step 2/8: out[0][0,1] = 6.5")
    p.button("Play").click()
    p.wait_frame("f => f === 9", timeout=10000)
    w.assert_clean()


def test_pictures_are_drawn_crisp_as_in_the_gif(open_page):
    """A Picture is an <image> of its PNG, pixelated: in the poster (adopted) and created from the
    island on the next frame, each block exactly the raster painter's colours, edges unblurred."""
    frames = picture_frames()
    w = open_page(page("pictures", player(frames)))
    painter = RasterPainter(frames)
    inside = np.zeros((frames.height, frames.width), bool)
    inside[7:35, 11:49] = True  # inside the outline
    inside[:, 55:] = True
    for k in (0, 1):
        w.player().go_to(k)
        w.player().wait_frame(f"f === {k}")
        assert w.player().root.locator(".convanim-stage > svg image:visible").count() == (1 if k == 0 else 4)
        got = picture(w)
        np.testing.assert_array_equal(got[inside], painter.frame(k)[inside].astype(int), err_msg=f"frame {k}")
    w.assert_clean()
