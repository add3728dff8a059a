"""Errors a user can fix: each renders as one line naming the key and what is allowed."""

from __future__ import annotations


class ConvanimError(Exception):
    """Base class for every error convanim reports to a user (CLI exit status 2)."""


class ScenarioError(ConvanimError):
    """A scenario value is wrong; ``key`` is its dotted path, e.g. ``kernel.size``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


class LimitError(ScenarioError):
    """A valid scenario that would need more frames or cells than allowed."""
