#!/usr/bin/env python3
"""Whole-process timings of the command line: what a user waits for, start-up included.

The in-process benchmark (bench.py) starts its clock after Python and the libraries are loaded;
a course's CI or an author at a terminal pays for those imports on every command too. This runs
each command as its own process, a few times, and prints the median wall time:

- ``import convanim`` alone;
- ``generate.py --schema`` and ``--list`` (no painting: they should not import matplotlib);
- ``generate.py --check --format html`` on the committed gallery (HTML compared, nothing painted);
- ``generate.py NAME --format gif --out TMP`` for one scenario (default convol_mean, 66 frames),
  and the same with ``--format html``.

Run from the repository root: ``python bench/startup.py`` (``--repeat N``, ``--scenario NAME``;
``--tree DIR`` times another checkout of the code, e.g. an older commit, the same way).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str], cwd: Path, repeat: int) -> float:
    """Median wall time in seconds of ``repeat`` runs of ``cmd`` (its output discarded)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imported(cmd: list[str], cwd: Path) -> int:
    """How many matplotlib modules ``cmd`` imports (``python -X importtime``)."""
    run = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=cwd, capture_output=True, text=True)
    return sum(
        1 for line in run.stderr.splitlines() if line.rstrip().split("|")[-1].strip().startswith("matplotlib")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (median; default 3)")
    parser.add_argument(
        "--scenario", default="convol_mean", help="the one-scenario run (default convol_mean)"
    )
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout to time (default: this one)")
    args = parser.parse_args()
    tree, py = args.tree.resolve(), sys.executable
    gen = [py, str(tree / "generate.py")]
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "import convanim": [py, "-c", "import convanim"],
            "--schema": [*gen, "--schema"],
            "--list": [*gen, "--list"],
            "--check --format html": [*gen, "--check", "--format", "html", "-q"],
            f"{args.scenario} gif": [*gen, args.scenario, "--format", "gif", "--out", tmp, "-q"],
            f"{args.scenario} html": [*gen, args.scenario, "--format", "html", "--out", tmp, "-q"],
        }
        print(f"whole-process wall time, median of {args.repeat} ({tree})")
        print(f"{'command':28s} {'seconds':>8s} {'matplotlib modules':>19s}")
        for name, cmd in commands.items():
            seconds = wall(cmd, tree, args.repeat)
            print(f"{name:28s} {seconds:8.2f} {imported(cmd, tree):19d}")


if __name__ == "__main__":
    main()
