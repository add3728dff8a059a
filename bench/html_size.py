"""HTML size: our player page against matplotlib's ``FuncAnimation.to_jshtml()`` (PNG frames).

For convol_mean-like scenarios (a disk of 9s on 0s, 3×3 mean kernel) at 7×7, 12×12 and 18×18,
prints our standalone page and notebook fragment sizes next to a naive matplotlib animation of the
same picture size (input, kernel and output grids with values, window and output cell outlined,
one frame per step plus poster and final). Run: ``python bench/html_size.py [--sample N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib

matplotlib.use("Agg")
import numpy as np
from matplotlib import animation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import convanim

SIZES = (7, 12, 18)
FULL_LIMIT = 120  # animations with more frames than this are sampled, then extrapolated


def scenario(n: int) -> convanim.Scenario:
    """A convol_mean-like scenario on an n×n image."""
    return convanim.Scenario(
        name=f"mean_{n}x{n}",
        title=f"Mean filter: a 3×3 average smooths a {n}×{n} disk",
        caption="F[a,b] = Σ f[i,j]·I[a+i, b+j] with every f[i,j] = 1/9",
        image={"pattern": "disk", "size": n, "low": 0, "high": 9},
        kernel={"preset": "mean"},
    )


def naive_animation(s: convanim.Scenario, width: int, height: int, frames: list[int]) -> animation.Animation:
    """The usual notebook route: a matplotlib figure redrawn per frame, at ``width``×``height`` px."""
    # single-channel scenario: image (1, H, W), kernel (1, 1, kh, kw)
    image, kernel, out = np.squeeze(s.image.values), np.squeeze(s.kernel.values), s.output()
    (oh, ow), (kh, kw) = out.shape, kernel.shape
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax_in, ax_k, ax_out = fig.subplots(1, 3, gridspec_kw={"width_ratios": [image.shape[1], kw, ow]})
    title = fig.suptitle(s.title)
    ax_in.imshow(image, cmap="gray", vmin=image.min(), vmax=image.max())
    ax_k.imshow(kernel, cmap="Oranges", vmin=0, vmax=kernel.max() * 2)
    shown = np.full(out.shape, np.nan)
    out_img = ax_out.imshow(shown, cmap="gray", vmin=image.min(), vmax=image.max())
    for (r, c), v in np.ndenumerate(image):
        ax_in.text(c, r, f"{v:g}", ha="center", va="center", fontsize=7, color="tab:red")
    for (r, c), v in np.ndenumerate(kernel):
        ax_k.text(c, r, "1/9" if v == 1 / 9 else f"{v:g}", ha="center", va="center", fontsize=7)
    labels = {
        (r, c): ax_out.text(c, r, "", ha="center", va="center", fontsize=7, color="tab:red")
        for r in range(oh)
        for c in range(ow)
    }
    window = ax_in.add_patch(Rectangle((-0.5, -0.5), kw, kh, fill=False, ec="orange", lw=2))
    cell = ax_out.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, ec="orange", lw=2))
    for ax in (ax_in, ax_k, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])

    def update(k: int) -> list:
        steps = min(max(k, 0), oh * ow)
        shown[:] = np.nan
        for i in range(steps):
            r, c = divmod(i, ow)
            shown[r, c] = out[r, c]
        out_img.set_data(shown)
        for (r, c), label in labels.items():
            label.set_text(f"{out[r, c]:.1f}" if r * ow + c < steps else "")
        step = k - 1
        on = 0 <= step < oh * ow
        window.set_visible(on)
        cell.set_visible(on)
        if on:
            r, c = divmod(step, ow)
            window.set_xy((c - 0.5, r - 0.5))
            cell.set_xy((c - 0.5, r - 0.5))
            title.set_text(f"{s.title}\nstep {k}/{oh * ow}: output[{r},{c}] = {out[r, c]:.1f}")
        return [out_img, window, cell, title, *labels.values()]

    return animation.FuncAnimation(fig, update, frames=frames, interval=s.timing.step_ms, blit=False)


def jshtml_bytes(s: convanim.Scenario, width: int, height: int, sample: int) -> tuple[int, bool]:
    """Bytes of ``to_jshtml()`` for every frame; over FULL_LIMIT frames, measured on ``sample`` and
    ``2·sample`` evenly spread frames and extrapolated linearly. Returns (bytes, extrapolated)."""
    n = s.n_frames
    matplotlib.rcParams["animation.embed_limit"] = 1000.0  # MB: measure, never drop frames
    if n <= FULL_LIMIT:
        return len(naive_animation(s, width, height, list(range(n))).to_jshtml().encode()), False
    small, large = (np.linspace(0, n - 1, m).round().astype(int).tolist() for m in (sample, 2 * sample))
    a = len(naive_animation(s, width, height, small).to_jshtml().encode())
    b = len(naive_animation(s, width, height, large).to_jshtml().encode())
    per_frame = (b - a) / (len(large) - len(small))
    return round(a + per_frame * (n - len(small))), True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=24, help="frames sampled for big animations")
    args = parser.parse_args()
    head = (
        f"{'scenario':<12} {'steps':>5} {'picture':>9} {'page':>9} {'fragment':>9} "
        f"{'to_jshtml':>12} {'ratio':>7}"
    )
    print(head)
    print("-" * len(head))
    notes = []
    for n in SIZES:
        s = scenario(n)
        frames = s.frames()
        start = time.perf_counter()
        page = len(s.to_bytes("html"))
        fragment = len(s.to_html().encode())
        ours = time.perf_counter() - start
        start = time.perf_counter()
        theirs, extrapolated = jshtml_bytes(s, frames.width, frames.height, args.sample)
        mpl = time.perf_counter() - start
        mark = "*" if extrapolated else ""
        print(
            f"{f'{n}×{n}':<12} {s.n_steps:>5} {f'{frames.width}×{frames.height}':>9} {page:>9,} "
            f"{fragment:>9,} {f'{theirs:,}{mark}':>12} {theirs / page:>6.0f}×"
        )
        notes.append(f"{n}×{n}: ours {ours:.2f} s, to_jshtml {mpl:.1f} s")
        if extrapolated:
            notes.append(
                f"* {n}×{n}: to_jshtml measured on {args.sample} and {2 * args.sample} evenly spread "
                f"frames and extrapolated to all {s.n_frames} frames"
            )
    print()
    print("page: standalone output/NAME.html (player JS and CSS inlined); fragment: Scenario.to_html(),")
    print("what a notebook cell shows. ratio = to_jshtml bytes / page bytes.")
    for line in notes:
        print(line)


if __name__ == "__main__":
    main()
