"""The step records of one stage as a sequence built on demand: a stage's numbers are computed
whole (vectorised, see :mod:`.steps`), and a record (the window, its products, its sums) only
when a view draws it or asks for it, so a 64×112×112 map costs its values, not 802,816 objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np


@dataclass(frozen=True, eq=False)
class Step:
    """A window step: one output value of one output channel, the cells it reads in each input
    plane of its group, and how they are summed (per plane, then across planes, plus the bias)."""

    index: int  #: 0-based, filter by filter, row-major over each output map
    out: tuple[int, int]  #: (row, col) in the output
    rows: np.ndarray  #: grid row of each kernel row, shape (kh,)
    cols: np.ndarray  #: grid column of each kernel column, shape (kw,)
    inputs: np.ndarray  #: values under the kernel taps, shape (planes, kh, kw)
    products: np.ndarray  #: weight · input, shape (planes, kh, kw)
    value: float  #: Σ sums + bias, equal to output[channel][out]
    channel: int = 0  #: the output channel (filter) it fills
    planes: tuple[int, ...] = (0,)  #: the input channels it reads (its group's)
    sums: tuple[float, ...] = (0.0,)  #: Σ of the products in each plane
    bias: float | None = None  #: the filter's bias, None when the layer has none


@dataclass(frozen=True, eq=False)
class Scatter:
    """A transposed-convolution step: one input pixel of one input channel adds value × its
    weight planes onto the output maps of its group."""

    index: int  #: 0-based, channel by channel, row-major over each input map
    src: tuple[int, int]  #: the input pixel
    value: float  #: its value
    rows: np.ndarray  #: output row of each kernel row, shape (kh,); outside the output if cropped
    cols: np.ndarray  #: output column of each kernel column, shape (kw,)
    products: np.ndarray  #: value · weight, shape (targets, kh, kw)
    totals: np.ndarray  #: running totals at the taps once added, (targets, kh, kw); taps outside
    #: the output (cropped by padding) keep theirs too, so the whole scatter can be drawn
    channel: int = 0  #: the input channel of the pixel
    targets: tuple[int, ...] = (0,)  #: the output channels it adds onto


@dataclass(frozen=True, eq=False)
class Pool:
    """A pooling step: the window's cells (clipped to the padded input in ceil mode) and the
    value: their maximum (the first one on ties, as PyTorch) or their sum over a divisor."""

    index: int
    out: tuple[int, int]
    rows: np.ndarray  #: grid rows of the window, shape (kh',)
    cols: np.ndarray  #: grid columns, shape (kw',)
    inputs: np.ndarray  #: values in the window (−inf for max-pool padding)
    value: float
    chosen: tuple[int, int] | None  #: max: position of the maximum within the window
    divisor: int | None  #: avg: what the sum is divided by
    channel: int = 0  #: the channel it pools (input and output alike)


@dataclass(frozen=True, eq=False)
class Sample:
    """An upsampling step: where output[out] falls in the input and the pixels it blends."""

    index: int
    out: tuple[int, int]
    source: tuple[float, float]  #: the (row, col) position in input coordinates
    cells: tuple[tuple[int, int], ...]  #: input pixels read (distinct)
    weights: tuple[float, ...]  #: their weights, summing to 1
    value: float
    channel: int = 0  #: the channel it samples (input and output alike)


@dataclass(frozen=True, eq=False)
class Map:
    """A step over the whole map (ReLU and the other activations, batch norm, cat, add): which
    output values differ from their input (none for cat and add)."""

    index: int
    changed: np.ndarray  #: boolean mask (C, H, W) of the values it replaces


CACHED = 4096  #: a stage with at most this many steps keeps its records once built (small views
#: walk them several times); a bigger one builds each record again when asked


class Records(Sequence):
    """``n`` records, record ``i`` made by ``make(i)``; ``run`` (optional) makes them all in order
    at once, as fast as the whole computation (a scatter's running totals)."""

    def __init__(self, n: int, make: Callable[[int], Any], run: Callable[[], Iterator[Any]] | None = None):
        self._n, self._make, self._run = n, make, run
        self._all: tuple[Any, ...] | None = None

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self._n)))
        if not -self._n <= i < self._n:
            raise IndexError(f"step {i} of {self._n}")
        i %= self._n
        if self._all is not None:
            return self._all[i]
        if self._n <= CACHED:
            return tuple(self)[i]
        return self._make(i)

    def __iter__(self) -> Iterator[Any]:
        if self._all is not None:
            return iter(self._all)
        made = self._run() if self._run is not None else (self._make(i) for i in range(self._n))
        if self._n > CACHED:
            return iter(made)
        self._all = tuple(made)
        return iter(self._all)

    def __repr__(self) -> str:
        return f"Records({self._n} steps)"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (or deep-copied) as the tuple of its records: its makers are closures."""
        return (tuple, (tuple(self),))
