"""Counted nouns in generated sentences: "1 filter", "3 filters", never "1 filters"."""

from __future__ import annotations


def count(n: int | str, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun, singular for one: ``count(1, "plane")`` is "1 plane". ``n`` may be
    text already formatted, e.g. "2×3" (plural)."""
    one = str(n) == "1"
    return f"{n} {noun if one else plural or noun + 's'}"
