"""What receptive fields cost: the player's pointer data (map grids and per-axis links) against the
page, for the gallery's scenarios; and the cone's frames (``receptive_field``) in frames, time and
GIF bytes, with and without the key. Run: ``python bench/cone.py [NAME ...]``.
"""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import convanim  # noqa: E402
from convanim.export.html import player_js  # noqa: E402
from convanim.export.playerdata import encode, script_json  # noqa: E402

DEFAULT = ("convol_mean", "layer_3_to_2", "chain_photo", "chain_rgb_photo", "receptive_field")


def pointer(name: str) -> str:
    s = convanim.load(ROOT / "animations" / f"{name}.toml")
    data = encode(s.frames(), 0)
    rf = len(script_json(data["rf"]).encode()) + len(',"rf":') if "rf" in data else 0
    page = len(s.to_bytes("html"))
    return f"{name:20s} page {page:9,d} B   pointer data {rf:6,d} B ({100 * rf / page:.2f} %)"


def cone() -> str:
    """The gallery's cone scenario with and without its key: frames, seconds to a GIF, bytes."""
    data = tomllib.loads((ROOT / "animations" / "receptive_field.toml").read_text(encoding="utf-8"))
    rows = []
    for keys in ({k: v for k, v in data.items() if k != "receptive_field"}, data):
        t = time.perf_counter()
        s = convanim.Scenario(**keys)
        gif = s.to_bytes("gif")
        rows.append((len(s.frames()), time.perf_counter() - t, len(gif)))
    (f0, t0, b0), (f1, t1, b1) = rows
    return (
        f"receptive_field GIF: {f0} → {f1} frames, {t0:.2f} → {t1:.2f} s, {b0:,d} → {b1:,d} B "
        f"(+{100 * (b1 - b0) / b0:.1f} %)"
    )


def main(names: list[str]) -> None:
    print(f"player.js (once a page): {len(player_js()):,d} B")
    for name in names or DEFAULT:
        print(pointer(name))
    print(cone())


if __name__ == "__main__":
    main(sys.argv[1:])
