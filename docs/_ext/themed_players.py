"""Players that follow the site's light/dark switch.

The ``convanim`` directive (``convanim.sphinx``) puts one player on the page, in the scenario's own
theme. Here its HTML is drawn twice, light and dark (``Scenario.restyled(theme="dark")``: the same
numbers, the dark theme's colours), and the site's CSS shows the one that matches
``<html data-theme>``, which pydata-sphinx-theme sets to ``light`` or ``dark``. A hidden player is
out of view, so it does not play (the player plays only while in view); _static/convanim-themes.js
carries the frame and the play state over when the reader switches. A scenario that chose its own
theme (``render.theme = "dark"`` or ``"contrast"``) is shown as its author made it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxTranslator

import convanim
from convanim.export.html import assets, player
from convanim.sphinx import convanim_player

ASSETS_DONE = "convanim_site_assets"  # a translator attribute: the player's JS and CSS are on the page


def visit_player(self: SphinxTranslator, node: convanim_player) -> None:
    """Both players (or the one a themed scenario has), the player's JS and CSS once a page."""
    if not getattr(self, ASSETS_DONE, False):
        self.body.append(assets())
        setattr(self, ASSETS_DONE, True)
    style = f' style="width:{node["width"]}"' if node["width"] else ""
    scenario = convanim.load(node["scenario"])
    if scenario.render.theme != "light":
        self.body.append(f'<div class="convanim-embed"{style}>{player(scenario.frames())}</div>')
        raise nodes.SkipNode
    dark = scenario.restyled(theme="dark")
    self.body.append(
        f'<div class="convanim-embed convanim-follow"{style}>'
        f'<div class="convanim-when-light">{player(scenario.frames())}</div>'
        f'<div class="convanim-when-dark">{player(dark.frames())}</div></div>'
    )
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("convanim.sphinx")
    app.add_node(convanim_player, override=True, html=(visit_player, None))
    app.add_js_file("convanim-themes.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
