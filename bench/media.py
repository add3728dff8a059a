#!/usr/bin/env python3
"""Benchmark: MP4 and WebM against the GIF of the same scenario (bench.py's mean filter).

For each size (default 12×12 and 34×34: 100 and 1,024 steps), in its own spawned process each:
paint every frame without encoding (the floor any format pays), then write the GIF, the MP4 and
the WebM. Reports wall time, bytes and peak memory (``ru_maxrss``), and the ratios video / GIF
and video / painting alone (what the encoder adds beyond the frames).

Run from the repository root: ``python bench/media.py`` (``--sizes 34`` for the 1,024-step case).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import RESULTS_DIR, environment, in_child, peak_mb, scenario_keys

FORMATS = ("paint", "gif", "mp4", "webm")


def run(n: int, fmt: str, path: str) -> dict[str, Any]:
    """Build the n×n scenario's frames, then paint them all ("paint") or write ``fmt`` to ``path``."""
    import convanim
    from convanim import export
    from convanim.paint.raster import RasterPainter

    export.formats()  # imports outside the timed region
    frames = convanim.Scenario(**scenario_keys(n)).frames()
    t0 = time.perf_counter()
    if fmt == "paint":
        for _ in RasterPainter(frames).changes():
            pass
        size = 0
    else:
        size = export.write_atomic(path, frames, export.get(fmt))
    return {
        "fmt": fmt,
        "frames": len(frames),
        "video_s": sum(f.duration_ms for f in frames.frames) / 1000,
        "seconds": time.perf_counter() - t0,
        "bytes": size,
        "peak_mb": peak_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12,34", help="input sides, comma-separated (default %(default)s)")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "media.json", help="results file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        runs = {}
        for fmt in FORMATS:
            path = RESULTS_DIR / f"media_{n}x{n}.{fmt}"
            runs[fmt] = in_child(run, n, fmt, str(path))
            print(f"{n}×{n} {fmt}: {runs[fmt]['seconds']:.2f} s", file=sys.stderr, flush=True)
        rows.append({"size": n, **{fmt: runs[fmt] for fmt in FORMATS}})
    head = (
        f"{'size':<7}{'frames':>7}{'video s':>8} | {'format':<5}{'s':>8}{'MB':>6}{'bytes':>12} | "
        f"{'s / gif':>8}{'bytes / gif':>12}{'s / paint':>10}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        gif, paint = row["gif"], row["paint"]
        for fmt in FORMATS:
            r = row[fmt]
            ratios = (
                f"{r['seconds'] / gif['seconds']:>8.2f}{r['bytes'] / gif['bytes']:>12.2f}"
                if fmt != "paint"
                else f"{'':>8}{'':>12}"
            )
            label = f"{row['size']}x{row['size']}"
            lines.append(
                f"{label:<7}{r['frames']:>7}{r['video_s']:>8.1f} | {fmt:<5}"
                f"{r['seconds']:>8.2f}{r['peak_mb']:>6.0f}{r['bytes']:>12,} | {ratios}"
                f"{r['seconds'] / paint['seconds']:>10.2f}"
            )
    print("\n".join(lines))
    args.json.write_text(
        json.dumps({"environment": environment(), "rows": rows}, indent=2, ensure_ascii=False) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
