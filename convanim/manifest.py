"""The build manifest: what each output file was made from, so ``convanim build`` skips what is
up to date.

One small JSON file in the output folder (``.convanim-manifest.json``; the leading dot keeps it out
of ``--check``'s list of stray files) records, per output file name, its inputs (the scenario's
bytes, the bytes of every photograph it reads, the convanim version and the build options) and the
hash of the file written. An output is up to date when its inputs hash the same and the file on
disk is still the one written; anything else (no manifest, a damaged one, an edited or deleted
output) rebuilds. ``--check`` never reads it: it renders and compares bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .export import write_file

NAME = ".convanim-manifest.json"
VERSION = 1  # of this file's layout


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The file's hash, or None when it cannot be read."""
    try:
        return _sha256(path.read_bytes())
    except OSError:
        return None


def convanim_version() -> str:
    import convanim  # at call time, so a test can stand in another version

    return convanim.__version__


def referenced_files(scenario: Path) -> list[Path]:
    """Files a scenario reads besides itself: every string under a ``file`` key, relative to the
    scenario's folder (``image.file`` today). Empty when the file is unreadable or not TOML (the
    build then reports that error itself)."""
    try:
        raw = scenario.read_bytes()
    except OSError:
        return []
    return [scenario.parent / name for name in _file_keys(raw)]


@lru_cache(maxsize=1024)
def _file_keys(raw: bytes) -> tuple[str, ...]:
    """The strings under ``file`` keys of a scenario's bytes (parsed once per content: a build
    asks for every output of every scenario, and ``convanim watch`` builds again and again)."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "file" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return tuple(dict.fromkeys(found))


def inputs(source: Path, out_dir: Path, options: Mapping[str, Any]) -> dict[str, Any]:
    """What an output made from ``source`` with ``options`` depends on, as JSON-ready data."""
    rel = Path(os.path.relpath(source.resolve(), out_dir.resolve())).as_posix()
    return {
        "scenario": rel,
        "scenario_sha256": file_sha256(source),
        "files": {
            Path(os.path.relpath(p.resolve(), out_dir.resolve())).as_posix(): file_sha256(p)
            for p in referenced_files(source)
        },
        "convanim": convanim_version(),
        "options": {k: _jsonable(v) for k, v in sorted(options.items())},
    }


def task_options(task: Any) -> dict[str, Any]:
    """A build task's options: every field but where it reads and writes (so a field added to the
    task later is part of the manifest without a change here)."""
    return {
        f.name: getattr(task, f.name) for f in dataclasses.fields(task) if f.name not in ("source", "target")
    }


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


@dataclass
class Manifest:
    """The records of one output folder, by output file name (mutable while a build runs)."""

    out_dir: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        """The folder's manifest; an empty one when it is missing or unreadable (all rebuilds)."""
        try:
            data = json.loads((out_dir / NAME).read_text(encoding="utf-8"))
            records = data["outputs"] if data.get("manifest") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            records = {}
        return cls(out_dir, records if isinstance(records, dict) else {})

    def up_to_date(self, target: Path, wanted: Mapping[str, Any], companions: Iterable[Path] = ()) -> bool:
        """True when ``target`` (and its ``companions``, files written with it) was written from
        exactly ``wanted`` and is unchanged since."""
        record = self.records.get(target.name)
        if not isinstance(record, dict) or record.get("inputs") != wanted:
            return False
        return record.get("output_sha256") == file_sha256(target) and record.get("companions", {}) == _hashes(
            companions
        )

    def unchanged_players(self, target: Path, wanted: Mapping[str, Any]) -> list[bool] | None:
        """For the gallery page ``target``: which of the ``wanted`` players are made from the
        inputs recorded for the page on disk, when that page is the one written and lists the same
        scenarios in the same order (else None: the whole page is made again)."""
        record = self.records.get(target.name)
        if not isinstance(record, dict) or record.get("output_sha256") != file_sha256(target):
            return None
        old = record.get("inputs")
        if not isinstance(old, dict) or old.get("convanim") != wanted.get("convanim"):
            return None
        before, now = old.get("players"), list(wanted.get("players", []))
        if not isinstance(before, list) or [p.get("scenario") for p in before if isinstance(p, dict)] != [
            p.get("scenario") for p in now
        ]:
            return None
        return [b == n for b, n in zip(before, now, strict=True)]

    def record(self, target: Path, wanted: Mapping[str, Any], companions: Iterable[Path] = ()) -> None:
        """Note that ``target`` (with its ``companions``) was just written from ``wanted``."""
        self.records[target.name] = {
            "inputs": dict(wanted),
            "output_sha256": file_sha256(target),
            "companions": _hashes(companions),
        }
        self.changed = True

    def write(self) -> None:
        """Save (atomically, sorted keys: the same records give the same bytes) when changed."""
        if not self.changed:
            return
        data = {"manifest": VERSION, "outputs": self.records}
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_file(self.out_dir / NAME, lambda fh: fh.write(text.encode("utf-8")))
        self.changed = False


def _hashes(paths: Iterable[Path]) -> dict[str, str | None]:
    return {p.name: file_sha256(p) for p in paths}


def gallery_inputs(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The gallery page's inputs: those of every player on it, in page order."""
    return {"players": [dict(p) for p in parts], "convanim": convanim_version()}
