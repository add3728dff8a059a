"""``{computed}``: a Python example run at build time, shown with what it printed, so every number
a chapter section states comes from convanim as it is, never typed by hand.

The blocks of one page run in order in one namespace (a later block may use an earlier one's
names), which starts with ``convanim``, ``numpy as np`` and ``ANIMATIONS`` (the repository's
animations/ folder); the page shows the code, then its output as a second block.
An exception fails the build (warnings are errors).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import convanim

ANIMATIONS = Path(__file__).resolve().parents[2] / "animations"


def namespace() -> dict[str, Any]:
    """What a page's first example starts with."""
    return {"convanim": convanim, "np": np, "ANIMATIONS": ANIMATIONS}


def run(code: str, names: dict[str, Any] | None = None) -> str:
    """What ``code`` prints (run in ``names``, or a fresh namespace), numpy arrays written compactly."""
    out = io.StringIO()
    namespace_ = namespace() if names is None else names
    with np.printoptions(linewidth=100, suppress=True), contextlib.redirect_stdout(out):
        exec(compile(code, "<computed>", "exec"), namespace_)  # our own pages' code
    return out.getvalue().rstrip("\n")


class Computed(SphinxDirective):
    """The code block and what it printed when the site was built."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        try:
            names = self.env.temp_data.setdefault("computed_namespace", namespace())
            printed = run(code, names)
        except Exception as err:  # the build must say which page's example broke
            raise self.error(f"computed example failed: {type(err).__name__}: {err}") from err
        shown = [nodes.literal_block(code, code, language="python")]
        if printed:
            shown.append(nodes.literal_block(printed, printed, language="text", classes=["computed-output"]))
        return shown


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("computed", Computed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
