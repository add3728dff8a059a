"""The guide's screenshot of an edit (docs/_static/edit-player.png), taken in Chromium through
Playwright: convol_edge's player after choosing the Sobel y preset and typing a weight, on a step
frame, with the inline editor open on an input cell. Run: ``python docs/screenshots.py``."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

import convanim  # noqa: E402
from convanim.export.html import page, player  # noqa: E402

OUT = ROOT / "docs" / "_static" / "edit-player.png"
CHROMIUM = os.environ.get("CONVANIM_CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    s = convanim.load(ROOT / "animations" / "convol_edge.toml")
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "edit.html"
        html.write_text(page(s.title, player(s.frames())), encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page(viewport={"width": 1000, "height": 900}, device_scale_factor=1)
            tab.emulate_media(reduced_motion="reduce")  # no autoplay: the frame stays
            tab.goto(html.as_uri())
            root = tab.locator(".convanim-player").first
            root.locator('select[data-act="preset"]').select_option("sobel_y")
            root.evaluate("el => el.convanim.show(20)")
            root.locator('[role="button"][data-edit="weight 4"]').click()
            box = root.locator(".convanim-editor input")
            box.fill("2")
            box.press("Enter")
            root.locator('[role="button"][data-edit="input 34"]').click()
            root.locator(".convanim-editor input").fill("4.5")
            tab.mouse.move(0, 0)
            root.screenshot(path=str(OUT))
            browser.close()
    print(OUT)


if __name__ == "__main__":
    main()
