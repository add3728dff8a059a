"""After an HTML build: every internal link and anchor of the site resolves, and no page loads
anything from outside it. Sphinx's own ``linkcheck`` goes to the network; this reads the built
files only. A problem is a warning (an error under ``-W``) naming the page and the link.

A link (``<a href>``) to another site is fine; a resource (``src``, ``<link href>``, a CSS
``url()``) from one is not: the site must work offline, and a reader's browser fetches nothing
but the site's own files.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

LOCAL_SCHEMES = ("data", "javascript", "mailto", "about", "blob")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class Page(HTMLParser):
    """The ids of one page, its links (``a href``) and the resources it loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        for key in ("id", "name") if tag == "a" else ("id",):
            if key in a:
                self.ids.add(a[key])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "link" and "href" in a:
            self.resources.append(a["href"])
        for key in ("src", "poster") + (("data",) if tag == "object" else ()):
            if key in a:
                self.resources.append(a[key])
        if "style" in a:
            self.resources.extend(CSS_URL.findall(a["style"]))


def outside(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or (bool(parts.scheme) and parts.scheme not in LOCAL_SCHEMES)


def problems(root: Path) -> list[str]:
    """Every broken internal link or anchor, and every outside resource, of the site in ``root``."""
    pages: dict[Path, Page] = {}
    for path in sorted(root.rglob("*.html")):
        if path.relative_to(root).parts[0] in ("_static", "_sources"):  # the theme's templates
            continue
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = page
    found = []
    for path, page in pages.items():
        name = path.relative_to(root.resolve())
        for url in page.resources:
            if outside(url):
                found.append(f"{name}: loads {url} from outside the site")
            elif not url.startswith(tuple(s + ":" for s in LOCAL_SCHEMES)):
                found += _missing(name, path, url, pages)
        for url in page.links:
            if not outside(url) and not url.startswith(tuple(s + ":" for s in LOCAL_SCHEMES)):
                found += _missing(name, path, url, pages)
    for css in sorted(root.rglob("*.css")):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if outside(url):
                found.append(f"{css.relative_to(root)}: loads {url} from outside the site")
    return found


def _missing(name: Path, path: Path, url: str, pages: dict[Path, Page]) -> list[str]:
    target, anchor = urldefrag(url)
    target = unquote(urlsplit(target).path)
    file = path if not target else (path.parent / target).resolve()
    if file.is_dir():
        file = file / "index.html"
    if not file.is_file():
        return [f"{name}: link to {url}: no such file"]
    if anchor and file in pages and unquote(anchor) not in pages[file].ids:
        return [f"{name}: link to {url}: no such anchor"]
    return []


def check(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for problem in problems(Path(app.outdir)):
        logger.warning(problem, type="internal_links")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
