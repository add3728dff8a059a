"""The gallery, generated when the build starts: a page per scenario in ``animations/`` (the
player, the alt text, downloads and the scenario file), an index of cards, and the downloads
themselves, written by ``convanim build`` (GIF, PNG and PDF for every scenario; MP4 for those
listed in ``convanim_gallery_videos``, as videos are the slow format). The build is incremental
(convanim's own manifest), so a second ``make docs`` only redoes what changed.

Everything lands in docs/gallery/ (git-ignored); a page is rewritten only when its text changes,
so Sphinx rereads only those.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

import convanim
from convanim import command
from convanim.graph import is_chain

logger = logging.getLogger(__name__)

FILES = "_files"  #: GIF, PNG, PDF of every scenario
VIDEOS = "_videos"  #: MP4 of the listed ones
COURSE = "_course"  #: what the getting-started page shows
STILL_FORMATS = "gif,png,pdf"

#: The index's sections, in the order a course meets them: (title, test on the entry). An entry
#: is filed under the first section whose test it passes, which need not be the first shown: the
#: views (flip, matrix, overlap), the signals and the graphs are picked out before the operations'
#: sections.
SECTIONS: tuple[tuple[str, Callable[[Entry], bool]], ...] = (
    (
        "Convolution",
        lambda e: e.operations == ("conv2d",) and not e.name.startswith(("layer_", "mean_photo")),
    ),
    (
        "Transposed convolution",
        lambda e: e.operations == ("conv_transpose2d",) and not e.name.startswith("layer_"),
    ),
    ("Pooling and upsampling", lambda e: e.operations[0] in ("max_pool2d", "avg_pool2d", "upsample")),
    ("Layers: channels and filters", lambda e: e.name.startswith("layer_")),
    ("Signals: 1-D convolution and pooling", lambda e: e.rank == 1),
    ("Views: the flip, the matrix, the overlap", lambda e: bool(e.views)),
    ("Photographs and chains", lambda e: True),
    ("Graphs: skip connections and residual additions", lambda e: e.graph),
    ("Networks: every map as pictures, a cell's numbers on demand", lambda e: e.network),
)
#: The order in which sections are tested (the networks, views, signals and graphs first).
FILING = (
    "Networks: every map as pictures, a cell's numbers on demand",
    "Views: the flip, the matrix, the overlap",
    "Signals: 1-D convolution and pooling",
    "Graphs: skip connections and residual additions",
)


@dataclass(frozen=True)
class Entry:
    """One gallery scenario, as its page and card need it."""

    name: str
    path: Path
    title: str
    caption: str | None
    alt: str
    operations: tuple[str, ...]
    summary: str
    views: tuple[str, ...] = ()  #: "flip", "matrix", "overlap": the concepts drawn beside the operations
    rank: int = 2  #: 1 for a signal
    graph: bool = False  #: a stage reads a map other than the one before it (a skip, a join)
    network: bool = False  #: drawn as the network view (channel pictures, details on demand)

    @property
    def section(self) -> str:
        tests = dict(SECTIONS)
        order = [*FILING, *(title for title, _ in SECTIONS if title not in FILING)]
        return next(title for title in order if tests[title](self))


def entries(animations: Path) -> list[Entry]:
    """Every scenario of the folder, loaded (a bad one stops the build with its one-line message)."""
    found = []
    for path in sorted(animations.glob("*.toml")):
        try:
            s = convanim.load(path)
        except convanim.ConvanimError as err:
            raise ExtensionError(f"{path}: {err}") from None
        found.append(
            Entry(
                path.stem,
                path,
                s.title,
                s.caption,
                s.alt_text,
                _operations(s),
                _summary(s),
                _views(s),
                s.image.rank,
                not is_chain(s.stages),
                s.network,
            )
        )
    return found


def _operations(s: convanim.Scenario) -> tuple[str, ...]:
    """The stages' operations, in order."""
    return tuple(stage.operation for stage in s.stages)


#: Scenarios drawn with the plain view that a view scenario is compared with, filed beside it.
COMPARED = {"cross_correlation_asymmetric": "flip", "overlap_resize_then_convolve": "overlap"}


def _views(s: convanim.Scenario) -> tuple[str, ...]:
    """The concepts a stage draws beside its operation: the flip, the matrix or the overlap view."""
    found = [COMPARED.get(s.name)]
    for stage in s.stages:
        found += ["flip" if stage.flip else None, stage.view]
    return tuple(dict.fromkeys(v for v in found if v in ("flip", "matrix", "overlap")))


def _summary(s: convanim.Scenario) -> str:
    """One line for a card: the operations, the sizes and the frame count (the Scenario's repr)."""
    return repr(s).removeprefix(f"Scenario({s.name!r}, ").removesuffix(")")


def page(entry: Entry, video: bool) -> str:
    """The Markdown of a scenario's page."""
    downloads = [
        f"{{download}}`GIF <{FILES}/{entry.name}.gif>`",
        f"{{download}}`PNG (last frame) <{FILES}/{entry.name}.png>`",
        f"{{download}}`PDF (last frame, vector) <{FILES}/{entry.name}.pdf>`",
    ]
    if video:
        downloads.append(f"{{download}}`MP4 <{VIDEOS}/{entry.name}.mp4>`")
    caption = f"\n{entry.caption}\n" if entry.caption else ""
    return f"""\
(gallery-{entry.name})=
# {entry.title}
{caption}
```{{convanim}} /../animations/{entry.name}.toml
```

**Alt text** (generated from the scenario and its numbers; paste it where the GIF goes):

> {entry.alt}

**Download:** {" · ".join(downloads)}

**Build it:** `convanim build {entry.name}` (every format: `--format gif,html,mp4,png,pdf`).

## The scenario file

`animations/{entry.name}.toml` (the keys are explained in the {{doc}}`scenario reference
</reference/scenario>`):

```{{literalinclude}} ../../animations/{entry.name}.toml
:language: toml
```
"""


def index(found: list[Entry]) -> str:
    """The gallery's index: a grid of cards per section."""
    parts = [
        "(gallery)=\n# Gallery\n",
        "Every scenario in the repository's `animations/` folder, each on its own page with its "
        "player, its alt text, its scenario file and the GIF, PNG and PDF to download. The pages are "
        "written when the site is built, from the files themselves: a new scenario gets its page "
        "without anyone writing one. Each player shows the site's theme (switch it at the top).\n",
        "```{toctree}\n:hidden:\n\n" + "\n".join(e.name for e in _in_order(found)) + "\n```\n",
    ]
    for title, _ in SECTIONS:
        members = [e for e in _in_order(found) if e.section == title]
        if not members:
            continue
        parts.append(f"## {title}\n\n::::{{grid}} 1 2 3 3\n:gutter: 3\n")
        for e in members:
            alt = e.alt.replace("\n", " ")
            parts.append(
                f":::{{grid-item-card}} {e.title}\n:link: {e.name}\n:link-type: doc\n"
                f":img-top: {FILES}/{e.name}.png\n:img-alt: {alt}\n:class-card: convanim-card\n\n"
                f"`{e.name}`: {e.summary}\n:::\n"
            )
        parts.append("::::\n")
    return "\n".join(parts)


def _in_order(found: list[Entry]) -> list[Entry]:
    """The entries section by section (as the index shows them)."""
    # the course's own first; a view's pair side by side
    first = sorted(found, key=lambda e: (not e.name.startswith("convol_"), e.views, e.name))
    return [e for title, _ in SECTIONS for e in first if e.section == title]


def _write(path: Path, text: str) -> None:
    """Write only when the text changes, so Sphinx rereads only changed pages."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def source_hash() -> str:
    """A hash of convanim's code (modules and templates): convanim build's manifest keys outputs on
    the version, which does not change while the code is edited, so the site rebuilds its
    downloads whenever this hash does."""
    package = Path(convanim.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(
        p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".js", ".css", ".html")
    ):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _build(paths: list[Path], fmt: str, out: Path, animations: Path) -> None:
    if not paths:
        return
    jobs = str(min(len(paths), os.cpu_count() or 1))
    stamp = out / f".convanim-source-{fmt}"  # one per call: a folder may get several formats
    force = ["--force"] if not stamp.is_file() or stamp.read_text() != source_hash() else []
    argv = ["build", *map(str, paths), "--format", fmt, "--out", str(out), "--animations", str(animations)]
    status = command.main([*argv, "--jobs", jobs, "-q", *force])
    if status != 0:
        raise ExtensionError(f"convanim build {fmt} for the gallery failed with status {status}")
    stamp.write_text(source_hash())


def course(folder: Path, animations: Path) -> None:
    """What the getting-started page shows: the scenario ``convanim new blur`` writes, built to a
    GIF and a PNG, and a storyboard of the course's illustration (for handouts)."""
    target = folder / COURSE
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        if command.main(["new", "blur", "--animations", tmp]) != 0:
            raise ExtensionError("convanim new blur failed")
        _write(target / "blur.toml", (Path(tmp) / "blur.toml").read_text(encoding="utf-8"))
    _build([target / "blur.toml"], "gif,png", target, target)
    _build([animations / "convol_mean.toml"], "storyboard-png", target, animations)


def generate(app: Sphinx) -> None:
    """Write the pages and the downloads before Sphinx reads the sources."""
    animations = Path(app.srcdir).parent / "animations"
    folder = Path(app.srcdir) / "gallery"
    folder.mkdir(exist_ok=True)
    found = entries(animations)
    videos = set(app.config.convanim_gallery_videos)
    unknown = videos - {e.name for e in found}
    if unknown:
        raise ExtensionError(f"convanim_gallery_videos: no such scenario: {', '.join(sorted(unknown))}")
    logger.info("gallery: %d scenarios (MP4 for %d)", len(found), len(videos))
    _build([e.path for e in found], STILL_FORMATS, folder / FILES, animations)
    _build([e.path for e in found if e.name in videos], "mp4", folder / VIDEOS, animations)
    course(folder, animations)
    names = {f"{e.name}.md" for e in found} | {"index.md"}
    for stale in folder.glob("*.md"):
        if stale.name not in names:
            stale.unlink()
    for e in found:
        _write(folder / f"{e.name}.md", page(e, e.name in videos))
    _write(folder / "index.md", index(found))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("convanim_gallery_videos", [], "env", types=[list])
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
