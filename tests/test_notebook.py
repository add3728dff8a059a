"""A real notebook: nbclient runs it on an ipykernel (this interpreter, the repo importable), each
scenario on a cell's last line becomes a text/html player, and the page nbconvert makes of it works
in Chromium with the network cut off, three players side by side (one animation shown twice)."""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path

import pytest
from PIL import Image

from convanim.export.still import still_png

from .helpers import ROOT, small

KERNEL = "convanim-test"
SETUP = """import numpy as np
import convanim
fast = {"step_ms": 100, "poster_ms": 300, "final_ms": 700}"""
MEAN = """mean = convanim.Scenario(title="mean", image=np.arange(25.0).reshape(5, 5),
                         kernel={"preset": "mean"}, timing=fast)
mean"""
EDGE_TITLE = "edge <b>not bold</b>"
EDGE = """convanim.Scenario(title="edge <b>not bold</b>", image=np.arange(25.0).reshape(5, 5),
                  kernel={"preset": "sobel_x"}, timing=fast)"""


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory):
    """The notebook, executed: setup, the mean player, the same again, an edge player."""
    import nbformat
    from nbclient import NotebookClient

    tmp = tmp_path_factory.mktemp("notebook")
    spec = tmp / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "convanim tests",
        "language": "python",
        "env": {"PYTHONPATH": str(ROOT)},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (SETUP, MEAN, "mean", EDGE)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(tmp / "jupyter"))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
        NotebookClient(
            nb, kernel_name=KERNEL, timeout=120, resources={"metadata": {"path": str(tmp)}}
        ).execute()
    return nb


def page_from(nb, tmp_path: Path, **options) -> Path:
    """The notebook as nbconvert's HTML page; its own CDN scripts (require.js, MathJax) pointed at
    empty data: URLs, as for an offline course site, so the page has nothing to fetch."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        require_js_url="data:text/javascript,",
        mathjax_url="data:text/javascript,",
        **options,
    )
    body, _ = exporter.from_notebook_node(nb)
    path = tmp_path / "notebook.html"
    path.write_text(body, encoding="utf-8")
    return path


def test_outputs_carry_the_players(notebook):
    outputs = [cell.outputs for cell in notebook.cells]
    assert outputs[0] == []
    titles = ["mean", "mean", "edge &lt;b&gt;not bold&lt;/b&gt;"]
    same = [small(title="mean"), small(title="mean"), small(title=EDGE_TITLE, kernel={"preset": "sobel_x"})]
    reprs = [repr(s) for s in same]  # the same code, so the same text and still
    for cell_outputs, title, plain, s in zip(outputs[1:], titles, reprs, same, strict=True):
        (result,) = cell_outputs
        assert result.output_type == "execute_result"
        html, text = result.data["text/html"], result.data["text/plain"]
        assert html.count('<div class="convanim-player"') == 1 and f'aria-label="{title}"' in html
        assert 'data-frames="11"' in html and "window.convanimPlayer={" in html  # self-contained
        assert text == plain and text.startswith("Scenario(")
        png = base64.b64decode(result.data["image/png"])  # for converters without HTML
        assert png == still_png(s.frames()) and Image.open(io.BytesIO(png)).size == (684, 392)
    assert outputs[1][0].data["text/html"] == outputs[2][0].data["text/html"]  # same animation twice


def test_converted_page_works_offline(notebook, open_page, tmp_path):
    w = open_page(page_from(notebook, tmp_path))
    roots = w.page.locator(".convanim-player")
    assert roots.count() == 3
    assert w.page.evaluate(
        "() => [...document.querySelectorAll('.convanim-player')].map(r => !!convanimPlayer.get(r))"
    ) == [True, True, True]  # defined once: a second definition would have forgotten earlier players
    one, two, three = w.player(0), w.player(1), w.player(2)
    assert [p.frame() for p in (one, two, three)] == [0, 0, 0]  # reduced motion: no autoplay
    one.button("Step forward").click()
    one.button("Step forward").click()
    two.press("End")
    three.press("ArrowRight")
    assert [p.frame() for p in (one, two, three)] == [2, 10, 1]
    assert one.readout() == "step 2/9: output[0,1] = 7.0" and two.readout() == "done: output 3×3"
    assert three.readout().startswith("step 1/9: output[0,0] = ")
    three.button("Play").click()
    three.wait_frame("f >= 4")
    assert not one.playing() and not two.playing() and [one.frame(), two.frame()] == [2, 10]
    three.button("Pause").click()
    texts = three.root.locator(".convanim-stage > svg text").all_text_contents()
    assert "edge <b>not bold</b>" in texts and w.page.locator("b").count() == 0
    w.assert_clean()


def test_converted_page_without_javascript_shows_the_posters(notebook, open_page, tmp_path):
    w = open_page(page_from(notebook, tmp_path), javascript=False)
    for n in range(3):
        root = w.player(n).root
        assert root.locator("img.convanim-still").is_visible()
        assert root.locator("button, input, select, .convanim-readout, svg").count() == 0
        assert root.inner_text().strip() == ""
    w.assert_clean()


def test_converted_page_in_the_dark_theme(notebook, open_page, tmp_path):
    w = open_page(page_from(notebook, tmp_path, theme="dark"), color_scheme="dark")
    colour = w.player().button("Play").evaluate("b => getComputedStyle(b).color")
    rgb = [int(v) for v in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    assert sum(rgb) > 500  # light text on JupyterLab's dark background
    w.assert_clean()
