""".ci/system-packages, which make runs: quiet when all is there, clear when it cannot install."""

import os
import shutil
import subprocess

import pytest

from .helpers import ROOT

SCRIPT = ROOT / ".ci" / "system-packages"


def run(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )


def test_nothing_to_do_when_everything_is_there():
    done = run("bash", str(SCRIPT), "venv", "chromium", env={"CONVANIM_SKIP_BROWSER": "1"})
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    done = run("bash", str(SCRIPT), "firefox", env={})
    assert done.returncode == 2 and done.stderr.endswith("unknown need 'firefox' (venv or chromium)\n")


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("su"), reason="needs root to run the script as a user without sudo"
)
def test_without_root_or_sudo_it_says_what_to_install():
    done = subprocess.run(  # the script on stdin: the user nobody may not read the checkout
        ["su", "nobody", "-s", "/bin/bash", "-c", "CONVANIM_CHROMIUM=/nonexistent bash -s chromium"],
        input=SCRIPT.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "make needs chromium, which this script can only install with apt-get as root or with sudo.",
        "Install it yourself, e.g. on Debian or Ubuntu: sudo apt-get install chromium",
        "Elsewhere install Chromium and set CONVANIM_CHROMIUM=/path/to/chromium,",
        "or skip the browser tests: CONVANIM_SKIP_BROWSER=1 make test",
    ]
