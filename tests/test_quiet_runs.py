"""A run with any accepted scenario writes nothing to stderr but the progress bar (in a terminal
only) and failures: no library warning, no stray print, in the main process or its workers."""

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings

import convanim
from convanim import export
from convanim.cli import main

from .helpers import ROOT
from .test_text_fits import scenarios


def toml(value, key=""):
    """A scenario's keys as TOML (tables for dicts, arrays for arrays and lists)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    raise TypeError(value)


def scenario_file(keys) -> str:
    lines, tables = [], []
    for name, value in keys.items():
        if isinstance(value, np.ndarray) and name in ("image", "kernel"):
            value = {"values": value}
        if isinstance(value, dict):
            tables.append(f"[{name}]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in value.items()))
        else:
            lines.append(f"{name} = {toml(value)}\n")
    return "".join(lines) + "\n".join(tables)


def accepted(path: Path) -> bool:
    try:
        convanim.load(path)
    except convanim.ScenarioError:
        return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=scenarios())
def test_a_run_writes_nothing_to_stderr(keys):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "animations").mkdir()
        path = root / "animations" / "s.toml"
        path.write_text(scenario_file(keys), encoding="utf-8")
        if not accepted(path):
            return
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--jobs", "1"], root=root)  # warnings are errors in this suite: a bug line
        assert (code, err.getvalue()) == (0, "")
        assert len(out.getvalue().splitlines()) == len(export.gallery_formats()) + 1  # a line a file, index


HOSTILE = [
    {"title": "Glättung ×  שלום ☃ 😀", "image": np.full((3, 3), 987654321012.5), "kernel": np.ones((2, 2))},
    {
        "image": np.array([[12.5], [-7.25], [30.0], [4.75], [-18.5]]),
        "kernel": np.array([[0.3], [-0.45], [0.3]]),
    },
    {"image": np.full((4, 4), 1e12), "kernel": np.full((3, 3), 1e12), "caption": "constant above 2**53"},
    {"image": np.full((5, 5), -1e12), "operation": "relu"},
    {"image": np.array([[1.0, 2.0]]), "operation": "upsample", "mode": "nearest", "scale_factor": 2.2},
]


def test_a_real_process_with_workers_writes_nothing_to_stderr(tmp_path):
    (tmp_path / "animations").mkdir()
    for i, keys in enumerate(HOSTILE):
        (tmp_path / "animations" / f"h{i}.toml").write_text(scenario_file(keys), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "generate.py"),
            "--animations",
            "animations",
            "--out",
            "out",
            "--jobs",
            "2",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (run.returncode, run.stderr) == (0, "")
    assert len(run.stdout.splitlines()) == len(export.gallery_formats()) * len(HOSTILE) + 1
