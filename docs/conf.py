"""Sphinx configuration of convanim's site: `make docs` builds it into docs/_build/html, offline,
with warnings as errors. Everything generated (the gallery, the references, the module map) comes
from the code and animations/ at build time, by the extensions in docs/_ext/.

Theme: pydata-sphinx-theme. It is the theme of the sites this one is modelled on (scikit-image,
matplotlib: a gallery page per example, reference from docstrings), it is actively kept, supports
Sphinx 9, vendors its fonts and icons (nothing is fetched from outside the site), and its
light/dark switch writes the resolved theme ("light" or "dark", also when the reader picks
"auto") to one attribute, <html data-theme>, which the players follow (_ext/themed_players.py).
furo was the other candidate: equally clean, but it puts "auto" in <body data-theme>, so a player
would also have to follow the system's colour scheme itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE / "_ext")]  # the convanim of this checkout, and our extensions

import convanim  # noqa: E402

project = "convanim"
author = "the convanim authors"
copyright = "the convanim authors"
release = version = convanim.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx_design",
    "sphinx_copybutton",
    "convanim.sphinx",  # the directive a course uses: the site's players are made by it
    "themed_players",  # ... drawn twice, light and dark, following the theme switch
    "gallery",  # gallery/: a page per scenario in animations/, and the downloads
    "computed",  # {computed}: a chapter's numbers, printed by convanim at build time
    "references",  # scenario keys, command flags, module map: from the code
    "internal_links",  # after the build: every internal href and src resolves
]

# MP4 downloads: only on these pages. GIF, PNG and PDF for all 39 scenarios take about 60 s of
# CPU; MP4 for all of them as much again (123 s on 2 busy cores), so the gallery offers videos
# where a course is likeliest to want one. Any scenario can be added here.
convanim_gallery_videos = ["convol_mean", "convol_edge", "layer_3_to_2"]

root_doc = "index"
exclude_patterns = ["_build", "gallery/_files"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
numfig = True
nitpicky = True
# Types from other packages: no intersphinx (the build is offline), so their names stay plain text.
nitpick_ignore_regex = [
    ("py:class", r"(numpy|np|pathlib|collections\.abc|typing|argparse|torch|nn)\..*"),
    ("py:class", r"(Path|Any|Callable|Mapping|Sequence|Iterable|BinaryIO|ndarray|NDArray)"),
    ("py:class", r"Frames"),  # convanim.display.Frames: the display list, internal to the package
    # convanim.model.Illustration, Scenario's base (the parts the concepts read): internal
    ("py:class", r"(convanim\.model\.)?Illustration"),
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
pygments_style = "default"
pygments_dark_style = "github-dark"

html_theme = "pydata_sphinx_theme"
html_title = f"convanim {release}"
html_static_path = ["_static"]
html_css_files = ["convanim-site.css"]
html_last_updated_fmt = None
html_copy_source = False  # the pages' Markdown is in the repository; keeps the site small
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["theme-version"],
}
html_context = {"default_mode": "auto"}  # follow the reader's system until they choose
html_sidebars = {page: [] for page in ("index", "getting-started", "design", "changelog")}  # no sections
html_favicon = "_static/favicon.svg"
