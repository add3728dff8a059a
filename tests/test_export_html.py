"""The HTML exporter without a browser: the JSON data island carries the display list, the inline
SVG draws the poster, text is escaped, output is deterministic, the fragment is self-contained."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim import editing, export
from convanim.cli import main
from convanim.display import Frames, Hatch, Line, Picture, Rect, Text
from convanim.export.gallery import Entry, index_html
from convanim.export.html import TEMPLATES, assets, fragment, player, player_css, player_js
from convanim.export.playerdata import encode, expand, num, pack, script_json, unpack
from convanim.export.png import picture_base64, picture_png
from convanim.export.svg import frame_svg, kept_spaces
from convanim.paint.raster import hatch_segments

from .helpers import COURSE_IMAGE, PIXELS, picture_frames, small

ANCHORS = ["start", "middle", "end"]
SVG = "http://www.w3.org/2000/svg"


def island(html: str, n: int = 0) -> dict:
    """The n-th player's data island, parsed as the browser does."""
    blocks = re.findall(r'<script type="application/json" class="convanim-data">(.*?)</script>', html, re.S)
    return json.loads(blocks[n])


def poster_svg(html: str, n: int = 0) -> ET.Element:
    """The n-th player's poster, from its still ``<img>``'s SVG data URI (as the player reads it)."""
    uris = re.findall(r'<img class="convanim-still" src="data:image/svg\+xml,([^"]*)"', html)
    return ET.fromstring(unquote(uris[n]))


def svg_texts(svg: ET.Element) -> list[str]:
    return [el.text for el in svg.iter(f"{{{SVG}}}text")]


def decode(data: dict, item: list) -> object:
    """A JSON item back into the display-list shape it describes (the player's reading)."""
    style, geometry, c = data["s"][item[0]], item[3:], data["c"]

    def colour(i: int) -> str | None:
        return None if i < 0 else c[i]

    if style[0] == 0:
        return Rect(*geometry, style[4], style[5], colour(style[1]), colour(style[2]), style[3])
    if style[0] == 1:
        return Hatch(*geometry, style[3], style[4], c[style[1]], style[2])
    if style[0] == 2:
        x, y, t = geometry
        return Text(x, y, data["t"][t], style[1], c[style[2]], ANCHORS[style[3]], bool(style[4]))
    return Line(tuple(zip(geometry[::2], geometry[1::2], strict=True)), c[style[1]], style[2], bool(style[3]))


def rounded(shape: object) -> object:
    """A shape with its numbers rounded as the JSON stores them."""
    if isinstance(shape, Rect):
        width = shape.width if shape.stroke and shape.width > 0 else 0
        stroke = shape.stroke if width else None
        return Rect(*(num(v) for v in (shape.x, shape.y, shape.w, shape.h)), shape.fill, stroke, num(width))
    if isinstance(shape, Hatch):
        return Hatch(*(num(v) for v in (shape.x, shape.y, shape.w, shape.h)), shape.color, num(shape.spacing))
    if isinstance(shape, Text):
        return Text(
            num(shape.x), num(shape.y), shape.text, num(shape.size), shape.color, shape.anchor, shape.bold
        )
    return Line(tuple((num(x), num(y)) for x, y in shape.points), shape.color, num(shape.width), shape.dash)


@pytest.fixture(scope="module")
def course() -> Frames:
    return convanim.Scenario(title="course", image=COURSE_IMAGE, kernel={"preset": "mean"}).frames()


# ---------------------------------------------------------------- the data island


def test_island_carries_the_display_list(course):
    data = island(player(course))
    assert data["v"] == 4 and data["drawn"] == 0
    assert (data["title"], data["w"], data["h"]) == ("course", course.width, course.height)
    assert data["c"][data["bg"]] == course.background
    assert len(data["c"]) == len(set(data["c"])) and len(data["t"]) == len(set(data["t"]))
    assert len(data["s"]) == len({tuple(s) for s in data["s"]})
    assert len(expand(data["i"])) == len(course.items)
    written = set(editing.text_items(course.slots))  # an editable picture's page writes these texts
    for n, (item, entry) in enumerate(
        zip(course.items, unpack(data), strict=True)
    ):  # as the player reads them
        if item.visible(0):  # drawn by the inline SVG: only its last frame is stored
            assert entry == item.last and item.first == 0
        else:
            assert entry[1:3] == [item.first, item.last]
            shape = dataclasses.replace(item.shape, text="") if n in written else item.shape
            assert decode(data, entry) == rounded(shape)
    g = course.output_grid
    assert data["g"] == [g.x, g.y, g.rows, g.cols, g.cell]


def test_items_are_packed_relative_to_what_came_before():
    styles = [(0, 1, -1, 0, 29, 29), (2, 14, 0, 1, 0), (3, 0, 1.5, 1)]
    items = [
        9,  # drawn by the poster, to the last frame (of 10)
        4,
        [0, 1, 1, 20, 114],  # a window, one frame each, a cell further each step
        [0, 2, 2, 49, 114],
        [1, 2, 9, 63.5, 132.2, 7],  # a value: to the end
        [1, 3, 3, 63.5, 132.2, 8],  # the next text, in the same place
        [2, 3, 3, 368, 142.6, 616, 128.5],
        [2, 4, 4, 368, 144.3, 616, 130.2, 700, 100],  # more points: written as they are
    ]
    packed = pack(items, 10, styles)
    assert packed == [
        -1,
        4,
        [0, 1, 0, 200, 1140],
        [0, 1, 0, 290],  # the same row: its zero is left out
        [1, 0, -1, 7, 635, 1322],  # the text index first
        [1, 1, 0, 1],  # one text further, nothing moved
        [2, 0, 0, 3680, 1426, 6160, 1285],
        [2, 1, 0, 3680, 1443, 6160, 1302, 7000, 1000],
    ]
    assert unpack({"f": [None] * 10, "s": styles, "i": packed}) == items


def test_runs_of_equal_packed_items_are_written_once():
    styles = [(2, 14, 0, 1, 0)]
    items = [9, 9, 9, 4, [0, 1, 1, 63.5, 132.2, 7], [0, 2, 2, 63.5, 132.2, 7], [0, 3, 3, 63.5, 132.2, 7]]
    packed = pack(items, 10, styles)
    assert packed == [-1, "2", 4, [0, 1, 0, 7, 635, 1322], [0, 1, 0], "1"]
    assert unpack({"f": [None] * 10, "s": styles, "i": packed}) == items


def test_island_frames_have_readouts_and_output_cells(course):
    data = island(player(course))
    assert len(data["f"]) == len(course) == 66
    assert data["f"][0] == [1500, "poster: input 10×10, kernel 3×3, output 8×8"]
    assert data["f"][5] == 500  # an editable picture's page writes the readout (ed.r)
    assert data["f"][-1] == [3000, "done: output 8×8"]
    stiff = convanim.Scenario(title="course", image=COURSE_IMAGE, kernel={"values": [[1] * 8]})
    frames = stiff.frames()  # not editable (numpy adds a row of 8 pairwise): the readouts are shipped
    data = island(player(frames))
    assert data["f"][5] == [500, frames.frames[5].readout, *frames.frames[5].out]
    for info, row in zip(frames.frames, data["f"], strict=True):
        assert row[:2] == [info.duration_ms, info.readout]
        assert row[2:] == ([] if info.out is None else list(info.out))


def test_island_is_compact(course):
    """A few hundred bytes per step: shared tables, rounded numbers, the poster stored once."""
    per_step = len(script_json(encode(course, 0)).encode()) / 64
    assert per_step < 450
    big = convanim.Scenario(
        title="Mean filter: a 3×3 average smooths a 12×12 disk",
        caption="F[a,b] = Σ f[i,j]·I[a+i, b+j] with every f[i,j] = 1/9",
        image={"pattern": "disk", "size": 12, "low": 0, "high": 9},
        kernel={"preset": "mean"},
    )
    # matplotlib's to_jshtml gives 7,431,404 B for this one (bench/html_size.py): 100× is 74,314 B,
    # editing included
    assert len(big.to_bytes("html")) <= 74_314


def test_script_json_escapes_what_could_end_or_break_a_script():
    data = {"t": "</script><!-- & \u2028 \u2029 > ok"}
    text = script_json(data)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert "\\u003c/script\\u003e" in text and "\\u2028" in text
    assert json.loads(text) == data


# ---------------------------------------------------------------- the poster as inline SVG


def test_poster_svg_has_one_element_per_item_in_order(course):
    svg = ET.fromstring(frame_svg(course, 0))
    assert svg.get("viewBox") == f"0 0 {course.width} {course.height}"
    assert svg.get("shape-rendering") == "crispEdges"
    elements = [e for e in svg.iter() if e.tag in ("path", "text", "polyline")]
    shown = [it.shape for it in course.items if it.visible(0)]
    assert len(elements) == len(shown)
    for el, shape in zip(elements, shown, strict=True):
        if isinstance(shape, Rect):
            x, y, w, h = (num(v) for v in (shape.x, shape.y, shape.w, shape.h))
            assert el.tag == "path" and el.get("d") == f"M{x} {y}h{w}v{h}h{num(-w)}z"
        elif isinstance(shape, Hatch):
            assert el.tag == "path" and el.get("d").count("M") == len(hatch_segments(shape))
        elif isinstance(shape, Text):
            assert el.tag == "text" and el.text == kept_spaces(shape.text)
            assert (float(el.get("x")), float(el.get("y"))) == (num(shape.x), num(shape.y))
        else:
            assert el.tag == "polyline"


def test_poster_svg_attributes_resolve_to_the_shapes_style(course):
    """What an element inherits (its <g>, the <svg>) plus its own attributes is the item's style."""
    svg = ET.fromstring(frame_svg(course, 0))
    parents = {child: parent for parent in svg.iter() for child in parent}
    shown = [it.shape for it in course.items if it.visible(0)]
    elements = [e for e in svg.iter() if e.tag in ("path", "text", "polyline")]

    def attr(el: ET.Element, name: str) -> str | None:
        while el is not None:
            if el.get(name) is not None:
                return el.get(name)
            el = parents.get(el)
        return None

    def long_hex(c: str) -> str:
        return c if len(c) == 7 else "#" + "".join(ch * 2 for ch in c[1:])

    for el, shape in zip(elements, shown, strict=True):
        if isinstance(shape, Text):
            assert float(attr(el, "font-size")) == num(shape.size)
            assert attr(el, "text-anchor") == shape.anchor
            assert long_hex(attr(el, "fill")) == shape.color
            assert (attr(el, "font-weight") == "bold") == shape.bold
        elif isinstance(shape, Rect):
            assert (
                attr(el, "fill") == "none" if shape.fill is None else long_hex(attr(el, "fill")) == shape.fill
            )
            if shape.stroke and shape.width > 0:
                assert long_hex(attr(el, "stroke")) == shape.stroke
                assert float(attr(el, "stroke-width") or 1) == num(shape.width)
            else:
                assert attr(el, "stroke") is None


# ---------------------------------------------------------------- escaping, determinism, structure


def test_title_and_caption_are_escaped_everywhere():
    title, caption = "<script>alert(1)</script>", '"quoted" & <b>bold</b> </script>'  # U+2028: refused
    s = small(title=title, caption=caption)
    for html in (s.to_html(), s.to_bytes("html").decode()):
        assert "<script>alert(1)" not in html and "<b>bold" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert f'aria-label="{title.replace("<", "&lt;").replace(">", "&gt;")}"' in html
        assert island(html)["title"] == title  # the caption is on the poster: in the SVG only
        outside = re.sub(r'src="[^"]*"', "", html)
        assert "<svg" not in outside and "<text" not in outside  # no inline SVG, only the <img>
        assert title in svg_texts(poster_svg(html)) and caption in svg_texts(poster_svg(html))
        alt = re.search(r'<img class="convanim-still" [^>]*alt="([^"]*)"', html).group(1)
        assert unescape(alt) == s.alt_text  # the text alternative (alttext.py)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in s.to_bytes("html").decode()


def test_same_inputs_give_the_same_bytes():
    assert small().to_bytes("html") == small().to_bytes("html")
    assert small().to_html() == small().to_html()
    two = index_html([Entry("a", small().frames()), Entry("a", small().frames())])
    assert two == index_html([Entry("a", small().frames()), Entry("a", small().frames())])


def test_fragment_is_self_contained_and_safe():
    html = small().to_html()
    assert html.startswith("<style>.convanim-player{") and html.count("<style>") == 1
    assert html.count("window.convanimPlayer={") == 1  # the shared code, behind a guard
    assert "if(window.convanimPlayer&&window.convanimPlayer.version>=VERSION)" in html
    root = re.search(r'<div class="convanim-player"[^>]*>', html).group(0)
    for attr in ('tabindex="0"', 'data-frame="0"', 'data-frames="11"', 'aria-label="small"'):
        assert attr in root
    assert html.count('class="convanim-data"') == 1
    assert re.search(r"\son[a-z]+\s*=", html) is None  # no inline event handlers
    assert "eval(" not in html and "Function(" not in html and "innerHTML" not in html
    (src,) = re.findall(r"\s(?:src|href)\s*=\s*\"([^\"]*)\"", html)  # the still: an SVG data URI
    assert src.startswith(
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' class='convanim-svg' "
    )
    assert "url(" not in html and "@import" not in html
    assert re.findall(r"https?://[^\s\"']+", html) == [SVG] * 2  # namespaces (in the JS and the SVG)
    assert " id=" not in html  # players are found by class and scoped by root: no ids to collide
    for label in ("First frame", "Step back", "Play", "Step forward", "Last frame"):
        assert f'"{label}"' in html  # in the script, which builds the controls
    assert "<button" not in html and "<input" not in html and "<select" not in html


def test_templates_inline_safely_and_css_is_scoped():
    assert "</script" not in player_js().lower() and "</style" not in player_css().lower()
    css = re.sub(r"/\*.*?\*/", "", (TEMPLATES / "player.css").read_text(), flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors and all(s.startswith(".convanim-player") for s in selectors), selectors
    assert "@media print" in player_css() and "@media print" in assets()


def test_notebook_repr_and_save(tmp_path):
    s = small()
    assert s._repr_html_() == s.to_html() == fragment(s.frames())
    assert export.get("html").suffix == ".html" and "html" in export.formats()
    size = s.save(tmp_path / "x.html")
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert size == len(page.encode()) and page.startswith("<!DOCTYPE html>")
    assert page.count("window.convanimPlayer={") == 1
    assert "default-src 'none'" in page  # the page itself forbids any network request
    assert poster_svg(page).get("aria-label") == small().alt_text  # the picture's text alternative


# ---------------------------------------------------------------- generate.py and the gallery

GOOD = """title = "Good {n}"
[image]
pattern = "square"
size = 5
[kernel]
preset = "mean"
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "animations").mkdir()
    for n in (1, 2):
        (tmp_path / "animations" / f"good{n}.toml").write_text(GOOD.format(n=n))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_generate_writes_html_and_the_gallery_index(repo, capsys):
    assert main(["--jobs", "1"], root=repo) == 0
    out = capsys.readouterr().out
    names = sorted(p.name for p in (repo / "output").iterdir())
    assert names == [
        "good1.gif",
        "good1.html",
        "good1.png",
        "good1.txt",
        "good2.gif",
        "good2.html",
        "good2.png",
        "good2.txt",
        "index.html",
    ]
    assert out.splitlines()[-1].startswith("output/index.html: 2 players, ")
    index = (repo / "output" / "index.html").read_text(encoding="utf-8")
    assert index.count('<li class="card"') == 2 and "convanimPlayer" not in index  # cards load players
    for n in (1, 2):
        assert f'<a href="good{n}.gif">GIF</a>' in index and f"<h2>Good {n}</h2>" in index
        assert f'<a href="../animations/good{n}.toml">scenario</a>' in index
    assert main(["--check"], root=repo) == 0
    assert capsys.readouterr().out == "9 files up to date\n"


def test_check_covers_the_index(repo, capsys):
    assert main(["--jobs", "1", "-q"], root=repo) == 0
    index = repo / "output" / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("Good 1", "Old"), encoding="utf-8")
    assert main(["--check"], root=repo) == 1
    assert capsys.readouterr().out == "output/index.html: differs from a fresh run\n"
    index.unlink()
    assert main(["--check"], root=repo) == 1
    assert capsys.readouterr().out == "output/index.html: missing\n"
    assert main(["--check", "--format", "gif"], root=repo) == 0  # html files are not gif's business
    assert capsys.readouterr().out == "2 files up to date\n"


def test_html_only_and_single_scenarios(repo, capsys):
    assert main(["--jobs", "1", "-q", "--format", "html", "good1"], root=repo) == 0
    assert sorted(p.name for p in (repo / "output").iterdir()) == ["good1.html"]  # no index: not all
    assert main(["--jobs", "1", "-q", "--format", "html"], root=repo) == 0
    assert sorted(p.name for p in (repo / "output").iterdir()) == ["good1.html", "good2.html", "index.html"]


# ---------------------------------------------------------------- pictures


def png_pixels(uri: str) -> np.ndarray:
    """The RGB pixels of a ``data:image/png;base64,`` URI."""
    assert uri.startswith("data:image/png;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as im:
        assert im.format == "PNG" and not im.info.keys() - {"transparency"}  # no metadata
        return np.asarray(im.convert("RGB"))


def test_a_picture_is_an_image_of_its_png_in_the_poster_and_the_page():
    frames = picture_frames()
    svg = ET.fromstring(frame_svg(frames, 0))
    [image] = svg.iter("image")
    assert {
        k: image.get(k) for k in ("x", "y", "width", "height", "preserveAspectRatio", "image-rendering")
    } == {
        "x": "10",
        "y": "6",
        "width": "40",
        "height": "30",
        "preserveAspectRatio": "none",
        "image-rendering": "pixelated",
    }
    np.testing.assert_array_equal(png_pixels(image.get("href")), PIXELS)
    # in the page: the still <img>'s SVG holds it too, as the player adopts it
    html = player(frames)
    [image] = poster_svg(html).iter(f"{{{SVG}}}image")
    np.testing.assert_array_equal(png_pixels(image.get("href")), PIXELS)
    # a run of pictures shares its presentation attribute
    svg = ET.fromstring(frame_svg(frames, 1))
    groups = [g for g in svg.iter("g") if g.get("image-rendering") == "pixelated"]
    assert [len(g) for g in groups] == [3]


def test_the_island_stores_each_distinct_picture_once():
    frames = picture_frames()
    data = encode(frames, 0)
    assert len(data["p"]) == 2  # frame 1's three pictures: two of one picture's pixels, one other
    np.testing.assert_array_equal(png_pixels(data["p"][0]), PIXELS)
    np.testing.assert_array_equal(png_pixels(data["p"][1]), PIXELS[::-1, ::-1])
    items = unpack(data)
    assert items[:2] == [1, 1]  # frame 0's picture and outline: the poster's elements
    pictures = [(data["s"][it[0]], it[1:]) for it in items[2:]]
    assert pictures == [
        ([4, 0, 4, 3], [1, 1, 60, 6]),
        ([4, 0, 8, 6], [1, 1, 60, 20]),
        ([4, 1, 8, 6], [1, 1, 60, 40]),
    ]
    assert "p" not in encode(small().frames(), 0)  # no pictures, no table: other pages unchanged


def test_picture_png_is_deterministic_with_a_palette_when_it_can():
    rng = np.random.default_rng(0)
    many = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)  # ~400 colours: RGB
    for pixels, mode in ((PIXELS, "P"), (many, "RGB")):
        picture = Picture.of(0, 0, 20, 20, pixels)
        png = picture_png(picture)
        assert png == picture_png(Picture.of(0, 0, 20, 20, pixels.copy()))
        with Image.open(io.BytesIO(png)) as im:
            assert im.mode == mode
        np.testing.assert_array_equal(png_pixels("data:image/png;base64," + picture_base64(picture)), pixels)
