"""``convanim watch`` for real: a subprocess serving on 127.0.0.1, its page open in Chromium."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import numpy as np
import pytest
from PIL import Image

from convanim.command import main as convanim_main
from convanim.export import formats, gallery_formats
from convanim.watch import Status, inject

from .helpers import ROOT

GOOD = """title = "{title}"
[image]
pattern = "square"
size = 5
[kernel]
preset = "mean"
[timing]
step_ms = 100
"""
PHOTO = GOOD.format(title="Photo").replace('pattern = "square"\nsize = 5', 'file = "photos/p.png"')
BAD_LINE = "animations/a.toml:7: kernel.size: must be a positive integer (got 0)"


def _photo(path: Path, shade: int) -> None:
    path.parent.mkdir(exist_ok=True)
    pixels = (np.arange(36).reshape(6, 6) * 5 + shade).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(path)


def _default_sigint() -> None:
    """In the child: Ctrl-C's signal as in a terminal, even if this process was started ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Watcher:
    """The running ``convanim watch``, with what it printed so far."""

    proc: subprocess.Popen[str]
    out: queue.Queue[str] = field(default_factory=queue.Queue)
    err: list[str] = field(default_factory=list)

    def wait_err(self, line: str, timeout: float = 30) -> None:
        """Wait until stderr has printed ``line`` (read by another thread)."""
        deadline = time.monotonic() + timeout
        while line not in self.err:
            assert time.monotonic() < deadline, f"not printed: {line!r}; stderr: {self.err}"
            time.sleep(0.05)

    def line(self, starts: str, timeout: float = 60) -> str:
        """The next stdout line starting with ``starts`` (earlier lines are skipped)."""
        while True:
            line = self.out.get(timeout=timeout)
            if line.startswith(starts):
                return line


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[Watcher]:
    (tmp_path / "animations").mkdir()
    for name, title in (("a", "First"), ("b", "Second")):
        (tmp_path / "animations" / f"{name}.toml").write_text(GOOD.format(title=title))
    (tmp_path / "animations" / "c.toml").write_text(PHOTO)
    _photo(tmp_path / "animations" / "photos" / "p.png", 0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "convanim", "watch", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    w = Watcher(proc)
    readers = [
        threading.Thread(target=lambda: [w.out.put(x.rstrip("\n")) for x in proc.stdout], daemon=True),
        threading.Thread(target=lambda: [w.err.append(x.rstrip("\n")) for x in proc.stderr], daemon=True),
    ]
    for reader in readers:
        reader.start()
    yield w
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)
    for reader in readers:
        reader.join(timeout=10)
    proc.stdout.close()
    proc.stderr.close()


def _page(browser: Any) -> tuple[Any, Any, list[str]]:
    """A page that may reach 127.0.0.1 only (anything else is blocked and recorded)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return context, page, outside


def test_watch_rebuilds_reloads_the_page_shows_errors_and_stops_cleanly(watcher, tmp_path, browser):
    url = watcher.line("serving ").split(" at ")[1].split(" ")[0]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    context, page, outside = _page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    cards = page.locator(".card")  # the gallery's cards, each loading its player page in a frame
    assert cards.count() == 3
    card_a = page.frame_locator("#a iframe").locator(".convanim-player")
    card_a.wait_for()
    assert page.frame_locator("#a iframe").locator("#convanim-watch-errors").count() == 0
    assert "First" in page.inner_text("body") and "Second" in page.inner_text("body")
    assert page.locator("#convanim-watch-errors").count() == 0

    # an edit: rebuilt, and the open page reloads itself with the new title
    page.evaluate("window.notReloaded = true")
    (tmp_path / "animations" / "a.toml").write_text(GOOD.format(title="Edited"))
    assert watcher.line("output/a.html: ").startswith("output/a.html: 11 frames")
    page.wait_for_function("() => !window.notReloaded && document.body.innerText.includes('Edited')")
    assert "First" not in page.inner_text("body") and cards.count() == 3
    watcher.line("output/a.gif: ")  # written after the page reloaded: the player comes first
    gif = (tmp_path / "output" / "a.gif").read_bytes()
    page_html = (tmp_path / "output" / "a.html").read_bytes()
    assert b"Edited" in page_html

    # an invalid edit: the error on the page and in the terminal; the last good files stay
    page.evaluate("window.notReloaded = true")
    (tmp_path / "animations" / "a.toml").write_text(
        GOOD.format(title="Broken").replace('"mean"', '"mean"\nsize = 0')
    )
    page.wait_for_function("() => !window.notReloaded && document.getElementById('convanim-watch-errors')")
    assert page.inner_text("#convanim-watch-errors") == BAD_LINE
    assert "Edited" in page.inner_text("body") and cards.count() == 3  # the gallery as it was
    frame_a = page.frame_locator("#a iframe")
    frame_a.locator(".convanim-player").wait_for()  # the last good player, without a banner of its own
    assert frame_a.locator("#convanim-watch-errors").count() == 0
    watcher.wait_err(BAD_LINE)
    assert (tmp_path / "output" / "a.gif").read_bytes() == gif
    assert (tmp_path / "output" / "a.html").read_bytes() == page_html

    # a save that changes nothing (same bytes) rebuilds nothing and does not reload the page
    status = json.loads(page.evaluate(f"fetch('{url}__convanim/status').then(r => r.text())"))
    refused = watcher.err.count(BAD_LINE)
    (tmp_path / "animations" / "b.toml").write_text(GOOD.format(title="Second"))
    watcher.line("changed: animations/b.toml")
    deadline = time.monotonic() + 30
    while watcher.err.count(BAD_LINE) == refused:  # rebuilt, a.toml still refused (and no "up to date")
        assert time.monotonic() < deadline, watcher.err
        time.sleep(0.05)

    # fixed again: the banner goes away
    page.evaluate("window.notReloaded = true")
    (tmp_path / "animations" / "a.toml").write_text(GOOD.format(title="Fixed"))
    page.wait_for_function("() => !window.notReloaded && document.body.innerText.includes('Fixed')")
    assert page.locator("#convanim-watch-errors").count() == 0
    after = json.loads(page.evaluate(f"fetch('{url}__convanim/status').then(r => r.text())"))
    assert after == {"generation": status["generation"] + 1, "errors": [], "players": ["a"]}  # one reload
    link = page.locator("#a a", has_text="scenario").get_attribute("href")
    assert link == "../animations/a.toml"  # relative to output/: served from the watched scenarios
    with urllib.request.urlopen(urljoin(url, link), timeout=10) as answer:
        assert answer.read().decode() == GOOD.format(title="Fixed")
    for other in ("animations/nope.toml", "etc/passwd", "../pyproject.toml"):
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(url + other, timeout=10)
    page.goto(url + "a.html")  # a player page is served with the reload script too
    assert page.locator(".convanim-player").count() == 1 and "Fixed" in page.inner_text("body")
    assert outside == [] and errors == []
    context.close()

    watcher.proc.send_signal(signal.SIGINT)
    assert watcher.proc.wait(timeout=20) == 0
    assert watcher.line("stopped", timeout=5) == "stopped"
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in watcher.err)


def test_inject_widens_the_csp_for_the_status_only_and_escapes_errors():
    page = (
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "connect-src 'none'; img-src data:\"></head><body><p>x</p></body></html>"
    )
    out = inject(page, Status(7, ("a.toml: title: <b> not allowed",)))
    assert "content=\"default-src 'none'; img-src data:; connect-src 'self'\"" in out
    assert "const seen = 7;" in out and out.endswith("</script></body></html>")
    assert "a.toml: title: &lt;b&gt; not allowed</div>" in out


def test_watch_refuses_bad_flags_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert convanim_main(["watch"]) == 2
    assert capsys.readouterr().err == "convanim watch: no such scenario file or folder: animations\n"
    (tmp_path / "animations").mkdir()
    assert convanim_main(["watch", "animations", "typo", "typo.toml"]) == 2
    assert capsys.readouterr().err == "convanim watch: no such scenario file or folder: typo, typo.toml\n"
    for argv, message in (
        (["--port", "70000"], "argument --port: must be 0 to 65535 (got 70000)"),
        (
            ["--format", "bmp"],
            f"argument --format: unknown format 'bmp'; available: {', '.join(formats())}, or all for "
            f"{','.join(gallery_formats())}",
        ),
        (["--max-frames", "0"], "argument --max-frames: must be a positive integer (got 0)"),
    ):
        assert convanim_main(["watch", *argv]) == 2
        assert capsys.readouterr().err == f"convanim watch: {message} (see --help)\n"


def test_what_is_watched_scenarios_and_the_photographs_they_read(tmp_path, monkeypatch):
    from convanim.watch import _options, watched

    (tmp_path / "animations" / "photos").mkdir(parents=True)
    (tmp_path / "pictures").mkdir()
    (tmp_path / "animations" / "a.toml").write_text('[image]\nfile = "../pictures/p.png"\n')
    (tmp_path / "animations" / "b.toml").write_text(GOOD.format(title="B"))
    (tmp_path / "single.toml").write_text(GOOD.format(title="S"))
    monkeypatch.chdir(tmp_path)
    what = watched(_options([], "watch"))
    assert what.roots == [tmp_path / "animations", tmp_path / "pictures"]
    assert what.wants(str(tmp_path / "animations" / "new.toml"))  # a scenario added later
    assert what.wants(str(tmp_path / "pictures" / "p.png"))  # a photograph read, elsewhere
    assert not what.wants(str(tmp_path / "pictures" / "other.png"))
    assert not what.wants(str(tmp_path / "animations" / "photos" / "unused.png"))
    assert not what.wants(str(tmp_path / "output" / "a.gif"))
    one = watched(_options(["single.toml"], "watch"))
    assert one.roots == [tmp_path] and one.wants(str(tmp_path / "single.toml"))
    assert not one.wants(str(tmp_path / "other.toml"))


def test_watch_rebuilds_a_scenario_when_its_photograph_changes(watcher, tmp_path):
    watcher.line("serving ")
    before = (tmp_path / "output" / "c.gif").read_bytes()
    _photo(tmp_path / "animations" / "photos" / "p.png", 60)
    assert watcher.line("changed: ") == "changed: animations/photos/p.png"
    # what the open page shows first (the player, the gallery), then the other formats
    assert watcher.line("output/").startswith("output/c.html: 18 frames, ")
    assert watcher.line("output/").startswith("output/index.html: ")
    assert watcher.line("output/").startswith("output/c.gif: 18 frames, ")
    assert (tmp_path / "output" / "c.gif").read_bytes() != before
    (tmp_path / "animations" / "photos" / "unused.png").write_bytes(b"not read by any scenario")
    (tmp_path / "animations" / "b.toml").write_text(GOOD.format(title="B2"))
    assert watcher.line("changed: ") == "changed: animations/b.toml"  # the unused file: no event
    watcher.proc.send_signal(signal.SIGTERM)  # `kill`: as clean as Ctrl-C
    assert watcher.proc.wait(timeout=20) == 0
    assert watcher.line("stopped", timeout=5) == "stopped"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_watch_stops_cleanly_in_the_middle_of_a_rebuild(watcher, tmp_path, signum):
    """Ctrl-C or `kill` while a rebuild is writing: exit 0, "stopped", no traceback, no partial
    file, and the files written before stay whole."""
    watcher.line("serving ")
    before = {p.name: p.read_bytes() for p in (tmp_path / "output").iterdir() if not p.name.startswith(".")}
    big = GOOD.format(title="Bigger").replace("size = 5", "size = 30")  # 784 steps: seconds of work
    (tmp_path / "animations" / "a.toml").write_text(big)
    assert watcher.line("changed: ") == "changed: animations/a.toml"
    time.sleep(0.3)
    watcher.proc.send_signal(signum)
    assert watcher.proc.wait(timeout=20) == 0
    written = []  # the players come first (a rebuild writes them in a fraction of a second)
    while (line := watcher.out.get(timeout=5)) != "stopped":
        written.append(line)
    assert all(line.startswith(("output/a.html: ", "output/index.html: ")) for line in written), written
    assert not any(line.startswith("output/a.gif") for line in written)  # stopped mid-rebuild
    time.sleep(0.2)  # the readers have the last lines
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in watcher.err), watcher.err
    after = {p.name: p.read_bytes() for p in (tmp_path / "output").iterdir() if not p.name.startswith(".")}
    assert not [p.name for p in (tmp_path / "output").iterdir() if p.name.endswith(".part")]
    assert set(after) == set(before)  # whole files only: each the old one or the new one
    for name, data in after.items():
        if data != before[name]:
            # a's files, or the index whose card now carries a's new title
            assert name.startswith("a.") or name == "index.html"
            assert not name.endswith(".html") or b"Bigger" in data
