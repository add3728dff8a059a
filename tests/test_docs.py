"""The documentation site (docs/, `make docs`): it builds offline with no warning (nitpicky, and
with its internal links checked), every scenario of animations/ has its gallery page with a player
and its downloads, every key of the schema and every flag of every command is in the references,
and in Chromium, served on 127.0.0.1, its pages fetch nothing from anywhere else and its players
play in the light and the dark theme, following the theme switch."""

from __future__ import annotations

import functools
import html
import http.server
import importlib.util
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import convanim
from convanim import command

from .helpers import ROOT

DOCS = ROOT / "docs"
SCENARIOS = sorted((ROOT / "animations").glob("*.toml"))


def extension(name: str) -> ModuleType:
    """One of the site's Sphinx extensions (docs/_ext/NAME.py), imported by path."""
    spec = importlib.util.spec_from_file_location(f"docs_ext_{name}", DOCS / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as `make docs` builds it (warnings are errors, nitpicky), into a temporary
    folder; the gallery's downloads are kept in docs/gallery/ between runs (convanim build's
    manifest), so only the first run renders them."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    args = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q", "-E"]
    done = subprocess.run(
        [*args, "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not one warning
    return out / "html"


def text(page: Path) -> str:
    """A page's text, tags removed and entities decoded (to find words whatever the markup)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_every_scenario_has_a_gallery_page_with_its_player_and_downloads(site):
    index = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    for path in SCENARIOS:
        scenario = convanim.load(path)
        page = site / "gallery" / f"{path.stem}.html"
        body = page.read_text(encoding="utf-8")
        assert f'href="{path.stem}.html"' in index, path.stem  # its card
        assert body.count('<div class="convanim-player') in (1, 2), path.stem  # light (and dark)
        assert scenario.alt_text in re.sub("[‘’]", "'", text(page))  # (Sphinx's smart quotes)
        assert 'class="highlight-toml' in body  # the scenario file, highlighted
        assert scenario.title in text(page)
        links = re.findall(r'href="(\.\./_downloads/[0-9a-f]+/[^"]+)"', body)
        assert sorted(Path(link).suffix for link in links) in (
            [".gif", ".pdf", ".png"],
            [".gif", ".mp4", ".pdf", ".png"],
        ), path.stem
        for link in links:
            assert (page.parent / link).resolve().stat().st_size > 0
    # the course's illustration offers its video
    assert ".mp4" in (site / "gallery" / "convol_mean.html").read_text(encoding="utf-8")


def test_every_chapter_section_has_a_player(site):
    pages = sorted((site / "chapter").glob("*.html"))
    assert len(pages) == 14  # the index and thirteen sections
    for page in pages:
        if page.name != "index.html":
            assert '<div class="convanim-player' in page.read_text(encoding="utf-8"), page.name


def test_every_schema_key_is_in_the_scenario_reference(site):
    """Every key path of convanim.schema(); a [[stages]] table's keys are the top level's (the
    generator checks they are the same), documented once."""
    references = extension("references")
    page = (site / "reference" / "scenario.html").read_text(encoding="utf-8")
    headings = {
        html.unescape(re.sub(r"<[^>]+>", "", h)).strip("#¶ \n").removeprefix("stages[].")
        for h in re.findall(r"<h3>(.*?)</h3>", page, re.S)
    }
    wanted = {path.removeprefix("stages[].") for path in references.all_paths()}
    assert len(references.all_paths()) > 60
    assert wanted <= headings, wanted - headings
    assert headings <= wanted, headings - wanted  # and nothing that is not a key


def test_the_reference_quotes_convanim_s_own_messages(site):
    """The message of a bad value is the one validation gives (checked here independently), and
    every key has one (`stages` and a stage's `name` and `inputs` in a context with stages)."""
    page = text(site / "reference" / "scenario.html")
    base = {"image": {"pattern": "square", "size": 6}, "kernel": {"preset": "mean"}}
    for extra, message in (
        ({"kernel": {"preset": "mean", "size": 0}}, "kernel.size: must be a positive integer (got 0)"),
        ({"render": {"theme": "nonsense"}}, None),
        ({"timing": {"step_ms": 19}}, None),
    ):
        with pytest.raises(convanim.ScenarioError) as err:
            convanim.Scenario(**{**base, **extra})
        assert message is None or str(err.value) == message
        assert str(err.value) in page
    keys = extension("references").keys()
    assert page.count("is refused with:") == len(keys)


def test_every_flag_of_every_command_is_in_the_command_reference(site, capsys):
    page = text(site / "reference" / "commands.html")
    for name in command.COMMANDS:
        try:
            status = command.main([name, "--help"])
        except SystemExit as done:
            status = done.code
        assert status in (0, None)
        flags = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", capsys.readouterr().out))
        assert "--help" in flags and len(flags) >= 2
        assert f"convanim {name}" in page
        assert {f for f in flags if f not in page} == set(), name


def test_the_module_map_lists_every_module(site):
    page = text(site / "design.html")
    for path in (ROOT / "convanim").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        assert name in page, name


def test_the_api_page_documents_the_facade(site):
    page = (site / "reference" / "api.html").read_text(encoding="utf-8")
    for name in ("convanim.load", "convanim.Scenario", "convanim.from_torch", "convanim.schema"):
        assert f'id="{name}"' in page, name
    assert 'id="convanim.Scenario.save"' in page


def test_the_getting_started_message_is_convanim_s(site):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image={"pattern": "square", "size": 6}, kernel={"preset": "mean", "size": 0})
    assert f"animations/blur.toml: {err.value}" in text(site / "getting-started.html")


def test_internal_links_resolve_and_nothing_loads_from_outside(site):
    assert extension("internal_links").problems(site) == []


def test_the_link_check_finds_broken_links_and_outside_resources(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_text('<p id="here"></p><a href="sub/b.html#there">b</a><a href="#here">a</a>')
    (tmp_path / "sub" / "b.html").write_text(
        '<a href="../a.html#gone">x</a><a href="../missing.html">y</a><a href="https://example.org/">ok</a>'
        '<img src="https://example.org/i.png"><script src="//cdn.example.org/x.js"></script>'
        '<div style="background:url(../nothing.png)"></div>'
    )
    assert extension("internal_links").problems(tmp_path) == [
        "a.html: link to sub/b.html#there: no such anchor",
        "sub/b.html: loads https://example.org/i.png from outside the site",
        "sub/b.html: loads //cdn.example.org/x.js from outside the site",
        "sub/b.html: link to ../nothing.png: no such file",
        "sub/b.html: link to ../a.html#gone: no such anchor",
        "sub/b.html: link to ../missing.html: no such file",
    ]


# ---------------------------------------------------------------- in Chromium, served on 127.0.0.1


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site on http://127.0.0.1:PORT/ (a free port), as a reader gets it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def reader(browser: Any, served: str) -> Iterator[Any]:
    """``reader(page, scheme)``: a Chromium page of the site in the system's light or dark colour
    scheme (the theme's "auto" mode follows it), every request recorded (and any to another host
    refused), console errors and warnings recorded."""
    contexts = []

    def open_(path: str, scheme: str = "light") -> tuple[Any, list[str], list[str]]:
        context = browser.new_context(
            viewport={"width": 1300, "height": 1000}, color_scheme=scheme, reduced_motion="no-preference"
        )
        contexts.append(context)
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(served) else r.abort())
        page.goto(served + path)
        page.wait_for_load_state("load")
        return page, requests, errors

    yield open_
    for context in contexts:
        context.close()


def visible_player(page: Any) -> Any:
    players = page.locator(".convanim-player:visible")
    assert players.count() >= 1
    return players.first


PAGES = ("index.html", "chapter/sliding-sum.html", "gallery/padding_strides.html", "reference/scenario.html")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_load_only_from_the_site_and_players_play_in_both_themes(reader, served, scheme):
    for path in PAGES:
        page, requests, errors = reader(path, scheme)
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        if path != "reference/scenario.html":
            player = visible_player(page)
            assert player.evaluate(
                "el => el.closest('.convanim-when-' + document.documentElement.dataset.theme) !== null"
            )
            page.wait_for_function(
                "el => Number(el.dataset.frame) >= 2", arg=player.element_handle(), timeout=10000
            )
            background = player.locator("svg rect").first.get_attribute("fill")
            assert background in (("#1e1e1e",) if scheme == "dark" else ("#fff", "#ffffff")), path
            # the other theme's player is hidden, so it does not play
            hidden = page.locator(".convanim-follow .convanim-player:not(:visible)").first
            assert hidden.get_attribute("data-frame") == "0"
        assert requests and all(url.startswith(served) for url in requests), [
            u for u in requests if not u.startswith(served)
        ]
        assert errors == [], path


def test_the_player_follows_the_theme_switch_at_its_frame(reader):
    page, _, errors = reader("chapter/sliding-sum.html", "light")
    light = page.locator(".convanim-when-light .convanim-player").first
    dark = page.locator(".convanim-when-dark .convanim-player").first
    light.evaluate("root => window.convanimPlayer.get(root).goTo(7)")  # the reader stops at step 7
    assert dark.is_hidden() and light.is_visible()
    page.evaluate("document.querySelector('.theme-change-button[data-mode=\"dark\"]').click()")
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    assert light.is_hidden() and dark.is_visible()
    assert dark.get_attribute("data-frame") == "7" and dark.get_attribute("data-playing") == "false"
    dark.evaluate("root => window.convanimPlayer.get(root).play()")  # playing, back to light
    page.evaluate("document.querySelector('.theme-change-button[data-mode=\"light\"]').click()")
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")
    page.wait_for_function("el => el.dataset.playing === 'true'", arg=light.element_handle())
    assert int(light.get_attribute("data-frame")) >= 7
    assert errors == []


def test_every_export_format_is_named_in_the_command_reference(site):
    from convanim import export

    page = text(site / "reference" / "commands.html")
    for name in export.formats():
        assert name in page, name


# ---------------------------------------------------------------- what the README held

GUIDE = DOCS / "guide"


def test_the_formats_table_names_every_format(site):
    """The guide's table of slide, print and video formats has a row for each format beyond the
    gallery's, and the command line's page names every format (the gallery's are the default)."""
    from convanim import export

    source = (GUIDE / "formats.md").read_text(encoding="utf-8")
    rows = "\n".join(line for line in source.splitlines() if line.startswith("| `"))
    default = text(site / "guide" / "command-line.html")
    for name in export.formats():
        if name in export.gallery_formats():
            assert f"`{name}`" in (GUIDE / "command-line.md").read_text(encoding="utf-8"), name
            assert name in default, name
        else:
            assert f"`{name}`" in rows, name


def test_the_guide_s_scenario_snippets_load(tmp_path):
    """Every ```toml block of the site's pages that declares an image is a valid scenario."""
    loaded = 0
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts or "gallery" in page.parts:
            continue
        for i, block in enumerate(re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)):
            if "[image]" in block:
                path = tmp_path / f"{page.stem}{i}.toml"
                path.write_text(block, encoding="utf-8")
                convanim.load(path)
                loaded += 1
    assert loaded >= 2  # scenario files, layers


def test_the_beamer_snippet_shown_is_what_convol_mean_writes():
    source = (GUIDE / "formats.md").read_text(encoding="utf-8")
    block = source[source.index("```latex\n% convanim") + len("```latex\n") :]
    shown = block[: block.index("```")].splitlines()
    written = convanim.load(ROOT / "animations" / "convol_mean.toml").to_bytes("beamer").decode().splitlines()
    head, tail = shown[: shown.index("…")], shown[shown.index("…") + 1 :]
    assert written[: len(head)] == head
    assert written[-len(tail) :] == tail


def test_the_player_controls_and_every_command_are_in_the_guide(site):
    page = text(site / "guide" / "players.html")
    for key in ("Space", "Home / End", "data-frame", "window.convanimPlayer.get(root).goTo(k)"):
        assert key in page, key
    page = text(site / "guide" / "command-line.html")
    for name in command.COMMANDS:
        assert f"convanim {name}" in page, name


# ---------------------------------------------------------------- the chapter's numbers


def computed(page: Path) -> list[str]:
    """The outputs of a page's {computed} examples, as the build printed them."""
    blocks = re.findall(
        r'<div class="[^"]*computed-output[^"]*">(.*?)</pre>', page.read_text(encoding="utf-8"), re.S
    )
    return [html.unescape(re.sub(r"<[^>]+>", "", b)).strip() for b in blocks]


def numbers(shown: str) -> list[float]:
    """The numbers of a printed numpy array."""
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d*)?", shown)]


def test_the_chapter_s_numbers_are_convanim_s(site):
    """What the concept sections print at build time is what convanim computes now."""
    chapter = site / "chapter"
    (flip,) = computed(chapter / "flip.html")
    *arrays, same = flip.splitlines()
    assert same == "True"  # true convolution is conv2d with the kernel rotated 180°
    expected = [
        convanim.load(ROOT / "animations" / f"{name}.toml").output().ravel().tolist()
        for name in ("cross_correlation_asymmetric", "true_convolution_asymmetric")
    ]
    assert numbers("\n".join(arrays)) == expected[0] + expected[1]
    forward, transposed = computed(chapter / "matrix.html")
    s = convanim.load(ROOT / "animations" / "convolution_as_matrix.toml")
    matrix = convanim.conv_matrix(s)
    assert forward.splitlines()[0] == str(matrix.shape) and forward.splitlines()[-1] == "True"
    assert numbers("\n".join(forward.splitlines()[1:-1])) == matrix.ravel().tolist()
    assert transposed == f"{matrix.T.shape}\nTrue"
    names = ("overlap_kernel3_stride2", "overlap_kernel4_stride2")
    for name, shown in zip(names, computed(chapter / "checkerboard.html"), strict=True):
        counts = convanim.overlap_counts(convanim.load(ROOT / "animations" / f"{name}.toml"))
        assert numbers(shown) == counts.ravel().tolist()
    (masks,) = computed(chapter / "receptive-fields.html")
    sums = [sum(numbers(mask)) for mask in masks.split("\n\n")]
    assert sums == [25, 9, 1]  # as the page says: a 5×5 patch of the input, 3×3 between, one cell
    (traced,) = computed(chapter / "networks.html")
    names, error = traced.splitlines()
    assert names == "['conv', 'bn', 'add', 'relu']" and float(error) < 1e-12  # the fx nodes; float64


def test_the_chapter_names_the_scenarios_own_settings(site):
    """The checkerboard section's kernel sizes and strides are those of its scenarios."""
    page = text(site / "chapter" / "checkerboard.html")
    for name in ("overlap_kernel3_stride2", "overlap_kernel4_stride2"):
        s = convanim.load(ROOT / "animations" / f"{name}.toml")
        k, stride = s.kernel.values.shape[-1], s.stride[-1]
        assert f"kernel {k} and stride {stride}" in page.replace("Kernel", "kernel"), name


def test_the_guide_s_pictures_use_their_scenario_s_alt_text():
    """The stills the guide shows (the old README's pictures) carry their scenario's alt text."""
    tags = []
    for page in sorted(GUIDE.glob("*.md")):
        tags += re.findall(
            r"!\[([^\]]*)\]\(\.\./gallery/_files/([a-z0-9_]+)\.png\)", page.read_text(encoding="utf-8")
        )
    assert len(tags) >= 40
    for alt, name in tags:
        assert alt == convanim.load(ROOT / "animations" / f"{name}.toml").alt_text, name


def test_the_guide_s_from_torch_example_runs_and_says_what_it_gives(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    source = (GUIDE / "python.md").read_text(encoding="utf-8")
    section = source[source.index("## From a PyTorch layer") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n", section.index("```python"))]
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(code, scope)
    s, net, x = scope["s"], scope["net"], scope["x"]
    assert s.output().shape == (2, 3, 3)
    with torch.no_grad():
        want = net.double()(x[None].double())[0].numpy()
    np.testing.assert_allclose(s.output(), want, rtol=1e-12, atol=1e-12)
    assert (tmp_path / "net.gif").stat().st_size > 0
