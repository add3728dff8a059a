"""The command line: regenerate illustrations from scenario files (``generate.py``, and the
``build``, ``check`` and ``list`` commands of ``convanim``, which add the incremental build)."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import export
from .errors import ConvanimError, ScenarioError, report
from .export import options as export_options
from .export.gallery import INDEX, Entry, cards, index_html, write_index
from .fields import close_match
from .frames import build
from .manifest import Manifest, gallery_inputs, inputs, referenced_files, task_options
from .scenario import RENDER_FIELDS, THEME_NAMES, Limits, Scenario, load, schema
from .words import count

EXIT_OK, EXIT_DIFFERS, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3


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


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2, as scenario errors are."""

    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def _parser(prog: str, command: str | None = None) -> argparse.ArgumentParser:
    """generate.py's flags; as ``convanim COMMAND`` (build, check, list) the actions that are
    commands of their own are hidden, and ``build`` adds ``--force``."""
    p = Parser(prog=prog, description="Turn scenario files into animated convolution illustrations.")
    hidden = command is not None
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="scenario names (in the animations folder), .toml paths or folders of them; default: all",
    )
    p.add_argument(
        "--format",
        default="all",
        metavar="FMT",
        help="comma-separated formats to write: gif, html, mp4, webm, png, svg, pdf, storyboard-svg, "
        "storyboard-pdf, storyboard-png, beamer, alt; 'all' (the default) is gif,html,png,alt, the "
        "gallery's, and combines: all,svg adds svg",
    )
    p.add_argument(
        "--frame", metavar="N|last", help="png, svg, pdf: the frame to draw (0 is the poster; default last)"
    )
    p.add_argument(
        "--frames",
        metavar="LIST",
        help="storyboards: frames to show, e.g. 0,1,2,30,last (default: poster, first steps, middle, final)",
    )
    p.add_argument("--scale", metavar="X", help="png, storyboards, videos: pixels per display pixel (e.g. 2)")
    p.add_argument("--aspect", metavar="W:H", help="mp4, webm: pad the picture to this shape, e.g. 16:9")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: output/)")
    p.add_argument("--animations", type=Path, metavar="DIR", help="scenario folder (default: animations/)")
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: all cores, %(default)s here)",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help=argparse.SUPPRESS if hidden else "list scenarios (name, title, operation, frames)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help=argparse.SUPPRESS
        if hidden
        else "write nothing; exit 1 naming every output file that a fresh run would change",
    )
    p.add_argument(
        "--theme", choices=THEME_NAMES, help="render.theme for every scenario (light, dark, contrast)"
    )
    p.add_argument(
        "--render-scale",
        type=float,
        metavar="K",
        help="render.scale for every scenario: text and strokes (1 to 4)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    p.add_argument(
        "--schema",
        action="store_true",
        help=argparse.SUPPRESS if hidden else "print the JSON Schema of scenario files",
    )
    if command == "build":
        p.add_argument("--force", action="store_true", help="rebuild every file, even those up to date")
    p.add_argument(
        "--max-frames",
        type=int,
        default=Limits.max_frames,
        metavar="N",
        help="refuse scenarios needing more frames (default %(default)s)",
    )
    p.add_argument(
        "--max-cells",
        type=int,
        default=Limits.max_cells,
        metavar="N",
        help="refuse scenarios drawing more cells (default %(default)s)",
    )
    p.add_argument(
        "--max-work",
        type=int,
        default=Limits.max_work,
        metavar="N",
        help="refuse scenarios painting or writing more cells over all steps (default %(default)s)",
    )
    return p


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
    parser = _parser(prog, command)
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
    options = _options(args, fmts, parser)
    render = _render_overrides(args, parser)
    animations = args.animations or root / "animations"
    out_dir = args.out or root / "output"
    if out_dir.exists() and not out_dir.is_dir():
        parser.error(f"argument --out: {out_dir} is a file, not a folder")
    sources, errors = find_sources(args.scenarios, animations)
    limits = Limits(args.max_frames, args.max_cells, args.max_work)
    scenarios: dict[Path, Scenario] = {}
    for src in sources:
        try:
            scenarios[src] = _load(src, limits, render)
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


def parse_formats(spec: str, parser: argparse.ArgumentParser) -> list[str]:
    """The formats of a comma-separated list; ``all`` stands for the default ones (gif, html,
    png, alt), so ``all,svg`` adds svg to them."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    available = f"available: {', '.join(export.formats())}, or all for {','.join(export.gallery_formats())}"
    if not names:
        parser.error(f"argument --format: no format given; {available}")
    wanted = []
    for name in names:
        if name == "all":
            wanted += export.gallery_formats()
        elif name in export.formats():
            wanted.append(name)
        else:
            guess = close_match(name, [*export.formats(), "all"])
            hint = f"did you mean {guess!r}? " if guess else ""
            parser.error(f"argument --format: unknown format {name!r}; {hint}{available}")
    return list(dict.fromkeys(wanted))


OPTION_FLAGS = {"frame": "--frame", "frames": "--frames", "scale": "--scale", "aspect": "--aspect"}


def _options(
    args: argparse.Namespace, fmts: list[str], parser: argparse.ArgumentParser
) -> dict[str, tuple[tuple[str, object], ...]]:
    """Each format's options from the flags given; a flag no asked-for format takes is an error,
    and so is a bad --scale or --aspect (a bad --frame depends on the scenario: it is checked there)."""
    given = {key: getattr(args, key) for key in OPTION_FLAGS if getattr(args, key) is not None}
    for key, value in given.items():
        takers = [f for f in export.formats() if key in export.get(f).options]
        if not set(takers) & set(fmts):
            parser.error(
                f"argument {OPTION_FLAGS[key]}: applies to {', '.join(takers)} only "
                f"(formats asked: {', '.join(fmts)})"
            )
        check = {"scale": export_options.scale, "aspect": export_options.aspect}.get(key)
        try:
            if check:
                check(value)
        except ConvanimError as err:
            parser.error(f"argument {OPTION_FLAGS[key]}: {str(err).split(': ', 1)[1]}")
    return {fmt: tuple((k, v) for k, v in given.items() if k in export.get(fmt).options) for fmt in fmts}


def _render_overrides(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[tuple[str, object], ...]:
    """--theme and --render-scale as render keys, checked like the scenario keys they override."""
    given = {"theme": args.theme, "scale": args.render_scale}
    given = {k: v for k, v in given.items() if v is not None}
    if "scale" in given:
        given["scale"] = int(given["scale"]) if float(given["scale"]).is_integer() else given["scale"]
        try:
            RENDER_FIELDS["scale"].check(given["scale"], "--render-scale")
        except ConvanimError as err:
            parser.error(f"argument {err}")
    return tuple(given.items())


def _load(source: Path, limits: Limits, render: tuple[tuple[str, object], ...]) -> Scenario:
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


def render_task(task: Task) -> Result:
    """Load, build and write one file (runs in a worker process)."""
    start = time.perf_counter()
    try:
        frames = build(_load(task.source, task.limits, task.render))
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
    frames = build(_load(task.source, task.limits, task.render))
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
