"""Small shared fixtures-as-functions for the tests (kept out of conftest, which holds browser fixtures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import convanim

ROOT = Path(__file__).resolve().parents[1]

#: The course image: a 10×10 picture with sharp edges.
COURSE_IMAGE = np.array(
    [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 9, 9, 9, 9, 9, 9, 9, 0, 0],
        [0, 9, 9, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=float,
)


def small(**keys) -> convanim.Scenario:
    """A 5×5 scenario with a 3×3 mean kernel (9 steps, 11 frames) unless keys say otherwise."""
    defaults = {
        "title": "small",
        "image": np.arange(25.0).reshape(5, 5),
        "kernel": {"preset": "mean"},
        "timing": {"step_ms": 100, "poster_ms": 300, "final_ms": 700},
    }
    return convanim.Scenario(**{**defaults, **keys})


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
