"""Output-size arithmetic of the operations, shared by validation, steps and labels."""

from __future__ import annotations


def conv_out(size: int, kernel: int, stride: int) -> int:
    """Output length of a valid (unpadded) convolution: ⌊(n − k)/s⌋ + 1, or 0 if k > n."""
    if kernel > size:
        return 0
    return (size - kernel) // stride + 1


def conv_out_formula(size: int, kernel: int, stride: int) -> str:
    """The formula with the numbers filled in, e.g. "⌊(10 − 3)/1⌋ + 1 = 8"."""
    return f"\u230a({size} \u2212 {kernel})/{stride}\u230b + 1 = {conv_out(size, kernel, stride)}"
