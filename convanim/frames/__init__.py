"""Frames: what is drawn at each step, as a display list (no pixels, no files)."""

from __future__ import annotations

from ..display import Frames
from ..model import Illustration
from .chain import ChainBuilder
from .chain_channels import ChannelChainBuilder, has_channels
from .cone import finish
from .layer import LayerBuilder
from .matrix import MatrixBuilder, TransposedMatrixBuilder
from .network import NetworkBuilder
from .overlap import OverlapBuilder
from .resample import ResampleBuilder
from .scatter import ScatterBuilder
from .signal import SignalBuilder
from .window import PoolBuilder, WindowBuilder


def build(scenario: Illustration) -> Frames:
    """The display list of every frame of ``scenario``, with its receptive fields (see cone)."""
    return finish(_drawn(scenario), scenario)


def _drawn(scenario: Illustration) -> Frames:
    """What the operation's own view draws."""
    if scenario.network:
        return NetworkBuilder(scenario).frames()
    if scenario.picture:
        builder = ChannelChainBuilder if has_channels(scenario) else ChainBuilder
        return builder(scenario).frames()
    comp = scenario.computations[-1]
    if scenario.stages[0].rank == 1:
        return SignalBuilder(scenario, comp).frames()
    op = scenario.operation
    if op in ("conv2d", "conv_transpose2d") and scenario.stages[0].has_channels:
        return LayerBuilder(scenario, comp).frames()
    if op == "conv2d" and scenario.stages[0].view == "matrix":
        return MatrixBuilder(scenario, comp).frames()
    if op == "conv_transpose2d" and scenario.stages[0].view == "matrix":
        return TransposedMatrixBuilder(scenario, comp).frames()
    if op == "conv_transpose2d" and scenario.stages[0].view == "overlap":
        return OverlapBuilder(scenario, comp).frames()
    if op == "conv_transpose2d" and scenario.transpose_view == "scatter":
        return ScatterBuilder(scenario, comp).frames()
    if op in ("max_pool2d", "avg_pool2d"):
        return PoolBuilder(scenario, comp).frames()
    if op in ("upsample", "relu"):
        return ResampleBuilder(scenario, comp).frames()
    return WindowBuilder(scenario, comp).frames()


__all__ = ["build"]
