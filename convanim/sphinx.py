"""Sphinx extension (Jupyter Book 1 too): the ``convanim`` directive puts a scenario's player on a
page, rendered at build time. In ``conf.py``: ``extensions = ["convanim.sphinx"]`` (with
``myst_parser`` for Markdown); in a page::

    ```{convanim} animations/convol_mean.toml
    :caption: A 3×3 mean filter smooths sharp edges
    :name: fig-mean
    :width: 80%
    ```

The path is relative to the page (``/`` at its start: to the source folder). The directive makes a
figure, so ``:name:`` is a target for ``{ref}``/``{numref}`` with the caption as its title;
``:width:`` is a CSS width (``80%``, ``600px``; a bare number is pixels) that PDF builds follow. HTML
builders get the player (its JS and CSS once per page, however many players it has); every other
builder (LaTeX/PDF, text, man, Texinfo) gets the still PNG, the last frame. A scenario that does
not load is an error on the directive's line, with the scenario's own one-line message.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from . import __version__
from .errors import ConvanimError, ScenarioError, report
from .scenario import load


class convanim_player(nodes.General, nodes.Element):  # docutils names its nodes in lower case
    """Where a player goes: ``scenario`` (absolute path), ``width`` (CSS length) and ``alt``."""


class ConvanimDirective(SphinxDirective):
    """``.. convanim:: PATH`` with ``:caption:``, ``:name:`` and ``:width:``."""

    required_arguments = 1
    has_content = False
    option_spec = {  # noqa: RUF012 (docutils reads this class attribute)
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
    }

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(rel)
        if not Path(path).is_file():
            raise self.error(f"{self.arguments[0]}: no such scenario file")
        try:
            scenario = load(path)
        except ScenarioError as err:  # each mistake on its own line, with the line of its key
            raise self.error("\n".join(report(self.arguments[0], err))) from None
        except ConvanimError as err:
            raise self.error(f"{self.arguments[0]}: {err}") from None
        except OSError as err:
            raise self.error(f"{self.arguments[0]}: cannot read: {err.strerror or err}") from None
        photo = _photo(Path(path))
        if photo is not None:
            self.env.note_dependency(str(photo))
        width = self.options.get("width")
        if width and width[-1].isdigit():  # a bare number is pixels, as for images
            width += "px"
        player = convanim_player(scenario=str(path), width=width, alt=scenario.title)
        figure = nodes.figure("", player, classes=["convanim-figure"])
        self.set_source_info(figure)
        if "caption" in self.options:
            parsed, messages = self.state.inline_text(self.options["caption"], self.lineno)
            caption = nodes.caption(self.options["caption"], "", *parsed)
            self.set_source_info(caption)
            figure += caption
            figure += messages
        self.add_name(figure)
        return [figure]


def _photo(path: Path) -> Path | None:
    """The photograph a (valid) scenario file reads, so that editing it rebuilds the page."""
    image = tomllib.loads(path.read_text(encoding="utf-8")).get("image", {})
    return path.parent / image["file"] if isinstance(image, dict) and "file" in image else None


def visit_player_html(self: SphinxTranslator, node: convanim_player) -> None:
    """The player; the first on a page brings the JS and CSS (every later one reuses them)."""
    from .export.html import assets, player

    if not getattr(self, "_convanim_assets", False):
        self.body.append(assets())
        self._convanim_assets = True
    style = f' style="width:{node["width"]}"' if node["width"] else ""
    frames = load(node["scenario"]).frames()
    self.body.append(f'<div class="convanim-embed"{style}>{player(frames)}</div>')
    raise nodes.SkipNode


class StillForOtherBuilders(SphinxPostTransform):
    """Outside HTML, each player becomes its still (a PNG as a ``data:`` URI, which Sphinx writes
    to a file, named by its hash, for builders that need files, such as LaTeX)."""

    default_priority = 100  # before Sphinx's DataURIExtractor (150) turns it into a file

    def run(self, **kwargs: Any) -> None:
        if self.app.builder.format == "html":
            return
        from .export.still import data_uri, still_png

        for node in list(self.document.findall(convanim_player)):
            uri = data_uri(still_png(load(node["scenario"]).frames()))
            image = nodes.image(uri=uri, alt=node["alt"], candidates={"?": uri})
            if node["width"]:
                image["width"] = node["width"]
            node.replace_self(image)


def _skip(self: SphinxTranslator, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive, its node (players in HTML; other builders never see the node: the
    post-transform has replaced it) and the post-transform."""
    app.add_node(
        convanim_player,
        html=(visit_player_html, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_directive("convanim", ConvanimDirective)
    app.add_post_transform(StillForOtherBuilders)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
