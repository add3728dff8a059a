"""The command line: regenerate illustrations from scenario files (``generate.py``, and the
``build``, ``check`` and ``list`` commands of ``convanim``, which add the incremental build).

The flags are :mod:`.cli_args`'s, finding and loading the scenarios :mod:`.cli_sources`'s; this
module runs a command: it renders, checks or lists, and writes the gallery page."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import export
from .cli_args import (
    EXIT_BAD_INPUT,
    EXIT_BUG,
    EXIT_DIFFERS,
    EXIT_OK,
    OPTION_FLAGS,
    Parser,
    format_options,
    make_parser,
    parse_formats,
    render_overrides,
)
from .cli_sources import error_line, find_sources, load_scenario, relative
from .errors import ConvanimError
from .export.gallery import INDEX, Entry, cards, index_html, write_index
from .frames import build
from .manifest import Manifest, gallery_inputs, inputs, task_options
from .scenario import Limits, Scenario, schema
from .words import count


@dataclass(frozen=True)
class Task:
    """One file to write: which scenario, which format, where."""

    source: Path
    fmt: str
    target: Path
    limits: Limits
    options: tuple[tuple[str, object], ...] = ()  # the format's options (--frame, --scale, …)
    render: tuple[tuple[str, object], ...] = ()  #: --theme, --render-scale: render keys for every scenario


@dataclass(frozen=True)
class Result:
    task: Task
    frames: int = 0
    size: int = 0
    seconds: float = 0.0
    error: str | None = None
    internal: bool = False


def main(
    argv: list[str] | None = None,
    *,
    root: Path | None = None,
    prog: str = "generate.py",
    command: str | None = None,
) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 --check found differences, 2 bad input,
    3 an internal error, which is a bug). ``command="build"`` builds incrementally (see
    ``manifest``); generate.py rewrites every file."""
    root = Path.cwd() if root is None else root
    parser = make_parser(prog, command)
    args = parser.parse_args(argv)
    if args.schema:
        print(json.dumps(schema(), indent=2, ensure_ascii=False))
        return EXIT_OK
    for flag, value in (
        ("--jobs", args.jobs),
        ("--max-frames", args.max_frames),
        ("--max-cells", args.max_cells),
        ("--max-work", args.max_work),
    ):
        if value < 1:
            parser.error(f"argument {flag}: must be a positive integer (got {value})")
    fmts = parse_formats(args.format, parser)
    options = format_options(args, fmts, parser)
    render = render_overrides(args, parser)
    animations = args.animations or root / "animations"
    out_dir = args.out or root / "output"
    if out_dir.exists() and not out_dir.is_dir():
        parser.error(f"argument --out: {out_dir} is a file, not a folder")
    sources, errors = find_sources(args.scenarios, animations)
    limits = Limits(args.max_frames, args.max_cells, args.max_work)
    scenarios: dict[Path, Scenario] = {}
    for src in sources:
        try:
            scenarios[src] = load_scenario(src, limits, render)
        except ConvanimError as err:
            errors.append(error_line(src, err))
    if args.list:
        _print_list(scenarios)
        return _finish(errors, EXIT_OK)
    tasks = [
        Task(src, fmt, out_dir / export.get(fmt).target(s.name), limits, options.get(fmt, ()), render)
        for src, s in scenarios.items()
        for fmt in fmts
    ]
    whole = not args.scenarios or all(Path(n).is_dir() for n in args.scenarios)  # whole folders
    gallery = "html" in fmts and whole and bool(scenarios)  # output/index.html
    if args.check:
        index = (lambda: index_html(_entries(scenarios), out_dir).encode("utf-8")) if gallery else None
        status, failures, internal = _check(
            tasks, out_dir, whole=whole, quiet=args.quiet, index=index, refused=bool(errors)
        )
        status = _finish(errors + failures, status)
        return EXIT_BUG if internal else status
    book = Manifest.read(out_dir) if command == "build" else None
    wanted = {t.target: inputs(t.source, out_dir, task_options(t)) for t in tasks} if book else {}
    fresh: list[Task] = []
    if book and not args.force:
        fresh = [t for t in tasks if book.up_to_date(t.target, wanted[t.target], _companions(t))]
        tasks = [t for t in tasks if t not in fresh]
    results = _run(tasks, args.jobs, args.quiet)
    if book and fresh and not errors and not any(r.error for r in results) and not args.quiet:
        print(f"{len(fresh)} up to date, skipped (--force rebuilds them): {_names(fresh)}")
    for result in results:
        if result.error:
            errors.append(result.error)
        elif not args.quiet:
            print(
                f"{relative(result.task.target)}: {result.frames} frames, {result.size:,} bytes, "
                f"{result.seconds:.1f} s"
            )
    failed = {r.task.source for r in results if r.error}
    if book:
        for result in results:
            if not result.error:
                book.record(result.task.target, wanted[result.task.target], _companions(result.task))
    if gallery and book and errors and (out_dir / INDEX).is_file():  # as it was: the last good players
        if not args.quiet:
            print(f"{relative(out_dir / INDEX)}: kept as it was while a scenario has errors")
    elif gallery:  # the players of the scenarios that rendered
        good = {src: s for src, s in scenarios.items() if src not in failed}
        _gallery(out_dir, good, book, force=getattr(args, "force", False), quiet=args.quiet)
    if book:
        book.write()
    status = _finish(errors, EXIT_OK)
    return EXIT_BUG if any(r.internal for r in results) else status


def render_task(task: Task) -> Result:
    """Load, build and write one file (runs in a worker process)."""
    start = time.perf_counter()
    try:
        frames = build(load_scenario(task.source, task.limits, task.render))
        size = export.write_atomic(task.target, frames, export.get(task.fmt), **dict(task.options))
    except ConvanimError as err:
        return Result(task, error=error_line(task.source, err))
    except OSError as err:
        return Result(task, error=f"{relative(task.target)}: cannot write: {err.strerror or err}")
    except Exception as err:  # a bug: report it on one line and let the other files be written
        line = f"{relative(task.source)}: internal error, please report it: {type(err).__name__}: {err}"
        return Result(task, error=line, internal=True)
    return Result(task, len(frames), size, time.perf_counter() - start)


def render_bytes(task: Task) -> bytes:
    """What a fresh run would write for ``task``, in memory."""
    frames = build(load_scenario(task.source, task.limits, task.render))
    buf = io.BytesIO()
    exporter = export.get(task.fmt)
    stem = task.target.name[: len(task.target.name) - len(exporter.suffix)]
    export.write_to(exporter, frames, buf, stem=stem, **dict(task.options))
    return buf.getvalue()


def _run(tasks: list[Task], jobs: int, quiet: bool) -> list[Result]:
    quiet = quiet or not sys.stderr.isatty()  # a bar is for a person at a terminal, not for a log
    if quiet or not tasks:  # tqdm and its multiprocessing lock cost a quick build ~30 ms
        bar = _NoBar()
    else:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), unit="file", delay=1.0, file=sys.stderr, leave=False)
    results = []
    try:
        if jobs == 1 or len(tasks) <= 1:
            for task in tasks:
                results.append(render_task(task))
                bar.update()
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
                for result in pool.map(render_task, tasks):
                    results.append(result)
                    bar.update()
    finally:
        bar.close()
    return results


class _NoBar:
    """The progress bar where none is shown."""

    def update(self) -> None:
        pass

    def close(self) -> None:
        pass


def _gallery(
    out_dir: Path, scenarios: dict[Path, Scenario], book: Manifest | None, *, force: bool, quiet: bool
) -> None:
    """Write output/index.html, unless the manifest ``book`` says it is up to date."""
    wanted = gallery_inputs(inputs(src, out_dir, {}) for src in scenarios) if book else {}
    if book and not force and book.up_to_date(out_dir / INDEX, wanted):
        if not quiet:
            print(f"{relative(out_dir / INDEX)}: up to date")
        return
    kept = book.unchanged_players(out_dir / INDEX, wanted) if book and not force else None
    old = cards((out_dir / INDEX).read_text(encoding="utf-8")) if kept else []
    if len(old) == len(scenarios):  # only the changed players' cards are made again
        entries: list[Entry | str] = [
            card if same else Entry(s.name, s.frames(), src)
            for card, same, (src, s) in zip(old, kept or [], scenarios.items(), strict=True)
        ]
    else:
        entries = list(_entries(scenarios))
    size = write_index(out_dir, entries)
    if book:
        book.record(out_dir / INDEX, wanted)
    if not quiet:
        print(f"{relative(out_dir / INDEX)}: {count(len(scenarios), 'player')}, {size:,} bytes")


def _companions(task: Task) -> list[Path]:
    """The files written beside ``task.target`` (beamer's frames PDF)."""
    exporter = export.get(task.fmt)
    stem = task.target.name[: len(task.target.name) - len(exporter.suffix)]
    return [task.target.with_name(stem + c.suffix) for c in exporter.companions]


def _names(tasks: list[Task]) -> str:
    """``a.gif, a.html, b.gif`` or, for many files, the first ones and how many more."""
    names = [t.target.name for t in tasks]
    return ", ".join(names) if len(names) <= 6 else f"{', '.join(names[:4])} and {len(names) - 4} more"


def _entries(scenarios: dict[Path, Scenario]) -> list[Entry]:
    return [Entry(s.name, s.frames(), src) for src, s in scenarios.items()]


def _check(
    tasks: list[Task],
    out_dir: Path,
    *,
    whole: bool,
    quiet: bool,
    index: Callable[[], bytes] | None = None,
    refused: bool = False,
) -> tuple[int, list[str], bool]:
    """Compare each task's file, and the gallery page (``index`` makes its fresh bytes), with a
    fresh run. A scenario that fails while rendering is reported on one line, as a build reports
    it, and the other files are still checked. Returns the status of the comparison, the failure
    lines and whether one of them is an internal error. ``refused``: a scenario was refused
    already, so no "up to date" summary."""
    stale, failures, internal, failed = [], [], False, set()
    for task in tasks:
        if task.source in failed:
            continue
        result = _fresh(task)
        if isinstance(result, Result):
            failures.append(result.error or "")
            internal |= result.internal
            failed.add(task.source)
        else:
            stale += _compare(task.target, result)
    checked = [t.target for t in tasks if t.source not in failed]
    if index is not None and not failed:  # the page needs every scenario's frames
        stale += _compare(out_dir / INDEX, index())
        checked.append(out_dir / INDEX)
    if whole and out_dir.is_dir():
        expected = {t.target.name for t in tasks} | ({INDEX} if index is not None else set())
        formats = {t.fmt for t in tasks}  # only files of the formats checked (x.png is not x.storyboard.png)
        for path in sorted(out_dir.iterdir()):
            if _format_of(path) in formats and path.name not in expected and not path.name.startswith("."):
                stale.append(f"{relative(path)}: no scenario writes this file")
    for line in stale:
        print(line)
    if not stale and not failures and not refused and not quiet:
        print(f"{count(len(checked), 'file')} up to date")
    return (EXIT_DIFFERS if stale else EXIT_OK), failures, internal


def _fresh(task: Task) -> bytes | Result:
    """What a fresh run writes for ``task``, or a failed Result with its one-line message."""
    try:
        return render_bytes(task)
    except ConvanimError as err:
        return Result(task, error=error_line(task.source, err))
    except Exception as err:  # a bug: one line, and the other files are still checked
        line = f"{relative(task.source)}: internal error, please report it: {type(err).__name__}: {err}"
        return Result(task, error=line, internal=True)


def _compare(target: Path, fresh: bytes) -> list[str]:
    if not target.is_file():
        return [f"{relative(target)}: missing"]
    if target.read_bytes() != fresh:
        return [f"{relative(target)}: differs from a fresh run"]
    return []


def _format_of(path: Path) -> str | None:
    """The format whose suffix ends ``path``'s name, or None."""
    try:
        return export.for_path(path).name
    except ConvanimError:
        return None


def _print_list(scenarios: dict[Path, Scenario]) -> None:
    rows = [(s.name, s.title, s.operations, str(s.n_frames)) for s in scenarios.values()]
    head = ("name", "title", "operation", "frames")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    for row in [head, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _finish(errors: list[str], status: int) -> int:
    for line in errors:
        print(line, file=sys.stderr)
    return EXIT_BAD_INPUT if errors else status


__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUG",
    "EXIT_DIFFERS",
    "EXIT_OK",
    "OPTION_FLAGS",
    "Parser",
    "Result",
    "Task",
    "error_line",
    "find_sources",
    "main",
    "parse_formats",
    "relative",
    "render_bytes",
    "render_task",
]
