#!/usr/bin/env python3
"""What a course author waits for, measured as they meet it (issue 19): three figures.

- **gif**: ``python generate.py mean12.toml --format gif`` (the 100-step 12×12 mean filter of
  ``bench.py``), a whole process from a fresh interpreter, against the naive matplotlib script on
  the same frames (``FuncAnimation`` + ``PillowWriter``, ``bench.run_naive``), also a whole process;
  the two run alternately, and the ratio is the median of the per-pair ratios.
- **page**: the bytes of the 100-step player page (``Scenario.to_bytes("html")``, the 12×12 case
  of ``html_size.py``) against matplotlib's ``to_jshtml()`` of the same animation.
- **watch**: ``convanim watch`` on a copy of the gallery (every scenario in ``animations/``), its
  page open in Chromium (Playwright); the time from writing an edited single-stage scenario file
  (a new title) to the open page, reloaded by the watcher, showing that scenario's new player.

Python processes run without ``PYTHONDONTWRITEBYTECODE``, after a warm-up run, as an installed
package runs (its bytecode compiled once). Run from the repository root:
``python bench/waits.py [--only gif,page,watch] [--runs N] [--tree DIR]`` (``--tree``: time
another checkout of the code, e.g. an older commit, the same way).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CHROMIUM = os.environ.get("CONVANIM_CHROMIUM", "/usr/bin/chromium")
WATCHED = "convol_mean"  #: the single-stage scenario edited in the watch run

MEAN12 = """title = "Mean filter: a 3×3 average smooths sharp edges"

[image]
pattern = "square"
size = 12
low = 0
high = 9

[kernel]
preset = "mean"
size = 3
"""


def machine() -> str:
    """Date (UTC), cores, CPU model and load: what the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}; {os.cpu_count()} cores ({model}); load average {load}"


def environ(tree: Path) -> dict[str, str]:
    """The environment of a measured process: ``tree`` importable, bytecode written and used."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return env


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one whole process, in seconds (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


# --------------------------------------------------------------------------- gif


NAIVE = """import sys
sys.path.insert(0, {bench!r})
import bench
n, width, height, frames = (int(v) for v in (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[6]))
bench.run_naive(n, width, height, float(sys.argv[4]), list(range(frames)), sys.argv[5])
"""


def gif(tree: Path, runs: int, log: Callable[[str], None]) -> list[str]:
    """The whole-process GIF ratio: ours and the naive script, alternately, ``runs`` times each."""
    sys.path.insert(0, str(tree))
    import convanim

    frames = convanim.Scenario(**bench_keys(12)).frames()
    py, env = sys.executable, environ(tree)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "mean12.toml").write_text(MEAN12, encoding="utf-8")
        (work / "naive.py").write_text(NAIVE.format(bench=str(BENCH)), encoding="utf-8")
        ours = [
            py,
            str(tree / "generate.py"),
            str(work / "mean12.toml"),
            "--format",
            "gif",
            "--out",
            tmp,
            "-q",
        ]
        fps = 1000 / frames.frames[1].duration_ms
        naive = [py, str(work / "naive.py"), "12", str(frames.width), str(frames.height), str(fps)]
        naive += [str(work / "naive.gif"), str(len(frames))]
        timed(ours, work, env)  # warm-up: bytecode written, files in the page cache
        pairs = []
        for r in range(runs):
            a = timed(ours, work, env)
            b = timed(naive, work, env)
            pairs.append((a, b))
            log(f"gif run {r + 1}/{runs}: ours {a:.2f} s, naive {b:.1f} s, {b / a:.1f}×")
        size = (work / "mean12.gif").stat().st_size
    ours_s = statistics.median(a for a, _ in pairs)
    naive_s = statistics.median(b for _, b in pairs)
    ratio = statistics.median(b / a for a, b in pairs)
    return [
        f"GIF, 100-step 12×12 mean filter ({len(frames)} frames, {frames.width}×{frames.height} px, "
        f"{size:,} B), whole processes, median of {runs} alternating runs:",
        f"  generate.py {ours_s:.2f} s, naive matplotlib script {naive_s:.1f} s: {ratio:.1f}× faster",
    ]


def bench_keys(n: int) -> dict:
    sys.path.insert(0, str(BENCH))
    import bench

    return bench.scenario_keys(n)


# --------------------------------------------------------------------------- page


def page(tree: Path) -> list[str]:
    """Bytes of the 100-step player page against to_jshtml (html_size.py's 12×12 case)."""
    sys.path.insert(0, str(tree))
    sys.path.insert(0, str(BENCH))
    import html_size

    s = html_size.scenario(12)
    frames = s.frames()
    ours = len(s.to_bytes("html"))
    theirs, _ = html_size.jshtml_bytes(s, frames.width, frames.height, sample=24)
    return [
        f"player page, 100-step 12×12 mean filter ({s.n_frames} frames): {ours:,} B; "
        f"matplotlib to_jshtml {theirs:,} B: {theirs / ours:.1f}× smaller"
    ]


# --------------------------------------------------------------------------- watch

READY = """() => {{
  const card = document.getElementById({name!r});
  const frame = card && card.querySelector("iframe");
  const doc = frame && frame.contentDocument;
  const player = doc && doc.querySelector(".convanim-player svg");
  return !window.notReloaded && player !== null && doc.body.innerText.includes({title!r});
}}"""


def watch(tree: Path, runs: int, log: Callable[[str], None]) -> list[str]:
    """Latency of ``convanim watch``: file written → the open page shows the new player."""
    from playwright.sync_api import sync_playwright

    gallery = BENCH / "results" / "watch-gallery"  # kept between runs: its first build is long
    if gallery.exists() and (gallery / "animations").exists():
        shutil.rmtree(gallery / "animations")
    gallery.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "animations", gallery / "animations")
    source = gallery / "animations" / f"{WATCHED}.toml"
    original = source.read_text(encoding="utf-8")
    title_line = next(line for line in original.splitlines() if line.startswith("title = "))
    log("watch: first build of the gallery copy (long the first time, then incremental) …")
    proc = subprocess.Popen(
        [sys.executable, "-m", "convanim", "watch", "--port", "0", *os.environ.get("WATCH_ARGS", "").split()],
        cwd=gallery,
        env=environ(tree),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put((time.perf_counter(), x)) for x in proc.stdout], daemon=True
    ).start()
    latencies, written, reloads = [], [], []
    try:
        url = ""
        while not url:
            _, line = lines.get(timeout=900)
            if line.startswith("serving "):
                url = line.split(" at ")[1].split(" ")[0]
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto(url)
            page.locator(f"#{WATCHED}").scroll_into_view_if_needed()
            page.wait_for_function(READY.format(name=WATCHED, title=title_line.split('"')[1]), timeout=60000)
            for r in range(runs):
                title = f"Mean filter, edit {r + 1} of {runs} at {time.time():.0f}"
                page.evaluate("window.notReloaded = true")
                time.sleep(3.0)  # the page settled, as between an author's saves
                while not lines.empty():  # what it printed so far
                    lines.get()
                start, epoch = time.perf_counter(), time.time()
                source.write_text(original.replace(title_line, f'title = "{title}"'), encoding="utf-8")
                page.wait_for_function(READY.format(name=WATCHED, title=title), timeout=60000, polling=10)
                latencies.append(time.perf_counter() - start)
                reloads.append(page.evaluate("performance.timeOrigin") / 1000 - epoch)
                while True:  # when the watcher had written the gallery page (its log line)
                    at, line = lines.get(timeout=60)
                    if line.startswith("output/index.html"):
                        written.append(at - start)
                        break
                while True:  # then the other formats: the watcher idle again
                    _, line = lines.get(timeout=120)
                    if line.startswith(f"output/{WATCHED}.png"):
                        break
                log(
                    f"watch run {r + 1}/{runs}: {latencies[-1]:.2f} s (gallery page written at "
                    f"{written[-1]:.2f} s, the page reloading at {reloads[-1]:.2f} s)"
                )
            browser.close()
    finally:
        source.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(timeout=30)
    return [
        f"convanim watch, {len(list((gallery / 'animations').glob('*.toml')))} scenarios: writing "
        f"{WATCHED}.toml → the open page shows its new player: median {statistics.median(latencies):.2f} s "
        f"of {runs} edits (min {min(latencies):.2f}, max {max(latencies):.2f}); the player and the "
        f"gallery page were written after {statistics.median(written):.2f} s"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="gif,page,watch", help="which figures (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each timed figure (default %(default)s)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout to time (default: this one)")
    args = parser.parse_args()
    tree = args.tree.resolve()
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    report = [f"convanim at {tree}; {machine()}"]
    if "gif" in wanted:
        report += gif(tree, args.runs, log)
    if "page" in wanted:
        report += page(tree)
    if "watch" in wanted:
        report += watch(tree, args.runs, log)
    print("\n".join(report))


if __name__ == "__main__":
    main()
