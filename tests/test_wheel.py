"""The built wheel, installed alone in a fresh venv outside the checkout, used from an empty folder.

The wheel and the venv are made once per session (pip installs the pinned runtime requirements
into the venv, from its cache or PyPI; then the wheel with ``--no-index``, so its dependency
ranges must admit those pins). Everything then runs with the venv's own ``convanim`` and Python.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import convanim
from convanim.export import gallery_formats, get
from convanim.scenario import load

from .helpers import ROOT

SHIPPED = ("pyproject.toml", "README.md", "convanim")


def _default_sigint() -> None:
    """In the child: Ctrl-C's signal as in a terminal, even if this process was started ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=300)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    """What a command printed, for an assertion's message."""
    return f"{done.args}: exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"


def _pip(python: Path | str, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """convanim's wheel, built from a copy of the checkout, installed into a new venv."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SHIPPED:  # a copy, so the build leaves no build/ or egg-info in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    _pip(sys.executable, "wheel", "--no-deps", "--no-build-isolation", "-w", str(base / "dist"), str(src))
    (wheel,) = (base / "dist").glob("convanim-*.whl")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    _pip(python, "install", "-r", str(ROOT / "requirements.txt"))
    _pip(python, "install", "--no-index", str(wheel))
    return Installed(wheel, env_dir / "bin")


def test_the_wheel_holds_every_module_and_the_player_templates(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    in_tree = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "convanim").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert in_tree <= names
    assert {
        "convanim/templates/player.js",
        "convanim/templates/player.css",
        "convanim/frames/window.py",
    } <= in_tree
    assert installed.wheel.name == f"convanim-{convanim.__version__}-py3-none-any.whl"
    metadata = zipfile.ZipFile(installed.wheel).read(
        f"convanim-{convanim.__version__}.dist-info/entry_points.txt"
    )
    assert b"convanim = convanim.command:main" in metadata
    meta = (
        zipfile.ZipFile(installed.wheel).read(f"convanim-{convanim.__version__}.dist-info/METADATA").decode()
    )
    assert "Requires-Dist: watchfiles<2,>=1.3" in meta and 'extra == "sphinx"' in meta


def test_a_course_starts_from_an_empty_folder(installed, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    where = installed.run("python", "-c", "import convanim; print(convanim.__file__)", cwd=course)
    assert where.stdout.startswith(str(installed.bin.parent))  # the wheel's copy, not the checkout
    assert installed.run("convanim", "--version", cwd=course).stdout == f"convanim {convanim.__version__}\n"
    assert (
        installed.run("python", "-m", "convanim", "--version", cwd=course).stdout
        == f"convanim {convanim.__version__}\n"
    )

    new = installed.run("convanim", "new", "demo", cwd=course)
    assert (new.returncode, new.stderr) == (0, ""), _said(new)
    assert new.stdout.splitlines() == [
        "animations/demo.toml: new scenario, 27 frames (convanim build writes it)",
        "animations/convanim.schema.json: the JSON Schema of scenario files, for editors",
    ]

    build = installed.run("convanim", "build", cwd=course)  # every core: a process pool
    assert (build.returncode, build.stderr) == (0, ""), _said(build)  # no progress bar into a pipe
    written = [f"demo{get(f).suffix}" for f in gallery_formats()]  # gif, html, png
    assert [line.split(":")[0] for line in build.stdout.splitlines()] == [
        *(f"output/{name}" for name in written),
        "output/index.html",
    ]
    scenario = load(course / "animations" / "demo.toml")  # the checkout's convanim, for reference
    assert (course / "output" / "demo.gif").read_bytes() == scenario.to_bytes("gif")
    for fmt in gallery_formats():
        assert (course / "output" / f"demo{get(fmt).suffix}").read_bytes() == scenario.to_bytes(fmt)

    again = installed.run("convanim", "build", cwd=course)
    assert again.returncode == 0 and again.stdout.splitlines() == [
        f"{len(written)} up to date, skipped (--force rebuilds them): {', '.join(written)}",
        "output/index.html: up to date",
    ], _said(again)
    check = installed.run("convanim", "check", cwd=course)
    assert (check.returncode, check.stdout, check.stderr) == (
        0,
        f"{len(written) + 1} files up to date\n",
        "",
    ), _said(check)

    api = installed.run(
        "python",
        "-c",
        "import convanim\n"
        "s = convanim.load('animations/demo.toml')\n"
        "print(s.save('x.gif'))\n"
        "open('x.html', 'w', encoding='utf-8').write(s._repr_html_())\n",
        cwd=course,
    )
    assert api.returncode == 0, _said(api)
    gif = (course / "x.gif").read_bytes()
    assert api.stdout == f"{len(gif)}\n" and gif == scenario.to_bytes("gif")
    assert (course / "x.html").read_text(encoding="utf-8") == scenario.to_html()
    assert "window.convanimPlayer" in scenario.to_html()


def test_the_installed_command_reports_bad_input_in_one_line(installed, tmp_path):
    for argv, line in (
        (
            ("convanim", "frob"),
            "convanim: unknown command 'frob'; commands: build, check, list, schema, new, watch (see --help)",
        ),
        (("convanim", "build"), "animations: no scenario files (*.toml) found"),
        (
            ("convanim", "build", "--jobs", "x"),
            "convanim build: argument --jobs: invalid int value: 'x' (see --help)",
        ),
    ):
        done = installed.run(*argv, cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", line + "\n")


def test_the_installed_watch_serves_and_stops_on_ctrl_c(installed, tmp_path):
    assert installed.run("convanim", "new", "demo", cwd=tmp_path).returncode == 0
    proc = subprocess.Popen(
        ["convanim", "watch", "--port", "0", "--quiet"],
        cwd=tmp_path,
        env=installed.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("serving output/ at http://127.0.0.1:") and line.endswith(" (Ctrl-C stops)\n")
        url = line.split(" at ")[1].split(" ")[0]
        with urllib.request.urlopen(url + "__convanim/status", timeout=10) as answer:
            assert json.loads(answer.read()) == {"generation": 1, "errors": [], "players": ["demo"]}
        with urllib.request.urlopen(url, timeout=10) as answer:
            page = answer.read().decode("utf-8")
        assert page.count('<li class="card"') == 1 and 'fetch("/__convanim/status?wait="' in page
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert (proc.returncode, out, err) == (0, "stopped\n", "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
