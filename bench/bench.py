#!/usr/bin/env python3
"""Benchmark: convanim's streamed GIF exporter against the naive matplotlib animation.

A mean-filter scenario (a square with sharp edges, 3×3 mean kernel, stride 1) is rendered at a few
sizes, once by convanim (``Scenario.frames()`` then the "gif" exporter) and once the way a course
author would write it (``FuncAnimation`` redrawing the panels every frame, saved with
``PillowWriter``). Each side runs in its own spawned process so peak memory (``ru_maxrss``) is its
own. The naive side is slow (1.5–2 s a frame at 34×34), so above ``--sample`` frames it renders
only that many (pairs of consecutive frames, evenly spread) and its time and bytes are extrapolated.

Run from the repository root: ``python bench/bench.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import platform
import pstats
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_SIZES = (7, 12, 34)
KERNEL = 3
LOW, HIGH = 0, 9
TITLE = "Mean filter: a 3×3 average smooths sharp edges"
NAIVE_DPI = 100
HIGHLIGHT = "#e69f00"
# Targets (naive / ours): speed at a number of steps, bytes everywhere, memory flatness.
SPEED_TARGETS = {100: 20.0, 1024: 100.0}
BYTES_TARGET = 2.0
FLAT_MEMORY = 1.25  #: ours' peak at the largest size may be at most this times the smallest's


# --------------------------------------------------------------------------- the scenario


def scenario_keys(n: int) -> dict[str, Any]:
    """Keyword arguments of ``convanim.Scenario`` for an n×n input."""
    return {
        "title": TITLE,
        "image": {"pattern": "square", "size": n, "low": LOW, "high": HIGH},
        "kernel": {"preset": "mean", "size": KERNEL},
    }


def course_image(n: int) -> np.ndarray:
    """The input as a course author types it: zeros with a centred square of HIGH (= the pattern)."""
    image = np.full((n, n), float(LOW))
    side = max(1, n // 2)
    r0 = (n - side) // 2
    image[r0 : r0 + side, r0 : r0 + side] = HIGH
    return image


def peak_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- ours (child process)


def run_ours(n: int, path: str) -> dict[str, Any]:
    """Render the n×n scenario with convanim into ``path``; time, picture size, peak memory."""
    import convanim
    from convanim import export
    from convanim.export import gif  # noqa: F401  (import outside the timed region)

    t0 = time.perf_counter()
    scenario = convanim.Scenario(**scenario_keys(n))
    frames = scenario.frames()
    t1 = time.perf_counter()
    with open(path, "wb") as fh:
        export.get("gif").write(frames, fh)
    t2 = time.perf_counter()
    return {
        "steps": scenario.n_steps,
        "frames": len(frames),
        "width": frames.width,
        "height": frames.height,
        "durations_ms": [f.duration_ms for f in frames.frames],
        "build_s": t1 - t0,
        "write_s": t2 - t1,
        "seconds": t2 - t0,
        "peak_mb": peak_mb(),
    }


# --------------------------------------------------------------------------- naive (child process)


def naive_conv(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation, stride 1, the loop a course author writes."""
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for a in range(out.shape[0]):
        for b in range(out.shape[1]):
            out[a, b] = (image[a : a + kh, b : b + kw] * kernel).sum()
    return out


def naive_animation(image: np.ndarray, width: int, height: int) -> tuple[Any, Callable[[int], None]]:
    """The course author's figure (input, kernel, output) and its ``update(k)``; frame 0 is the
    poster, frame k shows step k−1, the last frame the finished output (as convanim's frames)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    kernel = np.full((KERNEL, KERNEL), 1 / KERNEL**2)
    out = naive_conv(image, kernel)
    n, on, steps = image.shape[0], out.shape[0], out.size
    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1,
        3,
        figsize=(width / NAIVE_DPI, height / NAIVE_DPI),
        dpi=NAIVE_DPI,
        gridspec_kw={"width_ratios": [n, KERNEL + 2, on]},
    )
    cell_px = fig.get_figwidth() * NAIVE_DPI * 0.8 * n / (n + KERNEL + 2 + on) / n
    fontsize = max(2.0, 0.33 * cell_px * 72 / NAIVE_DPI)
    ax_k.imshow(kernel, cmap="Oranges", vmin=0, vmax=1)
    kernel_fontsize = min(8.0, 0.4 * cell_px * (KERNEL + 2) / KERNEL * 72 / NAIVE_DPI)
    for (i, j), _ in np.ndenumerate(kernel):
        ax_k.text(j, i, f"1/{KERNEL**2}", ha="center", va="center", fontsize=kernel_fontsize)
    ax_k.set_title("kernel (mean)")
    ax_k.set_axis_off()

    def cell_text(ax: Any, i: int, j: int, text: str, value: float) -> None:
        colour = "white" if value < (LOW + HIGH) / 2 else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color=colour)

    def update(k: int) -> None:
        done = min(k, steps)
        ax_in.clear()
        ax_out.clear()
        ax_in.imshow(image, cmap="gray", vmin=LOW, vmax=HIGH)
        for (i, j), v in np.ndenumerate(image):
            cell_text(ax_in, i, j, f"{v:.0f}", v)
        shown = np.full(out.shape, np.nan)
        shown.flat[:done] = out.flat[:done]
        ax_out.imshow(shown, cmap="gray", vmin=LOW, vmax=HIGH)
        for idx in range(done):
            a, b = divmod(idx, on)
            cell_text(ax_out, a, b, f"{out[a, b]:.1f}", out[a, b])
        ax_in.set_title(f"input {n}×{n}")
        ax_out.set_title(f"output {on}×{on}")
        for ax in (ax_in, ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
        if 1 <= k <= steps:
            a, b = divmod(k - 1, on)
            window = image[a : a + KERNEL, b : b + KERNEL]
            ax_in.add_patch(Rectangle((b - 0.5, a - 0.5), KERNEL, KERNEL, fill=False, ec=HIGHLIGHT, lw=3))
            ax_out.add_patch(Rectangle((b - 0.5, a - 0.5), 1, 1, fill=False, ec=HIGHLIGHT, lw=3))
            terms = " + ".join(f"{v:.0f}" for v in window.ravel())
            total = f"{window.sum():.0f}/{KERNEL**2}"
            fig.suptitle(f"step {k}/{steps}:  output[{a},{b}] = 1/9 · ({terms}) = {total} = {out[a, b]:.1f}")
        else:
            fig.suptitle(TITLE if k == 0 else f"done: output {on}×{on}")

    return fig, update


def run_naive(n: int, width: int, height: int, fps: float, frames: list[int], path: str) -> dict[str, Any]:
    """Render ``frames`` of the naive animation with PillowWriter into ``path``; time, peak memory.
    ``setup_s`` (figure and static kernel) is the part that does not grow with the frame count."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    t0 = time.perf_counter()
    fig, update = naive_animation(course_image(n), width, height)
    t1 = time.perf_counter()
    anim = FuncAnimation(fig, update, frames=frames, repeat=False)
    anim.save(path, writer=PillowWriter(fps=fps), dpi=NAIVE_DPI)
    t2 = time.perf_counter()
    plt.close(fig)
    return {"frames": len(frames), "setup_s": t1 - t0, "seconds": t2 - t0, "peak_mb": peak_mb()}


# --------------------------------------------------------------------------- orchestration


def in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``fn(*args)`` in a fresh spawned process, so its peak memory is its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def sample_frames(total: int, sample: int | None) -> list[int]:
    """All frame indices, or about ``sample`` of them: ``sample // 2`` pairs of consecutive frames,
    the pairs evenly spread (first and last frame included). The second frame of a pair is encoded
    against its true predecessor, so its size stands for a frame of the whole animation."""
    if sample is None or total <= sample:
        return list(range(total))
    starts = np.linspace(0, total - 2, sample // 2).round().astype(int).tolist()
    return sorted({k for start in starts for k in (start, start + 1)})


def gif_frame_sizes(data: bytes) -> list[int]:
    """Bytes of each frame of a GIF file (its extension blocks and image block), in order."""
    table = lambda flags: 3 << ((flags & 7) + 1) if flags & 0x80 else 0  # noqa: E731
    pos, sizes, current = 13 + table(data[10]), [], 0
    while pos < len(data) and data[pos] != 0x3B:
        start, kind = pos, data[pos]
        if kind == 0x21:  # extension: introducer, label, sub-blocks
            pos += 2
        elif kind == 0x2C:  # image: descriptor, local colour table, LZW code size, sub-blocks
            pos += 10 + table(data[pos + 9]) + 1
        else:
            raise ValueError(f"unexpected GIF block 0x{kind:02x} at byte {pos}")
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
        current += pos - start
        if kind == 0x2C:
            sizes.append(current)
            current = 0
    return sizes


def extrapolate_bytes(path: Path, frames: list[int], total: int) -> tuple[int, int]:
    """Size of the full GIF from the sampled one, and its standard error: header, first frame, and
    the mean size of the frames that follow their true predecessor times the other frames."""
    data = path.read_bytes()
    sizes = gif_frame_sizes(data)
    follow = [sizes[i] for i in range(1, len(sizes)) if frames[i] == frames[i - 1] + 1]
    if len(sizes) != len(frames) or len(follow) < 2:  # merged frames: fall back to plain proportion
        return round(len(data) * total / len(frames)), 0
    others = total - 1
    estimate = len(data) - sum(sizes) + sizes[0] + np.mean(follow) * others
    finite = max(0.0, 1 - len(follow) / others)  # finite-population correction
    stderr = np.std(follow, ddof=1) / np.sqrt(len(follow)) * np.sqrt(finite) * others
    return round(estimate), round(stderr)


def gif_info(path: Path) -> dict[str, Any]:
    """What a decoder sees: picture size, frame count, total duration."""
    with Image.open(path) as im:
        size, count, total_ms = im.size, im.n_frames, 0
        for k in range(count):
            im.seek(k)
            total_ms += im.info.get("duration", 0)
    return {"size": list(size), "gif_frames": count, "total_ms": total_ms, "bytes": path.stat().st_size}


@dataclass
class Row:
    """One size: both sides' figures; naive ``seconds``/``bytes`` are extrapolated when sampled."""

    size: int
    steps: int
    frames: int
    width: int
    height: int
    ours_s: float
    ours_build_s: float
    ours_write_s: float
    ours_ms_per_frame: float
    ours_mb: float
    ours_bytes: int
    ours_gif: dict[str, Any]
    ours_path: str
    naive_path: str
    naive_frames_rendered: int
    naive_sampled: list[int]
    naive_measured_s: float
    naive_measured_bytes: int
    naive_s: float
    naive_mb: float
    naive_bytes: int
    naive_bytes_se: int  #: standard error of an extrapolated ``naive_bytes`` (0: measured)
    naive_gif: dict[str, Any]
    extrapolated: bool
    speedup: float
    bytes_ratio: float


def bench_size(n: int, sample: int | None, log: Callable[[str], None]) -> Row:
    """Run both sides for an n×n input and combine their figures."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    ours_path = RESULTS_DIR / f"ours_{n}x{n}.gif"
    log(f"{n}×{n}: ours …")
    ours = in_child(run_ours, n, str(ours_path))
    total = ours["frames"]
    frames = sample_frames(total, sample)
    extrapolated = len(frames) < total
    naive_path = RESULTS_DIR / (f"naive_{n}x{n}" + (f"_sample{len(frames)}" if extrapolated else "") + ".gif")
    fps = 1000 / ours["durations_ms"][1]
    log(f"{n}×{n}: ours {ours['seconds']:.1f} s; naive, {len(frames)} of {total} frames …")
    naive = in_child(run_naive, n, ours["width"], ours["height"], fps, frames, str(naive_path))
    scale = total / len(frames)
    naive_bytes_measured = naive_path.stat().st_size
    naive_s = naive["setup_s"] + (naive["seconds"] - naive["setup_s"]) * scale
    naive_bytes, naive_bytes_se = naive_bytes_measured, 0
    if extrapolated:
        naive_bytes, naive_bytes_se = extrapolate_bytes(naive_path, frames, total)
    ours_bytes = ours_path.stat().st_size
    return Row(
        size=n,
        steps=ours["steps"],
        frames=total,
        width=ours["width"],
        height=ours["height"],
        ours_s=ours["seconds"],
        ours_build_s=ours["build_s"],
        ours_write_s=ours["write_s"],
        ours_ms_per_frame=1000 * ours["seconds"] / total,
        ours_mb=ours["peak_mb"],
        ours_bytes=ours_bytes,
        ours_gif=gif_info(ours_path),
        ours_path=str(ours_path),
        naive_path=str(naive_path),
        naive_frames_rendered=len(frames),
        naive_sampled=frames if extrapolated else [],
        naive_measured_s=naive["seconds"],
        naive_measured_bytes=naive_bytes_measured,
        naive_s=naive_s,
        naive_mb=naive["peak_mb"],
        naive_bytes=naive_bytes,
        naive_bytes_se=naive_bytes_se,
        naive_gif=gif_info(naive_path),
        extrapolated=extrapolated,
        speedup=naive_s / ours["seconds"],
        bytes_ratio=naive_bytes / ours_bytes,
    )


# --------------------------------------------------------------------------- targets and report


def check_targets(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Each target: what it asks, the figure, met or not (None when the needed size was not run)."""
    by_steps = {r.steps: r for r in rows}
    targets = []
    for steps, factor in SPEED_TARGETS.items():
        r = by_steps.get(steps)
        figure = None if r is None else f"{'~' if r.extrapolated else ''}{r.speedup:.1f}×"
        targets.append(
            {
                "target": f"ours ≥ {factor:g}× faster at {steps:,} steps",
                "value": figure,
                "met": None if r is None else r.speedup >= factor,
            }
        )
    if rows:
        worst = min(rows, key=lambda r: r.bytes_ratio)
        x = "~" if worst.extrapolated else ""
        targets.append(
            {
                "target": "our GIF ≤ ½ of PillowWriter's bytes",
                "value": f"worst {x}{worst.bytes_ratio:.2f}× at {worst.size}×{worst.size}",
                "met": all(r.bytes_ratio >= BYTES_TARGET for r in rows),
            }
        )
    if len(rows) >= 2:
        small, large = min(rows, key=lambda r: r.frames), max(rows, key=lambda r: r.frames)
        targets.append(
            {
                "target": f"our peak memory flat (≤ {FLAT_MEMORY:g}× from {small.frames} "
                f"to {large.frames} frames)",
                "value": f"{small.ours_mb:.0f} → {large.ours_mb:.0f} MB",
                "met": large.ours_mb <= FLAT_MEMORY * small.ours_mb,
            }
        )
    else:
        targets.append({"target": "our peak memory flat", "value": "needs two sizes", "met": None})
    return targets


def format_table(rows: Sequence[Row], sample: int | None) -> str:
    """The plain-text table, with footnotes for extrapolated and sampled figures."""
    head = (
        f"{'size':<7}{'steps':>6}{'frames':>7} | {'ours: s':>8}{'ms/frame':>9}{'MB':>6}{'bytes':>11} | "
        f"{'naive: s':>9}{'MB':>7}{'bytes':>13} | {'speed×':>7}{'bytes ratio':>12}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        x = "~" if r.extrapolated else ""
        mb = ("*" if r.extrapolated else "") + f"{r.naive_mb:.0f}"
        lines.append(
            f"{f'{r.size}x{r.size}':<7}{r.steps:>6}{r.frames:>7} | "
            f"{r.ours_s:>8.2f}{r.ours_ms_per_frame:>9.1f}{r.ours_mb:>6.0f}{r.ours_bytes:>11,} | "
            f"{x + f'{r.naive_s:.1f}':>9}{mb:>7}{x + f'{r.naive_bytes:,}':>13} | "
            f"{x + f'{r.speedup:.1f}':>7}{x + f'{r.bytes_ratio:.2f}':>12}"
        )
    sampled = [r for r in rows if r.extrapolated]
    if sampled:
        lines.append("")
        lines.append(
            f"~ extrapolated from {sample} frames, pairs of consecutive frames evenly spread: "
            "time = setup + per-frame time × frames; bytes = header + first frame + mean bytes of a "
            "frame after its predecessor × (frames − 1); measured: "
            + "; ".join(
                f"{r.size}x{r.size} {r.naive_measured_s:.1f} s, {r.naive_measured_bytes:,} B "
                f"for {r.naive_frames_rendered} frames (bytes estimate ± {r.naive_bytes_se:,}, 1 s.e.)"
                for r in sampled
            )
        )
        lines.append(
            "* naive peak memory measured on the sampled frames only: PillowWriter keeps every frame "
            "until the end, so a full run needs more (--full measures it)"
        )
    return "\n".join(lines)


def format_targets(targets: Sequence[dict[str, Any]]) -> str:
    """One line: each target, its figure and met / NOT met."""
    verdict = {True: "met", False: "NOT met", None: "not run"}
    parts = [
        f"{t['target']}: {verdict[t['met']]}" + (f" ({t['value']})" if t["value"] else "") for t in targets
    ]
    return "targets: " + " | ".join(parts)


def save_snapshots(row: Row, prefix: Path) -> tuple[Path, Path]:
    """PNGs of the same step decoded from both GIF files: the naive frame nearest the middle."""
    frames = row.naive_sampled or list(range(row.frames))
    pick = min(range(len(frames)), key=lambda i: abs(frames[i] - row.frames // 2))
    out = []
    for path, index, side in ((row.ours_path, frames[pick], "ours"), (row.naive_path, pick, "naive")):
        target = Path(f"{prefix}_{side}.png")
        target.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as im:
            im.seek(index)
            im.convert("RGB").save(target)
        out.append(target)
    return out[0], out[1]


def profile_ours(n: int, top: int) -> str:
    """cProfile of our side at n×n (in this process), the ``top`` functions by internal time."""
    import convanim
    from convanim import export

    profiler = cProfile.Profile()
    profiler.enable()
    frames = convanim.Scenario(**scenario_keys(n)).frames()
    export.get("gif").write(frames, io.BytesIO())
    profiler.disable()
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def git_state() -> str:
    """The commit measured, and whether convanim/ differs from it (read-only git)."""
    root = BENCH_DIR.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "convanim")
    return commit + (" + uncommitted changes in convanim/" if dirty else "")


def environment() -> dict[str, str]:
    """Versions, machine and commit, stored with the results."""
    import PIL

    return {
        "convanim": git_state(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "pillow": PIL.__version__,
        "machine": platform.machine(),
        "cpus": str(multiprocessing.cpu_count()),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Options, checked: sizes become a list of ints ≥ the kernel side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="input sides, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=60,
        help="naive side: where there are more frames, render only this many (pairs of consecutive "
        "frames, evenly spread) and extrapolate (default %(default)s)",
    )
    parser.add_argument("--full", action="store_true", help="run the naive side on every frame (slow)")
    parser.add_argument(
        "--snapshot-prefix",
        type=Path,
        default=RESULTS_DIR / "snapshot",
        help="write PREFIX_ours.png and PREFIX_naive.png, a middle step of the largest size",
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="print our side's top N costs at the largest size"
    )
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "latest.json", help="results file")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: integers separated by commas, got {args.sizes!r}")
    if not args.sizes or min(args.sizes) < KERNEL:
        parser.error(f"--sizes: each side must be ≥ {KERNEL}")
    if args.sample < 2:
        parser.error("--sample must be ≥ 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size, print the table and the targets, save the JSON and the snapshots."""
    args = parse_args(argv)
    sample = None if args.full else args.sample
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    import convanim

    for n in args.sizes:  # the naive side draws the same image as the scenario
        if not np.array_equal(
            course_image(n), np.squeeze(convanim.Scenario(**scenario_keys(n)).image.values)
        ):
            raise SystemExit(f"course_image({n}) differs from the scenario's image")
    rows = [bench_size(n, sample, log) for n in args.sizes]
    targets = check_targets(rows)
    elapsed = time.perf_counter() - started
    print(format_table(rows, sample))
    print()
    print(format_targets(targets))
    print(f"total run {elapsed:.0f} s; convanim at {git_state()}")
    largest = max(rows, key=lambda r: r.frames)
    ours_png, naive_png = save_snapshots(largest, args.snapshot_prefix)
    log(f"snapshots: {ours_png}, {naive_png}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "args": {"sizes": args.sizes, "sample": sample, "full": args.full},
        "environment": environment(),
        "total_s": elapsed,
        "rows": [asdict(r) for r in rows],
        "targets": targets,
        "snapshots": [str(ours_png), str(naive_png)],
    }
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"results: {args.json}")
    if args.profile:
        print(profile_ours(largest.size, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
