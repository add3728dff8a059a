"""The Sphinx extension in a real ``sphinx-build`` (with MyST, as Jupyter Book 1 uses it) on a
small book made here: the HTML page carries the player's JS and CSS once, plays in Chromium
without any outside request, and its cross-reference resolves; the LaTeX build (the road to PDF)
includes the still PNG; a bad scenario fails the build with one line naming the page and key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import convanim
from convanim.cli import main
from convanim.export.still import still_png

from .helpers import ROOT

SCENARIO = """title = "{title}"
[image]
pattern = "square"
size = 6
[kernel]
preset = "mean"
[timing]
step_ms = 100
poster_ms = 300
final_ms = 700
"""
CONF = 'extensions = ["myst_parser", "convanim.sphinx"]\nproject = "course"\nnumfig = True\n'
EXTRA = 'html_extra_path = ["_extra"]\n'  # the README's iframe recipe: _extra/players/NAME.html
INDEX = "# A course\n\n```{toctree}\nchapter\n```\n"
CHAPTER = """# Convolution

As {numref}`fig-mean` shows, and {ref}`fig-mean` says again.

```{convanim} animations/mean.toml
:caption: A mean filter smooths edges
:name: fig-mean
:width: 80%
```

```{convanim} /animations/second.toml
:width: 500
```

<iframe src="players/mean.html" title="Mean" style="width:100%; height:640px; border:0"></iframe>
"""


def sphinx_build(src: Path, builder: str, out: Path) -> subprocess.CompletedProcess:
    # plain text whatever the environment says (CI machines may ask tools for colours)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    args = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "-q", "-E", str(src), str(out)]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("book")
    (src / "animations").mkdir()
    (src / "animations" / "mean.toml").write_text(SCENARIO.format(title="Mean"), encoding="utf-8")
    (src / "animations" / "second.toml").write_text(SCENARIO.format(title="Second"), encoding="utf-8")
    (src / "conf.py").write_text(CONF + EXTRA, encoding="utf-8")
    (src / "index.md").write_text(INDEX, encoding="utf-8")
    (src / "chapter.md").write_text(CHAPTER, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:  # one scenario named: its page only, no index.html
        mp.chdir(src)
        assert main(["mean", "--format", "html", "--out", "_extra/players", "-q"], root=src) == 0
    return src


@pytest.fixture(scope="module")
def html(book: Path) -> Path:
    done = sphinx_build(book, "html", book / "_build" / "html")
    assert done.returncode == 0, done.stderr
    return book / "_build" / "html" / "chapter.html"


def test_html_page_has_two_players_and_their_assets_once(html):
    page = html.read_text(encoding="utf-8")
    assert page.count('<div class="convanim-player"') == 2
    assert page.count("window.convanimPlayer={") == 1 and page.count("<style>.convanim-player{") == 1
    assert re.search(r'<figure class="[^"]*convanim-figure[^"]*" id="fig-mean">', page)
    assert '<div class="convanim-embed" style="width:80%">' in page
    assert '<div class="convanim-embed" style="width:500px">' in page
    assert "A mean filter smooths edges" in page.split('id="fig-mean"')[1].split("</figure>")[0]


def test_html_page_plays_offline_and_its_reference_resolves(html, open_page):
    w = open_page(html, reduced_motion="no-preference")
    assert w.page.locator(".convanim-player[data-ready]").count() == 2
    first = w.player(0)
    first.wait_frame("f >= 3")  # plays by itself
    assert first.frames() == 18 and first.root.locator(".convanim-buttons > button[aria-label]").count() == 5
    link = w.page.locator('a.internal[href="#fig-mean"]')
    assert link.all_inner_texts() == ["Fig. 1", "A mean filter smooths edges"]
    link.first.click()
    assert w.page.evaluate("location.hash") == "#fig-mean"
    assert w.page.locator("#fig-mean .convanim-player").count() == 1
    assert (
        w.page.locator("#fig-mean figcaption").inner_text().startswith("Fig. 1 A mean filter smooths edges")
    )
    w.assert_clean()  # nothing fetched but the book's own files


def test_iframe_recipe_copies_the_player_page(html, open_page):
    """html_extra_path puts _extra/players/mean.html at players/mean.html in the site (without
    it, the iframe is a 404): the framed player plays."""
    assert (html.parent / "players" / "mean.html").is_file() and not (
        html.parent / "players" / "index.html"
    ).exists()
    w = open_page(html, reduced_motion="no-preference")
    framed = w.page.locator('iframe[src="players/mean.html"]')
    framed.scroll_into_view_if_needed()
    frame = framed.element_handle().content_frame()
    frame.wait_for_function("() => Number(document.querySelector('.convanim-player').dataset.frame) >= 3")
    w.assert_clean()


def test_latex_build_includes_the_still(book, tmp_path):
    out = book / "_build" / "latex"
    done = sphinx_build(book, "latex", out)
    assert done.returncode == 0, done.stderr
    tex = (out / "course.tex").read_text(encoding="utf-8")
    graphics = re.findall(r"\\sphinxincludegraphics(\[[^\]]*\])?\{\{([0-9a-f]{40})\}\.png\}", tex)
    assert [opts for opts, _ in graphics] == ["[width=0.800\\linewidth]", "[width=500\\sphinxpxdimen]"]
    mean = convanim.load(book / "animations" / "mean.toml")
    assert (out / f"{graphics[0][1]}.png").read_bytes() == still_png(mean.frames())
    assert (out / f"{graphics[1][1]}.png").is_file()
    assert "\\caption{A mean filter smooths edges}\\label{\\detokenize{chapter:fig-mean}}" in tex
    assert "convanim-player" not in tex


def test_a_bad_scenario_fails_the_build_with_one_line(book, tmp_path):
    src = tmp_path / "bad"
    src.mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "bad.toml").write_text(SCENARIO.format(title="Bad").replace("size = 6", "size = 0"))
    (src / "index.md").write_text("# Bad\n\n```{convanim} bad.toml\n```\n\n```{convanim} gone.toml\n```\n")
    done = sphinx_build(src, "html", src / "_build")
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert errors == [
        f"{src / 'index.md'}:3: ERROR: bad.toml:4: image.size: must be a positive integer (got 0) [docutils]",
        f"{src / 'index.md'}:6: ERROR: gone.toml: no such scenario file [docutils]",
    ]
