#!/usr/bin/env python3
"""Benchmark: receptive_field, conv_matrix and overlap_counts on a 3×32×32 input.

Cases: a conv2d layer 3 → 8 (3×3, padding 1); a chain conv 3 → 8, ReLU, 2×2 max pool, conv 8 → 8,
bilinear ×2 (the field of the centre cell of the last map, every map); a conv_transpose2d 3 → 3
(3×3, stride 2). Best of ``--repeat`` runs each, in this process, after the scenario is built
(its validation is not timed). Printed: milliseconds per call and the result's size.

Run from the repository root: ``python bench/dependence.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import convanim

ROOMY = convanim.Limits(10**6, 10**8, 10**10)


def best(call, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (3, 32, 32))
    layer = convanim.Scenario(image=x, kernel=rng.uniform(-1, 1, (8, 3, 3, 3)), padding=1, limits=ROOMY)
    chain = convanim.Scenario(
        image=x,
        stages=[
            {"kernel": rng.uniform(-1, 1, (8, 3, 3, 3)), "padding": 1},
            {"operation": "relu"},
            {"operation": "max_pool2d", "kernel_size": 2},
            {"kernel": rng.uniform(-1, 1, (8, 8, 3, 3)), "padding": 1},
            {"operation": "upsample", "mode": "bilinear", "scale_factor": 2},
        ],
        limits=ROOMY,
    )
    transposed = convanim.Scenario(
        image=x, operation="conv_transpose2d", kernel=rng.uniform(-1, 1, (3, 3, 3, 3)), stride=2, limits=ROOMY
    )
    rows = [
        ("receptive_field, layer", lambda: convanim.receptive_field(layer, (0, 16, 16))),
        ("receptive_field, 5-stage chain", lambda: convanim.receptive_field(chain, (0, 16, 16))),
        ("conv_matrix, layer", lambda: convanim.conv_matrix(layer)),
        ("conv_matrix, transposed", lambda: convanim.conv_matrix(transposed)),
        ("overlap_counts, transposed", lambda: convanim.overlap_counts(transposed)),
    ]
    print(f"{'call':34} {'ms':>8}  result")
    for name, call in rows:
        ms, result = best(call, args.repeat)
        shape = [m.shape for m in result] if isinstance(result, tuple) else result.shape
        print(f"{name:34} {ms:8.1f}  {shape}")


if __name__ == "__main__":
    main()
