"""Frames: what is drawn at each step, as a display list (no pixels, no files)."""

from __future__ import annotations

from ..display import Frames
from ..scenario import Scenario
from .scatter import ScatterBuilder
from .window import WindowBuilder


def build(scenario: Scenario) -> Frames:
    """The display list of every frame of ``scenario``."""
    comp = scenario._computation
    if scenario.operation == "conv_transpose2d" and scenario.transpose_view == "scatter":
        return ScatterBuilder(scenario, comp).frames()
    return WindowBuilder(scenario, comp).frames()


__all__ = ["build"]
