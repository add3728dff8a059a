"""A signal's wording in the chain views: "[i]" for "[0,i]", "3 taps" for "1×3", "L = 12"."""

from __future__ import annotations

from collections.abc import Sequence


def at(rank: int, row: int, col: int) -> str:
    """An index into a map: "[2]" on a signal (its one row dropped), "[r,c]" on an image."""
    return f"[{col}]" if rank == 1 else f"[{row},{col}]"


def taps(rank: int, size: Sequence[int]) -> str:
    """A kernel or window size: "3 taps" on a signal, "3×3" on an image."""
    if rank == 1:
        return f"{size[-1]} tap{'s' * (size[-1] != 1)}"
    return "\u00d7".join(str(n) for n in size)


def samples(rank: int, shape: Sequence[int]) -> str:
    """A map's size: "L = 12" or "3 × 12 samples" on a signal ((L,), (1, L), (C, 1, L)),
    "12×12" or "2×12×12" on an image."""
    if rank != 1:
        return "\u00d7".join(str(n) for n in shape)
    channels = shape[0] if len(shape) == 3 else 1
    length = shape[-1]
    return f"L = {length}" if channels == 1 else f"{channels} \u00d7 {length} samples"


def span(first: int, last: int) -> str:
    """Samples of a window: "sample 3" or "samples 2 to 4" (numbers, not a slice: -1 is padding)."""
    neg = "\u2212"
    a, b = str(first).replace("-", neg), str(last).replace("-", neg)
    return f"sample {a}" if first == last else f"samples {a} to {b}"
