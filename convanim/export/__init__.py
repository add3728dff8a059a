"""Exporters: turn a display list into a file. Registered by name; unknown names are errors.

An exporter has a name (``--format``), a suffix (``save(path)`` picks the exporter whose suffix ends
the file name, the longest first, so ``x.storyboard.pdf`` is a storyboard and ``x.pdf`` a still),
the keyword options its writer takes (``frame``, ``scale``, …: any other is an error naming the
format), and optional companion files written beside the main one (beamer's frames PDF).
Only the gallery formats (GIF, HTML player, PNG still) are written by default.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..display import Frames
from ..errors import ConvanimError

Writer = Callable[..., None]  # write(frames, fh, **options)


@dataclass(frozen=True)
class Companion:
    """A second file an exporter writes beside the main one: ``STEM + suffix``."""

    suffix: str
    write: Writer


@dataclass(frozen=True)
class Exporter:
    """A named file format: its suffix, the function that writes it and the options it takes."""

    name: str
    suffix: str
    write: Writer
    options: tuple[str, ...] = ()
    companions: tuple[Companion, ...] = ()
    gallery: bool = False

    def target(self, stem: str) -> str:
        """The main file's name for an output called ``stem``."""
        return stem + self.suffix


_REGISTRY: dict[str, Exporter] = {}


def register(
    name: str,
    suffix: str,
    *,
    options: tuple[str, ...] = (),
    companions: tuple[Companion, ...] = (),
    gallery: bool = False,
) -> Callable[[Writer], Writer]:
    """Decorator: make ``write(frames, fh, **options)`` the exporter of format ``name``.
    ``options`` names the keyword options it accepts; ``stem`` among them asks for the output's
    name without suffix (to name companion files)."""

    def wrap(write: Writer) -> Writer:
        _REGISTRY[name] = Exporter(name, suffix, write, options, companions, gallery)
        return write

    return wrap


def formats() -> list[str]:
    """Names of every registered format: the built-in ones in ``BUILTIN``'s order (whichever
    module was imported first), each module's in registration order, then any others."""
    _load_builtin()
    return [e.name for e in _ordered()]


def _ordered() -> list[Exporter]:
    def rank(e: Exporter) -> int:
        module = e.write.__module__.rsplit(".", 1)[-1]
        return BUILTIN.index(module) if module in BUILTIN else len(BUILTIN)

    return sorted(_REGISTRY.values(), key=rank)


def gallery_formats() -> list[str]:
    """The formats written when none is asked for: the gallery's GIF, HTML player and PNG still."""
    _load_builtin()
    return [e.name for e in _ordered() if e.gallery]


def get(name: str) -> Exporter:
    """The exporter called ``name``; the error lists the valid names (never a silent fallback)."""
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConvanimError(f"unknown format {name!r}; available: {', '.join(formats())}") from None


def for_path(path: str | Path) -> Exporter:
    """The exporter whose suffix ends ``path``'s name (the longest suffix wins)."""
    _load_builtin()
    name = Path(path).name.lower()
    for exporter in sorted(_ordered(), key=lambda e: -len(e.suffix)):
        if name.endswith(exporter.suffix) and len(name) > len(exporter.suffix):
            return exporter
    suffix = Path(path).suffix.lower()
    known = ", ".join(e.suffix for e in _ordered())
    raise ConvanimError(f"{path}: unknown file suffix {suffix or '(none)'!r}; available: {known}")


def check_options(exporter: Exporter, options: dict[str, Any]) -> None:
    """Refuse options the format does not take, naming the format and the ones it does."""
    for key in options:
        if key not in exporter.options or key == "stem":
            takes = [o for o in exporter.options if o != "stem"]
            allowed = ", ".join(takes) if takes else "none"
            raise ConvanimError(f"format {exporter.name!r} takes no option {key!r} (its options: {allowed})")


def write_to(
    exporter: Exporter, frames: Frames, fh: BinaryIO, /, *, stem: str = "scenario", **options: Any
) -> None:
    """Write the main file of ``exporter`` to ``fh`` (options checked first)."""
    check_options(exporter, options)
    if "stem" in exporter.options:
        options["stem"] = stem
    exporter.write(frames, fh, **options)


def write_atomic(path: str | Path, frames: Frames, exporter: Exporter, /, **options: Any) -> int:
    """Write ``frames`` with ``exporter`` to ``path`` atomically (see ``write_file``), companion
    files first (so the main file never names a missing one); returns the main file's bytes."""
    path = Path(path)
    check_options(exporter, options)
    stem = path.name[: len(path.name) - len(exporter.suffix)]
    for companion in exporter.companions:
        write_file(path.with_name(stem + companion.suffix), lambda fh, c=companion: c.write(frames, fh))
    return write_file(path, lambda fh: write_to(exporter, frames, fh, stem=stem, **options))


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


BUILTIN = (
    "gif",
    "html",
    "video",
    "stills",
    "storyboard",
    "beamer",
    "alt",
)  # each registers itself; this order


def _load_builtin() -> None:
    for module in BUILTIN:
        importlib.import_module(f"{__name__}.{module}")
