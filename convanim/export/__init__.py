"""Exporters: turn a display list into a file. Registered by name; unknown names are errors."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..display import Frames
from ..errors import ConvanimError

Writer = Callable[[Frames, BinaryIO], None]


@dataclass(frozen=True)
class Exporter:
    """A named file format: its suffix and the function that writes it."""

    name: str
    suffix: str
    write: Writer


_REGISTRY: dict[str, Exporter] = {}


def register(name: str, suffix: str) -> Callable[[Writer], Writer]:
    """Decorator: make ``write(frames, fh)`` the exporter of format ``name``."""

    def wrap(write: Writer) -> Writer:
        _REGISTRY[name] = Exporter(name, suffix, write)
        return write

    return wrap


def formats() -> list[str]:
    """Names of every registered format, in registration order."""
    _load_builtin()
    return list(_REGISTRY)


def get(name: str) -> Exporter:
    """The exporter called ``name``; the error lists the valid names (never a silent fallback)."""
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConvanimError(f"unknown format {name!r}; available: {', '.join(_REGISTRY)}") from None


def for_path(path: str | Path) -> Exporter:
    """The exporter whose suffix matches ``path``."""
    _load_builtin()
    suffix = Path(path).suffix.lower()
    for exporter in _REGISTRY.values():
        if exporter.suffix == suffix:
            return exporter
    known = ", ".join(e.suffix for e in _REGISTRY.values())
    raise ConvanimError(f"{path}: unknown file suffix {suffix or '(none)'!r}; available: {known}")


def write_atomic(path: str | Path, frames: Frames, exporter: Exporter) -> int:
    """Write ``frames`` with ``exporter`` to ``path`` atomically (see ``write_file``)."""
    return write_file(path, lambda fh: exporter.write(frames, fh))


def write_file(path: str | Path, write: Callable[[BinaryIO], object]) -> int:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it into place: a
    failure leaves no partial file and keeps the old one. Returns the number of bytes written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _load_builtin() -> None:
    from . import gif, html, png  # noqa: F401  (each registers itself)
