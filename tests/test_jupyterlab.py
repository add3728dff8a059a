"""The player in a real JupyterLab and a real Notebook 7 (each started here on 127.0.0.1, with its
own temporary root, config, data and runtime folders) and Chromium: an untrusted notebook with stored outputs shows
the poster as a still picture, with no controls and no text; once the same notebook is trusted
(signed), it plays. nbconvert's LaTeX export (the road to PDF) uses the image/png still.

JupyterLab is slow to start on a loaded machine: every wait is generous and nothing is timed."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from convanim.export.still import still_png

from .helpers import ROOT, small

KERNEL = "convanim-lab-test"
CELLS = (
    "import numpy as np\nimport convanim",
    'convanim.Scenario(title="mean", image=np.arange(25.0).reshape(5, 5), kernel={"preset": "mean"},\n'
    '                  timing={"step_ms": 100, "poster_ms": 300, "final_ms": 700})',
)
APPS = {  # module to run, the notebook's URL path
    "jupyterlab": ("jupyterlab", "/lab/tree/course.ipynb"),
    "notebook7": ("notebook", "/notebooks/course.ipynb"),
}
WAIT_MS = 180_000  # JupyterLab's first page load builds a lot; a loaded 2-core machine is slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=sorted(APPS))
def jupyter_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of a Jupyter that reads and writes only temporary folders (its kernel runs this
    interpreter with the checkout importable), one per app: trust is kept in the data folder."""
    tmp = tmp_path_factory.mktemp(request.param)
    dirs = {name: tmp / name for name in ("root", "config", "data", "runtime", "path", "ipython")}
    for d in dirs.values():
        d.mkdir()
    spec = dirs["path"] / "kernels" / KERNEL
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "convanim lab tests",
        "language": "python",
        "env": {"PYTHONPATH": str(ROOT)},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    env = {
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_PATH": str(dirs["path"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["config"] / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["config"] / "lab-workspaces"),
        "ROOT": str(dirs["root"]),
        "APP": request.param,
    }
    return env


@pytest.fixture(scope="module")
def executed(jupyter_env: dict[str, str]) -> Any:
    """The notebook, executed by nbclient on its own kernel and saved unsigned (untrusted)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "convanim lab tests", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in jupyter_env.items():
            mp.setenv(key, value)
        NotebookClient(nb, timeout=120, resources={"metadata": {"path": jupyter_env["ROOT"]}}).execute()
    nbformat.write(nb, Path(jupyter_env["ROOT"]) / "course.ipynb")
    return nb


@pytest.fixture(scope="module")
def lab(jupyter_env: dict[str, str], executed: Any) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1 serving the temporary root; yields its base URL."""
    port, token = free_port(), secrets.token_hex(16)
    module, path = APPS[jupyter_env["APP"]]
    args = [
        sys.executable,
        "-m",
        module,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={jupyter_env['ROOT']}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--ServerApp.allow_root=True",  # CI runs as root
    ]
    env = {**os.environ, **{k: v for k, v in jupyter_env.items() if k != "APP"}}
    log = Path(jupyter_env["JUPYTER_RUNTIME_DIR"]) / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=jupyter_env["ROOT"])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_MS / 1000
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{module} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield f"{base}{path}?token={token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def lab_page(browser: Any, lab: str) -> Iterator[Any]:
    """A Chromium page (motion allowed: players play by themselves) whose requests may only go to
    the JupyterLab server; any other request is blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, reduced_motion="no-preference")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    outside: list[str] = []
    server = lab.split("/", 3)[:3]
    server = "/".join(server)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith((server, "data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.outside = outside
    yield page
    context.close()


def output_of(page: Any) -> Any:
    """The rendered output of the notebook's second cell (the scenario)."""
    out = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea-output")
    out.wait_for(state="attached")
    return out


def test_untrusted_notebook_shows_the_still_then_plays_once_trusted(lab_page, lab, jupyter_env, tmp_path):
    from nbformat import read
    from nbformat.sign import NotebookNotary

    page = lab_page
    page.goto(lab)
    out = output_of(page)
    still = out.locator("img.convanim-still")
    still.wait_for(state="visible")
    page.wait_for_function(  # the data: URI decoded and drawn
        "img => img.complete && img.naturalWidth > 0", arg=still.element_handle()
    )
    frames = small(title="mean").frames()
    assert still.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [frames.width, frames.height]
    assert out.locator("svg, button, input, select, .convanim-readout, .convanim-bar").count() == 0
    assert out.inner_text().strip() == ""  # no run-on text from the picture
    assert out.locator(".convanim-player").get_attribute("data-ready") is None  # no script ran
    box = still.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    page.screenshot(path=str(tmp_path / "untrusted.png"))

    notary = NotebookNotary(data_dir=jupyter_env["JUPYTER_DATA_DIR"])
    nb_path = Path(jupyter_env["ROOT"]) / "course.ipynb"
    with open(nb_path, encoding="utf-8") as fh:
        nb = read(fh, as_version=4)
    assert not notary.check_signature(nb)
    notary.sign(nb)  # what `jupyter trust course.ipynb` does: the server now trusts it
    page.reload()
    root = output_of(page).locator(".convanim-player")
    root.wait_for(state="attached")
    page.wait_for_function("root => root.hasAttribute('data-ready')", arg=root.element_handle())
    page.wait_for_function(  # it plays by itself: the frame advances
        "root => Number(root.getAttribute('data-frame')) >= 3", arg=root.element_handle()
    )
    assert (
        root.locator(".convanim-buttons > button[aria-label]").count() == 5
        and root.locator("img").count() == 0
    )
    assert root.get_attribute("data-frames") == "11"
    root.get_by_role("button", name="Pause", exact=True).click()
    frame = int(root.get_attribute("data-frame"))
    root.get_by_role("button", name="Step forward", exact=True).click()
    assert int(root.get_attribute("data-frame")) == min(frame + 1, 10)
    page.screenshot(path=str(tmp_path / "trusted.png"))
    assert page.outside == []


def test_latex_export_uses_the_png_still(executed):
    """nbconvert to LaTeX (and so to PDF) takes no HTML: the output is the image/png still."""
    from nbconvert import LatexExporter

    body, resources = LatexExporter().from_notebook_node(executed)
    (name,) = [n for n in resources["outputs"] if n.endswith(".png")]
    assert f"\\includegraphics{{{name}}}" in body or f"{{{name}}}" in body
    png = resources["outputs"][name]
    assert png == still_png(small(title="mean").frames())
    assert base64.b64decode(executed.cells[1].outputs[0].data["image/png"]) == png
    assert "convanim-player" not in body and np.frombuffer(png[:8], np.uint8).tolist()[1:4] == [80, 78, 71]
