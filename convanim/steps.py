"""The numbers of each step, pure numpy: which input cells the window reads, the products, the sum.

F[a,b] = Σ_ij f[i,j]·I[a·s + i, b·s + j]: cross-correlation, as torch.nn.functional.conv2d.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

if TYPE_CHECKING:
    from .scenario import Scenario


@dataclass(frozen=True, eq=False)
class Step:
    """One output value: where it goes, which input cells it reads, and how it is summed."""

    index: int  #: 0-based, row-major over the output
    out: tuple[int, int]  #: (row, col) in the output
    rows: np.ndarray  #: input row of each kernel row, shape (kh,)
    cols: np.ndarray  #: input column of each kernel column, shape (kw,)
    inputs: np.ndarray  #: values under the window, shape (kh, kw)
    products: np.ndarray  #: weight · input, shape (kh, kw)
    value: float  #: the sum, equal to output[out]


@dataclass(frozen=True, eq=False)
class Computation:
    """The whole result: the output array and the steps that fill it, in order."""

    output: np.ndarray
    weights: np.ndarray
    steps: tuple[Step, ...]


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    """Valid cross-correlation with stride, float64, as torch.nn.functional.conv2d."""
    windows = sliding_window_view(image, kernel.shape)[:: stride[0], :: stride[1]]
    return np.einsum("abij,ij->ab", windows, kernel)


def compute(scenario: Scenario) -> Computation:
    """Every step of the scenario's operation, with the output they add up to."""
    image, kernel, (sr, sc) = scenario.image.values, scenario.kernel.values, scenario.stride
    kh, kw = kernel.shape
    out_rows, out_cols = scenario.output_shape
    windows = sliding_window_view(image, (kh, kw))[::sr, ::sc]
    products = windows * kernel
    output = products.sum(axis=(2, 3))
    steps = []
    for a in range(out_rows):
        for b in range(out_cols):
            p = products[a, b]
            p.setflags(write=False)
            steps.append(
                Step(
                    index=a * out_cols + b,
                    out=(a, b),
                    rows=np.arange(kh) + a * sr,
                    cols=np.arange(kw) + b * sc,
                    inputs=windows[a, b],
                    products=p,
                    value=float(output[a, b]),
                )
            )
    output.setflags(write=False)
    return Computation(output=output, weights=kernel, steps=tuple(steps))
