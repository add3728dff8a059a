"""``convanim watch``: rebuild on change and serve the gallery on 127.0.0.1, reloading the page.

A build is ``convanim build`` (incremental: only what changed is rebuilt) run in this process with
one job; its error lines are shown in the terminal and, on every page served, in a banner at
the top. While a scenario is invalid its earlier files stay, and so does the gallery page (see
``cli``: a build with a broken scenario does not rewrite it). What the open page shows comes
first: a rebuild writes the HTML players and the gallery page (which updates only the cards of
what changed), lets the page reload, then writes the other formats (GIF, still, …). Served HTML
gets a small script that asks ``/__convanim/status`` for the next rebuild (a request the server
answers as soon as one has happened, or after a while with nothing new) and reloads the page then
(the page's Content-Security-Policy is widened to ``connect-src 'self'`` for that, in what is
served only).
File events come from watchfiles (inotify and its equivalents, with polling as the fallback):
an editor's save, atomic rename or a copied photograph all arrive as one batch.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import cli
from .export.gallery import INDEX
from .manifest import referenced_files

HOST = "127.0.0.1"  # loopback only: the preview is for the author at this machine
DEFAULT_PORT = 8765
STATUS = "/__convanim/status"
WAIT_S = 20  #: how long the server holds a status request open when nothing has changed
FETCH_S = 2.0  #: how long the other formats wait for open pages to fetch the rebuilt players
SHOW_S = 0.3  #: and then for the pages to show them

RELOAD = """<script>(() => {
if (window.top !== window) return;  // a player page in a gallery card: the gallery reloads
const seen = %d;
const poll = () => fetch("%s?wait=" + seen, {cache: "no-store"}).then(r => r.json()).then(s => {
  if (s.generation === seen) return poll();
  try { sessionStorage.setItem("convanim-first", JSON.stringify(s.players)); } catch (e) {}
  location.reload();  // the gallery loads the players just rebuilt first
}).catch(() => setTimeout(poll, 1000));
poll();
})();</script>"""
BANNER = (
    '<div id="convanim-watch-errors" role="alert" style="position:sticky;top:0;'
    "z-index:2147483647;margin:0;padding:8px 12px;background:#b00020;color:#fff;"
    'font:14px/1.4 ui-monospace,monospace;white-space:pre-wrap">%s</div>'
)


@dataclass(frozen=True)
class Status:
    """What the open pages poll: a counter bumped by every rebuild, the current errors, and the
    players (output stems) that rebuild wrote."""

    generation: int = 0
    errors: tuple[str, ...] = ()
    players: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...]
    out: Path
    animations: Path
    build_argv: tuple[str, ...]  # the flags passed on to each build
    port: int
    quiet: bool
    page_argv: tuple[str, ...] = ()  #: the first build's flags: the HTML players only (or none)


class Live:
    """The status shared by the watcher (writes) and the server's threads (read)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._status = Status()
        self._waiting = 0  # pages waiting for the next rebuild
        self._served: set[str] = set()  # files served since the last rebuild

    @property
    def status(self) -> Status:
        with self._changed:
            return self._status

    def rebuilt(self, errors: Iterable[str], players: Iterable[str] = ()) -> int:
        """A rebuild: the open pages reload. Returns how many were waiting for it."""
        with self._changed:
            self._status = Status(self._status.generation + 1, tuple(errors), tuple(players))
            self._served.clear()
            self._changed.notify_all()
            return self._waiting

    def after(self, generation: int, timeout: float) -> Status:
        """The status once its generation is not ``generation`` any more, or after ``timeout``
        seconds (a page waiting for the next rebuild hears of it at once)."""
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self._status.generation != generation, timeout)
            finally:
                self._waiting -= 1
            return self._status

    def served(self, name: str) -> None:
        with self._changed:
            self._served.add(name)
            self._changed.notify_all()

    def fetched(self, names: Iterable[str], timeout: float) -> bool:
        """Wait until every file of ``names`` has been served since the last rebuild (a reloaded
        page has its players), or ``timeout`` seconds; True if they were."""
        wanted = set(names)
        with self._changed:
            return self._changed.wait_for(lambda: wanted <= self._served, timeout)


def _parser(prog: str) -> cli.Parser:
    p = cli.Parser(
        prog=prog,
        description="Rebuild scenarios when they or their photographs change, and serve the gallery "
        "on 127.0.0.1 with the page reloading itself after each rebuild. Ctrl-C stops.",
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="PATH",
        help="scenario files, names (in the animations folder) or folders; default: the animations folder",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: output/)")
    p.add_argument("--animations", type=Path, metavar="DIR", help="scenario folder (default: animations/)")
    p.add_argument(
        "--format", default="all", metavar="FMT", help="formats to write, as for build (%(default)s)"
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help="port on 127.0.0.1 (default %(default)s; 0 picks a free one)",
    )
    p.add_argument("--max-frames", type=int, metavar="N", help="as for build")
    p.add_argument("--max-cells", type=int, metavar="N", help="as for build")
    p.add_argument("--quiet", "-q", action="store_true", help="print errors and the address only")
    return p


def _options(argv: list[str], prog: str) -> Options:
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"argument --port: must be 0 to 65535 (got {args.port})")
    for flag, value in (("--max-frames", args.max_frames), ("--max-cells", args.max_cells)):
        if value is not None and value < 1:
            parser.error(f"argument {flag}: must be a positive integer (got {value})")
    fmts = cli.parse_formats(args.format, parser)
    out = args.out or Path("output")
    animations = args.animations or Path("animations")
    build = ["--jobs", "1", "--format", args.format, "--out", str(out), "--animations", str(animations)]
    for flag, value in (("--max-frames", args.max_frames), ("--max-cells", args.max_cells)):
        if value is not None:
            build += [flag, str(value)]
    page: list[str] = []
    if "html" in fmts and len(fmts) > 1:  # the players and the gallery first, what the page shows
        page = [*build[:2], "--format", "html", *build[4:]]
    return Options(tuple(args.scenarios), out, animations, tuple(build), args.port, args.quiet, tuple(page))


def build(opts: Options, argv: tuple[str, ...] | None = None) -> tuple[int, list[str], list[str]]:
    """One incremental build with ``argv`` (default: every format asked for): (exit status,
    summary lines, error lines)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            argv = opts.build_argv if argv is None else argv
            code = cli.main([*opts.paths, *argv], prog="convanim watch", command="build")
        except SystemExit as stop:  # a flag error (--format, limits): reported like a scenario error
            code = stop.code if isinstance(stop.code, int) else cli.EXIT_BAD_INPUT
    return code, out.getvalue().splitlines(), _lines(err.getvalue())


def _lines(text: str) -> list[str]:
    """The lines of ``text`` without a progress bar's carriage-return updates."""
    lines = (line.rsplit("\r", 1)[-1].strip() for line in text.split("\n"))
    return [line for line in lines if line]


@dataclass(frozen=True)
class Watched:
    """What to watch: folders whose scenario files count, single files, files they read."""

    folders: frozenset[Path]
    files: frozenset[Path]
    inputs: frozenset[Path]

    @property
    def roots(self) -> list[Path]:
        dirs = set(self.folders) | {p.parent for p in self.files | self.inputs}
        return sorted(d for d in dirs if d.is_dir())

    def scenarios(self) -> set[Path]:
        """Every scenario file watched (resolved paths)."""
        return set(self.files) | {p.resolve() for d in self.folders for p in d.glob("*.toml")}

    def wants(self, path: str) -> bool:
        p = Path(path).resolve()
        return p in self.files or p in self.inputs or (p.suffix == ".toml" and p.parent in self.folders)


def watched(opts: Options) -> Watched:
    """The folders and files of ``opts.paths`` (as build reads them), and the photographs read."""
    names = list(opts.paths) or [str(opts.animations)]
    folders = {Path(n).resolve() for n in names if Path(n).is_dir()}
    files = set()
    for name in names:
        path = Path(name)
        if not path.is_dir():
            if path.suffix != ".toml" and not path.exists():
                path = opts.animations / f"{name}.toml"
            files.add(path.resolve())
    scenarios = set(files) | {p.resolve() for d in folders for p in d.glob("*.toml")}
    inputs = {p.resolve() for s in scenarios for p in referenced_files(s)}
    return Watched(frozenset(folders), frozenset(files), frozenset(inputs))


class Handler(SimpleHTTPRequestHandler):
    """Files of the output folder; HTML with the reload script and the error banner added."""

    live: Live
    scenarios: Callable[[], set[Path]]

    def __init__(self, *args, live: Live, scenarios: Callable[[], set[Path]], **kwargs) -> None:
        self.live, self.scenarios = live, scenarios
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path == STATUS:
            wait = parse_qs(url.query).get("wait", [""])[0]
            status = self.live.after(int(wait), WAIT_S) if wait.lstrip("-").isdigit() else self.live.status
            self._send(
                json.dumps(
                    {
                        "generation": status.generation,
                        "errors": list(status.errors),
                        "players": list(status.players),
                    }
                ).encode(),
                "application/json",
            )
            return
        source = self._scenario(path)
        if source is not None:
            self._send(source.read_bytes(), "text/plain; charset=utf-8")
            return
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
            if not target.is_file():
                self._send(self._page(_listing(Path(self.directory))), "text/html; charset=utf-8")
                return
        if target.suffix == ".html" and target.is_file():
            self._send(self._page(target.read_text(encoding="utf-8")), "text/html; charset=utf-8")
            self.live.served(target.name)
            return
        super().do_GET()

    def _scenario(self, path: str) -> Path | None:
        """The watched scenario file that a card's link (relative to the output folder, its
        ``..`` folded by the browser) names, looked up from each folder above the output."""
        if not path.endswith(".toml") or (Path(self.directory) / path.lstrip("/")).exists():
            return None
        watched_files = self.scenarios()
        for base in Path(self.directory).resolve().parents:
            candidate = (base / path.lstrip("/")).resolve()
            if candidate in watched_files:
                return candidate
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must show the new files
        super().end_headers()

    def _page(self, text: str) -> bytes:
        if self.headers.get("Sec-Fetch-Dest") == "iframe":  # a gallery card's player: as it is
            return text.encode("utf-8")
        return inject(text, self.live.status).encode("utf-8")

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the terminal is for the build
        pass


def inject(page: str, status: Status) -> str:
    """``page`` with the reload script, the error banner (when there are errors), and a CSP
    that lets the script ask this server for the status."""
    page = _allow_connect(page)
    script = RELOAD % (status.generation, STATUS)
    at = page.lower().rfind("</body>")
    page = page[:at] + script + page[at:] if at >= 0 else page + script
    if status.errors:  # at the top of the page, above everything, staying there when scrolling
        banner = BANNER % html.escape("\n".join(status.errors))
        body = re.search(r"<body[^>]*>", page, flags=re.I)
        at = body.end() if body else 0
        page = page[:at] + banner + page[at:]
    return page


def _allow_connect(page: str) -> str:
    def widen(match: re.Match[str]) -> str:
        rules = [r.strip() for r in match.group(2).split(";") if r.strip()]
        rules = [r for r in rules if not r.startswith("connect-src")] + ["connect-src 'self'"]
        return f"{match.group(1)}{'; '.join(rules)}{match.group(3)}"

    return re.sub(
        r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', widen, page, flags=re.I
    )


def _listing(out: Path) -> str:
    """The page at / when the build writes no gallery (scenario files given one by one)."""
    items = "".join(
        f'<li><a href="{quote(p.name)}">{html.escape(p.name)}</a></li>'
        for p in sorted(out.glob("*"))
        if p.is_file() and not p.name.startswith(".")
    )
    head = '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>convanim watch</title>'
    return f"{head}<body><ul>{items}</ul></body></html>"


def serve(out: Path, port: int, live: Live, scenarios: Callable[[], set[Path]]) -> ThreadingHTTPServer:
    """Start the server on 127.0.0.1 in a daemon thread; returns it (``shutdown()`` stops it)."""
    server = ThreadingHTTPServer(
        (HOST, port), partial(Handler, directory=str(out), live=live, scenarios=scenarios)
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="convanim-serve", daemon=True).start()
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _exists(name: str, animations: Path) -> bool:
    """``name`` is a folder, a file, or a scenario name in ``animations`` (as build reads it)."""
    return Path(name).exists() or (Path(name).suffix != ".toml" and (animations / f"{name}.toml").is_file())


def main(argv: list[str], *, prog: str = "convanim watch") -> int:
    """Build, serve, then rebuild on every change until Ctrl-C (exit 0)."""
    opts = _options(argv, prog)
    missing = [n for n in opts.paths or [str(opts.animations)] if not _exists(n, opts.animations)]
    if missing:  # a typo would otherwise watch forever for a file that never comes
        print(f"{prog}: no such scenario file or folder: {', '.join(missing)}", file=sys.stderr)
        return cli.EXIT_BAD_INPUT
    live = Live()
    server = None
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        _pass(opts, live, changed=())
        opts.out.mkdir(parents=True, exist_ok=True)
        try:
            server = serve(opts.out, opts.port, live, lambda: watched(opts).scenarios())
        except OSError as err:
            print(
                f"{prog}: cannot listen on {HOST}:{opts.port}: {err.strerror or err} "
                "(choose another with --port N; 0 picks a free one)",
                file=sys.stderr,
            )
            return cli.EXIT_BAD_INPUT
        url = f"http://{HOST}:{server.server_address[1]}/"
        _loop(opts, live, ready=f"serving {cli.relative(opts.out)}/ at {url} (Ctrl-C stops)")
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    return cli.EXIT_OK


def _loop(opts: Options, live: Live, *, ready: str) -> None:
    """Rebuild on each batch of changes; print ``ready`` once file events are being received."""
    from watchfiles import watch

    while True:  # restarted when what to watch changes (a scenario now reads another photo, say)
        what = watched(opts)
        batches = watch(
            *what.roots,
            watch_filter=lambda _c, p, w=what: w.wants(p),
            recursive=False,  # the roots are exactly the folders that matter (not a whole .venv)
            debounce=400,
            rust_timeout=500,
            yield_on_timeout=True,  # an empty batch: the watcher is running
        )
        starting = True
        for changes in batches:
            if starting:  # catch up with what changed while the watcher was starting
                _pass(opts, live, changed=(), only_news=True)
                starting = False
            if ready:
                print(ready, flush=True)
                ready = ""
            if not changes:
                continue
            _pass(opts, live, changed=sorted({p for _, p in changes}))
            if watched(opts) != what:
                break


def _pass(opts: Options, live: Live, *, changed: Iterable[str], only_news: bool = False) -> None:
    """One rebuild: its lines to the terminal; when it wrote a file or the errors changed, the
    open pages reload, once: after the players and the gallery page (``opts.page_argv``), before
    the other formats are written. ``only_news``: print nothing unless one of those happened."""
    for path in changed:
        if not opts.quiet:
            print(f"changed: {cli.relative(Path(path))}", flush=True)
    phases = [opts.page_argv, opts.build_argv] if opts.page_argv else [opts.build_argv]
    reloaded = shown = False
    for n, argv in enumerate(phases, 1):
        before = _snapshot(opts.out)
        _, lines, errors = build(opts, argv)
        written = _snapshot(opts.out) - before
        news = bool(written) or tuple(errors) != live.status.errors
        if only_news and not news and not shown:
            continue
        shown = True
        last = n == len(phases)
        if not opts.quiet:
            for line in lines:
                if last or " up to date, skipped" not in line:  # the last build lists them all
                    print(line, flush=True)
        for line in errors if last else ():
            print(line, file=sys.stderr, flush=True)
        if (news and not reloaded) or tuple(errors) != live.status.errors or live.status.generation == 0:
            players = sorted({n[:-5] for n, *_ in written if n.endswith(".html") and n != INDEX})
            open_pages = live.rebuilt(errors, players)
            # Pages were open: the other formats wait until the reloaded pages have fetched the
            # new players (and a moment to show them), which is what the author looks at.
            if open_pages and players and not last and live.fetched((f"{p}.html" for p in players), FETCH_S):
                time.sleep(SHOW_S)
            reloaded = True


def _snapshot(out: Path) -> frozenset[tuple[str, int, int]]:
    """Name, modification time and size of each file in ``out``: what a rebuild changes."""
    found = set()
    for path in out.glob("*"):
        try:
            st = path.stat()
        except OSError:  # gone meanwhile
            continue
        found.add((path.name, st.st_mtime_ns, st.st_size))
    return frozenset(found)
