"""How a stage's values and operation are spelt in messages, in 2-D and 1-D."""

from __future__ import annotations

from typing import Any

from .rank import ONE_D


def axes_text(pair: tuple[Any, Any], rank: int) -> str:
    """A key's value as the scenario spells it: 2 (or 2×3) in 2-D, the one axis's in 1-D."""
    return str(pair[1]) if rank == 1 else pair_text(pair)


def data_name(op: str, rank: int) -> str:
    """The operation's name at a rank: conv1d for conv2d in 1-D."""
    return {v: k for k, v in ONE_D.items()}.get(op, op) if rank == 1 else op


def pair_text(pair: tuple[Any, Any]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"
