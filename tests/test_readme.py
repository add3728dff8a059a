"""The README is the two-minute page: at most 150 lines, the set-up and `make docs` commands in
it, every link resolving (files in the repository, anchors in it, and pages of the site, which must
be docs sources), its picture described by its scenario's own alt text, its scenario snippet valid.
What it used to hold (every key, every format, the gallery) is on the site, checked in
tests/test_docs.py."""

import re
import tomllib

import numpy as np

import convanim

from .helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading (as MyST's heading anchors make it too)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of a Markdown file's headings, outside code blocks."""
    found, fenced = set(), False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6} (.*)", line)):
            found.add(slug(m.group(1)))
    return found


def links() -> list[tuple[bool, str, str]]:
    """(is a picture, text, target) of every link and picture, whatever line it is wrapped on."""
    return [(bang == "!", label, target) for bang, label, target in LINK.findall(README)]


def test_the_readme_is_short():
    assert len(README.splitlines()) <= 150


def test_it_gives_the_two_set_up_commands_and_make_docs():
    assert "python3 -m venv .venv && . .venv/bin/activate" in README
    assert re.search(r"^pip install /path/to/convanim\b", README, flags=re.M)
    assert re.search(r"^make docs\b", README, flags=re.M)


def test_every_link_resolves():
    """Files and folders of the repository, anchors of the README or of the file linked, and the
    site's pages as their docs/ sources (pictures: files of the site's _static); nothing outside
    the repository."""
    found = links()
    targets = {target for _, _, target in found}
    assert {"output/convol_mean.gif", "docs/getting-started.md", "docs/chapter/index.md"} <= targets
    assert len(found) >= 15
    for image, _, target in found:
        assert not target.startswith(("http:", "https:", "/")), target
        path, _, anchor = target.partition("#")
        file = ROOT / path if path else ROOT / "README.md"
        assert file.exists(), target
        if image and path.startswith("docs/"):
            assert path.startswith("docs/_static/"), f"{target}: not a picture of the site"
        elif path.startswith("docs/"):
            assert file.is_dir() or file.suffix == ".md", f"{target}: not a page of the site"
        if anchor:
            assert anchor in anchors(file.read_text(encoding="utf-8")), target


def test_the_site_pages_it_links_are_in_the_site():
    """A docs/ page the README links is a source the site builds (not excluded, in a toctree)."""
    for _, _, target in links():
        path = target.partition("#")[0]
        if path.startswith("docs/") and path.endswith(".md"):
            page = path.removeprefix("docs/").removesuffix(".md")
            folder, _, name = page.rpartition("/")
            parent = ROOT / "docs" / folder / "index.md" if folder else ROOT / "docs" / "index.md"
            if name != "index":
                assert re.search(rf"^{re.escape(name)}$", parent.read_text(encoding="utf-8"), re.M), target


def test_the_picture_is_described_by_its_scenario_s_alt_text():
    pictures = [(label, target) for picture, label, target in links() if picture]
    assert pictures
    for label, target in pictures:
        assert (ROOT / target).is_file()
        gallery = re.fullmatch(r"output/(\w+)\.gif", target)
        if gallery is None:  # a screenshot: says which player and what it shows
            assert target.startswith("docs/_static/") and re.match(r"\w+'s player ", label), target
            continue
        name = gallery.group(1)
        assert label == convanim.load(ROOT / "animations" / f"{name}.toml").alt_text, name


def test_the_scenario_snippet_is_a_valid_scenario():
    (toml,) = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    path = ROOT / "animations" / "convol_stride2.toml"  # what the snippet is drawn from
    assert convanim.load(path).output_shape == convanim.Scenario(**tomllib.loads(toml)).output_shape


def test_the_python_example_computes_what_it_says():
    block = re.search(r"```python\n(.*?)```", README, flags=re.S).group(1)
    said = re.search(r"s\.output\(\)  # (array\(.*?\)),", block).group(1)
    namespace: dict = {}
    exec(block.replace('s.save("demo.gif")', ""), namespace)
    assert np.array_equal(namespace["s"].output(), eval(said, {"array": np.array}))
