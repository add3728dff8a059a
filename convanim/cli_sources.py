"""The scenarios a command names: their files found, loaded once while their bytes are unchanged,
and the one-line messages that name them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import ConvanimError, ScenarioError, report
from .manifest import referenced_files
from .scenario import Limits, Scenario, load


def find_sources(names: list[str], animations: Path) -> tuple[list[Path], list[str]]:
    """Scenario files for the names given (all of ``animations`` when none), and lookup errors."""
    if not names:
        found = sorted(animations.glob("*.toml"))
        return found, [] if found else [f"{relative(animations)}: no scenario files (*.toml) found"]
    paths, errors = [], []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            paths += found
            if not found:
                errors.append(f"{relative(path)}: no scenario files (*.toml) found")
            continue
        if path.suffix != ".toml" and not path.exists():
            path = animations / f"{name}.toml"
        if path.is_file():
            paths.append(path)
        else:
            known = ", ".join(p.stem for p in sorted(animations.glob("*.toml"))) or "none"
            errors.append(
                f"{relative(path)}: no such scenario file (scenarios in {relative(animations)}: {known})"
            )
    return list(dict.fromkeys(paths)), errors


def load_scenario(source: Path, limits: Limits, render: tuple[tuple[str, object], ...]) -> Scenario:
    """The scenario in ``source``, restyled by ``render``: validated again only when its bytes, or
    those of the files it reads, have changed."""
    try:  # the cache's key: the scenario's bytes and those of the files it reads
        files = [p.read_bytes() if p.is_file() else None for p in referenced_files(source)]
        content = (source.read_bytes(), *files)
    except OSError:  # load reports it
        return _read(source, limits, render)
    return _loaded(source.resolve(), content, limits, render)


@lru_cache(maxsize=256)
def _loaded(
    source: Path, content: tuple[bytes | None, ...], limits: Limits, render: tuple[tuple[str, object], ...]
) -> Scenario:
    """The scenario its files' ``content`` makes (memoised: ``convanim watch`` builds every
    scenario again on each change, and validating the unchanged ones again cost it ~0.1 s)."""
    return _read(source, limits, render)


def _read(source: Path, limits: Limits, render: tuple[tuple[str, object], ...]) -> Scenario:
    s = load(source, limits=limits)
    return s.restyled(**dict(render)) if render else s


def error_line(source: Path, err: ConvanimError) -> str:
    """A line per mistake naming the scenario file (relative when possible) and, as compilers do,
    the line of the key in it: ``file:line: key: message``."""
    rel = relative(source)
    if isinstance(err, ScenarioError):
        return "\n".join(report(rel, err))
    text = str(err)
    for prefix in (f"{source}:", f"{rel}:"):
        if text.startswith(prefix):  # "path: what" or "path:line: what"
            return f"{rel}:{text[len(prefix) :]}"
    return f"{rel}: {text}"


def relative(path: Path) -> str:
    """``path`` relative to the working directory when inside it, for short messages."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
