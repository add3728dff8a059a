"""What a scenario's numbers mean beyond its frames: receptive fields, the convolution as a
matrix, the overlap of a transposed convolution. Checks the arguments, then one call down to
``dependence`` (which takes stages, not the scenario)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dependence, words
from .errors import ScenarioError
from .model import Illustration
from .stage import Stage


def receptive_field(scenario: Illustration, cell: Any, stage: int = -1) -> tuple[np.ndarray, ...]:
    """The cells output ``cell`` of stage ``stage`` depends on, as one boolean array per map from
    the input (index 0) to that stage's output, each shaped as ``.output()`` gives a map ((H, W),
    or (C, H, W) with channels); ``cell`` indexes that output the same way, e.g. ``(c, i, j)``."""
    index = _stage_index(scenario, stage)
    stages = scenario.stages[: index + 1]
    masks = dependence.receptive_field(stages, _cell(scenario, stages[-1], index, cell))
    if stages[0].rank == 1:  # a signal's maps: (C, L) or (L,), as .output() gives them
        masks = tuple(m[:, 0] for m in masks)
    return tuple(m if scenario.layered else m[0] for m in masks)


def conv_matrix(scenario: Illustration, stage: int = 0) -> np.ndarray:
    """The dense matrix M of convolution stage ``stage``, (output size, input size) over the
    flattened (C, H, W) maps: ``M @ x.ravel() + bias_per_output == output.ravel()``. A
    transposed stage's is the transpose of its convolution's."""
    index = _stage_index(scenario, stage)
    st = _kernel_stage(scenario, index, "conv_matrix", dependence.KERNEL_OPS)
    return dependence.conv_matrix(st)


def overlap_counts(scenario: Illustration, stage: int = 0) -> np.ndarray:
    """For transposed stage ``stage``: how many (input cell, kernel tap) contributions land on
    each cell of its output plane, an (H', W') integer array."""
    index = _stage_index(scenario, stage)
    st = _kernel_stage(scenario, index, "overlap_counts", ("conv_transpose2d",))
    counts = dependence.overlap_counts(st)
    return counts[0] if st.rank == 1 else counts  # a signal's: (L',)


def _stage_index(scenario: Illustration, stage: Any) -> int:
    n = len(scenario.stages)
    if isinstance(stage, bool) or not isinstance(stage, (int, np.integer)) or not -n <= stage < n:
        last = "0" if n == 1 else f"0 to {n - 1}"
        stages = words.count(n, "stage")
        raise ScenarioError(
            "stage", f"must be a stage index, {last} (or −1 for the last) for {stages}; got {stage!r}"
        )
    return int(stage) % n


def _kernel_stage(scenario: Illustration, index: int, what: str, ops: tuple[str, ...]) -> Stage:
    st = scenario.stages[index]
    if st.operation not in ops:
        raise ScenarioError("stage", f"{what} applies to {' and '.join(ops)}; stage {index} is {st.op_name}")
    return st


def _cell(scenario: Illustration, st: Stage, index: int, cell: Any) -> tuple[int, int, int]:
    """``cell`` as (channel, row, col), checked against the stage's output."""
    signal = st.rank == 1  # a signal's cell is (c, sample) or (sample,)
    shape = (st.out_channels, *st.output_shape[signal:])
    if not scenario.layered:
        shape = shape[1:]
    names = "(c, row, col)" if scenario.layered else "(row, col)"
    if signal:
        names = "(c, sample)" if scenario.layered else "(sample,)"
    size = "×".join(str(n) for n in shape)
    ok = (
        isinstance(cell, (tuple, list, np.ndarray))
        and len(cell) == len(shape)
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in cell)
    )
    if not ok or not all(0 <= v < n for v, n in zip(cell, shape, strict=True)):
        raise ScenarioError(
            "cell",
            f"must be {names} inside the {size} output of stage {index} ({st.op_name}); got {cell!r}",
        )
    full = tuple(int(v) for v in cell)
    if signal:
        full = (*full[:-1], 0, full[-1])
    return full if scenario.layered else (0, *full)
