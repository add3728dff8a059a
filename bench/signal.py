#!/usr/bin/env python3
"""Benchmark: the signal view (1-D) against its cost model.

Renders each gallery signal and the largest 1-D layer the default limits accept (4 → 8 channels,
48 samples, 5 taps, a bias each) from ``Scenario(...)`` to a GIF and to the HTML player in memory,
best of ``--repeat``, and prints frames, the cost model's ``work``, seconds and µs per unit of work:
the limit (100,000 units) should bound a render to seconds, as it does for the 2-D views.

Run from the repository root: ``python bench/signal.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import convanim
from convanim.scenario import work

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ("conv1d_smoothing", "conv1d_channels_stride", "conv_transpose1d_stride2", "max_pool1d")


def largest() -> convanim.Scenario:
    x = np.round(np.random.default_rng(0).uniform(-1, 1, (4, 48)), 1)
    return convanim.Scenario(image=x, operation="conv1d", out_channels=8, kernel_size=5, bias=True)


def best(render, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    cases = [(name, convanim.load(ROOT / "animations" / f"{name}.toml")) for name in GALLERY]
    cases.append(("largest accepted (4→8, L=48, k=5)", largest()))
    for name, s in cases:
        units = work(s.stages, s.n_frames, s.picture)
        gif = best(lambda s=s: s.to_bytes("gif"), args.repeat)
        html = best(lambda s=s: s.to_bytes("html"), args.repeat)
        print(
            f"{name:36s} {s.n_frames:4d} frames  work {units:7,d}  gif {gif:6.2f} s  html {html:5.2f} s"
            f"  {1e6 * gif / units:6.1f} µs/unit"
        )


if __name__ == "__main__":
    main()
