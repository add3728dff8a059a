"""Browser and notebook fixtures: Debian's Chromium driven by Playwright, with the network cut off.

Chromium is required: CI installs it (.ci/run), so a missing browser fails the browser tests with a
message saying what to install. Set CONVANIM_SKIP_BROWSER=1 to skip them on a machine without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CONVANIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("file:", "data:", "about:")


@dataclass(frozen=True)
class Watched:
    """A page with what it tried to fetch from the network (blocked) and the errors it logged."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def player(self, n: int = 0) -> Player:
        return Player(self, n)

    def assert_clean(self) -> None:
        """No request left the machine, and nothing was logged as an error or warning."""
        assert self.requests == [], f"network requests: {self.requests}"
        assert self.errors == [], f"console: {self.errors}"


@dataclass(frozen=True)
class Player:
    """The n-th ``.convanim-player`` of a page, and what a user or a test reads and presses."""

    watched: Watched
    n: int

    @property
    def root(self) -> Any:
        return self.watched.page.locator(".convanim-player").nth(self.n)

    def frame(self) -> int:
        return int(self.root.get_attribute("data-frame"))

    def frames(self) -> int:
        return int(self.root.get_attribute("data-frames"))

    def playing(self) -> bool:
        return self.root.get_attribute("data-playing") == "true"

    def readout(self) -> str:
        return self.root.locator(".convanim-readout").inner_text()

    def button(self, label: str) -> Any:
        return self.root.get_by_role("button", name=label, exact=True)

    def press(self, key: str) -> None:
        self.root.focus()
        self.root.press(key)

    def go_to(self, k: int) -> None:
        """Through the documented hook, ``convanimPlayer.get(root).goTo(k)``."""
        self.root.evaluate("(root, k) => window.convanimPlayer.get(root).goTo(k)", k)

    def wait_frame(self, test: str, timeout: float = 5000) -> None:
        """Wait until ``test``, JS on ``f`` (the current frame number), holds."""
        self.watched.page.wait_for_function(
            f"root => {{ const f = Number(root.getAttribute('data-frame')); return {test}; }}",
            arg=self.root.element_handle(),
            timeout=timeout,
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    if os.environ.get("CONVANIM_SKIP_BROWSER") == "1":
        pytest.skip("CONVANIM_SKIP_BROWSER=1: browser tests skipped")
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium), point "
            "CONVANIM_CHROMIUM at it, or set CONVANIM_SKIP_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements-test.txt", pytrace=False)

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """``open_page(html or path, width=..., reduced_motion=..., color_scheme=..., javascript=...,
    clock=...)``: a new page at device scale 1, every request but file: and data: blocked and
    recorded; with ``clock=True`` its time is Playwright's fake clock, advanced by the test."""
    contexts = []

    def open_(
        source: str | Path,
        *,
        width: int = 1100,
        height: int = 900,
        reduced_motion: str = "reduce",
        color_scheme: str = "light",
        javascript: bool = True,
        clock: bool = False,
    ) -> Watched:
        if isinstance(source, str):
            path = tmp_path / f"page{len(contexts)}.html"
            path.write_text(source, encoding="utf-8")
        else:
            path = source
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            reduced_motion=reduced_motion,
            color_scheme=color_scheme,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)
        page.on(
            "console",
            lambda m: (
                watched.errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda err: watched.errors.append(f"page error: {err}"))
        page.on("dialog", lambda d: (watched.errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.on(
            "request",
            lambda r: None if r.url.startswith(LOCAL) else watched.requests.append(r.url),
        )

        def route(r: Any) -> None:
            if r.request.url.startswith(LOCAL):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        if clock:  # the page's timers run only when the test says (page.clock.run_for): no race
            page.clock.install(time=0)
            page.clock.pause_at(1000)  # time stands still until run_for
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        return watched

    yield open_
    for context in contexts:
        context.close()
